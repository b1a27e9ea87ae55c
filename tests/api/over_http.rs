//! GraphQL over HTTP (the spec `graphql-http` audits): the answer's media type follows `Accept`;
//! with `application/graphql-response+json`, a request that never executed is a 400 without
//! `data`; a POST without a content type we read (JSON, multipart) is a 415. The whole audit
//! runs with `examples/graphql-http/audit.mjs`.

use serde_json::{Value, json};

use crate::helpers::{Backend, spawn_app};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

async fn post(
    app: &crate::helpers::TestApp,
    accept: Option<&str>,
    body: Value,
) -> (u16, String, Value) {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&body);
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let response = request.send().await.expect("sent");
    let status = response.status().as_u16();
    let media = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, media, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_answer_follows_the_accept_header() {
    let app = spawn_app(Backend::Sqlite, &[]).await.expect("app");
    let (status, media, body) = post(
        &app,
        Some(GRAPHQL_RESPONSE),
        json!({ "query": "{ __typename }" }),
    )
    .await;
    assert_eq!((status, media.as_str()), (200, GRAPHQL_RESPONSE));
    assert_eq!(body["data"]["__typename"], "Query");
    for broken in [
        json!({ "query": "{" }),
        json!({ "query": "{ noSuchField }" }),
        json!({ "query": "query($n: Int!) { __typename @skip(if: false) }", "variables": { "n": "not a number" } }),
    ] {
        let (status, media, body) = post(&app, Some(GRAPHQL_RESPONSE), broken.clone()).await;
        assert_eq!(
            (status, media.as_str()),
            (400, GRAPHQL_RESPONSE),
            "{broken}: {body}"
        );
        assert!(body.get("data").is_none(), "no data entry: {body}");
        assert!(body["errors"][0]["message"].is_string());
        // Legacy clients (application/json, or no Accept) keep 200.
        for accept in [Some("application/json"), None] {
            let (status, media, body) = post(&app, accept, broken.clone()).await;
            assert_eq!(status, 200, "{broken}: {body}");
            assert!(media.starts_with("application/json"), "{media}");
        }
    }
    let (status, _, _) = post(
        &app,
        Some("text/html"),
        json!({ "query": "{ __typename }" }),
    )
    .await;
    assert_eq!(status, 406);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_without_a_content_type_is_refused() {
    let app = spawn_app(Backend::Sqlite, &[]).await.expect("app");
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .body(r#"{"query":"{ __typename }"}"#)
        .send()
        .await
        .expect("sent");
    assert!(response.status().is_client_error(), "{}", response.status());
    // What fetch() sends for a string body: text/plain.
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "text/plain;charset=UTF-8")
        .body(r#"{"query":"{ __typename }"}"#)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 415);
}
