//! `GET /photos/{id}`: the JPEG, for an authenticated user of the photo's company (others get
//! 404, as if it did not exist). Faces are biometric data: never cached (`private, no-store`).

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use uuid::Uuid;

use crate::{
    auth::{Caller, Role},
    error::http_error,
    state::AppState,
};

pub async fn get_photo(
    req: HttpRequest,
    app: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let session = match app.jwt.caller_from_header(authorization) {
        Caller::Authenticated(session) => session,
        _ => {
            return http_error(
                actix_web::http::StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "log in first",
            );
        }
    };
    let not_found = || {
        http_error(
            actix_web::http::StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "photo not found",
        )
    };
    let (Some(company_id), Ok(id)) = (session.company_id, Uuid::parse_str(&path)) else {
        return not_found();
    };
    if !matches!(session.role, Role::Admin | Role::Hr | Role::Viewer) {
        return not_found();
    }
    let photo = match super::service::find(&app.db, company_id, id).await {
        Ok(photo) => photo,
        Err(_) => return not_found(),
    };
    let etag = format!("\"{}\"", photo.sha256);
    if req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return HttpResponse::NotModified()
            .insert_header((header::CACHE_CONTROL, "private, no-store"))
            .finish();
    }
    match app.photos.get(&photo.storage_key).await {
        Ok(bytes) => HttpResponse::Ok()
            .content_type("image/jpeg")
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, "private, no-store"))
            .body(bytes),
        Err(e) => {
            tracing::error!(photo.id = %id, error = %e, "photo bytes missing from the store");
            http_error(
                actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
            )
        }
    }
}
