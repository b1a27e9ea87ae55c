//! Face photo import: files named `[Employee ID].jpg|.jpeg|.png` matched to employees, each
//! normalised off the executor (a bounded number at a time, so memory stays flat however large
//! the batch), stored, and reported in the order sent. A bad file fails alone.

use std::io::Read;

use chrono::Utc;
use entity::{
    employee::{self, FaceSyncStatus},
    face_photo,
};
use futures_util::StreamExt;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use uuid::Uuid;

pub use super::decode::FacePhotoRejection;
use super::{decode::normalize_all, normalize::Normalized};
use crate::{
    employees::service::validate_code,
    error::{ApiError, ApiResult},
    state::AppState,
};

/// A file as received.
pub struct IncomingFile {
    pub name: String,
    pub content: Box<dyn Read + Send>,
}

/// A stored photo and the employee it belongs to.
pub struct Stored {
    pub employee: employee::Model,
    pub photo: face_photo::Model,
    /// The same image was already the employee's photo: nothing changed.
    pub unchanged: bool,
}

pub type Outcome = Result<Stored, (FacePhotoRejection, String)>;

/// The employee code a file name stands for, e.g. ` NV001.JPG ` → `nv001`.
pub fn code_from_file_name(name: &str) -> Result<String, (FacePhotoRejection, String)> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let invalid = || {
        (
            FacePhotoRejection::InvalidFileName,
            format!("{base:?} is not named [Employee ID].jpg, .jpeg or .png"),
        )
    };
    let (stem, extension) = base.rsplit_once('.').ok_or_else(invalid)?;
    if !["jpg", "jpeg", "png"].contains(&extension.to_ascii_lowercase().as_str()) {
        return Err(invalid());
    }
    validate_code(stem)
        .map(|c| c.to_lowercase())
        .map_err(|_| invalid())
}

/// Uploads one employee's photo (no file-name rules).
pub async fn upload_one(
    app: &AppState,
    employee: employee::Model,
    file: IncomingFile,
    uploaded_by: Option<Uuid>,
) -> ApiResult<Stored> {
    let name = file.name.clone();
    let mut results = std::pin::pin!(normalize_all(app, vec![file]));
    match results.next().await {
        Some(Ok(photo)) => store(app, employee, photo, &name, uploaded_by).await,
        Some(Err((FacePhotoRejection::FileTooLarge, message))) => {
            Err(ApiError::PayloadTooLarge(message))
        }
        Some(Err((_, message))) => Err(ApiError::bad_input("file", message)),
        None => Err(ApiError::internal(anyhow::anyhow!(
            "no result for the upload"
        ))),
    }
}

/// Stores a normalised photo as the employee's current one, unless it is the same image.
pub(super) async fn store(
    app: &AppState,
    employee: employee::Model,
    photo: Normalized,
    file_name: &str,
    uploaded_by: Option<Uuid>,
) -> ApiResult<Stored> {
    let current = current_photo(&app.db, &employee).await?;
    if let Some(current) = current.as_ref().filter(|c| c.sha256 == photo.sha256) {
        return Ok(Stored {
            photo: current.clone(),
            employee,
            unchanged: true,
        });
    }
    let id = Uuid::now_v7();
    let storage_key = format!("{}/{id}.jpg", employee.company_id);
    let byte_size = photo.jpeg.len() as i64;
    app.photos
        .put(&storage_key, photo.jpeg)
        .await
        .map_err(ApiError::Internal)?;
    let txn = crate::db::begin_write(&app.db).await?;
    let saved = face_photo::ActiveModel {
        id: Set(id),
        company_id: Set(employee.company_id),
        employee_id: Set(employee.id),
        sha256: Set(photo.sha256),
        width: Set(photo.width as i32),
        height: Set(photo.height as i32),
        byte_size: Set(byte_size),
        storage_key: Set(storage_key),
        original_file_name: Set(Some(file_name.trim().to_owned())),
        uploaded_by: Set(uploaded_by),
        uploaded_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    let next_status = match employee.face_sync_status {
        _ if employee.synced_photo_sha256.as_deref() == Some(saved.sha256.as_str()) => {
            employee.face_sync_status
        }
        _ if employee.hanet_person_id.is_some() => FaceSyncStatus::Outdated,
        FaceSyncStatus::Pending => FaceSyncStatus::Pending,
        _ => FaceSyncStatus::NotSynced,
    };
    let mut model = employee.into_active_model();
    model.face_photo_id = Set(Some(id));
    model.face_sync_status = Set(next_status);
    model.updated_at = Set(Utc::now());
    let employee = model.update(&txn).await?;
    if let Some(old) = &current {
        face_photo::Entity::delete_by_id(old.id).exec(&txn).await?;
    }
    txn.commit().await?;
    if let Some(old) = current
        && let Err(e) = app.photos.delete(&old.storage_key).await
    {
        tracing::warn!(photo.id = %old.id, error = %e, "could not delete a replaced photo's bytes");
    }
    Ok(Stored {
        employee,
        photo: saved,
        unchanged: false,
    })
}

/// The employee's current face photo, if any.
pub async fn current_photo(
    db: &impl ConnectionTrait,
    employee: &employee::Model,
) -> ApiResult<Option<face_photo::Model>> {
    Ok(match employee.face_photo_id {
        Some(id) => face_photo::Entity::find_by_id(id).one(db).await?,
        None => None,
    })
}

/// A photo of the company, if it exists.
pub async fn find(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    id: Uuid,
) -> ApiResult<face_photo::Model> {
    face_photo::Entity::find_by_id(id)
        .filter(face_photo::Column::CompanyId.eq(company_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("photo"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_map_to_codes() {
        assert_eq!(
            code_from_file_name(" NV001.JPG ").ok().as_deref(),
            Some("nv001")
        );
        assert_eq!(
            code_from_file_name("a/b/E-7.jpeg").ok().as_deref(),
            Some("e-7")
        );
        assert_eq!(code_from_file_name("x.png").ok().as_deref(), Some("x"));
        for bad in [
            "NV001.gif",
            "NV001",
            ".jpg",
            "two words.jpg",
            "NV001.jpg.exe",
        ] {
            assert_eq!(
                code_from_file_name(bad).err().map(|e| e.0),
                Some(FacePhotoRejection::InvalidFileName),
                "{bad}"
            );
        }
    }
}
