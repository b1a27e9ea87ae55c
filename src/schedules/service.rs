//! Work schedules and who works which: create, change, delete, assign, and the company default.
//! Every write records itself in the audit log and recomputes the days it reaches, in one
//! transaction.

use chrono::{NaiveDate, Utc};
use entity::{company, schedule_assignment, work_schedule};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::{types::WorkScheduleInput, validate};
use crate::days::Recomputed;
use crate::{
    audit::{self, AuditAction},
    auth::Scope,
    companies,
    days::job::span,
    error::{ApiError, ApiResult},
};

const CONFLICT_NAME: &str = "a work schedule with this name already exists";

pub async fn list(
    db: &DatabaseConnection,
    company_id: Uuid,
) -> ApiResult<Vec<work_schedule::Model>> {
    Ok(work_schedule::Entity::find()
        .filter(work_schedule::Column::CompanyId.eq(company_id))
        .order_by_asc(work_schedule::Column::Name)
        .all(db)
        .await?)
}

pub async fn get(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    id: Uuid,
) -> ApiResult<work_schedule::Model> {
    work_schedule::Entity::find_by_id(id)
        .filter(work_schedule::Column::CompanyId.eq(company_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("work schedule"))
}

fn snapshot(m: &work_schedule::Model) -> serde_json::Value {
    json!({
        "name": m.name, "startMinute": m.start_minute, "endMinute": m.end_minute,
        "breakStartMinute": m.break_start_minute, "breakEndMinute": m.break_end_minute,
        "lateGraceMinutes": m.late_grace_minutes,
        "earlyLeaveGraceMinutes": m.early_leave_grace_minutes, "workDays": m.work_days,
        "checkInOpensMinutesBefore": m.check_in_opens_minutes_before,
        "checkOutClosesMinutesAfter": m.check_out_closes_minutes_after,
    })
}

pub async fn create(
    db: &DatabaseConnection,
    scope: &Scope,
    input: &WorkScheduleInput,
) -> ApiResult<work_schedule::Model> {
    let checked = validate::check(input)?;
    let now = Utc::now();
    let mut model = work_schedule::Model {
        id: Uuid::now_v7(),
        company_id: scope.company_id,
        name: String::new(),
        start_minute: 0,
        end_minute: 0,
        break_start_minute: None,
        break_end_minute: None,
        late_grace_minutes: 0,
        early_leave_grace_minutes: 0,
        work_days: 0,
        check_in_opens_minutes_before: 0,
        check_out_closes_minutes_after: 0,
        created_at: now,
        updated_at: now,
    };
    checked.apply(&mut model);
    let txn = crate::db::begin_write(db).await?;
    work_schedule::Entity::insert(model.clone().into_active_model())
        .exec_without_returning(&txn)
        .await
        .map_err(|e| ApiError::from_db_conflict(e, || CONFLICT_NAME.to_owned()))?;
    audit::record(
        &txn,
        audit::by(
            scope,
            AuditAction::ScheduleCreated,
            "schedule",
            model.id,
            snapshot(&model),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// The first day a schedule may have shaped: the company's first day when it is the default,
/// else its earliest assignment; `None` when nobody works it.
async fn in_effect_from(
    db: &impl ConnectionTrait,
    company: &company::Model,
    schedule_id: Uuid,
) -> ApiResult<Option<NaiveDate>> {
    if company.default_schedule_id == Some(schedule_id) {
        return Ok(span(db, company).await?.map(|(first, _)| first));
    }
    let first: Option<Option<NaiveDate>> = schedule_assignment::Entity::find()
        .select_only()
        .column_as(schedule_assignment::Column::FromDate.min(), "first")
        .filter(schedule_assignment::Column::ScheduleId.eq(schedule_id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(first.flatten())
}

pub async fn update(
    db: &DatabaseConnection,
    scope: &Scope,
    id: Uuid,
    input: &WorkScheduleInput,
) -> ApiResult<(work_schedule::Model, Recomputed)> {
    let checked = validate::check(input)?;
    let txn = crate::days::rows::begin(db, scope.company_id, crate::db::Lock::Exclusive).await?;
    let before = get(&txn, scope.company_id, id).await?;
    let mut after = before.clone();
    checked.apply(&mut after);
    after.updated_at = Utc::now();
    let mut active = after.clone().into_active_model().reset_all();
    active.id = sea_orm::ActiveValue::Unchanged(id);
    active
        .update(&txn)
        .await
        .map_err(|e| ApiError::from_db_conflict(e, || CONFLICT_NAME.to_owned()))?;
    audit::record(
        &txn,
        audit::by(
            scope,
            AuditAction::ScheduleUpdated,
            "schedule",
            id,
            json!({ "before": snapshot(&before), "after": snapshot(&after) }),
        ),
    )
    .await?;
    // Everyone on it, from the first day it was in effect (locked days keep what they are).
    let company = companies::service::get(&txn, scope.company_id).await?;
    let recomputed = match in_effect_from(&txn, &company, id).await? {
        Some(from) => {
            crate::days::recompute(
                &txn,
                &company,
                crate::days::Reach {
                    employees: None,
                    from,
                    to: NaiveDate::MAX,
                    by: Some(scope.user_id),
                },
                crate::days::Via::Fit,
            )
            .await?
        }
        None => Recomputed { days: 0, job: None },
    };
    txn.commit().await?;
    Ok((after, recomputed))
}

/// Deletes a schedule nobody works: one that is assigned or the default is refused
/// (`CONFLICT`), since the days it shaped would change under payroll.
pub async fn delete(db: &DatabaseConnection, scope: &Scope, id: Uuid) -> ApiResult<()> {
    let txn = crate::db::begin_write(db).await?;
    let schedule = get(&txn, scope.company_id, id).await?;
    let company = companies::service::get(&txn, scope.company_id).await?;
    let assigned = schedule_assignment::Entity::find()
        .filter(schedule_assignment::Column::ScheduleId.eq(id))
        .count(&txn)
        .await?;
    if assigned > 0 || company.default_schedule_id == Some(id) {
        return Err(ApiError::Conflict(format!(
            "the schedule is {}; a schedule that shaped stored days cannot be deleted",
            if assigned > 0 {
                format!("assigned {assigned} time(s)")
            } else {
                "the company default".to_owned()
            }
        )));
    }
    work_schedule::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        audit::by(
            scope,
            AuditAction::ScheduleDeleted,
            "schedule",
            id,
            snapshot(&schedule),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Makes a schedule the company default: it covers every day no assignment covers, past days
/// included, so the company's days are recomputed from its first day.
pub async fn set_default(
    db: &DatabaseConnection,
    scope: &Scope,
    schedule_id: Uuid,
) -> ApiResult<(work_schedule::Model, Recomputed)> {
    let txn = crate::days::rows::begin(db, scope.company_id, crate::db::Lock::Exclusive).await?;
    let schedule = get(&txn, scope.company_id, schedule_id).await?;
    let mut company = companies::service::get(&txn, scope.company_id).await?;
    let before = company.default_schedule_id;
    company::Entity::update_many()
        .col_expr(
            company::Column::DefaultScheduleId,
            sea_orm::sea_query::Expr::value(schedule_id),
        )
        .filter(company::Column::Id.eq(scope.company_id))
        .exec(&txn)
        .await?;
    company.default_schedule_id = Some(schedule_id);
    audit::record(
        &txn,
        audit::by(
            scope,
            AuditAction::DefaultScheduleSet,
            "company",
            scope.company_id,
            json!({ "before": before, "after": schedule_id }),
        ),
    )
    .await?;
    let recomputed = match span(&txn, &company).await? {
        Some((first, _)) => {
            crate::days::recompute(
                &txn,
                &company,
                crate::days::Reach {
                    employees: None,
                    from: first,
                    to: NaiveDate::MAX,
                    by: Some(scope.user_id),
                },
                crate::days::Via::Fit,
            )
            .await?
        }
        None => Recomputed { days: 0, job: None },
    };
    txn.commit().await?;
    Ok((schedule, recomputed))
}
