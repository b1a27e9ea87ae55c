//! When expected days start. A company's attendance starts at its first known moment: its
//! earliest check-in, its first employee, or the first moment a finished pull covered
//! (`companies.attendance_started_at`, only ever moved back). An employee is expected at work
//! from their employment start date (`employees.start_date`), or from the company's start when
//! none is given, and never before the company's start: no camera saw anyone before it, so no
//! absence can be known. Every change that moves either back stores the days it reaches
//! (`expected` stores them after a pull; a recompute after a start date is set).

use chrono::{DateTime, NaiveDate, Utc};
use entity::{company, employee};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use super::DayRules;
use crate::error::ApiResult;

/// Moves the company's start of attendance back to `at` when `at` is earlier; returns whether
/// it moved.
pub async fn extend_back(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    at: DateTime<Utc>,
) -> ApiResult<bool> {
    let moved = company::Entity::update_many()
        .col_expr(company::Column::AttendanceStartedAt, Expr::value(Some(at)))
        .filter(company::Column::Id.eq(company_id))
        .filter(
            sea_orm::Condition::any()
                .add(company::Column::AttendanceStartedAt.is_null())
                .add(company::Column::AttendanceStartedAt.gt(at)),
        )
        .exec(db)
        .await?;
    Ok(moved.rows_affected > 0)
}

/// The company's first day of attendance (local), if anything is known.
pub fn first_day(company: &company::Model, rules: &DayRules) -> Option<NaiveDate> {
    company.attendance_started_at.map(|at| rules.local_date(at))
}

/// The first day an employee is expected at work: their start date, not before the company's
/// first day; without a start date, the company's first day (or, when the company has none,
/// the day the employee was created).
pub fn employee_since(
    start_date: Option<NaiveDate>,
    created: NaiveDate,
    company_first: Option<NaiveDate>,
) -> NaiveDate {
    match (start_date, company_first) {
        (Some(start), Some(first)) => start.max(first),
        (Some(start), None) => start,
        (None, Some(first)) => first.min(created),
        (None, None) => created,
    }
}

/// The first day `employee` was expected at work before a change of start date to what it has
/// now, and after it: a recompute from the earlier of the two stores or drops the days between.
pub fn moved_since(
    company: &company::Model,
    employee: &employee::Model,
    old_start: Option<NaiveDate>,
) -> ApiResult<(NaiveDate, NaiveDate)> {
    let rules = DayRules::of(company)?;
    let (created, first) = (
        rules.local_date(employee.created_at),
        first_day(company, &rules),
    );
    Ok((
        employee_since(old_start, created, first),
        employee_since(employee.start_date, created, first),
    ))
}
