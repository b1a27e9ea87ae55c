//! WebSockets: closed with 4401 when the token expires, at most 20 operations per connection.

use std::time::Duration;

use futures_util::SinkExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::{
    helpers::{Backend, spawn_app},
    websocket::{Socket, connect, next},
};

const SECRET: &str = "socket-test-secret-0123456789-0123456789";

async fn init(socket: &mut Socket, token: &str) {
    let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } });
    socket
        .send(Message::text(init.to_string()))
        .await
        .expect("send");
    assert_eq!(next(socket).await.expect("ack")["type"], "connection_ack");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_is_closed_when_its_token_expires() {
    let app = spawn_app(Backend::Sqlite, &["--jwt-secret", SECRET])
        .await
        .expect("app");
    let company = app.seed_company("Acme").await;
    app.enable_camera(&company).await;
    // The admin's own claims, expiring in two seconds.
    let me = app
        .graphql_ok(&company.admin_token, "{ me { id } }", json!({}))
        .await;
    let now = chrono::Utc::now().timestamp();
    let claims = json!({ "sub": me["me"]["id"], "company": company.id, "role": "ADMIN", "iss": "timekeeping", "aud": "timekeeping-api", "iat": now, "exp": now + 2 });
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .expect("token");
    let mut socket = connect(&app).await;
    init(&mut socket, &token).await;
    let subscribe = json!({ "id": "live", "type": "subscribe", "payload": { "query": "subscription { checkinRecorded { id } }" } });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .expect("send");
    let closed = tokio::time::timeout(Duration::from_secs(8), next(&mut socket))
        .await
        .expect("closed within 8 s");
    assert_eq!(closed.err(), Some(Some(4401)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_holds_at_most_twenty_operations() {
    let app = spawn_app(Backend::Sqlite, &[]).await.expect("app");
    let company = app.seed_company("Acme").await;
    app.enable_camera(&company).await;
    let mut socket = connect(&app).await;
    init(&mut socket, &company.admin_token).await;
    for i in 0..25 {
        let subscribe = json!({ "id": format!("s{i}"), "type": "subscribe", "payload": { "query": "subscription { checkinRecorded { id } }" } });
        socket
            .send(Message::text(subscribe.to_string()))
            .await
            .expect("send");
    }
    let mut refused = Vec::new();
    for _ in 0..5 {
        let frame = next(&mut socket).await.expect("a frame");
        assert_eq!(frame["type"], "error", "{frame}");
        assert_eq!(frame["payload"][0]["extensions"]["code"], "RATE_LIMITED");
        refused.push(frame["id"].as_str().expect("id").to_owned());
    }
    assert_eq!(refused, ["s20", "s21", "s22", "s23", "s24"]);
    // Completing one makes room for another; the socket still works.
    socket
        .send(Message::text(
            json!({ "id": "s0", "type": "complete" }).to_string(),
        ))
        .await
        .expect("send");
    let query =
        json!({ "id": "q", "type": "subscribe", "payload": { "query": "{ me { email } }" } });
    socket
        .send(Message::text(query.to_string()))
        .await
        .expect("send");
    let result = loop {
        let frame = next(&mut socket).await.expect("a frame");
        if frame["id"] == "q" {
            break frame;
        }
    };
    assert_eq!(
        result["payload"]["data"]["me"]["email"],
        company.admin_email.as_str(),
        "{result}"
    );
}
