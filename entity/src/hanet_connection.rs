//! A company's linked Hanet account. Tokens are stored encrypted (see the server's `crypto`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hanet_connections")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub company_id: Uuid,
    pub hanet_user_id: String,
    pub account_email: String,
    pub account_name: String,
    pub access_token_enc: String,
    pub refresh_token_enc: String,
    pub access_expires_at: DateTimeUtc,
    /// Bumped on every token refresh; refreshes compare-and-swap on it.
    pub token_version: i32,
    pub status: ConnectionStatus,
    pub last_error: Option<String>,
    /// Our per-company value registered with Hanet (`/partner/updateToken`); webhooks carry it
    /// back as `keycode`.
    pub partner_token: String,
    pub place_id: Option<String>,
    pub place_name: Option<String>,
    pub linked_by: Option<Uuid>,
    pub linked_at: DateTimeUtc,
    pub last_refreshed_at: Option<DateTimeUtc>,
    /// The last reconcile's findings (JSON), when one ran.
    pub drift: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ConnectionStatus {
    /// Tokens work.
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    /// Hanet refused the refresh token: an admin must link again.
    #[sea_orm(string_value = "NEEDS_RELINK")]
    NeedsRelink,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
