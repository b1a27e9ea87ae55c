//! Login throttling: after `max_failures` failed logins for one key (an email, or a client
//! address) within [`WINDOW`], logins for that key answer `RATE_LIMITED` until [`LOCKOUT`] after
//! the failure that reached the limit. Checked before the password is hashed, so a locked key
//! costs nothing. Kept in the process; the map is pruned so it cannot grow for ever.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::{Duration, Instant},
};

/// Failures older than this are forgotten.
pub const WINDOW: Duration = Duration::from_secs(10 * 60);
/// How long a key stays locked.
pub const LOCKOUT: Duration = Duration::from_secs(15 * 60);
/// Keys kept before old ones are pruned.
const MAX_KEYS: usize = 100_000;

#[derive(Default)]
struct Record {
    failures: VecDeque<Instant>,
    locked_until: Option<Instant>,
}

pub struct LoginThrottle {
    max_failures: usize,
    keys: Mutex<HashMap<String, Record>>,
}

impl LoginThrottle {
    pub fn new(max_failures: usize) -> Self {
        Self {
            max_failures,
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds to wait when any of `keys` is locked now.
    pub fn locked(&self, keys: &[&str]) -> Option<u64> {
        let now = Instant::now();
        let map = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter()
            .filter_map(|k| map.get(*k)?.locked_until)
            .filter(|until| *until > now)
            .map(|until| until.duration_since(now).as_secs().max(1))
            .max()
    }

    /// Records a failed login for each key.
    pub fn failed(&self, keys: &[&str]) {
        let now = Instant::now();
        let mut map = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_KEYS {
            map.retain(|_, r| {
                r.locked_until.is_some_and(|u| u > now)
                    || r.failures
                        .back()
                        .is_some_and(|t| now.duration_since(*t) < WINDOW)
            });
        }
        for key in keys {
            let record = map.entry((*key).to_owned()).or_default();
            while record
                .failures
                .front()
                .is_some_and(|t| now.duration_since(*t) >= WINDOW)
            {
                record.failures.pop_front();
            }
            record.failures.push_back(now);
            if record.failures.len() >= self.max_failures {
                record.locked_until = Some(now + LOCKOUT);
                record.failures.clear();
            }
        }
    }

    /// A successful login forgets the email's failures (not the address's).
    pub fn succeeded(&self, key: &str) {
        let mut map = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tenth_failure_locks_the_key_and_only_that_key() {
        let throttle = LoginThrottle::new(10);
        for _ in 0..9 {
            throttle.failed(&["a@x.test"]);
        }
        assert_eq!(throttle.locked(&["a@x.test"]), None);
        throttle.failed(&["a@x.test"]);
        let wait = throttle.locked(&["a@x.test", "b@x.test"]);
        assert!(
            wait.is_some_and(|s| s > 14 * 60 && s <= 15 * 60),
            "{wait:?}"
        );
        assert_eq!(throttle.locked(&["b@x.test"]), None);
    }

    #[test]
    fn success_forgets_earlier_failures() {
        let throttle = LoginThrottle::new(3);
        throttle.failed(&["a@x.test"]);
        throttle.failed(&["a@x.test"]);
        throttle.succeeded("a@x.test");
        throttle.failed(&["a@x.test"]);
        assert_eq!(throttle.locked(&["a@x.test"]), None);
    }
}
