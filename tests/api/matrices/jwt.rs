//! Forged, stale and misaddressed login tokens are refused.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header, crypto};
use serde_json::{Value, json};

use crate::app_test;

const SECRET: &str = "matrix-suite-jwt-secret-0123456789-abcdef";

fn sign(header: &Header, claims: &Value) -> String {
    jsonwebtoken::encode(header, claims, &EncodingKey::from_secret(SECRET.as_bytes()))
        .expect("sign")
}

fn part(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

app_test!(async fn forged_and_stale_tokens_are_unauthenticated(app) with ["--jwt-secret", SECRET] {
    let company = app.seed_company("Acme").await;
    let me = app.graphql_ok(&company.admin_token, "{ me { id } }", json!({})).await;
    let user_id = me["me"]["id"].as_str().expect("id").to_owned();
    let now = chrono::Utc::now().timestamp();
    let claims = |changes: Value| {
        let mut claims = json!({
            "sub": user_id, "company": company.id.to_string(), "role": "ADMIN",
            "iss": "timekeeping", "aud": "timekeeping-api", "iat": now - 60, "exp": now + 3600,
        });
        for (key, value) in changes.as_object().expect("changes") {
            match value {
                Value::Null => claims.as_object_mut().expect("claims").remove(key),
                _ => claims.as_object_mut().expect("claims").insert(key.clone(), value.clone()),
            };
        }
        claims
    };
    let hs256 = Header::new(Algorithm::HS256);

    // The control: a token built here the way the server builds its own is accepted, so every
    // refusal below is about the one thing that case changes.
    let valid = sign(&hs256, &claims(json!({})));
    let data = app.graphql_ok(&valid, "{ me { id role } }", json!({})).await;
    assert_eq!(data["me"]["id"], user_id.as_str());

    // A viewer's real token with the role claim raised to ADMIN, signature kept.
    let viewer = app.user_token(&company, "VIEWER").await;
    let pieces: Vec<&str> = viewer.split('.').collect();
    let mut payload: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(pieces[1]).expect("base64")).expect("JSON");
    assert_eq!(payload["role"], "VIEWER");
    payload["role"] = json!("ADMIN");
    let tampered = format!("{}.{}.{}", pieces[0], part(&payload), pieces[2]);

    let rs256_signing_input = format!(
        "{}.{}",
        part(&json!({ "alg": "RS256", "typ": "JWT" })),
        part(&claims(json!({})))
    );
    let key = EncodingKey::from_secret(SECRET.as_bytes());
    let confused = crypto::sign(rs256_signing_input.as_bytes(), &key, Algorithm::HS256).expect("sign");
    let cases = [
        ("expired", sign(&hs256, &claims(json!({ "iat": now - 7200, "exp": now - 3600 })))),
        ("nbf in the future", sign(&hs256, &claims(json!({ "nbf": now + 3600, "exp": now + 7200 })))),
        ("wrong iss", sign(&hs256, &claims(json!({ "iss": "someone-else" })))),
        ("wrong aud", sign(&hs256, &claims(json!({ "aud": "another-api" })))),
        ("tampered role", tampered),
        ("alg none", format!("{}.{}.", part(&json!({ "alg": "none", "typ": "JWT" })), part(&claims(json!({}))))),
        ("HS512", sign(&Header::new(Algorithm::HS512), &claims(json!({})))),
        ("RS256 header", format!("{rs256_signing_input}.{confused}")),
        ("missing exp", sign(&hs256, &claims(json!({ "exp": null })))),
    ];
    let mut accepted = Vec::new();
    for (case, token) in &cases {
        let body = app.graphql(Some(token), "{ me { id } }", json!({})).await;
        if body["errors"][0]["extensions"]["code"] != "UNAUTHENTICATED" {
            accepted.push(format!("{case}: {body}"));
        }
    }
    assert!(accepted.is_empty(), "tokens not refused as UNAUTHENTICATED:\n{}", accepted.join("\n"));
});
