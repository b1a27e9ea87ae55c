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
    /// None on a day without check-ins (an absence, leave or holiday).
    pub first_check_in: Option<DateTimeUtc>,
    pub last_check_in: Option<DateTimeUtc>,
    pub checkin_count: i32,
    pub worked_minutes: i32,
    pub late_minutes: i32,
    pub early_leave_minutes: i32,
    pub overtime_minutes: i32,
    /// The status once attendance is known complete past `window_end` (`PRESENT`, `LATE`,
    /// `ABSENT`, …); read as `PENDING` until then, unless the day is a holiday, leave or day off.
    pub status: String,
    /// `WORK`, `DAY_OFF`, `HOLIDAY`, `LEAVE` or `UNSCHEDULED`.
    pub kind: String,
    /// What the day's schedule said, so adding a check-in needs nothing but the row.
    pub schedule_id: Option<Uuid>,
    pub shift_start: Option<DateTimeUtc>,
    pub shift_end: Option<DateTimeUtc>,
    pub break_start: Option<DateTimeUtc>,
    pub break_end: Option<DateTimeUtc>,
    pub late_grace_minutes: i32,
    pub early_leave_grace_minutes: i32,
    /// When the day's check-in window closes.
    pub window_end: DateTimeUtc,
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
