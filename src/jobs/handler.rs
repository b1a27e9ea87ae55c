//! What a job kind does, behind one trait, so the runner knows no kind: [`JobHandler::prepare`]
//! reads what a run's items share once (the place, Hanet's person list) and returns the
//! [`PreparedJob`] that runs each item; [`JobHandler::finished`] acts on the job's end. Each
//! kind's code lives in its own domain module; the table of kinds ([`Kinds`]) is built at
//! startup (`crate::workers`) and handed to the runner, so this module names none of them.

use std::{collections::HashMap, sync::Arc};

use entity::{
    sync_job::{self, JobKind},
    sync_job_item,
};

use super::store::ItemOutcome;
use crate::state::AppState;

/// A job kind.
#[async_trait::async_trait]
pub trait JobHandler: Send + Sync {
    /// Prepares a run (once per claim); `Err` fails the job and its open items with the reason.
    async fn prepare(
        &self,
        app: &AppState,
        job: &sync_job::Model,
    ) -> Result<Box<dyn PreparedJob>, String>;

    /// After the job ended, whatever its status.
    async fn finished(&self, _app: &AppState, _job: &sync_job::Model) {}
}

/// A prepared run: runs one item (idempotently: an item a dead worker left may run again).
#[async_trait::async_trait]
pub trait PreparedJob: Send + Sync {
    async fn run_item(
        &self,
        app: &AppState,
        job: &sync_job::Model,
        item: &sync_job_item::Model,
    ) -> ItemOutcome;
}

/// The handler of each job kind, built once at startup.
#[derive(Clone, Default)]
pub struct Kinds(Arc<HashMap<JobKind, Arc<dyn JobHandler>>>);

impl Kinds {
    pub fn new(handlers: impl IntoIterator<Item = (JobKind, Arc<dyn JobHandler>)>) -> Self {
        Self(Arc::new(handlers.into_iter().collect()))
    }

    /// The handler of `kind`; none when this build has no worker for it (the job fails with
    /// that reason rather than staying queued forever).
    pub fn get(&self, kind: JobKind) -> Option<&dyn JobHandler> {
        self.0.get(&kind).map(|h| h.as_ref())
    }
}
