//! Recomputing stored days from the raw check-ins (a change reached them), and storing the
//! days without check-ins (absences, leave, holidays) as the calendar reaches them.

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{attendance_day, checkin, company, employee};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::{
    plan::{Planner, Scope},
    rows::{Mode, Row, group, write},
};
use crate::days;
use crate::error::ApiResult;

/// The days without check-ins that are stored anyway (absences, leave, holidays) of the
/// planner's employees from `from` to `to`, skipping `except`.
fn expected_rows(
    planner: &Planner,
    from: NaiveDate,
    to: NaiveDate,
    except: &HashSet<(Uuid, NaiveDate)>,
) -> Vec<Row> {
    let mut rows = Vec::new();
    for (employee_id, person) in &planner.people {
        for date in from.iter_days().take_while(|d| *d <= to) {
            if !person.expected_on(date) || except.contains(&(*employee_id, date)) {
                continue;
            }
            let Some(plan) = planner.plan(*employee_id, date) else {
                continue;
            };
            if plan.stored_without_checkins() {
                rows.push(Row {
                    employee_id: *employee_id,
                    date,
                    code_key: person.code_key.clone(),
                    plan,
                    day: days::day(&plan, None),
                });
            }
        }
    }
    rows
}

/// Recomputes the company's stored days from `from` to `to` (inclusive) of the employees in
/// `scope` from their check-ins: what is stored for them is replaced. Days without check-ins
/// are stored up to today. Returns how many days are stored now.
pub async fn recompute(
    db: &impl ConnectionTrait,
    company: &company::Model,
    scope: Scope<'_>,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<usize> {
    // Alone among the company's day writers before anything is read (see `day_rows::lock`);
    // on SQLite the transaction holds the write lock from its start (`db::begin_write`).
    super::rows::lock(db, company.id, crate::db::Lock::Exclusive).await?;
    // Locked days keep what they are.
    let from = super::locked::first_open(super::locked::through(db, company.id).await?, from);
    if from > to {
        return Ok(0);
    }
    let everyone: Vec<Uuid>;
    let ids = match scope {
        Scope::Only(ids) => ids,
        Scope::All => {
            everyone = employee::Entity::find()
                .select_only()
                .column(employee::Column::Id)
                .filter(employee::Column::CompanyId.eq(company.id))
                .order_by_asc(employee::Column::Id)
                .into_tuple()
                .all(db)
                .await?;
            &everyone
        }
    };
    let mut stored = 0;
    for some in ids.chunks(EMPLOYEES_PER_PASS) {
        stored += recompute_some(db, company, some, from, to).await?;
    }
    Ok(stored)
}

/// Employees recomputed per pass. A pass reads their check-ins with one query, and on SQLite a
/// query's rows are copied through the connection thread's malloc arena, which keeps what it
/// grew to: a month of 2,000 employees' check-ins at once grew the process by about 130 MiB
/// (BENCHMARKS.md, timesheet phases).
const EMPLOYEES_PER_PASS: usize = 250;

/// [`recompute`] for some employees, under the lock it took.
async fn recompute_some(
    db: &impl ConnectionTrait,
    company: &company::Model,
    ids: &[Uuid],
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<usize> {
    let scope = Scope::Only(ids);
    attendance_day::Entity::delete_many()
        .filter(attendance_day::Column::CompanyId.eq(company.id))
        .filter(attendance_day::Column::Date.gte(from))
        .filter(attendance_day::Column::Date.lte(to))
        .filter(attendance_day::Column::EmployeeId.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    let planner = Planner::load(db, company, scope, from, to).await?;
    let rules = planner.rules;
    let checkins = checkin::Entity::find()
        .select_only()
        .column(checkin::Column::EmployeeId)
        .column(checkin::Column::CapturedAt)
        .filter(checkin::Column::CompanyId.eq(company.id))
        .filter(checkin::Column::EmployeeId.is_not_null())
        .filter(checkin::Column::CountsForAttendance.eq(true))
        .filter(checkin::Column::VoidedAt.is_null())
        .filter(checkin::Column::CapturedAt.gte(rules.at(from - Duration::days(2), 0)))
        .filter(checkin::Column::CapturedAt.lt(rules.at(to + Duration::days(3), 0)))
        .filter(checkin::Column::EmployeeId.is_in(ids.iter().copied()));
    let checkins: Vec<(Uuid, DateTime<Utc>)> = checkins
        .order_by_asc(checkin::Column::CapturedAt)
        .into_tuple()
        .all(db)
        .await?;
    let mut rows: Vec<Row> = group(&planner, checkins.into_iter())
        .into_iter()
        .filter(|r| from <= r.date && r.date <= to)
        .collect();
    let with_checkins: HashSet<(Uuid, NaiveDate)> =
        rows.iter().map(|r| (r.employee_id, r.date)).collect();
    rows.extend(expected_rows(
        &planner,
        from,
        to.min(rules.today()),
        &with_checkins,
    ));
    write(db, company.id, &rows, Mode::Replace).await?;
    Ok(rows.len())
}

/// Stores the days without check-ins (absences, leave, holidays) from `from` to `to` of the
/// employees in `scope` that are not stored yet; stored days are left alone.
pub async fn materialize(
    db: &impl ConnectionTrait,
    company: &company::Model,
    scope: Scope<'_>,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<usize> {
    if from > to {
        return Ok(0);
    }
    super::rows::lock(db, company.id, crate::db::Lock::Shared).await?;
    let from = super::locked::first_open(super::locked::through(db, company.id).await?, from);
    if from > to {
        return Ok(0);
    }
    let planner = Planner::load(db, company, scope, from, to).await?;
    let rows = expected_rows(&planner, from, to, &HashSet::new());
    write(db, company.id, &rows, Mode::Missing).await?;
    Ok(rows.len())
}
