//! Background workers inside the server process. A job is claimed with a lease (a
//! compare-and-set on its row), so exactly one worker of any process sharing the database runs
//! it; the lease is renewed while the job runs, and a job whose worker died (crash, `kill -9`,
//! deploy) is claimed again once its lease expires and finishes. Each item is claimed too, with
//! a lease of its own under the job's owner, so an item is never in flight on two workers; an
//! item a dead worker left half done is done again once its claim lapses (items are idempotent:
//! the employee sync looks a person up before creating one). Lease times come from the
//! database's clock; outcomes and the job's end are recorded only by the current owner.
//! Fairness: a company with a job running waits behind companies without one.
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
use entity::sync_job::{self, JobStatus};
use futures_util::{StreamExt, stream};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use std::collections::HashSet;
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::{handler, items, store};
use crate::{leases, state::AppState};

/// Starts the job loop with the handler of each kind; it runs until the process ends.
pub fn spawn(app: AppState) {
    let kinds = app.kinds.clone();
    tokio::spawn(async move {
        let slots = Arc::new(Semaphore::new(app.settings.max_concurrent_jobs.max(1)));
        loop {
            let Ok(permit) = slots.clone().acquire_owned().await else {
                return;
            };
            match claim_next(&app).await {
                Ok(Some(job)) => {
                    let (app, kinds) = (app.clone(), kinds.clone());
                    tokio::spawn(async move {
                        run(app, &kinds, job).await;
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

fn claimable(now: chrono::DateTime<Utc>) -> Condition {
    Condition::any()
        .add(sync_job::Column::Status.eq(JobStatus::Queued))
        .add(
            Condition::all()
                .add(sync_job::Column::Status.eq(JobStatus::Running))
                .add(sync_job::Column::LeaseExpiresAt.lt(now)),
        )
}

/// Claims the oldest job nobody holds, companies without a running job first (so one company's
/// queue does not starve another's sync).
async fn claim_next(app: &AppState) -> crate::error::ApiResult<Option<sync_job::Model>> {
    let now = leases::now(&app.db).await?;
    let mut candidates = sync_job::Entity::find()
        .filter(claimable(now))
        .order_by_asc(sync_job::Column::CreatedAt)
        .limit(32)
        .all(&app.db)
        .await?;
    if candidates.is_empty() {
        return Ok(None);
    }
    let busy: HashSet<Uuid> = sync_job::Entity::find()
        .select_only()
        .column(sync_job::Column::CompanyId)
        .filter(sync_job::Column::Status.eq(JobStatus::Running))
        .filter(sync_job::Column::LeaseExpiresAt.gte(now))
        .into_tuple::<Uuid>()
        .all(&app.db)
        .await?
        .into_iter()
        .collect();
    // Stable: within each group the oldest first.
    candidates.sort_by_key(|job| busy.contains(&job.company_id));
    for job in candidates {
        // Unique per claim: a worker that lost its lease can tell, even if its own process
        // claimed the job again.
        let owner = format!("{}/{}", app.jobs.worker_id, Uuid::new_v4().simple());
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
            .filter(claimable(now))
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

/// The heartbeat task; aborted when dropped, so it cannot outlive its job, whatever way `run`
/// ends (a panic in an item included).
struct Heartbeat(tokio::task::JoinHandle<()>);

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Renews the job's lease and its items' claims, and watches for cancellation, until dropped.
fn heartbeat(app: &AppState, job_id: Uuid, owner: String, signals: Arc<Signals>) -> Heartbeat {
    let app = app.clone();
    Heartbeat(tokio::spawn(async move {
        let period = app.settings.job_lease() / 3;
        let period = period.to_std().unwrap_or(Duration::from_secs(5));
        loop {
            tokio::select! {
                () = tokio::time::sleep(period) => {}
                () = app.jobs.cancel.notified() => {}
            }
            let until = match leases::now(&app.db).await {
                Ok(now) => now + app.settings.job_lease(),
                Err(e) => {
                    tracing::warn!(job.id = %job_id, error = e.message(), "reading the database clock failed");
                    continue;
                }
            };
            let renewed = sync_job::Entity::update_many()
                .col_expr(sync_job::Column::LeaseExpiresAt, Expr::value(Some(until)))
                .filter(sync_job::Column::Id.eq(job_id))
                .filter(sync_job::Column::LeaseOwner.eq(owner.clone()))
                .exec(&app.db)
                .await;
            if let Err(e) = items::renew_items(&app.db, job_id, &owner, until).await {
                tracing::warn!(job.id = %job_id, error = e.message(), "renewing item claims failed");
            }
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
    }))
}

async fn run(app: AppState, kinds: &handler::Kinds, job: sync_job::Model) {
    let signals = Arc::new(Signals {
        cancel: AtomicBool::new(job.cancel_requested),
        ..Default::default()
    });
    let owner = job.lease_owner.clone().unwrap_or_default();
    let beat = heartbeat(&app, job.id, owner.clone(), signals.clone());
    let result = match kinds.get(job.kind) {
        Some(kind) => run_items(&app, kind, &job, &owner, &signals).await,
        None => Err(format!("this server has no worker for {:?} jobs", job.kind)),
    };
    drop(beat);
    if signals.lease_lost.load(Ordering::Relaxed) {
        tracing::warn!(job.id = %job.id, "lost the job's lease; another worker finishes it");
        return;
    }
    let cancelled = signals.cancel.load(Ordering::Relaxed);
    match store::finish_job(&app.db, job.id, Some(&owner), cancelled, result.err()).await {
        Ok(Some(done)) => {
            tracing::info!(job.id = %job.id, status = ?done.status, succeeded = done.succeeded, failed = done.failed, "job finished");
            if let Some(kind) = kinds.get(done.kind) {
                kind.finished(&app, &done).await;
            }
        }
        Ok(None) => {
            tracing::warn!(job.id = %job.id, "the job's lease passed to another worker before it ended; that worker finishes it")
        }
        Err(e) => {
            tracing::error!(job.id = %job.id, error = e.message(), "finishing a job failed; it will be resumed")
        }
    }
    app.jobs.changed(job.id);
}

/// Runs the job's open items, a few at a time, each under a claim. Items another worker still
/// holds (its claim has not lapsed) are waited for and taken over only once it lapses. `Err`
/// fails the whole job (its open items fail too).
async fn run_items(
    app: &AppState,
    kind: &dyn handler::JobHandler,
    job: &sync_job::Model,
    owner: &str,
    signals: &Signals,
) -> Result<(), String> {
    let prepared = kind.prepare(app, job).await?;
    let concurrency = app.settings.sync_concurrency.max(1);
    let stopped =
        || signals.cancel.load(Ordering::Relaxed) || signals.lease_lost.load(Ordering::Relaxed);
    loop {
        let items = items::open_items(&app.db, job.id)
            .await
            .map_err(|e| e.message())?;
        if items.is_empty() || stopped() {
            return Ok(());
        }
        // Items under our own claim are ours to finish or close: their result could not be
        // recorded (the job's end closes them), or they already ran in this pass.
        if items.iter().all(|i| i.claimed_by.as_deref() == Some(owner)) {
            return Ok(());
        }
        let ran = AtomicBool::new(false);
        stream::iter(items)
            .map(|item| {
                let (prepared, ran) = (&prepared, &ran);
                async move {
                    if stopped() {
                        return;
                    }
                    let claimed = match leases::now(&app.db).await {
                        Ok(now) => items::claim_item(&app.db, job.id, item.id, owner, now, now + app.settings.job_lease()).await,
                        Err(e) => Err(e),
                    };
                    match claimed {
                        Ok(true) => ran.store(true, Ordering::Relaxed),
                        // Another worker's live claim, or the job is no longer ours.
                        Ok(false) => return,
                        Err(e) => {
                            tracing::error!(error = e.message(), "claiming an item failed");
                            return;
                        }
                    }
                    // Every log line of the item carries the job, the item and the company.
                    let span = tracing::info_span!(
                        "job.item",
                        job.id = %job.id,
                        job.kind = ?job.kind,
                        item.id = %item.id,
                        item.seq = item.seq,
                        company.id = %job.company_id,
                    );
                    let outcome = tracing::Instrument::instrument(
                        prepared.run_item(app, job, &item),
                        span,
                    )
                    .await;
                    if let Err(e) = items::finish_item(&app.db, job.id, item.id, owner, &outcome).await {
                        tracing::error!(job.id = %job.id, error = e.message(), "recording an item failed");
                    }
                    app.jobs.changed(job.id);
                }
            })
            .buffer_unordered(concurrency)
            .collect::<()>()
            .await;
        if !ran.load(Ordering::Relaxed) {
            // Every open item is held by another worker's live claim (a worker that lost the
            // job's lease finishing its last items): wait for them to end or lapse.
            tokio::time::sleep(app.settings.job_poll_interval()).await;
        }
    }
}
