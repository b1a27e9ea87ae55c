//! The camera vendor behind one trait (design §1): linking, tokens, places, devices, persons and
//! check-ins in vendor-neutral types. Hanet is the one implementation (`crate::hanet`); a
//! second brand is a new module implementing [`CameraVendor`].

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use uuid::Uuid;

/// A token pair from the vendor's OAuth server.
pub struct VendorTokens {
    pub access_token: SecretString,
    pub refresh_token: SecretString,
    pub access_expires_at: DateTime<Utc>,
}

/// The vendor account that was linked.
#[derive(Clone, Debug)]
pub struct AccountProfile {
    pub user_id: String,
    pub email: String,
    pub name: String,
}

/// A site whose cameras share one set of faces.
#[derive(Clone, Debug)]
pub struct VendorPlace {
    pub id: String,
    pub name: String,
    pub address: Option<String>,
}

/// A camera.
#[derive(Clone, Debug)]
pub struct VendorDevice {
    pub id: String,
    pub name: String,
    pub place_id: Option<String>,
    pub place_name: Option<String>,
    pub online: bool,
}

/// A person as the vendor knows them.
#[derive(Clone, Debug)]
pub struct VendorPerson {
    pub person_id: String,
    pub alias: Option<String>,
    pub name: String,
    pub title: Option<String>,
    pub place_id: Option<String>,
}

/// A new person for a place.
pub struct NewPerson<'a> {
    pub alias: &'a str,
    pub name: &'a str,
    pub title: Option<&'a str>,
    pub place_id: &'a str,
    /// A normalised JPEG of the face.
    pub photo: Vec<u8>,
}

/// A check-in as the vendor reports it.
#[derive(Clone, Debug)]
pub struct VendorCheckin {
    /// The vendor's event id (webhooks only).
    pub event_id: Option<String>,
    pub place_id: String,
    pub place_name: Option<String>,
    pub device_id: String,
    pub device_name: Option<String>,
    pub person_type: i32,
    pub person_id: Option<String>,
    pub alias: Option<String>,
    pub person_name: Option<String>,
    pub person_title: Option<String>,
    pub snapshot_url: Option<String>,
    pub captured_at_ms: i64,
}

/// A webhook call, parsed.
pub struct WebhookEvent {
    /// The per-company key we registered with the vendor, when the event carries it.
    pub routing_key: Option<String>,
    pub place_id: Option<String>,
    /// A check-in, or `None` for other events (devices, places, …).
    pub checkin: Option<VendorCheckin>,
    /// The event's kind, as the vendor names it.
    pub kind: String,
}

/// An access token and the company it belongs to (the key for per-account rate limiting).
pub struct AccessToken {
    pub company_id: Uuid,
    pub token: SecretString,
}

/// What can go wrong talking to the vendor.
#[derive(Debug, thiserror::Error)]
pub enum VendorError {
    /// The access token is no longer accepted: refresh and try once more.
    #[error("the access token has expired")]
    TokenExpired,
    /// The OAuth server refused the code or refresh token: the account must be linked again.
    #[error("the vendor refused the authorization: {0}")]
    GrantRefused(String),
    /// A business error with the vendor's code.
    #[error("vendor error {code}: {message}")]
    Api {
        code: i64,
        message: String,
        retryable: bool,
    },
    /// An HTTP status without a usable body.
    #[error("vendor answered HTTP {0}")]
    Http(u16),
    #[error("vendor rate limit reached")]
    RateLimited,
    #[error("vendor did not answer in time")]
    Timeout,
    #[error("could not reach the vendor: {0}")]
    Transport(String),
    /// No connection could be made: the request was surely not sent.
    #[error("could not connect to the vendor: {0}")]
    Unsent(String),
    #[error("unexpected vendor response: {0}")]
    Decode(String),
    #[error("{0} is not configured")]
    NotConfigured(&'static str),
    /// The place already has a person with this alias.
    #[error("vendor error {code}: a person with this alias already exists in the place")]
    AliasExists { code: i64 },
    /// This face is already registered (as `existing`, when the vendor says who).
    #[error("vendor error {code}: this face is already registered")]
    FaceExists {
        code: i64,
        existing: Option<Box<VendorPerson>>,
    },
    /// The person is not (or no longer) known to the vendor.
    #[error("vendor error {code}: person not found")]
    PersonNotFound { code: i64 },
}

impl VendorError {
    /// Whether the same call may succeed later (outages, overload, offline devices).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api { retryable, .. } => *retryable,
            Self::Http(status) => *status >= 500 || *status == 408,
            Self::RateLimited | Self::Timeout | Self::Transport(_) | Self::Unsent(_) => true,
            Self::TokenExpired
            | Self::GrantRefused(_)
            | Self::Decode(_)
            | Self::NotConfigured(_)
            | Self::AliasExists { .. }
            | Self::FaceExists { .. }
            | Self::PersonNotFound { .. } => false,
        }
    }

    /// Whether sending the same request again cannot do its work twice: the vendor said it did
    /// nothing (a retryable business code, 429), or the request never left. A timeout or a
    /// dropped connection may have done the work, so a non-idempotent call is not re-sent then.
    pub fn safe_to_resend(&self) -> bool {
        match self {
            Self::Api { retryable, .. } => *retryable,
            // The server timed out waiting for the request: it did not act on it.
            Self::RateLimited | Self::Unsent(_) | Self::Http(408) => true,
            _ => false,
        }
    }

    /// The vendor's own error code, when it gave one.
    pub fn vendor_code(&self) -> Option<i64> {
        match self {
            Self::Api { code, .. }
            | Self::AliasExists { code }
            | Self::FaceExists { code, .. }
            | Self::PersonNotFound { code } => Some(*code),
            _ => None,
        }
    }
}

pub type VendorResult<T> = Result<T, VendorError>;

/// One camera vendor.
#[async_trait::async_trait]
pub trait CameraVendor: Send + Sync {
    /// Where to send the admin's browser to approve the link.
    /// Where the admin approves the link; `code_challenge` is PKCE S256 (Hanet is not known to
    /// read it; unknown parameters are ignored).
    fn authorization_url(
        &self,
        state: &str,
        redirect_uri: &str,
        code_challenge: &str,
    ) -> VendorResult<String>;
    /// Exchanges the code; `code_verifier` is PKCE's, when the link started with one.
    async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
        code_verifier: Option<&str>,
    ) -> VendorResult<VendorTokens>;
    async fn refresh(
        &self,
        company_id: Uuid,
        refresh_token: &SecretString,
    ) -> VendorResult<VendorTokens>;
    async fn profile(&self, access: &AccessToken) -> VendorResult<AccountProfile>;
    async fn places(&self, access: &AccessToken) -> VendorResult<Vec<VendorPlace>>;
    /// Devices with their online status; of one place, or of the whole account.
    async fn devices(
        &self,
        access: &AccessToken,
        place_id: Option<&str>,
    ) -> VendorResult<Vec<VendorDevice>>;
    /// Registers our per-company key, which the vendor's webhooks then carry.
    async fn register_webhook_key(&self, access: &AccessToken, key: &str) -> VendorResult<()>;
    /// Narrows webhook delivery to this place.
    async fn subscribe_place(
        &self,
        access: &AccessToken,
        place_id: &str,
        key: &str,
    ) -> VendorResult<()>;
    /// A human explanation of one of the vendor's error codes, when it has one.
    fn explain(&self, _code: i64) -> Option<&'static str> {
        None
    }
    /// Whether a webhook body really comes from the vendor.
    fn verify_webhook(&self, body: &serde_json::Value) -> bool;
    /// Reads a verified webhook body.
    fn parse_webhook(&self, body: &serde_json::Value) -> WebhookEvent;
    /// How to cut `[from, to)` into ranges one check-in query accepts.
    fn checkin_slices(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if from < to {
            vec![(from, to)]
        } else {
            Vec::new()
        }
    }
    /// One page (1-based) of the place's check-ins in `[from, to)`; at most `page_size()` rows.
    async fn checkins(
        &self,
        access: &AccessToken,
        place_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        page: u32,
    ) -> VendorResult<Vec<VendorCheckin>>;
    /// Rows per check-in page.
    fn checkin_page_size(&self) -> usize {
        500
    }
    /// Every person of the place (employees), for matching aliases without a call per person.
    async fn list_persons(
        &self,
        access: &AccessToken,
        place_id: &str,
    ) -> VendorResult<Vec<VendorPerson>>;
    /// The person with this alias in the place, if any.
    async fn find_person(
        &self,
        access: &AccessToken,
        alias: &str,
        place_id: &str,
    ) -> VendorResult<Option<VendorPerson>>;
    /// Registers a person; returns the vendor's person id.
    async fn register_person(
        &self,
        access: &AccessToken,
        person: NewPerson<'_>,
    ) -> VendorResult<String>;
    /// Replaces the face of a person, keeping their history.
    async fn update_face(
        &self,
        access: &AccessToken,
        person_id: &str,
        place_id: &str,
        photo: Vec<u8>,
    ) -> VendorResult<()>;
    /// Changes a person's name and title.
    async fn update_info(
        &self,
        access: &AccessToken,
        alias: &str,
        place_id: &str,
        name: &str,
        title: Option<&str>,
    ) -> VendorResult<()>;
    /// Gives an alias to a person created without one (e.g. in the vendor's own app).
    async fn claim_alias(
        &self,
        access: &AccessToken,
        person_id: &str,
        alias: &str,
    ) -> VendorResult<()>;
    /// Removes a person: by Hanet person id when we know it (the alias on Hanet may be an
    /// employee ID that has changed since), else the person with this alias in the place.
    async fn remove_person(
        &self,
        access: &AccessToken,
        person_id: Option<&str>,
        alias: &str,
        place_id: &str,
    ) -> VendorResult<()>;
}
