//! GraphQL over WebSocket (graphql-transport-ws): auth in `connection_init`, and the
//! initialisation timeout.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

use crate::helpers::{Backend, TestApp, spawn_app};

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn connect(app: &TestApp) -> Socket {
    let mut request = format!("ws://127.0.0.1:{}/graphql", app.port)
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (socket, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("WebSocket connects");
    assert_eq!(
        response
            .headers()
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok()),
        Some("graphql-transport-ws")
    );
    socket
}

/// The next text frame as JSON, or the close frame's code.
pub async fn next(socket: &mut Socket) -> Result<Value, Option<u16>> {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a frame within 10 s");
        match frame {
            Some(Ok(Message::Text(text))) => {
                return Ok(serde_json::from_str(&text).expect("JSON frame"));
            }
            Some(Ok(Message::Close(frame))) => return Err(frame.map(|f| u16::from(f.code))),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return Err(None),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_authenticated_socket_runs_operations() {
    let app = spawn_app(Backend::Sqlite, &[]).await.expect("app");
    let company = app.seed_company("Acme").await;
    let mut socket = connect(&app).await;
    let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {}", company.admin_token) } });
    socket
        .send(Message::text(init.to_string()))
        .await
        .expect("send");
    assert_eq!(
        next(&mut socket).await.expect("ack")["type"],
        "connection_ack"
    );
    let subscribe =
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ me { email } }" } });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .expect("send");
    let result = next(&mut socket).await.expect("next");
    assert_eq!(result["type"], "next");
    assert_eq!(
        result["payload"]["data"]["me"]["email"],
        company.admin_email
    );
    assert_eq!(
        next(&mut socket).await.expect("complete")["type"],
        "complete"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_token_in_connection_init_closes_the_socket() {
    let app = spawn_app(Backend::Sqlite, &[]).await.expect("app");
    let mut socket = connect(&app).await;
    let init =
        json!({ "type": "connection_init", "payload": { "authorization": "Bearer forged" } });
    socket
        .send(Message::text(init.to_string()))
        .await
        .expect("send");
    assert_eq!(next(&mut socket).await.err(), Some(Some(4403)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_that_never_initialises_is_closed() {
    let app = spawn_app(Backend::Sqlite, &["--ws-init-timeout-secs", "1"])
        .await
        .expect("app");
    let mut socket = connect(&app).await;
    let started = std::time::Instant::now();
    assert_eq!(next(&mut socket).await.err(), Some(Some(4408)));
    assert!(started.elapsed() < Duration::from_secs(5));
}
