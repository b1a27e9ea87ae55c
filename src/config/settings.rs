//! The server's settings: flags and `TIMEKEEPING_*` variables, with their defaults.

use super::*;

use std::{net::SocketAddr, path::PathBuf};

use secrecy::SecretString;

/// Every setting of the server. Flags exist for each, but the variables are the interface.
#[derive(clap::Args, Clone, Debug)]
pub struct Settings {
    /// Database URL: `sqlite://path/file.db` or `postgres://user@host/db`.
    /// Default: `sqlite://<TIMEKEEPING_DATA_DIR>/timekeeping.db`.
    /// The value is never printed by `--help` (it may hold a password).
    #[arg(
        long,
        env = "DATABASE_URL",
        value_name = "DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    /// Maximum open database connections.
    #[arg(
        long,
        env = "TIMEKEEPING_DB_MAX_CONNECTIONS",
        value_name = "TIMEKEEPING_DB_MAX_CONNECTIONS",
        default_value_t = 10
    )]
    pub db_max_connections: u32,

    /// Address the HTTP server listens on (`127.0.0.1:0` picks a free port).
    #[arg(
        long,
        env = "TIMEKEEPING_BIND",
        value_name = "TIMEKEEPING_BIND",
        default_value = "127.0.0.1:8080"
    )]
    pub bind: SocketAddr,

    /// Public base URL of this server, used in links it hands out (OAuth callback, photo URLs).
    /// Default: `http://<TIMEKEEPING_BIND>`.
    #[arg(
        long,
        env = "TIMEKEEPING_PUBLIC_URL",
        value_name = "TIMEKEEPING_PUBLIC_URL"
    )]
    pub public_url: Option<String>,

    /// Directory for the SQLite database, generated secrets and stored photos.
    #[arg(
        long,
        env = "TIMEKEEPING_DATA_DIR",
        value_name = "TIMEKEEPING_DATA_DIR",
        default_value = "data"
    )]
    pub data_dir: PathBuf,

    /// Secret for signing login tokens (HS256, at least 32 characters).
    /// Default: generated once and kept in `<TIMEKEEPING_DATA_DIR>/jwt-secret`.
    #[arg(
        long,
        env = "TIMEKEEPING_JWT_SECRET",
        value_name = "TIMEKEEPING_JWT_SECRET",
        hide_env_values = true
    )]
    pub jwt_secret: Option<SecretString>,

    /// Lifetime of a login token, in minutes.
    #[arg(
        long,
        env = "TIMEKEEPING_JWT_TTL_MINUTES",
        value_name = "TIMEKEEPING_JWT_TTL_MINUTES",
        default_value_t = 720
    )]
    pub jwt_ttl_minutes: u32,

    /// `iss` claim written into and required of login tokens.
    #[arg(
        long,
        env = "TIMEKEEPING_JWT_ISSUER",
        value_name = "TIMEKEEPING_JWT_ISSUER",
        default_value = "timekeeping"
    )]
    pub jwt_issuer: String,

    /// `aud` claim written into and required of login tokens.
    #[arg(
        long,
        env = "TIMEKEEPING_JWT_AUDIENCE",
        value_name = "TIMEKEEPING_JWT_AUDIENCE",
        default_value = "timekeeping-api"
    )]
    pub jwt_audience: String,

    /// Comma-separated browser origins allowed to call the API cross-origin
    /// (e.g. `https://hr.example.com`). Empty: no cross-origin access.
    #[arg(
        long,
        env = "TIMEKEEPING_CORS_ORIGINS",
        value_name = "TIMEKEEPING_CORS_ORIGINS",
        value_delimiter = ',',
        default_value = ""
    )]
    pub cors_origins: Vec<String>,

    /// Largest accepted JSON GraphQL request body, in bytes (uploads are multipart, with their
    /// own limits; a real query is a few KB).
    #[arg(long, env = "TIMEKEEPING_MAX_BODY_BYTES", value_name = "TIMEKEEPING_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,

    /// Largest accepted multipart (upload) request, in bytes.
    #[arg(long, env = "TIMEKEEPING_MAX_UPLOAD_REQUEST_BYTES", value_name = "TIMEKEEPING_MAX_UPLOAD_REQUEST_BYTES", default_value_t = 2 * 1024 * 1024 * 1024)]
    pub max_upload_request_bytes: usize,

    /// Largest accepted single uploaded file, in bytes.
    #[arg(long, env = "TIMEKEEPING_MAX_UPLOAD_FILE_BYTES", value_name = "TIMEKEEPING_MAX_UPLOAD_FILE_BYTES", default_value_t = 15 * 1024 * 1024)]
    pub max_upload_file_bytes: usize,

    /// Most files accepted in one upload request.
    #[arg(
        long,
        env = "TIMEKEEPING_MAX_UPLOAD_FILES",
        value_name = "TIMEKEEPING_MAX_UPLOAD_FILES",
        default_value_t = 1000
    )]
    pub max_upload_files: usize,

    /// Deepest accepted GraphQL query nesting.
    #[arg(
        long,
        env = "TIMEKEEPING_QUERY_DEPTH_LIMIT",
        value_name = "TIMEKEEPING_QUERY_DEPTH_LIMIT",
        default_value_t = 20
    )]
    pub query_depth_limit: usize,

    /// Highest accepted GraphQL query complexity (a list field counts its page size times its
    /// selection).
    #[arg(
        long,
        env = "TIMEKEEPING_QUERY_COMPLEXITY_LIMIT",
        value_name = "TIMEKEEPING_QUERY_COMPLEXITY_LIMIT",
        default_value_t = 5000
    )]
    pub query_complexity_limit: usize,

    /// Seconds a WebSocket may stay open without sending `connection_init`.
    #[arg(
        long,
        env = "TIMEKEEPING_WS_INIT_TIMEOUT_SECS",
        value_name = "TIMEKEEPING_WS_INIT_TIMEOUT_SECS",
        default_value_t = 10
    )]
    pub ws_init_timeout_secs: u64,

    /// HTTP worker threads (0: one per CPU core).
    #[arg(
        long,
        env = "TIMEKEEPING_HTTP_WORKERS",
        value_name = "TIMEKEEPING_HTTP_WORKERS",
        default_value_t = 0
    )]
    pub http_workers: usize,

    /// Key encrypting vendor tokens at rest: 64 hex characters (32 bytes).
    /// Default: generated once and kept in `<TIMEKEEPING_DATA_DIR>/encryption-key`.
    #[arg(
        long,
        env = "TIMEKEEPING_ENCRYPTION_KEY",
        value_name = "TIMEKEEPING_ENCRYPTION_KEY",
        hide_env_values = true
    )]
    pub encryption_key: Option<SecretString>,

    /// Where the browser goes after the Hanet link callback (the SPA's settings page); it gets
    /// `?hanet=linked` or `?hanet=error&reason=…`. Unset: a plain page says what happened.
    #[arg(
        long,
        env = "TIMEKEEPING_LINK_RETURN_URL",
        value_name = "TIMEKEEPING_LINK_RETURN_URL"
    )]
    pub link_return_url: Option<String>,

    /// Photo storage: unset keeps photos under `<TIMEKEEPING_DATA_DIR>/photos`;
    /// `s3://bucket/prefix` uses an S3-compatible bucket (credentials, region and endpoint from
    /// the standard `AWS_*` variables).
    #[arg(
        long,
        env = "TIMEKEEPING_PHOTO_STORE_URL",
        value_name = "TIMEKEEPING_PHOTO_STORE_URL"
    )]
    pub photo_store_url: Option<String>,

    /// Largest accepted face photo file, in bytes (larger files in a batch are rejected alone).
    #[arg(long, env = "TIMEKEEPING_MAX_PHOTO_BYTES", value_name = "TIMEKEEPING_MAX_PHOTO_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_photo_bytes: usize,

    /// Photos decoded at once (0: one per CPU core). Bounds memory during big batches.
    #[arg(
        long,
        env = "TIMEKEEPING_PHOTO_WORKERS",
        value_name = "TIMEKEEPING_PHOTO_WORKERS",
        default_value_t = 0
    )]
    pub photo_workers: usize,

    /// Jobs one process runs at once.
    #[arg(
        long,
        env = "TIMEKEEPING_MAX_CONCURRENT_JOBS",
        value_name = "TIMEKEEPING_MAX_CONCURRENT_JOBS",
        default_value_t = 4
    )]
    pub max_concurrent_jobs: usize,

    /// Items of one employee sync in flight at once (Hanet calls are also rate-limited).
    #[arg(
        long,
        env = "TIMEKEEPING_SYNC_CONCURRENCY",
        value_name = "TIMEKEEPING_SYNC_CONCURRENCY",
        default_value_t = 4
    )]
    pub sync_concurrency: usize,

    /// Seconds a worker holds a job without renewing; a job whose worker died resumes after this.
    #[arg(
        long,
        env = "TIMEKEEPING_JOB_LEASE_SECS",
        value_name = "TIMEKEEPING_JOB_LEASE_SECS",
        default_value_t = 30
    )]
    pub job_lease_secs: u64,

    /// How often idle workers look for jobs queued by other processes, in milliseconds.
    #[arg(
        long,
        env = "TIMEKEEPING_JOB_POLL_MS",
        value_name = "TIMEKEEPING_JOB_POLL_MS",
        default_value_t = 1000
    )]
    pub job_poll_ms: u64,

    /// Seconds without a further change after which a company with `autoSync` on syncs its
    /// changed employees (debounce).
    #[arg(
        long,
        env = "TIMEKEEPING_AUTO_SYNC_DELAY_SECS",
        value_name = "TIMEKEEPING_AUTO_SYNC_DELAY_SECS",
        default_value_t = 60
    )]
    pub auto_sync_delay_secs: u64,

    /// Seconds between pulls of each company's recent check-ins (filling what webhooks
    /// missed); 0 turns the catch-up off.
    #[arg(
        long,
        env = "TIMEKEEPING_CATCHUP_INTERVAL_SECS",
        value_name = "TIMEKEEPING_CATCHUP_INTERVAL_SECS",
        default_value_t = 300
    )]
    pub catch_up_interval_secs: u64,

    /// How far back a catch-up pull reaches at most, in seconds.
    #[arg(long, env = "TIMEKEEPING_CATCHUP_WINDOW_SECS", value_name = "TIMEKEEPING_CATCHUP_WINDOW_SECS", default_value_t = 7 * 86_400)]
    pub catch_up_window_secs: u64,

    /// Hanet partner API base URL.
    #[arg(
        long,
        env = "HANET_API_URL",
        value_name = "HANET_API_URL",
        default_value = "https://partner.hanet.ai"
    )]
    pub hanet_api_url: String,

    /// Hanet OAuth server base URL.
    #[arg(
        long,
        env = "HANET_OAUTH_URL",
        value_name = "HANET_OAUTH_URL",
        default_value = "https://oauth.hanet.com"
    )]
    pub hanet_oauth_url: String,

    /// OAuth client id of the Hanet developer app. Required to link accounts.
    #[arg(long, env = "HANET_CLIENT_ID", value_name = "HANET_CLIENT_ID")]
    pub hanet_client_id: Option<String>,

    /// OAuth client secret of the Hanet developer app (also verifies webhooks). Required to link.
    #[arg(
        long,
        env = "HANET_CLIENT_SECRET",
        value_name = "HANET_CLIENT_SECRET",
        hide_env_values = true
    )]
    pub hanet_client_secret: Option<SecretString>,

    /// Timeout of one Hanet call, in seconds.
    #[arg(
        long,
        env = "HANET_TIMEOUT_SECS",
        value_name = "HANET_TIMEOUT_SECS",
        default_value_t = 15
    )]
    pub hanet_timeout_secs: u64,

    /// Timeout of registering or replacing a face, in seconds (Hanet is slow here).
    #[arg(
        long,
        env = "HANET_REGISTER_TIMEOUT_SECS",
        value_name = "HANET_REGISTER_TIMEOUT_SECS",
        default_value_t = 30
    )]
    pub hanet_register_timeout_secs: u64,

    /// Retries of a Hanet call that failed in a retryable way (outage, timeout, offline device).
    #[arg(
        long,
        env = "HANET_MAX_RETRIES",
        value_name = "HANET_MAX_RETRIES",
        default_value_t = 4
    )]
    pub hanet_max_retries: usize,

    /// First retry delay in milliseconds; it doubles per retry, with jitter.
    #[arg(
        long,
        env = "HANET_RETRY_BASE_MS",
        value_name = "HANET_RETRY_BASE_MS",
        default_value_t = 250
    )]
    pub hanet_retry_base_ms: u64,

    /// Hanet requests per second per linked account (Hanet allows about 30).
    #[arg(
        long,
        env = "HANET_RATE_LIMIT_PER_SECOND",
        value_name = "HANET_RATE_LIMIT_PER_SECOND",
        default_value_t = 25
    )]
    pub hanet_rate_limit_per_second: u32,

    /// Refresh the Hanet access token when it expires within this many seconds.
    #[arg(
        long,
        env = "HANET_REFRESH_MARGIN_SECS",
        value_name = "HANET_REFRESH_MARGIN_SECS",
        default_value_t = 86_400
    )]
    pub hanet_refresh_margin_secs: i64,

    /// Limits and protections of design §10.
    #[command(flatten)]
    pub security: SecuritySettings,

    /// Log output: `text` or `json`. The level comes from `RUST_LOG` (default `info`).
    #[arg(long, env = "TIMEKEEPING_LOG_FORMAT", value_name = "TIMEKEEPING_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,
}
