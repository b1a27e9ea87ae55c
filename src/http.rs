//! The HTTP surface: `/graphql` (POST, GraphiQL on GET, graphql-ws upgrade), GraphiQL's files
//! (`/graphiql/…`), `/healthz`, `/readyz`. The GraphQL body is read here, not by the stock
//! extractor, so that the size limit is ours (the extractor accepts 50 MB), uploads stream to
//! temporary files, and an over-size request is answered 413 with a GraphQL error carrying
//! `PAYLOAD_TOO_LARGE`.

use std::{
    io,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use actix_web::{
    HttpRequest, HttpResponse, guard,
    http::{StatusCode, header},
    web::{self, Bytes},
};
use async_graphql::{ParseRequestError, http::MultipartOptions};
use futures_util::{SinkExt, StreamExt, TryStreamExt};

use crate::{
    auth::{Caller, Permission},
    checkins,
    error::http_error,
    executor::Api,
    graphiql,
    guard::ClientAddress,
    linking, photos,
    state::AppState,
    ws,
};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(graphql_post))
            .route(
                web::get()
                    .guard(guard::Header("upgrade", "websocket"))
                    .to(ws::graphql_ws),
            )
            .route(web::get().to(graphiql::page)),
    )
    .configure(graphiql::routes)
    .route(
        "/hanet/oauth/callback",
        web::get().to(linking::callback::hanet_callback),
    )
    .route("/photos/{id}", web::get().to(photos::http::get_photo))
    .route(
        "/exports/timesheets/{id}",
        web::get().to(crate::timesheets::download::get_export),
    )
    .route(
        "/webhooks/hanet",
        web::post().to(checkins::http::hanet_webhook),
    )
    .route("/metrics", web::get().to(metrics))
    .route("/healthz", web::get().to(healthz))
    .route("/readyz", web::get().to(readyz));
}

async fn metrics(req: HttpRequest, app: web::Data<AppState>) -> HttpResponse {
    if let Some(expected) = &app.settings.security.metrics_token {
        use secrecy::ExposeSecret;
        use subtle::ConstantTimeEq;
        let sent = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if !bool::from(sent.as_bytes().ct_eq(expected.expose_secret().as_bytes())) {
            return http_error(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "send `Authorization: Bearer <TIMEKEEPING_METRICS_TOKEN>`",
            );
        }
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(crate::metrics::render())
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

async fn readyz(app: web::Data<AppState>) -> HttpResponse {
    match app.db.ping().await {
        Ok(()) => HttpResponse::Ok().content_type("text/plain").body("ready"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check: database unreachable");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain")
                .body("database unreachable")
        }
    }
}

/// A request-level failure as a GraphQL error body.
async fn graphql_post(
    req: HttpRequest,
    payload: web::Payload,
    app: web::Data<AppState>,
    schema: web::Data<Api>,
) -> HttpResponse {
    let settings = &app.settings;
    let Some(media) = crate::http_media::accepted(&req) else {
        return http_error(
            StatusCode::NOT_ACCEPTABLE,
            "BAD_USER_INPUT",
            "accept application/graphql-response+json or application/json",
        );
    };
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let understood = content_type.as_deref().is_some_and(|c| {
        let c = c.to_ascii_lowercase();
        c.starts_with("application/json") || c.starts_with("multipart/form-data")
    });
    if !understood {
        return http_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BAD_USER_INPUT",
            "send Content-Type: application/json (or multipart/form-data for uploads)",
        );
    }
    let multipart = content_type
        .as_deref()
        .is_some_and(|c| c.starts_with("multipart/form-data"));
    let limit = if multipart {
        settings.max_upload_request_bytes
    } else {
        settings.max_body_bytes
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > limit) {
        return too_large(limit);
    }
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let caller = app.jwt.caller_from_header(authorization);
    // Uploads are only for those who may store them: an anonymous or read-only caller is
    // answered before a byte of the body is read or spooled to disk.
    if multipart && let Some(refusal) = upload_refusal(&caller) {
        return refusal;
    }

    // The actix payload is not `Send`; forward it through a channel, counting bytes.
    let exceeded = Arc::new(AtomicBool::new(false));
    let (tx, rx) = futures_channel::mpsc::channel::<io::Result<Bytes>>(8);
    actix_web::rt::spawn(forward_body(payload, tx, limit, exceeded.clone()));
    let options = MultipartOptions::default()
        .max_file_size(settings.max_upload_file_bytes)
        .max_num_files(settings.max_upload_files);
    let request = match async_graphql::http::receive_body(
        content_type,
        rx.into_async_read(),
        options,
    )
    .await
    {
        Ok(request) => request,
        Err(_) if exceeded.load(Ordering::Relaxed) => return too_large(limit),
        Err(ParseRequestError::PayloadTooLarge) => {
            return http_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                &format!(
                    "a file is larger than {} bytes",
                    settings.max_upload_file_bytes
                ),
            );
        }
        Err(e) => {
            return http_error(
                StatusCode::BAD_REQUEST,
                "BAD_USER_INPUT",
                &format!("malformed GraphQL request: {e}"),
            );
        }
    };
    // The `operations` part of an upload is a GraphQL request like a JSON body: bounded alike.
    if multipart {
        let operations = request.query.len()
            + serde_json::to_string(&request.variables).map_or(usize::MAX, |v| v.len());
        if operations > settings.max_body_bytes {
            return http_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                &format!(
                    "the `operations` part is larger than {} bytes (the limit of a JSON body)",
                    settings.max_body_bytes
                ),
            );
        }
    }
    if request.uploads.len() > settings.max_upload_files {
        return http_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            &format!(
                "more than {} files in one request",
                settings.max_upload_files
            ),
        );
    }
    let request = request.data(caller).data(ClientAddress::of(&req, settings));
    let mut response = async_graphql::Executor::execute(schema.get_ref(), request).await;
    // The executor has coded every error it saw; this is the net for any other.
    response.errors = response
        .errors
        .into_iter()
        .map(crate::graphql::with_default_code)
        .collect();
    crate::http_media::respond(media, response)
}

/// Why a caller may not send a multipart (upload) request, if they may not.
fn upload_refusal(caller: &Caller) -> Option<HttpResponse> {
    match caller {
        Caller::Authenticated(session)
            if session.company_id.is_some() && Permission::ManageEmployees.allows(session.role) =>
        {
            None
        }
        Caller::Authenticated(_) => Some(http_error(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "uploading needs the ADMIN or HR role",
        )),
        _ => Some(http_error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "log in first: send `Authorization: Bearer <token>`",
        )),
    }
}

fn too_large(limit: usize) -> HttpResponse {
    http_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "PAYLOAD_TOO_LARGE",
        &format!("the request body is larger than {limit} bytes"),
    )
}

async fn forward_body(
    mut payload: web::Payload,
    mut tx: futures_channel::mpsc::Sender<io::Result<Bytes>>,
    limit: usize,
    exceeded: Arc<AtomicBool>,
) {
    let mut total = 0usize;
    while let Some(chunk) = payload.next().await {
        let item = match chunk {
            Ok(bytes) => {
                total = total.saturating_add(bytes.len());
                if total > limit {
                    exceeded.store(true, Ordering::Relaxed);
                    Err(io::Error::other("request body too large"))
                } else {
                    Ok(bytes)
                }
            }
            Err(e) => Err(io::Error::other(e.to_string())),
        };
        let stop = item.is_err();
        if tx.send(item).await.is_err() || stop {
            break;
        }
    }
}
