//! When expected days start. A company's attendance starts at its first known moment: its
//! earliest check-in, its first employee, or the first moment a finished pull covered
//! (`companies.attendance_started_at`, only ever moved back). An employee is expected at work
//! from their employment start date (`employees.start_date`), or from the company's start when
//! none is given, and never before the company's start: no camera saw anyone before it, so no
//! absence can be known. Every change that moves either back stores the days it reaches
//! ([`fill`] after a pull; a recompute after a start date is set).

use chrono::{DateTime, NaiveDate, Utc};
use entity::{company, employee};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use super::{days::DayRules, plan::Scope, rebuild};
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

/// Employees stored per transaction while filling.
const EMPLOYEES_PER_TRANSACTION: u64 = 250;

/// Stores the days without check-ins (absences, leave, holidays) from `from` to `to` (up to
/// today) that are not stored yet, for every employee of the company, a few hundred employees
/// per transaction (storing only adds, so a pass split this way is never half wrong). Used
/// where what is known grew (a pull finished): background work, not a request.
pub async fn fill(
    db: &DatabaseConnection,
    company_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<usize> {
    let mut stored = 0;
    let mut after: Option<Uuid> = None;
    loop {
        let mut page = employee::Entity::find()
            .select_only()
            .column(employee::Column::Id)
            .filter(employee::Column::CompanyId.eq(company_id))
            .order_by_asc(employee::Column::Id)
            .limit(EMPLOYEES_PER_TRANSACTION);
        if let Some(after) = after {
            page = page.filter(employee::Column::Id.gt(after));
        }
        let ids: Vec<Uuid> = page.into_tuple().all(db).await?;
        let Some(last) = ids.last().copied() else {
            break;
        };
        let txn = crate::db::begin_write(db).await?;
        let company = crate::companies::service::get(&txn, company_id).await?;
        let to = to.min(DayRules::of(&company)?.today());
        stored += rebuild::materialize(&txn, &company, Scope::Only(&ids), from, to).await?;
        txn.commit().await?;
        after = Some(last);
    }
    Ok(stored)
}

/// Stores the days a new employee is expected at work without check-ins (from their start, or
/// the company's first day, up to today); days stored already (check-ins found under the new
/// ID) are left alone.
pub async fn store_new(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    employee_id: Uuid,
) -> ApiResult<usize> {
    let company = crate::companies::service::get(db, company_id).await?;
    let rules = DayRules::of(&company)?;
    let Some(employee) = employee::Entity::find_by_id(employee_id).one(db).await? else {
        return Ok(0);
    };
    let since = employee_since(
        employee.start_date,
        rules.local_date(employee.created_at),
        first_day(&company, &rules),
    );
    let today = rules.today();
    if since > today {
        return Ok(0);
    }
    rebuild::materialize(db, &company, Scope::Only(&[employee_id]), since, today).await
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

/// What a finished pull makes known: the company's attendance starts no later than the pull's
/// first moment, and the days it covered have their rows (absences, leave, holidays) for every
/// employee, whatever the order in which employees, schedules and the pull came.
pub async fn pulled(
    db: &DatabaseConnection,
    company_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ApiResult<()> {
    extend_back(db, company_id, from).await?;
    let company = crate::companies::service::get(db, company_id).await?;
    let rules = DayRules::of(&company)?;
    let stored = fill(db, company_id, rules.local_date(from), rules.local_date(to)).await?;
    tracing::info!(company.id = %company_id, stored, "stored the days without check-ins a pull reached");
    Ok(())
}
