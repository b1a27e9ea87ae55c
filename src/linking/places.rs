//! The linked account's places and cameras, and choosing the place whose cameras do the
//! timekeeping (a change of place forgets every person: the new cameras know nobody).

use entity::hanet_connection;
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
use uuid::Uuid;

use super::camera::Vendored;
use super::service::{camera_company, connection, forget_persons};
use crate::{
    error::{ApiError, ApiResult},
    state::AppState,
    vendor::{VendorDevice, VendorPlace},
};

pub async fn places(app: &AppState, company_id: Uuid) -> ApiResult<Vec<VendorPlace>> {
    camera_company(&app.db, company_id).await?;
    app.camera.for_company(company_id).places().await.or_api()
}

pub async fn devices(
    app: &AppState,
    company_id: Uuid,
    place_id: Option<String>,
) -> ApiResult<Vec<VendorDevice>> {
    camera_company(&app.db, company_id).await?;
    let selected = connection(&app.db, company_id)
        .await?
        .and_then(|c| c.place_id);
    let place_id = match place_id {
        // Another place than the selected one must be one of the account's own: an id from
        // elsewhere is not found (not a vendor error).
        Some(id) if selected.as_deref() != Some(id.as_str()) => {
            if !places(app, company_id).await?.iter().any(|p| p.id == id) {
                return Err(ApiError::NotFound("Hanet place"));
            }
            Some(id)
        }
        Some(id) => Some(id),
        None => selected,
    };
    app.camera
        .for_company(company_id)
        .devices(place_id.as_deref())
        .await
        .or_api()
}

/// Chooses the place whose cameras do the timekeeping.
pub async fn select_place(
    app: &AppState,
    company_id: Uuid,
    place_id: &str,
    actor: Option<Uuid>,
) -> ApiResult<hanet_connection::Model> {
    let available = places(app, company_id).await?;
    let place = available
        .into_iter()
        .find(|p| p.id == place_id)
        .ok_or(ApiError::NotFound("Hanet place"))?;
    let txn = crate::db::begin_write(&app.db).await?;
    let row = connection(&txn, company_id)
        .await?
        .ok_or(ApiError::HanetNotLinked)?;
    let before = row.place_id.clone();
    let key = row.partner_token.clone();
    let place_changed = row.place_id.as_deref() != Some(place.id.as_str());
    let mut model = row.into_active_model();
    model.place_id = Set(Some(place.id.clone()));
    model.place_name = Set(Some(place.name.clone()));
    let saved = model.update(&txn).await?;
    if place_changed {
        // The new place's cameras know nobody yet: every synced employee needs a sync.
        forget_persons(&txn, company_id).await?;
    }
    crate::audit::record(
        &txn,
        crate::audit::Entry {
            company_id,
            actor_id: actor,
            action: crate::audit::AuditAction::PlaceSelected,
            target_type: "hanetConnection",
            target_id: Some(company_id.to_string()),
            changes: serde_json::json!({ "before": before, "after": place.id, "name": place.name }),
        },
    )
    .await?;
    txn.commit().await?;
    let subscribed = app
        .camera
        .for_company(company_id)
        .subscribe(&place.id, &key)
        .await
        .or_api();
    if let Err(e) = subscribed {
        tracing::warn!(company.id = %company_id, error = e.message(), "could not narrow Hanet webhooks to the place");
    }
    Ok(saved)
}
