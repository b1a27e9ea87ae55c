//! Who works which schedule: assignments to employees and departments (effective-dated),
//! made and removed. Each write records itself in the audit log and recomputes the days it
//! reaches, in one transaction.

use chrono::{NaiveDate, Utc};
use entity::{employee, schedule_assignment};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::{service::get, types::AssignWorkScheduleInput};
use crate::days::Recomputed;
use crate::{
    audit::{self, AuditAction},
    auth::Scope,
    companies,
    error::{ApiError, ApiResult},
    ids,
};

fn parse_ids(
    ids: &Option<Vec<async_graphql::ID>>,
    field: &str,
    what: &'static str,
) -> ApiResult<Vec<Uuid>> {
    ids.iter()
        .flatten()
        .map(|id| {
            ids::parse(id, what).map_err(|_| {
                ApiError::bad_input(field, format!("{:?} is not a {what} id", id.as_str()))
            })
        })
        .collect()
}

pub async fn assign(
    db: &DatabaseConnection,
    scope: &Scope,
    input: &AssignWorkScheduleInput,
) -> ApiResult<(Vec<schedule_assignment::Model>, Recomputed)> {
    let schedule_id = ids::parse(&input.schedule_id, "work schedule")?;
    let employee_ids = parse_ids(&input.employee_ids, "input.employeeIds", "employee")?;
    let department_ids = parse_ids(&input.department_ids, "input.departmentIds", "department")?;
    if employee_ids.is_empty() && department_ids.is_empty() {
        return Err(ApiError::bad_input(
            "input.employeeIds",
            "name at least one employee or department",
        ));
    }
    let (from, to) = (input.from.0, input.to.map(|d| d.0));
    if to.is_some_and(|to| to < from) {
        return Err(ApiError::bad_input("input.to", "must not be before `from`"));
    }
    let txn = crate::days::rows::begin(db, scope.company_id, crate::db::Lock::Exclusive).await?;
    get(&txn, scope.company_id, schedule_id).await?;
    let known_employees: Vec<Uuid> = employee::Entity::find()
        .select_only()
        .column(employee::Column::Id)
        .filter(employee::Column::CompanyId.eq(scope.company_id))
        .filter(employee::Column::Id.is_in(employee_ids.clone()))
        .into_tuple()
        .all(&txn)
        .await?;
    if known_employees.len() != employee_ids.len() {
        return Err(ApiError::NotFound("employee"));
    }
    let known_departments = entity::department::Entity::find()
        .filter(entity::department::Column::CompanyId.eq(scope.company_id))
        .filter(entity::department::Column::Id.is_in(department_ids.clone()))
        .count(&txn)
        .await?;
    if known_departments as usize != department_ids.len() {
        return Err(ApiError::NotFound("department"));
    }
    let now = Utc::now();
    let targets = employee_ids
        .iter()
        .map(|e| (Some(*e), None))
        .chain(department_ids.iter().map(|d| (None, Some(*d))));
    let mut made = Vec::new();
    for (employee_id, department_id) in targets {
        let row = schedule_assignment::Model {
            id: Uuid::now_v7(),
            company_id: scope.company_id,
            schedule_id,
            employee_id,
            department_id,
            from_date: from,
            to_date: to,
            created_by: Some(scope.user_id),
            created_at: now,
        };
        schedule_assignment::Entity::insert(row.clone().into_active_model())
            .exec_without_returning(&txn)
            .await?;
        made.push(row);
    }
    audit::record(
        &txn,
        audit::by(
            scope,
            AuditAction::ScheduleAssigned,
            "schedule",
            schedule_id,
            json!({ "employeeIds": employee_ids, "departmentIds": department_ids, "from": from, "to": to }),
        ),
    )
    .await?;
    let mut affected = employee_ids;
    affected.extend(department_members(&txn, scope.company_id, &department_ids, to).await?);
    affected.sort_unstable();
    affected.dedup();
    let company = companies::service::get(&txn, scope.company_id).await?;
    let recomputed = crate::days::recompute(
        &txn,
        &company,
        crate::days::Reach {
            employees: Some(affected),
            from,
            to: to.unwrap_or(NaiveDate::MAX),
            by: Some(scope.user_id),
        },
        crate::days::Via::Fit,
    )
    .await?;
    txn.commit().await?;
    Ok((made, recomputed))
}

/// Everyone who may have been in one of `departments` on a day up to `to`: their department
/// periods say so (a past member's days follow the department's assignments too), or they are
/// in one now.
async fn department_members(
    db: &impl sea_orm::ConnectionTrait,
    company_id: Uuid,
    departments: &[Uuid],
    to: Option<NaiveDate>,
) -> ApiResult<Vec<Uuid>> {
    if departments.is_empty() {
        return Ok(Vec::new());
    }
    let mut periods = entity::employee_period::Entity::find()
        .select_only()
        .column(entity::employee_period::Column::EmployeeId)
        .filter(entity::employee_period::Column::CompanyId.eq(company_id))
        .filter(entity::employee_period::Column::DepartmentId.is_in(departments.iter().copied()));
    if let Some(to) = to {
        periods = periods.filter(entity::employee_period::Column::FromDate.lte(to));
    }
    let mut members: Vec<Uuid> = periods.distinct().into_tuple().all(db).await?;
    members.extend(
        employee::Entity::find()
            .select_only()
            .column(employee::Column::Id)
            .filter(employee::Column::CompanyId.eq(company_id))
            .filter(employee::Column::DepartmentId.is_in(departments.iter().copied()))
            .into_tuple::<Uuid>()
            .all(db)
            .await?,
    );
    members.sort_unstable();
    members.dedup();
    Ok(members)
}

/// Removes an assignment; the days it covered are recomputed by what applies without it.
pub async fn delete(db: &DatabaseConnection, scope: &Scope, id: Uuid) -> ApiResult<Recomputed> {
    let txn = crate::days::rows::begin(db, scope.company_id, crate::db::Lock::Exclusive).await?;
    let assignment = schedule_assignment::Entity::find_by_id(id)
        .filter(schedule_assignment::Column::CompanyId.eq(scope.company_id))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("schedule assignment"))?;
    let company = companies::service::get(&txn, scope.company_id).await?;
    crate::days::locked::refuse(
        company.attendance_locked_through,
        assignment.from_date,
        "the assignment's first day",
    )?;
    schedule_assignment::Entity::delete_by_id(id)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        audit::by(
            scope,
            AuditAction::ScheduleAssignmentDeleted,
            "scheduleAssignment",
            id,
            json!({
                "scheduleId": assignment.schedule_id, "employeeId": assignment.employee_id,
                "departmentId": assignment.department_id, "from": assignment.from_date,
                "to": assignment.to_date,
            }),
        ),
    )
    .await?;
    let affected = match (assignment.employee_id, assignment.department_id) {
        (Some(employee), _) => vec![employee],
        (None, Some(department)) => {
            department_members(&txn, scope.company_id, &[department], assignment.to_date).await?
        }
        (None, None) => Vec::new(),
    };
    let recomputed = crate::days::recompute(
        &txn,
        &company,
        crate::days::Reach {
            employees: Some(affected),
            from: assignment.from_date,
            to: assignment.to_date.unwrap_or(NaiveDate::MAX),
            by: Some(scope.user_id),
        },
        crate::days::Via::Fit,
    )
    .await?;
    txn.commit().await?;
    Ok(recomputed)
}
