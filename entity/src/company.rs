//! A customer company (tenant). Every other row belongs to one.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "companies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// IANA time zone name, e.g. `Asia/Ho_Chi_Minh`.
    pub time_zone: String,
    /// Switched on by a platform operator; camera operations are refused while off.
    pub camera_timekeeping_enabled: bool,
    pub created_at: DateTimeUtc,
    /// Hour (0–23, local) at which a working day starts; check-ins before it count for the
    /// previous day (night shifts).
    pub workday_start_hour: i32,
    /// Check-ins up to this moment are known to be stored (pulled or caught up).
    pub attendance_complete_until: Option<DateTimeUtc>,
    /// Version of the day rules the stored attendance days were computed with; a lower value
    /// than the server's queues a recompute at start.
    pub attendance_days_version: i32,
    /// Changed employees are synced by themselves, a minute after the last change.
    pub auto_sync: bool,
    /// The schedule of every day no assignment covers.
    pub default_schedule_id: Option<Uuid>,
    /// Days without check-ins (absences, leave, holidays) are stored up to this date.
    pub days_materialized_until: Option<Date>,
    /// Days up to this date are locked (a closed payroll period): nothing recomputes them, and
    /// check-ins and corrections for them do not change them.
    pub attendance_locked_through: Option<Date>,
    /// The company's first moment of attendance: its earliest check-in or employee, or the
    /// first moment a finished pull covered. Expected days start no earlier.
    pub attendance_started_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
