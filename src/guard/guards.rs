//! The process-wide bounds (decodes, failed logins, export downloads) and the client address a
//! request is counted under.

use super::*;

use std::sync::Arc;

use actix_web::HttpRequest;
use tokio::sync::Semaphore;

use crate::config::Settings;

/// Shared by every request of the process.
/// Timesheet exports one process writes at once (each holds a database connection while it
/// reads, and an XLSX its temporary files).
pub const MAX_DOWNLOADS: usize = 4;

pub struct Guards {
    /// Photo decodes in flight, whatever the number of concurrent uploads.
    pub decodes: Arc<Semaphore>,
    /// Failed logins per email and per client address.
    pub logins: LoginThrottle,
    /// Timesheet exports being written.
    pub downloads: Arc<Semaphore>,
}

impl Guards {
    pub fn new(settings: &Settings) -> Self {
        Self {
            decodes: Arc::new(Semaphore::new(settings.photo_workers().max(1))),
            logins: LoginThrottle::new(settings.security.login_max_failures.max(1)),
            downloads: Arc::new(Semaphore::new(MAX_DOWNLOADS)),
        }
    }
}

/// Who sent a request, as far as we can trust it: put into each GraphQL request's data.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClientAddress(pub String);

impl ClientAddress {
    /// The TCP peer, unless a trusted proxy header is configured: then the last address in it
    /// (the one our proxy appended; anything before it the client could have written).
    pub fn of(req: &HttpRequest, settings: &Settings) -> Self {
        let from_proxy = settings
            .security
            .trusted_proxy_header
            .as_deref()
            .filter(|h| !h.is_empty())
            .and_then(|name| req.headers().get(name))
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned);
        let peer = || {
            req.peer_addr()
                .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string())
        };
        Self(from_proxy.unwrap_or_else(peer))
    }
}
