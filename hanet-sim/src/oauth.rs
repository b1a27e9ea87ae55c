//! OAuth2: `GET /oauth2/authorize` and `POST /token`.
//!
//! Choices where the reference is UNKNOWN:
//! - `authorize` never shows a login page: it approves at once as the first account, or as the
//!   account whose email equals the optional `login_hint`. An unknown `login_hint` redirects
//!   with `error=access_denied`; a `response_type` other than `code` redirects with
//!   `error=unsupported_response_type`. `state` is echoed back when given; PKCE is ignored.
//!   An unknown `client_id` or a missing `redirect_uri` is HTTP 400 (nowhere safe to redirect).
//! - Codes are single-use and expire after 10 minutes. A failed exchange (wrong secret or
//!   redirect_uri) does not consume the code.
//! - `/token` reads a form body (urlencoded or multipart), falling back to the query string for
//!   any field (clients repeat `grant_type` there). Client credentials go in the body, not in
//!   HTTP Basic.
//! - Success: `{access_token, refresh_token, expire, token_type:"bearer", email, userID}` where
//!   `expire` is an absolute epoch in **seconds** and `userID` a string. Tokens are opaque.
//! - Errors are HTTP 400 `{error, error_description}` with the generic OAuth codes
//!   (`invalid_request`, `invalid_client`, `invalid_grant`, `unsupported_grant_type`).
//! - Refresh rotation: every refresh returns a new access+refresh pair; with
//!   `one_shot_refresh_tokens` the old refresh token is rejected afterwards. Earlier access
//!   tokens stay valid until they expire.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use crate::envelope::json_response;
use crate::form::Form;
use crate::sim::Shared;
use crate::state::{AuthCode, State, TokenInfo, now_secs};

/// How long an authorization code stays valid.
pub const CODE_LIFETIME_SECS: i64 = 600;

fn oauth_error(error: &str, description: impl Into<String>) -> HttpResponse {
    let body = json!({"error": error, "error_description": description.into()});
    json_response(StatusCode::BAD_REQUEST, &body)
}

/// An OAuth error before it becomes a response.
struct Denied(&'static str, String);

impl Denied {
    fn new(error: &'static str, description: impl Into<String>) -> Self {
        Self(error, description.into())
    }

    fn respond(self) -> HttpResponse {
        oauth_error(self.0, self.1)
    }
}

fn redirect_to(redirect_uri: &str, params: &[(&str, &str)]) -> HttpResponse {
    let query = serde_urlencoded::to_string(params).unwrap_or_default();
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    HttpResponse::Found()
        .insert_header((LOCATION, format!("{redirect_uri}{sep}{query}")))
        .finish()
}

/// `GET /oauth2/authorize`: auto-approve and redirect with a code.
pub(crate) async fn authorize(req: HttpRequest, shared: Data<Arc<Shared>>) -> HttpResponse {
    let query = match Form::parse_urlencoded(req.query_string().as_bytes()) {
        Ok(q) => q,
        Err(e) => return oauth_error("invalid_request", e.message),
    };
    if query.get("client_id") != Some(shared.client_id.as_str()) {
        return oauth_error("invalid_client", "unknown client_id");
    }
    let Some(redirect_uri) = query.get("redirect_uri") else {
        return oauth_error("invalid_request", "missing redirect_uri");
    };
    let state_param = query.get("state").unwrap_or("").to_owned();
    let with_state = |mut params: Vec<(&'static str, String)>| {
        if !state_param.is_empty() {
            params.push(("state", state_param.clone()));
        }
        params
    };
    if query.get("response_type") != Some("code") {
        let params = with_state(vec![("error", "unsupported_response_type".to_owned())]);
        return redirect_to(redirect_uri, &borrow(&params));
    }
    let mut state = shared.state();
    let account = match query.get("login_hint") {
        None => (!state.accounts.is_empty()).then_some(0),
        Some(hint) => state
            .accounts
            .iter()
            .position(|a| a.email.eq_ignore_ascii_case(hint)),
    };
    let Some(account) = account else {
        let params = with_state(vec![("error", "access_denied".to_owned())]);
        return redirect_to(redirect_uri, &borrow(&params));
    };
    let code = uuid::Uuid::new_v4().simple().to_string();
    state.codes.insert(
        code.clone(),
        AuthCode {
            account,
            client_id: shared.client_id.clone(),
            redirect_uri: redirect_uri.to_owned(),
            issued_at: now_secs(),
        },
    );
    let params = with_state(vec![("code", code)]);
    redirect_to(redirect_uri, &borrow(&params))
}

fn borrow<'a>(params: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    params.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// `POST /token`: the authorization_code and refresh_token grants.
pub(crate) async fn token(
    req: HttpRequest,
    body: Bytes,
    shared: Data<Arc<Shared>>,
) -> HttpResponse {
    if let Some(status) = shared.faults.take_token_failure() {
        let status = actix_web::http::StatusCode::from_u16(status)
            .unwrap_or(actix_web::http::StatusCode::TOO_MANY_REQUESTS);
        return HttpResponse::build(status)
            .json(serde_json::json!({ "error": "temporarily_unavailable" }));
    }
    let mut form = match Form::parse(&req, body).await {
        Ok(f) => f,
        Err(e) => return oauth_error("invalid_request", e.message),
    };
    if let Ok(query) = Form::parse_urlencoded(req.query_string().as_bytes()) {
        form.merge_missing(query);
    }
    let Some(grant_type) = form.get("grant_type") else {
        return oauth_error("invalid_request", "missing grant_type");
    };
    if form.get("client_id") != Some(shared.client_id.as_str())
        || form.get("client_secret") != Some(shared.client_secret.as_str())
    {
        return oauth_error("invalid_client", "client authentication failed");
    }
    let mut state = shared.state();
    let account = match grant_type {
        "authorization_code" => match redeem_code(&mut state, &form, &shared.client_id) {
            Ok(a) => a,
            Err(denied) => return denied.respond(),
        },
        "refresh_token" => match redeem_refresh(&mut state, &form) {
            Ok(a) => a,
            Err(denied) => return denied.respond(),
        },
        other => {
            return oauth_error(
                "unsupported_grant_type",
                format!("grant_type {other} is not supported"),
            );
        }
    };
    let (access, refresh, expire) = issue_pair(&mut state, account);
    let Some(acc) = state.accounts.get(account) else {
        return oauth_error("invalid_grant", "account no longer exists");
    };
    let mut body = json!({
        "access_token": access,
        "refresh_token": refresh,
        "expire": expire,
        "token_type": "bearer",
        "email": acc.email,
        "userID": acc.user_id.to_string(),
    });
    if shared.faults.token_without_expiry()
        && let Some(fields) = body.as_object_mut()
    {
        fields.remove("expire");
    }
    json_response(StatusCode::OK, &body)
}

fn redeem_code(state: &mut State, form: &Form, client_id: &str) -> Result<usize, Denied> {
    let code = form
        .get("code")
        .ok_or_else(|| Denied::new("invalid_request", "missing code"))?;
    let redirect_uri = form
        .get("redirect_uri")
        .ok_or_else(|| Denied::new("invalid_request", "missing redirect_uri"))?;
    let pending = state
        .codes
        .get(code)
        .ok_or_else(|| Denied::new("invalid_grant", "unknown or already used code"))?;
    if now_secs() - pending.issued_at > CODE_LIFETIME_SECS {
        state.codes.remove(code);
        return Err(Denied::new("invalid_grant", "code expired"));
    }
    if pending.client_id != client_id {
        return Err(Denied::new(
            "invalid_grant",
            "code issued to another client",
        ));
    }
    if pending.redirect_uri != redirect_uri {
        return Err(Denied::new(
            "invalid_grant",
            "redirect_uri does not match the authorize request",
        ));
    }
    let account = pending.account;
    state.codes.remove(code);
    Ok(account)
}

fn redeem_refresh(state: &mut State, form: &Form) -> Result<usize, Denied> {
    let token = form
        .get("refresh_token")
        .ok_or_else(|| Denied::new("invalid_request", "missing refresh_token"))?;
    let one_shot = state.one_shot_refresh_tokens;
    let info = state
        .refresh_tokens
        .get_mut(token)
        .ok_or_else(|| Denied::new("invalid_grant", "unknown refresh token"))?;
    if info.expires_at <= now_secs() {
        return Err(Denied::new("invalid_grant", "refresh token expired"));
    }
    if one_shot && info.used {
        return Err(Denied::new("invalid_grant", "refresh token already used"));
    }
    info.used = true;
    let account = info.account;
    state.counters.token_refreshes += 1;
    Ok(account)
}

/// Issues an access+refresh pair sharing one expiry; returns (access, refresh, expire secs).
pub fn issue_pair(state: &mut State, account: usize) -> (String, String, i64) {
    let expire = now_secs() + state.token_lifetime_secs;
    let access = format!("sim-at-{}", uuid::Uuid::new_v4().simple());
    let refresh = format!("sim-rt-{}", uuid::Uuid::new_v4().simple());
    let info = TokenInfo {
        account,
        expires_at: expire,
        used: false,
    };
    state.access_tokens.insert(access.clone(), info.clone());
    state.refresh_tokens.insert(refresh.clone(), info);
    if let Some(acc) = state.accounts.get_mut(account) {
        acc.linked = true;
    }
    (access, refresh, expire)
}
