//! The in-process signals: wake job workers and tell subscribers a job changed ([`JobHub`]),
//! wake live check-in feeds ([`CheckinHub`]). Each also tells the other processes through the
//! [`Relay`](super::Relay) on PostgreSQL; subscribers read state from the database and poll
//! slowly as a safety net.

use tokio::sync::{Notify, broadcast};
use uuid::Uuid;

pub struct JobHub {
    /// This process's worker identity (the lease owner).
    pub worker_id: String,
    pub wake: Notify,
    pub cancel: Notify,
    changes: broadcast::Sender<Uuid>,
    relay: std::sync::OnceLock<super::Relay>,
}

impl Default for JobHub {
    fn default() -> Self {
        Self {
            worker_id: format!(
                "{}-{}",
                std::process::id(),
                &Uuid::new_v4().simple().to_string()[..12]
            ),
            wake: Notify::new(),
            cancel: Notify::new(),
            changes: broadcast::channel(4096).0,
            relay: std::sync::OnceLock::new(),
        }
    }
}

impl JobHub {
    /// A job changed here: tell this process's subscribers and the other processes.
    pub fn changed(&self, job_id: Uuid) {
        self.changed_here(job_id);
        if let Some(relay) = self.relay.get() {
            relay.job_changed(job_id);
        }
    }

    /// A job changed (on another process): tell this process's subscribers.
    pub fn changed_here(&self, job_id: Uuid) {
        let _ = self.changes.send(job_id);
    }

    /// A job was queued here: wake a worker here, and the other processes' workers.
    pub fn queued(&self) {
        self.wake.notify_one();
        if let Some(relay) = self.relay.get() {
            relay.job_queued();
        }
    }

    pub fn relay_to(&self, relay: super::Relay) {
        let _ = self.relay.set(relay);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Uuid> {
        self.changes.subscribe()
    }
}

/// Wakes live check-in feeds when new rows are stored, here or (relayed, on PostgreSQL) on
/// another process; the feeds also poll slowly as a safety net.
pub struct CheckinHub {
    wake: broadcast::Sender<()>,
    relay: std::sync::OnceLock<super::Relay>,
}

impl Default for CheckinHub {
    fn default() -> Self {
        Self {
            wake: broadcast::channel(64).0,
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

    pub fn relay_to(&self, relay: super::Relay) {
        let _ = self.relay.set(relay);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<()> {
        self.wake.subscribe()
    }
}
