//! Schedules, holidays and leave in the schema: thin resolvers over the services. HR and ADMIN
//! write; VIEWER reads.

use async_graphql::{Context, ID, Object};

use super::{
    calendar, lock, service,
    types::{
        AssignWorkScheduleInput, AssignWorkSchedulePayload, AttendanceLockPayload, DaysRecomputed,
        Holiday, HolidayInput, Leave, LeaveConnection, LeaveFilter, RecordLeaveInput,
        ScheduleAssignment, WorkSchedule, WorkScheduleInput,
    },
};
use crate::{
    auth::{ContextExt, Permission},
    companies::Company,
    days::Recomputed,
    ids, pagination,
    scalars::Date,
    state::AppContext,
    state::AppState,
    sync::jobs::SyncJob,
};

impl DaysRecomputed {
    fn new(app: &AppState, r: Recomputed) -> Self {
        if r.job.is_some() {
            app.jobs.queued();
        }
        Self {
            days: i32::try_from(r.days).unwrap_or(i32::MAX),
            job: r.job.map(SyncJob),
        }
    }
}

/// A schedule with what its change did to stored days.
#[derive(async_graphql::SimpleObject)]
pub struct WorkSchedulePayload {
    /// The schedule.
    pub schedule: WorkSchedule,
    /// What happened to the days it shapes.
    pub recomputed: DaysRecomputed,
}

/// A holiday with what its change did to stored days.
#[derive(async_graphql::SimpleObject)]
pub struct HolidayPayload {
    /// The holiday (gone after `deleteHoliday`).
    pub holiday: Option<Holiday>,
    /// What happened to the day.
    pub recomputed: DaysRecomputed,
}

/// Leave with what its change did to stored days.
#[derive(async_graphql::SimpleObject)]
pub struct LeavePayload {
    /// The leave.
    pub leave: Leave,
    /// What happened to its days.
    pub recomputed: DaysRecomputed,
}

/// Schedule queries.
#[derive(Default)]
pub struct SchedulesQuery;

/// Schedule queries.
#[Object]
impl SchedulesQuery {
    /// The company's work schedules, by name.
    #[graphql(complexity = "pagination::list_complexity(100, child_complexity)")]
    async fn work_schedules(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<WorkSchedule>> {
        let scope = ctx.scope(Permission::ReadCompany)?;
        let rows = service::list(&ctx.app()?.db, scope.company_id).await?;
        Ok(rows.into_iter().map(WorkSchedule).collect())
    }

    /// The company's holidays in a date range (at most 400), by date.
    #[graphql(complexity = "pagination::list_complexity(400, child_complexity)")]
    async fn holidays(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "First day (inclusive).")] from: Date,
        #[graphql(desc = "Last day (inclusive).")] to: Date,
    ) -> async_graphql::Result<Vec<Holiday>> {
        let scope = ctx.scope(Permission::ReadCompany)?;
        let rows = calendar::holidays(&ctx.app()?.db, scope.company_id, from.0, to.0).await?;
        Ok(rows.into_iter().map(Holiday).collect())
    }

    /// Recorded leave, newest first.
    #[graphql(complexity = "pagination::connection_complexity(first, child_complexity)")]
    async fn leaves(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which leave.")] filter: Option<LeaveFilter>,
        #[graphql(desc = "Page size (default 20, at most 200).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<LeaveConnection> {
        let scope = ctx.scope(Permission::ReadCompany)?;
        let first = pagination::page_size(first)?;
        let filter = filter.unwrap_or_default();
        let (rows, more, condition) = calendar::leaves(
            &ctx.app()?.db,
            scope.company_id,
            &filter,
            first,
            after.as_deref(),
        )
        .await?;
        let rows = rows
            .into_iter()
            .map(|l| (pagination::cursor(&l.id.to_string()), Leave(l)))
            .collect();
        Ok(LeaveConnection::new(
            rows,
            after.is_some(),
            more,
            Box::new(calendar::LeaveCount(condition)),
        ))
    }
}

/// Schedule mutations (HR and ADMIN).
#[derive(Default)]
pub struct SchedulesMutation;

/// Schedule mutations (HR and ADMIN).
#[Object]
impl SchedulesMutation {
    /// Creates a work schedule. Nobody works it until it is assigned or made the default.
    async fn create_work_schedule(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The schedule.")] input: WorkScheduleInput,
    ) -> async_graphql::Result<WorkSchedule> {
        let scope = ctx.scope(Permission::ManageEmployees)?;
        Ok(WorkSchedule(
            service::create(&ctx.app()?.db, &scope, &input).await?,
        ))
    }

    /// Changes a work schedule; the days of everyone on it are recomputed (past days too).
    async fn update_work_schedule(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The schedule.")] id: ID,
        #[graphql(desc = "Its new values.")] input: WorkScheduleInput,
    ) -> async_graphql::Result<WorkSchedulePayload> {
        let scope = ctx.scope(Permission::ManageEmployees)?;
        let app = ctx.app()?;
        let id = ids::parse(&id, "work schedule")?;
        let (schedule, recomputed) = service::update(&app.db, &scope, id, &input).await?;
        Ok(WorkSchedulePayload {
            schedule: WorkSchedule(schedule),
            recomputed: DaysRecomputed::new(app, recomputed),
        })
    }

    /// Deletes a work schedule nobody works (`CONFLICT` when assigned or the default).
    async fn delete_work_schedule(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The schedule.")] id: ID,
    ) -> async_graphql::Result<bool> {
        let scope = ctx.scope(Permission::ManageEmployees)?;
        let id = ids::parse(&id, "work schedule")?;
        service::delete(&ctx.app()?.db, &scope, id).await?;
        Ok(true)
    }

    /// Assigns a schedule to employees and departments from a day (and until a day); their
    /// days in that range are recomputed.
    async fn assign_work_schedule(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Who, which schedule, from when.")] input: AssignWorkScheduleInput,
    ) -> async_graphql::Result<AssignWorkSchedulePayload> {
        let scope = ctx.scope(Permission::ManageEmployees)?;
        let app = ctx.app()?;
        let (made, recomputed) = super::assign::assign(&app.db, &scope, &input).await?;
        Ok(AssignWorkSchedulePayload {
            assignments: made.into_iter().map(ScheduleAssignment).collect(),
            recomputed: DaysRecomputed::new(app, recomputed),
        })
    }

    /// Removes a schedule assignment (an assignment that ends is made with `to`); the days it
    /// covered are recomputed by what applies without it. Into locked attendance: `CONFLICT`.
    async fn delete_schedule_assignment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The assignment (`ScheduleAssignment.id`).")] id: ID,
    ) -> async_graphql::Result<DaysRecomputed> {
        let scope = ctx.scope(Permission::ManageEmployees)?;
        let app = ctx.app()?;
        let id = ids::parse(&id, "schedule assignment")?;
        let recomputed = super::assign::delete(&app.db, &scope, id).await?;
        Ok(DaysRecomputed::new(app, recomputed))
    }

    /// Makes a schedule the company default: it covers every day no assignment covers, past
    /// days included.
    async fn set_default_work_schedule(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The schedule.")] schedule_id: ID,
    ) -> async_graphql::Result<WorkSchedulePayload> {
        let scope = ctx.scope(Permission::ManageEmployees)?;
        let app = ctx.app()?;
        let id = ids::parse(&schedule_id, "work schedule")?;
        let (schedule, recomputed) = service::set_default(&app.db, &scope, id).await?;
        Ok(WorkSchedulePayload {
            schedule: WorkSchedule(schedule),
            recomputed: DaysRecomputed::new(app, recomputed),
        })
    }

    /// Adds a company holiday; that day is recomputed for everyone.
    async fn create_holiday(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The holiday.")] input: HolidayInput,
    ) -> async_graphql::Result<HolidayPayload> {
        let scope = ctx.scope(Permission::ManageEmployees)?;
        let app = ctx.app()?;
        let (holiday, recomputed) = calendar::create_holiday(&app.db, &scope, &input).await?;
        Ok(HolidayPayload {
            holiday: Some(Holiday(holiday)),
            recomputed: DaysRecomputed::new(app, recomputed),
        })
    }

    /// Removes a company holiday; that day is recomputed for everyone.
    async fn delete_holiday(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The holiday.")] id: ID,
    ) -> async_graphql::Result<HolidayPayload> {
        let scope = ctx.scope(Permission::ManageEmployees)?;
        let app = ctx.app()?;
        let id = ids::parse(&id, "holiday")?;
        let recomputed = calendar::delete_holiday(&app.db, &scope, id).await?;
        Ok(HolidayPayload {
            holiday: None,
            recomputed: DaysRecomputed::new(app, recomputed),
        })
    }

    /// Records an employee's leave (`CONFLICT` when it overlaps other leave of theirs).
    async fn record_leave(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The leave.")] input: RecordLeaveInput,
    ) -> async_graphql::Result<LeavePayload> {
        let scope = ctx.scope(Permission::ManageEmployees)?;
        let app = ctx.app()?;
        let (leave, recomputed) = calendar::record_leave(&app.db, &scope, &input).await?;
        Ok(LeavePayload {
            leave: Leave(leave),
            recomputed: DaysRecomputed::new(app, recomputed),
        })
    }

    /// Cancels leave (it stays listed, marked cancelled); its days are recomputed.
    async fn cancel_leave(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The leave.")] id: ID,
    ) -> async_graphql::Result<LeavePayload> {
        let scope = ctx.scope(Permission::ManageEmployees)?;
        let app = ctx.app()?;
        let id = ids::parse(&id, "leave")?;
        let (leave, recomputed) = calendar::cancel_leave(&app.db, &scope, id).await?;
        Ok(LeavePayload {
            leave: Leave(leave),
            recomputed: DaysRecomputed::new(app, recomputed),
        })
    }

    /// Locks attendance up to a day (inclusive, before today), as when a payroll period is
    /// closed: locked days keep what they are. Schedule and setting changes apply only after
    /// the lock; corrections, holidays and leave that would change a locked day are refused
    /// (`CONFLICT`); a check-in that arrives for a locked day is stored and listed without
    /// changing it. The lock only moves forward here (`BAD_USER_INPUT` otherwise). It waits
    /// for the days to be final: `CONFLICT` while `attendanceCompleteUntil` has not passed the
    /// last locked day's window (with a camera account linked), or while an `ATTENDANCE_DAYS`
    /// job is unfinished.
    async fn lock_attendance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The last day to lock.")] through: Date,
    ) -> async_graphql::Result<AttendanceLockPayload> {
        let scope = ctx.scope(Permission::ManageEmployees)?;
        let company = lock::lock(&ctx.app()?.db, &scope, through.0).await?;
        Ok(AttendanceLockPayload {
            company: Company(company),
            recomputed: DaysRecomputed { days: 0, job: None },
        })
    }

    /// Reopens locked attendance from a day on (ADMIN) and recomputes the reopened days from
    /// what is stored now, check-ins that arrived while they were locked included.
    async fn unlock_attendance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The first day to reopen.")] from: Date,
    ) -> async_graphql::Result<AttendanceLockPayload> {
        let scope = ctx.scope(Permission::AdminCompany)?;
        let app = ctx.app()?;
        let (company, recomputed) = lock::unlock(&app.db, &scope, from.0).await?;
        Ok(AttendanceLockPayload {
            company: Company(company),
            recomputed: DaysRecomputed::new(app, recomputed),
        })
    }
}
