//! Job and item rows: creating a job with its items, recording an item's outcome together with
//! the job's counters, and finishing a job.

use chrono::Utc;
use entity::{
    sync_job::{self, JobKind, JobStatus},
    sync_job_item::{self, ItemStatus},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// An item to create.
pub struct NewItem {
    pub employee_id: Option<Uuid>,
    pub label: String,
    pub params: Option<String>,
}

/// How an item ended.
#[derive(Clone, Debug)]
pub struct ItemOutcome {
    pub succeeded: bool,
    pub action: Option<&'static str>,
    pub hanet_code: Option<i64>,
    pub error_code: Option<String>,
    pub error: Option<String>,
}

impl ItemOutcome {
    pub fn done(action: &'static str) -> Self {
        Self {
            succeeded: true,
            action: Some(action),
            hanet_code: None,
            error_code: None,
            error: None,
        }
    }

    pub fn failed(
        error_code: impl Into<String>,
        error: impl Into<String>,
        hanet_code: Option<i64>,
    ) -> Self {
        Self {
            succeeded: false,
            action: None,
            hanet_code,
            error_code: Some(error_code.into()),
            error: Some(error.into()),
        }
    }
}

/// Creates a queued job with its items in one transaction. A second active employee sync of
/// the same company is refused with `CONFLICT` (a unique index decides, even across processes).
pub async fn create_job(
    db: &DatabaseConnection,
    company_id: Uuid,
    kind: JobKind,
    created_by: Option<Uuid>,
    params: Option<String>,
    retry_of: Option<Uuid>,
    items: Vec<NewItem>,
) -> ApiResult<sync_job::Model> {
    let txn = crate::db::begin_write(db).await?;
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
    .insert(&txn)
    .await
    .map_err(|e| {
        ApiError::from_db_conflict(e, || {
            "an employee sync is already running for this company; wait for it or cancel it"
                .to_owned()
        })
    })?;
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
        })
        .collect();
    // Batches keep each statement under the databases' parameter limits.
    for chunk in rows.chunks(500) {
        sync_job_item::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
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

pub async fn mark_item_running(db: &impl ConnectionTrait, item_id: Uuid) -> ApiResult<()> {
    sync_job_item::Entity::update_many()
        .col_expr(
            sync_job_item::Column::Status,
            Expr::value(ItemStatus::Running),
        )
        .col_expr(
            sync_job_item::Column::Attempts,
            Expr::col(sync_job_item::Column::Attempts).add(1),
        )
        .col_expr(
            sync_job_item::Column::StartedAt,
            Expr::value(Some(Utc::now())),
        )
        .filter(sync_job_item::Column::Id.eq(item_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Records an item's outcome and bumps the job's counters, atomically.
pub async fn finish_item(
    db: &DatabaseConnection,
    job_id: Uuid,
    item_id: Uuid,
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
        .filter(sync_job_item::Column::Status.is_in([ItemStatus::Pending, ItemStatus::Running]))
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
    let kind = match job.kind {
        JobKind::Employees => "EMPLOYEES",
        JobKind::Attendance => "ATTENDANCE",
        JobKind::AttendanceDays => "ATTENDANCE_DAYS",
    };
    let outcome = if outcome.succeeded {
        "succeeded"
    } else {
        "failed"
    };
    crate::metrics::METRICS
        .sync_items
        .with_label_values(&[kind, outcome])
        .inc();
    Ok(())
}

/// Ends a job: cancelled (its unstarted items too), or by its counts.
pub async fn finish_job(
    db: &DatabaseConnection,
    job_id: Uuid,
    cancelled: bool,
    error: Option<String>,
) -> ApiResult<sync_job::Model> {
    let txn = crate::db::begin_write(db).await?;
    let job = sync_job::Entity::find_by_id(job_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("sync job"))?;
    let status = if cancelled {
        sync_job_item::Entity::update_many()
            .col_expr(
                sync_job_item::Column::Status,
                Expr::value(ItemStatus::Cancelled),
            )
            .filter(sync_job_item::Column::JobId.eq(job_id))
            .filter(sync_job_item::Column::Status.eq(ItemStatus::Pending))
            .exec(&txn)
            .await?;
        JobStatus::Cancelled
    } else if error.is_some() || (job.failed > 0 && job.succeeded == 0) {
        JobStatus::Failed
    } else if job.failed > 0 {
        JobStatus::PartiallyFailed
    } else {
        JobStatus::Succeeded
    };
    let mut model: sync_job::ActiveModel = job.into();
    model.status = Set(status);
    model.finished_at = Set(Some(Utc::now()));
    model.lease_owner = Set(None);
    model.lease_expires_at = Set(None);
    if error.is_some() {
        model.error = Set(error);
    }
    let job = model.update(&txn).await?;
    txn.commit().await?;
    Ok(job)
}
