//! Background jobs (design §1.4, §1.5): durable rows, leased workers, live progress.
//! `startEmployeeSync`, `cancelSyncJob`, `retrySyncJob`, `syncJobs`, `syncJob`,
//! `syncJobProgress`.

mod enums;
mod graphql;
pub mod handler;
mod input;
pub mod items;
mod progress;
pub mod runner;
pub mod service;
pub mod store;

pub use graphql::{JobsMutation, JobsQuery, JobsSubscription, SyncJob};
pub use input::{StartEmployeeSyncInput, selection};
