//! The Hanet client: OAuth and the partner API over HTTP (reqwest), implementing
//! [`CameraVendor`]. Every call has a timeout, waits for the per-account rate limiter
//! (`governor`, below Hanet's ~30 requests/s), and retries retryable failures with exponential
//! backoff and jitter (`backon`). Tokens travel in form bodies only and are never logged.

mod wire;

use std::{num::NonZeroU32, time::Duration};

use backon::{ExponentialBuilder, Retryable};
use chrono::{DateTime, Utc};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use uuid::Uuid;

use crate::vendor::{
    AccessToken, AccountProfile, CameraVendor, NewPerson, VendorCheckin, VendorDevice, VendorError,
    VendorPerson, VendorPlace, VendorResult, VendorTokens, WebhookEvent,
};
use wire::{Envelope, TokenError, TokenResponse};

/// Hanet return codes worth retrying: device(s) offline, system errors, unstable network.
const RETRYABLE_CODES: [i64; 6] = [-101, -102, -503, -9003, -5004, -429];

/// Hanet's largest check-in page.
const CHECKIN_PAGE: usize = 500;

/// How the client behaves; from configuration.
#[derive(Clone, Debug)]
pub struct HanetSettings {
    pub api_url: String,
    pub oauth_url: String,
    pub client_id: Option<String>,
    pub client_secret: Option<SecretString>,
    pub timeout: Duration,
    /// Registering or replacing a face is slow at Hanet (10–30 s).
    pub register_timeout: Duration,
    pub max_retries: usize,
    pub retry_base: Duration,
    pub requests_per_second: u32,
}

pub struct HanetClient {
    http: reqwest::Client,
    settings: HanetSettings,
    limiter: DefaultKeyedRateLimiter<Uuid>,
}

impl HanetClient {
    pub fn new(settings: HanetSettings) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("timekeeping/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let per_second =
            NonZeroU32::new(settings.requests_per_second.max(1)).unwrap_or(NonZeroU32::MIN);
        Ok(Self {
            http,
            limiter: RateLimiter::keyed(Quota::per_second(per_second)),
            settings,
        })
    }

    fn client_credentials(&self) -> VendorResult<(&str, &str)> {
        let id = self
            .settings
            .client_id
            .as_deref()
            .ok_or(VendorError::NotConfigured("HANET_CLIENT_ID"))?;
        let secret = self
            .settings
            .client_secret
            .as_ref()
            .map(|s| s.expose_secret())
            .ok_or(VendorError::NotConfigured("HANET_CLIENT_SECRET"))?;
        Ok((id, secret))
    }

    fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::default()
            .with_min_delay(self.settings.retry_base)
            .with_max_delay(self.settings.retry_base * 32)
            .with_max_times(self.settings.max_retries)
            .with_jitter()
    }

    /// POSTs a form to a partner endpoint and returns the envelope's `data`, with retries.
    async fn call(
        &self,
        company_id: Uuid,
        path: &str,
        form: &[(&str, &str)],
    ) -> VendorResult<Value> {
        self.call_with(company_id, path, form, None, self.settings.timeout)
            .await
    }

    /// POSTs a form (multipart when a photo is attached) with retries of retryable failures.
    async fn call_with(
        &self,
        company_id: Uuid,
        path: &str,
        form: &[(&str, &str)],
        photo: Option<&[u8]>,
        timeout: Duration,
    ) -> VendorResult<Value> {
        let attempt = || async {
            let result = self.attempt(company_id, path, form, photo, timeout).await;
            let outcome = match &result {
                Ok(_) => "ok",
                Err(e) if e.is_retryable() => "retryable_error",
                Err(VendorError::TokenExpired) => "token_expired",
                Err(_) => "error",
            };
            crate::metrics::METRICS
                .hanet_calls
                .with_label_values(&[path, outcome])
                .inc();
            result
        };
        attempt
            .retry(self.backoff())
            .when(VendorError::is_retryable)
            .notify(|error, delay| {
                tracing::warn!(hanet.path = path, error = %error, retry_in_ms = delay.as_millis() as u64, "Hanet call failed; retrying");
            })
            .await
    }

    async fn attempt(
        &self,
        company_id: Uuid,
        path: &str,
        form: &[(&str, &str)],
        photo: Option<&[u8]>,
        timeout: Duration,
    ) -> VendorResult<Value> {
        self.limiter.until_key_ready(&company_id).await;
        let url = format!("{}{path}", self.settings.api_url);
        let request = self.http.post(url).timeout(timeout);
        let request = match photo {
            None => request.form(form),
            Some(bytes) => {
                let mut multipart = reqwest::multipart::Form::new();
                for (key, value) in form {
                    multipart = multipart.text(key.to_string(), value.to_string());
                }
                let part = reqwest::multipart::Part::bytes(bytes.to_vec())
                    .file_name("face.jpg")
                    .mime_str("image/jpeg")
                    .map_err(|e| VendorError::Decode(e.to_string()))?;
                request.multipart(multipart.part("file", part))
            }
        };
        let response = request.send().await.map_err(transport_error)?;
        let status = response.status();
        if status == StatusCode::UNAUTHORIZED {
            return Err(VendorError::TokenExpired);
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Err(VendorError::RateLimited);
        }
        let bytes = response.bytes().await.map_err(transport_error)?;
        let envelope: Envelope = match serde_json::from_slice(&bytes) {
            Ok(envelope) => envelope,
            Err(_) if !status.is_success() => return Err(VendorError::Http(status.as_u16())),
            Err(e) => return Err(VendorError::Decode(format!("{path}: {e}"))),
        };
        match envelope.return_code {
            1 => Ok(envelope.data),
            -103 | 401 => Err(VendorError::TokenExpired),
            code @ -9005 => Err(VendorError::AliasExists { code }),
            code @ -9007 => Err(VendorError::FaceExists {
                code,
                existing: person(&envelope.data).map(Box::new),
            }),
            code @ -5011 => Err(VendorError::PersonNotFound { code }),
            code => Err(VendorError::Api {
                code,
                message: envelope.return_message.unwrap_or_default(),
                retryable: RETRYABLE_CODES.contains(&code),
            }),
        }
    }

    /// POSTs to the OAuth token endpoint, with retries on outages only.
    async fn token(&self, company_id: Uuid, form: &[(&str, &str)]) -> VendorResult<VendorTokens> {
        let attempt = || async {
            self.limiter.until_key_ready(&company_id).await;
            let response = self
                .http
                .post(format!("{}/token", self.settings.oauth_url))
                .form(form)
                .timeout(self.settings.timeout)
                .send()
                .await
                .map_err(transport_error)?;
            let status = response.status();
            let bytes = response.bytes().await.map_err(transport_error)?;
            if status.is_server_error() {
                return Err(VendorError::Http(status.as_u16()));
            }
            if !status.is_success() {
                let error: TokenError = serde_json::from_slice(&bytes).unwrap_or_default();
                let reason = [error.error, error.error_description]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(": ");
                return Err(VendorError::GrantRefused(if reason.is_empty() {
                    format!("HTTP {status}")
                } else {
                    reason
                }));
            }
            let body: TokenResponse = serde_json::from_slice(&bytes)
                .map_err(|e| VendorError::Decode(format!("token response: {e}")))?;
            let access_expires_at = wire::access_expiry(&body, Utc::now());
            Ok(VendorTokens {
                access_token: SecretString::from(body.access_token),
                refresh_token: SecretString::from(body.refresh_token),
                access_expires_at,
            })
        };
        attempt
            .retry(self.backoff())
            .when(VendorError::is_retryable)
            .await
    }
}

fn transport_error(e: reqwest::Error) -> VendorError {
    if e.is_timeout() {
        VendorError::Timeout
    } else {
        VendorError::Transport(e.without_url().to_string())
    }
}

#[async_trait::async_trait]
impl CameraVendor for HanetClient {
    fn authorization_url(&self, state: &str, redirect_uri: &str) -> VendorResult<String> {
        let (client_id, _) = self.client_credentials()?;
        let query = serde_urlencoded::to_string([
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("scope", "full"),
            ("state", state),
        ])
        .map_err(|e| VendorError::Decode(e.to_string()))?;
        Ok(format!(
            "{}/oauth2/authorize?{query}",
            self.settings.oauth_url
        ))
    }

    async fn exchange_code(&self, code: &str, redirect_uri: &str) -> VendorResult<VendorTokens> {
        let (client_id, client_secret) = self.client_credentials()?;
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("client_id", client_id),
            ("client_secret", client_secret),
        ];
        self.token(Uuid::nil(), &form).await
    }

    async fn refresh(
        &self,
        company_id: Uuid,
        refresh_token: &SecretString,
    ) -> VendorResult<VendorTokens> {
        let (client_id, client_secret) = self.client_credentials()?;
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose_secret()),
            ("client_id", client_id),
            ("client_secret", client_secret),
        ];
        self.token(company_id, &form).await
    }

    async fn profile(&self, access: &AccessToken) -> VendorResult<AccountProfile> {
        let data = self
            .call(
                access.company_id,
                "/profile/getProfile",
                &[("token", access.token.expose_secret())],
            )
            .await?;
        Ok(AccountProfile {
            user_id: data.get("id").and_then(wire::id_string).unwrap_or_default(),
            email: wire::string_field(&data, "email").unwrap_or_default(),
            name: wire::string_field(&data, "name").unwrap_or_default(),
        })
    }

    async fn places(&self, access: &AccessToken) -> VendorResult<Vec<VendorPlace>> {
        let data = self
            .call(
                access.company_id,
                "/place/getPlaces",
                &[("token", access.token.expose_secret())],
            )
            .await?;
        Ok(list(&data)
            .iter()
            .filter_map(|p| {
                Some(VendorPlace {
                    id: p.get("id").and_then(wire::id_string)?,
                    name: wire::string_field(p, "name").unwrap_or_default(),
                    address: wire::string_field(p, "address"),
                })
            })
            .collect())
    }

    async fn devices(
        &self,
        access: &AccessToken,
        place_id: Option<&str>,
    ) -> VendorResult<Vec<VendorDevice>> {
        let token = access.token.expose_secret();
        let data = match place_id {
            Some(place) => {
                self.call(
                    access.company_id,
                    "/device/getListDeviceByPlace",
                    &[("token", token), ("placeID", place)],
                )
                .await?
            }
            None => {
                self.call(
                    access.company_id,
                    "/device/getListDevice",
                    &[("token", token)],
                )
                .await?
            }
        };
        let mut devices: Vec<VendorDevice> = list(&data)
            .iter()
            .filter_map(|d| {
                Some(VendorDevice {
                    id: wire::string_field(d, "deviceID")?,
                    name: wire::string_field(d, "deviceName").unwrap_or_default(),
                    place_id: d
                        .get("placeID")
                        .and_then(wire::id_string)
                        .or_else(|| place_id.map(str::to_owned)),
                    place_name: wire::string_field(d, "placeName"),
                    online: false,
                })
            })
            .collect();
        if devices.is_empty() {
            return Ok(devices);
        }
        let ids = devices
            .iter()
            .map(|d| d.id.as_str())
            .collect::<Vec<_>>()
            .join(",");
        let status = self
            .call(
                access.company_id,
                "/device/getConnectionStatus",
                &[("token", token), ("deviceIDs", &ids)],
            )
            .await?;
        for device in &mut devices {
            device.online = status
                .get(&device.id)
                .and_then(Value::as_bool)
                .unwrap_or(false);
        }
        Ok(devices)
    }

    async fn register_webhook_key(&self, access: &AccessToken, key: &str) -> VendorResult<()> {
        let form = [
            ("access_token", access.token.expose_secret()),
            ("partner_token", key),
        ];
        self.call(access.company_id, "/partner/updateToken", &form)
            .await
            .map(drop)
    }

    fn explain(&self, code: i64) -> Option<&'static str> {
        Some(match code {
            -9006 => {
                "Hanet rejected the photo: it needs exactly one frontal face with eyes, nose and mouth visible, no hat or mask"
            }
            -9002 => "Hanet rejected the image file type",
            -9007 => "this face is already registered in the place",
            -9008 => {
                "the place's free face quota is used up; a cloud plan must be bought for the place"
            }
            -9005 => "a person with this employee ID already exists in the place",
            -101 => "no camera of the place is online; registering a face needs one",
            -102 => "the camera is offline",
            -1005 => "the Hanet place no longer exists",
            -5011 => "the person no longer exists on Hanet",
            -2035 => "the Hanet account lacks permission for this",
            -1 => "Hanet refused the request as invalid",
            _ => return None,
        })
    }

    /// `hash == md5(client_secret + id)` (reference §6.5), compared in constant time.
    fn verify_webhook(&self, body: &Value) -> bool {
        use md5::{Digest, Md5};
        use subtle::ConstantTimeEq;
        let (Some(secret), Some(id), Some(hash)) = (
            self.settings.client_secret.as_ref(),
            body.get("id").and_then(wire::id_string),
            body.get("hash").and_then(Value::as_str),
        ) else {
            return false;
        };
        let expected = hex::encode(
            Md5::new()
                .chain_update(secret.expose_secret())
                .chain_update(&id)
                .finalize(),
        );
        expected
            .as_bytes()
            .ct_eq(hash.trim().to_ascii_lowercase().as_bytes())
            .into()
    }

    fn parse_webhook(&self, body: &Value) -> WebhookEvent {
        let kind = wire::string_field(body, "data_type").unwrap_or_default();
        WebhookEvent {
            routing_key: wire::string_field(body, "keycode"),
            place_id: body.get("placeID").and_then(wire::id_string),
            checkin: if kind == "log" {
                wire::webhook_checkin(body)
            } else {
                None
            },
            kind,
        }
    }

    /// Hanet's check-in query needs both ends in one calendar month of UTC+7.
    fn checkin_slices(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        wire::month_slices(from, to)
    }

    async fn checkins(
        &self,
        access: &AccessToken,
        place_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        page: u32,
    ) -> VendorResult<Vec<VendorCheckin>> {
        // Hanet's range is inclusive at both ends: stop a millisecond before `to`.
        let (from_ms, to_ms) = (
            from.timestamp_millis().to_string(),
            (to.timestamp_millis() - 1).to_string(),
        );
        let (page, size) = (page.to_string(), CHECKIN_PAGE.to_string());
        let form = [
            ("token", access.token.expose_secret()),
            ("placeID", place_id),
            ("from", from_ms.as_str()),
            ("to", to_ms.as_str()),
            ("page", page.as_str()),
            ("size", size.as_str()),
        ];
        let data = self
            .call(
                access.company_id,
                "/person/getCheckinByPlaceIdInTimestamp",
                &form,
            )
            .await?;
        Ok(list(&data)
            .iter()
            .filter_map(|row| wire::checkin_row(row, place_id))
            .collect())
    }

    fn checkin_page_size(&self) -> usize {
        CHECKIN_PAGE
    }

    async fn list_persons(
        &self,
        access: &AccessToken,
        place_id: &str,
    ) -> VendorResult<Vec<VendorPerson>> {
        const PAGE: usize = 500;
        let mut persons = Vec::new();
        for page in 1.. {
            let page_text = page.to_string();
            let size = PAGE.to_string();
            let form = [
                ("token", access.token.expose_secret()),
                ("placeID", place_id),
                ("type", "0"),
                ("page", page_text.as_str()),
                ("size", size.as_str()),
            ];
            let data = self
                .call(access.company_id, "/person/getListByPlace", &form)
                .await?;
            let rows = list(&data);
            persons.extend(rows.iter().filter_map(person).map(|mut p| {
                p.place_id.get_or_insert_with(|| place_id.to_owned());
                p
            }));
            if rows.len() < PAGE {
                break;
            }
        }
        Ok(persons)
    }

    async fn find_person(
        &self,
        access: &AccessToken,
        alias: &str,
        place_id: &str,
    ) -> VendorResult<Option<VendorPerson>> {
        let form = [
            ("token", access.token.expose_secret()),
            ("aliasID", alias),
            ("placeIDs", place_id),
        ];
        let data = self
            .call(access.company_id, "/person/getListByAliasID", &form)
            .await?;
        Ok(list(&data).iter().filter_map(person).find(|p| {
            p.alias.as_deref() == Some(alias)
                && p.place_id.as_deref().is_none_or(|id| id == place_id)
        }))
    }

    async fn register_person(
        &self,
        access: &AccessToken,
        new: NewPerson<'_>,
    ) -> VendorResult<String> {
        let form = [
            ("token", access.token.expose_secret()),
            ("name", new.name),
            ("aliasID", new.alias),
            ("placeID", new.place_id),
            ("title", new.title.unwrap_or("")),
            ("type", "0"),
        ];
        let timeout = self.settings.register_timeout;
        let data = self
            .call_with(
                access.company_id,
                "/person/register",
                &form,
                Some(&new.photo),
                timeout,
            )
            .await?;
        person(&data)
            .map(|p| p.person_id)
            .ok_or_else(|| VendorError::Decode("register answered without a personID".to_owned()))
    }

    async fn update_face(
        &self,
        access: &AccessToken,
        person_id: &str,
        place_id: &str,
        photo: Vec<u8>,
    ) -> VendorResult<()> {
        let form = [
            ("token", access.token.expose_secret()),
            ("personID", person_id),
            ("placeID", place_id),
        ];
        let timeout = self.settings.register_timeout;
        self.call_with(
            access.company_id,
            "/person/updateByFaceImageByPersonID",
            &form,
            Some(&photo),
            timeout,
        )
        .await
        .map(drop)
    }

    async fn update_info(
        &self,
        access: &AccessToken,
        alias: &str,
        place_id: &str,
        name: &str,
        title: Option<&str>,
    ) -> VendorResult<()> {
        let form = [
            ("token", access.token.expose_secret()),
            ("aliasID", alias),
            ("placeID", place_id),
            ("name", name),
            ("title", title.unwrap_or("")),
        ];
        self.call(access.company_id, "/person/updateInfo", &form)
            .await
            .map(drop)
    }

    async fn claim_alias(
        &self,
        access: &AccessToken,
        person_id: &str,
        alias: &str,
    ) -> VendorResult<()> {
        let form = [
            ("token", access.token.expose_secret()),
            ("personID", person_id),
            ("aliasID", alias),
        ];
        self.call(access.company_id, "/person/updateAliasID", &form)
            .await
            .map(drop)
    }

    async fn remove_person(
        &self,
        access: &AccessToken,
        alias: &str,
        place_id: &str,
    ) -> VendorResult<()> {
        let form = [
            ("token", access.token.expose_secret()),
            ("aliasID", alias),
            ("placeID", place_id),
        ];
        self.call(access.company_id, "/person/removeByPlace", &form)
            .await
            .map(drop)
    }

    async fn subscribe_place(
        &self,
        access: &AccessToken,
        place_id: &str,
        key: &str,
    ) -> VendorResult<()> {
        let form = [
            ("access_token", access.token.expose_secret()),
            ("placeID", place_id),
            ("partner_token", key),
        ];
        self.call(access.company_id, "/partner/addPlacePartner", &form)
            .await
            .map(drop)
    }
}

/// A person row, in any of the shapes Hanet returns one.
fn person(data: &Value) -> Option<VendorPerson> {
    let person_id = data
        .get("personID")
        .or_else(|| data.get("id"))
        .and_then(wire::id_string)?;
    Some(VendorPerson {
        person_id,
        alias: wire::string_field(data, "aliasID"),
        name: wire::string_field(data, "name").unwrap_or_default(),
        title: wire::string_field(data, "title"),
        place_id: data.get("placeID").and_then(wire::id_string),
    })
}

fn list(data: &Value) -> &[Value] {
    data.as_array().map(Vec::as_slice).unwrap_or_default()
}
