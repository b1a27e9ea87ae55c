//! Face photo import: files named `[Employee ID].jpg|.jpeg|.png` matched to employees, each
//! normalised off the executor (a bounded number at a time, so memory stays flat however large
//! the batch), stored, and reported in the order sent. A bad file fails alone.

use std::{collections::HashMap, io::Read};

use chrono::Utc;
use entity::{
    employee::{self, FaceSyncStatus},
    face_photo,
};
use futures_util::{StreamExt, stream};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
    TransactionTrait,
};
use uuid::Uuid;

use super::normalize::{self, Normalized, Rejection};
use crate::{
    employees::service::validate_code,
    error::{ApiError, ApiResult},
    state::AppState,
};

/// Why a file was not accepted. Stable codes for clients.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum FacePhotoRejection {
    /// The name is not `[Employee ID].jpg`, `.jpeg` or `.png`.
    InvalidFileName,
    /// No employee of the company has the ID in the name.
    UnknownEmployee,
    /// Several files in the batch name the same employee; none of them was used.
    DuplicateInBatch,
    /// The content is not a JPEG or PNG image.
    UnsupportedType,
    /// The image cannot be decoded.
    UnreadableImage,
    /// The file is larger than the photo size limit.
    FileTooLarge,
    /// The image is too small to hold a face.
    ImageTooSmall,
    /// The photo could not be stored (a server-side problem); sending it again may work.
    StorageFailed,
}

impl FacePhotoRejection {
    /// The code as clients see it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidFileName => "INVALID_FILE_NAME",
            Self::UnknownEmployee => "UNKNOWN_EMPLOYEE",
            Self::DuplicateInBatch => "DUPLICATE_IN_BATCH",
            Self::UnsupportedType => "UNSUPPORTED_TYPE",
            Self::UnreadableImage => "UNREADABLE_IMAGE",
            Self::FileTooLarge => "FILE_TOO_LARGE",
            Self::ImageTooSmall => "IMAGE_TOO_SMALL",
            Self::StorageFailed => "STORAGE_FAILED",
        }
    }
}

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

/// Reads (within the size limit) and normalises one file. Blocking.
fn read_and_normalize(
    mut file: IncomingFile,
    max_bytes: u64,
) -> Result<Normalized, (FacePhotoRejection, String)> {
    let mut bytes = Vec::new();
    let read = (&mut file.content)
        .take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| {
            (
                FacePhotoRejection::UnreadableImage,
                format!("the file cannot be read: {e}"),
            )
        })?;
    if read as u64 > max_bytes {
        return Err((
            FacePhotoRejection::FileTooLarge,
            format!("the file is larger than {max_bytes} bytes"),
        ));
    }
    normalize::normalize(&bytes).map_err(|(rejection, message)| {
        let code = match rejection {
            Rejection::UnsupportedType => FacePhotoRejection::UnsupportedType,
            Rejection::Unreadable => FacePhotoRejection::UnreadableImage,
            Rejection::TooSmall => FacePhotoRejection::ImageTooSmall,
        };
        (code, message)
    })
}

/// Normalises files concurrently (a bounded number at a time), yielding results in input
/// order as they complete, so only a few photos are ever in memory.
fn normalize_all(
    app: &AppState,
    files: Vec<IncomingFile>,
) -> impl futures_util::Stream<Item = Result<Normalized, (FacePhotoRejection, String)>> + use<> {
    let max_bytes = app.settings.max_photo_bytes as u64;
    let workers = app.settings.photo_workers();
    stream::iter(files)
        .map(move |file| async move {
            tokio::task::spawn_blocking(move || read_and_normalize(file, max_bytes))
                .await
                .unwrap_or_else(|e| {
                    Err((
                        FacePhotoRejection::UnreadableImage,
                        format!("processing failed: {e}"),
                    ))
                })
        })
        .buffered(workers)
}

/// Imports a batch for the company. `on_file` is called as each file finishes.
pub async fn import(
    app: &AppState,
    company_id: Uuid,
    uploaded_by: Option<Uuid>,
    files: Vec<IncomingFile>,
    on_file: &(dyn Fn(&str, &Outcome) + Sync),
) -> ApiResult<Vec<(String, Outcome)>> {
    let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
    let mut slots: Vec<Option<Outcome>> = (0..files.len()).map(|_| None).collect();
    let codes: Vec<Option<String>> = names
        .iter()
        .enumerate()
        .map(|(i, name)| match code_from_file_name(name) {
            Ok(code) => Some(code),
            Err(rejection) => {
                slots[i] = Some(Err(rejection));
                None
            }
        })
        .collect();
    let mut per_code: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, code) in codes.iter().enumerate() {
        if let Some(code) = code {
            per_code.entry(code.as_str()).or_default().push(i);
        }
    }
    for indices in per_code.values().filter(|v| v.len() > 1) {
        let listed = indices
            .iter()
            .map(|i| names[*i].trim())
            .collect::<Vec<_>>()
            .join(", ");
        for i in indices {
            slots[*i] = Some(Err((
                FacePhotoRejection::DuplicateInBatch,
                format!("several files for the same employee in this batch ({listed}); send one"),
            )));
        }
    }
    let wanted: Vec<String> = per_code
        .iter()
        .filter(|(_, v)| v.len() == 1)
        .map(|(c, _)| (*c).to_owned())
        .collect();
    let employees: HashMap<String, employee::Model> = employee::Entity::find()
        .filter(employee::Column::CompanyId.eq(company_id))
        .filter(employee::Column::EmployeeCodeKey.is_in(wanted))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|e| (e.employee_code_key.clone(), e))
        .collect();

    let mut todo = Vec::new();
    let mut todo_files = Vec::new();
    for (i, file) in files.into_iter().enumerate() {
        if slots[i].is_some() {
            continue;
        }
        let Some(code) = &codes[i] else { continue };
        match employees.get(code) {
            Some(employee) => {
                todo.push((i, employee.clone()));
                todo_files.push(file);
            }
            None => {
                slots[i] = Some(Err((
                    FacePhotoRejection::UnknownEmployee,
                    format!(
                        "no employee has the ID {:?}",
                        code_from_name_display(&names[i])
                    ),
                )))
            }
        }
    }
    for (i, slot) in slots.iter().enumerate() {
        if let Some(outcome) = slot {
            on_file(&names[i], outcome);
        }
    }
    let mut normalized = std::pin::pin!(normalize_all(app, todo_files));
    for (i, employee) in todo {
        let Some(result) = normalized.next().await else {
            break;
        };
        let outcome = match result {
            // A storage failure fails this file only; the others go on.
            Ok(photo) => store(app, employee, photo, &names[i], uploaded_by)
                .await
                .map_err(|e| {
                    if let ApiError::Internal(cause) = &e {
                        tracing::error!(
                            error = format!("{cause:#}"),
                            file = names[i],
                            "storing a face photo failed"
                        );
                    }
                    (
                        FacePhotoRejection::StorageFailed,
                        "the photo could not be stored; send it again".to_owned(),
                    )
                }),
            Err(rejection) => Err(rejection),
        };
        on_file(&names[i], &outcome);
        slots[i] = Some(outcome);
    }
    Ok(names
        .into_iter()
        .zip(slots)
        .map(|(name, slot)| {
            (
                name,
                slot.unwrap_or_else(|| {
                    Err((
                        FacePhotoRejection::UnreadableImage,
                        "not processed".to_owned(),
                    ))
                }),
            )
        })
        .collect())
}

fn code_from_name_display(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    base.rsplit_once('.')
        .map_or(base, |(stem, _)| stem)
        .trim()
        .to_owned()
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
async fn store(
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
    let txn = app.db.begin().await?;
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
