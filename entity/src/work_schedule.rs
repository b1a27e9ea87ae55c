//! A work schedule (design §8): a shift with its break, grace periods, work days and the
//! window in which check-ins belong to a day. Times are minutes after local midnight.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "work_schedules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub name: String,
    pub start_minute: i32,
    /// Earlier than `start_minute`: a night shift ending the next day.
    pub end_minute: i32,
    pub break_start_minute: Option<i32>,
    pub break_end_minute: Option<i32>,
    pub late_grace_minutes: i32,
    pub early_leave_grace_minutes: i32,
    /// Bit 0 Monday … bit 6 Sunday.
    pub work_days: i32,
    pub check_in_opens_minutes_before: i32,
    pub check_out_closes_minutes_after: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
