//! Attendance (design §1.5): check-ins from the webhook and from pulls in one de-duplicated
//! store, attendance days stored and kept current as check-ins arrive, and a live feed of
//! matched check-ins.

pub mod absences;
pub mod corrections;
pub mod day_rows;
pub mod days;
mod feed;
mod graphql;
pub mod ingest;
pub mod plan;
pub mod pull;
mod rebuild;
pub mod recompute;
pub mod remap;
pub mod service;
pub mod types;
pub mod webhook;

use tokio::sync::broadcast;

pub use feed::AttendanceSubscription;
pub use graphql::{AttendanceMutation, AttendanceQuery};

/// Wakes live check-in feeds when new rows are stored, here or (relayed, on PostgreSQL) on
/// another process; the feeds also poll slowly as a safety net.
pub struct CheckinHub {
    wake: broadcast::Sender<()>,
    /// The per-company readers that feed `checkinRecorded` subscribers.
    pub readers: feed::Readers,
    relay: std::sync::OnceLock<crate::events::Relay>,
}

impl Default for CheckinHub {
    fn default() -> Self {
        Self {
            wake: broadcast::channel(64).0,
            readers: Default::default(),
            relay: std::sync::OnceLock::new(),
        }
    }
}

impl CheckinHub {
    /// Check-ins were stored here: wake this process's feeds and tell the others.
    pub fn notify(&self) {
        self.notify_here();
        if let Some(relay) = self.relay.get() {
            relay.checkins_stored();
        }
    }

    /// Check-ins were stored (on another process): wake this process's feeds.
    pub fn notify_here(&self) {
        let _ = self.wake.send(());
    }

    pub fn relay_to(&self, relay: crate::events::Relay) {
        let _ = self.relay.set(relay);
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<()> {
        self.wake.subscribe()
    }
}
