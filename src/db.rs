//! Database connection: SQLite (WAL, foreign keys on, busy timeout) by default, PostgreSQL when
//! the URL says so. Every statement is counted for tests and metrics.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use anyhow::Context;
use migration::MigratorTrait;
use sea_orm::{ConnectOptions, Database, DatabaseConnection, sqlx::sqlite};

use crate::config::Settings;

pub async fn connect(
    settings: &Settings,
    statements: Arc<AtomicU64>,
) -> anyhow::Result<DatabaseConnection> {
    let url = settings.database_url();
    let is_sqlite = url.starts_with("sqlite:");
    if is_sqlite && settings.database_url.is_none() {
        settings.ensure_data_dir()?;
    }
    let mut options = ConnectOptions::new(url.clone());
    options
        .max_connections(settings.db_max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30))
        .sqlx_logging(false);
    if is_sqlite {
        options.map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(sqlite::SqliteJournalMode::Wal)
                .synchronous(sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // Prepared statements keep SQLite's copy of the statement per connection; the
                // bulk writes' (up to 10,000 parameters) held 120–140 MB over a pool with the
                // default 100 (BENCHMARKS.md, timesheet phases). Reads use a handful of
                // statements, and preparing one again costs microseconds.
                .statement_cache_capacity(8)
        });
    }
    let mut db = Database::connect(options).await.with_context(|| {
        format!(
            "DATABASE_URL: cannot connect to the {} database",
            if is_sqlite { "SQLite" } else { "PostgreSQL" }
        )
    })?;
    db.set_metric_callback(move |_info| {
        statements.fetch_add(1, Ordering::Relaxed);
    });
    Ok(db)
}

/// Key of the PostgreSQL advisory lock held while migrating ("tk-migr").
const MIGRATION_LOCK: i64 = 0x0074_6b2d_6d69_6772;

/// Applies pending migrations. On PostgreSQL under an advisory lock, on a connection of its own
/// (the lock belongs to a session): processes started at once on an empty database migrate one
/// after the other, and the later ones find nothing left to do.
pub async fn migrate(db: &DatabaseConnection, settings: &Settings) -> anyhow::Result<()> {
    use sea_orm::{ConnectionTrait, DatabaseBackend};
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return migration::Migrator::up(db, None)
            .await
            .context("running database migrations");
    }
    let mut options = ConnectOptions::new(settings.database_url());
    options
        .max_connections(1)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    let session = Database::connect(options)
        .await
        .context("DATABASE_URL: cannot connect to migrate")?;
    session
        .execute_unprepared(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
        .await
        .context("waiting for the migration lock")?;
    let migrated = migration::Migrator::up(&session, None)
        .await
        .context("running database migrations");
    let _ = session
        .execute_unprepared(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
        .await;
    let _ = session.close().await;
    migrated
}

/// Begins a transaction that will write. On SQLite it is `BEGIN IMMEDIATE`: the write lock is
/// taken (waiting up to the busy timeout) before the first read, so a read-then-write
/// transaction cannot fail with `SQLITE_BUSY` when another writer commits in between, as a
/// deferred one does. PostgreSQL ignores the mode.
pub async fn begin_write(
    db: &DatabaseConnection,
) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// How a transaction takes a PostgreSQL transaction-level advisory lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lock {
    /// Held together with other shared holders.
    Shared,
    /// Held alone.
    Exclusive,
}

/// Takes the transaction-level advisory lock `(space, key)` on PostgreSQL, waiting for it; it
/// is released when the transaction ends. SQLite needs none: a transaction begun with
/// [`begin_write`] holds the one write lock from its first statement.
pub async fn advisory_xact_lock(
    db: &impl sea_orm::ConnectionTrait,
    space: i32,
    key: i32,
    lock: Lock,
) -> Result<(), sea_orm::DbErr> {
    if db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        return Ok(());
    }
    let function = match lock {
        Lock::Shared => "pg_advisory_xact_lock_shared",
        Lock::Exclusive => "pg_advisory_xact_lock",
    };
    db.execute_unprepared(&format!("SELECT {function}({space}, {key})"))
        .await?;
    Ok(())
}
