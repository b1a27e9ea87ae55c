//! Locking attendance up to a day (a payroll period HR has closed) and reopening it. What a
//! lock means for the days is in `days::locked`.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{
    attendance_day, company, hanet_connection, sync_job,
    sync_job::{JobKind, JobStatus},
    sync_job_item::{self, ItemStatus},
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use crate::days::Recomputed;
use crate::{
    audit::{self, AuditAction},
    auth::Scope,
    companies,
    days::{DayRules, expected, job::span, rows as day_rows},
    db::Lock,
    error::{ApiError, ApiResult},
};

async fn set(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    through: Option<NaiveDate>,
) -> ApiResult<()> {
    company::Entity::update_many()
        .col_expr(
            company::Column::AttendanceLockedThrough,
            sea_orm::sea_query::Expr::value(through),
        )
        .filter(company::Column::Id.eq(company_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Locks the company's days up to `through` (before today). Locking again up to the same day
/// changes nothing; a lock only moves forward here (`unlock` moves it back).
pub async fn lock(
    db: &DatabaseConnection,
    scope: &Scope,
    through: NaiveDate,
) -> ApiResult<company::Model> {
    // Day writers already running finish first; those that follow read the lock.
    let txn = day_rows::begin(db, scope.company_id, Lock::Exclusive).await?;
    let company = companies::service::get(&txn, scope.company_id).await?;
    let rules = DayRules::of(&company)?;
    if through >= rules.today() {
        return Err(ApiError::bad_input(
            "through",
            "must be before today: today's check-ins are still arriving",
        ));
    }
    match company.attendance_locked_through {
        Some(current) if current == through => return Ok(company),
        Some(current) if current > through => {
            return Err(ApiError::bad_input(
                "through",
                format!(
                    "attendance is locked through {current} already; unlockAttendance reopens days"
                ),
            ));
        }
        _ => {}
    }
    // Absences the calendar pass has not stored yet (it was not running) go in first: their
    // windows count below, and nothing is kept if the lock is refused.
    if let Some(until) = company.days_materialized_until.filter(|u| *u < through) {
        expected::store_missing(&txn, &company, until + Duration::days(1), through).await?;
    }
    // Check-ins still arriving for the days would be kept out of them for good, and a day
    // without one would read ABSENT once the watermark passes: lock only what is known complete
    // (a company with no camera account has no check-ins to wait for).
    if hanet_connection::Entity::find_by_id(company.id)
        .one(&txn)
        .await?
        .is_some()
    {
        let closes: Option<Option<DateTime<Utc>>> = attendance_day::Entity::find()
            .select_only()
            .column_as(attendance_day::Column::WindowEnd.max(), "closes")
            .filter(attendance_day::Column::CompanyId.eq(company.id))
            .filter(attendance_day::Column::Date.gte(through - Duration::days(1)))
            .filter(attendance_day::Column::Date.lte(through))
            .into_tuple()
            .one(&txn)
            .await?;
        let closes = closes
            .flatten()
            .unwrap_or_else(|| rules.at(through + Duration::days(1), 0));
        if company
            .attendance_complete_until
            .is_none_or(|known| known < closes)
        {
            return Err(ApiError::Conflict(format!(
                "check-ins are known complete only until {}; the days up to {through} close at \
                 {closes}: lock them once the catch-up has passed that",
                company
                    .attendance_complete_until
                    .map_or_else(|| "no moment yet".to_owned(), |k| k.to_rfc3339())
            )));
        }
    }
    // Days being recomputed would be locked half done.
    let recomputing = sync_job::Entity::find()
        .filter(sync_job::Column::CompanyId.eq(company.id))
        .filter(sync_job::Column::Kind.eq(JobKind::AttendanceDays))
        .filter(sync_job::Column::Status.is_in([JobStatus::Queued, JobStatus::Running]))
        .one(&txn)
        .await?;
    if recomputing.is_some() {
        return Err(ApiError::Conflict(
            "attendance days are still being recomputed (an ATTENDANCE_DAYS job in syncJobs); \
             lock them once it has finished"
                .to_owned(),
        ));
    }
    // Days a recompute failed to reach (or that a cancel stopped it reaching) keep what older
    // rules computed: locking them would pay from stale days.
    if let Some(job) = stale_recompute(&txn, company.id, through).await? {
        return Err(ApiError::Conflict(format!(
            "a recompute of attendance days up to {through} did not succeed (job {job} in              syncJobs): retry it (retrySyncJob), then lock"
        )));
    }
    set(&txn, company.id, Some(through)).await?;
    audit::record(
        &txn,
        audit::by(
            scope,
            AuditAction::AttendanceLocked,
            "company",
            company.id,
            json!({ "through": through, "before": company.attendance_locked_through }),
        ),
    )
    .await?;
    let company = companies::service::get(&txn, scope.company_id).await?;
    txn.commit().await?;
    Ok(company)
}

/// Reopens the company's locked days from `from` on and recomputes them from what is stored
/// now (check-ins that arrived while they were locked included). Nothing locked from `from`:
/// nothing changes.
pub async fn unlock(
    db: &DatabaseConnection,
    scope: &Scope,
    from: NaiveDate,
) -> ApiResult<(company::Model, Recomputed)> {
    let txn = day_rows::begin(db, scope.company_id, Lock::Exclusive).await?;
    let company = companies::service::get(&txn, scope.company_id).await?;
    let Some(through) = company.attendance_locked_through.filter(|t| from <= *t) else {
        return Ok((company, Recomputed { days: 0, job: None }));
    };
    // Nothing is stored before the company's first check-in or employee: a lock reopened
    // from before that is gone.
    let first = span(&txn, &company)
        .await?
        .map(|(first, _)| first - Duration::days(1));
    let reopen = first.map_or(from, |first| from.max(first));
    let still = if first.is_some_and(|first| from <= first) {
        None
    } else {
        from.pred_opt()
    };
    set(&txn, company.id, still).await?;
    audit::record(
        &txn,
        audit::by(
            scope,
            AuditAction::AttendanceUnlocked,
            "company",
            company.id,
            json!({ "from": from, "before": through, "after": still }),
        ),
    )
    .await?;
    let company = companies::service::get(&txn, scope.company_id).await?;
    let recomputed = crate::days::recompute(
        &txn,
        &company,
        crate::days::Reach {
            employees: None,
            from: reopen,
            to: through,
            by: Some(scope.user_id),
        },
        crate::days::Via::Fit,
    )
    .await?;
    txn.commit().await?;
    Ok((company, recomputed))
}

/// An ended recompute (`ATTENDANCE_DAYS` job) with an item that did not succeed and reaches a
/// day up to `through`, unless a retry of it (or of its retry, …) succeeded.
async fn stale_recompute(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    through: NaiveDate,
) -> ApiResult<Option<Uuid>> {
    let jobs: Vec<(Uuid, JobStatus, Option<Uuid>)> = sync_job::Entity::find()
        .select_only()
        .column(sync_job::Column::Id)
        .column(sync_job::Column::Status)
        .column(sync_job::Column::RetryOf)
        .filter(sync_job::Column::CompanyId.eq(company_id))
        .filter(sync_job::Column::Kind.eq(JobKind::AttendanceDays))
        .into_tuple()
        .all(db)
        .await?;
    let retries: std::collections::HashMap<Uuid, Vec<Uuid>> =
        jobs.iter().fold(Default::default(), |mut by, (id, _, of)| {
            if let Some(of) = of {
                by.entry(*of).or_default().push(*id);
            }
            by
        });
    let succeeded: std::collections::HashSet<Uuid> = jobs
        .iter()
        .filter(|(_, s, _)| *s == JobStatus::Succeeded)
        .map(|(id, _, _)| *id)
        .collect();
    // Resolved: succeeded, or a retry of it is resolved (a chain of retries is short).
    let resolved = |id: Uuid| {
        let mut open = vec![id];
        while let Some(next) = open.pop() {
            if succeeded.contains(&next) {
                return true;
            }
            open.extend(retries.get(&next).into_iter().flatten());
        }
        false
    };
    for (id, status, _) in &jobs {
        if !status.is_terminal() || *status == JobStatus::Succeeded || resolved(*id) {
            continue;
        }
        let left: Vec<Option<String>> = sync_job_item::Entity::find()
            .select_only()
            .column(sync_job_item::Column::Params)
            .filter(sync_job_item::Column::JobId.eq(*id))
            .filter(sync_job_item::Column::Status.ne(ItemStatus::Succeeded))
            .into_tuple()
            .all(db)
            .await?;
        let reaches = left.iter().any(|params| {
            params
                .as_deref()
                .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
                .and_then(|p| p.get("from")?.as_str()?.parse::<NaiveDate>().ok())
                // An item without dates could reach any day.
                .is_none_or(|from| from <= through)
        });
        if reaches {
            return Ok(Some(*id));
        }
    }
    Ok(None)
}
