//! Hanet token upkeep: a passing hiccup of the token endpoint (429, 408, a gateway's 400) is
//! retried and keeps the link `ACTIVE`; only `invalid_grant` means the link must be made again;
//! a token whose expiry Hanet did not say is not refreshed before every call.

use serde_json::json;

use crate::{app_test, helpers::error_code};

const STATUS: &str = "{ hanetConnection { status lastError } }";

app_test!(async fn token_endpoint_hiccups_are_retried_and_keep_the_link(app) {
    let company = app.seed_company("Acme").await;
    app.enable_camera(&company).await;
    app.link_hanet(&company).await;
    // Hanet forgets the access token: the next call refreshes, and the token endpoint stumbles.
    app.sim.expire_all_tokens();
    app.sim.faults().fail_token_requests(&[429, 408]);
    let data = app.graphql_ok(&company.admin_token, "{ hanetPlaces { id } }", json!({})).await;
    assert_eq!(data["hanetPlaces"].as_array().map(Vec::len), Some(2));
    let data = app.graphql_ok(&company.admin_token, STATUS, json!({})).await;
    assert_eq!(data["hanetConnection"]["status"], "ACTIVE", "{data}");

    // A gateway's 400 fails this call, but the link stays and the next call works.
    app.sim.expire_all_tokens();
    app.sim.faults().fail_token_requests(&[400]);
    let body = app.graphql(Some(&company.admin_token), "{ hanetPlaces { id } }", json!({})).await;
    assert_eq!(error_code(&body), "HANET_UNAVAILABLE", "{body}");
    let data = app.graphql_ok(&company.admin_token, STATUS, json!({})).await;
    assert_eq!(data["hanetConnection"]["status"], "ACTIVE");
    let data = app.graphql_ok(&company.admin_token, "{ hanetPlaces { id } }", json!({})).await;
    assert_eq!(data["hanetPlaces"].as_array().map(Vec::len), Some(2));
});

app_test!(async fn a_token_without_an_expiry_is_not_refreshed_on_the_next_call(app) {
    let company = app.seed_company("Acme").await;
    app.enable_camera(&company).await;
    app.sim.faults().set_token_without_expiry(true);
    app.link_hanet(&company).await;
    for _ in 0..3 {
        app.graphql_ok(&company.admin_token, "{ hanetPlaces { id } }", json!({})).await;
    }
    assert_eq!(app.sim.token_refreshes(), 0, "no refresh (and no refresh-token rotation) per call");
});
