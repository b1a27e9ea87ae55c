//! Job rows: creating a job with its items, and finishing a job. Item claims and outcomes are
//! in [`super::items`].

use chrono::Utc;
use entity::{
    sync_job::{self, JobKind, JobStatus},
    sync_job_item::{self, ItemStatus},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set, sea_query::Expr,
};
use uuid::Uuid;

pub use super::outcome::ItemOutcome;
use crate::error::{ApiError, ApiResult};

/// An item to create.
pub struct NewItem {
    pub employee_id: Option<Uuid>,
    pub label: String,
    pub params: Option<String>,
}

/// A job to create.
pub struct NewJob {
    pub company_id: Uuid,
    pub kind: JobKind,
    /// Told the user when the kind's one active job per company exists already
    /// (the kind's `Worker::BUSY`).
    pub busy: &'static str,
    /// The user who started it; none for the server's own jobs.
    pub created_by: Option<Uuid>,
    /// The job's arguments, as JSON.
    pub params: Option<String>,
    /// The job it retries.
    pub retry_of: Option<Uuid>,
}

/// Creates a queued job with its items in one transaction. A second active job of a kind that
/// allows one per company is refused with `CONFLICT` (a unique index decides, even across
/// processes).
pub async fn create_job(
    db: &DatabaseConnection,
    new: NewJob,
    items: Vec<NewItem>,
) -> ApiResult<sync_job::Model> {
    let txn = crate::db::begin_write(db).await?;
    let (company_id, kind, created_by, retry_of) =
        (new.company_id, new.kind, new.created_by, new.retry_of);
    let job = create_job_in(&txn, new, items).await?;
    // A job a user started is in the audit log; the server's own (automatic follow-ups,
    // recomputes, catch-ups) are not.
    if created_by.is_some() {
        crate::audit::record(
            &txn,
            crate::audit::Entry {
                company_id,
                actor_id: created_by,
                action: if retry_of.is_some() {
                    crate::audit::AuditAction::SyncRetried
                } else {
                    crate::audit::AuditAction::SyncStarted
                },
                target_type: "syncJob",
                target_id: Some(job.id.to_string()),
                changes: serde_json::json!({ "kind": format!("{kind:?}"), "items": job.total, "retryOf": retry_of }),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(job)
}

/// [`create_job`] inside the caller's transaction (a change and the job that carries it out
/// commit together).
pub async fn create_job_in(
    txn: &impl ConnectionTrait,
    new: NewJob,
    items: Vec<NewItem>,
) -> ApiResult<sync_job::Model> {
    let NewJob {
        company_id,
        kind,
        busy,
        created_by,
        params,
        retry_of,
    } = new;
    let job = sync_job::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(company_id),
        kind: Set(kind),
        status: Set(JobStatus::Queued),
        total: Set(items.len() as i32),
        succeeded: Set(0),
        failed: Set(0),
        cancel_requested: Set(false),
        params: Set(params),
        retry_of: Set(retry_of),
        created_by: Set(created_by),
        created_at: Set(Utc::now()),
        started_at: Set(None),
        finished_at: Set(None),
        lease_owner: Set(None),
        lease_expires_at: Set(None),
        error: Set(None),
    }
    .insert(txn)
    .await
    .map_err(|e| ApiError::from_db_conflict(e, || busy.to_owned()))?;
    let rows: Vec<sync_job_item::ActiveModel> = items
        .into_iter()
        .enumerate()
        .map(|(seq, item)| sync_job_item::ActiveModel {
            id: Set(Uuid::now_v7()),
            job_id: Set(job.id),
            seq: Set(seq as i32),
            employee_id: Set(item.employee_id),
            label: Set(item.label),
            params: Set(item.params),
            status: Set(ItemStatus::Pending),
            action: Set(None),
            attempts: Set(0),
            hanet_code: Set(None),
            error_code: Set(None),
            error: Set(None),
            finish_seq: Set(None),
            started_at: Set(None),
            finished_at: Set(None),
            claimed_by: Set(None),
            lease_expires_at: Set(None),
        })
        .collect();
    // Batches keep each statement under the databases' parameter limits.
    for chunk in rows.chunks(500) {
        sync_job_item::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(job)
}

pub async fn get(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    id: Uuid,
) -> ApiResult<sync_job::Model> {
    sync_job::Entity::find_by_id(id)
        .filter(sync_job::Column::CompanyId.eq(company_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("sync job"))
}

/// Ends a job for the worker holding its lease (`owner`; `None` for a job that never ran):
/// cancelled (its open items too), or by its counts. Items still open — a result that could not
/// be recorded — are closed as failed (`NOT_RECORDED`) and counted, so `succeeded + failed`
/// is always `total` for a finished job. Another owner's job is left alone (`Ok(None)`).
pub async fn finish_job(
    db: &DatabaseConnection,
    job_id: Uuid,
    owner: Option<&str>,
    cancelled: bool,
    error: Option<String>,
) -> ApiResult<Option<sync_job::Model>> {
    let txn = crate::db::begin_write(db).await?;
    let mut find = sync_job::Entity::find_by_id(job_id);
    if let Some(owner) = owner {
        find = find
            .filter(sync_job::Column::LeaseOwner.eq(owner))
            .filter(sync_job::Column::Status.eq(JobStatus::Running));
    }
    let Some(job) = find.one(&txn).await? else {
        txn.commit().await?;
        return Ok(None);
    };
    let open = [ItemStatus::Pending, ItemStatus::Running];
    let now = Utc::now();
    let closed = if cancelled {
        sync_job_item::Entity::update_many()
            .col_expr(
                sync_job_item::Column::Status,
                Expr::value(ItemStatus::Cancelled),
            )
            .col_expr(sync_job_item::Column::FinishedAt, Expr::value(Some(now)))
            .filter(sync_job_item::Column::JobId.eq(job_id))
            .filter(sync_job_item::Column::Status.is_in(open))
            .exec(&txn)
            .await?;
        0
    } else {
        let reason = error
            .clone()
            .unwrap_or_else(|| "the item's result could not be recorded; retry the job".to_owned());
        sync_job_item::Entity::update_many()
            .col_expr(
                sync_job_item::Column::Status,
                Expr::value(ItemStatus::Failed),
            )
            .col_expr(
                sync_job_item::Column::ErrorCode,
                Expr::value(Some(if error.is_some() {
                    "JOB_FAILED"
                } else {
                    "NOT_RECORDED"
                })),
            )
            .col_expr(sync_job_item::Column::Error, Expr::value(Some(reason)))
            .col_expr(sync_job_item::Column::FinishedAt, Expr::value(Some(now)))
            .filter(sync_job_item::Column::JobId.eq(job_id))
            .filter(sync_job_item::Column::Status.is_in(open))
            .exec(&txn)
            .await?
            .rows_affected as i32
    };
    let failed = job.failed + closed;
    let status = if cancelled {
        JobStatus::Cancelled
    } else if error.is_some() || (failed > 0 && job.succeeded == 0) {
        JobStatus::Failed
    } else if failed > 0 {
        JobStatus::PartiallyFailed
    } else {
        JobStatus::Succeeded
    };
    let mut model: sync_job::ActiveModel = job.into();
    model.status = Set(status);
    model.failed = Set(failed);
    model.finished_at = Set(Some(now));
    model.lease_owner = Set(None);
    model.lease_expires_at = Set(None);
    if error.is_some() {
        model.error = Set(error);
    }
    let job = model.update(&txn).await?;
    txn.commit().await?;
    Ok(Some(job))
}
