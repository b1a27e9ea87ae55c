//! Settings of the protections promised in design §10: login throttling, the client address,
//! image limits, the metrics token and how long a leaver's face photos are kept.

use secrecy::SecretString;

/// Limits and protections (design §10).
#[derive(clap::Args, Clone, Debug)]
pub struct SecuritySettings {
    /// Bearer token `/metrics` requires (`Authorization: Bearer <token>`). Unset: `/metrics` is
    /// open (keep it off the public network then).
    #[arg(
        long,
        env = "TIMEKEEPING_METRICS_TOKEN",
        value_name = "TIMEKEEPING_METRICS_TOKEN",
        hide_env_values = true
    )]
    pub metrics_token: Option<SecretString>,

    /// Header a trusted reverse proxy puts the client's address in (e.g. `X-Forwarded-For`; the
    /// last address in it is used). Unset: the TCP peer address, and the header is ignored.
    #[arg(
        long,
        env = "TIMEKEEPING_TRUSTED_PROXY_HEADER",
        value_name = "TIMEKEEPING_TRUSTED_PROXY_HEADER"
    )]
    pub trusted_proxy_header: Option<String>,

    /// Failed logins for one email, or from one client address, within 10 minutes after which
    /// logins answer `RATE_LIMITED` for 15 minutes.
    #[arg(
        long,
        env = "TIMEKEEPING_LOGIN_MAX_FAILURES",
        value_name = "TIMEKEEPING_LOGIN_MAX_FAILURES",
        default_value_t = 10
    )]
    pub login_max_failures: usize,

    /// Largest face photo accepted, in pixels (width × height, read from the file's header
    /// before decoding); larger photos fail alone with `IMAGE_TOO_LARGE`.
    #[arg(
        long,
        env = "TIMEKEEPING_MAX_PHOTO_PIXELS",
        value_name = "TIMEKEEPING_MAX_PHOTO_PIXELS",
        default_value_t = 40_000_000
    )]
    pub max_photo_pixels: u64,

    /// Days a leaver's face photos are kept after the person was removed from Hanet; then they
    /// are deleted from our store (biometric data: Vietnam's decree 13/2023).
    #[arg(
        long,
        env = "TIMEKEEPING_FACE_RETENTION_DAYS",
        value_name = "TIMEKEEPING_FACE_RETENTION_DAYS",
        default_value_t = 30
    )]
    pub face_retention_days: u32,
}
