//! Signals about jobs: wake the workers when a job is queued, tell subscribers a job changed.
//! Subscribers read the job's state from the database; on PostgreSQL a change is also relayed
//! to the other processes ([`crate::events`]), and subscribers poll slowly as a safety net.

use tokio::sync::{Notify, broadcast};
use uuid::Uuid;

pub struct JobHub {
    /// This process's worker identity (the lease owner).
    pub worker_id: String,
    pub wake: Notify,
    pub cancel: Notify,
    changes: broadcast::Sender<Uuid>,
    relay: std::sync::OnceLock<crate::events::Relay>,
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

    pub fn relay_to(&self, relay: crate::events::Relay) {
        let _ = self.relay.set(relay);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Uuid> {
        self.changes.subscribe()
    }
}
