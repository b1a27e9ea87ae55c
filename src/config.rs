//! Settings: every one is an environment variable with a default, parsed by clap so that
//! `timekeeping --help` lists them (with their defaults) straight from the code that reads them.
//! clap is already the CLI parser; using its `env` support keeps one source of truth instead of
//! a second config crate. Values are validated at start, and errors name the variable.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use anyhow::{Context, bail};
use secrecy::SecretString;

/// Every setting of the server. Flags exist for each, but the variables are the interface.
#[derive(clap::Args, Clone, Debug)]
pub struct Settings {
    /// Database URL: `sqlite://path/file.db` or `postgres://user@host/db`.
    /// Default: `sqlite://<TIMEKEEPING_DATA_DIR>/timekeeping.db`.
    #[arg(long, env = "DATABASE_URL", value_name = "DATABASE_URL")]
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

    /// Largest accepted JSON GraphQL request body, in bytes.
    #[arg(long, env = "TIMEKEEPING_MAX_BODY_BYTES", value_name = "TIMEKEEPING_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
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

    /// Log output: `text` or `json`. The level comes from `RUST_LOG` (default `info`).
    #[arg(long, env = "TIMEKEEPING_LOG_FORMAT", value_name = "TIMEKEEPING_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,
}

impl Settings {
    /// Checks what clap cannot, naming the variable at fault.
    pub fn validate(&self) -> anyhow::Result<()> {
        if let Some(url) = &self.database_url
            && !(url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
        {
            bail!(
                "DATABASE_URL must start with sqlite: or postgres:// (got a {} URL)",
                url.split(':').next().unwrap_or("bad")
            );
        }
        if let Some(url) = &self.public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            bail!("TIMEKEEPING_PUBLIC_URL must be an http:// or https:// URL");
        }
        if self.jwt_ttl_minutes == 0 {
            bail!("TIMEKEEPING_JWT_TTL_MINUTES must be at least 1");
        }
        if self.db_max_connections == 0 {
            bail!("TIMEKEEPING_DB_MAX_CONNECTIONS must be at least 1");
        }
        for origin in self.cors_origins.iter().filter(|o| !o.is_empty()) {
            if !(origin.starts_with("http://") || origin.starts_with("https://")) {
                bail!("TIMEKEEPING_CORS_ORIGINS: {origin:?} is not an http(s) origin");
            }
        }
        for (name, url) in [
            ("HANET_API_URL", &self.hanet_api_url),
            ("HANET_OAUTH_URL", &self.hanet_oauth_url),
        ] {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                bail!("{name} must be an http:// or https:// URL");
            }
        }
        if let Some(url) = &self.link_return_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            bail!("TIMEKEEPING_LINK_RETURN_URL must be an http:// or https:// URL");
        }
        if self.hanet_rate_limit_per_second == 0 || self.hanet_timeout_secs == 0 {
            bail!("HANET_RATE_LIMIT_PER_SECOND and HANET_TIMEOUT_SECS must be at least 1");
        }
        if self.max_body_bytes < 1024 {
            bail!("TIMEKEEPING_MAX_BODY_BYTES must be at least 1024");
        }
        Ok(())
    }

    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}/timekeeping.db", self.data_dir.display()))
    }

    /// Base URL without a trailing slash.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind))
            .trim_end_matches('/')
            .to_owned()
    }

    pub fn ws_init_timeout(&self) -> Duration {
        Duration::from_secs(self.ws_init_timeout_secs)
    }

    /// Creates the data directory if needed.
    pub fn ensure_data_dir(&self) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.data_dir).with_context(|| {
            format!(
                "TIMEKEEPING_DATA_DIR: cannot create {}",
                self.data_dir.display()
            )
        })
    }
}

/// Reads the secret kept in `<data dir>/<name>`, generating it on first use (owner-only file).
pub fn persistent_secret(settings: &Settings, name: &str) -> anyhow::Result<String> {
    use rand::RngCore;
    settings.ensure_data_dir()?;
    let path = settings.data_dir.join(name);
    match std::fs::read_to_string(&path) {
        Ok(s) if !s.trim().is_empty() => return Ok(s.trim().to_owned()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    write_private(&path, &secret).with_context(|| format!("writing {}", path.display()))?;
    // Re-read: if another process won the race to create it, its secret is the one kept.
    let kept =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(kept.trim().to_owned())
}

fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => file.write_all(contents.as_bytes()),
        // Another process created it first: theirs wins.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

impl Settings {
    /// The Hanet client's settings.
    pub fn hanet(&self) -> crate::hanet::HanetSettings {
        crate::hanet::HanetSettings {
            api_url: self.hanet_api_url.trim_end_matches('/').to_owned(),
            oauth_url: self.hanet_oauth_url.trim_end_matches('/').to_owned(),
            client_id: self.hanet_client_id.clone().filter(|id| !id.is_empty()),
            client_secret: self.hanet_client_secret.clone(),
            timeout: Duration::from_secs(self.hanet_timeout_secs),
            register_timeout: Duration::from_secs(self.hanet_register_timeout_secs),
            max_retries: self.hanet_max_retries,
            retry_base: Duration::from_millis(self.hanet_retry_base_ms),
            requests_per_second: self.hanet_rate_limit_per_second,
        }
    }

    pub fn catch_up_interval(&self) -> Option<Duration> {
        (self.catch_up_interval_secs > 0).then(|| Duration::from_secs(self.catch_up_interval_secs))
    }

    pub fn catch_up_window(&self) -> chrono::Duration {
        chrono::Duration::seconds(self.catch_up_window_secs.max(60) as i64)
    }

    pub fn job_lease(&self) -> chrono::Duration {
        chrono::Duration::seconds(self.job_lease_secs.max(3) as i64)
    }

    pub fn job_poll_interval(&self) -> Duration {
        Duration::from_millis(self.job_poll_ms.max(50))
    }

    /// Photos decoded at once.
    pub fn photo_workers(&self) -> usize {
        match self.photo_workers {
            0 => std::thread::available_parallelism().map_or(2, usize::from),
            n => n,
        }
    }

    /// Where Hanet sends the admin's browser back to.
    pub fn hanet_redirect_uri(&self) -> String {
        format!("{}/hanet/oauth/callback", self.public_url())
    }
}
