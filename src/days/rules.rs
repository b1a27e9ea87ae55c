//! The pure day rules: a company's calendar (zone, workday start), shifts and their windows,
//! and what a day's check-ins mean under a plan.

use super::*;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use entity::company;

use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// Bumped whenever [`day`] changes what it stores: companies whose days were computed by an
/// older version get a recompute job at start.
pub const RULES_VERSION: i32 = 2;

/// The company settings a day depends on.
#[derive(Clone, Copy, Debug)]
pub struct DayRules {
    pub tz: Tz,
    pub start_hour: i32,
}

impl DayRules {
    pub fn of(company: &company::Model) -> ApiResult<Self> {
        let tz = company
            .time_zone
            .parse()
            .map_err(|_| ApiError::internal(anyhow::anyhow!("company time zone unreadable")))?;
        Ok(Self {
            tz,
            start_hour: company.workday_start_hour,
        })
    }

    /// The local calendar date of a moment.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.tz).date_naive()
    }

    /// Today in the company's time zone.
    pub fn today(&self) -> NaiveDate {
        self.local_date(Utc::now())
    }

    /// The working day a moment belongs to (without a schedule).
    pub fn day_of(&self, at: DateTime<Utc>) -> NaiveDate {
        // Wall-clock arithmetic, like `day_start`: correct on daylight-saving change days too.
        (at.with_timezone(&self.tz).naive_local() - Duration::hours(i64::from(self.start_hour)))
            .date()
    }

    /// When a working day starts, in UTC.
    pub fn day_start(&self, date: NaiveDate) -> DateTime<Utc> {
        self.at(date, self.start_hour.saturating_mul(60))
    }

    /// The moment `minute` minutes after local midnight of `date` (past 24 h: the next days).
    pub fn at(&self, date: NaiveDate, minute: i32) -> DateTime<Utc> {
        let local =
            date.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(i64::from(minute));
        self.local(local)
    }

    fn local(&self, local: NaiveDateTime) -> DateTime<Utc> {
        // A time falling in a DST gap: the same wall-clock distance after the gap's start, as a
        // clock moved forward shows it; a repeated hour: its first occurrence.
        self.tz
            .from_local_datetime(&local)
            .earliest()
            .or_else(|| {
                self.tz
                    .from_local_datetime(&(local + Duration::hours(1)))
                    .earliest()
            })
            .map_or_else(|| local.and_utc(), |d| d.with_timezone(&Utc))
    }

    /// The day `date` of someone working `shift` (none: no schedule), given whether it is a
    /// holiday and whether they are on leave.
    pub fn plan(&self, date: NaiveDate, shift: Option<&Shift>, holiday: bool, leave: bool) -> Plan {
        let Some(shift) = shift else {
            let next = date.succ_opt().unwrap_or(date);
            let kind = if holiday {
                DayKind::Holiday
            } else if leave {
                DayKind::Leave
            } else {
                DayKind::Unscheduled
            };
            return Plan {
                kind,
                schedule_id: None,
                shift: None,
                pause: None,
                late_grace: 0,
                early_grace: 0,
                window: (self.day_start(date), self.day_start(next)),
            };
        };
        let kind = if !shift.works_on(date) {
            DayKind::DayOff
        } else if holiday {
            DayKind::Holiday
        } else if leave {
            DayKind::Leave
        } else {
            DayKind::Work
        };
        let start = self.at(date, shift.start);
        let end_minute = if shift.end <= shift.start {
            shift.end + MINUTES_PER_DAY
        } else {
            shift.end
        };
        let end = self.at(date, end_minute);
        let pause = shift.pause.map(|(from, to)| {
            let from = if from < shift.start {
                from + MINUTES_PER_DAY
            } else {
                from
            };
            let to = if to <= from % MINUTES_PER_DAY {
                to + MINUTES_PER_DAY
            } else {
                to
            };
            let to = to + (from / MINUTES_PER_DAY) * MINUTES_PER_DAY;
            (self.at(date, from), self.at(date, to))
        });
        Plan {
            kind,
            schedule_id: Some(shift.id),
            shift: Some((start, end)),
            pause,
            late_grace: shift.late_grace,
            early_grace: shift.early_grace,
            window: (
                start - Duration::minutes(i64::from(shift.opens_before)),
                end + Duration::minutes(i64::from(shift.closes_after)),
            ),
        }
    }
}

pub(super) const MINUTES_PER_DAY: i32 = 24 * 60;

/// A work schedule as the day rules read it: minutes after local midnight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shift {
    pub id: Uuid,
    pub start: i32,
    /// At or before `start`: the shift ends the next day.
    pub end: i32,
    /// The break (start, end).
    pub pause: Option<(i32, i32)>,
    pub late_grace: i32,
    pub early_grace: i32,
    /// Bit 0 Monday … bit 6 Sunday.
    pub work_days: i32,
    pub opens_before: i32,
    pub closes_after: i32,
}

impl Shift {
    pub fn of(s: &entity::work_schedule::Model) -> Self {
        Self {
            id: s.id,
            start: s.start_minute,
            end: s.end_minute,
            pause: s.break_start_minute.zip(s.break_end_minute),
            late_grace: s.late_grace_minutes,
            early_grace: s.early_leave_grace_minutes,
            work_days: s.work_days,
            opens_before: s.check_in_opens_minutes_before,
            closes_after: s.check_out_closes_minutes_after,
        }
    }

    pub fn works_on(&self, date: NaiveDate) -> bool {
        self.work_days & (1 << date.weekday().num_days_from_monday()) != 0
    }

    /// How long one day's window is: the shift plus the minutes before and after it. Two days'
    /// windows must not overlap, so this is at most a day.
    pub fn window_minutes(&self) -> i32 {
        let length = if self.end <= self.start {
            self.end + MINUTES_PER_DAY - self.start
        } else {
            self.end - self.start
        };
        length + self.opens_before + self.closes_after
    }
}

/// What a day is expected to be: its kind, its shift and break (UTC), its grace periods, and
/// the window whose check-ins belong to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    pub kind: DayKind,
    pub schedule_id: Option<Uuid>,
    pub shift: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub pause: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub late_grace: i32,
    pub early_grace: i32,
    pub window: (DateTime<Utc>, DateTime<Utc>),
}

impl Plan {
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.window.0 <= at && at < self.window.1
    }

    /// Whether the day is stored even without a check-in: a scheduled work day, holiday or
    /// leave (absences are rows; days off and unscheduled days without check-ins are not).
    pub fn stored_without_checkins(&self) -> bool {
        self.schedule_id.is_some()
            && matches!(self.kind, DayKind::Work | DayKind::Holiday | DayKind::Leave)
    }
}

/// The check-ins of one employee's day, as far as the day rules need them. Merging two sets of
/// check-ins is merging these, so a batch adds to a stored day without reading its rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checkins {
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
    pub count: i32,
}

impl Checkins {
    pub fn one(at: DateTime<Utc>) -> Self {
        Self {
            first: at,
            last: at,
            count: 1,
        }
    }

    pub fn merge(self, other: Self) -> Self {
        Self {
            first: self.first.min(other.first),
            last: self.last.max(other.last),
            count: self.count.saturating_add(other.count),
        }
    }
}

/// A day's derived values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Day {
    pub checkins: Option<Checkins>,
    /// Whole minutes from the first to the last check-in, less the break, rounded down.
    pub worked_minutes: i32,
    pub late_minutes: i32,
    pub early_leave_minutes: i32,
    pub overtime_minutes: i32,
    /// The status once attendance is known complete past the window (see [`resolve`]).
    pub status: DayStatus,
}

/// Whole minutes of `span`, less its overlap with `pause`, rounded down.
pub(super) fn minutes(
    span: (DateTime<Utc>, DateTime<Utc>),
    pause: Option<(DateTime<Utc>, DateTime<Utc>)>,
) -> i32 {
    let (from, to) = span;
    if to <= from {
        return 0;
    }
    let mut length = to - from;
    if let Some((p_from, p_to)) = pause {
        let overlap = to.min(p_to) - from.max(p_from);
        if overlap > Duration::zero() {
            length -= overlap;
        }
    }
    i32::try_from(length.num_minutes().max(0)).unwrap_or(i32::MAX)
}

/// The day rules (design §8): a day's values from its plan and its check-ins.
pub fn day(plan: &Plan, checkins: Option<Checkins>) -> Day {
    let count = checkins.map_or(0, |c| c.count);
    let worked = match checkins {
        Some(c) if c.count >= 2 => minutes((c.first, c.last), plan.pause),
        _ => 0,
    };
    let scheduled_work = matches!(plan.kind, DayKind::Work);
    let late = match (scheduled_work, plan.shift, checkins) {
        (true, Some((start, _)), Some(c)) => {
            let late = minutes((start, c.first), None);
            if late > plan.late_grace { late } else { 0 }
        }
        _ => 0,
    };
    let early = match (scheduled_work, plan.shift, checkins) {
        (true, Some((_, end)), Some(c)) if c.count >= 2 => {
            let early = minutes((c.last, end), None);
            if early > plan.early_grace { early } else { 0 }
        }
        _ => 0,
    };
    let overtime = match (plan.kind, plan.shift, checkins) {
        (DayKind::Holiday | DayKind::DayOff, _, _) => worked,
        (_, Some((_, end)), Some(c)) if c.count >= 2 => {
            minutes((c.first.max(end), c.last), plan.pause)
        }
        _ => 0,
    };
    let status = match plan.kind {
        DayKind::Holiday => DayStatus::Holiday,
        DayKind::DayOff => DayStatus::DayOff,
        DayKind::Leave => DayStatus::OnLeave,
        DayKind::Work | DayKind::Unscheduled => match count {
            0 => DayStatus::Absent,
            1 => DayStatus::Incomplete,
            _ if late > 0 && early > 0 => DayStatus::LateAndEarlyLeave,
            _ if late > 0 => DayStatus::Late,
            _ if early > 0 => DayStatus::EarlyLeave,
            _ => DayStatus::Present,
        },
    };
    Day {
        checkins,
        worked_minutes: worked,
        late_minutes: late,
        early_leave_minutes: early,
        overtime_minutes: overtime,
        status,
    }
}

/// The day a check-in at `at` belongs to: the first of the days around its local date whose
/// window holds it (`plan_of` gives a day's plan); none when it falls between two windows.
pub fn locate(
    rules: &DayRules,
    at: DateTime<Utc>,
    mut plan_of: impl FnMut(NaiveDate) -> Option<Plan>,
) -> Option<(NaiveDate, Plan)> {
    let local = at.with_timezone(&rules.tz).date_naive();
    [local.pred_opt(), Some(local), local.succ_opt()]
        .into_iter()
        .flatten()
        .filter_map(|date| Some((date, plan_of(date)?)))
        .find(|(_, plan)| plan.contains(at))
}
