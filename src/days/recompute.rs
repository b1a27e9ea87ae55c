//! The one way a change reaches stored days: [`recompute`] decides between recomputing them
//! at once, in the change's transaction (when they are few), and queuing an `ATTENDANCE_DAYS`
//! job with progress in the same transaction (when they are many, or when asked), so a change
//! never lands without its days. Every change goes through it: schedules, assignments,
//! holidays, leave, unlocking, corrections, department and status periods, start dates.

use chrono::NaiveDate;
use entity::{company, employee, sync_job};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::{DayRules, job::queue_range, plan::Scope};
use crate::error::ApiResult;

/// Employee-days recomputed at once; more go to a job.
const INLINE_DAYS: i64 = 5_000;

/// The stored days a change reached.
pub struct Reach {
    /// Whose days; `None`: every employee's.
    pub employees: Option<Vec<Uuid>>,
    /// The first day (clamped to the first open day and the company's first day).
    pub from: NaiveDate,
    /// The last day (clamped to today).
    pub to: NaiveDate,
    /// Who made the change (the job's creator).
    pub by: Option<Uuid>,
}

impl Reach {
    /// Every employee's days `from..=to`.
    pub fn everyone(from: NaiveDate, to: NaiveDate, by: Option<Uuid>) -> Self {
        Self {
            employees: None,
            from,
            to,
            by,
        }
    }

    /// One employee's days `from..=to`.
    pub fn employee(employee_id: Uuid, from: NaiveDate, to: NaiveDate) -> Self {
        Self {
            employees: Some(vec![employee_id]),
            from,
            to,
            by: None,
        }
    }
}

/// How the days are recomputed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// At once when they are few, else a job.
    Fit,
    /// Always a job (a recompute that should show progress and survive a restart).
    Job,
}

/// What a recompute did.
pub struct Recomputed {
    /// Days stored at once.
    pub days: usize,
    /// The job that recomputes them, when one was queued.
    pub job: Option<sync_job::Model>,
}

/// Recomputes the days `reach` names, up to today, from the first open day (locked days keep
/// what they are) and not before the company's first day.
pub async fn recompute(
    txn: &impl ConnectionTrait,
    company: &company::Model,
    reach: Reach,
    via: Via,
) -> ApiResult<Recomputed> {
    let Reach {
        employees,
        from,
        to,
        by,
    } = reach;
    let rules = DayRules::of(company)?;
    let to = to.min(rules.today());
    let from = super::locked::first_open(company.attendance_locked_through, from);
    // Nothing is stored before the company's first day (a day before it for windows that
    // cross midnight): a change dated decades back recomputes from there.
    let from = match super::since::first_day(company, &rules) {
        Some(first) => from.max(first - chrono::Duration::days(1)),
        None => from,
    };
    if from > to {
        return Ok(Recomputed { days: 0, job: None });
    }
    if via == Via::Fit && fits(txn, company, employees.as_deref(), from, to).await? {
        let scope = match &employees {
            Some(ids) => Scope::Only(ids),
            None => Scope::All,
        };
        let days = super::rebuild::recompute(txn, company, scope, from, to).await?;
        return Ok(Recomputed { days, job: None });
    }
    let job = queue_range(txn, company.id, from, to, employees, by).await?;
    Ok(Recomputed {
        days: 0,
        job: Some(job),
    })
}

/// Whether the employee-days of `from..=to` are few enough to recompute at once.
async fn fits(
    txn: &impl ConnectionTrait,
    company: &company::Model,
    employees: Option<&[Uuid]>,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<bool> {
    let people = match employees {
        Some(ids) => ids.len() as u64,
        None => {
            employee::Entity::find()
                .filter(employee::Column::CompanyId.eq(company.id))
                .count(txn)
                .await?
        }
    };
    let span = (to - from).num_days() + 1;
    Ok(i64::try_from(people)
        .unwrap_or(i64::MAX)
        .saturating_mul(span)
        <= INLINE_DAYS)
}
