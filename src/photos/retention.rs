//! Face photos are biometric data (Vietnam's decree 13/2023): a leaver's photos — the current
//! one and every replaced one, our copy in the photo store and the rows — are deleted
//! `TIMEKEEPING_FACE_RETENTION_DAYS` after the person was removed from Hanet. A sweep runs at
//! start and hourly; each deletion is logged.

use std::time::Duration;

use chrono::Utc;
use entity::{
    employee::{self, FaceSyncStatus, WorkStatus},
    face_photo,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect, Set,
};

use crate::{error::ApiResult, state::AppState};

/// Time between sweeps.
const SWEEP_INTERVAL: Duration = Duration::from_secs(3600);
/// Employees handled per sweep round (the sweep repeats until none is left).
const BATCH: u64 = 100;

/// Sweeps at start and hourly (one process per interval); each run that deleted photos logs
/// how many employees lost theirs.
pub fn spawn(app: AppState) {
    let task = crate::periodic::Task {
        name: "photo_retention",
        interval: SWEEP_INTERVAL,
        start: crate::periodic::Start::Now,
    };
    crate::periodic::spawn(app, task, |app| async move { sweep(&app).await });
}

/// Deletes the photos of every leaver removed from Hanet longer ago than the retention period;
/// returns how many employees lost their photos.
pub async fn sweep(app: &AppState) -> ApiResult<usize> {
    let days = i64::from(app.settings.security.face_retention_days);
    let cutoff = Utc::now() - chrono::Duration::days(days);
    let mut done = 0;
    loop {
        let leavers = employee::Entity::find()
            .filter(employee::Column::RemovedFromHanetAt.lte(cutoff))
            .filter(employee::Column::WorkStatus.ne(WorkStatus::Working))
            .filter(employee::Column::FacePhotoId.is_not_null())
            .limit(BATCH)
            .all(&app.db)
            .await?;
        if leavers.is_empty() {
            // Replaced photos of leavers whose current photo is already gone.
            done += orphans(app, cutoff).await?;
            return Ok(done);
        }
        for leaver in leavers {
            delete_photos(app, leaver).await?;
            done += 1;
        }
    }
}

async fn orphans(app: &AppState, cutoff: chrono::DateTime<Utc>) -> ApiResult<usize> {
    let leavers = employee::Entity::find()
        .filter(employee::Column::RemovedFromHanetAt.lte(cutoff))
        .filter(employee::Column::WorkStatus.ne(WorkStatus::Working))
        .filter(
            employee::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(face_photo::Column::EmployeeId)
                    .from(face_photo::Entity)
                    .to_owned(),
            ),
        )
        .limit(BATCH)
        .all(&app.db)
        .await?;
    let count = leavers.len();
    for leaver in leavers {
        delete_photos(app, leaver).await?;
    }
    Ok(count)
}

async fn delete_photos(app: &AppState, leaver: employee::Model) -> ApiResult<()> {
    let photos = face_photo::Entity::find()
        .filter(face_photo::Column::EmployeeId.eq(leaver.id))
        .all(&app.db)
        .await?;
    // The employee stops pointing at the photo first, so no reader meets a missing file.
    let employee_id = leaver.id;
    let company_id = leaver.company_id;
    let removed_at = leaver.removed_from_hanet_at;
    let mut model = leaver.into_active_model();
    model.face_photo_id = Set(None);
    model.face_sync_status = Set(FaceSyncStatus::NoPhoto);
    model.update(&app.db).await?;
    for photo in photos {
        if let Err(e) = app.photos.delete(&photo.storage_key).await {
            tracing::warn!(photo.id = %photo.id, error = %e, "face photo retention: deleting the stored bytes failed; the row is kept for the next sweep");
            continue;
        }
        face_photo::Entity::delete_by_id(photo.id)
            .exec(&app.db)
            .await?;
        tracing::info!(
            company.id = %company_id,
            employee.id = %employee_id,
            photo.id = %photo.id,
            removed_from_hanet_at = ?removed_at,
            "face photo retention: a leaver's face photo was deleted"
        );
    }
    Ok(())
}
