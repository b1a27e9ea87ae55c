//! Recomputing stored days (the `ATTENDANCE_DAYS` job): a company's days after its time zone
//! or workday start hour changed, at start for companies whose days an older version of the
//! day rules computed, and the days a schedule change reaches (a schedule edited, the default
//! set, a large assignment). One item per calendar month; each replaces that month's days (of
//! the job's employees, or all) in one transaction, so an item a dead worker left is simply
//! done again.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use entity::{
    checkin, company, employee,
    sync_job::{self, JobKind},
    sync_job_item,
};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{DayRules, RULES_VERSION, plan::Scope};
use crate::{
    companies,
    error::ApiResult,
    jobs::{
        handler::Worker,
        store::{self, ItemOutcome, NewItem},
    },
    state::AppState,
};

/// A recompute's employees (none: all of the company's), stored once in the job's params.
#[derive(Serialize, Deserialize, Default)]
pub struct Employees {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    employees: Option<Vec<Uuid>>,
}

/// The dates of one item (and, in jobs queued by older versions, its employees).
#[derive(Serialize, Deserialize)]
pub struct Dates {
    from: NaiveDate,
    to: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    employees: Option<Vec<Uuid>>,
}

/// Who asked for a recompute of outdated days: startup (every company, by nobody) or a user
/// after changing their company's settings (that company only, by them).
#[derive(Clone, Copy)]
pub enum Outdated {
    Everywhere,
    OfCompany { company_id: Uuid, by: Uuid },
}

/// Queues a recompute for every company (of `which`) whose days are outdated. The version is
/// bumped when the job is queued: the job is durable.
pub async fn queue_outdated(app: &AppState, which: Outdated) -> ApiResult<()> {
    let mut outdated =
        company::Entity::find().filter(company::Column::AttendanceDaysVersion.lt(RULES_VERSION));
    let created_by = match which {
        Outdated::Everywhere => None,
        Outdated::OfCompany { company_id, by } => {
            outdated = outdated.filter(company::Column::Id.eq(company_id));
            Some(by)
        }
    };
    for company in outdated.all(&app.db).await? {
        let job = queue(&app.db, &company, created_by).await?;
        company::Entity::update_many()
            .col_expr(
                company::Column::AttendanceDaysVersion,
                Expr::value(RULES_VERSION),
            )
            .filter(company::Column::Id.eq(company.id))
            .exec(&app.db)
            .await?;
        if let Some(job) = job {
            tracing::info!(company.id = %company.id, job.id = %job.id, items = job.total, "recomputing stored attendance days");
            app.jobs.queued();
        }
    }
    Ok(())
}

/// The company's first day with anything to compute — its first check-in or employee, or the
/// first moment a finished pull covered — and its last check-in's day; `None` when it has none.
pub async fn span(
    db: &impl sea_orm::ConnectionTrait,
    company: &company::Model,
) -> ApiResult<Option<(NaiveDate, NaiveDate)>> {
    type Span = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);
    let checkins: Option<Span> = checkin::Entity::find()
        .select_only()
        .column_as(checkin::Column::CapturedAt.min(), "first")
        .column_as(checkin::Column::CapturedAt.max(), "last")
        .filter(checkin::Column::CompanyId.eq(company.id))
        .into_tuple()
        .one(db)
        .await?;
    let first_employee: Option<Option<DateTime<Utc>>> = employee::Entity::find()
        .select_only()
        .column_as(employee::Column::CreatedAt.min(), "first")
        .filter(employee::Column::CompanyId.eq(company.id))
        .into_tuple()
        .one(db)
        .await?;
    let (first_checkin, last_checkin) = checkins.unwrap_or((None, None));
    let Some(first) = [
        first_checkin,
        first_employee.flatten(),
        company.attendance_started_at,
    ]
    .into_iter()
    .flatten()
    .min() else {
        return Ok(None);
    };
    let rules = DayRules::of(company)?;
    let last = last_checkin.map_or(rules.today(), |l| rules.local_date(l).max(rules.today()));
    Ok(Some((rules.local_date(first), last)))
}

/// Queues the job over the company's [`span`]; `None` when it has nothing to compute.
async fn queue(
    db: &DatabaseConnection,
    company: &company::Model,
    created_by: Option<Uuid>,
) -> ApiResult<Option<sync_job::Model>> {
    let Some((first, last)) = span(db, company).await? else {
        return Ok(None);
    };
    // A day either side: the day a moment belongs to moves by at most one when the rules do.
    let (from, to) = (first - Duration::days(1), last + Duration::days(1));
    let txn = crate::db::begin_write(db).await?;
    let job = queue_range(&txn, company.id, from, to, None, created_by).await?;
    txn.commit().await?;
    Ok(Some(job))
}

/// Queues a recompute of the days `from..=to` of `employees` (none: everyone), one item per
/// calendar month.
pub async fn queue_range(
    db: &impl sea_orm::ConnectionTrait,
    company_id: Uuid,
    mut from: NaiveDate,
    to: NaiveDate,
    employees: Option<Vec<Uuid>>,
    created_by: Option<Uuid>,
) -> ApiResult<sync_job::Model> {
    let mut items = Vec::new();
    while from <= to {
        let month_end = NaiveDate::from_ymd_opt(from.year(), from.month(), 1)
            .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
            .and_then(|d| d.pred_opt())
            .unwrap_or(to);
        let end = month_end.min(to);
        let dates = Dates {
            from,
            to: end,
            employees: None,
        };
        items.push(NewItem {
            employee_id: None,
            label: format!("{from} → {end}"),
            params: serde_json::to_string(&dates).ok(),
        });
        let Some(next) = end.succ_opt() else { break };
        from = next;
    }
    let params = employees
        .is_some()
        .then(|| serde_json::to_string(&Employees { employees }).ok())
        .flatten();
    store::create_job_in(
        db,
        store::NewJob {
            company_id,
            kind: JobKind::AttendanceDays,
            busy: <Recompute as Worker>::BUSY,
            created_by,
            params,
            retry_of: None,
        },
        items,
    )
    .await
}

/// Day recomputes (`ATTENDANCE_DAYS` jobs): each item a month, replaced in one transaction.
pub struct Recompute;

#[async_trait::async_trait]
impl Worker for Recompute {
    const KIND: JobKind = JobKind::AttendanceDays;
    const BUSY: &'static str = "a recompute is already running for this company; wait for it";
    /// Stopped half way, the days it had not reached would keep what older rules computed
    /// (and could be locked that way).
    const MUST_FINISH: bool = true;
    type JobArgs = Employees;
    type Args = Dates;
    /// The job's employees (none: all).
    type Run = Option<Vec<Uuid>>;

    async fn prepare(
        &self,
        _app: &AppState,
        _job: &sync_job::Model,
        args: Employees,
    ) -> Result<Self::Run, String> {
        Ok(args.employees)
    }

    async fn work(
        &self,
        app: &AppState,
        job: &sync_job::Model,
        employees: &Self::Run,
        _item: &sync_job_item::Model,
        mut dates: Dates,
    ) -> ItemOutcome {
        if dates.employees.is_none() {
            dates.employees.clone_from(employees);
        }
        match recompute(&app.db, job.company_id, &dates).await {
            Ok(_) => ItemOutcome::done("RECOMPUTED"),
            Err(e) => ItemOutcome::failed(e.code(), e.message(), None),
        }
    }
}

async fn recompute(db: &DatabaseConnection, company_id: Uuid, dates: &Dates) -> ApiResult<usize> {
    let txn = crate::db::begin_write(db).await?;
    let company = companies::service::get(&txn, company_id).await?;
    let scope = match &dates.employees {
        Some(ids) => Scope::Only(ids),
        None => Scope::All,
    };
    let stored = super::rebuild::recompute(&txn, &company, scope, dates.from, dates.to).await?;
    txn.commit().await?;
    Ok(stored)
}
