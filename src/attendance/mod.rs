//! Attendance (design §1.5): check-ins from the webhook and from pulls in one de-duplicated
//! store, attendance days stored and kept current as check-ins arrive, and a live feed of
//! matched check-ins.

pub mod day_rows;
pub mod days;
mod feed;
mod graphql;
pub mod ingest;
pub mod pull;
pub mod recompute;
pub mod remap;
pub mod service;
pub mod types;
pub mod webhook;

use tokio::sync::broadcast;

pub use feed::AttendanceSubscription;
pub use graphql::{AttendanceMutation, AttendanceQuery};

/// Wakes live check-in feeds when new rows are stored (they also poll, for other processes).
pub struct CheckinHub(broadcast::Sender<()>);

impl Default for CheckinHub {
    fn default() -> Self {
        Self(broadcast::channel(64).0)
    }
}

impl CheckinHub {
    pub fn notify(&self) {
        let _ = self.0.send(());
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<()> {
        self.0.subscribe()
    }
}
