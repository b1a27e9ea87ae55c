//! GraphQL over WebSocket (graphql-transport-ws, and the older graphql-ws subprotocol).
//! The caller authenticates in `connection_init` (`{"authorization": "Bearer …"}`); a bad
//! token closes the socket with 4403, and a socket that sends no `connection_init` within
//! `TIMEKEEPING_WS_INIT_TIMEOUT_SECS` is closed with 4408, as the protocol specifies.

use std::{
    str::FromStr,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{CloseCode, CloseReason, Message};
use async_graphql::{
    Data,
    http::{WebSocket, WebSocketProtocols, WsMessage},
};
use futures_util::StreamExt;

use crate::{auth::Caller, error::ApiError, executor::Api, state::AppState};

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

    let initialised = Arc::new(AtomicBool::new(false));
    let refused = Arc::new(AtomicBool::new(false));
    let on_init = {
        let initialised = initialised.clone();
        let refused = refused.clone();
        let app = app.get_ref().clone();
        move |payload: serde_json::Value| async move {
            let token = ["authorization", "Authorization", "token"]
                .iter()
                .find_map(|k| payload.get(k).and_then(|v| v.as_str()).map(str::to_owned));
            match app.jwt.caller_from_header(token.as_deref()) {
                caller @ Caller::Authenticated(_) => {
                    initialised.store(true, Ordering::Relaxed);
                    let mut data = Data::default();
                    data.insert(caller);
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

    let (frames_tx, frames_rx) = futures_channel::mpsc::unbounded::<String>();
    let mut outgoing =
        WebSocket::new(schema.get_ref().clone(), frames_rx, protocol).on_connection_init(on_init);
    let init_timeout = app.settings.ws_init_timeout();

    actix_web::rt::spawn(async move {
        let deadline = tokio::time::sleep(init_timeout);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                frame = incoming.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        if frames_tx.unbounded_send(text.to_string()).is_err() { break; }
                    }
                    Some(Ok(Message::Binary(bytes))) => {
                        let text = String::from_utf8_lossy(&bytes).into_owned();
                        if frames_tx.unbounded_send(text).is_err() { break; }
                    }
                    Some(Ok(Message::Ping(bytes))) => {
                        if session.pong(&bytes).await.is_err() { return; }
                    }
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                    Some(Ok(_)) => {}
                },
                message = outgoing.next() => match message {
                    Some(WsMessage::Text(text)) => {
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
