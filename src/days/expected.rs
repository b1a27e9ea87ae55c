//! Storing the expected days that what became known reaches: after a pull finished (the
//! company's start moves back, the days it covered get their absences, leave and holidays) and
//! for a new employee (from their first expected day to today).

use chrono::{DateTime, NaiveDate, Utc};
use entity::{company, employee};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::{
    DayRules,
    plan::Scope,
    rebuild,
    since::{employee_since, extend_back, first_day},
};
use crate::error::ApiResult;

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

/// Stores every employee's expected days without check-ins from `from` to `to` that are not
/// stored yet (the calendar pass had not reached them); stored days are left alone.
pub async fn store_missing(
    db: &impl ConnectionTrait,
    company: &company::Model,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<usize> {
    rebuild::materialize(db, company, Scope::All, from, to).await
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
