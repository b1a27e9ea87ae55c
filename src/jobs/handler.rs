//! What a job kind does, behind one trait, so the runner knows no kind: [`JobHandler::prepare`]
//! reads what a run's items share once (the place, Hanet's person list) and returns the
//! [`PreparedJob`] that runs each item; [`JobHandler::finished`] acts on the job's end. Each
//! kind's code lives in its own module (employee sync in `sync::employees`, check-in pulls in
//! `attendance::pull`, day recomputes in `attendance::recompute`); [`handler`] registers them.

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

/// The handler of a kind.
pub fn handler(kind: JobKind) -> &'static dyn JobHandler {
    match kind {
        JobKind::Employees => &crate::sync::employees::EmployeeSync,
        JobKind::Attendance => &crate::attendance::pull::Pull,
        JobKind::AttendanceDays => &crate::attendance::recompute::Recompute,
    }
}
