//! Who works a schedule from when: an employee or a department, from a date, until a date or
//! open-ended. The most specific assignment wins (employee, then department, then the company
//! default); among assignments of one level, the latest made.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "schedule_assignments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub schedule_id: Uuid,
    pub employee_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub from_date: Date,
    pub to_date: Option<Date>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
