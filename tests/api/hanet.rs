//! Linking the company's Hanet account, against hanet-sim over HTTP.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::{
    app_test,
    helpers::{Company, TestApp, error_code},
};

const CONNECTION: &str = "{ hanetConnection { accountEmail accountName status selectedPlace { id name } tokenExpiresAt } }";

/// The code and state Hanet would redirect with, without letting the browser follow.
async fn authorize_without_callback(app: &TestApp, company: &Company) -> (String, String) {
    let data = app
        .graphql_ok(
            &company.admin_token,
            "mutation { startHanetLink { authorizationUrl state } }",
            json!({}),
        )
        .await;
    let url = data["startHanetLink"]["authorizationUrl"]
        .as_str()
        .expect("url");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let response = client.get(url).send().await.expect("authorize");
    assert_eq!(response.status(), 302);
    let location = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let redirect = reqwest::Url::parse(&location).expect("redirect URL");
    assert!(
        location.starts_with(&format!("{}/hanet/oauth/callback", app.address)),
        "{location}"
    );
    let param = |name: &str| {
        redirect
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .expect(name)
    };
    let state = param("state");
    assert_eq!(
        state,
        data["startHanetLink"]["state"].as_str().expect("state"),
        "Hanet echoes our state"
    );
    (param("code"), state)
}

app_test!(async fn camera_operations_need_the_feature_then_a_link(app) {
    let company = app.seed_company("Acme").await;
    for query in [CONNECTION, "{ hanetPlaces { id } }", "mutation { startHanetLink { state } }"] {
        let body = app.graphql(Some(&company.admin_token), query, json!({})).await;
        assert_eq!(error_code(&body), "FEATURE_NOT_ENABLED", "{query}");
    }
    app.enable_camera(&company).await;
    let data = app.graphql_ok(&company.admin_token, CONNECTION, json!({})).await;
    assert_eq!(data["hanetConnection"], Value::Null);
    for query in ["{ hanetPlaces { id } }", "{ hanetDevices { id } }", "mutation { selectHanetPlace(placeId: \"1001\") { accountEmail } }"] {
        let body = app.graphql(Some(&company.admin_token), query, json!({})).await;
        assert_eq!(error_code(&body), "HANET_NOT_LINKED", "{query}");
    }
});

app_test!(async fn the_full_link_flow_lists_places_and_devices_and_unlinks(app) {
    let company = app.seed_company("Acme").await;
    app.enable_camera(&company).await;
    let viewer = app.user_token(&company, "VIEWER").await;
    let body = app.graphql(Some(&viewer), "mutation { startHanetLink { state } }", json!({})).await;
    assert_eq!(error_code(&body), "FORBIDDEN", "only admins link");

    app.link_hanet(&company).await;
    let data = app.graphql_ok(&company.admin_token, CONNECTION, json!({})).await;
    assert_eq!(data["hanetConnection"]["accountEmail"], "owner@hanet.sim");
    assert_eq!(data["hanetConnection"]["status"], "ACTIVE");
    assert_eq!(data["hanetConnection"]["selectedPlace"], Value::Null);
    assert_eq!(app.sim.partner_tokens().len(), 1, "the webhook key was registered with Hanet");

    let data = app.graphql_ok(&viewer, "{ hanetPlaces { id name } }", json!({})).await;
    assert_eq!(data["hanetPlaces"], json!([{ "id": "1001", "name": "Head office" }, { "id": "1002", "name": "Warehouse" }]));

    app.sim.set_device_online("C20371B107", false);
    let data = app.graphql_ok(&viewer, "{ hanetDevices(placeId: \"1001\") { id online placeId } }", json!({})).await;
    assert_eq!(
        data["hanetDevices"],
        json!([{ "id": "C20371B106", "online": true, "placeId": "1001" }, { "id": "C20371B107", "online": false, "placeId": "1001" }])
    );

    let data = app
        .graphql_ok(&company.admin_token, "mutation { selectHanetPlace(placeId: \"1002\") { selectedPlace { id name } } }", json!({}))
        .await;
    assert_eq!(data["selectHanetPlace"]["selectedPlace"], json!({ "id": "1002", "name": "Warehouse" }));
    let data = app.graphql_ok(&viewer, "{ hanetDevices { id } }", json!({})).await;
    assert_eq!(data["hanetDevices"], json!([{ "id": "C21283M316" }]), "defaults to the selected place");
    let body = app.graphql(Some(&company.admin_token), "mutation { selectHanetPlace(placeId: \"4242\") { accountEmail } }", json!({})).await;
    assert_eq!(error_code(&body), "NOT_FOUND");

    let data = app.graphql_ok(&company.admin_token, "mutation { unlinkHanet }", json!({})).await;
    assert_eq!(data["unlinkHanet"], true);
    let data = app.graphql_ok(&company.admin_token, CONNECTION, json!({})).await;
    assert_eq!(data["hanetConnection"], Value::Null);
    let body = app.graphql(Some(&company.admin_token), "{ hanetPlaces { id } }", json!({})).await;
    assert_eq!(error_code(&body), "HANET_NOT_LINKED");
});

app_test!(async fn a_wrong_or_reused_state_is_refused(app) {
    let company = app.seed_company("Acme").await;
    app.enable_camera(&company).await;
    let complete = "mutation($c: String!, $s: String!) { completeHanetLink(code: $c, state: $s) { accountEmail } }";

    let (code, state) = authorize_without_callback(&app, &company).await;
    let body = app.graphql(Some(&company.admin_token), complete, json!({ "c": code, "s": "made-up-state" })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    let callback = app.client.get(format!("{}/hanet/oauth/callback?code={code}&state=made-up", app.address)).send().await.expect("callback");
    assert_eq!(callback.status(), 400);

    // Another admin of the same company cannot use a state issued to someone else.
    let other_admin = app.user_token(&company, "ADMIN").await;
    let body = app.graphql(Some(&other_admin), complete, json!({ "c": code, "s": state })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");

    let data = app.graphql_ok(&company.admin_token, complete, json!({ "c": code, "s": state })).await;
    assert_eq!(data["completeHanetLink"]["accountEmail"], "owner@hanet.sim");
    let body = app.graphql(Some(&company.admin_token), complete, json!({ "c": code, "s": state })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "a state works once");

    // A state from another company is unknown here.
    let other = app.seed_company("Other").await;
    app.enable_camera(&other).await;
    let (other_code, other_state) = authorize_without_callback(&app, &other).await;
    let body = app.graphql(Some(&company.admin_token), complete, json!({ "c": other_code, "s": other_state })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
});

app_test!(async fn concurrent_queries_after_token_expiry_share_one_refresh(app) {
    let company = app.seed_company("Acme").await;
    app.enable_camera(&company).await;
    app.link_hanet(&company).await;
    assert_eq!(app.sim.token_refreshes(), 0);
    app.sim.expire_all_tokens();
    let queries = (0..20).map(|_| app.graphql(Some(&company.admin_token), "{ hanetPlaces { id } }", json!({})));
    let results = futures_util::future::join_all(queries).await;
    for body in &results {
        assert!(body.get("errors").is_none(), "{body:#}");
        assert_eq!(body["data"]["hanetPlaces"].as_array().map(Vec::len), Some(2));
    }
    assert_eq!(app.sim.token_refreshes(), 1, "one refresh for the company, however many callers");
    let data = app.graphql_ok(&company.admin_token, "{ hanetConnection { status } }", json!({})).await;
    assert_eq!(data["hanetConnection"]["status"], "ACTIVE");
});

app_test!(async fn outages_are_retried_and_permanent_errors_are_not(app) {
    let company = app.seed_company("Acme").await;
    app.enable_camera(&company).await;
    app.link_hanet(&company).await;

    app.sim.faults().set_http_5xx_rate(0.3);
    for _ in 0..20 {
        let data = app.graphql_ok(&company.admin_token, "{ hanetPlaces { id } }", json!({})).await;
        assert_eq!(data["hanetPlaces"].as_array().map(Vec::len), Some(2));
    }
    app.sim.faults().reset();

    // Deterministically: two retryable failures (-503 system error), then success.
    app.sim.faults().fail_next("/place/getPlaces", -503, 2);
    let before = app.sim.request_count("/place/getPlaces");
    let data = app.graphql_ok(&company.admin_token, "{ hanetPlaces { id } }", json!({})).await;
    assert_eq!(data["hanetPlaces"].as_array().map(Vec::len), Some(2));
    assert_eq!(app.sim.request_count("/place/getPlaces") - before, 3, "retried twice, then answered");

    app.sim.faults().fail_next("/device/getListDeviceByPlace", -1005, 1);
    let before = app.sim.request_count("/device/getListDeviceByPlace");
    let body = app.graphql(Some(&company.admin_token), "{ hanetDevices(placeId: \"1001\") { id } }", json!({})).await;
    assert_eq!(error_code(&body), "HANET_UNAVAILABLE");
    assert_eq!(body["errors"][0]["extensions"]["hanetCode"], -1005);
    assert_eq!(app.sim.request_count("/device/getListDeviceByPlace") - before, 1, "a permanent error is not retried");
});

app_test!(async fn tokens_are_not_stored_in_plain_text(app) {
    let company = app.seed_company("Acme").await;
    app.enable_camera(&company).await;
    app.link_hanet(&company).await;
    let issued = app.sim.access_tokens();
    assert_eq!(issued.len(), 1, "one link, one access token");
    let access = issued[0].clone();
    assert!(access.len() >= 16);
    let db = &app.state.db;
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), "SELECT * FROM hanet_connections"))
        .await
        .expect("query")
        .expect("a row");
    for column in ["access_token_enc", "refresh_token_enc"] {
        let stored: String = row.try_get("", column).expect(column);
        assert!(stored.starts_with("v1:"), "{column} is sealed");
        assert!(!stored.contains(&access), "{column} holds no plain token");
    }
    for column in row.column_names() {
        if let Ok(text) = row.try_get::<Option<String>>("", &column) {
            assert!(!text.unwrap_or_default().contains(&access), "{column} leaks the token");
        }
    }
});
