//! The linking part of the schema: GraphQL types and thin resolvers over the services.

use super::service;
use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::hanet_connection::{self, ConnectionStatus};

use crate::{
    auth::{ContextExt, Permission},
    state::AppContext,
    vendor::{VendorDevice, VendorPlace},
};

/// Whether the link works.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum HanetConnectionStatus {
    /// Tokens work.
    Active,
    /// Hanet no longer accepts the tokens: an admin must link the account again.
    NeedsRelink,
}

/// A Hanet place (a site whose cameras share one set of faces).
#[derive(SimpleObject, Clone)]
pub struct HanetPlace {
    /// Hanet's place id.
    pub id: ID,
    /// Place name.
    pub name: String,
    /// Address, when Hanet has one.
    pub address: Option<String>,
}

impl From<VendorPlace> for HanetPlace {
    fn from(p: VendorPlace) -> Self {
        Self {
            id: ID(p.id),
            name: p.name,
            address: p.address,
        }
    }
}

/// A Hanet camera.
#[derive(SimpleObject)]
pub struct HanetDevice {
    /// Hanet's device id, e.g. `C20371B106`.
    pub id: ID,
    /// Device name.
    pub name: String,
    /// The place the device belongs to.
    pub place_id: Option<ID>,
    /// Name of that place.
    pub place_name: Option<String>,
    /// Whether the camera is online now (registering faces needs one online camera per place).
    pub online: bool,
}

impl From<VendorDevice> for HanetDevice {
    fn from(d: VendorDevice) -> Self {
        Self {
            id: ID(d.id),
            name: d.name,
            place_id: d.place_id.map(ID),
            place_name: d.place_name,
            online: d.online,
        }
    }
}

/// Where to send the admin to approve the link.
#[derive(SimpleObject)]
pub struct HanetLinkStart {
    /// Open this in the admin's browser; Hanet redirects back to our callback, which hands the
    /// code and state to the app (`TIMEKEEPING_LINK_RETURN_URL`) to finish with
    /// `completeHanetLink`.
    pub authorization_url: String,
    /// The single-use value bound to this company and user; pass it to `completeHanetLink`
    /// when finishing the link from the SPA.
    pub state: String,
    /// When the state stops being accepted.
    pub expires_at: DateTime<Utc>,
}

/// The company's linked Hanet account.
pub struct HanetConnection(pub hanet_connection::Model);

/// The company's linked Hanet account.
#[Object]
impl HanetConnection {
    /// Email of the Hanet account.
    async fn account_email(&self) -> &str {
        &self.0.account_email
    }
    /// Name on the Hanet account.
    async fn account_name(&self) -> &str {
        &self.0.account_name
    }
    /// When the account was (last) linked.
    async fn linked_at(&self) -> DateTime<Utc> {
        self.0.linked_at
    }
    /// The place whose cameras do the timekeeping, once chosen.
    async fn selected_place(&self) -> Option<HanetPlace> {
        Some(HanetPlace {
            id: ID(self.0.place_id.clone()?),
            name: self.0.place_name.clone().unwrap_or_default(),
            address: None,
        })
    }
    /// When the current access token expires (it is refreshed before then).
    async fn token_expires_at(&self) -> DateTime<Utc> {
        self.0.access_expires_at
    }
    /// When the tokens were last refreshed.
    async fn last_refreshed_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_refreshed_at
    }
    /// Whether the link works.
    async fn status(&self) -> HanetConnectionStatus {
        match self.0.status {
            ConnectionStatus::Active => HanetConnectionStatus::Active,
            ConnectionStatus::NeedsRelink => HanetConnectionStatus::NeedsRelink,
        }
    }
    /// Why the link needs attention, if it does.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// What the last nightly reconcile found between Hanet and us (reported, not fixed);
    /// null before the first one.
    async fn drift(&self) -> Option<HanetDrift> {
        let drift: crate::sync::drift::Drift =
            serde_json::from_str(self.0.drift.as_deref()?).ok()?;
        Some(HanetDrift(drift))
    }
}

/// Differences between Hanet's persons in the place and our employees.
pub struct HanetDrift(crate::sync::drift::Drift);

/// Differences between Hanet's persons in the place and our employees.
#[Object]
impl HanetDrift {
    /// When the comparison ran.
    async fn checked_at(&self) -> DateTime<Utc> {
        self.0.checked_at
    }
    /// Persons in the place that no employee of ours is (made in Hanet's own app, or left
    /// behind).
    async fn unknown_persons(&self) -> Vec<HanetPersonRef> {
        self.0
            .unknown_persons
            .iter()
            .map(|p| HanetPersonRef {
                person_id: ID(p.person_id.clone()),
                alias_id: p.alias.clone(),
                name: p.name.clone(),
            })
            .collect()
    }
    /// Employees we believe are on the cameras whom Hanet does not have.
    async fn missing_employees(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::employees::Employee>> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        let scope = ctx.scope(Permission::ReadCompany)?;
        let db = &ctx.app()?.db;
        // One query for all of them.
        Ok(entity::employee::Entity::find()
            .filter(entity::employee::Column::CompanyId.eq(scope.company_id))
            .filter(entity::employee::Column::Id.is_in(self.0.missing_employees.iter().copied()))
            .order_by_asc(entity::employee::Column::EmployeeCodeKey)
            .all(db)
            .await
            .map_err(crate::error::ApiError::from)?
            .into_iter()
            .map(crate::employees::Employee)
            .collect())
    }
}

/// A person on Hanet.
#[derive(SimpleObject)]
pub struct HanetPersonRef {
    /// Hanet's person id.
    pub person_id: ID,
    /// The person's alias (our employee ID when we made it).
    pub alias_id: Option<String>,
    /// The person's name.
    pub name: String,
}

/// Hanet link queries.
#[derive(Default)]
pub struct LinkingQuery;

/// Hanet link queries.
#[Object]
impl LinkingQuery {
    /// The linked Hanet account; null when none is linked.
    async fn hanet_connection(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<HanetConnection>> {
        let scope = ctx.scope(Permission::ReadCompany)?;
        let db = &ctx.app()?.db;
        service::camera_company(db, scope.company_id).await?;
        Ok(service::connection(db, scope.company_id)
            .await?
            .map(HanetConnection))
    }

    /// The places of the linked Hanet account (a Hanet call: priced high in complexity).
    #[graphql(complexity = "crate::pagination::vendor_list_complexity(child_complexity)")]
    async fn hanet_places(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<HanetPlace>> {
        let scope = ctx.scope(Permission::ReadCompany)?;
        let places = service::places(ctx.app()?, scope.company_id).await?;
        Ok(places.into_iter().map(Into::into).collect())
    }

    /// The cameras of a place (default: the selected place, else every place), with whether
    /// each is online (a Hanet call: priced high in complexity).
    #[graphql(complexity = "crate::pagination::vendor_list_complexity(child_complexity)")]
    async fn hanet_devices(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A Hanet place id; omitted: the selected place.")] place_id: Option<ID>,
    ) -> async_graphql::Result<Vec<HanetDevice>> {
        let scope = ctx.scope(Permission::ReadCompany)?;
        let devices =
            service::devices(ctx.app()?, scope.company_id, place_id.map(|id| id.0)).await?;
        Ok(devices.into_iter().map(Into::into).collect())
    }
}

/// Hanet link mutations (admins only).
#[derive(Default)]
pub struct LinkingMutation;

/// Hanet link mutations (admins only).
#[Object]
impl LinkingMutation {
    /// Starts linking the company's Hanet account: returns the authorization URL to open.
    async fn start_hanet_link(&self, ctx: &Context<'_>) -> async_graphql::Result<HanetLinkStart> {
        let scope = ctx.scope(Permission::AdminCompany)?;
        let start = service::start_link(ctx.app()?, scope).await?;
        Ok(HanetLinkStart {
            authorization_url: start.authorization_url,
            state: start.state,
            expires_at: start.expires_at,
        })
    }

    /// Finishes a link with the `code` and `state` Hanet redirected with (the callback hands
    /// them to `TIMEKEEPING_LINK_RETURN_URL`). Only the admin who started the link can finish
    /// it; a Hanet account another company holds is `CONFLICT`.
    async fn complete_hanet_link(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The authorization code from Hanet's redirect.")] code: String,
        #[graphql(desc = "The state from `startHanetLink`.")] state: String,
    ) -> async_graphql::Result<HanetConnection> {
        let scope = ctx.scope(Permission::AdminCompany)?;
        Ok(HanetConnection(
            service::complete_link(ctx.app()?, &code, &state, scope).await?,
        ))
    }

    /// Chooses the place whose cameras do the timekeeping.
    async fn select_hanet_place(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A place id from `hanetPlaces`.")] place_id: ID,
    ) -> async_graphql::Result<HanetConnection> {
        let scope = ctx.scope(Permission::AdminCompany)?;
        Ok(HanetConnection(
            service::select_place(
                ctx.app()?,
                scope.company_id,
                place_id.as_str(),
                Some(scope.user_id),
            )
            .await?,
        ))
    }

    /// Forgets the Hanet tokens; true if an account was linked.
    async fn unlink_hanet(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let scope = ctx.scope(Permission::AdminCompany)?;
        Ok(service::unlink(&ctx.app()?.db, scope.company_id, Some(scope.user_id)).await?)
    }
}
