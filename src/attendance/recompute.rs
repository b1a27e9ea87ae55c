//! Recomputing a company's stored days (the `ATTENDANCE_DAYS` job): after its time zone or
//! workday start hour changed, and at start for companies whose days an older version of the
//! day rules computed. One item per calendar month of check-ins; each replaces that month's
//! days in one transaction, so an item a dead worker left is simply done again.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use entity::{
    checkin, company,
    sync_job::{self, JobKind},
    sync_job_item,
};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    day_rows,
    days::{DayRules, RULES_VERSION},
};
use crate::{
    companies,
    error::ApiResult,
    jobs::store::{self, ItemOutcome, NewItem},
    state::AppState,
};

/// The dates of one item.
#[derive(Serialize, Deserialize)]
struct Dates {
    from: NaiveDate,
    to: NaiveDate,
}

/// Queues a recompute for every company whose days are outdated (at start, and right after a
/// settings change). The version is bumped when the job is queued: the job is durable.
pub async fn queue_outdated(app: &AppState, created_by: Option<Uuid>) -> ApiResult<()> {
    let outdated = company::Entity::find()
        .filter(company::Column::AttendanceDaysVersion.lt(RULES_VERSION))
        .all(&app.db)
        .await?;
    for company in outdated {
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

/// Queues the job, one item per month between the company's first and last counted check-in;
/// `None` when it has none.
async fn queue(
    db: &DatabaseConnection,
    company: &company::Model,
    created_by: Option<Uuid>,
) -> ApiResult<Option<sync_job::Model>> {
    type Span = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);
    let span: Option<Span> = checkin::Entity::find()
        .select_only()
        .column_as(checkin::Column::CapturedAt.min(), "first")
        .column_as(checkin::Column::CapturedAt.max(), "last")
        .filter(checkin::Column::CompanyId.eq(company.id))
        .into_tuple()
        .one(db)
        .await?;
    let Some((Some(first), Some(last))) = span else {
        return Ok(None);
    };
    let rules = DayRules::of(company)?;
    // A day either side: the day a moment belongs to moves by at most one when the rules do.
    let mut from = rules.day_of(first) - Duration::days(1);
    let to = rules.day_of(last) + Duration::days(1);
    let mut items = Vec::new();
    while from <= to {
        let month_end = NaiveDate::from_ymd_opt(from.year(), from.month(), 1)
            .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
            .and_then(|d| d.pred_opt())
            .unwrap_or(to);
        let end = month_end.min(to);
        items.push(NewItem {
            employee_id: None,
            label: format!("{from} → {end}"),
            params: serde_json::to_string(&Dates { from, to: end }).ok(),
        });
        let Some(next) = end.succ_opt() else { break };
        from = next;
    }
    let job = store::create_job(
        db,
        company.id,
        JobKind::AttendanceDays,
        created_by,
        None,
        None,
        items,
    )
    .await?;
    Ok(Some(job))
}

/// One item: the month's days, replaced in one transaction.
/// Day recomputes (`ATTENDANCE_DAYS` jobs): each item a month, replaced in one transaction.
pub struct Recompute;

#[async_trait::async_trait]
impl crate::jobs::handler::JobHandler for Recompute {
    async fn prepare(
        &self,
        _app: &AppState,
        _job: &sync_job::Model,
    ) -> Result<Box<dyn crate::jobs::handler::PreparedJob>, String> {
        Ok(Box::new(Recompute))
    }
}

#[async_trait::async_trait]
impl crate::jobs::handler::PreparedJob for Recompute {
    async fn run_item(
        &self,
        app: &AppState,
        job: &sync_job::Model,
        item: &sync_job_item::Model,
    ) -> ItemOutcome {
        run_item(app, job, item).await
    }
}

pub async fn run_item(
    app: &AppState,
    job: &sync_job::Model,
    item: &sync_job_item::Model,
) -> ItemOutcome {
    let Some(dates) = item
        .params
        .as_deref()
        .and_then(|p| serde_json::from_str::<Dates>(p).ok())
    else {
        return ItemOutcome::failed("BAD_ITEM", "the item has no dates", None);
    };
    match recompute(&app.db, job.company_id, &dates).await {
        Ok(_) => ItemOutcome::done("RECOMPUTED"),
        Err(e) => ItemOutcome::failed(e.code(), e.message(), None),
    }
}

async fn recompute(db: &DatabaseConnection, company_id: Uuid, dates: &Dates) -> ApiResult<usize> {
    let rules = DayRules::of(&companies::service::get(db, company_id).await?)?;
    let txn = crate::db::begin_write(db).await?;
    let stored = day_rows::recompute(&txn, company_id, rules, dates.from, dates.to).await?;
    txn.commit().await?;
    Ok(stored)
}
