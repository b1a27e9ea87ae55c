//! Vendor tokens of each company: decrypted on use, refreshed before they expire and when the
//! vendor says they have, one refresh at a time per company. Within a process a per-company
//! mutex serialises refreshes; across processes (PostgreSQL) the row is locked
//! (`SELECT … FOR UPDATE`) for the refresh, and the row's `token_version` is compared and
//! swapped, so a process that waited adopts the winner's tokens instead of spending the
//! refresh token again.

use std::{collections::HashMap, future::Future, sync::Arc};

use chrono::{Duration, Utc};
use entity::hanet_connection::{self, ConnectionStatus};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, TransactionTrait,
    sea_query::{Expr, ExprTrait},
};
use secrecy::SecretString;
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::{
    crypto::TokenCipher,
    error::{ApiError, ApiResult},
    vendor::{AccessToken, CameraVendor, VendorError, VendorResult, VendorTokens},
};

pub struct TokenManager {
    db: DatabaseConnection,
    vendor: Arc<dyn CameraVendor>,
    cipher: TokenCipher,
    refresh_margin: Duration,
    locks: std::sync::Mutex<HashMap<Uuid, Arc<Mutex<()>>>>,
}

fn access_context(company_id: Uuid) -> String {
    format!("{company_id}/access")
}

fn refresh_context(company_id: Uuid) -> String {
    format!("{company_id}/refresh")
}

impl TokenManager {
    pub fn new(
        db: DatabaseConnection,
        vendor: Arc<dyn CameraVendor>,
        cipher: TokenCipher,
        refresh_margin: Duration,
    ) -> Self {
        Self {
            db,
            vendor,
            cipher,
            refresh_margin,
            locks: Default::default(),
        }
    }

    pub fn vendor(&self) -> &dyn CameraVendor {
        self.vendor.as_ref()
    }

    /// Encrypts a fresh token pair into the columns of a connection row.
    pub fn seal(&self, company_id: Uuid, tokens: &VendorTokens) -> ApiResult<(String, String)> {
        use secrecy::ExposeSecret;
        let access = self.cipher.encrypt(
            tokens.access_token.expose_secret(),
            &access_context(company_id),
        );
        let refresh = self.cipher.encrypt(
            tokens.refresh_token.expose_secret(),
            &refresh_context(company_id),
        );
        Ok((
            access.map_err(ApiError::Internal)?,
            refresh.map_err(ApiError::Internal)?,
        ))
    }

    async fn load(&self, company_id: Uuid) -> ApiResult<hanet_connection::Model> {
        load_on(&self.db, company_id).await
    }

    fn open(&self, row: &hanet_connection::Model) -> ApiResult<AccessToken> {
        let token = self
            .cipher
            .decrypt(&row.access_token_enc, &access_context(row.company_id))
            .map_err(ApiError::Internal)?;
        Ok(AccessToken {
            company_id: row.company_id,
            token,
        })
    }

    /// Runs a vendor call with the company's access token; refreshes it first when it is about
    /// to expire, and once more when the vendor says it has expired. The outer error is about
    /// the link itself (not linked, refresh refused); the inner one is the vendor's. Reached
    /// through [`super::camera::CameraSession`].
    pub(super) async fn call_raw<T, F, Fut>(
        &self,
        company_id: Uuid,
        f: F,
    ) -> ApiResult<VendorResult<T>>
    where
        F: Fn(AccessToken) -> Fut,
        Fut: Future<Output = VendorResult<T>>,
    {
        let mut row = self.load(company_id).await?;
        if row.access_expires_at - Utc::now() < self.margin_for(&row) {
            match self.refresh(company_id, row.token_version).await {
                Ok(fresh) => row = fresh,
                // An early refresh that fails is not fatal while the current token still works.
                Err(e)
                    if row.access_expires_at > Utc::now()
                        && !matches!(e, ApiError::HanetNotLinked) =>
                {
                    tracing::warn!(company.id = %company_id, error = e.message(), "early token refresh failed; using the current token");
                }
                Err(e) => return Err(e),
            }
        }
        match f(self.open(&row)?).await {
            Err(VendorError::TokenExpired) => {
                let row = self.refresh(company_id, row.token_version).await?;
                Ok(f(self.open(&row)?).await)
            }
            other => Ok(other),
        }
    }

    /// How long before expiry a token is refreshed: the configured margin, but never more than
    /// half the token's lifetime (a margin as long as the lifetime would refresh, and rotate the
    /// refresh token, before every call).
    fn margin_for(&self, row: &hanet_connection::Model) -> Duration {
        let issued = row.last_refreshed_at.unwrap_or(row.linked_at);
        let lifetime = row.access_expires_at - issued;
        self.refresh_margin.min(lifetime / 2)
    }

    fn lock_for(&self, company_id: Uuid) -> Arc<Mutex<()>> {
        let mut locks = self
            .locks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        locks.entry(company_id).or_default().clone()
    }

    /// Refreshes the tokens unless someone already did since `seen_version`; returns the row
    /// with usable tokens.
    async fn refresh(
        &self,
        company_id: Uuid,
        seen_version: i32,
    ) -> ApiResult<hanet_connection::Model> {
        let lock = self.lock_for(company_id);
        let _guard = lock.lock().await;
        if self.db.get_database_backend() != DatabaseBackend::Postgres {
            return self.refresh_on(&self.db, company_id, seen_version).await;
        }
        // Across processes: the row stays locked while this one talks to Hanet, so a refresh
        // token is spent once; the others then read the new version and use its tokens.
        let txn = self.db.begin().await?;
        hanet_connection::Entity::find_by_id(company_id)
            .lock_exclusive()
            .one(&txn)
            .await?;
        let result = self.refresh_on(&txn, company_id, seen_version).await;
        // Committed either way: a refusal is recorded (`NEEDS_RELINK`) like a success.
        txn.commit().await?;
        result
    }

    async fn refresh_on(
        &self,
        conn: &impl ConnectionTrait,
        company_id: Uuid,
        seen_version: i32,
    ) -> ApiResult<hanet_connection::Model> {
        let row = load_on(conn, company_id).await?;
        if row.token_version != seen_version {
            return Ok(row);
        }
        let refresh_token: SecretString = self
            .cipher
            .decrypt(&row.refresh_token_enc, &refresh_context(company_id))
            .map_err(ApiError::Internal)?;
        let tokens = match self.vendor.refresh(company_id, &refresh_token).await {
            Ok(tokens) => tokens,
            Err(VendorError::GrantRefused(reason)) => {
                // Another process may have used the (one-shot) refresh token a moment ago.
                let current = load_on(conn, company_id).await?;
                if current.token_version != seen_version {
                    return Ok(current);
                }
                tracing::warn!(company.id = %company_id, reason, "Hanet refused the refresh token; the account must be linked again");
                hanet_connection::Entity::update_many()
                    .col_expr(
                        hanet_connection::Column::Status,
                        Expr::value(ConnectionStatus::NeedsRelink),
                    )
                    .col_expr(
                        hanet_connection::Column::LastError,
                        Expr::value(Some(format!("refresh refused: {reason}"))),
                    )
                    .filter(hanet_connection::Column::CompanyId.eq(company_id))
                    .filter(hanet_connection::Column::TokenVersion.eq(seen_version))
                    .exec(conn)
                    .await?;
                return Err(ApiError::HanetNotLinked);
            }
            Err(e) => return Err(vendor_error(e)),
        };
        let (access, refresh) = self.seal(company_id, &tokens)?;
        let updated = hanet_connection::Entity::update_many()
            .col_expr(
                hanet_connection::Column::AccessTokenEnc,
                Expr::value(access),
            )
            .col_expr(
                hanet_connection::Column::RefreshTokenEnc,
                Expr::value(refresh),
            )
            .col_expr(
                hanet_connection::Column::AccessExpiresAt,
                Expr::value(tokens.access_expires_at),
            )
            .col_expr(
                hanet_connection::Column::TokenVersion,
                Expr::col(hanet_connection::Column::TokenVersion).add(1),
            )
            .col_expr(
                hanet_connection::Column::LastRefreshedAt,
                Expr::value(Some(Utc::now())),
            )
            .col_expr(
                hanet_connection::Column::LastError,
                Expr::value(Option::<String>::None),
            )
            // Another process may have just given up on the (already used) refresh token.
            .col_expr(
                hanet_connection::Column::Status,
                Expr::value(ConnectionStatus::Active),
            )
            .filter(hanet_connection::Column::CompanyId.eq(company_id))
            .filter(hanet_connection::Column::TokenVersion.eq(seen_version))
            .exec(conn)
            .await?;
        if updated.rows_affected == 0 {
            tracing::info!(company.id = %company_id, "another process refreshed the Hanet tokens first");
        } else {
            tracing::info!(company.id = %company_id, "Hanet tokens refreshed");
        }
        load_on(conn, company_id).await
    }
}

async fn load_on(
    conn: &impl ConnectionTrait,
    company_id: Uuid,
) -> ApiResult<hanet_connection::Model> {
    let row = hanet_connection::Entity::find_by_id(company_id)
        .one(conn)
        .await?
        .ok_or(ApiError::HanetNotLinked)?;
    if row.status == ConnectionStatus::NeedsRelink {
        return Err(ApiError::HanetNotLinked);
    }
    Ok(row)
}

/// How a vendor failure reaches a GraphQL client.
pub fn vendor_error(error: VendorError) -> ApiError {
    match error {
        VendorError::TokenExpired | VendorError::GrantRefused(_) => ApiError::HanetNotLinked,
        VendorError::NotConfigured(what) => ApiError::HanetUnavailable {
            code: None,
            message: format!("{what} is not configured on this server"),
        },
        other => ApiError::HanetUnavailable {
            code: other.vendor_code(),
            message: other.to_string(),
        },
    }
}
