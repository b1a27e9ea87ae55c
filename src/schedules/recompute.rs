//! Recomputing the stored days a change reaches: at once when they are few (in the change's
//! transaction), through an `ATTENDANCE_DAYS` job with progress when they are many (queued in
//! the same transaction, so the change never lands without it).

use chrono::NaiveDate;
use entity::{company, employee, sync_job};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    attendance::{days::DayRules, plan::Scope, recompute::queue_range},
    error::ApiResult,
};

/// Employee-days recomputed at once; more go to a job.
const INLINE_DAYS: i64 = 5_000;

/// What a recompute did.
pub struct Recomputed {
    pub days: usize,
    pub job: Option<sync_job::Model>,
}

/// Recomputes the days `from..=to` (up to today) of `employees` (none: everyone).
pub async fn days(
    txn: &impl ConnectionTrait,
    company: &company::Model,
    employees: Option<Vec<Uuid>>,
    from: NaiveDate,
    to: NaiveDate,
    actor: Option<Uuid>,
) -> ApiResult<Recomputed> {
    let rules = DayRules::of(company)?;
    let to = to.min(rules.today());
    let from = crate::attendance::locked::first_open(company.attendance_locked_through, from);
    // Nothing is stored before the company's first day (a day before it for windows that
    // cross midnight): a change dated decades back recomputes from there.
    let from = match crate::attendance::since::first_day(company, &rules) {
        Some(first) => from.max(first - chrono::Duration::days(1)),
        None => from,
    };
    if from > to {
        return Ok(Recomputed { days: 0, job: None });
    }
    let people = match &employees {
        Some(ids) => ids.len() as u64,
        None => {
            employee::Entity::find()
                .filter(employee::Column::CompanyId.eq(company.id))
                .count(txn)
                .await?
        }
    };
    let span = (to - from).num_days() + 1;
    if i64::try_from(people)
        .unwrap_or(i64::MAX)
        .saturating_mul(span)
        <= INLINE_DAYS
    {
        let scope = match &employees {
            Some(ids) => Scope::Only(ids),
            None => Scope::All,
        };
        let days = crate::attendance::rebuild::recompute(txn, company, scope, from, to).await?;
        return Ok(Recomputed { days, job: None });
    }
    let job = queue_range(txn, company.id, from, to, employees, actor).await?;
    Ok(Recomputed {
        days: 0,
        job: Some(job),
    })
}
