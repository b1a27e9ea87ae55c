//! In-process signals about jobs: wake the workers when a job is queued, tell subscribers a job
//! changed. Subscribers read the job's state from the database, so changes made by another
//! process reach them too (they also poll).

use tokio::sync::{Notify, broadcast};
use uuid::Uuid;

pub struct JobHub {
    /// This process's worker identity (the lease owner).
    pub worker_id: String,
    pub wake: Notify,
    pub cancel: Notify,
    changes: broadcast::Sender<Uuid>,
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
        }
    }
}

impl JobHub {
    pub fn changed(&self, job_id: Uuid) {
        let _ = self.changes.send(job_id);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Uuid> {
        self.changes.subscribe()
    }
}
