//! Export requests: what an `exportTimesheet` stores for its download, bounded per user and in
//! size, audited, and swept once expired.

use std::time::Duration;

use async_graphql::InputType;
use chrono::{DateTime, Utc};
use entity::timesheet_export;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
    TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use super::graphql::ExportFormat;
use crate::{
    audit::{self, AuditAction},
    auth::Scope,
    employees::EmployeeFilter,
    error::{ApiError, ApiResult},
    state::AppState,
};

/// Exports one user may prepare per minute.
pub const MAX_PER_MINUTE: u64 = 10;
/// The longest stored filter, as JSON (the schema's list and string bounds keep a filter far
/// below it; this is the last line).
const MAX_FILTER_BYTES: usize = 64 * 1024;
/// Time between sweeps of expired exports.
const SWEEP_INTERVAL: Duration = Duration::from_secs(600);

/// Stores what an export will write, with its audit line; returns its id. `RATE_LIMITED` once
/// the user prepared [`MAX_PER_MINUTE`] in the last minute.
pub async fn create(
    db: &DatabaseConnection,
    scope: &Scope,
    month: &str,
    filter: &EmployeeFilter,
    format: ExportFormat,
    expires_at: DateTime<Utc>,
) -> ApiResult<Uuid> {
    throttle(db, scope.user_id).await?;
    let filter = filter.to_value().into_json().map_err(ApiError::internal)?;
    let stored = filter.to_string();
    if stored.len() > MAX_FILTER_BYTES {
        return Err(ApiError::bad_input(
            "filter",
            format!("at most {MAX_FILTER_BYTES} bytes as JSON"),
        ));
    }
    let format = match format {
        ExportFormat::Csv => "CSV",
        ExportFormat::Xlsx => "XLSX",
    };
    let id = Uuid::now_v7();
    let txn = db.begin().await?;
    timesheet_export::Entity::insert(timesheet_export::ActiveModel {
        id: Set(id),
        company_id: Set(scope.company_id),
        created_by: Set(scope.user_id),
        month: Set(month.to_owned()),
        format: Set(format.to_owned()),
        filter: Set(Some(stored)),
        expires_at: Set(expires_at),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        audit::by(
            scope,
            AuditAction::TimesheetExported,
            "timesheet_export",
            id,
            json!({ "month": month, "format": format, "filter": filter }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Refuses a user's export while they prepared [`MAX_PER_MINUTE`] in the last minute, with the
/// seconds until the oldest of them leaves the window. Counted in the database, so the bound
/// holds across processes.
async fn throttle(db: &DatabaseConnection, user_id: Uuid) -> ApiResult<()> {
    let since = Utc::now() - chrono::Duration::minutes(1);
    let recent: Vec<DateTime<Utc>> = timesheet_export::Entity::find()
        .select_only()
        .column(timesheet_export::Column::CreatedAt)
        .filter(timesheet_export::Column::CreatedBy.eq(user_id))
        .filter(timesheet_export::Column::CreatedAt.gt(since))
        .limit(MAX_PER_MINUTE)
        .into_tuple()
        .all(db)
        .await?;
    if (recent.len() as u64) < MAX_PER_MINUTE {
        return Ok(());
    }
    let oldest = recent.iter().min().copied().unwrap_or_else(Utc::now);
    let seconds = (oldest - since).num_seconds().clamp(1, 60) as u64;
    Err(ApiError::RateLimited {
        message: format!(
            "at most {MAX_PER_MINUTE} exports a minute; try again in {seconds} s (an export's URL works for several downloads)"
        ),
        retry_after_seconds: seconds,
    })
}

/// Deletes expired exports; returns how many.
pub async fn sweep(db: &DatabaseConnection) -> ApiResult<u64> {
    let done = timesheet_export::Entity::delete_many()
        .filter(timesheet_export::Column::ExpiresAt.lt(Utc::now()))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// Sweeps expired exports at start and every ten minutes (one process per interval).
pub fn spawn_sweep(app: AppState) {
    let task = crate::periodic::Task {
        name: "export_sweep",
        interval: SWEEP_INTERVAL,
        start: crate::periodic::Start::Now,
    };
    crate::periodic::spawn(app, task, |app| async move {
        sweep(&app.db)
            .await
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
    });
}
