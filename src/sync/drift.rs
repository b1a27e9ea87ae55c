//! The nightly reconcile: Hanet's persons in the selected place compared with ours, reported
//! and not fixed (`hanetConnection { drift }`): persons on Hanet we did not create or adopt,
//! and employees we think are on the cameras whom Hanet does not have.

use std::{collections::HashSet, time::Duration};

use chrono::{DateTime, Utc};
use entity::{
    employee::{self, FaceSyncStatus},
    hanet_connection::{self, ConnectionStatus},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::linking::camera::Vendored;
use crate::{error::ApiResult, state::AppState};

/// A reconcile's findings.
#[derive(Serialize, Deserialize, Clone)]
pub struct Drift {
    pub checked_at: DateTime<Utc>,
    /// Persons in the place that no employee of ours is.
    pub unknown_persons: Vec<UnknownPerson>,
    /// Employees we believe synced whose person is not in the place.
    pub missing_employees: Vec<Uuid>,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct UnknownPerson {
    pub person_id: String,
    pub alias: Option<String>,
    pub name: String,
}

/// Time between reconciles of a company.
const INTERVAL: Duration = Duration::from_secs(24 * 3600);

/// Reconciles every linked company daily (one process per interval).
pub fn spawn(app: AppState) {
    let task = crate::periodic::Task {
        name: "reconcile",
        interval: INTERVAL,
        start: crate::periodic::Start::AfterInterval,
    };
    crate::periodic::spawn(app, task, |app| async move { reconcile_all(&app).await });
}

/// Reconciles each linked company; one company's failure is logged and the others go on.
/// Returns how many were reconciled.
async fn reconcile_all(app: &AppState) -> ApiResult<usize> {
    let links = hanet_connection::Entity::find()
        .filter(hanet_connection::Column::Status.eq(ConnectionStatus::Active))
        .filter(hanet_connection::Column::PlaceId.is_not_null())
        .all(&app.db)
        .await?;
    let mut done = 0;
    for link in links {
        match reconcile(app, link.company_id).await {
            Ok(_) => done += 1,
            Err(e) => {
                tracing::warn!(company.id = %link.company_id, error = e.message(), "reconcile failed")
            }
        }
    }
    Ok(done)
}

/// Compares and stores the findings.
pub async fn reconcile(app: &AppState, company_id: Uuid) -> ApiResult<Drift> {
    let place = crate::linking::service::selected_place(&app.db, company_id).await?;
    let ours = employee::Entity::find()
        .filter(employee::Column::CompanyId.eq(company_id))
        .filter(employee::Column::HanetPersonId.is_not_null())
        .all(&app.db)
        .await?;
    let our_persons: HashSet<&str> = ours
        .iter()
        .filter_map(|e| e.hanet_person_id.as_deref())
        .collect();
    // The one read of Hanet's person list.
    let persons = app
        .camera
        .for_company(company_id)
        .list_persons(&place)
        .await
        .or_api()?;
    let on_hanet: HashSet<&str> = persons.iter().map(|p| p.person_id.as_str()).collect();
    let drift = Drift {
        checked_at: Utc::now(),
        unknown_persons: persons
            .iter()
            .filter(|p| !our_persons.contains(p.person_id.as_str()))
            .map(|p| UnknownPerson {
                person_id: p.person_id.clone(),
                alias: p.alias.clone(),
                name: p.name.clone(),
            })
            .collect(),
        missing_employees: ours
            .iter()
            .filter(|e| {
                matches!(
                    e.face_sync_status,
                    FaceSyncStatus::Synced | FaceSyncStatus::Outdated
                )
            })
            .filter(|e| {
                e.hanet_person_id
                    .as_deref()
                    .is_some_and(|p| !on_hanet.contains(p))
            })
            .map(|e| e.id)
            .collect(),
    };
    hanet_connection::Entity::update_many()
        .col_expr(
            hanet_connection::Column::Drift,
            Expr::value(serde_json::to_string(&drift).ok()),
        )
        .filter(hanet_connection::Column::CompanyId.eq(company_id))
        .exec(&app.db)
        .await?;
    Ok(drift)
}
