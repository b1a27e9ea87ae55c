//! Check-ins that find their employee later: a check-in whose alias matched nobody when it was
//! stored is mapped once an employee with that ID exists (created, imported, or renamed to it),
//! in one statement for all of them, and added to that employee's stored days.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use uuid::Uuid;

use crate::days::rows::{self as day_rows, Touched};
use crate::error::ApiResult;

/// Maps the company's unmatched check-ins whose alias is now an employee's ID (only those with
/// alias `code_key` when given); returns how many were mapped.
pub async fn remap(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    code_key: Option<&str>,
) -> ApiResult<u64> {
    let backend = db.get_database_backend();
    let p = |n: u8| match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => format!("?{n}"),
    };
    let mut values: Vec<Value> = vec![company_id.into()];
    let only = match code_key {
        Some(code_key) => {
            values.push(code_key.to_owned().into());
            format!("AND alias_key = {}", p(2))
        }
        None => String::new(),
    };
    let sql = format!(
        "UPDATE checkins SET employee_id = (SELECT e.id FROM employees e \
           WHERE e.company_id = checkins.company_id AND e.employee_code_key = checkins.alias_key) \
         WHERE company_id = {c} AND employee_id IS NULL {only} \
           AND alias_key IN (SELECT employee_code_key FROM employees WHERE company_id = {c}) \
         RETURNING employee_id, captured_at, counts_for_attendance, voided_at",
        c = p(1)
    );
    let mapped = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    if mapped.is_empty() {
        return Ok(0);
    }
    let mut touched = Touched::default();
    for row in &mapped {
        let employee_id: Option<Uuid> = row.try_get("", "employee_id")?;
        let counts: bool = row.try_get("", "counts_for_attendance")?;
        let voided: Option<DateTime<Utc>> = row.try_get("", "voided_at")?;
        if let (Some(employee_id), true, None) = (employee_id, counts, voided) {
            touched.add(employee_id, row.try_get("", "captured_at")?);
        }
    }
    day_rows::add(db, company_id, touched).await?;
    tracing::info!(company.id = %company_id, mapped = mapped.len(), "check-ins found their employee");
    Ok(mapped.len() as u64)
}
