//! `GET /hanet/oauth/callback`: where Hanet sends the admin's browser back. Completes the link
//! with the `state` alone (it is bound to the company and user that started it), then
//! redirects to `TIMEKEEPING_LINK_RETURN_URL` or shows a short page.

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
        (Some(code), Some(state), None) => service::complete_link(&app, code, state, None)
            .await
            .map(|c| c.account_email)
            .map_err(|e| e.message()),
        _ => Err("the callback needs `code` and `state`".to_owned()),
    };
    match (&app.settings.link_return_url, outcome) {
        (Some(url), outcome) => {
            let params = match &outcome {
                Ok(_) => vec![("hanet", "linked".to_owned())],
                Err(reason) => vec![("hanet", "error".to_owned()), ("reason", reason.clone())],
            };
            let separator = if url.contains('?') { '&' } else { '?' };
            let location = format!(
                "{url}{separator}{}",
                serde_urlencoded::to_string(params).unwrap_or_default()
            );
            HttpResponse::Found()
                .insert_header((header::LOCATION, location))
                .finish()
        }
        (None, Ok(email)) => page(
            200,
            "Hanet account linked",
            &format!("The Hanet account {email} is linked. You can close this tab."),
        ),
        (None, Err(reason)) => page(400, "Hanet link failed", &reason),
    }
}

fn page(status: u16, title: &str, message: &str) -> HttpResponse {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let status =
        actix_web::http::StatusCode::from_u16(status).unwrap_or(actix_web::http::StatusCode::OK);
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<!doctype html><meta charset=utf-8><title>{t}</title><h1>{t}</h1><p>{m}</p>",
            t = escape(title),
            m = escape(message)
        ))
}
