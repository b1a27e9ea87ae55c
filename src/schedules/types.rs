//! The schedules part of the schema: work schedules, assignments, holidays and leave.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Datelike, Utc, Weekday};
use entity::{holiday, leave, schedule_assignment, work_schedule};

use crate::{employees::Employee, ids, loaders::Loaders, scalars::Date, sync::jobs::SyncJob};

/// A day of the week.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DayOfWeek {
    /// Monday.
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
    Saturday,
    /// Sunday.
    Sunday,
}

impl DayOfWeek {
    pub const ALL: [Self; 7] = [
        Self::Monday,
        Self::Tuesday,
        Self::Wednesday,
        Self::Thursday,
        Self::Friday,
        Self::Saturday,
        Self::Sunday,
    ];

    /// Its bit in a schedule's `work_days`.
    pub fn bit(self) -> i32 {
        let weekday = match self {
            Self::Monday => Weekday::Mon,
            Self::Tuesday => Weekday::Tue,
            Self::Wednesday => Weekday::Wed,
            Self::Thursday => Weekday::Thu,
            Self::Friday => Weekday::Fri,
            Self::Saturday => Weekday::Sat,
            Self::Sunday => Weekday::Sun,
        };
        1 << weekday.num_days_from_monday()
    }
}

/// A work schedule to create, or the new values of one.
#[derive(InputObject, Clone)]
pub struct WorkScheduleInput {
    /// A name unique in the company, e.g. "Office" or "Night shift".
    pub name: String,
    /// When the shift starts, `HH:MM` in the company's time zone.
    pub start_time: String,
    /// When the shift ends, `HH:MM`; earlier than `startTime`: a night shift ending the next day.
    pub end_time: String,
    /// When the break starts, `HH:MM` (with `breakEnd`).
    pub break_start: Option<String>,
    /// When the break ends, `HH:MM` (with `breakStart`).
    pub break_end: Option<String>,
    /// Minutes after the start that do not count as late (default 0).
    pub late_grace_minutes: Option<i32>,
    /// Minutes before the end that do not count as leaving early (default 0).
    pub early_leave_grace_minutes: Option<i32>,
    /// The days the schedule is worked.
    pub work_days: Vec<DayOfWeek>,
    /// How long before the start check-ins begin to count for the day (default 120).
    pub check_in_opens_minutes_before: Option<i32>,
    /// How long after the end check-ins still count for the day (default 360).
    pub check_out_closes_minutes_after: Option<i32>,
}

fn hhmm(minute: i32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// A work schedule: a shift with its break, grace periods and work days.
pub struct WorkSchedule(pub work_schedule::Model);

/// A work schedule: a shift with its break, grace periods and work days.
#[Object]
impl WorkSchedule {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }
    /// The name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Shift start, `HH:MM` (company time zone).
    async fn start_time(&self) -> String {
        hhmm(self.0.start_minute)
    }
    /// Shift end, `HH:MM`; the next day when `nightShift`.
    async fn end_time(&self) -> String {
        hhmm(self.0.end_minute)
    }
    /// Whether the shift ends the day after it starts.
    async fn night_shift(&self) -> bool {
        self.0.end_minute <= self.0.start_minute
    }
    /// Break start, `HH:MM`.
    async fn break_start(&self) -> Option<String> {
        self.0.break_start_minute.map(hhmm)
    }
    /// Break end, `HH:MM`.
    async fn break_end(&self) -> Option<String> {
        self.0.break_end_minute.map(hhmm)
    }
    /// Minutes after the start that do not count as late.
    async fn late_grace_minutes(&self) -> i32 {
        self.0.late_grace_minutes
    }
    /// Minutes before the end that do not count as leaving early.
    async fn early_leave_grace_minutes(&self) -> i32 {
        self.0.early_leave_grace_minutes
    }
    /// The days the schedule is worked.
    async fn work_days(&self) -> Vec<DayOfWeek> {
        DayOfWeek::ALL
            .into_iter()
            .filter(|d| self.0.work_days & d.bit() != 0)
            .collect()
    }
    /// How long before the start check-ins begin to count for the day.
    async fn check_in_opens_minutes_before(&self) -> i32 {
        self.0.check_in_opens_minutes_before
    }
    /// How long after the end check-ins still count for the day.
    async fn check_out_closes_minutes_after(&self) -> i32 {
        self.0.check_out_closes_minutes_after
    }
}

/// Who works a schedule from when.
#[derive(InputObject)]
pub struct AssignWorkScheduleInput {
    /// The schedule.
    pub schedule_id: ID,
    /// These employees (most specific: wins over their department's and the default).
    pub employee_ids: Option<Vec<ID>>,
    /// Everyone in these departments (wins over the company default).
    pub department_ids: Option<Vec<ID>>,
    /// From this day (inclusive; past days are recomputed).
    pub from: Date,
    /// Until this day (inclusive); none: open-ended.
    pub to: Option<Date>,
}

/// One assignment of a schedule to an employee or a department.
pub struct ScheduleAssignment(pub schedule_assignment::Model);

/// One assignment of a schedule to an employee or a department.
#[Object]
impl ScheduleAssignment {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }
    /// The schedule's id.
    async fn schedule_id(&self) -> ID {
        ids::to_id(self.0.schedule_id)
    }
    /// The employee it is assigned to.
    async fn employee_id(&self) -> Option<ID> {
        self.0.employee_id.map(ids::to_id)
    }
    /// The department it is assigned to.
    async fn department_id(&self) -> Option<ID> {
        self.0.department_id.map(ids::to_id)
    }
    /// From this day.
    async fn from(&self) -> Date {
        Date(self.0.from_date)
    }
    /// Until this day; none: open-ended.
    async fn to(&self) -> Option<Date> {
        self.0.to_date.map(Date)
    }
}

/// What a change to schedules, holidays or leave did to stored days.
#[derive(SimpleObject)]
pub struct DaysRecomputed {
    /// Days recomputed at once (small changes).
    pub days: i32,
    /// The job recomputing them in the background (large changes); follow it in `syncJob`.
    pub job: Option<SyncJob>,
}

/// The result of `lockAttendance` and `unlockAttendance`.
#[derive(SimpleObject)]
pub struct AttendanceLockPayload {
    /// The company, with its `attendanceLockedThrough`.
    pub company: crate::companies::Company,
    /// What happened to reopened days (none when locking).
    pub recomputed: DaysRecomputed,
}

/// The result of `assignWorkSchedule`.
#[derive(SimpleObject)]
pub struct AssignWorkSchedulePayload {
    /// The assignments made, one per employee and department.
    pub assignments: Vec<ScheduleAssignment>,
    /// What happened to the days they cover.
    pub recomputed: DaysRecomputed,
}

/// A holiday to add.
#[derive(InputObject)]
pub struct HolidayInput {
    /// The day.
    pub date: Date,
    /// Its name, e.g. "Tết Dương lịch".
    pub name: String,
}

/// A company holiday.
pub struct Holiday(pub holiday::Model);

/// A company holiday.
#[Object]
impl Holiday {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }
    /// The day.
    async fn date(&self) -> Date {
        Date(self.0.date)
    }
    /// Its name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The day of the week.
    async fn weekday(&self) -> DayOfWeek {
        DayOfWeek::ALL
            .into_iter()
            .nth(self.0.date.weekday().num_days_from_monday() as usize)
            .unwrap_or(DayOfWeek::Monday)
    }
}

/// A kind of leave.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum LeaveKind {
    /// Paid leave.
    Paid,
    /// Unpaid leave.
    Unpaid,
    /// Sick leave.
    Sick,
    /// Maternity leave.
    Maternity,
    /// Any other leave.
    Other,
}

impl LeaveKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Paid => "PAID",
            Self::Unpaid => "UNPAID",
            Self::Sick => "SICK",
            Self::Maternity => "MATERNITY",
            Self::Other => "OTHER",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "PAID" => Self::Paid,
            "UNPAID" => Self::Unpaid,
            "SICK" => Self::Sick,
            "MATERNITY" => Self::Maternity,
            _ => Self::Other,
        }
    }
}

/// Leave to record.
#[derive(InputObject)]
pub struct RecordLeaveInput {
    /// Whose leave.
    pub employee_id: ID,
    /// First day (inclusive).
    pub from: Date,
    /// Last day (inclusive).
    pub to: Date,
    /// What kind.
    pub kind: LeaveKind,
    /// A note for HR.
    pub note: Option<String>,
}

/// Which leave to list.
#[derive(InputObject, Default)]
pub struct LeaveFilter {
    /// Only these employees'.
    pub employee_ids: Option<Vec<ID>>,
    /// Only leave that ends on or after this day.
    pub from: Option<Date>,
    /// Only leave that starts on or before this day.
    pub to: Option<Date>,
    /// Include cancelled leave (default false).
    pub include_cancelled: Option<bool>,
}

/// An employee's leave.
pub struct Leave(pub leave::Model);

/// An employee's leave.
#[Object]
impl Leave {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }
    /// Whose leave.
    async fn employee(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Employee>> {
        let employee = ctx.data::<Loaders>()?.employee(self.0.employee_id).await?;
        Ok(employee.map(Employee))
    }
    /// First day.
    async fn from(&self) -> Date {
        Date(self.0.from_date)
    }
    /// Last day.
    async fn to(&self) -> Date {
        Date(self.0.to_date)
    }
    /// What kind.
    async fn kind(&self) -> LeaveKind {
        LeaveKind::parse(&self.0.kind)
    }
    /// The note.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// When it was recorded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was cancelled; none while it stands.
    async fn cancelled_at(&self) -> Option<DateTime<Utc>> {
        self.0.cancelled_at
    }
}

crate::connection!(
    LeaveConnection,
    LeaveEdge,
    Leave,
    "One page of leave, newest first.",
    "Leave in a page, with its cursor."
);
