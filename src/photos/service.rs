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
    let meta = PhotoMeta {
        sha256: photo.sha256.clone(),
        width: photo.width,
        height: photo.height,
        byte_size,
    };
    app.photos
        .put(&storage_key, photo.jpeg)
        .await
        .map_err(ApiError::Internal)?;
    let saved = match replace_in_txn(
        app,
        &employee,
        id,
        meta,
        storage_key.clone(),
        file_name,
        uploaded_by,
    )
    .await
    {
        Ok(saved) => saved,
        Err(e) => {
            // Nothing references the bytes just written: they go too.
            if let Err(cleanup) = app.photos.delete(&storage_key).await {
                tracing::warn!(error = %cleanup, "could not delete the bytes of a photo that was not saved");
            }
            return Err(e);
        }
    };
    let (employee, saved, replaced) = saved;
    crate::employees::marks::touch(&app.db, employee.company_id, &[employee.id]).await?;
    for old in replaced {
        if let Err(e) = app.photos.delete(&old.storage_key).await {
            tracing::warn!(photo.id = %old.id, error = %e, "could not delete a replaced photo's bytes");
        }
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

/// What is stored about a photo besides its bytes.
struct PhotoMeta {
    sha256: String,
    width: u32,
    height: u32,
    byte_size: i64,
}

/// Saves the new photo as the employee's one and removes every other photo row of the employee,
/// in one transaction with the employee's row locked (PostgreSQL; SQLite's writing transaction
/// already excludes the others): two uploads racing for one employee leave one photo, and the
/// loser's rows are returned for their bytes to be deleted.
async fn replace_in_txn(
    app: &AppState,
    employee: &employee::Model,
    id: Uuid,
    photo: PhotoMeta,
    storage_key: String,
    file_name: &str,
    uploaded_by: Option<Uuid>,
) -> ApiResult<(employee::Model, face_photo::Model, Vec<face_photo::Model>)> {
    use sea_orm::{DatabaseBackend, QuerySelect};
    let txn = crate::db::begin_write(&app.db).await?;
    let mut find = employee::Entity::find_by_id(employee.id);
    if app.db.get_database_backend() == DatabaseBackend::Postgres {
        find = find.lock_exclusive();
    }
    let employee = find
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("employee"))?;
    let saved = face_photo::ActiveModel {
        id: Set(id),
        company_id: Set(employee.company_id),
        employee_id: Set(employee.id),
        sha256: Set(photo.sha256),
        width: Set(photo.width as i32),
        height: Set(photo.height as i32),
        byte_size: Set(photo.byte_size),
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
    let replaced = face_photo::Entity::find()
        .filter(face_photo::Column::EmployeeId.eq(employee.id))
        .filter(face_photo::Column::Id.ne(id))
        .all(&txn)
        .await?;
    let mut model = employee.into_active_model();
    model.face_photo_id = Set(Some(id));
    model.face_sync_status = Set(next_status);
    model.updated_at = Set(Utc::now());
    let employee = model.update(&txn).await?;
    face_photo::Entity::delete_many()
        .filter(face_photo::Column::EmployeeId.eq(employee.id))
        .filter(face_photo::Column::Id.ne(id))
        .exec(&txn)
        .await?;
    crate::audit::record(
        &txn,
        crate::audit::Entry {
            company_id: employee.company_id,
            actor_id: uploaded_by,
            action: crate::audit::AuditAction::PhotoUploaded,
            target_type: "employee",
            target_id: Some(employee.id.to_string()),
            changes: serde_json::json!({
                "photoId": saved.id, "sha256": saved.sha256, "fileName": saved.original_file_name,
                "replaced": replaced.iter().map(|p| p.id).collect::<Vec<_>>(),
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((employee, saved, replaced))
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
