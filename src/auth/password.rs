//! Password hashing with Argon2id (the `argon2` crate, RustCrypto), run off the async executor
//! because a hash takes tens of milliseconds by design.

use std::sync::LazyLock;

use tokio::sync::Semaphore;

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};

/// Shortest accepted password.
pub const MIN_LENGTH: usize = 8;

/// Compared against when the email is unknown, so both paths take the same time.
static DUMMY_HASH: LazyLock<Option<String>> =
    LazyLock::new(|| hash_blocking("timing-equaliser-password").ok());

/// Hashes in flight in the whole process, one per core: each takes ~19 MiB and tens of
/// milliseconds, so a flood of logins queues here instead of exhausting memory and CPU.
static HASHES: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(2, usize::from)));

fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

pub async fn hash(password: String) -> anyhow::Result<String> {
    let _permit = HASHES.acquire().await?;
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
}

/// Checks `password` against a stored PHC hash; `None` runs a dummy check and fails.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    let _permit = HASHES.acquire().await?;
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let Some(stored) = stored.or_else(|| DUMMY_HASH.clone()) else {
            return Ok(false);
        };
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(known && matches)
    })
    .await?
}
