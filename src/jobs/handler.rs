//! What a job kind does, so the engine knows no kind. A kind is a typed [`Worker`] (River's
//! model): typed arguments for the job and for each item, a run prepared once per claim (the
//! place, the vendor's person list), one [`Worker::work`] per item, and what happens when the
//! job ends. The engine stores arguments as JSON; one adapter ([`Typed`]) reads them back, so no
//! kind writes "parse the params or fail the item" itself. The table of kinds ([`Kinds`]) is
//! built at startup (`crate::workers`) and kept in the application state.

use std::{collections::HashMap, sync::Arc};

use entity::{
    sync_job::{self, JobKind},
    sync_job_item,
};
use serde::de::DeserializeOwned;

pub use super::outcome::ItemOutcome;
use crate::state::AppState;

/// A job kind's work, typed.
#[async_trait::async_trait]
pub trait Worker: Send + Sync + 'static {
    /// The kind of the jobs it works.
    const KIND: JobKind;
    /// What the user is told when a job of this kind cannot be queued because one is queued or
    /// running for the company already.
    const BUSY: &'static str;
    /// A job that must run to its end: it cannot be cancelled, and its retry does its cancelled
    /// items again as well as its failed ones.
    const MUST_FINISH: bool = false;
    /// The job's arguments (`sync_jobs.params`); absent or unreadable ones are the default.
    type JobArgs: DeserializeOwned + Default + Send;
    /// One item's arguments (`sync_job_items.params`; JSON `null` when the item has none). An
    /// item whose arguments do not read fails alone with `BAD_ITEM`.
    type Args: DeserializeOwned + Send;
    /// What a run's items share, read once per claim.
    type Run: Send + Sync;

    /// Prepares a run; `Err` fails the job and its open items with the reason.
    async fn prepare(
        &self,
        app: &AppState,
        job: &sync_job::Model,
        args: Self::JobArgs,
    ) -> Result<Self::Run, String>;

    /// Does one item. Idempotent: an item a dead worker left may be done again.
    async fn work(
        &self,
        app: &AppState,
        job: &sync_job::Model,
        run: &Self::Run,
        item: &sync_job_item::Model,
        args: Self::Args,
    ) -> ItemOutcome;

    /// After the job ended, whatever its status.
    async fn finished(&self, _app: &AppState, _job: &sync_job::Model) {}
}

/// A kind as the engine sees it: the typed worker behind JSON arguments.
#[async_trait::async_trait]
pub trait JobHandler: Send + Sync {
    /// Prepares a run (once per claim); `Err` fails the job and its open items with the reason.
    async fn prepare(
        &self,
        app: &AppState,
        job: &sync_job::Model,
    ) -> Result<Box<dyn PreparedJob>, String>;

    /// After the job ended, whatever its status.
    async fn finished(&self, app: &AppState, job: &sync_job::Model);
}

/// A prepared run: runs one item.
#[async_trait::async_trait]
pub trait PreparedJob: Send + Sync {
    async fn run_item(
        &self,
        app: &AppState,
        job: &sync_job::Model,
        item: &sync_job_item::Model,
    ) -> ItemOutcome;
}

/// The one adapter from a typed [`Worker`] to the engine.
struct Typed<W>(Arc<W>);

/// A typed worker's prepared run.
struct TypedRun<W: Worker> {
    worker: Arc<W>,
    run: W::Run,
}

#[async_trait::async_trait]
impl<W: Worker> JobHandler for Typed<W> {
    async fn prepare(
        &self,
        app: &AppState,
        job: &sync_job::Model,
    ) -> Result<Box<dyn PreparedJob>, String> {
        let args = job
            .params
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or_default();
        let run = self.0.prepare(app, job, args).await?;
        Ok(Box::new(TypedRun {
            worker: self.0.clone(),
            run,
        }))
    }

    async fn finished(&self, app: &AppState, job: &sync_job::Model) {
        self.0.finished(app, job).await;
    }
}

#[async_trait::async_trait]
impl<W: Worker> PreparedJob for TypedRun<W> {
    async fn run_item(
        &self,
        app: &AppState,
        job: &sync_job::Model,
        item: &sync_job_item::Model,
    ) -> ItemOutcome {
        let args = match serde_json::from_str(item.params.as_deref().unwrap_or("null")) {
            Ok(args) => args,
            Err(e) => {
                return ItemOutcome::failed(
                    "BAD_ITEM",
                    format!("the item's parameters do not read: {e}"),
                    None,
                );
            }
        };
        self.worker.work(app, job, &self.run, item, args).await
    }
}

/// How the engine treats a kind's jobs.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// See [`Worker::BUSY`].
    pub busy: &'static str,
    /// See [`Worker::MUST_FINISH`].
    pub must_finish: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            busy: "a job of this kind is already queued or running for this company; wait for it or cancel it",
            must_finish: false,
        }
    }
}

/// One kind in the table: its worker behind the adapter, and its policy.
#[derive(Clone)]
struct Kind {
    handler: Arc<dyn JobHandler>,
    policy: Policy,
}

/// The worker of each job kind, built once at startup.
#[derive(Clone, Default)]
pub struct Kinds(Arc<HashMap<JobKind, Kind>>);

impl Kinds {
    /// No kinds yet; add each with [`Kinds::with`].
    pub fn new() -> Self {
        Self::default()
    }

    /// The table with `worker` for its kind.
    pub fn with<W: Worker>(self, worker: W) -> Self {
        let mut table = Arc::unwrap_or_clone(self.0);
        let policy = Policy {
            busy: W::BUSY,
            must_finish: W::MUST_FINISH,
        };
        table.insert(
            W::KIND,
            Kind {
                handler: Arc::new(Typed(Arc::new(worker))),
                policy,
            },
        );
        Self(Arc::new(table))
    }

    /// The handler of `kind`; none when this build has no worker for it (the job fails with
    /// that reason rather than staying queued forever).
    pub fn get(&self, kind: JobKind) -> Option<&dyn JobHandler> {
        self.0.get(&kind).map(|k| k.handler.as_ref())
    }

    /// How `kind`'s jobs are treated (the default for a kind without a worker).
    pub fn policy(&self, kind: JobKind) -> Policy {
        self.0.get(&kind).map(|k| k.policy).unwrap_or_default()
    }
}
