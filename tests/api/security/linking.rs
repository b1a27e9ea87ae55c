//! Linking: a link URL opened by someone else's browser links nothing; one Hanet account is
//! linked to at most one company; PKCE rides along.

use serde_json::{Value, json};

use crate::{app_test, helpers::error_code};

const CONNECTION: &str = "{ hanetConnection { accountEmail } }";

app_test!(async fn a_link_url_opened_by_another_companys_account_holder_links_nothing(app) {
    // B's admin starts a link and sends the URL to A's Hanet account holder, who approves it.
    let b = app.seed_company("Attacker").await;
    app.enable_camera(&b).await;
    let data = app.graphql_ok(&b.admin_token, "mutation { startHanetLink { authorizationUrl } }", json!({})).await;
    let url = data["startHanetLink"]["authorizationUrl"].as_str().expect("url");
    // The victim's browser follows Hanet's redirect to our callback (no token, no SPA).
    let page = reqwest::get(url).await.expect("the victim's browser");
    let text = page.text().await.expect("page");
    assert!(!text.contains("is linked"), "{text}");
    let data = app.graphql_ok(&b.admin_token, CONNECTION, json!({})).await;
    assert_eq!(data["hanetConnection"], Value::Null, "the callback alone must not link B");
    assert!(app.sim.partner_tokens().is_empty(), "no webhook key was registered for B");
});

app_test!(async fn a_hanet_account_is_linked_to_one_company_only(app) {
    let a = app.seed_company("Owner").await;
    app.enable_camera(&a).await;
    app.link_hanet(&a).await;
    let keys_before = app.sim.partner_tokens();

    let b = app.seed_company("Other").await;
    app.enable_camera(&b).await;
    let data = app.graphql_ok(&b.admin_token, "mutation { startHanetLink { authorizationUrl } }", json!({})).await;
    let url = data["startHanetLink"]["authorizationUrl"].as_str().expect("url");
    let (code, state) = timekeeping::linking::approve(url).await.expect("approved");
    let body = app
        .graphql(
            Some(&b.admin_token),
            "mutation($c: String!, $s: String!) { completeHanetLink(code: $c, state: $s) { accountEmail } }",
            json!({ "c": code, "s": state }),
        )
        .await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    assert_eq!(app.graphql_ok(&b.admin_token, CONNECTION, json!({})).await["hanetConnection"], Value::Null);
    assert_eq!(app.sim.partner_tokens(), keys_before, "A's webhook key is untouched");
    let data = app.graphql_ok(&a.admin_token, CONNECTION, json!({})).await;
    assert_eq!(data["hanetConnection"]["accountEmail"], "owner@hanet.sim");
});

app_test!(async fn the_authorization_url_carries_a_pkce_challenge(app) {
    let a = app.seed_company("Owner").await;
    app.enable_camera(&a).await;
    let data = app.graphql_ok(&a.admin_token, "mutation { startHanetLink { authorizationUrl } }", json!({})).await;
    let url = reqwest::Url::parse(data["startHanetLink"]["authorizationUrl"].as_str().expect("url")).expect("URL");
    let pairs: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(pairs.get("code_challenge_method").map(String::as_str), Some("S256"));
    assert_eq!(pairs.get("code_challenge").map(String::len), Some(43), "base64url of a SHA-256");
    // Hanet ignores what it does not know: the link still completes.
    app.link_hanet(&a).await;
});

app_test!(async fn devices_of_a_place_the_account_does_not_own_are_not_found(app) {
    let a = app.seed_company("Owner").await;
    app.enable_camera(&a).await;
    app.link_hanet(&a).await;
    let before = app.sim.request_count("/device/getListDeviceByPlace");
    let body = app.graphql(Some(&a.admin_token), "{ hanetDevices(placeId: \"9999\") { id } }", json!({})).await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    assert_eq!(app.sim.request_count("/device/getListDeviceByPlace"), before, "Hanet was not asked");
});

app_test!(async fn the_database_holds_one_link_per_hanet_account(app) {
    use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
    let a = app.seed_company("Owner").await;
    app.enable_camera(&a).await;
    app.link_hanet(&a).await;
    let b = app.seed_company("Other").await;
    let row = entity::hanet_connection::Entity::find_by_id(a.id).one(&app.state.db).await.expect("read").expect("linked");
    let mut copy = row.into_active_model();
    copy.company_id = Set(b.id);
    copy.partner_token = Set("another-key".to_owned());
    assert!(copy.insert(&app.state.db).await.is_err(), "a second row for one Hanet account is refused");
});
