//! A single-use OAuth `state`, bound to the company and user that started the link.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hanet_oauth_states")]
pub struct Model {
    /// SHA-256 (hex) of the state value; the value itself is never stored.
    #[sea_orm(primary_key, auto_increment = false)]
    pub state_hash: String,
    pub company_id: Uuid,
    pub user_id: Uuid,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    /// The PKCE `code_verifier` sent with the code exchange.
    pub code_verifier: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
