//! Encryption at rest for vendor tokens: XChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`,
//! an AEAD with random 192-bit nonces, so no nonce bookkeeping). Each value is bound to its row
//! and column through the associated data, so a ciphertext copied to another row fails to open.
//! Stored form: `v1:` + base64(nonce ‖ ciphertext).

use anyhow::{Context, anyhow, bail};
use base64::{Engine, engine::general_purpose::STANDARD};
use chacha20poly1305::{
    KeyInit, XChaCha20Poly1305, XNonce,
    aead::{Aead, AeadCore, OsRng, Payload},
};
use secrecy::{ExposeSecret, SecretString};

pub struct TokenCipher {
    cipher: XChaCha20Poly1305,
}

impl TokenCipher {
    /// From 32 bytes written as 64 hex characters.
    pub fn from_hex(key: &SecretString) -> anyhow::Result<Self> {
        let bytes = hex::decode(key.expose_secret().trim())
            .context("TIMEKEEPING_ENCRYPTION_KEY must be 64 hex characters")?;
        if bytes.len() != 32 {
            bail!("TIMEKEEPING_ENCRYPTION_KEY must be 64 hex characters (32 bytes)");
        }
        let cipher = XChaCha20Poly1305::new_from_slice(&bytes)
            .map_err(|_| anyhow!("TIMEKEEPING_ENCRYPTION_KEY has the wrong length"))?;
        Ok(Self { cipher })
    }

    pub fn encrypt(&self, plaintext: &str, context: &str) -> anyhow::Result<String> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| anyhow!("encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("v1:{}", STANDARD.encode(out)))
    }

    pub fn decrypt(&self, stored: &str, context: &str) -> anyhow::Result<SecretString> {
        let encoded = stored
            .strip_prefix("v1:")
            .context("unknown token encryption format")?;
        let raw = STANDARD
            .decode(encoded)
            .context("stored token is not base64")?;
        if raw.len() < 24 {
            bail!("stored token is truncated");
        }
        let (nonce, sealed) = raw.split_at(24);
        let plain = self
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| anyhow!("stored token does not decrypt with this key"))?;
        Ok(SecretString::from(
            String::from_utf8(plain).context("stored token is not UTF-8")?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_binds_the_context() {
        let key = SecretString::from("11".repeat(32));
        let cipher = TokenCipher::from_hex(&key).expect("key");
        let sealed = cipher
            .encrypt("token-value", "company-a/access")
            .expect("seal");
        assert!(!sealed.contains("token-value"));
        let opened = cipher.decrypt(&sealed, "company-a/access").expect("open");
        assert_eq!(opened.expose_secret(), "token-value");
        assert!(cipher.decrypt(&sealed, "company-b/access").is_err());
    }
}
