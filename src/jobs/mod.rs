//! The job engine: durable job and item rows, leased workers, retries and progress events.
//! It knows no kind and no domain: each kind's work is a typed [`handler::Worker`] of its
//! domain, and the table of kinds (`crate::workers`) is built at startup into the state. Jobs in the
//! schema are `crate::sync::jobs`.

pub mod handler;
pub mod items;
mod outcome;
pub mod runner;
pub mod service;
pub mod store;
