//! Over-size, over-deep and over-complex requests are refused and the server keeps serving.

use serde_json::{Value, json};

use crate::{
    app_test,
    helpers::{Backend, error_code, spawn_app},
};

async fn still_serving(app: &crate::helpers::TestApp, token: &str) {
    let data = app.graphql_ok(token, "{ me { email } }", json!({})).await;
    assert!(data["me"]["email"].is_string());
}

app_test!(async fn an_over_size_body_is_refused_with_payload_too_large(app) {
    let company = app.seed_company("Acme").await;
    let padding = "x".repeat(2 * 1024 * 1024);
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&company.admin_token)
        .json(&json!({ "query": "{ me { email } }", "variables": { "padding": padding } }))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.expect("JSON error body");
    assert_eq!(error_code(&body), "PAYLOAD_TOO_LARGE");

    // Chunked, without Content-Length: the limit still holds while streaming.
    let chunks = futures_util::stream::iter((0..40).map(|_| Ok::<_, std::io::Error>(vec![b' '; 64 * 1024])));
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 413);
    still_serving(&app, &company.admin_token).await;
});

app_test!(async fn an_over_deep_query_is_refused(app) {
    let company = app.seed_company("Acme").await;
    let mut selection = "name".to_owned();
    for _ in 0..25 {
        selection = format!("ofType {{ {selection} }}");
    }
    let query = format!("{{ __schema {{ types {{ fields {{ type {{ {selection} }} }} }} }} }}");
    let body = app.graphql(Some(&company.admin_token), &query, json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert!(body["errors"][0]["message"].as_str().unwrap_or("").contains("deep"), "{body}");
    still_serving(&app, &company.admin_token).await;
});

app_test!(async fn an_over_complex_query_is_refused(app) {
    let company = app.seed_company("Acme").await;
    let fields = "edges { node { id employeeCode fullName email title workStatus profilePictureUrl createdAt updatedAt department { id name } } }";
    let query = format!("{{ a: employees(first: 200) {{ {fields} }} b: employees(first: 200) {{ {fields} }} c: employees(first: 200) {{ {fields} }} }}");
    let body = app.graphql(Some(&company.admin_token), &query, json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert!(body["errors"][0]["message"].as_str().unwrap_or("").contains("complex"), "{body}");
    still_serving(&app, &company.admin_token).await;
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_or_too_large_uploads_are_refused() {
    let app = spawn_app(
        Backend::Sqlite,
        &["--max-upload-file-bytes", "2048", "--max-upload-files", "2"],
    )
    .await
    .expect("app");
    let company = app.seed_company("Acme").await;
    let query = "mutation($f: Upload!) { importEmployees(file: $f) { created } }";
    let response = app
        .upload(
            &company.admin_token,
            query,
            json!({ "f": null }),
            vec![("variables.f", "big.csv", vec![b'a'; 10_000])],
        )
        .await;
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(error_code(&body), "PAYLOAD_TOO_LARGE");

    let files = (0..3)
        .map(|i| {
            (
                "variables.f",
                if i == 0 { "a.csv" } else { "b.csv" },
                b"employee_code,full_name\n".to_vec(),
            )
        })
        .collect();
    let response = app
        .upload(&company.admin_token, query, json!({ "f": null }), files)
        .await;
    assert_eq!(response.status(), 413);
    still_serving(&app, &company.admin_token).await;
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn_app(Backend::Sqlite, &[]).await.expect("app");
    for path in ["/healthz", "/readyz"] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 200, "{path}");
    }
    let graphiql = app
        .client
        .get(format!("{}/graphql", app.address))
        .send()
        .await
        .expect("sent");
    assert_eq!(graphiql.status(), 200);
    assert!(
        graphiql
            .text()
            .await
            .unwrap_or_default()
            .contains("graphiql")
    );
}
