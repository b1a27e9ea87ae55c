//! The webhook emitter: check-in events (`data_type:"log"`) and the empty-body probe.
//!
//! Payload: every field of reference §6.3. Types follow what Hanet sends in practice:
//! `personType` and `placeID` are **strings**, `time` is a number (epoch ms), `mask` is the
//! number -1 (mask check disabled), `date` is `"YYYY-MM-DD HH:mm:ss"` in UTC+7, and
//! `hash = lowercase_hex(md5(client_secret ‖ id))`. `keycode` is the account's
//! `/partner/updateToken` value, `""` when none. `temp` is omitted (thermal models only).
//!
//! Delivery: one POST per event with a 10 s timeout; no retries (Hanet's retry policy is
//! UNKNOWN). The probe is a POST with an empty body and `Content-Length: 0`, as Hanet appears
//! to send when a URL is saved; it is only sent on request ([`crate::Simulator::probe_webhook`]
//! or `POST /_sim/webhook-probe`).

use std::time::Duration;

use anyhow::Context;
use md5::{Digest, Md5};
use serde_json::{Value, json};

use crate::state::{Checkin, local_time};

/// Timeout of one webhook delivery.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// `lowercase_hex(md5(secret ‖ id))`.
pub fn webhook_hash(client_secret: &str, id: &str) -> String {
    let mut md5 = Md5::new();
    md5.update(client_secret.as_bytes());
    md5.update(id.as_bytes());
    hex::encode(md5.finalize())
}

/// The JSON body of a check-in event.
pub fn checkin_payload(c: &Checkin, client_secret: &str, keycode: &str) -> Value {
    let date = local_time(c.time_ms)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default();
    json!({
        "id": c.event_id,
        "hash": webhook_hash(client_secret, &c.event_id),
        "data_type": "log",
        "action_type": "update",
        "keycode": keycode,
        "date": date,
        "time": c.time_ms,
        "personID": c.person_id,
        "aliasID": c.alias_id,
        "personName": c.person_name,
        "personTitle": c.title,
        "personType": c.person_type.to_string(),
        "placeID": c.place_id.to_string(),
        "placeName": c.place_name,
        "deviceID": c.device_id,
        "deviceName": c.device_name,
        "detected_image_url": c.image_url,
        "mask": -1,
    })
}

/// POSTs `payload` as JSON; returns the receiver's HTTP status.
pub async fn post_json(
    client: &reqwest::Client,
    url: &str,
    payload: &Value,
) -> anyhow::Result<u16> {
    let resp = client
        .post(url)
        .timeout(DELIVERY_TIMEOUT)
        .json(payload)
        .send()
        .await
        .with_context(|| format!("posting webhook to {url}"))?;
    Ok(resp.status().as_u16())
}

/// POSTs an empty body (Hanet's reachability check); returns the receiver's HTTP status.
pub async fn post_probe(client: &reqwest::Client, url: &str) -> anyhow::Result<u16> {
    let resp = client
        .post(url)
        .timeout(DELIVERY_TIMEOUT)
        .header(reqwest::header::CONTENT_LENGTH, "0")
        .send()
        .await
        .with_context(|| format!("probing webhook {url}"))?;
    Ok(resp.status().as_u16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_test_vector() {
        assert_eq!(
            webhook_hash(
                "example-client-secret-0000",
                "11111111-2222-3333-4444-555555555555"
            ),
            "0779ff0f54cdf0a88183d704bac93a77"
        );
    }
}
