//! One employee's working day, derived from the raw check-ins and stored so that a page of
//! attendance costs the page. Kept current as check-ins arrive; recomputed when the company's
//! day rules change.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attendance_days")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub employee_id: Uuid,
    /// The working day (company time zone, starting at the company's workday start hour).
    #[sea_orm(primary_key, auto_increment = false)]
    pub date: Date,
    pub company_id: Uuid,
    /// The employee's `employee_code_key`, copied so pages read in (code, date) order from one
    /// index; rewritten when the code changes.
    pub employee_code_key: String,
    pub first_check_in: DateTimeUtc,
    pub last_check_in: DateTimeUtc,
    pub checkin_count: i32,
    pub worked_minutes: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::employee::Entity",
        from = "Column::EmployeeId",
        to = "super::employee::Column::Id"
    )]
    Employee,
}

impl Related<super::employee::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Employee.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
