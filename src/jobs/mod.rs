//! The job engine: durable job and item rows, leased workers, retries and progress events.
//! It knows no kind and no domain: each kind's work is a [`handler::JobHandler`] of its domain,
//! and the table of kinds (`crate::workers`) is handed to the runner at startup. Jobs in the
//! schema are `crate::sync::jobs`.

pub mod handler;
pub mod items;
pub mod runner;
pub mod service;
pub mod store;
