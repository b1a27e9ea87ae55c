//! One Hanet request budget per account shared by every process (design §9): a GCRA ("virtual
//! scheduling") in PostgreSQL. Each request moves the account's theoretical arrival time (`tat`)
//! one interval ahead in a single guarded upsert, granted only when `tat` has come (no burst),
//! so requests of all processes together are spaced at least one interval apart on the
//! database's clock. The interval is the configured rate's, 10% slower, so that network jitter
//! between the grant and Hanet cannot put more than `HANET_RATE_LIMIT_PER_SECOND` requests into
//! any second Hanet counts. Measured choice: one indexed upsert (~0.3 ms on a local PostgreSQL)
//! per call is far below a Hanet call's cost, so no batching is needed; a per-account lease
//! would idle the other processes' workers instead.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};
use uuid::Uuid;

pub struct SharedBudget {
    db: DatabaseConnection,
    interval: Duration,
}

impl SharedBudget {
    /// A budget of `per_second` requests per account, or `None` off PostgreSQL (one process:
    /// the in-process limiter is exact there).
    pub fn new(db: &DatabaseConnection, per_second: u32) -> Option<Self> {
        (db.get_database_backend() == DatabaseBackend::Postgres).then(|| Self {
            db: db.clone(),
            interval: Duration::from_secs_f64(1.1 / f64::from(per_second.max(1))),
        })
    }

    /// Waits until the account may send one request. A database error lets the request go (the
    /// vendor's own 429 is retried): the budget protects the account, it must not stop it.
    pub async fn take(&self, account: Uuid) {
        let micros = self.interval.as_micros().min(i64::MAX as u128) as i64;
        let grant = Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "INSERT INTO hanet_budget (account_id, tat) VALUES ($1, now() + make_interval(secs => $2::float8 / 1e6)) \
             ON CONFLICT (account_id) DO UPDATE \
               SET tat = GREATEST(hanet_budget.tat, now()) + make_interval(secs => $2::float8 / 1e6) \
               WHERE hanet_budget.tat <= now() \
             RETURNING tat",
            [account.into(), micros.into()],
        );
        let wait = Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT GREATEST(EXTRACT(EPOCH FROM (tat - now())), 0)::float8 AS wait FROM hanet_budget WHERE account_id = $1",
            [account.into()],
        );
        loop {
            match self.db.query_one_raw(grant.clone()).await {
                Ok(Some(_)) => return,
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "the shared Hanet budget is unreadable; sending anyway");
                    return;
                }
            }
            let seconds = match self.db.query_one_raw(wait.clone()).await {
                Ok(Some(row)) => row.try_get::<f64>("", "wait").unwrap_or(0.0),
                _ => 0.0,
            };
            let pause = Duration::from_secs_f64(seconds.clamp(0.001, 5.0));
            tokio::time::sleep(pause).await;
        }
    }
}
