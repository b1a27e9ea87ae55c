//! Background workers inside the server process. A job is claimed with a lease (a
//! compare-and-set on its row), so exactly one worker of any process sharing the database runs
//! it; the lease is renewed while the job runs, and a job whose worker died (crash, `kill -9`,
//! deploy) is claimed again once its lease expires and finishes. Items are idempotent (the
//! employee sync looks a person up before creating one), so an item a dead worker left half
//! done is simply done again.
//!
//! Why not a job-queue crate: apalis-sql 1.0 is still a release candidate and brings its own
//! sqlx pools and tables, while the job and item rows must be ours anyway (the GraphQL API
//! shows them); the lease is one guarded UPDATE on those rows.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use chrono::Utc;
use entity::sync_job::{self, JobKind, JobStatus};
use futures_util::{StreamExt, stream};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::store::{self, ItemOutcome};
use crate::{state::AppState, sync};

/// Starts the job loop; it runs until the process ends.
pub fn spawn(app: AppState) {
    tokio::spawn(async move {
        let slots = Arc::new(Semaphore::new(app.settings.max_concurrent_jobs.max(1)));
        loop {
            let Ok(permit) = slots.clone().acquire_owned().await else {
                return;
            };
            match claim_next(&app).await {
                Ok(Some(job)) => {
                    let app = app.clone();
                    tokio::spawn(async move {
                        run(app, job).await;
                        drop(permit);
                    });
                }
                Ok(None) => {
                    drop(permit);
                    tokio::select! {
                        () = app.jobs.wake.notified() => {}
                        () = tokio::time::sleep(app.settings.job_poll_interval()) => {}
                    }
                }
                Err(e) => {
                    drop(permit);
                    tracing::error!(error = e.message(), "claiming a job failed");
                    tokio::time::sleep(app.settings.job_poll_interval()).await;
                }
            }
        }
    });
}

fn claimable() -> Condition {
    Condition::any()
        .add(sync_job::Column::Status.eq(JobStatus::Queued))
        .add(
            Condition::all()
                .add(sync_job::Column::Status.eq(JobStatus::Running))
                .add(sync_job::Column::LeaseExpiresAt.lt(Utc::now())),
        )
}

/// Claims the oldest job nobody holds.
async fn claim_next(app: &AppState) -> crate::error::ApiResult<Option<sync_job::Model>> {
    let candidates = sync_job::Entity::find()
        .filter(claimable())
        .order_by_asc(sync_job::Column::CreatedAt)
        .limit(8)
        .all(&app.db)
        .await?;
    for job in candidates {
        let now = Utc::now();
        // Unique per claim: a worker that lost its lease can tell, even if its own process
        // claimed the job again.
        let owner = format!(
            "{}/{}",
            app.jobs.worker_id,
            &Uuid::new_v4().simple().to_string()[..16]
        );
        let claimed = sync_job::Entity::update_many()
            .col_expr(sync_job::Column::Status, Expr::value(JobStatus::Running))
            .col_expr(sync_job::Column::LeaseOwner, Expr::value(Some(owner)))
            .col_expr(
                sync_job::Column::LeaseExpiresAt,
                Expr::value(Some(now + app.settings.job_lease())),
            )
            .col_expr(
                sync_job::Column::StartedAt,
                Expr::value(Some(job.started_at.unwrap_or(now))),
            )
            .filter(sync_job::Column::Id.eq(job.id))
            .filter(claimable())
            .exec(&app.db)
            .await?;
        if claimed.rows_affected == 1 {
            if job.status == JobStatus::Running {
                tracing::warn!(job.id = %job.id, "resuming a job whose worker stopped");
            }
            app.jobs.changed(job.id);
            return Ok(sync_job::Entity::find_by_id(job.id).one(&app.db).await?);
        }
    }
    Ok(None)
}

/// What the heartbeat learnt.
#[derive(Default)]
struct Signals {
    cancel: AtomicBool,
    lease_lost: AtomicBool,
}

/// Renews the lease and watches for cancellation until dropped.
fn heartbeat(
    app: &AppState,
    job_id: Uuid,
    owner: String,
    signals: Arc<Signals>,
) -> tokio::task::JoinHandle<()> {
    let app = app.clone();
    tokio::spawn(async move {
        let period = app.settings.job_lease() / 3;
        let period = period.to_std().unwrap_or(Duration::from_secs(5));
        loop {
            tokio::select! {
                () = tokio::time::sleep(period) => {}
                () = app.jobs.cancel.notified() => {}
            }
            let renewed = sync_job::Entity::update_many()
                .col_expr(
                    sync_job::Column::LeaseExpiresAt,
                    Expr::value(Some(Utc::now() + app.settings.job_lease())),
                )
                .filter(sync_job::Column::Id.eq(job_id))
                .filter(sync_job::Column::LeaseOwner.eq(owner.clone()))
                .exec(&app.db)
                .await;
            match renewed {
                Ok(r) if r.rows_affected == 0 => {
                    signals.lease_lost.store(true, Ordering::Relaxed);
                    return;
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(job.id = %job_id, error = %e, "renewing a job lease failed")
                }
            }
            if let Ok(Some(job)) = sync_job::Entity::find_by_id(job_id).one(&app.db).await
                && job.cancel_requested
            {
                signals.cancel.store(true, Ordering::Relaxed);
            }
        }
    })
}

async fn run(app: AppState, job: sync_job::Model) {
    let signals = Arc::new(Signals {
        cancel: AtomicBool::new(job.cancel_requested),
        ..Default::default()
    });
    let owner = job.lease_owner.clone().unwrap_or_default();
    let beat = heartbeat(&app, job.id, owner, signals.clone());
    let result = run_items(&app, &job, &signals).await;
    beat.abort();
    if signals.lease_lost.load(Ordering::Relaxed) {
        tracing::warn!(job.id = %job.id, "lost the job's lease; another worker finishes it");
        return;
    }
    let cancelled = signals.cancel.load(Ordering::Relaxed);
    match store::finish_job(&app.db, job.id, cancelled, result.err()).await {
        Ok(done) => {
            tracing::info!(job.id = %job.id, status = ?done.status, succeeded = done.succeeded, failed = done.failed, "job finished");
            if done.kind == JobKind::Attendance && done.status == JobStatus::Succeeded {
                crate::attendance::pull::pulled(&app, &done).await;
            }
        }
        Err(e) => {
            tracing::error!(job.id = %job.id, error = e.message(), "finishing a job failed; it will be resumed")
        }
    }
    app.jobs.changed(job.id);
}

/// Runs the open items, a few at a time. `Err` fails the whole job (its open items fail too).
async fn run_items(app: &AppState, job: &sync_job::Model, signals: &Signals) -> Result<(), String> {
    let items = store::open_items(&app.db, job.id)
        .await
        .map_err(|e| e.message())?;
    let context = match job.kind {
        JobKind::Employees => sync::employees::prepare(app, job.company_id).await,
        JobKind::Attendance => sync::employees::prepare_place(app, job.company_id).await,
        JobKind::AttendanceDays => Ok(sync::JobContext::default()),
    };
    let context = match context {
        Ok(context) => context,
        Err(reason) => {
            for item in &items {
                let outcome = ItemOutcome::failed("JOB_FAILED", reason.clone(), None);
                if let Err(e) = store::finish_item(&app.db, job.id, item.id, &outcome).await {
                    tracing::error!(error = e.message(), "recording an item failed");
                }
            }
            return Err(reason);
        }
    };
    let concurrency = app.settings.sync_concurrency.max(1);
    stream::iter(items)
        .map(|item| {
            let context = &context;
            async move {
                if signals.cancel.load(Ordering::Relaxed) || signals.lease_lost.load(Ordering::Relaxed) {
                    return;
                }
                if let Err(e) = store::mark_item_running(&app.db, item.id).await {
                    tracing::error!(error = e.message(), "marking an item running failed");
                    return;
                }
                let outcome = match job.kind {
                    JobKind::Employees => sync::employees::run_item(app, job, context, &item).await,
                    JobKind::Attendance => match context.place_id.as_deref() {
                        Some(place_id) => crate::attendance::pull::run_item(app, job, place_id, &item).await,
                        None => ItemOutcome::failed("JOB_FAILED", "no Hanet place is selected", None),
                    },
                    JobKind::AttendanceDays => crate::attendance::recompute::run_item(app, job, &item).await,
                };
                if let Err(e) = store::finish_item(&app.db, job.id, item.id, &outcome).await {
                    tracing::error!(job.id = %job.id, error = e.message(), "recording an item failed; it will run again");
                }
                app.jobs.changed(job.id);
            }
        })
        .buffer_unordered(concurrency)
        .collect::<()>()
        .await;
    Ok(())
}
