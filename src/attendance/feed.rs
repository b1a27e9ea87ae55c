//! `checkinRecorded`: the live feed of a company's matched check-ins.

use std::{
    collections::{HashMap, VecDeque},
    time::Duration,
};

use async_graphql::{Context, Subscription};
use chrono::{DateTime, Utc};
use entity::checkin;
use futures_util::Stream;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::broadcast;
use uuid::Uuid;

use super::types::Checkin;
use crate::auth::{ContextExt, Permission};

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
        let mut feed = Feed {
            wake: app.checkins.subscribe(),
            app,
            company_id: scope.company_id,
            since: Utc::now(),
            sent: HashMap::new(),
            queue: VecDeque::new(),
        };
        // Live from now on: what is already stored is not replayed.
        feed.poll().await;
        feed.queue.clear();
        Ok(futures_util::stream::unfold(feed, |mut feed| async move {
            loop {
                if let Some(row) = feed.queue.pop_front() {
                    return Some((Checkin(row), feed));
                }
                tokio::select! {
                    _ = feed.wake.recv() => {}
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
                feed.poll().await;
            }
        }))
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
