//! Employees' department and work status over time (`employee_periods`): a change applies
//! from the company's today on, and days before it keep what applied then when they are
//! recomputed (a schedule edit, a reopened lock). An employee's first period starts on
//! 1970-01-01, so what they were when created applies to every earlier day.

use chrono::NaiveDate;
use entity::{employee::WorkStatus, employee_period};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, OnConflict},
};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

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

/// Makes attendance follow a change of department or work status (`change`: the new values
/// given, `before`: what the employee was) from `from` (today when none): the period in effect
/// then is split there, later periods take the changed fields, and the days from `from` are
/// recomputed.
pub async fn follow(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    employee_id: Uuid,
    from: Option<NaiveDate>,
    change: (Option<Option<Uuid>>, Option<WorkStatus>),
    before: (Option<Uuid>, WorkStatus),
) -> ApiResult<()> {
    let company = crate::companies::service::get(db, company_id).await?;
    let today = crate::days::DayRules::of(&company)?.today();
    let from = from.unwrap_or(today);
    if from > today {
        return Err(ApiError::bad_input(
            "input.effectiveFrom",
            "must not be after today",
        ));
    }
    crate::days::locked::refuse(
        company.attendance_locked_through,
        from,
        "the change's first day",
    )?;
    let periods = employee_period::Entity::find()
        .filter(employee_period::Column::EmployeeId.eq(employee_id))
        .order_by_asc(employee_period::Column::FromDate)
        .all(db)
        .await?;
    let base = match periods
        .iter()
        .rev()
        .find(|p| p.from_date <= from)
        .or(periods.first())
    {
        Some(p) => (p.department_id, p.work_status),
        None => {
            // Written before periods were kept: what they were applies to every earlier day.
            record(
                db,
                company_id,
                employee_id,
                since_always(),
                before.0,
                before.1,
            )
            .await?;
            before
        }
    };
    let (department, status) = change;
    // Later periods take what the change gives, except a field given with the value it had
    // both at `from` and until now (a client sending back what it read): their history stays.
    let (later_department, later_status) = (
        department.filter(|d| !(*d == base.0 && *d == before.0)),
        status.filter(|s| !(*s == base.1 && *s == before.1)),
    );
    record(
        db,
        company_id,
        employee_id,
        from,
        department.unwrap_or(base.0),
        status.unwrap_or(base.1),
    )
    .await?;
    let later = employee_period::Entity::update_many()
        .filter(employee_period::Column::EmployeeId.eq(employee_id))
        .filter(employee_period::Column::FromDate.gt(from));
    if let Some(department) = later_department {
        later
            .clone()
            .col_expr(
                employee_period::Column::DepartmentId,
                Expr::value(department),
            )
            .exec(db)
            .await?;
    }
    if let Some(status) = later_status {
        later
            .col_expr(employee_period::Column::WorkStatus, Expr::value(status))
            .exec(db)
            .await?;
    }
    if from == today {
        crate::days::recompute(
            db,
            &company,
            crate::days::Reach::employee(employee_id, today, today),
            crate::days::Via::Fit,
        )
        .await?;
    } else {
        // Nothing is stored before the company's first check-in or employee.
        let first = crate::days::job::span(db, &company)
            .await?
            .map_or(from, |(first, _)| first - chrono::Duration::days(1));
        crate::days::recompute(
            db,
            &company,
            crate::days::Reach {
                employees: Some(vec![employee_id]),
                from: from.max(first),
                to: today,
                by: None,
            },
            crate::days::Via::Fit,
        )
        .await?;
    }
    Ok(())
}

/// After an employee's start date changed from `old_start`: their days from the earlier of the
/// old and new first expected day are recomputed (absences before the new start go, those
/// from it are stored), inline or as a job.
pub async fn start_moved(
    db: &impl ConnectionTrait,
    employee: &entity::employee::Model,
    old_start: Option<NaiveDate>,
) -> ApiResult<()> {
    let employee_id = employee.id;
    let company = crate::companies::service::get(db, employee.company_id).await?;
    let (before, after) = crate::days::since::moved_since(&company, employee, old_start)?;
    let today = crate::days::DayRules::of(&company)?.today();
    crate::days::recompute(
        db,
        &company,
        crate::days::Reach {
            employees: Some(vec![employee_id]),
            from: before.min(after),
            to: today,
            by: None,
        },
        crate::days::Via::Fit,
    )
    .await?;
    Ok(())
}
