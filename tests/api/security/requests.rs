//! Request-level promises: authentication before a multipart body is read, a persisted-query
//! cache bounded in bytes, bounded metric labels and the metrics token, `nosniff` everywhere,
//! no secret in `--help`, and expensive fields priced by what they cost.

use std::time::Duration;

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::{app_test, helpers::error_code};

/// A multipart request whose body starts and then stalls: a server that reads it before
/// checking who sends it never answers.
async fn stalled_upload(address: &str, token: Option<&str>) -> reqwest::Response {
    let (tx, rx) = futures_channel::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(1);
    let mut tx = tx;
    use futures_util::SinkExt;
    let head = "--b\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{\"query\":\"mutation($f: Upload!) { importEmployees(file: $f) { created } }\",\"variables\":{\"f\":null}}\r\n--b\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{\"0\":[\"variables.f\"]}\r\n--b\r\nContent-Disposition: form-data; name=\"0\"; filename=\"e.csv\"\r\n\r\n";
    let _ = tx.send(Ok(head.as_bytes().to_vec())).await;
    let mut request = reqwest::Client::new()
        .post(format!("{address}/graphql"))
        .header("content-type", "multipart/form-data; boundary=b")
        .body(reqwest::Body::wrap_stream(rx));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = tokio::time::timeout(Duration::from_secs(10), request.send())
        .await
        .expect("answered before the body ended")
        .expect("response");
    drop(tx);
    response
}

app_test!(async fn uploads_are_refused_before_their_body_is_read(app) {
    let company = app.seed_company("Acme").await;
    let response = stalled_upload(&app.address, None).await;
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
    let viewer = app.user_token(&company, "VIEWER").await;
    let response = stalled_upload(&app.address, Some(&viewer)).await;
    assert_eq!(response.status(), 403);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(error_code(&body), "FORBIDDEN");
});

app_test!(async fn a_large_persisted_query_runs_but_is_not_kept(app) {
    let company = app.seed_company("Acme").await;
    let persisted = |query: &str| {
        let hash = hex::encode(Sha256::digest(query.as_bytes()));
        json!({ "version": 1, "sha256Hash": hash })
    };
    let send = |body: serde_json::Value| {
        app.client
            .post(format!("{}/graphql", app.address))
            .bearer_auth(&company.admin_token)
            .json(&body)
            .send()
    };
    let small = "{ me { email } }".to_owned();
    let large = format!("{{ me {{ email }} }} #{}", "x".repeat(40 * 1024));
    for query in [&small, &large] {
        let body: serde_json::Value = send(json!({ "query": query, "extensions": { "persistedQuery": persisted(query) } })).await.expect("sent").json().await.expect("JSON");
        assert_eq!(body["data"]["me"]["email"], company.admin_email.as_str());
    }
    let by_hash = |query: &str| json!({ "extensions": { "persistedQuery": persisted(query) } });
    let body: serde_json::Value = send(by_hash(&small)).await.expect("sent").json().await.expect("JSON");
    assert_eq!(body["data"]["me"]["email"], company.admin_email.as_str(), "a small document is kept");
    let body: serde_json::Value = send(by_hash(&large)).await.expect("sent").json().await.expect("JSON");
    assert_eq!(error_code(&body), "PERSISTED_QUERY_NOT_FOUND", "a 40 KB document is not kept");
});

app_test!(async fn client_chosen_operation_names_never_become_metric_labels(app) {
    let company = app.seed_company("Acme").await;
    let name = format!("Evil{}", uuid::Uuid::new_v4().simple());
    let body: serde_json::Value = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&company.admin_token)
        .json(&json!({ "query": format!("query {name} {{ me {{ email }} }}"), "operationName": name }))
        .send().await.expect("sent").json().await.expect("JSON");
    assert!(body["data"]["me"]["email"].is_string());
    let metrics = app.client.get(format!("{}/metrics", app.address)).send().await.expect("metrics").text().await.expect("text");
    assert!(!metrics.contains(&name), "the client's name became a label");
    assert!(metrics.contains("operation=\"query.me\""), "{metrics}");
});

app_test!(async fn metrics_need_the_token_when_one_is_set(app) with ["--metrics-token", "metrics-secret-0123456789"] {
    let url = format!("{}/metrics", app.address);
    assert_eq!(app.client.get(&url).send().await.expect("sent").status(), 401);
    assert_eq!(app.client.get(&url).bearer_auth("wrong").send().await.expect("sent").status(), 401);
    let response = app.client.get(&url).bearer_auth("metrics-secret-0123456789").send().await.expect("sent");
    assert_eq!(response.status(), 200);
    assert!(response.text().await.expect("text").contains("timekeeping_http_requests_total"));
});

app_test!(async fn every_response_says_nosniff(app) {
    let company = app.seed_company("Acme").await;
    let responses = [
        app.client.get(format!("{}/healthz", app.address)).send().await,
        app.client.get(format!("{}/metrics", app.address)).send().await,
        app.client.get(format!("{}/no-such-page", app.address)).send().await,
        app.client.get(format!("{}/photos/nope", app.address)).bearer_auth(&company.admin_token).send().await,
        app.client.post(format!("{}/graphql", app.address)).json(&json!({ "query": "{ __typename }" })).send().await,
    ];
    for response in responses {
        let response = response.expect("sent");
        assert_eq!(
            response.headers().get("x-content-type-options").and_then(|v| v.to_str().ok()),
            Some("nosniff"),
            "{}",
            response.url()
        );
    }
});

#[test]
fn help_never_prints_a_secret() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_timekeeping"))
        .arg("--help")
        .env(
            "DATABASE_URL",
            "postgres://app:db-password-1234@db.internal/tk",
        )
        .env("HANET_CLIENT_SECRET", "hanet-secret-1234")
        .env(
            "TIMEKEEPING_JWT_SECRET",
            "jwt-secret-1234-jwt-secret-1234-jwt",
        )
        .env("TIMEKEEPING_ENCRYPTION_KEY", "ab".repeat(32))
        .env("TIMEKEEPING_METRICS_TOKEN", "metrics-secret-1234")
        .output()
        .expect("--help runs");
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("DATABASE_URL"), "{help}");
    for secret in [
        "db-password-1234",
        "hanet-secret-1234",
        "jwt-secret-1234",
        &"ab".repeat(32),
        "metrics-secret-1234",
    ] {
        assert!(!help.contains(secret), "--help printed {secret}");
    }
}

app_test!(async fn vendor_and_list_fields_are_priced_by_what_they_cost(app) {
    let company = app.seed_company("Acme").await;
    app.enable_camera(&company).await;
    let viewer = app.user_token(&company, "VIEWER").await;
    let places: String = (0..6).map(|i| format!("p{i}: hanetPlaces {{ id }} ")).collect();
    let body = app.graphql(Some(&viewer), &format!("{{ {places} }}"), json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "six Hanet calls in one operation: {body}");
    assert!(body["errors"][0]["message"].as_str().unwrap_or("").contains("complex"), "{body}");
    let days: String = (0..120)
        .map(|i| format!("d{i}: attendanceDays(from: \"2026-01-01\", to: \"2026-01-31\", first: 1) {{ totalCount }} "))
        .collect();
    let body = app.graphql(Some(&viewer), &format!("{{ {days} }}"), json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "120 page queries in one operation: {body}");
    // A screen's worth still runs.
    let body = app.graphql(Some(&viewer), "{ a: attendanceDays(from: \"2026-01-01\", to: \"2026-01-31\") { totalCount } b: attendanceDays(from: \"2026-02-01\", to: \"2026-02-28\") { totalCount } }", json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
});
