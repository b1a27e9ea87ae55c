//! Linking a company's camera account (design §1.2, §10): a single-use `state` bound to the
//! company and the admin who started, completed only with that admin's token (the browser that
//! comes back from Hanet hands the code to the app; it cannot complete on its own, so a link URL
//! sent to another company's account holder links nothing), PKCE (S256) on top, the code
//! exchange, tokens stored encrypted, the profile read, a place chosen. One Hanet account is
//! linked to at most one company.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use entity::{
    company,
    hanet_connection::{self, ConnectionStatus},
    hanet_oauth_state,
};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, Set, sea_query::Expr,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::tokens::vendor_error;
use crate::{
    auth::Scope,
    companies,
    error::{ApiError, ApiResult},
    state::AppState,
    vendor::{AccessToken, VendorError},
};

pub use super::places::{devices, places, select_place};

/// How long a link `state` stays valid.
const STATE_LIFETIME_MINUTES: i64 = 15;

/// The company, if camera timekeeping is switched on for it.
pub async fn camera_company(
    db: &impl ConnectionTrait,
    company_id: Uuid,
) -> ApiResult<company::Model> {
    let company = companies::service::get(db, company_id).await?;
    if company.camera_timekeeping_enabled {
        Ok(company)
    } else {
        Err(ApiError::FeatureNotEnabled)
    }
}

/// The chosen place of a company whose camera timekeeping is on and whose account is linked.
pub async fn selected_place(db: &impl ConnectionTrait, company_id: Uuid) -> ApiResult<String> {
    camera_company(db, company_id).await?;
    connection(db, company_id)
        .await?
        .ok_or(ApiError::HanetNotLinked)?
        .place_id
        .ok_or_else(|| {
            ApiError::bad_input("place", "choose the Hanet place first (selectHanetPlace)")
        })
}

/// The company's link (also when it needs re-linking), if any.
pub async fn connection(
    db: &impl ConnectionTrait,
    company_id: Uuid,
) -> ApiResult<Option<hanet_connection::Model>> {
    Ok(hanet_connection::Entity::find_by_id(company_id)
        .one(db)
        .await?)
}

/// What `startHanetLink` hands the SPA.
pub struct LinkStart {
    pub authorization_url: String,
    pub state: String,
    pub expires_at: DateTime<Utc>,
}

fn state_hash(state: &str) -> String {
    hex::encode(Sha256::digest(state.as_bytes()))
}

fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    // The thread RNG is a CSPRNG (ChaCha12, seeded and reseeded from the OS).
    rand::rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// The PKCE S256 challenge of a verifier.
fn code_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

pub async fn start_link(app: &AppState, scope: Scope) -> ApiResult<LinkStart> {
    camera_company(&app.db, scope.company_id).await?;
    let state = random_token(32);
    let verifier = random_token(48);
    let now = Utc::now();
    let expires_at = now + Duration::minutes(STATE_LIFETIME_MINUTES);
    let authorization_url = app
        .camera
        .vendor()
        .authorization_url(
            &state,
            &app.settings.hanet_redirect_uri(),
            &code_challenge(&verifier),
        )
        .map_err(vendor_error)?;
    hanet_oauth_state::ActiveModel {
        state_hash: Set(state_hash(&state)),
        company_id: Set(scope.company_id),
        user_id: Set(scope.user_id),
        expires_at: Set(expires_at),
        used_at: Set(None),
        created_at: Set(now),
        code_verifier: Set(Some(verifier)),
    }
    .insert(&app.db)
    .await?;
    // Old states are of no use to anyone: keep the table small.
    hanet_oauth_state::Entity::delete_many()
        .filter(hanet_oauth_state::Column::ExpiresAt.lt(now - Duration::days(1)))
        .exec(&app.db)
        .await?;
    Ok(LinkStart {
        authorization_url,
        state,
        expires_at,
    })
}

fn already_message() -> String {
    "this Hanet account is linked to another company; unlink it there first".to_owned()
}

fn already_linked() -> ApiError {
    ApiError::Conflict(already_message())
}

fn bad_state() -> ApiError {
    ApiError::bad_input(
        "state",
        "unknown, expired or already used; start the link again",
    )
}

/// Whether a state is one we issued and can still be completed (the callback checks this
/// before handing the code to the app).
pub async fn state_is_open(db: &DatabaseConnection, state: &str) -> ApiResult<bool> {
    Ok(
        hanet_oauth_state::Entity::find_by_id(state_hash(state.trim()))
            .filter(hanet_oauth_state::Column::UsedAt.is_null())
            .filter(hanet_oauth_state::Column::ExpiresAt.gt(Utc::now()))
            .one(db)
            .await?
            .is_some(),
    )
}

/// Consumes the `state` (once) for the admin it was issued to; returns its row.
async fn consume_state(
    db: &DatabaseConnection,
    state: &str,
    caller: Scope,
) -> ApiResult<hanet_oauth_state::Model> {
    let hash = state_hash(state.trim());
    let row = hanet_oauth_state::Entity::find_by_id(hash.clone())
        .one(db)
        .await?
        .ok_or_else(bad_state)?;
    if caller.company_id != row.company_id || caller.user_id != row.user_id {
        return Err(bad_state());
    }
    let now = Utc::now();
    let consumed = hanet_oauth_state::Entity::update_many()
        .col_expr(hanet_oauth_state::Column::UsedAt, Expr::value(Some(now)))
        .filter(hanet_oauth_state::Column::StateHash.eq(hash))
        .filter(hanet_oauth_state::Column::UsedAt.is_null())
        .filter(hanet_oauth_state::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    if consumed.rows_affected != 1 {
        return Err(bad_state());
    }
    Ok(row)
}

/// Completes a link for the admin who started it: exchanges the code, reads the profile and
/// stores the tokens encrypted. Re-linking the same account keeps the chosen place; an account
/// another company holds is `CONFLICT`.
pub async fn complete_link(
    app: &AppState,
    code: &str,
    state: &str,
    caller: Scope,
) -> ApiResult<hanet_connection::Model> {
    let row = consume_state(&app.db, state, caller).await?;
    let (company_id, user_id) = (row.company_id, row.user_id);
    camera_company(&app.db, company_id).await?;
    let vendor = app.camera.vendor();
    let tokens = vendor
        .exchange_code(
            code.trim(),
            &app.settings.hanet_redirect_uri(),
            row.code_verifier.as_deref(),
        )
        .await
        .map_err(|e| match e {
            VendorError::GrantRefused(reason) => ApiError::bad_input(
                "code",
                format!("Hanet refused the authorization code ({reason}); start the link again"),
            ),
            other => vendor_error(other),
        })?;
    let access = AccessToken {
        company_id,
        token: tokens.access_token.clone(),
    };
    let profile = vendor.profile(&access).await.map_err(vendor_error)?;
    let held_elsewhere = hanet_connection::Entity::find()
        .filter(hanet_connection::Column::HanetUserId.eq(profile.user_id.clone()))
        .filter(hanet_connection::Column::CompanyId.ne(company_id))
        .one(&app.db)
        .await?;
    if held_elsewhere.is_some() {
        tracing::warn!(company.id = %company_id, "a link to a Hanet account another company holds was refused");
        return Err(already_linked());
    }
    let (access_enc, refresh_enc) = app.camera.seal(company_id, &tokens)?;
    let now = Utc::now();
    let txn = crate::db::begin_write(&app.db).await?;
    let existing = connection(&txn, company_id).await?;
    let relinked_from = existing.as_ref().map(|r| r.account_email.clone());
    let saved = match existing {
        Some(row) => {
            let same_account = row.hanet_user_id == profile.user_id;
            let mut model = row.clone().into_active_model();
            model.hanet_user_id = Set(profile.user_id.clone());
            model.account_email = Set(profile.email.clone());
            model.account_name = Set(profile.name.clone());
            model.access_token_enc = Set(access_enc);
            model.refresh_token_enc = Set(refresh_enc);
            model.access_expires_at = Set(tokens.access_expires_at);
            model.token_version = Set(row.token_version + 1);
            model.status = Set(ConnectionStatus::Active);
            model.last_error = Set(None);
            model.linked_by = Set(Some(user_id));
            model.linked_at = Set(now);
            if !same_account {
                model.place_id = Set(None);
                model.place_name = Set(None);
                forget_persons(&txn, company_id).await?;
            }
            model
                .update(&txn)
                .await
                .map_err(|e| ApiError::from_db_conflict(e, already_message))?
        }
        None => hanet_connection::ActiveModel {
            company_id: Set(company_id),
            hanet_user_id: Set(profile.user_id.clone()),
            account_email: Set(profile.email.clone()),
            account_name: Set(profile.name.clone()),
            access_token_enc: Set(access_enc),
            refresh_token_enc: Set(refresh_enc),
            access_expires_at: Set(tokens.access_expires_at),
            token_version: Set(0),
            status: Set(ConnectionStatus::Active),
            last_error: Set(None),
            partner_token: Set(random_token(24)),
            place_id: Set(None),
            place_name: Set(None),
            linked_by: Set(Some(user_id)),
            linked_at: Set(now),
            last_refreshed_at: Set(None),
            drift: Set(None),
        }
        .insert(&txn)
        .await
        .map_err(|e| ApiError::from_db_conflict(e, already_message))?,
    };
    crate::audit::record(
        &txn,
        crate::audit::Entry {
            company_id,
            actor_id: Some(user_id),
            action: crate::audit::AuditAction::HanetLinked,
            target_type: "hanetConnection",
            target_id: Some(company_id.to_string()),
            changes: serde_json::json!({ "accountEmail": saved.account_email, "before": relinked_from }),
        },
    )
    .await?;
    txn.commit().await?;
    // Webhooks carry this key back as `keycode`, routing them to the company. Not fatal: the
    // place id still routes them, and the key is registered again when a place is selected.
    if let Err(e) = vendor
        .register_webhook_key(&access, &saved.partner_token)
        .await
    {
        tracing::warn!(company.id = %company_id, error = %e, "could not register the webhook key with Hanet");
    }
    tracing::info!(company.id = %company_id, "Hanet account linked");
    Ok(saved)
}

/// Forgets the tokens and the link. Persons already on the cameras stay there.
pub async fn unlink(
    db: &DatabaseConnection,
    company_id: Uuid,
    actor: Option<Uuid>,
) -> ApiResult<bool> {
    camera_company(db, company_id).await?;
    let txn = crate::db::begin_write(db).await?;
    let deleted = hanet_connection::Entity::delete_by_id(company_id)
        .exec(&txn)
        .await?;
    // Whatever is linked next may not know our persons.
    forget_persons(&txn, company_id).await?;
    if deleted.rows_affected > 0 {
        crate::audit::record(
            &txn,
            crate::audit::Entry {
                company_id,
                actor_id: actor,
                action: crate::audit::AuditAction::HanetUnlinked,
                target_type: "hanetConnection",
                target_id: Some(company_id.to_string()),
                changes: serde_json::json!({}),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(deleted.rows_affected > 0)
}

/// After a change of Hanet account or place: no employee is known to the cameras any more.
/// Synced, outdated, failed or pending employees become "not synced" (the next sync creates or
/// adopts them); removed leavers stay removed.
pub async fn forget_persons(db: &impl ConnectionTrait, company_id: Uuid) -> ApiResult<()> {
    use entity::employee::{self, FaceSyncStatus};
    let unsynced = [
        FaceSyncStatus::Synced,
        FaceSyncStatus::Outdated,
        FaceSyncStatus::Failed,
        FaceSyncStatus::Pending,
    ];
    for (has_photo, status) in [
        (true, FaceSyncStatus::NotSynced),
        (false, FaceSyncStatus::NoPhoto),
    ] {
        let photo = if has_photo {
            employee::Column::FacePhotoId.is_not_null()
        } else {
            employee::Column::FacePhotoId.is_null()
        };
        employee::Entity::update_many()
            .col_expr(employee::Column::FaceSyncStatus, Expr::value(status))
            .col_expr(
                employee::Column::HanetPersonId,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                employee::Column::SyncedPhotoSha256,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                employee::Column::SyncedName,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                employee::Column::SyncedTitle,
                Expr::value(Option::<String>::None),
            )
            .filter(employee::Column::CompanyId.eq(company_id))
            .filter(employee::Column::FaceSyncStatus.is_in(unsynced))
            .filter(photo)
            .exec(db)
            .await?;
    }
    Ok(())
}
