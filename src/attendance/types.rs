//! The attendance part of the schema: raw check-ins and attendance days.

use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entity::{attendance_day, checkin, employee};

use crate::days::{self, DayStatus};
use crate::{employees::Employee, ids, loaders::Loaders, scalars::Date};

/// Who the camera saw.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PersonKind {
    /// A registered employee.
    Employee,
    /// A registered customer.
    Customer,
    /// Someone the cameras do not know.
    Stranger,
    /// A snapshot, alarm or other event.
    Other,
}

/// How a check-in reached us.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CheckinSource {
    /// Pushed by Hanet's webhook.
    Webhook,
    /// Pulled from Hanet (backfill or catch-up).
    Pull,
    /// Added by HR (`addManualCheckin`).
    Manual,
}

/// A raw check-in: a camera saw someone.
pub struct Checkin(pub checkin::Model);

/// A raw check-in: a camera saw someone.
#[Object]
impl Checkin {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }
    /// When the camera saw the person.
    async fn captured_at(&self) -> DateTime<Utc> {
        self.0.captured_at
    }
    /// How it reached us (the first source wins when both deliver it).
    async fn source(&self) -> CheckinSource {
        match self.0.source.as_str() {
            "PULL" => CheckinSource::Pull,
            "MANUAL" => CheckinSource::Manual,
            _ => CheckinSource::Webhook,
        }
    }
    /// When HR voided it; a voided check-in belongs to no day. Never deleted.
    async fn voided_at(&self) -> Option<DateTime<Utc>> {
        self.0.voided_at
    }
    /// Who voided it.
    async fn voided_by(&self) -> Option<ID> {
        self.0.voided_by.map(ids::to_id)
    }
    /// Why it was voided.
    async fn void_reason(&self) -> Option<&str> {
        self.0.void_reason.as_deref()
    }
    /// Who added it by hand (`MANUAL` check-ins).
    async fn created_by(&self) -> Option<ID> {
        self.0.created_by.map(ids::to_id)
    }
    /// The camera.
    async fn device_id(&self) -> &str {
        &self.0.device_id
    }
    /// The camera's name.
    async fn device_name(&self) -> Option<&str> {
        self.0.device_name.as_deref()
    }
    /// The Hanet place.
    async fn place_id(&self) -> &str {
        &self.0.place_id
    }
    /// The place's name.
    async fn place_name(&self) -> Option<&str> {
        self.0.place_name.as_deref()
    }
    /// Who the camera saw.
    async fn person_kind(&self) -> PersonKind {
        match self.0.person_type {
            0 => PersonKind::Employee,
            1 => PersonKind::Customer,
            2..=5 => PersonKind::Stranger,
            _ => PersonKind::Other,
        }
    }
    /// Hanet's person type code (0 employee, 1 customer, 2–5 stranger, 6 snapshot, 28 alarm).
    async fn person_type(&self) -> i32 {
        self.0.person_type
    }
    /// Hanet's person id.
    async fn hanet_person_id(&self) -> Option<&str> {
        self.0.hanet_person_id.as_deref()
    }
    /// The alias (employee ID) Hanet reported.
    async fn alias_id(&self) -> Option<&str> {
        self.0.alias_id.as_deref()
    }
    /// The name Hanet reported.
    async fn person_name(&self) -> Option<&str> {
        self.0.person_name.as_deref()
    }
    /// The snapshot the camera took.
    async fn snapshot_url(&self) -> Option<&str> {
        self.0.snapshot_url.as_deref()
    }
    /// Whether the alias matched an employee.
    async fn matched(&self) -> bool {
        self.0.employee_id.is_some()
    }
    /// The employee the alias matched.
    async fn employee(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Employee>> {
        let Some(id) = self.0.employee_id else {
            return Ok(None);
        };
        let employee = ctx.data::<Loaders>()?.employee(id).await?;
        Ok(employee.map(Employee))
    }
}

/// Which check-ins to list.
#[derive(InputObject)]
pub struct CheckinFilter {
    /// From this moment (inclusive).
    pub from: DateTime<Utc>,
    /// Until this moment (exclusive).
    pub to: DateTime<Utc>,
    /// Only these employees' check-ins.
    pub employee_ids: Option<Vec<ID>>,
    /// true: only those matched to an employee; false: only strangers, customers and unknown
    /// aliases.
    pub matched: Option<bool>,
    /// Only from these cameras.
    pub device_ids: Option<Vec<String>>,
}

crate::connection!(
    CheckinConnection,
    CheckinEdge,
    Checkin,
    "One page of raw check-ins, by capture time then id.",
    "A check-in in a page, with its cursor."
);

/// One employee's working day.
#[derive(Clone)]
pub struct AttendanceDay {
    pub day: attendance_day::Model,
    pub employee: employee::Model,
    /// The company's `attendanceCompleteUntil` when the day was read.
    pub complete_until: Option<DateTime<Utc>>,
}

impl AttendanceDay {
    /// The status as read now (see [`days::resolve`]).
    pub fn read_status(&self) -> DayStatus {
        days::resolve(
            DayStatus::parse(&self.day.status),
            days::DayKind::parse(&self.day.kind),
            self.day.window_end,
            self.complete_until,
        )
    }
}

/// One employee's working day: the check-ins of the company's selected place that fall in
/// the day's window, and what the day rules make of them (design §8).
#[Object]
impl AttendanceDay {
    /// The employee.
    async fn employee(&self) -> Employee {
        Employee(self.employee.clone())
    }
    /// The working day (company time zone; with a schedule, the day its shift starts; without,
    /// the day starting at the company's `workdayStartHour`).
    async fn date(&self) -> Date {
        Date(self.day.date)
    }
    /// The first check-in of the day; none on a day without check-ins.
    async fn first_check_in(&self) -> Option<DateTime<Utc>> {
        self.day.first_check_in
    }
    /// The last check-in of the day (the check-out); none on a day without check-ins.
    async fn last_check_in(&self) -> Option<DateTime<Utc>> {
        self.day.last_check_in
    }
    /// Minutes from the first to the last check-in, less the schedule's break, rounded down.
    async fn worked_minutes(&self) -> i64 {
        i64::from(self.day.worked_minutes)
    }
    /// How many check-ins the day has (voided ones not counted).
    async fn checkin_count(&self) -> i32 {
        self.day.checkin_count
    }
    /// What the day counts as. `PENDING` until attendance is known complete past the day's
    /// check-in window (`attendanceCompleteUntil`): never `ABSENT` early.
    async fn status(&self) -> DayStatus {
        self.read_status()
    }
    /// Minutes late beyond the schedule's grace period (0 within it).
    async fn late_minutes(&self) -> i32 {
        self.day.late_minutes
    }
    /// Minutes left early beyond the schedule's grace period (0 within it).
    async fn early_leave_minutes(&self) -> i32 {
        self.day.early_leave_minutes
    }
    /// Minutes worked after the shift's end; all worked minutes on a holiday or day off.
    async fn overtime_minutes(&self) -> i32 {
        self.day.overtime_minutes
    }
    /// The shift's start that day; none without a schedule.
    async fn shift_start(&self) -> Option<DateTime<Utc>> {
        self.day.shift_start
    }
    /// The shift's end that day.
    async fn shift_end(&self) -> Option<DateTime<Utc>> {
        self.day.shift_end
    }
    /// The schedule the day was computed with; none without a schedule.
    async fn schedule(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::schedules::types::WorkSchedule>> {
        let Some(id) = self.day.schedule_id else {
            return Ok(None);
        };
        let schedule = ctx.data::<Loaders>()?.schedule(id).await?;
        Ok(schedule.map(crate::schedules::types::WorkSchedule))
    }
}

crate::connection!(
    AttendanceDayConnection,
    AttendanceDayEdge,
    AttendanceDay,
    "One page of attendance days, by employee ID then date.",
    "An attendance day in a page, with its cursor."
);
