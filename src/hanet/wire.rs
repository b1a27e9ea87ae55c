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
            Duration::try_seconds(n).and_then(|d| now.checked_add_signed(d))
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
                .and_then(Duration::try_seconds)
                .and_then(|d| now.checked_add_signed(d))
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

/// Hanet's clock for calendar days and months.
pub fn hanet_offset() -> chrono::FixedOffset {
    use chrono::Offset;
    chrono::FixedOffset::east_opt(7 * 3600).unwrap_or_else(|| Utc.fix())
}

/// Cuts `[from, to)` at calendar-month boundaries of UTC+7.
pub fn month_slices(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    use chrono::{Datelike, NaiveDate, TimeZone};
    let offset = hanet_offset();
    let mut slices = Vec::new();
    let mut start = from;
    while start < to {
        let local = start.with_timezone(&offset);
        let (year, month) = if local.month() == 12 {
            (local.year() + 1, 1)
        } else {
            (local.year(), local.month() + 1)
        };
        let next_month = NaiveDate::from_ymd_opt(year, month, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|d| offset.from_local_datetime(&d).single())
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or(to);
        let end = next_month.min(to);
        slices.push((start, end));
        start = end;
    }
    slices
}

/// A check-in row of the query endpoints (reference §5.4), read leniently.
pub fn checkin_row(row: &Value, place_id: &str) -> Option<crate::vendor::VendorCheckin> {
    Some(crate::vendor::VendorCheckin {
        event_id: None,
        place_id: row
            .get("placeID")
            .and_then(id_string)
            .unwrap_or_else(|| place_id.to_owned()),
        place_name: string_field(row, "place"),
        device_id: string_field(row, "deviceID").unwrap_or_default(),
        device_name: string_field(row, "deviceName"),
        person_type: row.get("type").and_then(as_i64).unwrap_or(2) as i32,
        person_id: row.get("personID").and_then(id_string),
        alias: string_field(row, "aliasID"),
        person_name: string_field(row, "personName"),
        person_title: string_field(row, "title"),
        snapshot_url: string_field(row, "avatar"),
        captured_at_ms: row.get("checkinTime").and_then(as_i64)?,
    })
}

/// A webhook check-in event (reference §6.3): `personType` and `placeID` may be strings or
/// numbers, `time` is epoch milliseconds.
pub fn webhook_checkin(event: &Value) -> Option<crate::vendor::VendorCheckin> {
    Some(crate::vendor::VendorCheckin {
        event_id: event.get("id").and_then(id_string),
        place_id: event.get("placeID").and_then(id_string).unwrap_or_default(),
        place_name: string_field(event, "placeName"),
        device_id: string_field(event, "deviceID").unwrap_or_default(),
        device_name: string_field(event, "deviceName"),
        person_type: event.get("personType").and_then(as_i64).unwrap_or(2) as i32,
        person_id: event.get("personID").and_then(id_string),
        alias: string_field(event, "aliasID"),
        person_name: string_field(event, "personName"),
        person_title: string_field(event, "personTitle"),
        snapshot_url: string_field(event, "detected_image_url"),
        captured_at_ms: event.get("time").and_then(as_i64)?,
    })
}

/// A person row, in any of the shapes Hanet returns one.
pub fn person(data: &Value) -> Option<crate::vendor::VendorPerson> {
    let person_id = data
        .get("personID")
        .or_else(|| data.get("id"))
        .and_then(id_string)?;
    Some(crate::vendor::VendorPerson {
        person_id,
        alias: string_field(data, "aliasID"),
        name: string_field(data, "name").unwrap_or_default(),
        title: string_field(data, "title"),
        place_id: data.get("placeID").and_then(id_string),
    })
}

pub fn list(data: &Value) -> &[Value] {
    data.as_array().map(Vec::as_slice).unwrap_or_default()
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
    fn an_absurd_expiry_does_not_panic() {
        let now = DateTime::from_timestamp(1_700_000_000, 0).expect("time");
        let mut absurd = response(Value::from(i64::MAX));
        absurd.expires_in = Some(Value::from(i64::MAX));
        absurd.expire = None;
        assert_eq!(access_expiry(&absurd, now), now + Duration::days(1));
        absurd.expire = Some(Value::from(i64::MAX));
        assert_eq!(access_expiry(&absurd, now), now + Duration::days(1));
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
    fn ranges_are_cut_at_utc7_month_boundaries() {
        let at = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .expect("time")
                .with_timezone(&Utc)
        };
        let slices = month_slices(
            at("2026-09-20T00:00:00+07:00"),
            at("2026-11-05T00:00:00+07:00"),
        );
        assert_eq!(
            slices,
            [
                (
                    at("2026-09-20T00:00:00+07:00"),
                    at("2026-10-01T00:00:00+07:00")
                ),
                (
                    at("2026-10-01T00:00:00+07:00"),
                    at("2026-11-01T00:00:00+07:00")
                ),
                (
                    at("2026-11-01T00:00:00+07:00"),
                    at("2026-11-05T00:00:00+07:00")
                ),
            ]
        );
        assert!(month_slices(at("2026-01-01T00:00:00Z"), at("2026-01-01T00:00:00Z")).is_empty());
    }

    #[test]
    fn webhook_fields_are_read_whatever_their_json_type() {
        let event = serde_json::json!({ "id": "e1", "placeID": 1001, "personType": "0", "deviceID": "C1", "time": 1700000000123u64, "aliasID": "NV001" });
        let checkin = webhook_checkin(&event).expect("parsed");
        assert_eq!(
            (
                checkin.place_id.as_str(),
                checkin.person_type,
                checkin.captured_at_ms
            ),
            ("1001", 0, 1_700_000_000_123)
        );
        let event = serde_json::json!({ "id": "e2", "placeID": "1001", "personType": 2, "deviceID": "C1", "time": "1700000000123" });
        assert_eq!(webhook_checkin(&event).map(|c| c.person_type), Some(2));
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
