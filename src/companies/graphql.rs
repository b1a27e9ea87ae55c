//! The companies part of the schema: GraphQL types and thin resolvers over the services.

use super::service;
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

use crate::state::AppContext;
use crate::{auth::ContextExt, ids};

pub struct Company(pub entity::company::Model);

/// The caller's company.
#[Object]
impl Company {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// IANA time zone in which attendance days are counted, e.g. `Asia/Ho_Chi_Minh`.
    async fn time_zone(&self) -> &str {
        &self.0.time_zone
    }
    /// Whether a platform operator has switched camera timekeeping on; camera operations
    /// answer `FEATURE_NOT_ENABLED` while it is off.
    async fn camera_timekeeping_enabled(&self) -> bool {
        self.0.camera_timekeeping_enabled
    }
    /// Hour (0–23, local) at which a working day starts; check-ins before it count for the
    /// previous day, so a night shift 22:00–06:00 is one day with 6.
    async fn workday_start_hour(&self) -> i32 {
        self.0.workday_start_hour
    }
    /// Whether changed employees are synced to the cameras by themselves, a minute after the
    /// last change (`updateCompanySettings(input: { autoSync })`).
    async fn auto_sync(&self) -> bool {
        self.0.auto_sync
    }
    /// Check-ins up to this moment are known to be stored (the periodic catch-up advances it).
    async fn attendance_complete_until(&self) -> Option<DateTime<Utc>> {
        self.0.attendance_complete_until
    }
    /// Days up to this one are locked (a closed payroll period): they keep what they are, and
    /// corrections, holidays and leave that would change them are refused (`lockAttendance`,
    /// `unlockAttendance`). Null when nothing is locked.
    async fn attendance_locked_through(&self) -> Option<crate::scalars::Date> {
        self.0.attendance_locked_through.map(crate::scalars::Date)
    }
    /// When the company was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(Default)]
pub struct CompanyQuery;

/// Company queries.
#[Object]
impl CompanyQuery {
    /// The caller's company; null for platform operators, who belong to none.
    async fn company(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Company>> {
        let session = ctx.session()?;
        let Some(company_id) = session.company_id else {
            return Ok(None);
        };
        let db = &ctx.app()?.db;
        Ok(Some(Company(service::get(db, company_id).await?)))
    }
}

/// Company settings to change; omitted fields stay.
#[derive(async_graphql::InputObject)]
pub struct CompanySettingsInput {
    /// IANA time zone, e.g. `Asia/Ho_Chi_Minh`.
    pub time_zone: Option<String>,
    /// Hour (0–23) at which a working day starts.
    pub workday_start_hour: Option<i32>,
    /// Sync changed employees by themselves, a minute after the last change.
    pub auto_sync: Option<bool>,
}

#[derive(Default)]
pub struct CompanyMutation;

/// Company mutations.
#[Object]
impl CompanyMutation {
    /// Switches camera timekeeping on or off for a company (platform operators only).
    async fn set_camera_timekeeping(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The company to switch.")] company_id: ID,
        #[graphql(desc = "On (true) or off (false).")] enabled: bool,
    ) -> async_graphql::Result<Company> {
        ctx.require_operator()?;
        let company_id = ids::parse(&company_id, "company")?;
        let db = &ctx.app()?.db;
        Ok(Company(
            service::set_camera_timekeeping(db, company_id, enabled).await?,
        ))
    }

    /// Changes the company's time zone or working-day start (admins only). Stored attendance days
    /// are then recomputed by an `ATTENDANCE_DAYS` job, listed in `syncJobs`.
    async fn update_company_settings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The settings to change.")] input: CompanySettingsInput,
    ) -> async_graphql::Result<Company> {
        let scope = ctx.scope(crate::auth::Permission::AdminCompany)?;
        let app = ctx.app()?;
        let txn = crate::db::begin_write(&app.db).await?;
        let before = service::get(&txn, scope.company_id).await?;
        let company = service::update_settings(
            &txn,
            scope.company_id,
            input.time_zone,
            input.workday_start_hour,
            input.auto_sync,
        )
        .await?;
        let settings = |c: &entity::company::Model| {
            serde_json::json!({
                "timeZone": c.time_zone, "workdayStartHour": c.workday_start_hour,
                "autoSync": c.auto_sync,
            })
        };
        crate::audit::record(
            &txn,
            crate::audit::by(
                &scope,
                crate::audit::AuditAction::SettingsUpdated,
                "company",
                scope.company_id,
                serde_json::json!({ "before": settings(&before), "after": settings(&company) }),
            ),
        )
        .await?;
        txn.commit().await?;
        // The stored days follow the new day: a recompute job (in `syncJobs`, with progress).
        crate::days::job::queue_outdated(
            app,
            crate::days::job::Outdated::OfCompany {
                company_id: scope.company_id,
                by: scope.user_id,
            },
        )
        .await?;
        Ok(Company(company))
    }
}
