//! Fault injection, adjustable live from tests ([`Faults`]) or over HTTP (`/_sim/faults`).
//!
//! Applied to partner API requests only (not to `/oauth2/*`, `/token` or `/_sim/*`), in this
//! order: rate limit → HTTP 5xx (not applied) → latency → `fail_next` business code (not
//! applied) → the handler → lost response (applied, then HTTP 504).
//!
//! Rate limiting (the real over-limit behaviour is UNKNOWN): a fixed one-second window per
//! access token (the value of `token`/`access_token`; requests without one share the key "").
//! Over the limit the answer is **HTTP 429** with the envelope
//! `{"returnCode":-429,"returnMessage":"Too many requests","data":null}` and `Retry-After: 1`.
//! Every partner answer carries `X-Rate-Limit-Limit` (the configured limit, or Hanet's observed
//! 30 when no limit is enforced), `X-Rate-Limit-Remaining` and `X-Rate-Limit-Reset`
//! (milliseconds until the window resets; Hanet's captures show 1000).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rand::Rng;
use serde::{Deserialize, Serialize};

/// Hanet's observed `X-Rate-Limit-Limit`.
pub const NOMINAL_RATE_LIMIT: u32 = 30;
const WINDOW: Duration = Duration::from_millis(1000);

/// The adjustable settings, as read and written by `/_sim/faults`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FaultSettings {
    pub latency_ms: u64,
    pub http_5xx_rate: f64,
    pub lost_response_rate: f64,
    pub rate_limit_per_second: Option<u32>,
    pub token_expired_as_http_401: bool,
}

#[derive(Debug, Default)]
struct Inner {
    settings: FaultSettings,
    /// path → (returnCode, remaining calls)
    fail_next: HashMap<String, (i64, u32)>,
    /// path → calls left whose answer is lost after they were applied
    lose_next: HashMap<String, u32>,
    /// token → (window start, requests in window)
    windows: HashMap<String, (Instant, u32)>,
    /// Requests refused for exceeding the rate limit, since the start.
    rate_limited: u32,
    /// HTTP statuses the next token requests answer with (a hiccup, not a refusal).
    token_failures: std::collections::VecDeque<u16>,
    /// Token responses leave out `expire`.
    token_without_expiry: bool,
}

/// Outcome of the rate-limit check for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateDecision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    pub reset_ms: u64,
}

/// Live-adjustable fault handle; clones share state.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    inner: Arc<Mutex<Inner>>,
}

impl Faults {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding this lock cannot leave the maps inconsistent; keep going.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Added to every partner API response.
    pub fn set_latency(&self, d: Duration) {
        self.lock().settings.latency_ms = d.as_millis().try_into().unwrap_or(u64::MAX);
    }

    /// Fraction of partner API requests answered HTTP 503 (HTML body), not applied.
    pub fn set_http_5xx_rate(&self, r: f64) {
        self.lock().settings.http_5xx_rate = r.clamp(0.0, 1.0);
    }

    /// Fraction of partner API requests that are applied but answered HTTP 504.
    pub fn set_lost_response_rate(&self, r: f64) {
        self.lock().settings.lost_response_rate = r.clamp(0.0, 1.0);
    }

    /// Requests per second per access token; `None` disables enforcement.
    pub fn set_rate_limit(&self, per_second: Option<u32>) {
        let mut inner = self.lock();
        inner.settings.rate_limit_per_second = per_second;
        inner.windows.clear();
    }

    /// Unknown/expired tokens answer HTTP 401 `{"returnCode":401,…}` instead of HTTP 200 -103.
    pub fn set_token_expired_as_http_401(&self, on: bool) {
        self.lock().settings.token_expired_as_http_401 = on;
    }

    /// The next `times` calls to `path` answer `return_code` (HTTP 200) without applying.
    pub fn fail_next(&self, path: &str, return_code: i64, times: u32) {
        let mut inner = self.lock();
        if times == 0 {
            inner.fail_next.remove(path);
        } else {
            inner
                .fail_next
                .insert(path.to_owned(), (return_code, times));
        }
    }

    /// The next `times` calls to `path` are applied, then answered 504 (the answer is lost).
    pub fn lose_next(&self, path: &str, times: u32) {
        let mut inner = self.lock();
        if times == 0 {
            inner.lose_next.remove(path);
        } else {
            inner.lose_next.insert(path.to_owned(), times);
        }
    }

    /// Clears every fault.
    pub fn reset(&self) {
        let mut inner = self.lock();
        *inner = Inner::default();
    }

    /// The current settings.
    pub fn settings(&self) -> FaultSettings {
        self.lock().settings.clone()
    }

    /// Replaces all settings at once.
    pub fn apply(&self, settings: FaultSettings) {
        let mut inner = self.lock();
        if inner.settings.rate_limit_per_second != settings.rate_limit_per_second {
            inner.windows.clear();
        }
        inner.settings = FaultSettings {
            http_5xx_rate: settings.http_5xx_rate.clamp(0.0, 1.0),
            lost_response_rate: settings.lost_response_rate.clamp(0.0, 1.0),
            ..settings
        };
    }

    /// The next token requests answer these HTTP statuses (429, 408, a gateway's 400…) with
    /// an error that is not `invalid_grant`; later ones work again.
    pub fn fail_token_requests(&self, statuses: &[u16]) {
        self.lock().token_failures.extend(statuses.iter().copied());
    }

    /// Token responses without any expiry field.
    pub fn set_token_without_expiry(&self, on: bool) {
        self.lock().token_without_expiry = on;
    }

    pub(crate) fn take_token_failure(&self) -> Option<u16> {
        self.lock().token_failures.pop_front()
    }

    pub(crate) fn token_without_expiry(&self) -> bool {
        self.lock().token_without_expiry
    }

    /// Requests answered 429 because their token went over the rate limit.
    pub fn rate_limited(&self) -> u32 {
        self.lock().rate_limited
    }

    /// Pending `fail_next` injections: path → (returnCode, remaining).
    pub fn pending_failures(&self) -> HashMap<String, (i64, u32)> {
        self.lock().fail_next.clone()
    }

    pub(crate) fn check_rate(&self, key: &str) -> RateDecision {
        let mut inner = self.lock();
        let enforced = inner.settings.rate_limit_per_second;
        let limit = enforced.unwrap_or(NOMINAL_RATE_LIMIT);
        let now = Instant::now();
        let entry = inner.windows.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        let reset_ms = (WINDOW.saturating_sub(now.duration_since(entry.0))).as_millis() as u64;
        let allowed = enforced.is_none_or(|l| entry.1 < l);
        if allowed {
            entry.1 += 1;
        }
        let remaining = limit.saturating_sub(entry.1);
        if !allowed {
            inner.rate_limited += 1;
        }
        RateDecision {
            allowed,
            limit,
            remaining,
            reset_ms,
        }
    }

    pub(crate) fn roll_5xx(&self) -> bool {
        roll(self.lock().settings.http_5xx_rate)
    }

    pub(crate) fn roll_lost(&self) -> bool {
        roll(self.lock().settings.lost_response_rate)
    }

    pub(crate) fn latency(&self) -> Duration {
        Duration::from_millis(self.lock().settings.latency_ms)
    }

    pub(crate) fn token_401(&self) -> bool {
        self.lock().settings.token_expired_as_http_401
    }

    /// Consumes one pending injection for `path`, if any.
    pub(crate) fn take_lost(&self, path: &str) -> bool {
        let mut inner = self.lock();
        let Some(remaining) = inner.lose_next.get_mut(path) else {
            return false;
        };
        *remaining = remaining.saturating_sub(1);
        if *remaining == 0 {
            inner.lose_next.remove(path);
        }
        true
    }

    pub(crate) fn take_failure(&self, path: &str) -> Option<i64> {
        let mut inner = self.lock();
        let (code, remaining) = inner.fail_next.get_mut(path)?;
        let code = *code;
        *remaining -= 1;
        if *remaining == 0 {
            inner.fail_next.remove(path);
        }
        Some(code)
    }
}

fn roll(rate: f64) -> bool {
    rate > 0.0 && rand::rng().random_bool(rate.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_window_counts_per_key() {
        let faults = Faults::default();
        faults.set_rate_limit(Some(2));
        assert!(faults.check_rate("a").allowed);
        let second = faults.check_rate("a");
        assert!(second.allowed);
        assert_eq!(second.remaining, 0);
        assert!(!faults.check_rate("a").allowed);
        assert!(faults.check_rate("b").allowed);
    }

    #[test]
    fn fail_next_is_consumed() {
        let faults = Faults::default();
        faults.fail_next("/x", -9006, 2);
        assert_eq!(faults.take_failure("/x"), Some(-9006));
        assert_eq!(faults.take_failure("/x"), Some(-9006));
        assert_eq!(faults.take_failure("/x"), None);
    }
}
