//! The HTTP server: routes, request counting, and the fault pipeline around partner calls.
//!
//! Per partner request: parse the body → count register/update calls → rate limit (HTTP 429)
//! → HTTP 503, not applied → latency → `fail_next` business code, not applied → authenticate
//! and run the handler → lost response (applied, answered HTTP 504). `X-Rate-Limit-*` headers
//! are on every partner answer.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, Service};
use actix_web::http::header::{HeaderName, HeaderValue, RETRY_AFTER};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::DefaultHeaders;
use actix_web::web::{self, Bytes, Data};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer};
use serde_json::json;

use crate::api;
use crate::control;
use crate::envelope::{ApiError, error_body, html_error, json_response, success_body};
use crate::faults::RateDecision;
use crate::form::Form;
use crate::oauth;
use crate::sim::Shared;

/// Largest accepted request body (face photos).
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Builds the server on an already-bound listener; the caller spawns it.
pub(crate) fn build(shared: Arc<Shared>, listener: TcpListener) -> std::io::Result<Server> {
    let data = Data::new(shared);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
            .wrap(DefaultHeaders::new().add(("Server", "nginx (hanet-sim)")))
            .wrap_fn(|req, srv| {
                if let Some(shared) = req.app_data::<Data<Arc<Shared>>>() {
                    shared.count_request(req.path());
                }
                srv.call(req)
            })
            .route("/oauth2/authorize", web::get().to(oauth::authorize))
            .route("/token", web::post().to(oauth::token))
            .service(control::scope())
            .default_service(web::to(partner_entry))
    })
    .workers(2)
    .disable_signals()
    .shutdown_timeout(1)
    .listen(listener)?
    .run();
    Ok(server)
}

/// Every partner API path lands here.
async fn partner_entry(req: HttpRequest, body: Bytes, shared: Data<Arc<Shared>>) -> HttpResponse {
    let path = req.path().to_owned();
    let Some(handler) = api::route(&path) else {
        let err = ApiError::new(-404, format!("Unsupported: {path}"));
        return json_response(StatusCode::NOT_FOUND, &error_body(&err));
    };
    if req.method() != Method::POST {
        let err = ApiError::new(-404, "Only POST is supported");
        return json_response(StatusCode::METHOD_NOT_ALLOWED, &error_body(&err));
    }
    let form = match Form::parse(&req, body).await {
        Ok(f) => f,
        Err(e) => return json_response(StatusCode::OK, &error_body(&e)),
    };
    let token = form.get(api::token_field(&path)).unwrap_or("").to_owned();
    shared.count_person_call(&path, &form);
    let rate = shared.faults.check_rate(&token);
    let in_flight = shared.enter_person_call(&path, &form);
    let mut resp = faulty_call(&shared, &path, handler, &token, &form, rate).await;
    if let Some(alias) = in_flight {
        shared.leave_person_call(&alias);
    }
    let headers = resp.headers_mut();
    for (name, value) in [
        ("x-rate-limit-limit", rate.limit.to_string()),
        ("x-rate-limit-remaining", rate.remaining.to_string()),
        ("x-rate-limit-reset", rate.reset_ms.to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), v);
        }
    }
    resp
}

async fn faulty_call(
    shared: &Shared,
    path: &str,
    handler: api::Handler,
    token: &str,
    form: &Form,
    rate: RateDecision,
) -> HttpResponse {
    if !rate.allowed {
        let err = ApiError::new(-429, "Too many requests");
        let mut resp = json_response(StatusCode::TOO_MANY_REQUESTS, &error_body(&err));
        resp.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from_static("1"));
        return resp;
    }
    if shared.faults.roll_5xx() {
        return html_error(StatusCode::SERVICE_UNAVAILABLE);
    }
    let latency = shared.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let result = match shared.faults.take_failure(path) {
        Some(code) => Err(ApiError::for_code(code)),
        None => match inspect_upload(form).await {
            Ok(face) => {
                let mut state = shared.state();
                api::handle(&mut state, handler, token, form, face)
            }
            Err(e) => Err(e),
        },
    };
    if shared.faults.roll_lost() || shared.faults.take_lost(path) {
        return html_error(StatusCode::GATEWAY_TIMEOUT);
    }
    match result {
        Ok(data) => json_response(StatusCode::OK, &success_body(data)),
        Err(e) if e.code == -103 && shared.faults.token_401() => {
            let body =
                json!({"returnCode": 401, "returnMessage": "Token is expired", "data": null});
            json_response(StatusCode::UNAUTHORIZED, &body)
        }
        Err(e) => json_response(StatusCode::OK, &error_body(&e)),
    }
}

/// Decodes an uploaded image off the async worker (decoding is CPU work).
async fn inspect_upload(form: &Form) -> Result<Option<api::FaceCheck>, ApiError> {
    let Some(bytes) = form.file(&["file", "file[]"]) else {
        return Ok(None);
    };
    let bytes = bytes.to_vec();
    web::block(move || api::inspect_face(&bytes))
        .await
        .map(Some)
        .map_err(|_| ApiError::for_code(-503))
}
