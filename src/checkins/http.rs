//! `POST /webhooks/hanet`: check-in events pushed by the vendor. An empty body is the vendor's
//! reachability probe (200). The signature is checked before anything else (401, nothing
//! stored); the event is routed to its company by the key we registered (`keycode`) only; the
//! check-in is stored durably before we answer 2xx. Event ids are unique across companies, so a
//! replayed event is stored once whatever key it carries.

use actix_web::{HttpResponse, web};
use entity::hanet_connection;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use uuid::Uuid;

use super::store::{self as ingest, Intake, Source};
use crate::{error::ApiResult, error::http_error, state::AppState};

pub async fn hanet_webhook(app: web::Data<AppState>, body: web::Bytes) -> HttpResponse {
    if body.iter().all(u8::is_ascii_whitespace) {
        return HttpResponse::Ok().json(serde_json::json!({ "ok": true }));
    }
    let Ok(event) = serde_json::from_slice::<Value>(&body) else {
        return http_error(
            actix_web::http::StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "the body is not JSON",
        );
    };
    let vendor = app.camera.vendor();
    if !vendor.verify_webhook(&event) {
        return http_error(
            actix_web::http::StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "bad or missing hash",
        );
    }
    let parsed = vendor.parse_webhook(&event);
    let company_id = match route(&app, parsed.routing_key.as_deref()).await {
        Ok(Some(id)) => id,
        Ok(None) => {
            tracing::warn!(
                kind = parsed.kind,
                "a webhook event matched no linked company; dropped"
            );
            return HttpResponse::Ok().json(serde_json::json!({ "ok": true, "stored": false }));
        }
        Err(e) => {
            tracing::error!(error = e.message(), "routing a webhook event failed");
            return http_error(
                actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
                "INTERNAL",
                "try again",
            );
        }
    };
    let Some(checkin) = parsed.checkin else {
        return HttpResponse::Ok().json(serde_json::json!({ "ok": true }));
    };
    match ingest::store(Intake::of(&app), company_id, Source::Webhook, vec![checkin]).await {
        Ok(_) => HttpResponse::Ok().json(serde_json::json!({ "ok": true })),
        // Not stored: a non-2xx makes the sender try again (and the catch-up pull fills it).
        Err(e) => {
            if let crate::error::ApiError::Internal(cause) = &e {
                tracing::error!(
                    error = format!("{cause:#}"),
                    "storing a webhook check-in failed"
                );
            }
            http_error(
                actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
                "INTERNAL",
                "try again",
            )
        }
    }
}

/// The company an event belongs to: only the key we registered with Hanet for that company's
/// link (`keycode`). The place id is not used: a company could select another company's place,
/// and the hash covers only the event id, so a body's other fields are not evidence. An event
/// without a known key is dropped (the catch-up pull fetches what the company's own token sees).
async fn route(app: &AppState, key: Option<&str>) -> ApiResult<Option<Uuid>> {
    let Some(key) = key.filter(|k| !k.is_empty()) else {
        return Ok(None);
    };
    Ok(hanet_connection::Entity::find()
        .filter(hanet_connection::Column::PartnerToken.eq(key))
        .one(&app.db)
        .await?
        .map(|c| c.company_id))
}
