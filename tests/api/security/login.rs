//! Login throttling and its price: one `login` per operation, `RATE_LIMITED` per email and per
//! client address (the address from a trusted proxy header only when one is configured).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::{
    app_test,
    helpers::{PASSWORD, TestApp, error_code},
};

const LOGIN: &str =
    "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }";

async fn login(app: &TestApp, email: &str, password: &str, forwarded_for: Option<&str>) -> Value {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": LOGIN, "variables": { "e": email, "p": password } }));
    if let Some(address) = forwarded_for {
        request = request.header("x-forwarded-for", address);
    }
    request
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON")
}

app_test!(async fn fifty_aliased_logins_are_refused_before_any_hash(app) {
    let company = app.seed_company("Acme").await;
    let fields: String = (0..50)
        .map(|i| format!("l{i}: login(email: \"{}\", password: \"{PASSWORD}\") {{ token }} ", company.admin_email))
        .collect();
    let started = Instant::now();
    let body = app.graphql(None, &format!("mutation {{ {fields} }}"), json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert!(body["data"].is_null(), "no login ran: {body}");
    assert!(started.elapsed() < Duration::from_millis(500), "refused before hashing");
    // One login per operation still works.
    assert!(login(&app, &company.admin_email, PASSWORD, None).await["data"]["login"]["token"].is_string());
});

app_test!(async fn ten_failures_for_an_email_lock_it_even_for_the_right_password(app) {
    let company = app.seed_company("Acme").await;
    for _ in 0..10 {
        let body = login(&app, &company.admin_email, "wrong password!", None).await;
        assert_eq!(error_code(&body), "UNAUTHENTICATED");
    }
    let body = login(&app, &company.admin_email, PASSWORD, None).await;
    assert_eq!(error_code(&body), "RATE_LIMITED", "{body}");
    let retry = body["errors"][0]["extensions"]["retryAfterSeconds"].as_u64().expect("retryAfterSeconds");
    assert!((840..=900).contains(&retry), "{retry}");
});

app_test!(async fn ten_failures_from_one_address_lock_it_for_every_email(app) {
    let company = app.seed_company("Acme").await;
    // Spoofed forwarding headers are ignored: no trusted proxy header is configured.
    for i in 0..10 {
        let body = login(&app, &format!("nobody{i}@example.test"), "wrong password!", Some(&format!("10.0.0.{i}"))).await;
        assert_eq!(error_code(&body), "UNAUTHENTICATED");
    }
    let body = login(&app, &company.admin_email, PASSWORD, Some("10.0.0.99")).await;
    assert_eq!(error_code(&body), "RATE_LIMITED", "{body}");
});

app_test!(async fn a_trusted_proxy_header_names_the_client(app) with ["--trusted-proxy-header", "X-Forwarded-For"] {
    let company = app.seed_company("Acme").await;
    for i in 0..10 {
        let body = login(&app, &format!("nobody{i}@example.test"), "wrong password!", Some("203.0.113.7, 198.51.100.1")).await;
        assert_eq!(error_code(&body), "UNAUTHENTICATED");
    }
    // The proxy appended 198.51.100.1: that client is locked, another one is not.
    let body = login(&app, &company.admin_email, PASSWORD, Some("203.0.113.7, 198.51.100.1")).await;
    assert_eq!(error_code(&body), "RATE_LIMITED");
    let body = login(&app, &company.admin_email, PASSWORD, Some("198.51.100.2")).await;
    assert!(body["data"]["login"]["token"].is_string(), "{body}");
});
