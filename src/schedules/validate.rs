//! Checking a work schedule as HR typed it: `HH:MM` times, a break inside the shift, grace and
//! window minutes in range, and a window that does not overlap the next day's.

use entity::work_schedule;

use super::types::WorkScheduleInput;
use crate::error::{ApiError, ApiResult};

/// A schedule's values, checked.
pub struct Checked {
    pub name: String,
    pub start: i32,
    pub end: i32,
    pub pause: Option<(i32, i32)>,
    pub late_grace: i32,
    pub early_grace: i32,
    pub work_days: i32,
    pub opens_before: i32,
    pub closes_after: i32,
}

const DAY: i32 = 24 * 60;

/// `HH:MM`, 00:00–23:59, as minutes after midnight.
pub fn hhmm(field: &str, value: &str) -> ApiResult<i32> {
    let bad = || {
        ApiError::bad_input(
            field,
            format!("{value:?} is not a time HH:MM (00:00–23:59)"),
        )
    };
    let (h, m) = value.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: i32 = h.parse().map_err(|_| bad())?;
    let m: i32 = m.parse().map_err(|_| bad())?;
    if !(0..24).contains(&h) || !(0..60).contains(&m) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

fn minutes(field: &str, value: Option<i32>, default: i32, max: i32) -> ApiResult<i32> {
    let value = value.unwrap_or(default);
    if !(0..=max).contains(&value) {
        return Err(ApiError::bad_input(
            field,
            format!("must be between 0 and {max} minutes"),
        ));
    }
    Ok(value)
}

/// Minutes from `start` to `at`, going forward over midnight.
fn after(start: i32, at: i32) -> i32 {
    (at - start).rem_euclid(DAY)
}

pub fn check(input: &WorkScheduleInput) -> ApiResult<Checked> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::bad_input(
            "input.name",
            "must be 1 to 100 characters",
        ));
    }
    let start = hhmm("input.startTime", &input.start_time)?;
    let end = hhmm("input.endTime", &input.end_time)?;
    if start == end {
        return Err(ApiError::bad_input(
            "input.endTime",
            "must differ from startTime (a shift of 24 hours has no room for its window)",
        ));
    }
    let length = after(start, end);
    let pause = match (&input.break_start, &input.break_end) {
        (None, None) => None,
        (Some(from), Some(to)) => {
            let from = hhmm("input.breakStart", from)?;
            let to = hhmm("input.breakEnd", to)?;
            let (from_at, to_at) = (after(start, from), after(start, to));
            if from_at == 0 || from_at >= length || to_at <= from_at || to_at >= length {
                return Err(ApiError::bad_input(
                    "input.breakEnd",
                    "the break must start after the shift starts and end before it ends",
                ));
            }
            Some((from, to))
        }
        (Some(_), None) => {
            return Err(ApiError::bad_input(
                "input.breakEnd",
                "a break needs its end",
            ));
        }
        (None, Some(_)) => {
            return Err(ApiError::bad_input(
                "input.breakStart",
                "a break needs its start",
            ));
        }
    };
    let late_grace = minutes("input.lateGraceMinutes", input.late_grace_minutes, 0, 720)?;
    let early_grace = minutes(
        "input.earlyLeaveGraceMinutes",
        input.early_leave_grace_minutes,
        0,
        720,
    )?;
    let opens_before = minutes(
        "input.checkInOpensMinutesBefore",
        input.check_in_opens_minutes_before,
        120,
        DAY,
    )?;
    let closes_after = minutes(
        "input.checkOutClosesMinutesAfter",
        input.check_out_closes_minutes_after,
        360,
        DAY,
    )?;
    if length + opens_before + closes_after > DAY {
        return Err(ApiError::bad_input(
            "input.checkOutClosesMinutesAfter",
            format!(
                "the day's check-in window ({} minutes: {opens_before} before, the {length}-minute shift, {closes_after} after) overlaps the next day's; it can be at most 1440",
                length + opens_before + closes_after
            ),
        ));
    }
    if input.work_days.is_empty() {
        return Err(ApiError::bad_input(
            "input.workDays",
            "name at least one day",
        ));
    }
    Ok(Checked {
        name: name.to_owned(),
        start,
        end,
        pause,
        late_grace,
        early_grace,
        work_days: input.work_days.iter().fold(0, |bits, d| bits | d.bit()),
        opens_before,
        closes_after,
    })
}

impl Checked {
    /// Writes the values into a schedule row.
    pub fn apply(self, m: &mut work_schedule::Model) {
        m.name = self.name;
        m.start_minute = self.start;
        m.end_minute = self.end;
        m.break_start_minute = self.pause.map(|p| p.0);
        m.break_end_minute = self.pause.map(|p| p.1);
        m.late_grace_minutes = self.late_grace;
        m.early_leave_grace_minutes = self.early_grace;
        m.work_days = self.work_days;
        m.check_in_opens_minutes_before = self.opens_before;
        m.check_out_closes_minutes_after = self.closes_after;
    }
}
