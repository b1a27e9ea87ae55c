//! Attendance queries and mutations: thin resolvers over [`super::service`].

use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};

use super::{
    service,
    types::{AttendanceDay, AttendanceDayConnection, Checkin, CheckinConnection, CheckinFilter},
};
use crate::{
    auth::{ContextExt, Permission},
    employees::{EmployeeFilter, service::ListQuery},
    pagination,
    state::AppContext,
    sync::jobs::SyncJob,
};
use crate::{
    checkins::{corrections, pull},
    scalars::Date,
};

/// Attendance queries.
#[derive(Default)]
pub struct AttendanceQuery;

/// Attendance queries.
#[Object]
impl AttendanceQuery {
    /// Raw check-ins, including strangers, customers, unknown aliases and check-ins from other
    /// places than the selected one, by capture time (oldest first), then id.
    #[graphql(complexity = "pagination::connection_complexity(first, child_complexity)")]
    async fn checkins(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which check-ins.")] filter: CheckinFilter,
        #[graphql(desc = "Page size (default 20, at most 200).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<CheckinConnection> {
        let scope = ctx.scope(Permission::ReadCompany)?;
        let db = &ctx.app()?.db;
        crate::linking::service::camera_company(db, scope.company_id).await?;
        let first = pagination::page_size(first)?;
        let query = service::CheckinQuery::new(scope.company_id, &filter)?;
        let (rows, more) = service::checkin_page(db, &query, first, after.as_deref()).await?;
        let rows = rows.into_iter().map(|(c, row)| (c, Checkin(row))).collect();
        Ok(CheckinConnection::new(
            rows,
            after.is_some(),
            more,
            Box::new(query),
        ))
    }

    /// One row per employee per day, by employee ID then date: every day with check-ins at the
    /// selected place, and with a work schedule every work day, holiday and leave day up to
    /// today (absences are rows). `filter.statuses` narrows to days of those statuses. Days
    /// are stored and kept current: a page costs the page, whatever the range.
    #[graphql(complexity = "pagination::connection_complexity(first, child_complexity)")]
    async fn attendance_days(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "First day (inclusive).")] from: Date,
        #[graphql(desc = "Last day (inclusive).")] to: Date,
        #[graphql(desc = "Which employees.")] filter: Option<EmployeeFilter>,
        #[graphql(desc = "Page size (default 20, at most 200).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<AttendanceDayConnection> {
        let scope = ctx.scope(Permission::ReadCompany)?;
        let db = &ctx.app()?.db;
        let company = crate::linking::service::camera_company(db, scope.company_id).await?;
        let first = pagination::page_size(first)?;
        let statuses = filter.as_ref().and_then(|f| f.statuses.clone());
        let filter = filter
            .map(|f| ListQuery::new(scope.company_id, &f))
            .transpose()?;
        let query = service::DayQuery::new(&company, from.0, to.0, filter, statuses.as_deref())?;
        let (rows, more) = service::day_page(db, &query, first, after.as_deref()).await?;
        let complete_until = query.complete_until;
        let rows = rows
            .into_iter()
            .map(|(c, (day, employee))| {
                let day = AttendanceDay {
                    day,
                    employee,
                    complete_until,
                };
                (c, day)
            })
            .collect();
        Ok(AttendanceDayConnection::new(
            rows,
            after.is_some(),
            more,
            Box::new(query),
        ))
    }

    /// The caller's own attendance days (a user linked to an employee), at most 366 at once.
    #[graphql(complexity = "pagination::list_complexity(366, child_complexity)")]
    async fn my_attendance_days(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "First day (inclusive).")] from: Date,
        #[graphql(desc = "Last day (inclusive).")] to: Date,
    ) -> async_graphql::Result<Vec<AttendanceDay>> {
        let db = &ctx.app()?.db;
        let (company, employee) = service::own_employee(db, ctx.session()?.user_id).await?;
        Ok(service::employee_days(db, &employee, from.0, to.0)
            .await?
            .into_iter()
            .map(|day| AttendanceDay {
                day,
                employee: employee.clone(),
                complete_until: company.attendance_complete_until,
            })
            .collect())
    }
}

/// Attendance mutations.
#[derive(Default)]
pub struct AttendanceMutation;

/// Attendance mutations.
#[Object]
impl AttendanceMutation {
    /// Pulls check-ins of a time range from Hanet in the background (backfill or repair); the
    /// job's items are the slices Hanet's query accepts. Duplicates of stored rows are skipped.
    async fn start_attendance_sync(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "From this moment.")] from: DateTime<Utc>,
        #[graphql(desc = "Until this moment (at most now).")] to: DateTime<Utc>,
    ) -> async_graphql::Result<SyncJob> {
        let scope = ctx.scope(Permission::ManageEmployees)?;
        Ok(SyncJob(pull::start(ctx.app()?, scope, from, to).await?))
    }

    /// Adds a check-in by hand (source `MANUAL`, with who added it and why), e.g. a forgotten
    /// check-out; the day is recomputed and the change is in the audit log. `at` must not be in
    /// the future, nor before the company's first day of attendance or 62 days ago, whichever
    /// is earlier (`BAD_USER_INPUT`).
    async fn add_manual_checkin(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whose check-in, when, and why.")] input: ManualCheckinInput,
    ) -> async_graphql::Result<Checkin> {
        let scope = ctx.scope(Permission::ManageEmployees)?;
        let app = ctx.app()?;
        crate::linking::service::camera_company(&app.db, scope.company_id).await?;
        let employee_id = crate::ids::parse(&input.employee_id, "employee")?;
        let intake = crate::checkins::store::Intake::of(app);
        let row =
            corrections::add_manual(intake, &scope, employee_id, input.at, &input.reason).await?;
        Ok(Checkin(row))
    }

    /// Voids a check-in: it stays listed, marked with who voided it and why, and its day is
    /// computed without it.
    async fn void_checkin(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The check-in.")] id: async_graphql::ID,
        #[graphql(desc = "Why it is void (required).")] reason: String,
    ) -> async_graphql::Result<Checkin> {
        let scope = ctx.scope(Permission::ManageEmployees)?;
        let app = ctx.app()?;
        crate::linking::service::camera_company(&app.db, scope.company_id).await?;
        let id = crate::ids::parse(&id, "check-in")?;
        Ok(Checkin(
            corrections::void(&app.db, &scope, id, &reason).await?,
        ))
    }
}

/// A check-in to add by hand.
#[derive(async_graphql::InputObject)]
pub struct ManualCheckinInput {
    /// The employee.
    pub employee_id: async_graphql::ID,
    /// When (not in the future).
    pub at: DateTime<Utc>,
    /// Why (required; kept with the row and in the audit log).
    pub reason: String,
}
