//! `auditLog` (ADMIN): the company's audit log, newest first, with filters.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::audit_entry;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    auth::{ContextExt, Permission},
    error::{ApiError, ApiResult},
    ids, pagination,
    state::AppContext,
};

/// What was done.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum AuditAction {
    /// A Hanet account was linked.
    HanetLinked,
    /// The Hanet account was unlinked.
    HanetUnlinked,
    /// The Hanet place was chosen or changed.
    PlaceSelected,
    /// An employee sync or check-in pull was started.
    SyncStarted,
    /// A job was cancelled.
    SyncCancelled,
    /// A job's failed items were retried.
    SyncRetried,
    /// A face photo was uploaded or replaced.
    PhotoUploaded,
    /// An employee was created.
    EmployeeCreated,
    /// An employee was updated.
    EmployeeUpdated,
    /// Employees were imported.
    EmployeesImported,
    /// A check-in was added by hand.
    CheckinAdded,
    /// A check-in was voided.
    CheckinVoided,
    /// A work schedule was created.
    ScheduleCreated,
    /// A work schedule was changed.
    ScheduleUpdated,
    /// A work schedule was deleted.
    ScheduleDeleted,
    /// A work schedule was assigned.
    ScheduleAssigned,
    /// A schedule assignment was removed.
    ScheduleAssignmentDeleted,
    /// The company's default schedule was set.
    DefaultScheduleSet,
    /// A holiday was added.
    HolidayCreated,
    /// A holiday was removed.
    HolidayDeleted,
    /// Leave was recorded.
    LeaveRecorded,
    /// Leave was cancelled.
    LeaveCancelled,
    /// Company settings changed.
    SettingsUpdated,
    /// Attendance was locked up to a day (a closed payroll period).
    AttendanceLocked,
    /// Locked attendance was reopened from a day on.
    AttendanceUnlocked,
    /// A timesheet export was prepared (month, format and filter in the change).
    TimesheetExported,
    /// A login was created (email, role, linked employee in the change).
    UserCreated,
}

impl AuditAction {
    /// The name stored and shown: the GraphQL enum value (`HANET_LINKED`).
    pub fn as_str(self) -> String {
        let mut name = String::new();
        for (i, c) in format!("{self:?}").chars().enumerate() {
            if c.is_uppercase() && i > 0 {
                name.push('_');
            }
            name.push(c.to_ascii_uppercase());
        }
        name
    }
}

/// One line of the audit log.
#[derive(SimpleObject)]
pub struct AuditEntry {
    /// Opaque identifier.
    pub id: ID,
    /// When.
    pub at: DateTime<Utc>,
    /// The user who did it; none for the server's own work.
    pub actor_id: Option<ID>,
    /// What was done (one of `AuditAction`).
    pub action: String,
    /// What kind of thing it was done to (`employee`, `schedule`, `checkin`, …).
    pub target_type: String,
    /// Which one.
    pub target_id: Option<String>,
    /// The change, as JSON.
    pub changes: async_graphql::Json<serde_json::Value>,
}

impl From<audit_entry::Model> for AuditEntry {
    fn from(m: audit_entry::Model) -> Self {
        Self {
            id: ids::to_id(m.id),
            at: m.at,
            actor_id: m.actor_id.map(ids::to_id),
            action: m.action,
            target_type: m.target_type,
            target_id: m.target_id,
            changes: async_graphql::Json(
                serde_json::from_str(&m.changes).unwrap_or(serde_json::Value::Null),
            ),
        }
    }
}

/// Which lines of the audit log.
#[derive(InputObject, Default)]
pub struct AuditFilter {
    /// From this moment (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Until this moment (exclusive).
    pub to: Option<DateTime<Utc>>,
    /// Only what this user did.
    pub actor_id: Option<ID>,
    /// Only these actions.
    pub actions: Option<Vec<AuditAction>>,
}

crate::connection!(
    AuditEntryConnection,
    AuditEntryEdge,
    AuditEntry,
    "One page of the audit log, newest first.",
    "An audit-log line in a page, with its cursor."
);

/// Audit-log queries.
#[derive(Default)]
pub struct AuditQuery;

/// Audit-log queries.
#[Object]
impl AuditQuery {
    /// Who did what and when in the company (ADMIN), newest first.
    #[graphql(complexity = "pagination::connection_complexity(first, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which lines.")] filter: Option<AuditFilter>,
        #[graphql(desc = "Page size (default 20, at most 200).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<AuditEntryConnection> {
        let scope = ctx.scope(Permission::AdminCompany)?;
        let first = pagination::page_size(first)?;
        let query = AuditLogQuery::new(scope.company_id, &filter.unwrap_or_default())?;
        let after_id = pagination::decode_after_id(after.as_deref())?;
        let (rows, more) = query.page(&ctx.app()?.db, first, after_id).await?;
        let rows = rows
            .into_iter()
            .map(|m| (pagination::cursor(&m.id.to_string()), AuditEntry::from(m)))
            .collect();
        Ok(AuditEntryConnection::new(
            rows,
            after.is_some(),
            more,
            Box::new(query),
        ))
    }
}

/// An audit-log list resolved against one company.
pub struct AuditLogQuery {
    condition: Condition,
}

impl AuditLogQuery {
    fn new(company_id: Uuid, filter: &AuditFilter) -> ApiResult<Self> {
        let mut condition = Condition::all().add(audit_entry::Column::CompanyId.eq(company_id));
        if let Some(from) = filter.from {
            condition = condition.add(audit_entry::Column::At.gte(from));
        }
        if let Some(to) = filter.to {
            condition = condition.add(audit_entry::Column::At.lt(to));
        }
        if let Some(actor) = &filter.actor_id {
            let actor = ids::parse(actor, "user")
                .map_err(|_| ApiError::bad_input("filter.actorId", "not a user id"))?;
            condition = condition.add(audit_entry::Column::ActorId.eq(actor));
        }
        if let Some(actions) = &filter.actions {
            condition = condition
                .add(audit_entry::Column::Action.is_in(actions.iter().map(|a| a.as_str())));
        }
        Ok(Self { condition })
    }

    async fn page(
        &self,
        db: &sea_orm::DatabaseConnection,
        first: u64,
        after: Option<Uuid>,
    ) -> ApiResult<(Vec<audit_entry::Model>, bool)> {
        let mut select = audit_entry::Entity::find().filter(self.condition.clone());
        if let Some(after) = after {
            // Ids are UUIDv7: they order by time.
            select = select.filter(audit_entry::Column::Id.lt(after));
        }
        let (rows, more) = crate::pagination::keyset_page(
            db,
            select.order_by_desc(audit_entry::Column::Id),
            first,
        )
        .await?;
        Ok((rows, more))
    }
}

#[async_trait::async_trait]
impl pagination::Countable for AuditLogQuery {
    async fn count(&self, db: &sea_orm::DatabaseConnection) -> ApiResult<u64> {
        use sea_orm::PaginatorTrait;
        Ok(audit_entry::Entity::find()
            .filter(self.condition.clone())
            .count(db)
            .await?)
    }
}
