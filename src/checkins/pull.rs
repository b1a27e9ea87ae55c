//! Pulling check-ins from the vendor: the `ATTENDANCE` job (backfill or repair of a range, one
//! item per slice the vendor's query accepts — a calendar month of UTC+7 for Hanet — paged 500
//! rows at a time), and the periodic catch-up that fills what webhooks missed.

use chrono::{DateTime, Duration, Utc};
use entity::{
    company,
    hanet_connection::{self, ConnectionStatus},
    sync_job::{self, JobKind, JobStatus},
    sync_job_item,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::store::{self as ingest, Intake, Source};
use crate::linking::camera::Vendored;
use crate::{
    auth::Scope,
    error::{ApiError, ApiResult},
    jobs::{
        handler::Worker,
        store::{self, ItemOutcome, NewItem},
    },
    linking::service as linking,
    state::AppState,
};

/// The range of a job or of one item. `gap`: the catch-up queued the job for a period longer
/// than its window, and attendance is known complete up to `to` once it succeeds.
#[derive(Serialize, Deserialize)]
pub struct Slice {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    #[serde(default)]
    gap: bool,
}

/// The longest range one `startAttendanceSync` may pull.
const MAX_RANGE_DAYS: i64 = 366;

pub async fn start(
    app: &AppState,
    scope: Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ApiResult<sync_job::Model> {
    crate::error::supported_moment("from", from)?;
    crate::error::supported_moment("to", to)?;
    if from >= to {
        return Err(ApiError::bad_input("to", "must be after `from`"));
    }
    if to - from > Duration::days(MAX_RANGE_DAYS) {
        return Err(ApiError::bad_input(
            "from",
            format!("at most {MAX_RANGE_DAYS} days at once"),
        ));
    }
    linking::selected_place(&app.db, scope.company_id).await?;
    queue(app, scope.company_id, Some(scope.user_id), from, to, false).await
}

async fn queue(
    app: &AppState,
    company_id: Uuid,
    created_by: Option<Uuid>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    gap: bool,
) -> ApiResult<sync_job::Model> {
    let to = to.min(Utc::now());
    let items = app
        .camera
        .vendor()
        .checkin_slices(from, to)
        .into_iter()
        .map(|(from, to)| NewItem {
            employee_id: None,
            label: format!("{} → {}", from.to_rfc3339(), to.to_rfc3339()),
            params: serde_json::to_string(&Slice {
                from,
                to,
                gap: false,
            })
            .ok(),
        })
        .collect::<Vec<_>>();
    if items.is_empty() {
        return Err(ApiError::bad_input("from", "the range is empty"));
    }
    let params = serde_json::to_string(&Slice { from, to, gap }).ok();
    let job = store::create_job(
        &app.db,
        store::NewJob {
            company_id,
            kind: Pull::KIND,
            busy: Pull::BUSY,
            created_by,
            params,
            retry_of: None,
        },
        items,
    )
    .await?;
    app.jobs.queued();
    Ok(job)
}

/// After an `ATTENDANCE` job succeeded: attendance is known complete up to its end when it
/// started at or before the point it was known complete (or the catch-up queued it for a gap).
pub async fn pulled(app: &AppState, job: &sync_job::Model) {
    let Some(slice) = job
        .params
        .as_deref()
        .and_then(|p| serde_json::from_str::<Slice>(p).ok())
    else {
        return;
    };
    if let Err(e) =
        crate::days::expected::pulled(&app.db, job.company_id, slice.from, slice.to).await
    {
        tracing::warn!(company.id = %job.company_id, error = e.message(), "storing the days a pull reached failed; the calendar pass and the next change store them");
    }
    let Ok(company) = crate::companies::service::get(&app.db, job.company_id).await else {
        return;
    };
    let known = company.attendance_complete_until;
    let contiguous = known.is_some_and(|k| slice.from <= k);
    if !(slice.gap || contiguous) || known.is_some_and(|k| k >= slice.to) {
        return;
    }
    let advanced = company::Entity::update_many()
        .col_expr(
            company::Column::AttendanceCompleteUntil,
            Expr::value(Some(slice.to)),
        )
        .filter(company::Column::Id.eq(company.id))
        .exec(&app.db)
        .await;
    match advanced {
        Ok(_) => {
            tracing::info!(company.id = %company.id, until = %slice.to, "attendance known complete after a pull")
        }
        Err(e) => {
            tracing::warn!(company.id = %company.id, error = %e, "moving the attendance watermark failed")
        }
    }
}

/// Rows gathered before a write: bigger transactions insert much faster (see BENCHMARKS.md).
const FLUSH_ROWS: usize = 2500;

/// Pulls every page of `[from, to)` into the store; returns the rows seen and the new ones.
/// Pages are written in batches of about [`FLUSH_ROWS`], each while the next page is fetched.
pub async fn pull_range(
    app: &AppState,
    company_id: Uuid,
    place_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ApiResult<(usize, u64)> {
    let vendor = app.camera.vendor();
    let employees = ingest::all_employees(&app.db, company_id).await?;
    let camera = app.camera.for_company(company_id);
    let fetch = |from: DateTime<Utc>, to: DateTime<Utc>, page: u32| async move {
        camera.checkins(place_id, from, to, page).await.or_api()
    };
    let intake = Intake::of(app);
    let store = |rows| ingest::store_mapped(intake, company_id, Source::Pull, rows, &employees);
    let (mut seen, mut new) = (0, 0);
    let mut buffer = Vec::new();
    for (from, to) in vendor.checkin_slices(from, to) {
        let mut page = 1;
        let mut rows = fetch(from, to, page).await?;
        loop {
            seen += rows.len();
            let full = rows.len() >= vendor.checkin_page_size();
            buffer.extend(rows);
            if !full {
                break;
            }
            page += 1;
            rows = if buffer.len() >= FLUSH_ROWS {
                let (stored, next) =
                    tokio::join!(store(std::mem::take(&mut buffer)), fetch(from, to, page));
                new += stored?;
                next?
            } else {
                fetch(from, to, page).await?
            };
        }
    }
    new += store(buffer).await?;
    Ok((seen, new))
}

/// Check-in pulls (`ATTENDANCE` jobs): each item a slice Hanet's query accepts.
pub struct Pull;

#[async_trait::async_trait]
impl Worker for Pull {
    const KIND: JobKind = JobKind::Attendance;
    const BUSY: &'static str =
        "a check-in pull is already queued or running for this company; wait for it or cancel it";
    type JobArgs = Option<Slice>;
    type Args = Slice;
    /// The place whose check-ins it fetches.
    type Run = String;

    async fn prepare(
        &self,
        app: &AppState,
        job: &sync_job::Model,
        _args: Option<Slice>,
    ) -> Result<String, String> {
        linking::selected_place(&app.db, job.company_id)
            .await
            .map_err(|e| e.message())
    }

    async fn work(
        &self,
        app: &AppState,
        job: &sync_job::Model,
        place_id: &String,
        _item: &sync_job_item::Model,
        slice: Slice,
    ) -> ItemOutcome {
        match pull_range(app, job.company_id, place_id, slice.from, slice.to).await {
            Ok(_) => ItemOutcome::done("PULLED"),
            Err(e) => {
                let code = match &e {
                    ApiError::HanetUnavailable { code, .. } => *code,
                    _ => None,
                };
                ItemOutcome::failed(e.code(), e.message(), code)
            }
        }
    }

    async fn finished(&self, app: &AppState, job: &sync_job::Model) {
        if job.status == JobStatus::Succeeded {
            pulled(app, job).await;
        }
    }
}

/// Every `interval`, pulls each linked company's recent check-ins: from a little before the
/// point attendance is known complete (or `window` ago, whichever is later) up to a minute ago,
/// then moves that point forward. Duplicates of webhook rows are skipped by the store.
pub fn spawn_catch_up(app: AppState) {
    let interval = app.settings.catch_up_interval();
    let Some(interval) = interval else { return };
    let task = crate::periodic::Task {
        name: "catch_up",
        interval,
        start: crate::periodic::Start::AfterInterval,
    };
    crate::periodic::spawn(app, task, |app| async move {
        catch_up_all(&app).await.map(|()| 0)
    });
}

pub async fn catch_up_all(app: &AppState) -> ApiResult<()> {
    let connections = hanet_connection::Entity::find()
        .filter(hanet_connection::Column::Status.eq(ConnectionStatus::Active))
        .filter(hanet_connection::Column::PlaceId.is_not_null())
        .all(&app.db)
        .await?;
    for connection in connections {
        let Some(place_id) = connection.place_id.as_deref() else {
            continue;
        };
        let Ok(company) = linking::camera_company(&app.db, connection.company_id).await else {
            continue;
        };
        // One process per interval does a company's catch-up, however many run.
        let lease = format!("catch-up:{}", company.id);
        let hold = app
            .settings
            .catch_up_interval()
            .and_then(|i| chrono::Duration::from_std(i.mul_f64(0.9)).ok())
            .unwrap_or_else(|| Duration::seconds(60));
        if !crate::leases::try_claim(&app.db, &lease, &app.jobs.worker_id, hold).await? {
            continue;
        }
        if let Err(e) = catch_up(app, &company, place_id, connection.linked_at).await {
            tracing::warn!(company.id = %company.id, error = e.message(), "attendance catch-up of a company failed");
        }
    }
    Ok(())
}

async fn catch_up(
    app: &AppState,
    company: &company::Model,
    place_id: &str,
    linked_at: DateTime<Utc>,
) -> ApiResult<()> {
    let now = Utc::now();
    let until = now - Duration::minutes(1);
    let overlap = Duration::minutes(15);
    let known = company
        .attendance_complete_until
        .unwrap_or(linked_at - Duration::days(1));
    let wanted = known - overlap;
    let window_start = now - app.settings.catch_up_window();
    let gap = wanted < window_start - overlap;
    let from = if gap {
        // Longer ago than the window reaches: a backfill job pulls the gap, and the watermark
        // stays where it is until that job has succeeded.
        let oldest = now - Duration::days(MAX_RANGE_DAYS);
        queue_gap(app, company.id, wanted.max(oldest), window_start + overlap).await?;
        window_start
    } else {
        wanted
    };
    if from < until {
        let (seen, new) = pull_range(app, company.id, place_id, from, until).await?;
        if new > 0 {
            tracing::info!(company.id = %company.id, seen, new, "catch-up filled check-ins the webhook missed");
        }
        if !gap {
            company::Entity::update_many()
                .col_expr(
                    company::Column::AttendanceCompleteUntil,
                    Expr::value(Some(until)),
                )
                .filter(company::Column::Id.eq(company.id))
                .exec(&app.db)
                .await?;
        }
    }
    // Check-ins of employees created since they were stored (a create racing an ingest), in
    // one transaction with their days: a recompute in between would count them twice.
    let txn = crate::days::rows::begin(&app.db, company.id, crate::db::Lock::Shared).await?;
    super::remap::remap(&txn, company.id, None).await?;
    txn.commit().await?;
    Ok(())
}

/// Queues a backfill of a gap the catch-up window does not reach, unless a pull of the company
/// is already queued or running.
async fn queue_gap(
    app: &AppState,
    company_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ApiResult<()> {
    let active = sync_job::Entity::find()
        .filter(sync_job::Column::CompanyId.eq(company_id))
        .filter(sync_job::Column::Kind.eq(JobKind::Attendance))
        .filter(sync_job::Column::Status.is_in([JobStatus::Queued, JobStatus::Running]))
        .one(&app.db)
        .await?;
    if active.is_some() || from >= to {
        return Ok(());
    }
    let job = match queue(app, company_id, None, from, to, true).await {
        Ok(job) => job,
        // Another process queued a pull a moment ago (one active pull per company).
        Err(ApiError::Conflict(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    tracing::warn!(
        company.id = %company_id, job.id = %job.id, from = %from, to = %to,
        "attendance has a gap longer than the catch-up window; queued a backfill for it"
    );
    Ok(())
}
