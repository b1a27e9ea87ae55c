//! The HTTP side of the Hanet client: every call has a timeout, waits for the per-account rate
//! limiter (`governor`, below Hanet's ~30 requests/s), follows no redirect, reads at most
//! [`MAX_RESPONSE_BYTES`], and retries with exponential backoff and jitter (`backon`) only what
//! is safe to send again ([`Resend`]).

use std::{num::NonZeroU32, time::Duration};

use backon::{ExponentialBuilder, Retryable};
use chrono::Utc;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use uuid::Uuid;

use super::wire::{self, Envelope, TokenError, TokenResponse, person};
use crate::vendor::{VendorError, VendorResult, VendorTokens};

/// Hanet return codes worth retrying: device(s) offline, system errors, unstable network.
const RETRYABLE_CODES: [i64; 6] = [-101, -102, -503, -9003, -5004, -429];

/// Largest response body read from Hanet; a larger one is an error, not an allocation.
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// Reads a response body up to [`MAX_RESPONSE_BYTES`].
async fn read_body(mut response: reqwest::Response) -> VendorResult<Vec<u8>> {
    if response
        .content_length()
        .is_some_and(|len| len > MAX_RESPONSE_BYTES as u64)
    {
        return Err(VendorError::Decode("response body too large".to_owned()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(VendorError::Decode("response body too large".to_owned()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Whether a call may be sent again after a failure that may have done its work.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Resend {
    /// Doing it twice is harmless (reads, setting a value).
    Idempotent,
    /// Doing it twice is not (registering a person, adding a face, spending a code or a
    /// refresh token): re-sent only when the vendor surely did nothing.
    OnlyIfUnsent,
}

impl Resend {
    fn allows(self, error: &VendorError) -> bool {
        match self {
            Self::Idempotent => error.is_retryable(),
            Self::OnlyIfUnsent => error.safe_to_resend(),
        }
    }
}

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
    pub(super) settings: HanetSettings,
    limiter: DefaultKeyedRateLimiter<Uuid>,
    /// The budget shared with the other processes (PostgreSQL), used instead of `limiter`.
    shared: Option<super::budget::SharedBudget>,
}

impl HanetClient {
    pub fn new(
        settings: HanetSettings,
        shared: Option<super::budget::SharedBudget>,
    ) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            // A redirect would re-send a form holding tokens to wherever it points.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("timekeeping/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let per_second =
            NonZeroU32::new(settings.requests_per_second.max(1)).unwrap_or(NonZeroU32::MIN);
        Ok(Self {
            http,
            limiter: RateLimiter::keyed(Quota::per_second(per_second)),
            settings,
            shared,
        })
    }

    /// Waits for the account's turn: the shared budget across processes, else this process's.
    async fn wait_for_budget(&self, company_id: Uuid) {
        match &self.shared {
            Some(shared) => shared.take(company_id).await,
            None => self.limiter.until_key_ready(&company_id).await,
        }
    }

    pub(super) fn client_credentials(&self) -> VendorResult<(&str, &str)> {
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
    pub(super) async fn call(
        &self,
        company_id: Uuid,
        path: &str,
        form: &[(&str, &str)],
    ) -> VendorResult<Value> {
        self.call_with(
            company_id,
            path,
            form,
            None,
            self.settings.timeout,
            Resend::Idempotent,
        )
        .await
    }

    /// POSTs a form (multipart when a photo is attached) with retries of retryable failures.
    pub(super) async fn call_with(
        &self,
        company_id: Uuid,
        path: &str,
        form: &[(&str, &str)],
        photo: Option<&[u8]>,
        timeout: Duration,
        resend: Resend,
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
            .when(|e| resend.allows(e))
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
        self.wait_for_budget(company_id).await;
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
        let bytes = read_body(response).await?;
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
    pub(super) async fn token(
        &self,
        company_id: Uuid,
        form: &[(&str, &str)],
    ) -> VendorResult<VendorTokens> {
        let attempt = || async {
            self.wait_for_budget(company_id).await;
            let response = self
                .http
                .post(format!("{}/token", self.settings.oauth_url))
                .form(form)
                .timeout(self.settings.timeout)
                .send()
                .await
                .map_err(transport_error)?;
            let status = response.status();
            let bytes = read_body(response).await?;
            if status.is_server_error() {
                return Err(VendorError::Http(status.as_u16()));
            }
            if status == StatusCode::TOO_MANY_REQUESTS {
                return Err(VendorError::RateLimited);
            }
            if !status.is_success() {
                let error: TokenError = serde_json::from_slice(&bytes).unwrap_or_default();
                // Only `invalid_grant` says the code or refresh token is dead. A 408, a gateway's
                // 400 or any other refusal is a hiccup: the link stays, the call is tried again.
                if error.error.as_deref() != Some("invalid_grant") {
                    return Err(VendorError::Http(status.as_u16()));
                }
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
        // A code is single-use and a refresh rotates the refresh token: re-sending after a
        // timeout could spend the token the first attempt already replaced.
        attempt
            .retry(self.backoff())
            .when(VendorError::safe_to_resend)
            .await
    }
}

fn transport_error(e: reqwest::Error) -> VendorError {
    if e.is_connect() {
        VendorError::Unsent(e.without_url().to_string())
    } else if e.is_timeout() {
        VendorError::Timeout
    } else {
        VendorError::Transport(e.without_url().to_string())
    }
}
