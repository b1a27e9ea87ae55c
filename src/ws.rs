//! GraphQL over WebSocket (graphql-transport-ws, and the older graphql-ws subprotocol).
//! The caller authenticates in `connection_init` (`{"authorization": "Bearer …"}`); a bad
//! token closes the socket with 4403, and a socket that sends no `connection_init` within
//! `TIMEKEEPING_WS_INIT_TIMEOUT_SECS` is closed with 4408, as the protocol specifies. The socket
//! is closed with 4401 when its token expires, holds at most [`MAX_SUBSCRIPTIONS`] operations at
//! once (more answer an `error` message with `RATE_LIMITED`), and reads frames through a bounded
//! channel (a client that sends faster than we execute waits).

use std::{
    str::FromStr,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicI64, Ordering},
    },
};

use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{CloseCode, CloseReason, Message};
use async_graphql::{
    Data,
    http::{WebSocket, WebSocketProtocols, WsMessage},
};
use futures_util::{SinkExt, StreamExt};

use crate::{auth::Caller, error::ApiError, executor::Api, guard::ClientAddress, state::AppState};

/// Operations one connection may have running at once.
pub const MAX_SUBSCRIPTIONS: usize = 20;
/// Frames read ahead of execution.
const FRAME_BUFFER: usize = 16;

pub async fn graphql_ws(
    req: HttpRequest,
    body: web::Payload,
    app: web::Data<AppState>,
    schema: web::Data<Api>,
) -> actix_web::Result<HttpResponse> {
    let protocol = req
        .headers()
        .get("sec-websocket-protocol")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .find_map(|p| WebSocketProtocols::from_str(p.trim()).ok())
        })
        .ok_or_else(|| {
            actix_web::error::ErrorBadRequest("use the graphql-transport-ws WebSocket subprotocol")
        })?;
    let (response, mut session, mut incoming) =
        actix_ws::handle_with_protocols(&req, body, &[protocol.sec_websocket_protocol()])?;

    let client = ClientAddress::of(&req, &app.settings);
    let initialised = Arc::new(AtomicBool::new(false));
    // Unix seconds at which the token of connection_init expires (0: not yet known).
    let expires_at = Arc::new(AtomicI64::new(0));
    let refused = Arc::new(AtomicBool::new(false));
    let on_init = {
        let initialised = initialised.clone();
        let refused = refused.clone();
        let expires_at = expires_at.clone();
        let app = app.get_ref().clone();
        move |payload: serde_json::Value| async move {
            let token = ["authorization", "Authorization", "token"]
                .iter()
                .find_map(|k| payload.get(k).and_then(|v| v.as_str()).map(str::to_owned));
            match app.jwt.caller_from_header(token.as_deref()) {
                Caller::Authenticated(session) => {
                    expires_at.store(session.expires_at.unwrap_or(i64::MAX), Ordering::Relaxed);
                    initialised.store(true, Ordering::Relaxed);
                    let mut data = Data::default();
                    data.insert(Caller::Authenticated(session));
                    data.insert(client);
                    Ok(data)
                }
                _ => {
                    refused.store(true, Ordering::Relaxed);
                    Err(ApiError::Unauthenticated(
                    "send a valid login token as `authorization` in the connection_init payload".to_owned(),
                )
                .into())
                }
            }
        }
    };

    let (mut frames_tx, frames_rx) = futures_channel::mpsc::channel::<String>(FRAME_BUFFER);
    let mut outgoing =
        WebSocket::new(schema.get_ref().clone(), frames_rx, protocol).on_connection_init(on_init);
    let init_timeout = app.settings.ws_init_timeout();

    actix_web::rt::spawn(async move {
        let deadline = tokio::time::sleep(init_timeout);
        tokio::pin!(deadline);
        let mut active = Operations::default();
        let mut expiry_check = tokio::time::interval(std::time::Duration::from_secs(1));
        loop {
            tokio::select! {
                frame = incoming.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        let text = text.to_string();
                        if let Some(refusal) = active.admit(&text) {
                            if session.text(refusal).await.is_err() { return; }
                        } else if frames_tx.send(text).await.is_err() { break; }
                    }
                    Some(Ok(Message::Binary(bytes))) => {
                        let text = String::from_utf8_lossy(&bytes).into_owned();
                        if let Some(refusal) = active.admit(&text) {
                            if session.text(refusal).await.is_err() { return; }
                        } else if frames_tx.send(text).await.is_err() { break; }
                    }
                    Some(Ok(Message::Ping(bytes))) => {
                        if session.pong(&bytes).await.is_err() { return; }
                    }
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                    Some(Ok(_)) => {}
                },
                message = outgoing.next() => match message {
                    Some(WsMessage::Text(text)) => {
                        active.sent(&text);
                        if session.text(text).await.is_err() { return; }
                    }
                    Some(WsMessage::Close(code, reason)) => {
                        // graphql-transport-ws says 4403 for a refused connection_init;
                        // async-graphql sends 1002 there.
                        let (code, reason) = if refused.load(Ordering::Relaxed) {
                            (4403, "Forbidden: invalid or missing login token".to_owned())
                        } else {
                            (code, reason.chars().take(100).collect())
                        };
                        let _ = session.close(Some(CloseReason { code: CloseCode::Other(code), description: Some(reason) })).await;
                        return;
                    }
                    None => break,
                },
                _ = expiry_check.tick(), if initialised.load(Ordering::Relaxed) => {
                    if expires_at.load(Ordering::Relaxed) <= chrono::Utc::now().timestamp() {
                        let reason = CloseReason { code: CloseCode::Other(4401), description: Some("Unauthorized: the login token expired".to_owned()) };
                        let _ = session.close(Some(reason)).await;
                        return;
                    }
                }
                () = &mut deadline, if !initialised.load(Ordering::Relaxed) => {
                    let reason = CloseReason { code: CloseCode::Other(4408), description: Some("Connection initialisation timeout".to_owned()) };
                    let _ = session.close(Some(reason)).await;
                    return;
                }
            }
        }
        let _ = session.close(None).await;
    });
    Ok(response)
}

/// The operations a connection has running, by id, as read from the frames both ways.
#[derive(Default)]
struct Operations(std::collections::HashSet<String>);

#[derive(serde::Deserialize)]
struct Frame {
    #[serde(rename = "type")]
    kind: String,
    id: Option<String>,
}

impl Operations {
    /// Counts a client frame; returns the error frame to send instead when it would start one
    /// operation too many.
    fn admit(&mut self, text: &str) -> Option<String> {
        let frame: Frame = serde_json::from_str(text).ok()?;
        let id = frame.id?;
        match frame.kind.as_str() {
            // graphql-transport-ws, and the older graphql-ws.
            "subscribe" | "start" => {
                if self.0.contains(&id) || self.0.len() < MAX_SUBSCRIPTIONS {
                    self.0.insert(id);
                    return None;
                }
                Some(
                    serde_json::json!({
                        "type": "error",
                        "id": id,
                        "payload": [{
                            "message": format!("at most {MAX_SUBSCRIPTIONS} operations per connection; complete one first"),
                            "extensions": { "code": "RATE_LIMITED" }
                        }]
                    })
                    .to_string(),
                )
            }
            "complete" | "stop" => {
                self.0.remove(&id);
                None
            }
            _ => None,
        }
    }

    /// Forgets operations the server ended (`complete` or `error`).
    fn sent(&mut self, text: &str) {
        if !(text.contains("\"complete\"") || text.contains("\"error\"")) {
            return;
        }
        if let Ok(Frame { kind, id: Some(id) }) = serde_json::from_str::<Frame>(text)
            && matches!(kind.as_str(), "complete" | "error")
        {
            self.0.remove(&id);
        }
    }
}
