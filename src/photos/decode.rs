//! Reading and normalising uploaded photos off the async executor. Decodes in flight are
//! bounded for the whole process (one semaphore in the state, not one per batch), and a photo
//! whose header declares more than `TIMEKEEPING_MAX_PHOTO_PIXELS` pixels fails before decoding.

use std::{io::Read, sync::Arc};

use futures_util::{StreamExt, stream};
use tokio::sync::Semaphore;

use super::{
    normalize::{self, Normalized, Rejection},
    service::IncomingFile,
};
use crate::state::AppState;

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
    /// The image has more pixels than `TIMEKEEPING_MAX_PHOTO_PIXELS` (read from its header; it
    /// was not decoded).
    ImageTooLarge,
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
            Self::ImageTooLarge => "IMAGE_TOO_LARGE",
            Self::StorageFailed => "STORAGE_FAILED",
        }
    }
}

/// Reads (within the size limit) and normalises one file. Blocking.
fn read_and_normalize(
    mut file: IncomingFile,
    max_bytes: u64,
    max_pixels: u64,
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
    normalize::normalize(&bytes, max_pixels).map_err(|(rejection, message)| {
        let code = match rejection {
            Rejection::UnsupportedType => FacePhotoRejection::UnsupportedType,
            Rejection::Unreadable => FacePhotoRejection::UnreadableImage,
            Rejection::TooSmall => FacePhotoRejection::ImageTooSmall,
            Rejection::TooLarge => FacePhotoRejection::ImageTooLarge,
        };
        (code, message)
    })
}

/// Normalises files concurrently, yielding results in input order as they complete. Each
/// decode holds a permit of the process-wide decode semaphore, so however many batches arrive at
/// once, only that many photos are ever being decoded.
pub fn normalize_all(
    app: &AppState,
    files: Vec<IncomingFile>,
) -> impl futures_util::Stream<Item = Result<Normalized, (FacePhotoRejection, String)>> + use<> {
    let max_bytes = app.settings.max_photo_bytes as u64;
    let max_pixels = app.settings.security.max_photo_pixels;
    let workers = app.settings.photo_workers();
    let decodes: Arc<Semaphore> = app.guards.decodes.clone();
    stream::iter(files)
        .map(move |file| {
            let decodes = decodes.clone();
            async move {
                let failed = |e: String| {
                    Err((
                        FacePhotoRejection::UnreadableImage,
                        format!("processing failed: {e}"),
                    ))
                };
                let permit = match decodes.acquire_owned().await {
                    Ok(permit) => permit,
                    Err(e) => return failed(e.to_string()),
                };
                tokio::task::spawn_blocking(move || {
                    let _permit = permit;
                    read_and_normalize(file, max_bytes, max_pixels)
                })
                .await
                .unwrap_or_else(|e| failed(e.to_string()))
            }
        })
        .buffered(workers)
}
