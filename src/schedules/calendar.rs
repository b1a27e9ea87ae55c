//! Holidays and leave: each write records itself in the audit log and recomputes the days it
//! reaches, in one transaction.

use chrono::{NaiveDate, Utc};
use entity::{company, holiday, leave};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use super::types::{HolidayInput, LeaveFilter, RecordLeaveInput};
use crate::days::Recomputed;
use crate::{
    audit::{self, AuditAction},
    auth::Scope,
    companies,
    days::{locked, rows as day_rows},
    error::{ApiError, ApiResult},
    ids, pagination,
};

/// The caller's company, when its attendance is not locked through `date` (`CONFLICT`).
async fn unlocked_company(
    txn: &impl ConnectionTrait,
    scope: &Scope,
    date: NaiveDate,
    what: &str,
) -> ApiResult<company::Model> {
    let company = companies::service::get(txn, scope.company_id).await?;
    locked::refuse(company.attendance_locked_through, date, what)?;
    Ok(company)
}

/// The longest leave recorded at once.
const MAX_LEAVE_DAYS: i64 = 366;

pub async fn holidays(
    db: &DatabaseConnection,
    company_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<Vec<holiday::Model>> {
    if to < from {
        return Err(ApiError::bad_input("to", "must not be before `from`"));
    }
    Ok(holiday::Entity::find()
        .filter(holiday::Column::CompanyId.eq(company_id))
        .filter(holiday::Column::Date.gte(from))
        .filter(holiday::Column::Date.lte(to))
        .order_by_asc(holiday::Column::Date)
        .limit(400)
        .all(db)
        .await?)
}

async fn everyone_on(
    txn: &impl ConnectionTrait,
    scope: &Scope,
    company: &company::Model,
    date: NaiveDate,
) -> ApiResult<Recomputed> {
    crate::days::recompute(
        txn,
        company,
        crate::days::Reach {
            employees: None,
            from: date,
            to: date,
            by: Some(scope.user_id),
        },
        crate::days::Via::Fit,
    )
    .await
}

pub async fn create_holiday(
    db: &DatabaseConnection,
    scope: &Scope,
    input: &HolidayInput,
) -> ApiResult<(holiday::Model, Recomputed)> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::bad_input(
            "input.name",
            "must be 1 to 100 characters",
        ));
    }
    let model = holiday::Model {
        id: Uuid::now_v7(),
        company_id: scope.company_id,
        date: input.date.0,
        name: name.to_owned(),
        created_at: Utc::now(),
    };
    let txn = day_rows::begin(db, scope.company_id, crate::db::Lock::Exclusive).await?;
    let company = unlocked_company(&txn, scope, model.date, "the holiday").await?;
    holiday::Entity::insert(model.clone().into_active_model())
        .exec_without_returning(&txn)
        .await
        .map_err(|e| {
            ApiError::from_db_conflict(e, || "that day is already a holiday".to_owned())
        })?;
    audit::record(
        &txn,
        audit::by(
            scope,
            AuditAction::HolidayCreated,
            "holiday",
            model.id,
            json!({ "date": model.date, "name": model.name }),
        ),
    )
    .await?;
    let recomputed = everyone_on(&txn, scope, &company, model.date).await?;
    txn.commit().await?;
    Ok((model, recomputed))
}

pub async fn delete_holiday(
    db: &DatabaseConnection,
    scope: &Scope,
    id: Uuid,
) -> ApiResult<Recomputed> {
    let txn = day_rows::begin(db, scope.company_id, crate::db::Lock::Exclusive).await?;
    let holiday = holiday::Entity::find_by_id(id)
        .filter(holiday::Column::CompanyId.eq(scope.company_id))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("holiday"))?;
    let company = unlocked_company(&txn, scope, holiday.date, "the holiday").await?;
    holiday::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        audit::by(
            scope,
            AuditAction::HolidayDeleted,
            "holiday",
            id,
            json!({ "date": holiday.date, "name": holiday.name }),
        ),
    )
    .await?;
    let recomputed = everyone_on(&txn, scope, &company, holiday.date).await?;
    txn.commit().await?;
    Ok(recomputed)
}

pub async fn record_leave(
    db: &DatabaseConnection,
    scope: &Scope,
    input: &RecordLeaveInput,
) -> ApiResult<(leave::Model, Recomputed)> {
    let employee_id = ids::parse(&input.employee_id, "employee")?;
    let (from, to) = (input.from.0, input.to.0);
    if to < from {
        return Err(ApiError::bad_input("input.to", "must not be before `from`"));
    }
    if (to - from).num_days() >= MAX_LEAVE_DAYS {
        return Err(ApiError::bad_input(
            "input.to",
            format!("at most {MAX_LEAVE_DAYS} days at once"),
        ));
    }
    let note = input
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    if note.as_ref().is_some_and(|n| n.chars().count() > 1000) {
        return Err(ApiError::bad_input("input.note", "at most 1000 characters"));
    }
    let txn = day_rows::begin(db, scope.company_id, crate::db::Lock::Exclusive).await?;
    crate::employees::service::get(&txn, scope.company_id, employee_id).await?;
    let company = unlocked_company(&txn, scope, from, "the leave's first day").await?;
    let overlapping = leave::Entity::find()
        .filter(leave::Column::EmployeeId.eq(employee_id))
        .filter(leave::Column::CancelledAt.is_null())
        .filter(leave::Column::FromDate.lte(to))
        .filter(leave::Column::ToDate.gte(from))
        .one(&txn)
        .await?;
    if let Some(other) = overlapping {
        return Err(ApiError::Conflict(format!(
            "the employee already has leave from {} to {}",
            other.from_date, other.to_date
        )));
    }
    let model = leave::Model {
        id: Uuid::now_v7(),
        company_id: scope.company_id,
        employee_id,
        from_date: from,
        to_date: to,
        kind: input.kind.as_str().to_owned(),
        note,
        created_by: Some(scope.user_id),
        created_at: Utc::now(),
        cancelled_at: None,
        cancelled_by: None,
    };
    leave::Entity::insert(model.clone().into_active_model())
        .exec_without_returning(&txn)
        .await?;
    audit::record(
        &txn,
        audit::by(
            scope,
            AuditAction::LeaveRecorded,
            "leave",
            model.id,
            json!({ "employeeId": employee_id, "from": from, "to": to, "kind": model.kind, "note": model.note }),
        ),
    )
    .await?;
    let recomputed = crate::days::recompute(
        &txn,
        &company,
        crate::days::Reach {
            employees: Some(vec![employee_id]),
            from,
            to,
            by: Some(scope.user_id),
        },
        crate::days::Via::Fit,
    )
    .await?;
    txn.commit().await?;
    Ok((model, recomputed))
}

pub async fn cancel_leave(
    db: &DatabaseConnection,
    scope: &Scope,
    id: Uuid,
) -> ApiResult<(leave::Model, Recomputed)> {
    let txn = day_rows::begin(db, scope.company_id, crate::db::Lock::Exclusive).await?;
    let mut model = leave::Entity::find_by_id(id)
        .filter(leave::Column::CompanyId.eq(scope.company_id))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("leave"))?;
    if model.cancelled_at.is_some() {
        return Err(ApiError::Conflict(
            "the leave is already cancelled".to_owned(),
        ));
    }
    let company = unlocked_company(&txn, scope, model.from_date, "the leave's first day").await?;
    let now = Utc::now();
    leave::Entity::update_many()
        .col_expr(leave::Column::CancelledAt, Expr::value(now))
        .col_expr(leave::Column::CancelledBy, Expr::value(scope.user_id))
        .filter(leave::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    model.cancelled_at = Some(now);
    model.cancelled_by = Some(scope.user_id);
    audit::record(
        &txn,
        audit::by(
            scope,
            AuditAction::LeaveCancelled,
            "leave",
            id,
            json!({ "employeeId": model.employee_id, "from": model.from_date, "to": model.to_date }),
        ),
    )
    .await?;
    let recomputed = crate::days::recompute(
        &txn,
        &company,
        crate::days::Reach {
            employees: Some(vec![model.employee_id]),
            from: model.from_date,
            to: model.to_date,
            by: Some(scope.user_id),
        },
        crate::days::Via::Fit,
    )
    .await?;
    txn.commit().await?;
    Ok((model, recomputed))
}

/// One page of leave, newest first (by id), and whether more follow.
pub async fn leaves(
    db: &DatabaseConnection,
    company_id: Uuid,
    filter: &LeaveFilter,
    first: u64,
    after: Option<&str>,
) -> ApiResult<(Vec<leave::Model>, bool, Condition)> {
    let mut condition = Condition::all().add(leave::Column::CompanyId.eq(company_id));
    if let Some(list) = &filter.employee_ids {
        let list = list
            .iter()
            .map(|id| ids::parse(id, "employee"))
            .collect::<ApiResult<Vec<_>>>()?;
        condition = condition.add(leave::Column::EmployeeId.is_in(list));
    }
    if let Some(from) = filter.from {
        condition = condition.add(leave::Column::ToDate.gte(from.0));
    }
    if let Some(to) = filter.to {
        condition = condition.add(leave::Column::FromDate.lte(to.0));
    }
    if filter.include_cancelled != Some(true) {
        condition = condition.add(leave::Column::CancelledAt.is_null());
    }
    let mut select = leave::Entity::find().filter(condition.clone());
    if let Some(after) = pagination::decode_after_id(after)? {
        select = select.filter(leave::Column::Id.lt(after));
    }
    let (rows, more) =
        crate::pagination::keyset_page(db, select.order_by_desc(leave::Column::Id), first).await?;
    Ok((rows, more, condition))
}

/// Counts leave matching a condition (for `totalCount`).
pub struct LeaveCount(pub Condition);

#[async_trait::async_trait]
impl pagination::Countable for LeaveCount {
    async fn count(&self, db: &DatabaseConnection) -> ApiResult<u64> {
        use sea_orm::PaginatorTrait;
        Ok(leave::Entity::find()
            .filter(self.0.clone())
            .count(db)
            .await?)
    }
}
