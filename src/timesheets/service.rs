//! Monthly timesheets: one row per employee with the month's stored days and their totals,
//! paged by employee ID. The totals are sums over the very days returned, so they always agree.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use entity::{attendance_day, company, employee};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    attendance::types::AttendanceDay,
    days::DayStatus,
    employees::service::ListQuery,
    error::{ApiError, ApiResult},
};

/// A month, `YYYY-MM`, as its first and last day.
pub fn month(value: &str) -> ApiResult<(NaiveDate, NaiveDate)> {
    let bad = || ApiError::bad_input("month", format!("{value:?} is not a month YYYY-MM"));
    let first = NaiveDate::parse_from_str(&format!("{value}-01"), "%Y-%m-%d")
        .ok()
        .filter(|d| value.len() == 7 && (1970..=9999).contains(&d.year()))
        .ok_or_else(bad)?;
    let last = first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .ok_or_else(bad)?;
    Ok((first, last))
}

/// A month's totals for one employee.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub worked_minutes: i64,
    pub overtime_minutes: i64,
    pub days_present: i32,
    pub days_late: i32,
    pub late_minutes: i64,
    pub days_early_leave: i32,
    pub early_leave_minutes: i64,
    pub days_absent: i32,
    pub days_on_leave: i32,
    pub days_incomplete: i32,
    pub holidays: i32,
    pub days_pending: i32,
}

/// Sums days into totals (statuses as read now).
pub fn totals(days: &[AttendanceDay]) -> Totals {
    let mut t = Totals::default();
    for d in days {
        let status = d.read_status();
        t.worked_minutes += i64::from(d.day.worked_minutes);
        t.overtime_minutes += i64::from(d.day.overtime_minutes);
        t.late_minutes += i64::from(d.day.late_minutes);
        t.early_leave_minutes += i64::from(d.day.early_leave_minutes);
        t.days_present += i32::from(status.present());
        t.days_late += i32::from(matches!(
            status,
            DayStatus::Late | DayStatus::LateAndEarlyLeave
        ));
        t.days_early_leave += i32::from(matches!(
            status,
            DayStatus::EarlyLeave | DayStatus::LateAndEarlyLeave
        ));
        t.days_absent += i32::from(status == DayStatus::Absent);
        t.days_on_leave += i32::from(status == DayStatus::OnLeave);
        t.days_incomplete += i32::from(status == DayStatus::Incomplete);
        t.holidays += i32::from(status == DayStatus::Holiday);
        t.days_pending += i32::from(status == DayStatus::Pending);
    }
    t
}

/// One employee's month.
#[derive(Clone)]
pub struct Sheet {
    pub employee: employee::Model,
    pub days: Vec<AttendanceDay>,
    pub totals: Totals,
}

/// Employees whose days one query reads. A query's rows are all held at once (SQLite's copies
/// of the values, then the models), so a page of 200 months in one query raised the
/// allocator's high-water mark on every pooled connection (see BENCHMARKS.md).
const EMPLOYEES_PER_QUERY: usize = 50;

/// The sheets of `employees` for the month (one query per [`EMPLOYEES_PER_QUERY`]).
pub async fn sheets(
    db: &impl ConnectionTrait,
    company: &company::Model,
    employees: Vec<employee::Model>,
    (from, to): (NaiveDate, NaiveDate),
) -> ApiResult<Vec<Sheet>> {
    let ids: Vec<Uuid> = employees.iter().map(|e| e.id).collect();
    let mut by_employee: HashMap<Uuid, Vec<attendance_day::Model>> = HashMap::new();
    for ids in ids.chunks(EMPLOYEES_PER_QUERY) {
        let days = attendance_day::Entity::find()
            .filter(attendance_day::Column::EmployeeId.is_in(ids.iter().copied()))
            .filter(attendance_day::Column::Date.gte(from))
            .filter(attendance_day::Column::Date.lte(to))
            .order_by_asc(attendance_day::Column::EmployeeId)
            .order_by_asc(attendance_day::Column::Date)
            .all(db)
            .await?;
        for day in days {
            by_employee.entry(day.employee_id).or_default().push(day);
        }
    }
    Ok(employees
        .into_iter()
        .map(|employee| {
            let days: Vec<AttendanceDay> = by_employee
                .remove(&employee.id)
                .unwrap_or_default()
                .into_iter()
                .map(|day| AttendanceDay {
                    day,
                    employee: employee.clone(),
                    complete_until: company.attendance_complete_until,
                })
                .collect();
            Sheet {
                totals: totals(&days),
                employee,
                days,
            }
        })
        .collect())
}

/// One page of sheets in employee-ID order after the code key `after`; and whether more follow.
pub async fn page(
    db: &impl ConnectionTrait,
    company: &company::Model,
    query: &ListQuery,
    month: (NaiveDate, NaiveDate),
    first: u64,
    after: Option<&str>,
) -> ApiResult<(Vec<Sheet>, bool)> {
    let (employees, more) = crate::employees::list::page(db, query, first, after).await?;
    Ok((sheets(db, company, employees, month).await?, more))
}
