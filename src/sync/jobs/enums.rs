//! The job enums of the schema and their mapping to the stored ones.

use async_graphql::Enum;
use entity::{
    sync_job::{JobKind, JobStatus},
    sync_job_item::ItemStatus,
};

/// What a job does.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum SyncJobKind {
    /// Pushes employees to the cameras.
    Employees,
    /// Pulls check-ins from the cameras.
    Attendance,
    /// Recomputes the stored attendance days after the company's day settings changed (one
    /// item per month of check-ins).
    AttendanceDays,
}

/// Where a job stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum SyncJobStatus {
    /// Waiting for a worker.
    Queued,
    /// A worker is on it.
    Running,
    /// Every item succeeded.
    Succeeded,
    /// Some items failed; `retrySyncJob` re-runs them.
    PartiallyFailed,
    /// Every item failed, or the job could not run.
    Failed,
    /// Cancelled; items not started were skipped.
    Cancelled,
}

/// Where an item stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum SyncJobItemStatus {
    /// Not started.
    Pending,
    /// In flight.
    Running,
    /// Done.
    Succeeded,
    /// Failed; see `errorCode`, `error` and `hanetCode`.
    Failed,
    /// Skipped because the job was cancelled.
    Cancelled,
}

crate::mirror_enum!(JobKind => SyncJobKind { Employees, Attendance, AttendanceDays });
crate::mirror_enum!(JobStatus => SyncJobStatus { Queued, Running, Succeeded, PartiallyFailed, Failed, Cancelled });
crate::mirror_enum!(ItemStatus => SyncJobItemStatus { Pending, Running, Succeeded, Failed, Cancelled });
