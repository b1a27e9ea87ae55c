//! `syncJobProgress`: the job's current state first, then one event per finished item or status
//! change, the terminal event last (exactly one), then the end of the stream.

use std::{collections::VecDeque, time::Duration};

use entity::sync_job::{self, JobStatus};
use futures_util::Stream;
use sea_orm::EntityTrait;
use uuid::Uuid;

use super::graphql::{SyncJob, SyncJobItem, SyncJobProgress};
use crate::jobs::service;
use crate::{
    error::{ApiError, ApiResult},
    state::AppState,
};

struct Watch {
    app: AppState,
    changes: tokio::sync::broadcast::Receiver<Uuid>,
    job_id: Uuid,
    last: Option<sync_job::Model>,
    /// The highest `finish_seq` already sent: each finished item is sent once.
    sent: i32,
    queue: VecDeque<SyncJobProgress>,
    done: bool,
}

pub(super) fn progress_stream(
    app: AppState,
    job: sync_job::Model,
) -> impl Stream<Item = async_graphql::Result<SyncJobProgress>> {
    let changes = app.jobs.subscribe();
    let mut queue = VecDeque::new();
    let done = job.status.is_terminal();
    queue.push_back(SyncJobProgress {
        job: SyncJob(job.clone()),
        item: None,
    });
    let watch = Watch {
        app,
        changes,
        job_id: job.id,
        sent: job.succeeded + job.failed,
        last: Some(job),
        queue,
        done,
    };
    futures_util::stream::unfold(watch, |mut w| async move {
        loop {
            if let Some(event) = w.queue.pop_front() {
                return Some((Ok(event), w));
            }
            if w.done {
                return None;
            }
            w.wait().await;
            if let Err(e) = w.refresh().await {
                w.done = true;
                return Some((Err(e.into()), w));
            }
        }
    })
}

impl Watch {
    /// Until this job changes here, or a second passes (changes made by other processes).
    async fn wait(&mut self) {
        let deadline = tokio::time::sleep(Duration::from_secs(1));
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                () = &mut deadline => return,
                change = self.changes.recv() => match change {
                    Ok(id) if id == self.job_id => return,
                    Ok(_) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => return,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                },
            }
        }
    }

    /// Queues one event per item finished since the last look, and one for a status change.
    async fn refresh(&mut self) -> ApiResult<()> {
        let job = sync_job::Entity::find_by_id(self.job_id)
            .one(&self.app.db)
            .await?
            .ok_or(ApiError::NotFound("sync job"))?;
        let previous = self.last.take();
        let items = service::finished_since(&self.app.db, self.job_id, self.sent).await?;
        let terminal = job.status.is_terminal();
        let count = items.len();
        for (n, item) in items.into_iter().enumerate() {
            self.sent = self.sent.max(item.finish_seq.unwrap_or(self.sent));
            // Items that finished before the last one finished while the job still ran: only
            // the last event may carry the terminal status (exactly one terminal event).
            let mut seen = job.clone();
            if terminal && n + 1 < count {
                seen.status = JobStatus::Running;
                seen.finished_at = None;
            }
            self.queue.push_back(SyncJobProgress {
                job: SyncJob(seen),
                item: Some(SyncJobItem(item)),
            });
        }
        let status_changed = previous
            .as_ref()
            .is_none_or(|p| p.status != job.status || p.cancel_requested != job.cancel_requested);
        if self.queue.is_empty() && status_changed || terminal && self.queue.is_empty() {
            self.queue.push_back(SyncJobProgress {
                job: SyncJob(job.clone()),
                item: None,
            });
        }
        self.done = terminal;
        self.last = Some(job);
        Ok(())
    }
}
