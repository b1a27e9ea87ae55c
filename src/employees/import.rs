//! CSV import: `employee_code,full_name,email,title,department,work_status,start_date` with a
//! header row (names in either `snake_case` or `camelCase`; `start_date` is `YYYY-MM-DD`).
//! Each row is applied in its own savepoint, so a bad row fails alone and is reported with its
//! line number. A code that exists already updates that employee; empty cells leave an existing
//! employee's value as it is. Unknown departments are created.

use std::{collections::HashMap, io::Read};

use async_graphql::{Enum, SimpleObject};
use sea_orm::{DatabaseConnection, TransactionTrait};
use uuid::Uuid;

use super::{
    service::{self, EmployeeChanges, NewEmployee},
    types::Employee,
};
use crate::{
    departments,
    error::{ApiError, ApiResult},
};
use entity::employee::WorkStatus;

/// What happened to one CSV row.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ImportRowStatus {
    /// A new employee was created.
    Created,
    /// An employee with that ID existed and was updated.
    Updated,
    /// The row was not applied; see `errorCode` and `message`.
    Failed,
}

/// The outcome of one CSV row.
#[derive(SimpleObject)]
pub struct ImportRowResult {
    /// Line number in the file (the header is line 1).
    pub line: u64,
    /// The row's employee ID, as written.
    pub employee_code: Option<String>,
    /// What happened.
    pub status: ImportRowStatus,
    /// The created or updated employee.
    pub employee: Option<Employee>,
    /// Why the row failed: `BAD_USER_INPUT`, `CONFLICT`, … (null on success).
    pub error_code: Option<String>,
    /// Human-readable reason (null on success).
    pub message: Option<String>,
}

/// Results of an employee CSV import, one per data row in file order.
#[derive(SimpleObject)]
pub struct ImportEmployeesPayload {
    /// Rows that created an employee.
    pub created: u32,
    /// Rows that updated an employee.
    pub updated: u32,
    /// Rows that failed.
    pub failed: u32,
    /// One result per data row.
    pub results: Vec<ImportRowResult>,
}

const COLUMNS: [&str; 7] = [
    "employee_code",
    "full_name",
    "email",
    "title",
    "department",
    "work_status",
    "start_date",
];

/// A header cell names a column in `snake_case` or `camelCase`, in any case.
fn names(header: &str, column: &str) -> bool {
    header
        .trim()
        .replace('_', "")
        .eq_ignore_ascii_case(&column.replace('_', ""))
}

/// A parsed data row: its line and the seven cells (absent columns read as empty).
struct Row {
    line: u64,
    cells: Result<[String; 7], String>,
}

/// Reads and parses the whole file (blocking; run off the executor).
fn parse(mut file: Box<dyn Read + Send>) -> ApiResult<Vec<Row>> {
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|e| ApiError::bad_input("file", format!("upload unreadable: {e}")))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| ApiError::bad_input("file", format!("unreadable CSV header: {e}")))?
        .clone();
    let positions: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|col| headers.iter().position(|h| names(h, col)))
        .collect();
    if !matches!(positions.as_slice(), [Some(_), Some(_), ..]) {
        return Err(ApiError::bad_input(
            "file",
            format!(
                "the header row must name at least employee_code and full_name (expected: {})",
                COLUMNS.join(",")
            ),
        ));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let row = match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line());
                let cells = std::array::from_fn(|i| {
                    positions
                        .get(i)
                        .copied()
                        .flatten()
                        .and_then(|p| record.get(p))
                        .unwrap_or("")
                        .to_owned()
                });
                Row {
                    line,
                    cells: Ok(cells),
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                Row {
                    line,
                    cells: Err(format!("unreadable CSV row: {e}")),
                }
            }
        };
        rows.push(row);
    }
    Ok(rows)
}

fn parse_status(cell: &str) -> ApiResult<Option<WorkStatus>> {
    let normalized = cell.trim().to_ascii_uppercase().replace([' ', '-'], "_");
    Ok(Some(match normalized.as_str() {
        "" => return Ok(None),
        "WORKING" => WorkStatus::Working,
        "UNPAID_LEAVE" => WorkStatus::UnpaidLeave,
        "MATERNITY_LEAVE" => WorkStatus::MaternityLeave,
        "RESIGNED" => WorkStatus::Resigned,
        _ => {
            return Err(ApiError::bad_input(
                "work_status",
                format!("{cell:?} is not one of WORKING, UNPAID_LEAVE, MATERNITY_LEAVE, RESIGNED"),
            ));
        }
    }))
}

fn parse_date(cell: &str) -> ApiResult<Option<chrono::NaiveDate>> {
    let Some(cell) = non_empty(cell) else {
        return Ok(None);
    };
    chrono::NaiveDate::parse_from_str(&cell, "%Y-%m-%d")
        .ok()
        .filter(|d| (1970..=9999).contains(&chrono::Datelike::year(d)))
        .map(Some)
        .ok_or_else(|| {
            ApiError::bad_input(
                "start_date",
                format!("{cell:?} is not a date YYYY-MM-DD (years 1970–9999)"),
            )
        })
}

fn non_empty(cell: &str) -> Option<String> {
    Some(cell.trim().to_owned()).filter(|c| !c.is_empty())
}

/// Rows written per transaction.
const IMPORT_CHUNK_ROWS: usize = 100;

/// Imports the file's rows into the company.
/// Begins a chunk's transaction. On PostgreSQL it holds the company's stored-days lock alone
/// from the start: a chunk's rows add to days (check-ins finding their employee, renames) and
/// may then recompute one (a department or status change); taking the lock shared first and
/// alone later could wait in a circle with a check-in being stored.
async fn begin_chunk(
    db: &DatabaseConnection,
    company_id: Uuid,
) -> ApiResult<sea_orm::DatabaseTransaction> {
    crate::days::rows::begin(db, company_id, crate::db::Lock::Exclusive).await
}

pub async fn import(
    db: &DatabaseConnection,
    scope: &crate::auth::Scope,
    file: Box<dyn Read + Send>,
) -> ApiResult<ImportEmployeesPayload> {
    let company_id = scope.company_id;
    let rows = tokio::task::spawn_blocking(move || parse(file))
        .await
        .map_err(ApiError::internal)??;
    let mut departments: HashMap<String, Uuid> = HashMap::new();
    // Committed in chunks, so a big file never holds SQLite's one write lock for long (each
    // row stands alone anyway: its result is reported whatever the others do).
    let mut txn = begin_chunk(db, company_id).await?;
    let mut in_chunk = 0usize;
    // What each chunk changed, recorded in the audit log in the chunk's transaction.
    let mut changed: Vec<serde_json::Value> = Vec::new();
    let mut payload = ImportEmployeesPayload {
        created: 0,
        updated: 0,
        failed: 0,
        results: Vec::with_capacity(rows.len()),
    };
    for row in rows {
        if in_chunk == IMPORT_CHUNK_ROWS {
            audit_chunk(&txn, scope, &mut changed).await?;
            txn.commit().await?;
            txn = begin_chunk(db, company_id).await?;
            in_chunk = 0;
        }
        in_chunk += 1;
        let code = row
            .cells
            .as_ref()
            .ok()
            .and_then(|c| c.first())
            .and_then(|c| non_empty(c));
        let outcome = match row.cells {
            Err(message) => Err(ApiError::bad_input("file", message)),
            Ok(cells) => {
                let savepoint = txn.begin().await?;
                match apply_row(&savepoint, company_id, &cells, &mut departments).await {
                    Ok(done) => {
                        savepoint.commit().await?;
                        Ok(done)
                    }
                    Err(e) => {
                        savepoint.rollback().await?;
                        // Departments created inside the rolled-back savepoint are gone too.
                        departments.clear();
                        Err(e)
                    }
                }
            }
        };
        payload.results.push(match outcome {
            Ok((status, employee)) => {
                changed.push(serde_json::json!({
                    "id": employee.id, "employeeCode": employee.employee_code,
                    "status": format!("{status:?}"),
                }));
                match status {
                    ImportRowStatus::Created => payload.created += 1,
                    _ => payload.updated += 1,
                }
                ImportRowResult {
                    line: row.line,
                    employee_code: code,
                    status,
                    employee: Some(Employee(employee)),
                    error_code: None,
                    message: None,
                }
            }
            Err(e) => {
                if let ApiError::Internal(cause) = &e {
                    tracing::error!(
                        error = format!("{cause:#}"),
                        line = row.line,
                        "employee import row failed"
                    );
                }
                payload.failed += 1;
                ImportRowResult {
                    line: row.line,
                    employee_code: code,
                    status: ImportRowStatus::Failed,
                    employee: None,
                    error_code: Some(e.code().to_owned()),
                    message: Some(e.message()),
                }
            }
        });
    }
    audit_chunk(&txn, scope, &mut changed).await?;
    txn.commit().await?;
    Ok(payload)
}

/// One audit-log line for the employees a chunk created or updated.
async fn audit_chunk(
    txn: &impl sea_orm::ConnectionTrait,
    scope: &crate::auth::Scope,
    changed: &mut Vec<serde_json::Value>,
) -> ApiResult<()> {
    if changed.is_empty() {
        return Ok(());
    }
    let employees = std::mem::take(changed);
    crate::audit::record(
        txn,
        crate::audit::by(
            scope,
            crate::audit::AuditAction::EmployeesImported,
            "employee",
            employees.len(),
            serde_json::json!({ "employees": employees }),
        ),
    )
    .await
}

async fn apply_row(
    db: &impl sea_orm::ConnectionTrait,
    company_id: Uuid,
    cells: &[String; 7],
    departments: &mut HashMap<String, Uuid>,
) -> ApiResult<(ImportRowStatus, entity::employee::Model)> {
    let [code, full_name, email, title, department, status, start] = cells;
    let code = service::validate_code(code)?;
    let status = parse_status(status)?;
    let start_date = parse_date(start)?;
    let department_id = match non_empty(department) {
        None => None,
        Some(name) => Some(department_id(db, company_id, &name, departments).await?),
    };
    match service::find_by_code(db, company_id, &code).await? {
        Some(existing) => {
            let changes = EmployeeChanges {
                effective_from: None,
                full_name: non_empty(full_name),
                email: non_empty(email).map(Some),
                title: non_empty(title).map(Some),
                department_id: department_id.map(Some),
                work_status: status,
                start_date: start_date.map(Some),
                ..Default::default()
            };
            let updated = service::update(db, company_id, existing.id, changes).await?;
            Ok((ImportRowStatus::Updated, updated))
        }
        None => {
            let new = NewEmployee {
                employee_code: code,
                full_name: full_name.clone(),
                email: non_empty(email),
                title: non_empty(title),
                department_id,
                work_status: status,
                profile_picture_url: None,
                start_date,
            };
            Ok((
                ImportRowStatus::Created,
                service::create(db, company_id, new).await?,
            ))
        }
    }
}

async fn department_id(
    db: &impl sea_orm::ConnectionTrait,
    company_id: Uuid,
    name: &str,
    cache: &mut HashMap<String, Uuid>,
) -> ApiResult<Uuid> {
    if let Some(id) = cache.get(name) {
        return Ok(*id);
    }
    let id = match departments::service::find_by_name(db, company_id, name).await? {
        Some(d) => d.id,
        None => departments::service::create(db, company_id, name).await?.id,
    };
    cache.insert(name.to_owned(), id);
    Ok(id)
}
