//! GraphQL over HTTP media types: the answer is `application/graphql-response+json` when the
//! client accepts it (then a request that never executed — a document that does not parse or
//! validate, variables that do not coerce — is `400` with no `data` entry), else
//! `application/json` with `200`, as legacy clients expect.

use actix_web::{
    HttpRequest, HttpResponse,
    http::{StatusCode, header},
};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// The media type an answer is sent as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Media {
    Json,
    GraphqlResponse,
}

/// The first media type of the `Accept` header we can send; no header: JSON. `None`: none of
/// them (406).
pub fn accepted(req: &HttpRequest) -> Option<Media> {
    let Some(accept) = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty())
    else {
        return Some(Media::Json);
    };
    accept.split(',').find_map(|item| {
        let mut parts = item.split(';').map(str::trim);
        let media = parts.next().unwrap_or_default().to_ascii_lowercase();
        let refused = parts.any(|p| p.replace(' ', "") == "q=0");
        match media.as_str() {
            _ if refused => None,
            GRAPHQL_RESPONSE => Some(Media::GraphqlResponse),
            JSON | "application/*" | "*/*" => Some(Media::Json),
            _ => None,
        }
    })
}

/// The HTTP answer for an executed (or refused) request.
pub fn respond(media: Media, response: async_graphql::Response) -> HttpResponse {
    let never_executed = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    match media {
        Media::Json => HttpResponse::Ok().json(response),
        Media::GraphqlResponse if never_executed => HttpResponse::build(StatusCode::BAD_REQUEST)
            .content_type(GRAPHQL_RESPONSE)
            .json(serde_json::json!({ "errors": response.errors })),
        // `json` keeps a content type already set.
        Media::GraphqlResponse => HttpResponse::Ok()
            .content_type(GRAPHQL_RESPONSE)
            .json(response),
    }
}
