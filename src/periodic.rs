//! Work the server does on a clock: one mechanism for every loop. A [`Task`] runs every
//! interval in exactly one of the processes that share the database: before each run the
//! process takes the task's lease (`periodic:<name>`, in the `leases` table, for a little less
//! than the interval), and a process that does not get it skips that interval. A process may
//! take its own lease again, so the one that runs a task keeps running it until it stops; when
//! it dies, another takes over once the lease lapses. Each run is logged when it did something
//! or failed, and counted in `timekeeping_periodic_runs_total{task, outcome}`.
//!
//! The tasks (each in its domain): storing expected days (`days`), the check-in catch-up
//! (`catch_up`), photo retention (`photo_retention`), the export sweep (`export_sweep`), the
//! automatic sync (`auto_sync`) and the drift reconcile (`reconcile`). The job runner is not a
//! task: it claims jobs one by one, each with its own lease.

use std::{future::Future, time::Duration};

use crate::{error::ApiResult, state::AppState};

/// When a task first runs.
#[derive(Clone, Copy, Debug)]
pub enum Start {
    /// At once, then every interval.
    Now,
    /// After one interval.
    AfterInterval,
}

/// A periodic task.
#[derive(Clone, Copy, Debug)]
pub struct Task {
    /// Its name: the lease, the log field and the metric label. Constant (bounded labels).
    pub name: &'static str,
    /// Time between runs.
    pub interval: Duration,
    /// When it first runs.
    pub start: Start,
}

/// Runs `task` until the process ends; `run` returns how much it did (0: nothing to log).
pub fn spawn<F, Fut>(app: AppState, task: Task, run: F)
where
    F: Fn(AppState) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ApiResult<usize>> + Send,
{
    tokio::spawn(async move {
        if matches!(task.start, Start::AfterInterval) {
            tokio::time::sleep(task.interval).await;
        }
        loop {
            once(&app, task, &run).await;
            tokio::time::sleep(task.interval).await;
        }
    });
}

/// One interval of `task`: runs it when this process holds its lease.
async fn once<F, Fut>(app: &AppState, task: Task, run: &F)
where
    F: Fn(AppState) -> Fut,
    Fut: Future<Output = ApiResult<usize>>,
{
    let lease = format!("periodic:{}", task.name);
    // A little shorter than the interval, so the holder's next run finds it lapsed or its own.
    let hold = chrono::Duration::from_std(task.interval.mul_f64(0.9))
        .unwrap_or_else(|_| chrono::Duration::hours(1));
    match crate::leases::try_claim(&app.db, &lease, &app.jobs.worker_id, hold).await {
        Ok(true) => {}
        Ok(false) => return,
        Err(e) => {
            tracing::warn!(
                task = task.name,
                error = e.message(),
                "periodic task: taking its lease failed; trying next interval"
            );
            return;
        }
    }
    let outcome = match run(app.clone()).await {
        Ok(0) => "ok",
        Ok(done) => {
            tracing::info!(task = task.name, done, "periodic task ran");
            "ok"
        }
        Err(e) => {
            tracing::warn!(
                task = task.name,
                error = e.message(),
                "periodic task failed; trying next interval"
            );
            "failed"
        }
    };
    crate::metrics::METRICS
        .periodic_runs
        .with_label_values(&[task.name, outcome])
        .inc();
}
