//! Events across processes (design §9): job changes and new check-ins are published with
//! PostgreSQL `NOTIFY`, and one `LISTEN` connection per process fans them out to the local hubs,
//! so a subscriber on any process hears of a change made on another within milliseconds. The
//! subscribers' slow poll stays as a safety net (a notification sent while a listener was
//! reconnecting is lost). SQLite is one process: nothing to relay.

mod hubs;
pub use hubs::{CheckinHub, JobHub};
mod relay;

pub use relay::*;
