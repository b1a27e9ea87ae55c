//! Attendance (design §1.5): check-ins from the webhook and from pulls in one de-duplicated
//! store, attendance days stored and kept current as check-ins arrive, and a live feed of
//! matched check-ins.

pub mod absences;
pub mod corrections;
pub mod day_rows;
pub mod days;
pub mod expected;
mod feed;
mod graphql;
pub mod ingest;
pub mod locked;
pub mod plan;
pub mod pull;
pub mod rebuild;
pub mod recompute;
pub mod remap;
pub mod service;
pub mod since;
pub mod types;
pub mod webhook;

pub use feed::{AttendanceSubscription, Readers};
pub use graphql::{AttendanceMutation, AttendanceQuery};
