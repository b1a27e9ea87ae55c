//! The photos part of the schema: GraphQL types and thin resolvers over the services.

use super::{batch, service};
use async_graphql::{Context, ID, Object, SimpleObject, Upload};
use chrono::{DateTime, Utc};

use crate::{
    auth::{ContextExt, Permission},
    employees::{self, Employee},
    error::ApiError,
    ids, linking,
    state::AppContext,
};
use service::{FacePhotoRejection, IncomingFile};

/// A normalised face photo (JPEG, at most 1280×736), kept apart from the HR profile picture.
#[derive(Clone)]
pub struct FacePhoto(pub entity::face_photo::Model);

/// A normalised face photo (JPEG, at most 1280×736), kept apart from the HR profile picture.
#[Object]
impl FacePhoto {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }
    /// SHA-256 (hex) of the stored JPEG; the same image uploaded again changes nothing.
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }
    /// Width in pixels after normalisation.
    async fn width(&self) -> i32 {
        self.0.width
    }
    /// Height in pixels after normalisation.
    async fn height(&self) -> i32 {
        self.0.height
    }
    /// Size of the stored JPEG in bytes.
    async fn byte_size(&self) -> i64 {
        self.0.byte_size
    }
    /// The name of the uploaded file.
    async fn original_file_name(&self) -> Option<&str> {
        self.0.original_file_name.as_deref()
    }
    /// When it was uploaded.
    async fn uploaded_at(&self) -> DateTime<Utc> {
        self.0.uploaded_at
    }
    /// Where to fetch the JPEG (send the same `Authorization` header).
    async fn url(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        Ok(format!(
            "{}/photos/{}",
            ctx.app()?.settings.public_url(),
            self.0.id
        ))
    }
}

/// The outcome of one file of a batch.
#[derive(SimpleObject)]
pub struct FacePhotoResult {
    /// The file's name as sent.
    pub file_name: String,
    /// Whether the photo is now the employee's face photo.
    pub accepted: bool,
    /// Accepted, but the same image was already the employee's photo: nothing changed.
    pub unchanged: bool,
    /// The matched employee.
    pub employee: Option<Employee>,
    /// The stored photo.
    pub face_photo: Option<FacePhoto>,
    /// Why the file was rejected.
    pub error_code: Option<FacePhotoRejection>,
    /// A human-readable reason.
    pub message: Option<String>,
}

/// Results of a batch, one per file in the order sent.
#[derive(SimpleObject)]
pub struct ImportFacePhotosPayload {
    /// Files accepted (including unchanged ones).
    pub accepted: u32,
    /// Files rejected.
    pub rejected: u32,
    /// One result per file, in the order sent.
    pub results: Vec<FacePhotoResult>,
}

fn incoming(ctx: &Context<'_>, upload: &Upload) -> async_graphql::Result<IncomingFile> {
    let value = upload
        .value(ctx)
        .map_err(|e| ApiError::bad_input("files", format!("upload unreadable: {e}")))?;
    Ok(IncomingFile {
        name: value.filename.clone(),
        content: Box::new(value.into_read()),
    })
}

/// Face photo mutations.
#[derive(Default)]
pub struct PhotosMutation;

/// Face photo mutations.
#[Object]
impl PhotosMutation {
    /// Imports face photos named `[Employee ID].jpg` (or `.jpeg`/`.png`, any case). One result
    /// per file in the order sent; a bad file never fails the others.
    async fn import_face_photos(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The photo files.")] files: Vec<Upload>,
    ) -> async_graphql::Result<ImportFacePhotosPayload> {
        let scope = ctx.scope(Permission::ManageEmployees)?;
        let app = ctx.app()?;
        linking::service::camera_company(&app.db, scope.company_id).await?;
        let files = files
            .iter()
            .map(|f| incoming(ctx, f))
            .collect::<async_graphql::Result<Vec<_>>>()?;
        let outcomes = batch::import(
            app,
            scope.company_id,
            Some(scope.user_id),
            files,
            &|_, _| {},
        )
        .await?;
        let mut payload = ImportFacePhotosPayload {
            accepted: 0,
            rejected: 0,
            results: Vec::with_capacity(outcomes.len()),
        };
        for (file_name, outcome) in outcomes {
            payload.results.push(match outcome {
                Ok(stored) => {
                    payload.accepted += 1;
                    FacePhotoResult {
                        file_name,
                        accepted: true,
                        unchanged: stored.unchanged,
                        employee: Some(Employee(stored.employee)),
                        face_photo: Some(FacePhoto(stored.photo)),
                        error_code: None,
                        message: None,
                    }
                }
                Err((code, message)) => {
                    payload.rejected += 1;
                    FacePhotoResult {
                        file_name,
                        accepted: false,
                        unchanged: false,
                        employee: None,
                        face_photo: None,
                        error_code: Some(code),
                        message: Some(message),
                    }
                }
            });
        }
        Ok(payload)
    }

    /// Uploads one employee's face photo; the same image again changes nothing.
    async fn upload_face_photo(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The employee.")] employee_id: ID,
        #[graphql(desc = "A JPEG or PNG photo of the face.")] file: Upload,
    ) -> async_graphql::Result<FacePhoto> {
        let scope = ctx.scope(Permission::ManageEmployees)?;
        let app = ctx.app()?;
        linking::service::camera_company(&app.db, scope.company_id).await?;
        let employee = employees::service::get(
            &app.db,
            scope.company_id,
            ids::parse(&employee_id, "employee")?,
        )
        .await?;
        let file = incoming(ctx, &file)?;
        Ok(FacePhoto(
            service::upload_one(app, employee, file, Some(scope.user_id))
                .await?
                .photo,
        ))
    }
}
