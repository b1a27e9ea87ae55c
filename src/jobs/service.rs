//! Starting, cancelling, retrying and listing jobs.

use entity::{
    sync_job::{self, JobStatus},
    sync_job_item::{self, ItemStatus},
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    sea_query::Expr,
};
use uuid::Uuid;

use super::store::{self, NewItem};
use crate::{
    auth::Scope,
    error::{ApiError, ApiResult},
    state::AppState,
};

/// Stops starting new items; in-flight ones finish, then the job ends `CANCELLED`.
pub async fn cancel(app: &AppState, scope: Scope, id: Uuid) -> ApiResult<sync_job::Model> {
    let job = store::get(&app.db, scope.company_id, id).await?;
    if job.status.is_terminal() {
        return Err(ApiError::Conflict(format!(
            "the job has already ended ({:?})",
            job.status
        )));
    }
    if app.kinds.policy(job.kind).must_finish {
        // Stopped half way, such a job would leave its work half done (a recompute's days
        // it had not reached would keep what older rules computed, and could be locked).
        return Err(ApiError::Conflict(
            "this job cannot be cancelled: stopped half way it would leave its work half done \
             (a recompute's days would keep what the old rules computed); it ends by itself"
                .to_owned(),
        ));
    }
    let txn = crate::db::begin_write(&app.db).await?;
    sync_job::Entity::update_many()
        .col_expr(sync_job::Column::CancelRequested, Expr::value(true))
        .filter(sync_job::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    crate::audit::record(
        &txn,
        crate::audit::by(
            &scope,
            crate::audit::AuditAction::SyncCancelled,
            "syncJob",
            id,
            serde_json::json!({ "kind": format!("{:?}", job.kind) }),
        ),
    )
    .await?;
    txn.commit().await?;
    // A job nobody has started yet ends here and now.
    let unclaimed = sync_job::Entity::update_many()
        .col_expr(sync_job::Column::Status, Expr::value(JobStatus::Running))
        .col_expr(
            sync_job::Column::LeaseOwner,
            Expr::value(Some(app.jobs.worker_id.clone())),
        )
        // Claimable again should finishing it below fail.
        .col_expr(
            sync_job::Column::LeaseExpiresAt,
            Expr::value(Some(chrono::Utc::now() + app.settings.job_lease())),
        )
        .filter(sync_job::Column::Id.eq(id))
        .filter(sync_job::Column::Status.eq(JobStatus::Queued))
        .exec(&app.db)
        .await?;
    if unclaimed.rows_affected == 1 {
        store::finish_job(&app.db, id, Some(app.jobs.worker_id.as_str()), true, None).await?;
    }
    app.jobs.cancel.notify_waiters();
    app.jobs.changed(id);
    store::get(&app.db, scope.company_id, id).await
}

/// A new job for the failed items of an ended job.
pub async fn retry(app: &AppState, scope: Scope, id: Uuid) -> ApiResult<sync_job::Model> {
    let job = store::get(&app.db, scope.company_id, id).await?;
    if !job.status.is_terminal() {
        return Err(ApiError::Conflict("the job is still running".to_owned()));
    }
    // The cancelled items of a job that must finish (cancelled before such jobs could no
    // longer be) left its work half done, like failed ones: a retry does them again.
    let policy = app.kinds.policy(job.kind);
    let again = if policy.must_finish {
        vec![ItemStatus::Failed, ItemStatus::Cancelled]
    } else {
        vec![ItemStatus::Failed]
    };
    let failed = sync_job_item::Entity::find()
        .filter(sync_job_item::Column::JobId.eq(id))
        .filter(sync_job_item::Column::Status.is_in(again))
        .order_by_asc(sync_job_item::Column::Seq)
        .all(&app.db)
        .await?;
    if failed.is_empty() {
        return Err(ApiError::bad_input("id", "the job has no failed items"));
    }
    // The caller (`retrySyncJob`) checked the company's camera timekeeping is on.
    let items = failed
        .into_iter()
        .map(|i| NewItem {
            employee_id: i.employee_id,
            label: i.label,
            params: i.params,
        })
        .collect();
    let retry = store::create_job(
        &app.db,
        store::NewJob {
            company_id: scope.company_id,
            kind: job.kind,
            busy: policy.busy,
            created_by: Some(scope.user_id),
            params: job.params.clone(),
            retry_of: Some(id),
        },
        items,
    )
    .await?;
    app.jobs.queued();
    Ok(retry)
}

/// A page of the company's jobs, newest first; returns rows and whether more follow.
pub async fn page(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    first: u64,
    after: Option<Uuid>,
) -> ApiResult<(Vec<sync_job::Model>, bool)> {
    let mut query = sync_job::Entity::find().filter(sync_job::Column::CompanyId.eq(company_id));
    if let Some(after) = after {
        query = query.filter(sync_job::Column::Id.lt(after));
    }
    let (rows, more) =
        crate::pagination::keyset_page(db, query.order_by_desc(sync_job::Column::Id), first)
            .await?;
    Ok((rows, more))
}

pub async fn count(db: &impl ConnectionTrait, company_id: Uuid) -> ApiResult<u64> {
    Ok(sync_job::Entity::find()
        .filter(sync_job::Column::CompanyId.eq(company_id))
        .count(db)
        .await?)
}

/// A page of a job's items in order, optionally of one status.
pub async fn items_page(
    db: &impl ConnectionTrait,
    job_id: Uuid,
    status: Option<ItemStatus>,
    first: u64,
    after: Option<i32>,
) -> ApiResult<(Vec<sync_job_item::Model>, bool)> {
    let mut query = items_query(job_id, status);
    if let Some(after) = after {
        query = query.filter(sync_job_item::Column::Seq.gt(after));
    }
    let (rows, more) =
        crate::pagination::keyset_page(db, query.order_by_asc(sync_job_item::Column::Seq), first)
            .await?;
    Ok((rows, more))
}

pub fn items_query(
    job_id: Uuid,
    status: Option<ItemStatus>,
) -> sea_orm::Select<sync_job_item::Entity> {
    let mut query = sync_job_item::Entity::find().filter(sync_job_item::Column::JobId.eq(job_id));
    if let Some(status) = status {
        query = query.filter(sync_job_item::Column::Status.eq(status));
    }
    query
}

/// Items that finished after the job's done count was `after`, in finishing order.
pub async fn finished_since(
    db: &impl ConnectionTrait,
    job_id: Uuid,
    after: i32,
) -> ApiResult<Vec<sync_job_item::Model>> {
    Ok(sync_job_item::Entity::find()
        .filter(sync_job_item::Column::JobId.eq(job_id))
        .filter(sync_job_item::Column::FinishSeq.gt(after))
        .order_by_asc(sync_job_item::Column::FinishSeq)
        .all(db)
        .await?)
}
