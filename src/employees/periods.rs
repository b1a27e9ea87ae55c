//! Employees' department and work status over time (`employee_periods`): a change applies
//! from the company's today on, and days before it keep what applied then when they are
//! recomputed (a schedule edit, a reopened lock). An employee's first period starts on
//! 1970-01-01, so what they were when created applies to every earlier day.

use chrono::NaiveDate;
use entity::{employee::WorkStatus, employee_period};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, sea_query::OnConflict};
use uuid::Uuid;

use crate::error::ApiResult;

/// The first day of an employee's first period.
pub fn since_always() -> NaiveDate {
    NaiveDate::default()
}

/// Records what an employee is from `from` on (replacing a change recorded for the same day).
pub async fn record(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    employee_id: Uuid,
    from: NaiveDate,
    department_id: Option<Uuid>,
    work_status: WorkStatus,
) -> ApiResult<()> {
    employee_period::Entity::insert(employee_period::ActiveModel {
        employee_id: Set(employee_id),
        from_date: Set(from),
        company_id: Set(company_id),
        department_id: Set(department_id),
        work_status: Set(work_status),
    })
    .on_conflict(
        OnConflict::columns([
            employee_period::Column::EmployeeId,
            employee_period::Column::FromDate,
        ])
        .update_columns([
            employee_period::Column::DepartmentId,
            employee_period::Column::WorkStatus,
        ])
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}
