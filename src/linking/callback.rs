//! `GET /hanet/oauth/callback`: where Hanet sends the browser back. It does not complete the
//! link: the browser could be anyone's (an admin may have sent the link to another company's
//! account holder). It checks the state is open and hands `code` and `state` to the app at
//! `TIMEKEEPING_LINK_RETURN_URL` (`?hanet=approved&code=…&state=…`), where the admin who started
//! the link finishes it with `completeHanetLink`; without a return URL a page shows them.

use actix_web::{HttpResponse, http::header, web};
use serde::Deserialize;

use super::service;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

pub async fn hanet_callback(
    app: web::Data<AppState>,
    query: web::Query<CallbackQuery>,
) -> HttpResponse {
    let outcome = match (&query.code, &query.state, &query.error) {
        (_, _, Some(error)) => Err(format!("Hanet did not approve the link ({error})")),
        (Some(code), Some(state), None) => match service::state_is_open(&app.db, state).await {
            Ok(true) => Ok((code.clone(), state.clone())),
            Ok(false) => Err("the link expired or was already used; start it again".to_owned()),
            Err(e) => Err(e.message()),
        },
        _ => Err("the callback needs `code` and `state`".to_owned()),
    };
    match (&app.settings.link_return_url, outcome) {
        (Some(url), outcome) => {
            let params = match outcome {
                Ok((code, state)) => vec![
                    ("hanet", "approved".to_owned()),
                    ("code", code),
                    ("state", state),
                ],
                Err(reason) => vec![("hanet", "error".to_owned()), ("reason", reason)],
            };
            let separator = if url.contains('?') { '&' } else { '?' };
            let location = format!(
                "{url}{separator}{}",
                serde_urlencoded::to_string(params).unwrap_or_default()
            );
            HttpResponse::Found()
                .insert_header((header::LOCATION, location))
                .insert_header((header::REFERRER_POLICY, "no-referrer"))
                .finish()
        }
        (None, Ok((code, state))) => page(
            200,
            "Hanet approved the link",
            &format!(
                "Finish it in the timekeeping app, signed in as the admin who started it: \
                 completeHanetLink(code: \"{code}\", state: \"{state}\")."
            ),
        ),
        (None, Err(reason)) => page(400, "Hanet link failed", &reason),
    }
}

fn page(status: u16, title: &str, message: &str) -> HttpResponse {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let status =
        actix_web::http::StatusCode::from_u16(status).unwrap_or(actix_web::http::StatusCode::OK);
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .body(format!(
            "<!doctype html><meta charset=utf-8><title>{t}</title><h1>{t}</h1><p>{m}</p>",
            t = escape(title),
            m = escape(message)
        ))
}
