//! Integration tests of the simulator over real HTTP (one test binary; the modules under
//! `tests/sim/` group the tests by area). This file covers OAuth, tokens and the envelope.

#[path = "sim/checkins.rs"]
mod checkins;
#[path = "sim/faults.rs"]
mod faults;
#[path = "sim/persons.rs"]
mod persons;
#[path = "sim/support.rs"]
mod support;
#[path = "sim/webhook.rs"]
mod webhook;

use hanet_sim::SimConfig;
use serde_json::Value;
use support::*;

#[tokio::test]
async fn authorize_redirects_with_single_use_code_and_echoed_state() {
    let sim = start(SimConfig::default()).await;
    let http = client();

    let bad = http
        .get(format!("{}/oauth2/authorize", sim.base_url()))
        .query(&[
            ("response_type", "code"),
            ("client_id", "nope"),
            ("redirect_uri", REDIRECT),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    let code = authorize(&sim, &http, "xyz-123").await;
    let before = chrono::Utc::now().timestamp();
    let (status, body) = exchange_code(&sim, &http, &code).await;
    assert_eq!(status, 200, "{body}");
    for key in ["access_token", "refresh_token", "email", "userID"] {
        assert!(body[key].is_string(), "{key} in {body}");
    }
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["email"], "owner@hanet.sim");
    assert!(body.get("expires_in").is_none());
    // `expire` is an absolute epoch in seconds, about a year ahead.
    let expire = body["expire"].as_i64().unwrap();
    let year = 365 * 24 * 3600;
    assert!(
        expire >= before + year - 5 && expire <= before + year + 5,
        "{expire}"
    );

    let (status, again) = exchange_code(&sim, &http, &code).await;
    assert_eq!(status, 400);
    assert_eq!(again["error"], "invalid_grant");
    assert!(again["error_description"].is_string());
}

#[tokio::test]
async fn token_exchange_validates_client_secret_and_redirect_uri() {
    let sim = start(SimConfig::default()).await;
    let http = client();
    let code = authorize(&sim, &http, "s").await;
    let id = sim.client_id().to_owned();

    let (status, body) = token_call(
        &sim,
        &http,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", &id),
            ("client_secret", "wrong"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_client"))
    );

    let (status, body) = token_call(
        &sim,
        &http,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "https://evil.example/cb"),
            ("client_id", &id),
            ("client_secret", sim.client_secret()),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // grant_type in the query string is accepted too; failed attempts did not burn the code.
    let resp = http
        .post(format!(
            "{}/token?grant_type=authorization_code",
            sim.base_url()
        ))
        .form(&[
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("client_id", &id),
            ("client_secret", sim.client_secret()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn refresh_rotates_pairs_and_old_refresh_tokens_are_one_shot() {
    let s = session(SimConfig::default()).await;
    let (status, first) = refresh(&s.sim, &s.http, &s.refresh_token).await;
    assert_eq!(status, 200, "{first}");
    assert_ne!(first["refresh_token"], s.refresh_token.as_str());
    assert_ne!(first["access_token"], s.token.as_str());
    assert!(first["expire"].as_i64().unwrap() > chrono::Utc::now().timestamp());

    let (status, reused) = refresh(&s.sim, &s.http, &s.refresh_token).await;
    assert_eq!(
        (status, reused["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    let (status, second) = refresh(&s.sim, &s.http, first["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(s.sim.token_refreshes(), 2);
    assert_eq!(s.sim.request_count("/token"), 4);

    // With one-shot refresh tokens off, an old refresh token keeps working.
    let lenient = session(SimConfig {
        one_shot_refresh_tokens: false,
        ..SimConfig::default()
    })
    .await;
    for _ in 0..2 {
        let (status, _) = refresh(&lenient.sim, &lenient.http, &lenient.refresh_token).await;
        assert_eq!(status, 200);
    }
}

#[tokio::test]
async fn expired_tokens_answer_minus_103_or_http_401_when_that_fault_is_on() {
    let mut s = session(SimConfig::default()).await;
    assert_eq!(s.code("/profile/getProfile", &[]).await, 1);

    s.sim.expire_all_tokens();
    let (status, body) = s.call("/profile/getProfile", &[]).await;
    assert_eq!((status, body["returnCode"].as_i64()), (200, Some(-103)));
    assert_eq!(body["data"], Value::Null);

    s.sim.faults().set_token_expired_as_http_401(true);
    let (status, body) = s.call("/place/getPlaces", &[]).await;
    assert_eq!((status, body["returnCode"].as_i64()), (401, Some(401)));

    // Refreshing fixes it.
    let (_, fresh) = refresh(&s.sim, &s.http, &s.refresh_token).await;
    s.token = fresh["access_token"].as_str().unwrap().to_owned();
    assert_eq!(s.code("/place/getPlaces", &[]).await, 1);

    // Unknown token, and the wrong token field name for /partner/*.
    s.sim.faults().reset();
    let (_, body) = raw(&s, "/profile/getProfile", &[("token", "bogus")]).await;
    assert!(body.contains("-103"), "{body}");
    let (_, body) = raw(&s, "/partner/getListUserPartner", &[("token", &s.token)]).await;
    assert!(body.contains("-103"), "{body}");
}

#[tokio::test]
async fn envelope_and_id_typing_follow_hanet() {
    let s = session(SimConfig::default()).await;
    let resp = s
        .http
        .post(format!("{}/profile/getProfile", s.sim.base_url()))
        .form(&[("token", s.token.as_str())])
        .send()
        .await
        .unwrap();
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let text = resp.text().await.unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["returnCode"], 1);
    assert_eq!(body["statusCode"], 0);
    assert!(body["returnMessage"].is_string());
    // The profile id is an unquoted 19-digit number, beyond 2^53.
    let id = body["data"]["id"].as_u64().unwrap();
    assert_eq!(id.to_string().len(), 19);
    assert!(id > 1 << 53);
    assert!(text.contains(&format!("\"id\":{id}")), "{text}");

    let places = s.ok("/place/getPlaces", &[]).await;
    assert_eq!(places.as_array().unwrap().len(), 2);
    assert_eq!(places[0]["id"], 1001);
    assert_eq!(places[0]["userID"].as_u64(), Some(id));
    let info = s.ok("/place/getPlaceInfo", &[("placeID", "1002")]).await;
    assert_eq!(info["name"], "Warehouse");
    assert_eq!(
        s.code("/place/getPlaceInfo", &[("placeID", "77")]).await,
        -1005
    );

    let devices = s.ok("/device/getListDevice", &[]).await;
    assert_eq!(devices.as_array().unwrap().len(), 3);
    assert_eq!(devices[0]["deviceID"], "C20371B106");
    assert!(devices[0]["placeID"].is_i64());
    let by_place = s
        .ok("/device/getListDeviceByPlace", &[("placeID", "1002")])
        .await;
    assert_eq!(by_place[0]["deviceName"], "Dock");

    s.sim.set_device_online("C20371B107", false);
    let status = s
        .ok(
            "/device/getConnectionStatus",
            &[("deviceIDs", "C20371B106,C20371B107,ZZZ")],
        )
        .await;
    assert_eq!(
        status,
        serde_json::json!({"C20371B106": true, "C20371B107": false, "ZZZ": false})
    );

    assert_eq!(
        s.ok("/partner/updateToken", &[("partner_token", "company-42")])
            .await,
        Value::Null
    );
    assert_eq!(
        s.sim.partner_tokens(),
        vec![("owner@hanet.sim".to_owned(), "company-42".to_owned())]
    );
    let partners = s.ok("/partner/getListUserPartner", &[]).await;
    assert_eq!(partners[0]["clientID"], "sim-client-id");
    assert_eq!(
        s.ok("/partner/addPlacePartner", &[("placeID", "1001")])
            .await,
        Value::Null
    );
    assert_eq!(
        s.code("/partner/addPlacePartner", &[("placeID", "5")])
            .await,
        -1005
    );

    let (status, _) = raw(&s, "/person/doesNotExist", &[("token", &s.token)]).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn control_endpoints_work_over_http() {
    let s = session(SimConfig::default()).await;
    let base = s.sim.base_url();
    let post = |path: &str, body: Value| s.http.post(format!("{base}{path}")).json(&body).send();

    let faults: Value = post(
        "/_sim/faults",
        serde_json::json!({"latency_ms": 5, "rate_limit_per_second": 100}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(faults["latency_ms"], 5);
    assert_eq!(s.sim.faults().settings().rate_limit_per_second, Some(100));
    let bad = post("/_sim/faults", serde_json::json!({"nope": 1}))
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    post("/_sim/faults/reset", Value::Null).await.unwrap();
    assert_eq!(
        s.sim.faults().settings(),
        hanet_sim::FaultSettings::default()
    );

    post(
        "/_sim/fail-next",
        serde_json::json!({"path": "/place/getPlaces", "return_code": -503}),
    )
    .await
    .unwrap();
    assert_eq!(s.code("/place/getPlaces", &[]).await, -503);
    assert_eq!(s.code("/place/getPlaces", &[]).await, 1);

    let r = post(
        "/_sim/devices/C21283M316/online",
        serde_json::json!({"online": false}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    post(
        "/_sim/persons",
        serde_json::json!({"place_id": 1002, "name": "App person"}),
    )
    .await
    .unwrap();
    let state: Value = s
        .http
        .get(format!("{base}/_sim/state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["persons_by_place"]["1002"][0]["name"], "App person");
    assert_eq!(state["devices"][2]["online"], false);

    post("/_sim/expire-tokens", Value::Null).await.unwrap();
    assert_eq!(s.code("/place/getPlaces", &[]).await, -103);
}
