//! Jobs in the schema: `syncJobs`, `syncJob`, `cancelSyncJob`, `retrySyncJob` and the
//! `syncJobProgress` subscription, with each item's employee. The engine that runs them
//! (`crate::jobs`) knows no kind; this is where jobs meet the domain.

mod enums;
mod graphql;
mod progress;

pub use graphql::{JobsMutation, JobsQuery, JobsSubscription, SyncJob};
