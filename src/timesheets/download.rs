//! `GET /exports/timesheets/{id}`: downloads an export prepared by `exportTimesheet`, for the
//! user who prepared it (anyone else gets 404, as if it did not exist), until it expires. The
//! file is written as it downloads, from the stored days, so any process serves it. At most
//! [`MAX_DOWNLOADS`](crate::guard::MAX_DOWNLOADS) are written at once per process; more get 503 with `Retry-After`.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, http::header, web};
use async_graphql::InputType;
use bytes::Bytes;
use chrono::{NaiveDate, Utc};
use entity::{company, department, timesheet_export};
use futures_util::stream;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use tokio::sync::OwnedSemaphorePermit;
use uuid::Uuid;

use super::{export, graphql::ExportFormat, service, xlsx};
use crate::{
    auth::{Caller, Role},
    employees::{EmployeeFilter, service::ListQuery},
    error::http_error,
    error::{ApiError, ApiResult},
    state::AppState,
};

/// Employees per page while writing.
const PAGE: u64 = 200;

/// Everything the writer needs.
struct Job {
    db: DatabaseConnection,
    company: company::Model,
    query: ListQuery,
    month: (NaiveDate, NaiveDate),
    departments: HashMap<Uuid, String>,
    /// Held until the file is written.
    _permit: OwnedSemaphorePermit,
}

impl Job {
    async fn page(&self, after: Option<&str>) -> ApiResult<(Vec<service::Sheet>, bool)> {
        service::page(
            &self.db,
            &self.company,
            &self.query,
            self.month,
            PAGE,
            after,
        )
        .await
    }
}

pub async fn get_export(
    req: HttpRequest,
    app: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let Caller::Authenticated(session) = app.jwt.caller_from_header(authorization) else {
        return http_error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "send the token that prepared the export: `Authorization: Bearer <token>`",
        );
    };
    let not_found = || {
        http_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "export not found or expired",
        )
    };
    let (Some(company_id), Ok(id)) = (session.company_id, Uuid::parse_str(&path)) else {
        return not_found();
    };
    if !matches!(session.role, Role::Admin | Role::Hr | Role::Viewer) {
        return not_found();
    }
    let Ok(permit) = app.guards.downloads.clone().try_acquire_owned() else {
        return HttpResponse::ServiceUnavailable()
            .insert_header((header::RETRY_AFTER, "5"))
            .json(serde_json::json!({ "errors": [{
                "message": format!("{} exports are being written; try again in a few seconds", crate::guard::MAX_DOWNLOADS),
                "extensions": { "code": "RATE_LIMITED", "retryAfterSeconds": 5 },
            }] }));
    };
    let job = match prepare(&app.db, company_id, session.user_id, id, permit).await {
        Ok(Some(job)) => job,
        Ok(None) => return not_found(),
        Err(e) => return e.http_response(),
    };
    let (format, job) = job;
    let file = format!("timesheet-{}", job.month.0.format("%Y-%m"));
    match format {
        ExportFormat::Csv => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}.csv\""),
            ))
            .insert_header((header::CACHE_CONTROL, "private, no-store"))
            .streaming(csv_stream(job)),
        ExportFormat::Xlsx => match xlsx(job).await {
            Ok(bytes) => HttpResponse::Ok()
                .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file}.xlsx\""),
                ))
                .insert_header((header::CACHE_CONTROL, "private, no-store"))
                .body(bytes),
            Err(e) => {
                tracing::error!(error = e.message(), "timesheet export failed");
                e.http_response()
            }
        },
    }
}

/// The export `id` that `user_id` of `company_id` prepared, if it has not expired, ready to
/// write.
async fn prepare(
    db: &DatabaseConnection,
    company_id: Uuid,
    user_id: Uuid,
    id: Uuid,
    permit: OwnedSemaphorePermit,
) -> ApiResult<Option<(ExportFormat, Job)>> {
    let Some(export) = timesheet_export::Entity::find_by_id(id)
        .filter(timesheet_export::Column::CompanyId.eq(company_id))
        .filter(timesheet_export::Column::CreatedBy.eq(user_id))
        .filter(timesheet_export::Column::ExpiresAt.gt(Utc::now()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let company = crate::companies::service::get(db, company_id).await?;
    let value: Option<async_graphql::Value> = export
        .filter
        .as_deref()
        .and_then(|f| serde_json::from_str(f).ok());
    let filter = EmployeeFilter::parse(value)
        .map_err(|_| ApiError::internal(anyhow::anyhow!("stored export filter unreadable")))?;
    let departments = department::Entity::find()
        .filter(department::Column::CompanyId.eq(company_id))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let format = if export.format == "XLSX" {
        ExportFormat::Xlsx
    } else {
        ExportFormat::Csv
    };
    Ok(Some((
        format,
        Job {
            db: db.clone(),
            query: ListQuery::new(company_id, &filter)?,
            month: service::month(&export.month)?,
            company,
            departments,
            _permit: permit,
        },
    )))
}

fn csv_line(fields: impl IntoIterator<Item = String>) -> ApiResult<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    writer.write_record(fields).map_err(ApiError::internal)?;
    writer
        .into_inner()
        .map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))
}

/// Where the CSV writer stands. The CSV is one table (a header, a row per employee, nothing
/// after it) so payroll tools import it; the code legend is in the XLSX and the README.
enum Step {
    Header,
    Page(Option<String>),
    Done,
}

fn csv_stream(job: Job) -> impl futures_util::Stream<Item = Result<Bytes, actix_web::Error>> {
    stream::unfold((job, Step::Header), |(job, step)| async move {
        let (chunk, next) = match step {
            Step::Done => return None,
            Step::Header => {
                // The byte-order mark makes Excel read the file as UTF-8.
                let mut bytes = "\u{feff}".as_bytes().to_vec();
                bytes.extend(csv_line(export::header(job.month)).unwrap_or_default());
                (bytes, Step::Page(None))
            }
            Step::Page(after) => match job.page(after.as_deref()).await {
                Ok((sheets, more)) => {
                    let mut bytes = Vec::new();
                    for sheet in &sheets {
                        let cells = export::row(sheet, job.month, &job.departments);
                        bytes.extend(
                            csv_line(cells.iter().map(export::Cell::csv_field)).unwrap_or_default(),
                        );
                    }
                    let last = sheets.last().map(|s| s.employee.employee_code_key.clone());
                    (bytes, if more { Step::Page(last) } else { Step::Done })
                }
                Err(e) => {
                    tracing::error!(error = e.message(), "timesheet export stopped");
                    return Some((
                        Err(actix_web::error::ErrorInternalServerError("export failed")),
                        (job, Step::Done),
                    ));
                }
            },
        };
        Some((Ok(Bytes::from(chunk)), (job, next)))
    })
}

/// The XLSX, built on a blocking thread (the writer does file I/O) from pages read here.
async fn xlsx(job: Job) -> ApiResult<Vec<u8>> {
    let departments = job.departments.len();
    let (pages, received) = tokio::sync::mpsc::channel(2);
    let header = export::header(job.month);
    let builder = tokio::task::spawn_blocking(move || xlsx::build(header, departments, received));
    let mut after: Option<String> = None;
    loop {
        let (sheets, more) = job.page(after.as_deref()).await?;
        let rows = sheets
            .iter()
            .map(|sheet| export::row(sheet, job.month, &job.departments))
            .collect();
        after = sheets.last().map(|s| s.employee.employee_code_key.clone());
        // A closed channel: the builder stopped on an error, which its result names.
        if pages.send(rows).await.is_err() || !more {
            break;
        }
    }
    drop(pages);
    builder
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))
}
