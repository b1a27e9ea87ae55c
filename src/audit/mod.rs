//! The audit log (design §8): who did what and when, with the target and a JSON of the change.
//! [`record`] is called with the transaction of the change it records, so a change and its
//! line commit together or not at all.

mod graphql;
pub use graphql::{AuditAction, AuditQuery};
mod service;

pub use service::*;
