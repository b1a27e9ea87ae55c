//! Automatic follow-up: with `autoSync` on in the company settings, a changed photo, name,
//! title, department or work status marks the employee (`auto_sync_changed_at`), and once no
//! change came for `TIMEKEEPING_AUTO_SYNC_DELAY_SECS` (debounce) a small sync of just the
//! marked employees is queued. A company whose sync is already active waits for it; with
//! several processes the one active sync per company (a unique index) keeps it single.

use std::{collections::HashMap, time::Duration};

use chrono::{DateTime, Utc};
use entity::{company, employee};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    error::{ApiError, ApiResult},
    jobs::service::{Selection, queue_employee_sync},
    state::AppState,
};

/// Marks employees changed, when their company has `autoSync` on (one statement: the company's
/// setting is read by the update itself).
pub async fn touch(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    employee_ids: &[Uuid],
) -> ApiResult<()> {
    if employee_ids.is_empty() {
        return Ok(());
    }
    employee::Entity::update_many()
        .col_expr(
            employee::Column::AutoSyncChangedAt,
            Expr::value(Some(Utc::now())),
        )
        .filter(employee::Column::Id.is_in(employee_ids.iter().copied()))
        .filter(
            employee::Column::CompanyId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(company::Column::Id)
                    .from(company::Entity)
                    .and_where(company::Column::Id.eq(company_id))
                    .and_where(company::Column::AutoSync.eq(true))
                    .to_owned(),
            ),
        )
        .exec(db)
        .await?;
    Ok(())
}

pub fn spawn(app: AppState) {
    let delay = Duration::from_secs(app.settings.auto_sync_delay_secs);
    let tick = (delay / 4).clamp(Duration::from_millis(250), Duration::from_secs(5));
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(tick).await;
            if let Err(e) = queue_due(&app, delay).await {
                tracing::warn!(
                    error = e.message(),
                    "automatic sync: queueing failed; trying again"
                );
            }
        }
    });
}

/// Queues a sync for every company with employees changed longer than `delay` ago.
pub async fn queue_due(app: &AppState, delay: Duration) -> ApiResult<()> {
    let now = crate::leases::now(&app.db).await?;
    let cutoff = now - chrono::Duration::from_std(delay).unwrap_or_default();
    let due: Vec<(Uuid, Uuid, Option<DateTime<Utc>>)> = employee::Entity::find()
        .select_only()
        .column(employee::Column::CompanyId)
        .column(employee::Column::Id)
        .column(employee::Column::AutoSyncChangedAt)
        .filter(employee::Column::AutoSyncChangedAt.lte(cutoff))
        .limit(5000)
        .into_tuple()
        .all(&app.db)
        .await?;
    let mut by_company: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (company_id, id, _) in due {
        by_company.entry(company_id).or_default().push(id);
    }
    for (company_id, ids) in by_company {
        match queue_employee_sync(app, company_id, None, Selection::Ids(ids.clone())).await {
            Ok(job) => {
                tracing::info!(company.id = %company_id, job.id = %job.id, employees = ids.len(), "automatic sync queued");
            }
            // A sync is active: these go with the next round. Not linked: nothing to do.
            Err(ApiError::Conflict(_)) => continue,
            Err(ApiError::HanetNotLinked | ApiError::FeatureNotEnabled | ApiError::NotFound(_)) => {
            }
            Err(e) => return Err(e),
        }
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
    }
    Ok(())
}
