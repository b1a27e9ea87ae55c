//! Attendance days derived from raw check-ins: per employee per day in the company's time zone,
//! the first and last check-in, the minutes between them and how many there were. A day starts
//! at the company's `workdayStartHour` (local), so a night shift 22:00–06:00 is one day.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use entity::{checkin, company, employee};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::{
    employees::service::ListQuery,
    error::{ApiError, ApiResult},
};

/// One employee's day.
#[derive(Clone)]
pub struct Day {
    pub employee: employee::Model,
    pub date: NaiveDate,
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
    pub count: i32,
}

/// The working day a moment belongs to.
pub fn day_of(at: DateTime<Utc>, tz: Tz, start_hour: i32) -> NaiveDate {
    // Wall-clock arithmetic, like `day_start`: correct on daylight-saving change days too.
    (at.with_timezone(&tz).naive_local() - Duration::hours(i64::from(start_hour))).date()
}

/// When a working day starts, in UTC.
fn day_start(date: NaiveDate, tz: Tz, start_hour: i32) -> DateTime<Utc> {
    let local =
        date.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::hours(i64::from(start_hour));
    // A start falling in a DST gap: the earliest valid moment after it.
    tz.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(local + Duration::hours(1)))
                .earliest()
        })
        .map_or_else(|| local.and_utc(), |d| d.with_timezone(&Utc))
}

/// Days from `from` to `to` (inclusive) of employees matching `filter` (all when `None`), in
/// (employee ID, date) order.
pub async fn days(
    db: &impl ConnectionTrait,
    company: &company::Model,
    from: NaiveDate,
    to: NaiveDate,
    filter: Option<&ListQuery>,
) -> ApiResult<Vec<Day>> {
    if from > to {
        return Err(ApiError::bad_input("to", "must not be before `from`"));
    }
    if (to - from).num_days() > 366 {
        return Err(ApiError::bad_input("from", "at most 366 days at once"));
    }
    let tz: Tz = company
        .time_zone
        .parse()
        .map_err(|_| ApiError::internal(anyhow::anyhow!("company time zone unreadable")))?;
    let start = day_start(from, tz, company.workday_start_hour);
    let end = day_start(to + Duration::days(1), tz, company.workday_start_hour);
    let mut employees = employee::Entity::find().filter(employee::Column::CompanyId.eq(company.id));
    if let Some(filter) = filter {
        employees = employees.filter(filter.condition());
    }
    let employees: BTreeMap<Uuid, employee::Model> = employees
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let mut rows = checkin::Entity::find()
        .select_only()
        .column(checkin::Column::EmployeeId)
        .column(checkin::Column::CapturedAt)
        .filter(checkin::Column::CompanyId.eq(company.id))
        .filter(checkin::Column::EmployeeId.is_not_null())
        .filter(checkin::Column::CapturedAt.gte(start))
        .filter(checkin::Column::CapturedAt.lt(end))
        .order_by_asc(checkin::Column::CapturedAt);
    if filter.is_some() {
        rows = rows.filter(checkin::Column::EmployeeId.is_in(employees.keys().copied()));
    }
    let rows: Vec<(Option<Uuid>, DateTime<Utc>)> = rows.into_tuple().all(db).await?;
    let mut days: BTreeMap<(String, NaiveDate, Uuid), Day> = BTreeMap::new();
    for (employee_id, at) in rows {
        let Some(employee) = employee_id.and_then(|id| employees.get(&id)) else {
            continue;
        };
        let date = day_of(at, tz, company.workday_start_hour);
        days.entry((employee.employee_code_key.clone(), date, employee.id))
            .and_modify(|d| {
                d.last = at;
                d.count += 1;
            })
            .or_insert_with(|| Day {
                employee: employee.clone(),
                date,
                first: at,
                last: at,
                count: 1,
            });
    }
    Ok(days.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .expect("time")
    }

    #[test]
    fn a_night_shift_is_one_day_when_the_day_starts_in_the_morning() {
        let tz: Tz = "Asia/Ho_Chi_Minh".parse().expect("tz");
        let late = at("2026-11-10T23:30:00+07:00");
        let early = at("2026-11-11T00:30:00+07:00");
        assert_ne!(day_of(late, tz, 0), day_of(early, tz, 0));
        assert_eq!(day_of(late, tz, 6), day_of(early, tz, 6));
        assert_eq!(
            day_of(early, tz, 6),
            NaiveDate::from_ymd_opt(2026, 11, 10).expect("date")
        );
        assert_eq!(
            day_start(NaiveDate::from_ymd_opt(2026, 11, 10).expect("date"), tz, 6),
            at("2026-11-10T06:00:00+07:00")
        );
    }
}
