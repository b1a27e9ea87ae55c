//! `checkinRecorded`: the live feed of a company's matched check-ins.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::Duration,
};

use async_graphql::{Context, Subscription};
use chrono::{DateTime, Utc};
use entity::checkin;
use futures_util::Stream;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::attendance::types::Checkin;
use crate::auth::{ContextExt, Permission};
use crate::state::AppContext;

/// Live attendance.
#[derive(Default)]
pub struct AttendanceSubscription;

/// Live attendance.
#[Subscription]
impl AttendanceSubscription {
    /// The company's matched check-ins as they are stored, from whichever source, from the
    /// moment of subscribing. Only live ones are sent: a check-in captured more than five minutes
    /// before it was stored (a backfill or a late catch-up) is not.
    async fn checkin_recorded(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = Checkin> + use<>> {
        let scope = ctx.scope(Permission::ReadCompany)?;
        crate::linking::service::camera_company(&ctx.app()?.db, scope.company_id).await?;
        let app = ctx.app()?.clone();
        let rows = app.checkin_readers.subscribe(&app, scope.company_id);
        Ok(futures_util::stream::unfold(rows, |mut rows| async move {
            loop {
                match rows.recv().await {
                    Ok(row) => return Some((Checkin((*row).clone()), rows)),
                    // A subscriber too slow for the feed skips what it missed.
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        }))
    }
}

/// One reader per company with subscribers, per process: it reads new rows once and hands them
/// to every subscriber of the company (so 2,000 subscribers cost one query per wake, not
/// 2,000). It stops when its last subscriber is gone.
#[derive(Default)]
pub struct Readers(Mutex<HashMap<Uuid, broadcast::Sender<Arc<checkin::Model>>>>);

/// Rows a subscriber may fall behind before it skips.
const SUBSCRIBER_BUFFER: usize = 1024;

impl Readers {
    pub fn subscribe(
        &self,
        app: &crate::state::AppState,
        company_id: Uuid,
    ) -> broadcast::Receiver<Arc<checkin::Model>> {
        let mut readers = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(sender) = readers.get(&company_id)
            && sender.receiver_count() > 0
        {
            return sender.subscribe();
        }
        let (sender, receiver) = broadcast::channel(SUBSCRIBER_BUFFER);
        readers.insert(company_id, sender.clone());
        let feed = Feed {
            wake: app.checkins.subscribe(),
            app: app.clone(),
            company_id,
            since: Utc::now(),
            sent: HashMap::new(),
            queue: VecDeque::new(),
        };
        tokio::spawn(feed.run(sender));
        receiver
    }
}

/// A live feed's position. Rows are read by the time they were received, then id, a page at a
/// time until a short page. A trailing window is read again on every poll, so a batch that
/// commits after a later single row is still sent; ids remembered for the window make sure
/// nothing is sent twice.
struct Feed {
    app: crate::state::AppState,
    wake: broadcast::Receiver<()>,
    company_id: Uuid,
    since: DateTime<Utc>,
    sent: HashMap<Uuid, DateTime<Utc>>,
    queue: VecDeque<checkin::Model>,
}

/// How late a row may commit after the moment it was received.
const FEED_WINDOW_SECS: i64 = 10;
/// A row captured longer than this before it was stored is a backfill, not live.
const LIVE_SECS: i64 = 300;
/// Rows per read.
const PAGE: u64 = 500;

impl Feed {
    /// Reads and hands out rows until no subscriber is left.
    async fn run(mut self, sender: broadcast::Sender<Arc<checkin::Model>>) {
        // Live from now on: what is already stored is not replayed.
        self.poll().await;
        self.queue.clear();
        loop {
            tokio::select! {
                _ = self.wake.recv() => {}
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
            if sender.receiver_count() == 0 {
                let readers = &self.app.checkin_readers;
                let mut map = readers.0.lock().unwrap_or_else(|e| e.into_inner());
                // Only forget it if no one subscribed in the meantime.
                if sender.receiver_count() == 0 {
                    map.remove(&self.company_id);
                    return;
                }
            }
            self.poll().await;
            for row in self.queue.drain(..) {
                let _ = sender.send(Arc::new(row));
            }
        }
    }

    async fn poll(&mut self) {
        let mut after = (
            self.since - chrono::Duration::seconds(FEED_WINDOW_SECS),
            Uuid::nil(),
        );
        loop {
            let rows = checkin::Entity::find()
                .filter(checkin::Column::CompanyId.eq(self.company_id))
                .filter(checkin::Column::ReceivedAt.gte(after.0))
                .filter(
                    Condition::any()
                        .add(checkin::Column::ReceivedAt.gt(after.0))
                        .add(checkin::Column::Id.gt(after.1)),
                )
                .order_by_asc(checkin::Column::ReceivedAt)
                .order_by_asc(checkin::Column::Id)
                .limit(PAGE)
                .all(&self.app.db)
                .await;
            let Ok(rows) = rows else { return };
            let short = (rows.len() as u64) < PAGE;
            for row in rows {
                after = (row.received_at, row.id);
                self.since = self.since.max(row.received_at);
                let live =
                    row.captured_at >= row.received_at - chrono::Duration::seconds(LIVE_SECS);
                if self.sent.insert(row.id, row.received_at).is_none()
                    && live
                    && row.employee_id.is_some()
                {
                    self.queue.push_back(row);
                }
            }
            if short {
                break;
            }
        }
        let horizon = self.since - chrono::Duration::seconds(FEED_WINDOW_SECS * 2);
        self.sent.retain(|_, at| *at >= horizon);
    }
}
