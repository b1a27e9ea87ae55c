//! Time and named leases from the database, so that several processes agree (design §9).
//!
//! [`now`] is the database's clock on PostgreSQL (processes on different machines drift; the
//! database is the one clock they share) and the process clock on SQLite (one process, one
//! machine). [`try_claim`] takes a named lease — "the catch-up of company X" — for a while, when
//! nobody else holds it: one guarded statement, so exactly one process wins.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement, Value};

use crate::error::{ApiError, ApiResult};

/// The shared clock.
pub async fn now(db: &impl ConnectionTrait) -> ApiResult<DateTime<Utc>> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(Utc::now());
    }
    let row = db
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT now() AS now",
        ))
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("SELECT now() returned no row")))?;
    Ok(row.try_get::<DateTime<Utc>>("", "now")?)
}

/// Takes the lease `name` for `duration` unless another owner holds it unexpired (an owner
/// may take its own lease again). Returns whether `owner` holds it now.
pub async fn try_claim(
    db: &DatabaseConnection,
    name: &str,
    owner: &str,
    duration: Duration,
) -> ApiResult<bool> {
    let now = now(db).await?;
    let until = now + duration;
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "INSERT INTO leases (name, owner, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at \
             WHERE leases.expires_at < $4 OR leases.owner = EXCLUDED.owner"
        }
        _ => {
            "INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?) \
             ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at \
             WHERE leases.expires_at < ? OR leases.owner = excluded.owner"
        }
    };
    let values: Vec<Value> = vec![name.into(), owner.into(), until.into(), now.into()];
    let result = db
        .execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(result.rows_affected() == 1)
}
