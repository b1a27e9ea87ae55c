//! The day rules: which working day a check-in belongs to, and one pure function from a day's
//! inputs to its stored values. A day is computed in the company's time zone and starts at its
//! `workdayStartHour` (local), so a night shift 22:00–06:00 is one day.
//!
//! Everything a stored day depends on goes through [`day`]; schedules, leave and holidays
//! (design §8) become more fields of [`DayInputs`] and more fields of [`Day`].

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use entity::company;

use crate::error::{ApiError, ApiResult};

/// Bumped whenever [`day`] changes what it stores: companies whose days were computed by an
/// older version get a recompute job at start.
pub const RULES_VERSION: i32 = 1;

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

    /// The working day a moment belongs to.
    pub fn day_of(&self, at: DateTime<Utc>) -> NaiveDate {
        // Wall-clock arithmetic, like `day_start`: correct on daylight-saving change days too.
        (at.with_timezone(&self.tz).naive_local() - Duration::hours(i64::from(self.start_hour)))
            .date()
    }

    /// When a working day starts, in UTC.
    pub fn day_start(&self, date: NaiveDate) -> DateTime<Utc> {
        let local = date.and_hms_opt(0, 0, 0).unwrap_or_default()
            + Duration::hours(i64::from(self.start_hour));
        // A start falling in a DST gap: the earliest valid moment after it.
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

/// What one employee's day is computed from.
#[derive(Clone, Copy, Debug)]
pub struct DayInputs {
    pub checkins: Checkins,
}

/// A day's stored values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Day {
    pub first_check_in: DateTime<Utc>,
    pub last_check_in: DateTime<Utc>,
    pub checkin_count: i32,
    /// Whole minutes from the first to the last check-in, rounded down.
    pub worked_minutes: i32,
}

/// The day rules.
pub fn day(inputs: &DayInputs) -> Day {
    let c = inputs.checkins;
    let worked = (c.last - c.first)
        .num_minutes()
        .clamp(0, i64::from(i32::MAX));
    Day {
        first_check_in: c.first,
        last_check_in: c.last,
        checkin_count: c.count,
        worked_minutes: i32::try_from(worked).unwrap_or(i32::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .expect("time")
    }

    fn rules(zone: &str, start_hour: i32) -> DayRules {
        DayRules {
            tz: zone.parse().expect("tz"),
            start_hour,
        }
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn a_night_shift_is_one_day_when_the_day_starts_in_the_morning() {
        let late = at("2026-11-10T23:30:00+07:00");
        let early = at("2026-11-11T00:30:00+07:00");
        let midnight = rules("Asia/Ho_Chi_Minh", 0);
        let six = rules("Asia/Ho_Chi_Minh", 6);
        assert_ne!(midnight.day_of(late), midnight.day_of(early));
        assert_eq!(six.day_of(late), six.day_of(early));
        assert_eq!(six.day_of(early), date("2026-11-10"));
        assert_eq!(
            six.day_start(date("2026-11-10")),
            at("2026-11-10T06:00:00+07:00")
        );
    }

    #[test]
    fn a_day_starting_in_a_dst_gap_starts_at_the_first_valid_moment() {
        // New York skipped 02:00–03:00 on 2026-03-08.
        let ny = rules("America/New_York", 2);
        assert_eq!(
            ny.day_start(date("2026-03-08")),
            at("2026-03-08T03:00:00-04:00")
        );
        assert_eq!(
            ny.day_of(at("2026-03-08T03:30:00-04:00")),
            date("2026-03-08")
        );
        assert_eq!(
            ny.day_of(at("2026-03-08T01:59:00-05:00")),
            date("2026-03-07")
        );
    }

    #[test]
    fn worked_minutes_run_from_the_first_to_the_last_check_in_rounded_down() {
        let first = at("2026-10-01T08:00:30+07:00");
        let last = at("2026-10-01T17:30:00+07:00");
        let d = day(&DayInputs {
            checkins: Checkins::one(first).merge(Checkins::one(last)),
        });
        assert_eq!(
            (
                d.first_check_in,
                d.last_check_in,
                d.checkin_count,
                d.worked_minutes
            ),
            (first, last, 2, 569)
        );
        let single = day(&DayInputs {
            checkins: Checkins::one(first),
        });
        assert_eq!((single.checkin_count, single.worked_minutes), (1, 0));
    }

    #[test]
    fn merging_check_ins_in_any_order_gives_the_same_day() {
        let times = [
            at("2026-10-01T12:00:00Z"),
            at("2026-10-01T01:00:00Z"),
            at("2026-10-01T10:00:00Z"),
        ];
        let forward = times
            .iter()
            .copied()
            .map(Checkins::one)
            .reduce(Checkins::merge);
        let backward = times
            .iter()
            .rev()
            .copied()
            .map(Checkins::one)
            .reduce(Checkins::merge);
        assert_eq!(forward, backward);
        assert_eq!(
            forward.map(|c| (c.first, c.last, c.count)),
            Some((times[1], times[0], 3))
        );
    }
}
