//! Automatic follow-up: with `autoSync` on in the company settings, a changed photo, name,
//! title, department or work status marks the employee (`auto_sync_changed_at`, written by
//! `employees::marks`), and once no
//! change came for `TIMEKEEPING_AUTO_SYNC_DELAY_SECS` (debounce) a small sync of just the
//! marked employees is queued. Each round takes the companies waiting longest first and a
//! bounded number of employees from each; a company whose sync is already active waits for it,
//! and one company's failure does not stop the others. With several processes the one active
//! sync per company (a unique index) keeps it single.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::{
    employee,
    sync_job::{self, JobKind, JobStatus},
};
use sea_orm::{
    ColumnTrait, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    error::{ApiError, ApiResult},
    state::AppState,
    sync::selection::{Selection, queue_employee_sync},
};

/// How much one round queues: the companies waiting longest first, and in each the employees
/// changed longest ago, so a company with thousands of changes neither delays the others nor
/// makes one huge job.
#[derive(Clone, Copy, Debug)]
pub struct Round {
    pub companies: u64,
    pub employees_per_company: u64,
}

impl Default for Round {
    fn default() -> Self {
        Self {
            companies: 50,
            employees_per_company: 500,
        }
    }
}

pub fn spawn(app: AppState) {
    let delay = Duration::from_secs(app.settings.auto_sync_delay_secs);
    let tick = (delay / 4).clamp(Duration::from_millis(250), Duration::from_secs(5));
    let task = crate::periodic::Task {
        name: "auto_sync",
        interval: tick,
        start: crate::periodic::Start::AfterInterval,
    };
    crate::periodic::spawn(app, task, move |app| async move {
        queue_due(&app, delay, Round::default()).await
    });
}

/// Queues a sync for the companies with employees changed longer than `delay` ago, the
/// company whose oldest change waits longest first, skipping companies whose sync is active
/// (their changes go with a later round). One company's failure is logged and leaves its marks
/// for the next round; the others are queued. Returns the jobs queued.
pub async fn queue_due(app: &AppState, delay: Duration, round: Round) -> ApiResult<usize> {
    let now = crate::leases::now(&app.db).await?;
    let cutoff = now - chrono::Duration::from_std(delay).unwrap_or_default();
    let active = sea_orm::sea_query::Query::select()
        .column(sync_job::Column::CompanyId)
        .from(sync_job::Entity)
        .and_where(sync_job::Column::Kind.eq(JobKind::Employees))
        .and_where(sync_job::Column::Status.is_in([JobStatus::Queued, JobStatus::Running]))
        .to_owned();
    let oldest = employee::Column::AutoSyncChangedAt.min();
    let companies: Vec<(Uuid, Option<DateTime<Utc>>)> = employee::Entity::find()
        .select_only()
        .column(employee::Column::CompanyId)
        .column_as(oldest.clone(), "oldest")
        .filter(employee::Column::AutoSyncChangedAt.lte(cutoff))
        .filter(employee::Column::CompanyId.not_in_subquery(active))
        .group_by(employee::Column::CompanyId)
        .order_by(oldest, Order::Asc)
        .limit(round.companies)
        .into_tuple()
        .all(&app.db)
        .await?;
    let mut queued = 0;
    for (company_id, _) in companies {
        match queue_company(app, company_id, cutoff, round.employees_per_company).await {
            Ok(true) => queued += 1,
            Ok(false) => {}
            Err(e) => tracing::warn!(
                company.id = %company_id,
                error = e.message(),
                "automatic sync: queueing this company failed; its changes wait for the next round"
            ),
        }
    }
    Ok(queued)
}

/// Queues one company's sync of its `limit` employees changed longest ago; true when queued.
async fn queue_company(
    app: &AppState,
    company_id: Uuid,
    cutoff: DateTime<Utc>,
    limit: u64,
) -> ApiResult<bool> {
    let ids: Vec<Uuid> = employee::Entity::find()
        .select_only()
        .column(employee::Column::Id)
        .filter(employee::Column::CompanyId.eq(company_id))
        .filter(employee::Column::AutoSyncChangedAt.lte(cutoff))
        .order_by_asc(employee::Column::AutoSyncChangedAt)
        .order_by_asc(employee::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(&app.db)
        .await?;
    if ids.is_empty() {
        return Ok(false);
    }
    let queued = match queue_employee_sync(app, company_id, None, Selection::Ids(ids.clone())).await
    {
        Ok(job) => {
            tracing::info!(company.id = %company_id, job.id = %job.id, employees = ids.len(), "automatic sync queued");
            true
        }
        // A sync became active since the read: these go with a later round.
        Err(ApiError::Conflict(_)) => return Ok(false),
        // Not linked or not enabled: nothing to send; the marks are cleared.
        Err(ApiError::HanetNotLinked | ApiError::FeatureNotEnabled | ApiError::NotFound(_)) => {
            false
        }
        Err(e) => return Err(e),
    };
    // Only what the queued sync covers: a change after the cutoff waits for its own turn.
    employee::Entity::update_many()
        .col_expr(
            employee::Column::AutoSyncChangedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(employee::Column::Id.is_in(ids))
        .filter(employee::Column::AutoSyncChangedAt.lte(cutoff))
        .exec(&app.db)
        .await?;
    Ok(queued)
}
