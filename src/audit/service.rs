//! Writing the audit log: one line per change, in the change's own transaction.

use super::*;

use chrono::Utc;
use entity::audit_entry;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::error::ApiResult;

/// One change to record.
pub struct Entry<'a> {
    pub company_id: Uuid,
    /// The user; none for the server's own work.
    pub actor_id: Option<Uuid>,
    pub action: AuditAction,
    pub target_type: &'a str,
    pub target_id: Option<String>,
    pub changes: serde_json::Value,
}

/// Writes one line of the audit log.
pub async fn record(db: &impl ConnectionTrait, entry: Entry<'_>) -> ApiResult<()> {
    audit_entry::Entity::insert(audit_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(entry.company_id),
        actor_id: Set(entry.actor_id),
        action: Set(entry.action.as_str()),
        target_type: Set(entry.target_type.to_owned()),
        target_id: Set(entry.target_id),
        changes: Set(entry.changes.to_string()),
        at: Set(Utc::now()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Shorthand for a change by `scope`'s user.
pub fn by<'a>(
    scope: &crate::auth::Scope,
    action: AuditAction,
    target_type: &'a str,
    target_id: impl ToString,
    changes: serde_json::Value,
) -> Entry<'a> {
    Entry {
        company_id: scope.company_id,
        actor_id: Some(scope.user_id),
        action,
        target_type,
        target_id: Some(target_id.to_string()),
        changes,
    }
}
