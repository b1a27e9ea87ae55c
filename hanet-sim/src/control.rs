//! The `/_sim/…` control surface: the [`crate::Simulator`] controls over HTTP (JSON in/out),
//! for manual runs of the binary and for tests in other languages.
//!
//! | method, path | body | effect |
//! |---|---|---|
//! | `GET /_sim/health` | | `{"ok":true}` |
//! | `GET /_sim/state` | | accounts, persons per place, devices, counters, faults |
//! | `GET /_sim/faults` | | current fault settings and pending `fail_next` injections |
//! | `POST /_sim/faults` | any of `latency_ms`, `http_5xx_rate`, `lost_response_rate`, `rate_limit_per_second` (null = off), `token_expired_as_http_401` | changes only the given settings |
//! | `POST /_sim/faults/reset` | | clears every fault |
//! | `POST /_sim/fail-next` | `{path, return_code, times}` | next calls to `path` answer that returnCode |
//! | `POST /_sim/expire-tokens` | | every access token answers -103 |
//! | `POST /_sim/devices/{id}/online` | `{online}` | device goes on/offline |
//! | `POST /_sim/persons` | `{place_id, name, alias_id?}` | person created "in Hanet's app" |
//! | `POST /_sim/checkins` | a check-in (`place_id, device_id, alias_id?, person_id?, person_name?, person_type?, time_ms?, event_id?`) plus `emit` (default true) | stores it, and posts the webhook when `emit` |
//! | `POST /_sim/webhook-url` | `{url: string or null, probe?: bool}` | sets the webhook URL, optionally probing it |
//! | `POST /_sim/webhook-probe` | | sends the empty-body probe |

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Json, Path};
use actix_web::{HttpResponse, Scope};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::envelope::json_response;
use crate::faults::FaultSettings;
use crate::sim::Shared;
use crate::state::CheckinSeed;

type SharedData = Data<Arc<Shared>>;

/// All `/_sim` routes.
pub fn scope() -> Scope {
    web::scope("/_sim")
        .route("/health", web::get().to(health))
        .route("/state", web::get().to(state))
        .route("/faults", web::get().to(get_faults))
        .route("/faults", web::post().to(set_faults))
        .route("/faults/reset", web::post().to(reset_faults))
        .route("/fail-next", web::post().to(fail_next))
        .route("/expire-tokens", web::post().to(expire_tokens))
        .route("/devices/{id}/online", web::post().to(device_online))
        .route("/persons", web::post().to(add_person))
        .route("/checkins", web::post().to(checkin))
        .route("/webhook-url", web::post().to(webhook_url))
        .route("/webhook-probe", web::post().to(webhook_probe))
}

fn ok(body: Value) -> HttpResponse {
    json_response(StatusCode::OK, &body)
}

fn bad_request(message: impl Into<String>) -> HttpResponse {
    json_response(StatusCode::BAD_REQUEST, &json!({"error": message.into()}))
}

async fn health() -> HttpResponse {
    ok(json!({"ok": true}))
}

async fn state(shared: SharedData) -> HttpResponse {
    ok(shared.snapshot())
}

fn faults_json(shared: &Shared) -> Value {
    let pending: Map<String, Value> = shared
        .faults
        .pending_failures()
        .into_iter()
        .map(|(path, (code, times))| (path, json!({"return_code": code, "times": times})))
        .collect();
    let mut body = json!(shared.faults.settings());
    body["fail_next"] = Value::Object(pending);
    body
}

async fn get_faults(shared: SharedData) -> HttpResponse {
    ok(faults_json(&shared))
}

async fn set_faults(shared: SharedData, body: Json<Map<String, Value>>) -> HttpResponse {
    let mut settings: FaultSettings = shared.faults.settings();
    for (key, value) in body.into_inner() {
        let applied = match key.as_str() {
            "latency_ms" => value.as_u64().map(|v| settings.latency_ms = v),
            "http_5xx_rate" => value.as_f64().map(|v| settings.http_5xx_rate = v),
            "lost_response_rate" => value.as_f64().map(|v| settings.lost_response_rate = v),
            "rate_limit_per_second" if value.is_null() => {
                settings.rate_limit_per_second = None;
                Some(())
            }
            "rate_limit_per_second" => value
                .as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .map(|v| settings.rate_limit_per_second = Some(v)),
            "token_expired_as_http_401" => value
                .as_bool()
                .map(|v| settings.token_expired_as_http_401 = v),
            _ => None,
        };
        if applied.is_none() {
            return bad_request(format!("bad or unknown fault setting {key}: {value}"));
        }
    }
    shared.faults.apply(settings);
    ok(faults_json(&shared))
}

async fn reset_faults(shared: SharedData) -> HttpResponse {
    shared.faults.reset();
    ok(faults_json(&shared))
}

#[derive(Deserialize)]
struct FailNext {
    path: String,
    return_code: i64,
    #[serde(default = "one")]
    times: u32,
}

fn one() -> u32 {
    1
}

async fn fail_next(shared: SharedData, body: Json<FailNext>) -> HttpResponse {
    shared
        .faults
        .fail_next(&body.path, body.return_code, body.times);
    ok(faults_json(&shared))
}

async fn expire_tokens(shared: SharedData) -> HttpResponse {
    shared.state().expire_all_access_tokens();
    ok(json!({"expired": true}))
}

#[derive(Deserialize)]
struct Online {
    online: bool,
}

async fn device_online(shared: SharedData, id: Path<String>, body: Json<Online>) -> HttpResponse {
    if shared.state().set_device_online(&id, body.online) {
        ok(json!({"device_id": id.into_inner(), "online": body.online}))
    } else {
        json_response(
            StatusCode::NOT_FOUND,
            &json!({"error": format!("no device {id}")}),
        )
    }
}

#[derive(Deserialize)]
struct NewPerson {
    place_id: i64,
    name: String,
    #[serde(default)]
    alias_id: Option<String>,
}

async fn add_person(shared: SharedData, body: Json<NewPerson>) -> HttpResponse {
    // A unique fake "face" so the person never collides with an uploaded one.
    let sha = crate::api::sha256_hex(uuid::Uuid::new_v4().as_bytes());
    let person_id = shared.state().add_person_directly(
        body.place_id,
        &body.name,
        body.alias_id.as_deref(),
        sha,
    );
    ok(json!({"person_id": person_id}))
}

#[derive(Deserialize)]
struct CheckinRequest {
    #[serde(flatten)]
    seed: CheckinSeed,
    #[serde(default = "yes")]
    emit: bool,
}

fn yes() -> bool {
    true
}

async fn checkin(shared: SharedData, body: Json<CheckinRequest>) -> HttpResponse {
    let CheckinRequest { seed, emit } = body.into_inner();
    if !emit {
        let stored = shared.state().store_checkin(seed);
        return ok(json!({"event_id": stored.event_id, "webhook_status": null}));
    }
    match shared.emit(seed).await {
        Ok(status) => ok(json!({"webhook_status": status})),
        Err(e) => json_response(
            StatusCode::BAD_GATEWAY,
            &json!({"error": format!("{e:#}"), "webhook_status": null}),
        ),
    }
}

#[derive(Deserialize)]
struct WebhookUrl {
    url: Option<String>,
    #[serde(default)]
    probe: bool,
}

async fn webhook_url(shared: SharedData, body: Json<WebhookUrl>) -> HttpResponse {
    let WebhookUrl { url, probe } = body.into_inner();
    shared.state().webhook_url = url.clone();
    if !probe || url.is_none() {
        return ok(json!({"url": url, "probe_status": null}));
    }
    match shared.probe().await {
        Ok(status) => ok(json!({"url": url, "probe_status": status})),
        Err(e) => ok(json!({"url": url, "probe_status": null, "probe_error": format!("{e:#}")})),
    }
}

async fn webhook_probe(shared: SharedData) -> HttpResponse {
    match shared.probe().await {
        Ok(status) => ok(json!({"probe_status": status})),
        Err(e) => json_response(StatusCode::BAD_GATEWAY, &json!({"error": format!("{e:#}")})),
    }
}
