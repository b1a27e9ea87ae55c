//! The one error type at the API boundary. Each variant maps to a stable `extensions.code`
//! (design §5). Internal causes are logged once, here, and never shown to clients.
//!
//! `ApiError` deliberately does not implement `Display`: that lets it convert into
//! `async_graphql::Error` through our own `From` (which sets the code) instead of async-graphql's
//! blanket `From<T: Display>` (which would drop it), so resolvers can simply use `?`.

use async_graphql::ErrorExtensions;
use sea_orm::{DbErr, SqlErr};

#[derive(Debug)]
pub enum ApiError {
    Unauthenticated(String),
    Forbidden(String),
    NotFound(&'static str),
    BadUserInput {
        field: String,
        message: String,
    },
    FeatureNotEnabled,
    HanetNotLinked,
    /// The vendor failed or refused; `code` is its own error code when it gave one.
    HanetUnavailable {
        code: Option<i64>,
        message: String,
    },
    Conflict(String),
    PayloadTooLarge(String),
    /// Too many attempts; try again after this many seconds.
    RateLimited {
        message: String,
        retry_after_seconds: u64,
    },
    Internal(anyhow::Error),
}

impl ApiError {
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadUserInput {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self::Internal(cause.into())
    }

    /// The HTTP status an endpoint outside GraphQL answers this error with.
    pub fn http_status(&self) -> actix_web::http::StatusCode {
        use actix_web::http::StatusCode as S;
        match self {
            Self::Unauthenticated(_) => S::UNAUTHORIZED,
            Self::Forbidden(_) => S::FORBIDDEN,
            Self::NotFound(_) => S::NOT_FOUND,
            Self::BadUserInput { .. } => S::BAD_REQUEST,
            Self::Conflict(_) => S::CONFLICT,
            Self::PayloadTooLarge(_) => S::PAYLOAD_TOO_LARGE,
            Self::RateLimited { .. } => S::TOO_MANY_REQUESTS,
            Self::FeatureNotEnabled | Self::HanetNotLinked => S::FORBIDDEN,
            Self::HanetUnavailable { .. } => S::BAD_GATEWAY,
            _ => S::INTERNAL_SERVER_ERROR,
        }
    }

    /// The error as an HTTP endpoint outside GraphQL answers it: the GraphQL error shape with
    /// the same `extensions.code`.
    pub fn http_response(&self) -> actix_web::HttpResponse {
        http_error(self.http_status(), self.code(), &self.message())
    }

    /// For the CLI and startup: the code and the message a client would see.
    pub fn into_anyhow(self) -> anyhow::Error {
        anyhow::anyhow!("{}: {}", self.code(), self.message())
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::BadUserInput { .. } => "BAD_USER_INPUT",
            Self::FeatureNotEnabled => "FEATURE_NOT_ENABLED",
            Self::HanetNotLinked => "HANET_NOT_LINKED",
            Self::HanetUnavailable { .. } => "HANET_UNAVAILABLE",
            Self::Conflict(_) => "CONFLICT",
            Self::PayloadTooLarge(_) => "PAYLOAD_TOO_LARGE",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::Internal(_) => "INTERNAL",
        }
    }

    pub fn message(&self) -> String {
        match self {
            Self::Unauthenticated(m) | Self::Forbidden(m) | Self::Conflict(m) => m.clone(),
            Self::PayloadTooLarge(m) => m.clone(),
            Self::RateLimited { message, .. } => message.clone(),
            Self::NotFound(what) => format!("{what} not found"),
            Self::BadUserInput { field, message } => format!("{field}: {message}"),
            Self::FeatureNotEnabled => {
                "camera timekeeping is not enabled for this company; ask the platform operator"
                    .to_owned()
            }
            Self::HanetNotLinked => "no Hanet account is linked to this company".to_owned(),
            Self::HanetUnavailable { message, .. } => format!("Hanet: {message}"),
            Self::Internal(_) => "internal error".to_owned(),
        }
    }

    /// Maps a unique-constraint violation to `CONFLICT`, anything else to `INTERNAL`.
    pub fn from_db_conflict(err: DbErr, conflict_message: impl FnOnce() -> String) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Self::Conflict(conflict_message()),
            _ => Self::Internal(err.into()),
        }
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        Self::Internal(err.into())
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        if let ApiError::Internal(cause) = &err {
            tracing::error!(error = format!("{cause:#}"), "internal error");
        }
        let code = err.code();
        let field = match &err {
            ApiError::BadUserInput { field, .. } => Some(field.clone()),
            _ => None,
        };
        let retry_after = match &err {
            ApiError::RateLimited {
                retry_after_seconds,
                ..
            } => Some(*retry_after_seconds),
            _ => None,
        };
        let hanet_code = match &err {
            ApiError::HanetUnavailable { code, .. } => *code,
            _ => None,
        };
        async_graphql::Error::new(err.message()).extend_with(|_, ext| {
            ext.set("code", code);
            if let Some(field) = field {
                ext.set("field", field);
            }
            if let Some(seconds) = retry_after {
                ext.set("retryAfterSeconds", seconds);
            }
            if let Some(hanet_code) = hanet_code {
                ext.set("hanetCode", hanet_code);
            }
        })
    }
}

/// Shorthand for service results.
pub type ApiResult<T> = Result<T, ApiError>;

/// Moments outside the years 1970–9999 are refused (design §10): far dates overflow the
/// arithmetic of the day and month helpers.
pub fn supported_moment(
    field: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> ApiResult<chrono::DateTime<chrono::Utc>> {
    use chrono::Datelike;
    if (1970..=9999).contains(&at.year()) {
        Ok(at)
    } else {
        Err(ApiError::bad_input(
            field,
            "must be within the years 1970–9999",
        ))
    }
}

/// An HTTP answer in the GraphQL error shape, for what happens before or outside GraphQL
/// (media types, the webhook, downloads): `{"errors":[{"message","extensions":{"code"}}]}`.
pub fn http_error(
    status: actix_web::http::StatusCode,
    code: &str,
    message: &str,
) -> actix_web::HttpResponse {
    actix_web::HttpResponse::build(status).json(serde_json::json!({
        "errors": [{ "message": message, "extensions": { "code": code } }]
    }))
}
