//! Telling other processes: job changes, check-ins and queued work go out through PostgreSQL
//! `NOTIFY` and come back in through one `LISTEN` per process (in-process only on SQLite).

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::state::AppState;

pub(super) const JOBS: &str = "tk_jobs";
pub(super) const CHECKINS: &str = "tk_checkins";
pub(super) const QUEUED: &str = "tk_queued";

/// Where a hub sends what other processes must hear: the channel and the payload.
#[derive(Clone)]
pub struct Relay {
    origin: String,
    tx: mpsc::UnboundedSender<(&'static str, String)>,
}

impl Relay {
    pub fn job_changed(&self, job_id: Uuid) {
        let _ = self.tx.send((JOBS, format!("{}|{job_id}", self.origin)));
    }

    /// A job was queued: idle workers elsewhere may claim it now instead of at their next poll.
    pub fn job_queued(&self) {
        let _ = self.tx.send((QUEUED, self.origin.clone()));
    }

    pub fn checkins_stored(&self) {
        let _ = self.tx.send((CHECKINS, self.origin.clone()));
    }
}

/// Starts the publisher and the listener (PostgreSQL only).
pub fn start(app: &AppState) {
    if app.db.get_database_backend() != DatabaseBackend::Postgres {
        return;
    }
    let (tx, rx) = mpsc::unbounded_channel();
    let relay = Relay {
        origin: app.jobs.worker_id.clone(),
        tx,
    };
    app.jobs.relay_to(relay.clone());
    app.checkins.relay_to(relay);
    tokio::spawn(publish(app.clone(), rx));
    tokio::spawn(listen(app.clone()));
}

/// Sends the queued notifications, a burst at a time (duplicates within a burst once).
pub(super) async fn publish(
    app: AppState,
    mut rx: mpsc::UnboundedReceiver<(&'static str, String)>,
) {
    while let Some(first) = rx.recv().await {
        let mut burst = vec![first];
        while let Ok(next) = rx.try_recv() {
            if burst.len() >= 256 {
                break;
            }
            burst.push(next);
        }
        burst.sort();
        burst.dedup();
        for (channel, payload) in burst {
            let sent = app
                .db
                .execute_raw(Statement::from_sql_and_values(
                    DatabaseBackend::Postgres,
                    "SELECT pg_notify($1, $2)",
                    [channel.into(), payload.into()],
                ))
                .await;
            if let Err(e) = sent {
                tracing::warn!(error = %e, "publishing an event to other processes failed");
            }
        }
    }
}

/// Hands other processes' notifications to the local hubs; reconnects when the connection drops.
pub(super) async fn listen(app: AppState) {
    use sea_orm::sqlx::postgres::PgListener;
    let url = app.settings.database_url();
    let own = format!("{}|", app.jobs.worker_id);
    loop {
        let mut listener = match PgListener::connect(&url).await {
            Ok(listener) => listener,
            Err(e) => {
                tracing::warn!(error = %e, "connecting the event listener failed; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
        };
        if let Err(e) = listener.listen_all([JOBS, CHECKINS, QUEUED]).await {
            tracing::warn!(error = %e, "LISTEN failed; retrying");
            tokio::time::sleep(Duration::from_secs(2)).await;
            continue;
        }
        loop {
            match listener.recv().await {
                Ok(note) => match note.channel() {
                    JOBS if !note.payload().starts_with(&own) => {
                        if let Some(id) = note
                            .payload()
                            .rsplit('|')
                            .next()
                            .and_then(|id| Uuid::parse_str(id).ok())
                        {
                            app.jobs.changed_here(id);
                        }
                    }
                    CHECKINS if note.payload() != app.jobs.worker_id => app.checkins.notify_here(),
                    QUEUED if note.payload() != app.jobs.worker_id => app.jobs.wake.notify_one(),
                    _ => {}
                },
                Err(e) => {
                    tracing::warn!(error = %e, "the event listener lost its connection; reconnecting");
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
