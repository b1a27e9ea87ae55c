//! Settings in the shapes the parts of the server use.

use std::time::Duration;

use anyhow::{Context, bail};

use super::Settings;

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
        chrono::Duration::seconds(
            i64::try_from(self.catch_up_window_secs.min(366 * 86_400)).unwrap_or(0),
        )
    }

    pub fn job_lease(&self) -> chrono::Duration {
        chrono::Duration::seconds(i64::try_from(self.job_lease_secs.min(86_400)).unwrap_or(3))
    }

    pub fn job_poll_interval(&self) -> Duration {
        Duration::from_millis(self.job_poll_ms)
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
        // Out-of-range values are refused, not silently changed.
        for (name, value, least, most) in [
            ("TIMEKEEPING_JOB_LEASE_SECS", self.job_lease_secs, 3, 86_400),
            ("TIMEKEEPING_JOB_POLL_MS", self.job_poll_ms, 50, 600_000),
            (
                "TIMEKEEPING_CATCHUP_WINDOW_SECS",
                self.catch_up_window_secs,
                60,
                366 * 86_400,
            ),
        ] {
            if !(least..=most).contains(&value) {
                bail!("{name} must be between {least} and {most} (got {value})");
            }
        }
        if self.hanet_refresh_margin_secs < 0 {
            bail!("HANET_REFRESH_MARGIN_SECS must not be negative");
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
