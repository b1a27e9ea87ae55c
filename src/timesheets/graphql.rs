//! Timesheets in the schema: `timesheet(month)`, `myTimesheet(month)` and
//! `exportTimesheet(month, filter, format)`.

use async_graphql::{Context, Enum, Object, SimpleObject};
use chrono::{DateTime, Duration, Utc};

use super::service::{self, Sheet};
use crate::{
    attendance::types::AttendanceDay,
    auth::{ContextExt, Permission},
    employees::{Employee, EmployeeFilter, service::ListQuery},
    error::ApiError,
    pagination,
    state::AppContext,
};

/// One employee's month: totals and days. Totals are sums over `days`.
pub struct TimesheetRow(pub Sheet);

/// One employee's month: totals and days. Totals are sums over `days`.
#[Object]
impl TimesheetRow {
    /// The employee.
    async fn employee(&self) -> Employee {
        Employee(self.0.employee.clone())
    }
    /// Minutes worked in the month.
    async fn worked_minutes(&self) -> i64 {
        self.0.totals.worked_minutes
    }
    /// Overtime minutes in the month.
    async fn overtime_minutes(&self) -> i64 {
        self.0.totals.overtime_minutes
    }
    /// Days `PRESENT`, `LATE`, `EARLY_LEAVE` or `LATE_AND_EARLY_LEAVE`.
    async fn days_present(&self) -> i32 {
        self.0.totals.days_present
    }
    /// Days `LATE` or `LATE_AND_EARLY_LEAVE`.
    async fn days_late(&self) -> i32 {
        self.0.totals.days_late
    }
    /// Minutes late in the month.
    async fn late_minutes(&self) -> i64 {
        self.0.totals.late_minutes
    }
    /// Days `EARLY_LEAVE` or `LATE_AND_EARLY_LEAVE`.
    async fn days_early_leave(&self) -> i32 {
        self.0.totals.days_early_leave
    }
    /// Minutes left early in the month.
    async fn early_leave_minutes(&self) -> i64 {
        self.0.totals.early_leave_minutes
    }
    /// Days `ABSENT`.
    async fn days_absent(&self) -> i32 {
        self.0.totals.days_absent
    }
    /// Days `ON_LEAVE`.
    async fn days_on_leave(&self) -> i32 {
        self.0.totals.days_on_leave
    }
    /// Days `INCOMPLETE` (one check-in).
    async fn days_incomplete(&self) -> i32 {
        self.0.totals.days_incomplete
    }
    /// Days `HOLIDAY`.
    async fn holidays(&self) -> i32 {
        self.0.totals.holidays
    }
    /// Days still `PENDING`.
    async fn days_pending(&self) -> i32 {
        self.0.totals.days_pending
    }
    /// The month's stored days, oldest first.
    async fn days(&self) -> &[AttendanceDay] {
        &self.0.days
    }
}

crate::connection!(
    TimesheetConnection,
    TimesheetEdge,
    TimesheetRow,
    "One page of a monthly timesheet, by employee ID.",
    "A timesheet row in a page, with its cursor."
);

/// A file format for `exportTimesheet`.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// Comma-separated values, UTF-8 with a byte-order mark (Excel shows Vietnamese names right).
    Csv,
    /// An Excel workbook: a summary sheet, one sheet per department, and a legend.
    Xlsx,
}

/// Where to download an export.
#[derive(SimpleObject)]
pub struct TimesheetExport {
    /// Download it with the same `Authorization: Bearer` token (the user who prepared it only).
    pub url: String,
    /// The URL stops working then.
    pub expires_at: DateTime<Utc>,
    /// Employees in the file.
    pub row_count: i64,
}

/// How long an export's URL works.
const EXPORT_LIFETIME_MINUTES: i64 = 15;

/// Timesheet queries.
#[derive(Default)]
pub struct TimesheetQuery;

/// Timesheet queries.
#[Object]
impl TimesheetQuery {
    /// A month's timesheet: one row per employee (those the filter selects), by employee ID.
    #[graphql(complexity = "pagination::connection_complexity(first, child_complexity)")]
    async fn timesheet(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The month, `YYYY-MM`.")] month: String,
        #[graphql(desc = "Which employees.")] filter: Option<EmployeeFilter>,
        #[graphql(desc = "Page size (default 20, at most 200).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<TimesheetConnection> {
        let scope = ctx.scope(Permission::ReadCompany)?;
        let db = &ctx.app()?.db;
        let company = crate::linking::service::camera_company(db, scope.company_id).await?;
        let month = service::month(&month)?;
        let first = pagination::page_size(first)?;
        let query = ListQuery::new(
            scope.company_id,
            &filter.unwrap_or_default().without_day_statuses()?,
        )?;
        let after_key = pagination::decode_after(after.as_deref())?;
        let (sheets, more) =
            service::page(db, &company, &query, month, first, after_key.as_deref()).await?;
        let rows = sheets
            .into_iter()
            .map(|s| {
                (
                    pagination::cursor(&s.employee.employee_code_key),
                    TimesheetRow(s),
                )
            })
            .collect();
        Ok(TimesheetConnection::new(
            rows,
            after.is_some(),
            more,
            Box::new(EmployeeCount(query)),
        ))
    }

    /// The caller's own timesheet for a month (a user linked to an employee).
    async fn my_timesheet(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The month, `YYYY-MM`.")] month: String,
    ) -> async_graphql::Result<TimesheetRow> {
        let db = &ctx.app()?.db;
        let (company, employee) =
            crate::attendance::service::own_employee(db, ctx.session()?.user_id).await?;
        let month = service::month(&month)?;
        let sheet = service::sheets(db, &company, vec![employee], month)
            .await?
            .pop()
            .ok_or(ApiError::NotFound("employee"))?;
        Ok(TimesheetRow(sheet))
    }
}

/// Counts the employees of a timesheet.
struct EmployeeCount(ListQuery);

#[async_trait::async_trait]
impl pagination::Countable for EmployeeCount {
    async fn count(&self, db: &sea_orm::DatabaseConnection) -> crate::error::ApiResult<u64> {
        crate::employees::list::count(db, &self.0).await
    }
}

/// Timesheet mutations.
#[derive(Default)]
pub struct TimesheetMutation;

/// Timesheet mutations.
#[Object]
impl TimesheetMutation {
    /// Prepares a download of a month's timesheet: employee ID, name, department, a short
    /// status code per day, then the totals. CSV is that one table (the codes are in the
    /// README); XLSX adds a sheet per department (up to 250) and a Legend sheet. Text cells
    /// that a spreadsheet would run as a formula are written with a leading `'`. The URL works
    /// for a short while, with the same token: only the user who prepared it can download it.
    /// At most 10 exports a minute per user (`RATE_LIMITED` with `retryAfterSeconds`);
    /// audited.
    async fn export_timesheet(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The month, `YYYY-MM`.")] month: String,
        #[graphql(desc = "Which employees.")] filter: Option<EmployeeFilter>,
        #[graphql(desc = "CSV (default) or XLSX.")] format: Option<ExportFormat>,
    ) -> async_graphql::Result<TimesheetExport> {
        let scope = ctx.scope(Permission::ReadCompany)?;
        let app = ctx.app()?;
        crate::linking::service::camera_company(&app.db, scope.company_id).await?;
        service::month(&month)?;
        let filter = filter.unwrap_or_default().without_day_statuses()?;
        let query = ListQuery::new(scope.company_id, &filter)?;
        let row_count = crate::employees::list::count(&app.db, &query).await?;
        let expires_at = Utc::now() + Duration::minutes(EXPORT_LIFETIME_MINUTES);
        let id = super::requests::create(
            &app.db,
            &scope,
            &month,
            &filter,
            format.unwrap_or(ExportFormat::Csv),
            expires_at,
        )
        .await?;
        Ok(TimesheetExport {
            url: format!("{}/exports/timesheets/{id}", app.settings.public_url()),
            expires_at,
            row_count: i64::try_from(row_count).unwrap_or(i64::MAX),
        })
    }
}
