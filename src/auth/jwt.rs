//! Login tokens: HS256 JWTs with `exp`, `iat`, `iss` and `aud` set and checked, and the
//! algorithm pinned so a token cannot choose how it is verified.

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Caller, Role, Session};

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: Uuid,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    company: Option<Uuid>,
    role: Role,
    iss: String,
    aud: String,
    iat: i64,
    exp: i64,
}

/// Signing and verification keys, built once at start.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl_seconds: i64,
}

impl JwtKeys {
    pub fn new(secret: &SecretString, issuer: &str, audience: &str, ttl_minutes: u32) -> Self {
        let bytes = secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 30;
        // A token that says it is not valid yet is not valid.
        validation.validate_nbf = true;
        Self {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            validation,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            ttl_seconds: i64::from(ttl_minutes) * 60,
        }
    }

    /// Issues a token; returns it with its expiry.
    pub fn issue(&self, session: &Session) -> anyhow::Result<(String, chrono::DateTime<Utc>)> {
        let now = Utc::now().timestamp();
        let exp = now + self.ttl_seconds;
        let claims = Claims {
            sub: session.user_id,
            company: session.company_id,
            role: session.role,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now,
            exp,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        let expires_at = chrono::DateTime::from_timestamp(exp, 0)
            .ok_or_else(|| anyhow::anyhow!("token expiry out of range"))?;
        Ok((token, expires_at))
    }

    /// Verifies a bearer token.
    pub fn verify(&self, token: &str) -> Caller {
        match jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation) {
            Ok(data) => Caller::Authenticated(Session {
                user_id: data.claims.sub,
                company_id: data.claims.company,
                role: data.claims.role,
                expires_at: Some(data.claims.exp),
            }),
            Err(e) => Caller::Rejected(match e.kind() {
                ErrorKind::ExpiredSignature => "expired",
                _ => "invalid",
            }),
        }
    }

    /// Reads `Authorization: Bearer …` (or a bare token) into a caller.
    pub fn caller_from_header(&self, header: Option<&str>) -> Caller {
        match header.map(str::trim).filter(|h| !h.is_empty()) {
            None => Caller::Anonymous,
            Some(h) => {
                let token = h
                    .strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
                    .unwrap_or(h);
                self.verify(token.trim())
            }
        }
    }
}
