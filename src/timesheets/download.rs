//! `GET /exports/timesheets/{id}`: downloads an export prepared by `exportTimesheet`, for a
//! user of the same company who may read it (others get 404, as if it did not exist), until it
//! expires. The file is written as it downloads, from the stored days, so any process serves it.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, http::header, web};
use async_graphql::InputType;
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use entity::{company, department, timesheet_export};
use futures_util::stream;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    export::{self, Xlsx},
    graphql::ExportFormat,
    service,
};
use crate::{
    auth::{Caller, Role, Scope},
    employees::{EmployeeFilter, service::ListQuery},
    error::http_error,
    error::{ApiError, ApiResult},
    state::AppState,
};

/// Employees per page while writing.
const PAGE: u64 = 200;

/// Stores what an export will write; returns its id.
pub async fn create(
    db: &DatabaseConnection,
    scope: &Scope,
    month: &str,
    filter: &EmployeeFilter,
    format: ExportFormat,
    expires_at: DateTime<Utc>,
) -> ApiResult<Uuid> {
    let id = Uuid::now_v7();
    let filter = serde_json::to_string(&filter.to_value()).map_err(ApiError::internal)?;
    timesheet_export::Entity::insert(timesheet_export::ActiveModel {
        id: Set(id),
        company_id: Set(scope.company_id),
        created_by: Set(scope.user_id),
        month: Set(month.to_owned()),
        format: Set(match format {
            ExportFormat::Csv => "CSV",
            ExportFormat::Xlsx => "XLSX",
        }
        .to_owned()),
        filter: Set(Some(filter)),
        expires_at: Set(expires_at),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

/// Everything the writer needs.
struct Job {
    db: DatabaseConnection,
    company: company::Model,
    query: ListQuery,
    month: (NaiveDate, NaiveDate),
    departments: HashMap<Uuid, String>,
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
    let job = match prepare(&app.db, company_id, id).await {
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

/// The export `id` of `company_id` if it has not expired, ready to write.
async fn prepare(
    db: &DatabaseConnection,
    company_id: Uuid,
    id: Uuid,
) -> ApiResult<Option<(ExportFormat, Job)>> {
    let Some(export) = timesheet_export::Entity::find_by_id(id)
        .filter(timesheet_export::Column::CompanyId.eq(company_id))
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

/// Where the CSV writer stands.
enum Step {
    Header,
    Page(Option<String>),
    Legend,
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
                            csv_line(cells.iter().map(export::Cell::text)).unwrap_or_default(),
                        );
                    }
                    let last = sheets.last().map(|s| s.employee.employee_code_key.clone());
                    (bytes, if more { Step::Page(last) } else { Step::Legend })
                }
                Err(e) => {
                    tracing::error!(error = e.message(), "timesheet export stopped");
                    return Some((
                        Err(actix_web::error::ErrorInternalServerError("export failed")),
                        (job, Step::Done),
                    ));
                }
            },
            Step::Legend => {
                let mut bytes = b"\r\n".to_vec();
                bytes.extend(
                    csv_line(["Code".to_owned(), "Meaning".to_owned()]).unwrap_or_default(),
                );
                for line in export::legend() {
                    bytes.extend(csv_line(line).unwrap_or_default());
                }
                (bytes, Step::Done)
            }
        };
        Some((Ok(Bytes::from(chunk)), (job, next)))
    })
}

async fn xlsx(job: Job) -> ApiResult<Vec<u8>> {
    let xlsx_err = |e: rust_xlsxwriter::XlsxError| ApiError::internal(anyhow::anyhow!("{e}"));
    let mut book = Xlsx::new(export::header(job.month)).map_err(xlsx_err)?;
    let mut after: Option<String> = None;
    loop {
        let (sheets, more) = job.page(after.as_deref()).await?;
        for sheet in &sheets {
            book.add(&export::row(sheet, job.month, &job.departments))
                .map_err(xlsx_err)?;
        }
        after = sheets.last().map(|s| s.employee.employee_code_key.clone());
        if !more {
            break;
        }
    }
    tokio::task::spawn_blocking(move || book.finish())
        .await
        .map_err(ApiError::internal)?
        .map_err(xlsx_err)
}
