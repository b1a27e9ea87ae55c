//! Hanet's wire formats, read leniently: IDs arrive as numbers or strings depending on the
//! endpoint, `expire` may be epoch seconds, epoch milliseconds or a lifetime (reference §2.2,
//! §7.3), and the envelope's `statusCode` comes and goes.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// `{returnCode, returnMessage, data}`.
#[derive(Deserialize)]
pub struct Envelope {
    #[serde(rename = "returnCode", deserialize_with = "int_lenient")]
    pub return_code: i64,
    #[serde(rename = "returnMessage", default)]
    pub return_message: Option<String>,
    #[serde(default)]
    pub data: Value,
}

/// A number or a numeric string as i64.
pub fn int_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let value = Value::deserialize(d)?;
    as_i64(&value)
        .ok_or_else(|| serde::de::Error::custom(format!("expected an integer, got {value}")))
}

pub fn as_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A number or a string as a string (`"143"` and `143` both give `"143"`).
pub fn id_string(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

pub fn string_field(value: &Value, key: &str) -> Option<String> {
    value
        .get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .filter(|s| !s.is_empty())
}

/// The token endpoint's success body.
#[derive(Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    #[serde(default)]
    pub expire: Option<Value>,
    #[serde(default)]
    pub expires_in: Option<Value>,
}

/// The token endpoint's error body (the generic OAuth shape; Hanet's own is undocumented).
#[derive(Deserialize, Default)]
pub struct TokenError {
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub error_description: Option<String>,
}

/// When the access token expires. `expire` is read as epoch milliseconds (> 10^12), epoch
/// seconds (> 10^9) or a lifetime in seconds; then `expires_in`; then the JWT `exp` claim;
/// else one day, so an unknown expiry leads to an early refresh rather than a failed call.
pub fn access_expiry(response: &TokenResponse, now: DateTime<Utc>) -> DateTime<Utc> {
    let from_number = |n: i64| -> Option<DateTime<Utc>> {
        if n > 1_000_000_000_000 {
            DateTime::from_timestamp_millis(n)
        } else if n > 1_000_000_000 {
            DateTime::from_timestamp(n, 0)
        } else if n > 0 {
            Some(now + Duration::seconds(n))
        } else {
            None
        }
    };
    response
        .expire
        .as_ref()
        .and_then(as_i64)
        .and_then(from_number)
        .or_else(|| {
            response
                .expires_in
                .as_ref()
                .and_then(as_i64)
                .filter(|n| *n > 0)
                .map(|n| now + Duration::seconds(n))
        })
        .or_else(|| jwt_exp(&response.access_token))
        .unwrap_or(now + Duration::days(1))
}

fn jwt_exp(token: &str) -> Option<DateTime<Utc>> {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    DateTime::from_timestamp(as_i64(claims.get("exp")?)?, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(expire: Value) -> TokenResponse {
        TokenResponse {
            access_token: "opaque".into(),
            refresh_token: "r".into(),
            expire: Some(expire),
            expires_in: None,
        }
    }

    #[test]
    fn expire_is_read_in_every_unit_hanet_has_been_seen_to_use() {
        let now = DateTime::from_timestamp(1_700_000_000, 0).expect("time");
        let year = now + Duration::days(365);
        assert_eq!(
            access_expiry(&response(Value::from(year.timestamp())), now),
            year
        );
        assert_eq!(
            access_expiry(&response(Value::from(year.timestamp_millis())), now),
            year
        );
        assert_eq!(
            access_expiry(&response(Value::from(3600)), now),
            now + Duration::hours(1)
        );
        assert_eq!(
            access_expiry(&response(Value::from(year.timestamp().to_string())), now),
            year
        );
        assert_eq!(
            access_expiry(&response(Value::Null), now),
            now + Duration::days(1)
        );
    }

    #[test]
    fn ids_are_read_from_numbers_and_strings() {
        assert_eq!(
            id_string(&serde_json::json!(1767000000000000200u64)).as_deref(),
            Some("1767000000000000200")
        );
        assert_eq!(id_string(&serde_json::json!("143")).as_deref(), Some("143"));
        assert_eq!(as_i64(&serde_json::json!("-103")), Some(-103));
    }
}
