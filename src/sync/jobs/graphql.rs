//! GraphQL types and resolvers of sync jobs, and the progress subscription.

use async_graphql::{Context, ID, Object, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use entity::{
    sync_job,
    sync_job_item::{self, ItemStatus},
};
use futures_util::Stream;
use sea_orm::PaginatorTrait;
use uuid::Uuid;

use super::enums::{SyncJobItemStatus, SyncJobKind, SyncJobStatus};
use crate::jobs::service;
use crate::{
    auth::{ContextExt, Permission, User},
    employees::Employee,
    error::{ApiError, ApiResult},
    ids,
    loaders::Loaders,
    pagination,
    state::AppContext,
};

/// A background job and its counts.
#[derive(Clone)]
pub struct SyncJob(pub sync_job::Model);

crate::connection!(
    SyncJobConnection,
    SyncJobEdge,
    SyncJob,
    "One page of sync jobs, newest first.",
    "A sync job in a page, with its cursor."
);
crate::connection!(
    SyncJobItemConnection,
    SyncJobItemEdge,
    SyncJobItem,
    "One page of a job's items, in order.",
    "An item in a page, with its cursor."
);

struct JobCount(Uuid);

#[async_trait::async_trait]
impl pagination::Countable for JobCount {
    async fn count(&self, db: &sea_orm::DatabaseConnection) -> ApiResult<u64> {
        service::count(db, self.0).await
    }
}

struct ItemCount(Uuid, Option<ItemStatus>);

#[async_trait::async_trait]
impl pagination::Countable for ItemCount {
    async fn count(&self, db: &sea_orm::DatabaseConnection) -> ApiResult<u64> {
        Ok(service::items_query(self.0, self.1).count(db).await?)
    }
}

/// A background job and its counts.
#[Object]
impl SyncJob {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }
    /// What the job does.
    async fn kind(&self) -> SyncJobKind {
        self.0.kind.into()
    }
    /// Where the job stands.
    async fn status(&self) -> SyncJobStatus {
        self.0.status.into()
    }
    /// Items in the job.
    async fn total(&self) -> i32 {
        self.0.total
    }
    /// Items done successfully.
    async fn succeeded(&self) -> i32 {
        self.0.succeeded
    }
    /// Items that failed.
    async fn failed(&self) -> i32 {
        self.0.failed
    }
    /// Items finished either way.
    async fn done(&self) -> i32 {
        self.0.succeeded + self.0.failed
    }
    /// Whether a cancellation was asked for.
    async fn cancel_requested(&self) -> bool {
        self.0.cancel_requested
    }
    /// Why the whole job failed, when it could not run.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
    /// The job this one retries.
    async fn retry_of(&self) -> Option<ID> {
        self.0.retry_of.map(ids::to_id)
    }
    /// Who started it.
    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        let Some(id) = self.0.created_by else {
            return Ok(None);
        };
        let user = ctx.data::<Loaders>()?.user(id).await?;
        Ok(user.map(User))
    }
    /// When it was started.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When a worker first picked it up.
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at
    }
    /// When it ended.
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
    /// The job's items (one per employee), in order.
    #[graphql(complexity = "pagination::connection_complexity(first, child_complexity)")]
    async fn items(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 20, at most 200).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Only items in this state.")] status: Option<SyncJobItemStatus>,
    ) -> async_graphql::Result<SyncJobItemConnection> {
        let first = pagination::page_size(first)?;
        let after = pagination::decode_after(after.as_deref())?
            .map(|key| {
                key.parse::<i32>()
                    .map_err(|_| ApiError::bad_input("after", "not a cursor this list handed out"))
            })
            .transpose()?;
        let status = status.map(ItemStatus::from);
        let db = &ctx.app()?.db;
        let (rows, more) = service::items_page(db, self.0.id, status, first, after).await?;
        let employee_ids: Vec<Uuid> = rows.iter().filter_map(|i| i.employee_id).collect();
        ctx.data::<Loaders>()?.prime_employees(employee_ids).await?;
        let rows = rows
            .into_iter()
            .map(|i| (pagination::cursor(&i.seq.to_string()), SyncJobItem(i)))
            .collect();
        Ok(SyncJobItemConnection::new(
            rows,
            after.is_some(),
            more,
            Box::new(ItemCount(self.0.id, status)),
        ))
    }
}

/// One employee (or time slice) of a job, and how it went.
pub struct SyncJobItem(pub sync_job_item::Model);

/// One employee (or time slice) of a job, and how it went.
#[Object]
impl SyncJobItem {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }
    /// The employee (for employee syncs).
    async fn employee(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Employee>> {
        let Some(id) = self.0.employee_id else {
            return Ok(None);
        };
        let employee = ctx.data::<Loaders>()?.employee(id).await?;
        Ok(employee.map(Employee))
    }
    /// What the item is about: the employee ID, or the time slice.
    async fn label(&self) -> &str {
        &self.0.label
    }
    /// Where it stands.
    async fn status(&self) -> SyncJobItemStatus {
        self.0.status.into()
    }
    /// What was done: `CREATE`, `UPDATE_FACE`, `UPDATE_INFO`, `UPDATE`, `REMOVE` or `NONE`
    /// (already in sync).
    async fn action(&self) -> Option<&str> {
        self.0.action.as_deref()
    }
    /// How many times it was started.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// Why it failed: `NO_PHOTO`, `HANET_REJECTED`, `HANET_UNAVAILABLE`,
    /// `FACE_REGISTERED_TO_OTHER`, `EMPLOYEE_NOT_FOUND`, `JOB_FAILED`, …
    async fn error_code(&self) -> Option<&str> {
        self.0.error_code.as_deref()
    }
    /// A human-readable reason.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
    /// Hanet's own error code, when Hanet refused.
    async fn hanet_code(&self) -> Option<i64> {
        self.0.hanet_code
    }
    /// When it started.
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at
    }
    /// When it ended.
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
}

/// Sync job queries.
#[derive(Default)]
pub struct JobsQuery;

/// Sync job queries.
#[Object]
impl JobsQuery {
    /// The company's jobs, newest first.
    #[graphql(complexity = "pagination::connection_complexity(first, child_complexity)")]
    async fn sync_jobs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 20, at most 200).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<SyncJobConnection> {
        let scope = ctx.scope(Permission::ReadCompany)?;
        crate::linking::service::camera_company(&ctx.app()?.db, scope.company_id).await?;
        let first = pagination::page_size(first)?;
        let after = pagination::decode_after_id(after.as_deref())?;
        let db = &ctx.app()?.db;
        let (rows, more) = service::page(db, scope.company_id, first, after).await?;
        let rows = rows
            .into_iter()
            .map(|j| (pagination::cursor(&j.id.to_string()), SyncJob(j)))
            .collect();
        Ok(SyncJobConnection::new(
            rows,
            after.is_some(),
            more,
            Box::new(JobCount(scope.company_id)),
        ))
    }

    /// One job of the company.
    async fn sync_job(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The job's id.")] id: ID,
    ) -> async_graphql::Result<SyncJob> {
        let scope = ctx.scope(Permission::ReadCompany)?;
        crate::linking::service::camera_company(&ctx.app()?.db, scope.company_id).await?;
        let id = ids::parse(&id, "sync job")?;
        Ok(SyncJob(
            crate::jobs::store::get(&ctx.app()?.db, scope.company_id, id).await?,
        ))
    }
}

/// Sync job mutations.
#[derive(Default)]
pub struct JobsMutation;

/// Sync job mutations.
#[Object]
impl JobsMutation {
    /// Stops starting new items; in-flight ones finish and the job ends `CANCELLED`.
    async fn cancel_sync_job(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The job.")] id: ID,
    ) -> async_graphql::Result<SyncJob> {
        let scope = ctx.scope(Permission::ManageEmployees)?;
        crate::linking::service::camera_company(&ctx.app()?.db, scope.company_id).await?;
        Ok(SyncJob(
            service::cancel(ctx.app()?, scope, ids::parse(&id, "sync job")?).await?,
        ))
    }

    /// Re-runs only the failed items of an ended job, as a new job (returned).
    async fn retry_sync_job(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ended job.")] id: ID,
    ) -> async_graphql::Result<SyncJob> {
        let scope = ctx.scope(Permission::ManageEmployees)?;
        crate::linking::service::camera_company(&ctx.app()?.db, scope.company_id).await?;
        Ok(SyncJob(
            service::retry(ctx.app()?, scope, ids::parse(&id, "sync job")?).await?,
        ))
    }
}

/// A change of a job.
#[derive(SimpleObject)]
pub struct SyncJobProgress {
    /// The job as it is now (status and counts).
    pub job: SyncJob,
    /// The item that just finished, if the change is one.
    pub item: Option<SyncJobItem>,
}

/// Live job updates.
#[derive(Default)]
pub struct JobsSubscription;

/// Live job updates.
#[Subscription]
impl JobsSubscription {
    /// The job's progress: first its current state, then one event per finished item or status
    /// change; the last event has a terminal status, then the stream completes (at once for a
    /// job that has already ended).
    async fn sync_job_progress(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The job.")] id: ID,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<SyncJobProgress>> + use<>>
    {
        let scope = ctx.scope(Permission::ReadCompany)?;
        crate::linking::service::camera_company(&ctx.app()?.db, scope.company_id).await?;
        let app = ctx.app()?.clone();
        let job = crate::jobs::store::get(&app.db, scope.company_id, ids::parse(&id, "sync job")?)
            .await?;
        Ok(super::progress::progress_stream(app, job))
    }
}
