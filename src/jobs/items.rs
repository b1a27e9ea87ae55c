//! Item rows under a job's lease: the open items, claiming one (compare-and-set), renewing the
//! claims, and recording an outcome together with the job's counters.

use chrono::{DateTime, Utc};
use entity::{
    sync_job,
    sync_job_item::{self, ItemStatus},
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use super::store::ItemOutcome;
use crate::error::{ApiError, ApiResult};

/// Items still to do (including ones a dead worker left running), in order.
pub async fn open_items(
    db: &impl ConnectionTrait,
    job_id: Uuid,
) -> ApiResult<Vec<sync_job_item::Model>> {
    Ok(sync_job_item::Entity::find()
        .filter(sync_job_item::Column::JobId.eq(job_id))
        .filter(sync_job_item::Column::Status.is_in([ItemStatus::Pending, ItemStatus::Running]))
        .order_by_asc(sync_job_item::Column::Seq)
        .all(db)
        .await?)
}

/// Claims an item for `owner` until `until` with a compare-and-set: only when the job's lease is
/// `owner`'s, and the item is pending, or running under a claim that has lapsed. So an item is
/// never in flight on two workers, whatever their clocks and however their leases raced.
pub async fn claim_item(
    db: &impl ConnectionTrait,
    job_id: Uuid,
    item_id: Uuid,
    owner: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> ApiResult<bool> {
    let claimed = sync_job_item::Entity::update_many()
        .col_expr(
            sync_job_item::Column::Status,
            Expr::value(ItemStatus::Running),
        )
        .col_expr(
            sync_job_item::Column::Attempts,
            Expr::col(sync_job_item::Column::Attempts).add(1),
        )
        .col_expr(sync_job_item::Column::StartedAt, Expr::value(Some(now)))
        .col_expr(
            sync_job_item::Column::ClaimedBy,
            Expr::value(Some(owner.to_owned())),
        )
        .col_expr(
            sync_job_item::Column::LeaseExpiresAt,
            Expr::value(Some(until)),
        )
        .filter(sync_job_item::Column::Id.eq(item_id))
        .filter(sync_job_item::Column::JobId.eq(job_id))
        .filter(
            Condition::any()
                .add(sync_job_item::Column::Status.eq(ItemStatus::Pending))
                .add(
                    Condition::all()
                        .add(sync_job_item::Column::Status.eq(ItemStatus::Running))
                        .add(
                            Condition::any()
                                .add(sync_job_item::Column::LeaseExpiresAt.is_null())
                                .add(sync_job_item::Column::LeaseExpiresAt.lt(now)),
                        ),
                ),
        )
        .filter(
            sync_job_item::Column::JobId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(sync_job::Column::Id)
                    .from(sync_job::Entity)
                    .and_where(sync_job::Column::Id.eq(job_id))
                    .and_where(sync_job::Column::LeaseOwner.eq(owner))
                    .to_owned(),
            ),
        )
        .exec(db)
        .await?;
    Ok(claimed.rows_affected == 1)
}

/// Extends the claims `owner` holds on a job's running items (the heartbeat, with the job's).
pub async fn renew_items(
    db: &impl ConnectionTrait,
    job_id: Uuid,
    owner: &str,
    until: DateTime<Utc>,
) -> ApiResult<()> {
    sync_job_item::Entity::update_many()
        .col_expr(
            sync_job_item::Column::LeaseExpiresAt,
            Expr::value(Some(until)),
        )
        .filter(sync_job_item::Column::JobId.eq(job_id))
        .filter(sync_job_item::Column::ClaimedBy.eq(owner))
        .filter(sync_job_item::Column::Status.eq(ItemStatus::Running))
        .exec(db)
        .await?;
    Ok(())
}

/// Records an item's outcome and bumps the job's counters, atomically — only for the worker
/// whose claim the item is under (`owner`): a worker whose claim lapsed and was taken over
/// changes nothing.
pub async fn finish_item(
    db: &DatabaseConnection,
    job_id: Uuid,
    item_id: Uuid,
    owner: &str,
    outcome: &ItemOutcome,
) -> ApiResult<()> {
    let txn = crate::db::begin_write(db).await?;
    // Only an open item is finished, and counted, once: a second runner of the same job (after
    // a lease it thought lost) finds it closed and changes nothing.
    let closed = sync_job_item::Entity::update_many()
        .col_expr(
            sync_job_item::Column::Status,
            Expr::value(if outcome.succeeded {
                ItemStatus::Succeeded
            } else {
                ItemStatus::Failed
            }),
        )
        .col_expr(
            sync_job_item::Column::Action,
            Expr::value(outcome.action.map(str::to_owned)),
        )
        .col_expr(
            sync_job_item::Column::HanetCode,
            Expr::value(outcome.hanet_code),
        )
        .col_expr(
            sync_job_item::Column::ErrorCode,
            Expr::value(outcome.error_code.clone()),
        )
        .col_expr(
            sync_job_item::Column::Error,
            Expr::value(outcome.error.clone()),
        )
        .col_expr(
            sync_job_item::Column::FinishedAt,
            Expr::value(Some(Utc::now())),
        )
        .filter(sync_job_item::Column::Id.eq(item_id))
        .filter(sync_job_item::Column::Status.eq(ItemStatus::Running))
        .filter(sync_job_item::Column::ClaimedBy.eq(owner))
        .exec(&txn)
        .await?;
    if closed.rows_affected == 0 {
        txn.commit().await?;
        return Ok(());
    }
    let counter = if outcome.succeeded {
        sync_job::Column::Succeeded
    } else {
        sync_job::Column::Failed
    };
    sync_job::Entity::update_many()
        .col_expr(counter, Expr::col(counter).add(1))
        .filter(sync_job::Column::Id.eq(job_id))
        .exec(&txn)
        .await?;
    let job = sync_job::Entity::find_by_id(job_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("sync job"))?;
    sync_job_item::Entity::update_many()
        .col_expr(
            sync_job_item::Column::FinishSeq,
            Expr::value(Some(job.succeeded + job.failed)),
        )
        .filter(sync_job_item::Column::Id.eq(item_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    let kind = sea_orm::ActiveEnum::to_value(&job.kind);
    let outcome = if outcome.succeeded {
        "succeeded"
    } else {
        "failed"
    };
    crate::metrics::METRICS
        .sync_items
        .with_label_values(&[kind.as_str(), outcome])
        .inc();
    Ok(())
}
