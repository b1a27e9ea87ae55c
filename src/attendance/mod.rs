//! Attendance (design §1.5): check-ins from the webhook and from pulls in one de-duplicated
//! store, attendance days derived from them, and a live feed of matched check-ins.

pub mod days;
pub mod ingest;
pub mod pull;
pub mod webhook;

use std::time::Duration;

use async_graphql::{
    Context, Enum, ID, InputObject, InputValueError, InputValueResult, Object, Scalar, ScalarType,
    Subscription, Value,
};
use chrono::{DateTime, NaiveDate, Utc};
use entity::checkin;
use futures_util::Stream;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::{
    auth::{ContextExt, Permission},
    companies,
    employees::{Employee, EmployeeFilter, service::ListQuery},
    error::{ApiError, ApiResult},
    ids,
    jobs::SyncJob,
    loaders::Loaders,
    pagination,
};

/// Wakes live check-in feeds when new rows are stored (they also poll, for other processes).
pub struct CheckinHub(broadcast::Sender<()>);

impl Default for CheckinHub {
    fn default() -> Self {
        Self(broadcast::channel(64).0)
    }
}

impl CheckinHub {
    pub fn notify(&self) {
        let _ = self.0.send(());
    }
}

/// A calendar day, `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug)]
pub struct Date(pub NaiveDate);

/// A calendar day, `YYYY-MM-DD`.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom("expected YYYY-MM-DD")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// Who the camera saw.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PersonKind {
    /// A registered employee.
    Employee,
    /// A registered customer.
    Customer,
    /// Someone the cameras do not know.
    Stranger,
    /// A snapshot, alarm or other event.
    Other,
}

/// How a check-in reached us.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CheckinSource {
    /// Pushed by Hanet's webhook.
    Webhook,
    /// Pulled from Hanet (backfill or catch-up).
    Pull,
}

/// A raw check-in: a camera saw someone.
pub struct Checkin(pub checkin::Model);

/// A raw check-in: a camera saw someone.
#[Object]
impl Checkin {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }
    /// When the camera saw the person.
    async fn captured_at(&self) -> DateTime<Utc> {
        self.0.captured_at
    }
    /// How it reached us (the first source wins when both deliver it).
    async fn source(&self) -> CheckinSource {
        if self.0.source == "PULL" {
            CheckinSource::Pull
        } else {
            CheckinSource::Webhook
        }
    }
    /// The camera.
    async fn device_id(&self) -> &str {
        &self.0.device_id
    }
    /// The camera's name.
    async fn device_name(&self) -> Option<&str> {
        self.0.device_name.as_deref()
    }
    /// The Hanet place.
    async fn place_id(&self) -> &str {
        &self.0.place_id
    }
    /// The place's name.
    async fn place_name(&self) -> Option<&str> {
        self.0.place_name.as_deref()
    }
    /// Who the camera saw.
    async fn person_kind(&self) -> PersonKind {
        match self.0.person_type {
            0 => PersonKind::Employee,
            1 => PersonKind::Customer,
            2..=5 => PersonKind::Stranger,
            _ => PersonKind::Other,
        }
    }
    /// Hanet's person type code (0 employee, 1 customer, 2–5 stranger, 6 snapshot, 28 alarm).
    async fn person_type(&self) -> i32 {
        self.0.person_type
    }
    /// Hanet's person id.
    async fn hanet_person_id(&self) -> Option<&str> {
        self.0.hanet_person_id.as_deref()
    }
    /// The alias (employee ID) Hanet reported.
    async fn alias_id(&self) -> Option<&str> {
        self.0.alias_id.as_deref()
    }
    /// The name Hanet reported.
    async fn person_name(&self) -> Option<&str> {
        self.0.person_name.as_deref()
    }
    /// The snapshot the camera took.
    async fn snapshot_url(&self) -> Option<&str> {
        self.0.snapshot_url.as_deref()
    }
    /// Whether the alias matched an employee.
    async fn matched(&self) -> bool {
        self.0.employee_id.is_some()
    }
    /// The employee the alias matched.
    async fn employee(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Employee>> {
        let Some(id) = self.0.employee_id else {
            return Ok(None);
        };
        let employee = ctx
            .data::<Loaders>()?
            .employees
            .load_one(id)
            .await
            .map_err(|e| (*e).clone())?;
        Ok(employee.map(Employee))
    }
}

/// Which check-ins to list.
#[derive(InputObject)]
pub struct CheckinFilter {
    /// From this moment (inclusive).
    pub from: DateTime<Utc>,
    /// Until this moment (exclusive).
    pub to: DateTime<Utc>,
    /// Only these employees' check-ins.
    pub employee_ids: Option<Vec<ID>>,
    /// true: only those matched to an employee; false: only strangers, customers and unknown
    /// aliases.
    pub matched: Option<bool>,
    /// Only from these cameras.
    pub device_ids: Option<Vec<String>>,
}

struct CheckinQuery {
    condition: Condition,
}

impl CheckinQuery {
    fn new(company_id: Uuid, filter: &CheckinFilter) -> ApiResult<Self> {
        let mut condition = Condition::all()
            .add(checkin::Column::CompanyId.eq(company_id))
            .add(checkin::Column::CapturedAt.gte(filter.from))
            .add(checkin::Column::CapturedAt.lt(filter.to));
        if let Some(ids) = &filter.employee_ids {
            let ids = ids
                .iter()
                .map(|id| ids::parse(id, "employee"))
                .collect::<ApiResult<Vec<_>>>()?;
            condition = condition.add(checkin::Column::EmployeeId.is_in(ids));
        }
        match filter.matched {
            Some(true) => condition = condition.add(checkin::Column::EmployeeId.is_not_null()),
            Some(false) => condition = condition.add(checkin::Column::EmployeeId.is_null()),
            None => {}
        }
        if let Some(devices) = &filter.device_ids {
            condition = condition.add(checkin::Column::DeviceId.is_in(devices.iter().cloned()));
        }
        Ok(Self { condition })
    }
}

#[async_trait::async_trait]
impl pagination::Countable for CheckinQuery {
    async fn count(&self, db: &sea_orm::DatabaseConnection) -> ApiResult<u64> {
        Ok(checkin::Entity::find()
            .filter(self.condition.clone())
            .count(db)
            .await?)
    }
}

crate::connection!(
    CheckinConnection,
    CheckinEdge,
    Checkin,
    "One page of raw check-ins, oldest first.",
    "A check-in in a page, with its cursor."
);

/// One employee's working day.
#[derive(Clone)]
pub struct AttendanceDay(pub days::Day);

/// One employee's working day, derived from the raw check-ins.
#[Object]
impl AttendanceDay {
    /// The employee.
    async fn employee(&self) -> Employee {
        Employee(self.0.employee.clone())
    }
    /// The working day (company time zone; it starts at the company's `workdayStartHour`).
    async fn date(&self) -> Date {
        Date(self.0.date)
    }
    /// The first check-in of the day.
    async fn first_check_in(&self) -> DateTime<Utc> {
        self.0.first
    }
    /// The last check-in of the day (the check-out).
    async fn last_check_in(&self) -> DateTime<Utc> {
        self.0.last
    }
    /// Minutes from the first to the last check-in.
    async fn worked_minutes(&self) -> i64 {
        (self.0.last - self.0.first).num_minutes()
    }
    /// How many check-ins the day has.
    async fn checkin_count(&self) -> i32 {
        self.0.count
    }
}

crate::connection!(
    AttendanceDayConnection,
    AttendanceDayEdge,
    AttendanceDay,
    "One page of attendance days, by employee ID then date.",
    "An attendance day in a page, with its cursor."
);

struct Fixed(u64);

#[async_trait::async_trait]
impl pagination::Countable for Fixed {
    async fn count(&self, _: &sea_orm::DatabaseConnection) -> ApiResult<u64> {
        Ok(self.0)
    }
}

fn day_page(
    all: Vec<days::Day>,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<AttendanceDayConnection> {
    let first = pagination::page_size(first)? as usize;
    let after = pagination::decode_after(after.as_deref())?;
    let total = all.len() as u64;
    // The separator sorts below every character of a code, date or id, so string order is the
    // rows' (code, date, id) order, also when one code is the start of another (NV1, NV10).
    let key = |d: &days::Day| {
        format!(
            "{} {} {}",
            d.employee.employee_code_key, d.date, d.employee.id
        )
    };
    let start = after.as_ref().map_or(0, |a| {
        all.iter().position(|d| key(d) > *a).unwrap_or(all.len())
    });
    let more = all.len() > start + first;
    let rows = all
        .into_iter()
        .skip(start)
        .take(first)
        .map(|d| (pagination::cursor(&key(&d)), AttendanceDay(d)))
        .collect();
    Ok(AttendanceDayConnection::new(
        rows,
        after.is_some(),
        more,
        Box::new(Fixed(total)),
    ))
}

/// Attendance queries.
#[derive(Default)]
pub struct AttendanceQuery;

/// Attendance queries.
#[Object]
impl AttendanceQuery {
    /// Raw check-ins, including strangers, customers and unknown aliases (oldest first).
    #[graphql(complexity = "pagination::connection_complexity(first, child_complexity)")]
    async fn checkins(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which check-ins.")] filter: CheckinFilter,
        #[graphql(desc = "Page size (default 20, at most 200).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<CheckinConnection> {
        let scope = ctx.scope(Permission::ReadCompany)?;
        crate::linking::service::camera_company(&ctx.app()?.db, scope.company_id).await?;
        let first = pagination::page_size(first)?;
        let after = pagination::decode_after_id(after.as_deref())?;
        let query = CheckinQuery::new(scope.company_id, &filter)?;
        let db = &ctx.app()?.db;
        let (rows, more) = checkin_page(db, &query, first, after).await?;
        let rows = rows
            .into_iter()
            .map(|c| (pagination::cursor(&c.id.to_string()), Checkin(c)))
            .collect();
        Ok(CheckinConnection::new(
            rows,
            after.is_some(),
            more,
            Box::new(query),
        ))
    }

    /// One row per employee per day with check-ins, in the company's time zone.
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
        crate::linking::service::camera_company(&ctx.app()?.db, scope.company_id).await?;
        let db = &ctx.app()?.db;
        let company = companies::service::get(db, scope.company_id).await?;
        let filter = filter
            .map(|f| ListQuery::new(scope.company_id, &f))
            .transpose()?;
        let all = days::days(db, &company, from.0, to.0, filter.as_ref()).await?;
        Ok(day_page(all, first, after)?)
    }

    /// The caller's own attendance days (a user linked to an employee).
    async fn my_attendance_days(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "First day (inclusive).")] from: Date,
        #[graphql(desc = "Last day (inclusive).")] to: Date,
    ) -> async_graphql::Result<Vec<AttendanceDay>> {
        let session = ctx.session()?;
        let db = &ctx.app()?.db;
        let user = crate::auth::service::find_user(db, session.user_id).await?;
        let (Some(company_id), Some(employee_id)) = (user.company_id, user.employee_id) else {
            return Err(
                ApiError::Forbidden("this login is not linked to an employee".to_owned()).into(),
            );
        };
        let company = crate::linking::service::camera_company(db, company_id).await?;
        let employee = crate::employees::service::get(db, company_id, employee_id).await?;
        let filter = ListQuery::new(
            company_id,
            &EmployeeFilter {
                employee_code: Some(employee.employee_code),
                ..Default::default()
            },
        )?;
        Ok(days::days(db, &company, from.0, to.0, Some(&filter))
            .await?
            .into_iter()
            .map(AttendanceDay)
            .collect())
    }
}

async fn checkin_page(
    db: &impl ConnectionTrait,
    query: &CheckinQuery,
    first: u64,
    after: Option<Uuid>,
) -> ApiResult<(Vec<checkin::Model>, bool)> {
    let mut select = checkin::Entity::find().filter(query.condition.clone());
    if let Some(after) = after {
        select = select.filter(checkin::Column::Id.gt(after));
    }
    // Ids are time-ordered (UUID v7): id order is storage order, stable for paging.
    let mut rows = select
        .order_by_asc(checkin::Column::Id)
        .limit(first + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > first;
    rows.truncate(first as usize);
    Ok((rows, more))
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
}

/// Live attendance.
#[derive(Default)]
pub struct AttendanceSubscription;

/// Live attendance.
#[Subscription]
impl AttendanceSubscription {
    /// The company's matched check-ins as they are stored, from whichever source.
    async fn checkin_recorded(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = Checkin> + use<>> {
        let scope = ctx.scope(Permission::ReadCompany)?;
        crate::linking::service::camera_company(&ctx.app()?.db, scope.company_id).await?;
        let app = ctx.app()?.clone();
        let mut feed = Feed {
            wake: app.checkins.0.subscribe(),
            app,
            company_id: scope.company_id,
            since: Utc::now(),
            sent: std::collections::HashMap::new(),
            queue: std::collections::VecDeque::new(),
        };
        // Live from now on: what is already stored is not replayed.
        feed.poll().await;
        feed.queue.clear();
        Ok(futures_util::stream::unfold(feed, |mut feed| async move {
            loop {
                if let Some(row) = feed.queue.pop_front() {
                    return Some((Checkin(row), feed));
                }
                tokio::select! {
                    _ = feed.wake.recv() => {}
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
                feed.poll().await;
            }
        }))
    }
}

/// A live feed's position. Rows are looked for by the time they were received, with a trailing
/// window: a batch that commits after a later single row is still sent (ids remembered for the
/// window make sure nothing is sent twice).
struct Feed {
    app: crate::state::AppState,
    wake: broadcast::Receiver<()>,
    company_id: Uuid,
    since: DateTime<Utc>,
    sent: std::collections::HashMap<Uuid, DateTime<Utc>>,
    queue: std::collections::VecDeque<checkin::Model>,
}

/// How late a row may commit after the moment it was received.
const FEED_WINDOW_SECS: i64 = 30;

impl Feed {
    async fn poll(&mut self) {
        let window_start = self.since - chrono::Duration::seconds(FEED_WINDOW_SECS);
        let rows = checkin::Entity::find()
            .filter(checkin::Column::CompanyId.eq(self.company_id))
            .filter(checkin::Column::EmployeeId.is_not_null())
            .filter(checkin::Column::ReceivedAt.gte(window_start))
            .order_by_asc(checkin::Column::ReceivedAt)
            .order_by_asc(checkin::Column::Id)
            .limit(1000)
            .all(&self.app.db)
            .await;
        let Ok(rows) = rows else { return };
        for row in rows {
            self.since = self.since.max(row.received_at);
            if self.sent.insert(row.id, row.received_at).is_none() {
                self.queue.push_back(row);
            }
        }
        let horizon = self.since - chrono::Duration::seconds(FEED_WINDOW_SECS * 2);
        self.sent.retain(|_, at| *at >= horizon);
    }
}
