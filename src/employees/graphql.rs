//! Employee queries and mutations: thin resolvers over [`super::service`].

use async_graphql::{Context, ID, Object, Upload};

use super::{
    import::{self, ImportEmployeesPayload},
    service::{self, EmployeeChanges, ListQuery, NewEmployee},
    types::{CreateEmployeeInput, Employee, EmployeeFilter, UpdateEmployeeInput},
};
use crate::{
    auth::{ContextExt, Permission},
    days::rows as day_rows,
    db::Lock,
    error::{ApiError, ApiResult},
    ids,
    loaders::Loaders,
    pagination,
    state::AppContext,
};

crate::connection!(
    EmployeeConnection,
    EmployeeEdge,
    Employee,
    "One page of the company's employees.",
    "An employee in a page, with its cursor."
);

#[async_trait::async_trait]
impl pagination::Countable for ListQuery {
    async fn count(&self, db: &sea_orm::DatabaseConnection) -> ApiResult<u64> {
        service::count(db, self).await
    }
}

#[derive(Default)]
pub struct EmployeesQuery;

/// Employee queries.
#[Object]
impl EmployeesQuery {
    /// The company's employees in employee-ID order, filtered and paginated.
    #[graphql(complexity = "pagination::connection_complexity(first, child_complexity)")]
    async fn employees(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions employees must meet.")] filter: Option<EmployeeFilter>,
        #[graphql(desc = "Page size (default 20, at most 200).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<EmployeeConnection> {
        let scope = ctx.scope(Permission::ReadCompany)?;
        let first = pagination::page_size(first)?;
        let after = pagination::decode_after(after.as_deref())?;
        let query = ListQuery::new(
            scope.company_id,
            &filter.unwrap_or_default().without_day_statuses()?,
        )?;
        let db = &ctx.app()?.db;
        let (rows, has_next) = service::page(db, &query, first, after.as_deref()).await?;
        // Load the page's departments and photos in one batch each, up front (deterministic,
        // whatever the timing of the per-node resolvers), when the query asks for them.
        let node = ctx.look_ahead().field("edges").field("node");
        let wanted = |field: &str, id: fn(&entity::employee::Model) -> Option<uuid::Uuid>| {
            if node.field(field).exists() {
                rows.iter().filter_map(id).collect()
            } else {
                Vec::new()
            }
        };
        ctx.data::<Loaders>()?
            .prime(
                wanted("department", |e| e.department_id),
                wanted("facePhoto", |e| e.face_photo_id),
            )
            .await?;
        let rows = rows
            .into_iter()
            .map(|e| (pagination::cursor(&e.employee_code_key), Employee(e)))
            .collect();
        Ok(EmployeeConnection::new(
            rows,
            after.is_some(),
            has_next,
            Box::new(query),
        ))
    }

    /// One employee of the company; `NOT_FOUND` for ids of other companies.
    async fn employee(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The employee's id.")] id: ID,
    ) -> async_graphql::Result<Employee> {
        let scope = ctx.scope(Permission::ReadCompany)?;
        let id = ids::parse(&id, "employee")?;
        let db = &ctx.app()?.db;
        Ok(Employee(service::get(db, scope.company_id, id).await?))
    }
}

#[derive(Default)]
pub struct EmployeesMutation;

/// Employee mutations.
#[Object]
impl EmployeesMutation {
    /// Creates an employee; an employee ID already used answers `CONFLICT`.
    async fn create_employee(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new employee.")] input: CreateEmployeeInput,
    ) -> async_graphql::Result<Employee> {
        let scope = ctx.scope(Permission::ManageEmployees)?;
        let department_id = input
            .department_id
            .as_ref()
            .map(|id| ids::parse(id, "department"))
            .transpose()?;
        let new = NewEmployee {
            employee_code: input.employee_code,
            full_name: input.full_name,
            email: input.email,
            title: input.title,
            department_id,
            work_status: input.work_status.map(Into::into),
            profile_picture_url: input.profile_picture_url,
            start_date: input.start_date.map(|d| d.0),
        };
        let db = &ctx.app()?.db;
        // Check-ins already stored under the new ID are added to its days.
        let txn = day_rows::begin(db, scope.company_id, Lock::Shared).await?;
        let employee = service::create(&txn, scope.company_id, new).await?;
        crate::audit::record(
            &txn,
            crate::audit::by(
                &scope,
                crate::audit::AuditAction::EmployeeCreated,
                "employee",
                employee.id,
                service::snapshot(&employee),
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(Employee(employee))
    }

    /// Changes an employee.
    async fn update_employee(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The employee to change.")] id: ID,
        #[graphql(desc = "The changes.")] input: UpdateEmployeeInput,
    ) -> async_graphql::Result<Employee> {
        let scope = ctx.scope(Permission::ManageEmployees)?;
        let id = ids::parse(&id, "employee")?;
        let department_id = match Option::<Option<ID>>::from(input.department_id) {
            None => None,
            Some(None) => Some(None),
            Some(Some(id)) => Some(Some(ids::parse(&id, "department")?)),
        };
        let effective_from = input.effective_from.map(|d| d.0);
        let changes = EmployeeChanges {
            employee_code: input.employee_code,
            full_name: input.full_name,
            email: input.email.into(),
            title: input.title.into(),
            department_id,
            work_status: input.work_status.map(Into::into),
            profile_picture_url: input.profile_picture_url.into(),
            start_date: Option::<Option<crate::scalars::Date>>::from(input.start_date)
                .map(|d| d.map(|d| d.0)),
            effective_from,
        };
        // A department or status change recomputes days; a new ID adds check-ins to them.
        let how = if changes.department_id.is_some()
            || changes.work_status.is_some()
            || effective_from.is_some()
            || changes.start_date.is_some()
        {
            Lock::Exclusive
        } else {
            Lock::Shared
        };
        let db = &ctx.app()?.db;
        let txn = day_rows::begin(db, scope.company_id, how).await?;
        let before = service::get(&txn, scope.company_id, id).await?;
        let after = service::update(&txn, scope.company_id, id, changes).await?;
        crate::audit::record(
            &txn,
            crate::audit::by(
                &scope,
                crate::audit::AuditAction::EmployeeUpdated,
                "employee",
                id,
                serde_json::json!({
                    "before": service::snapshot(&before),
                    "after": service::snapshot(&after),
                    "effectiveFrom": effective_from,
                }),
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(Employee(after))
    }

    /// Imports employees from a CSV file with the header
    /// `employee_code,full_name,email,title,department,work_status`. One result per row; a bad
    /// row fails alone. Existing employee IDs are updated; unknown departments are created.
    async fn import_employees(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The CSV file (UTF-8).")] file: Upload,
    ) -> async_graphql::Result<ImportEmployeesPayload> {
        let scope = ctx.scope(Permission::ManageEmployees)?;
        let upload = file
            .value(ctx)
            .map_err(|e| ApiError::bad_input("file", format!("upload unreadable: {e}")))?;
        let db = &ctx.app()?.db;
        Ok(import::import(db, &scope, Box::new(upload.into_read())).await?)
    }
}
