//! The partner API response envelope and the business error type.
//!
//! Every answer is `{"statusCode":0,"returnCode":…,"returnMessage":…,"data":…}` with
//! `Content-Type: application/json; charset=UTF-8`. `statusCode` is optional at Hanet; the
//! simulator always includes it (0). Business errors are HTTP 200 with a negative `returnCode`
//! and `data: null` (or, for -9007, the existing person). Success messages use the 2023 casing
//! `"Success"`; clients must compare `returnCode`, never the message.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde_json::{Value, json};

/// `Content-Type` of every JSON answer, as Hanet sends it.
pub const JSON_UTF8: &str = "application/json; charset=UTF-8";

/// A business failure: answered HTTP 200 with this `returnCode`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub code: i64,
    pub message: String,
    pub data: Value,
}

impl ApiError {
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: Value::Null,
        }
    }

    pub fn with_data(mut self, data: Value) -> Self {
        self.data = data;
        self
    }

    /// -1: a required field is missing or malformed.
    pub fn invalid(what: impl std::fmt::Display) -> Self {
        Self::new(-1, format!("Invalid input: {what}"))
    }

    /// -103: the access token is unknown or expired.
    pub fn token_expired() -> Self {
        Self::new(-103, "Access token expired")
    }

    /// -1005: no such place for this account.
    pub fn place_not_found() -> Self {
        Self::new(-1005, "Place not found")
    }

    /// -5011: no such person.
    pub fn person_not_found() -> Self {
        Self::new(-5011, "Person not found")
    }

    /// The official name for a code, used by `fail_next` injections.
    pub fn for_code(code: i64) -> Self {
        let message = match code {
            -1 => "Invalid input",
            -101 => "Device not found",
            -102 => "Device offline",
            -103 => "Access token expired",
            -404 => "Unsupported",
            -503 => "System error",
            -909 => "Face upload error",
            -2035 => "Permission denied",
            -5004 => "Create person error",
            -5011 => "Person not found",
            -9002 => "Image file extension is invalid",
            -9003 => "Server error while creating person",
            -9005 => "Employee already exists",
            -9006 => "Image is invalid",
            -9007 => "Face image already exists",
            -9008 => "Free face quota exceeded",
            -1005 => "Place not found",
            _ => "Error",
        };
        Self::new(code, message)
    }
}

/// The envelope body for a success.
pub fn success_body(data: Value) -> Value {
    json!({"statusCode": 0, "returnCode": 1, "returnMessage": "Success", "data": data})
}

/// The envelope body for a business error.
pub fn error_body(err: &ApiError) -> Value {
    json!({"statusCode": 0, "returnCode": err.code, "returnMessage": err.message, "data": err.data})
}

/// A JSON response with Hanet's content type.
pub fn json_response(status: StatusCode, body: &Value) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(JSON_UTF8)
        .body(body.to_string())
}

/// An nginx-style HTML error page, as a gateway in front of Hanet would answer.
pub fn html_error(status: StatusCode) -> HttpResponse {
    let line = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error")
    );
    let page = format!(
        "<html>\r\n<head><title>{line}</title></head>\r\n<body>\r\n<center><h1>{line}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    HttpResponse::build(status)
        .content_type("text/html")
        .body(page)
}
