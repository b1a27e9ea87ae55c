//! Corrections (design §8): a check-in added by hand (`MANUAL`, with who and why) and a voided
//! check-in (kept, marked, ignored by days). Each recomputes the day it touches and records
//! itself in the audit log, in one transaction; raw rows are never deleted.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{checkin, company, hanet_connection};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use super::store::Intake;
use crate::days::{
    plan::{Planner, Scope as PlanScope},
    rows::{self as day_rows, Touched},
};
use crate::{
    audit::{self, AuditAction},
    auth::Scope,
    companies,
    error::{ApiError, ApiResult},
};

fn reason(field: &str, reason: &str) -> ApiResult<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ApiError::bad_input(
            field,
            "say why: a correction keeps its reason",
        ));
    }
    if reason.chars().count() > 500 {
        return Err(ApiError::bad_input(field, "at most 500 characters"));
    }
    Ok(reason.to_owned())
}

/// The stored day a check-in of `employee_id` at `at` belongs to, if any.
async fn day_of(
    txn: &impl sea_orm::ConnectionTrait,
    company: &company::Model,
    employee_id: Uuid,
    at: DateTime<Utc>,
) -> ApiResult<Option<NaiveDate>> {
    let date = crate::days::DayRules::of(company)?.local_date(at);
    let only = [employee_id];
    let planner = Planner::load(txn, company, PlanScope::Only(&only), date, date).await?;
    Ok(planner.locate(employee_id, at).map(|(day, _)| day))
}

/// How far back a manual check-in may go when the company's attendance started later.
pub const MANUAL_LOOK_BACK_DAYS: i64 = 62;

/// The earliest moment a manual check-in may have: the company's start of attendance or
/// [`MANUAL_LOOK_BACK_DAYS`] ago, whichever is earlier.
fn earliest_manual(company: &company::Model, now: DateTime<Utc>) -> DateTime<Utc> {
    let look_back = now - Duration::days(MANUAL_LOOK_BACK_DAYS);
    company
        .attendance_started_at
        .map_or(look_back, |s| s.min(look_back))
}

/// Adds a check-in by hand for an employee at a past moment.
pub async fn add_manual(
    intake: Intake<'_>,
    scope: &Scope,
    employee_id: Uuid,
    at: DateTime<Utc>,
    why: &str,
) -> ApiResult<checkin::Model> {
    let why = reason("input.reason", why)?;
    crate::error::supported_moment("input.at", at)?;
    if at > Utc::now() + Duration::minutes(1) {
        return Err(ApiError::bad_input("input.at", "must not be in the future"));
    }
    let txn = day_rows::begin(intake.db(), scope.company_id, crate::db::Lock::Shared).await?;
    let employee = crate::employees::service::get(&txn, scope.company_id, employee_id).await?;
    let company = companies::service::get(&txn, scope.company_id).await?;
    // Not before the company's camera timekeeping existed (a bounded look-back when that is
    // later): a check-in there would move its first day, and every recompute, back for good.
    let earliest = earliest_manual(&company, Utc::now());
    if at < earliest {
        return Err(ApiError::bad_input(
            "input.at",
            format!(
                "must not be before {} (the company's first day of attendance, or {MANUAL_LOOK_BACK_DAYS} days back if that is later)",
                earliest.to_rfc3339()
            ),
        ));
    }
    if let Some(day) = day_of(&txn, &company, employee.id, at).await? {
        crate::days::locked::refuse(company.attendance_locked_through, day, "the check-in's day")?;
    }
    let place_id = hanet_connection::Entity::find_by_id(scope.company_id)
        .one(&txn)
        .await?
        .and_then(|c| c.place_id)
        .unwrap_or_default();
    let id = Uuid::now_v7();
    let row = checkin::Model {
        id,
        company_id: scope.company_id,
        dedupe_key: format!("manual|{id}"),
        source: "MANUAL".to_owned(),
        event_id: None,
        place_id,
        place_name: None,
        device_id: "manual".to_owned(),
        device_name: Some("Added by HR".to_owned()),
        person_type: 0,
        hanet_person_id: employee.hanet_person_id.clone(),
        alias_id: Some(employee.employee_code.clone()),
        person_name: Some(employee.full_name.clone()),
        person_title: employee.title.clone(),
        snapshot_url: None,
        captured_at: at,
        employee_id: Some(employee.id),
        received_at: Utc::now(),
        alias_key: Some(employee.employee_code_key.clone()),
        counts_for_attendance: true,
        voided_at: None,
        voided_by: None,
        void_reason: None,
        created_by: Some(scope.user_id),
    };
    checkin::Entity::insert(row.clone().into_active_model())
        .exec_without_returning(&txn)
        .await?;
    let mut touched = Touched::default();
    touched.add(employee.id, at);
    day_rows::add(&txn, scope.company_id, touched).await?;
    audit::record(
        &txn,
        audit::by(
            scope,
            AuditAction::CheckinAdded,
            "checkin",
            id,
            json!({ "employeeId": employee.id, "at": at, "reason": why }),
        ),
    )
    .await?;
    txn.commit().await?;
    intake.stored(1);
    Ok(row)
}

/// Voids a check-in: it stays listed, marked, and its day is computed without it.
pub async fn void(
    db: &DatabaseConnection,
    scope: &Scope,
    id: Uuid,
    why: &str,
) -> ApiResult<checkin::Model> {
    let why = reason("reason", why)?;
    let txn = day_rows::begin(db, scope.company_id, crate::db::Lock::Exclusive).await?;
    let mut row = checkin::Entity::find_by_id(id)
        .filter(checkin::Column::CompanyId.eq(scope.company_id))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("check-in"))?;
    if row.voided_at.is_some() {
        return Err(ApiError::Conflict(
            "the check-in is already voided".to_owned(),
        ));
    }
    let company = companies::service::get(&txn, scope.company_id).await?;
    let day = match (row.employee_id, row.counts_for_attendance) {
        (Some(employee_id), true) => day_of(&txn, &company, employee_id, row.captured_at)
            .await?
            .map(|day| (employee_id, day)),
        _ => None,
    };
    if let Some((_, day)) = day {
        crate::days::locked::refuse(company.attendance_locked_through, day, "the check-in's day")?;
    }
    let now = Utc::now();
    checkin::Entity::update_many()
        .col_expr(checkin::Column::VoidedAt, Expr::value(now))
        .col_expr(checkin::Column::VoidedBy, Expr::value(scope.user_id))
        .col_expr(checkin::Column::VoidReason, Expr::value(why.clone()))
        .filter(checkin::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    row.voided_at = Some(now);
    row.voided_by = Some(scope.user_id);
    row.void_reason = Some(why.clone());
    if let Some((employee_id, day)) = day {
        crate::days::recompute(
            &txn,
            &company,
            crate::days::Reach::employee(employee_id, day, day),
            crate::days::Via::Fit,
        )
        .await?;
    }
    audit::record(
        &txn,
        audit::by(
            scope,
            AuditAction::CheckinVoided,
            "checkin",
            id,
            json!({ "employeeId": row.employee_id, "capturedAt": row.captured_at, "reason": why }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}
