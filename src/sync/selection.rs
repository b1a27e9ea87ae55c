//! Which employees a sync takes ("Sync selected", "Sync all" narrowed like the employee
//! list), as `startEmployeeSync` and `previewEmployeeSync` name them, and queueing that sync.

use async_graphql::{ID, InputObject};
use entity::{
    employee,
    sync_job::{self, JobKind},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::{
    auth::Scope,
    employees::{EmployeeFilter, service::ListQuery},
    error::{ApiError, ApiResult},
    ids,
    jobs::store::{self, NewItem},
    linking::service as linking,
    state::AppState,
};

/// Which employees to sync. Neither field: every employee.
#[derive(InputObject, Default)]
pub struct StartEmployeeSyncInput {
    /// "Sync selected": these employees.
    pub employee_ids: Option<Vec<ID>>,
    /// "Sync all", narrowed like the employee list.
    pub filter: Option<EmployeeFilter>,
}

/// The selection an input names.
pub fn selection(company_id: Uuid, input: StartEmployeeSyncInput) -> ApiResult<Selection> {
    Ok(match (input.employee_ids, input.filter) {
        (Some(ids), _) => Selection::Ids(
            ids.iter()
                .map(|id| ids::parse(id, "employee"))
                .collect::<ApiResult<_>>()?,
        ),
        (None, filter) => Selection::Filter(ListQuery::new(
            company_id,
            &filter.unwrap_or_default().without_day_statuses()?,
        )?),
    })
}

/// Which employees to sync: ticked ids, a filter, or (neither) everyone.
pub enum Selection {
    Ids(Vec<Uuid>),
    Filter(ListQuery),
}

/// The employees a selection means, by employee ID: the ids given, or the filter's (a leaver
/// already removed from the cameras has nothing left to sync, unless the filter asks for that
/// status). The sync and its preview read the same.
pub fn selected(company_id: Uuid, selection: &Selection) -> sea_orm::Select<employee::Entity> {
    let query = employee::Entity::find()
        .filter(employee::Column::CompanyId.eq(company_id))
        .order_by_asc(employee::Column::EmployeeCodeKey);
    match selection {
        Selection::Ids(ids) => query.filter(employee::Column::Id.is_in(ids.iter().copied())),
        Selection::Filter(list) if list.selects_removed() => query.filter(list.condition()),
        Selection::Filter(list) => query
            .filter(list.condition())
            .filter(employee::Column::FaceSyncStatus.ne(employee::FaceSyncStatus::Removed)),
    }
}

pub async fn start_employee_sync(
    app: &AppState,
    scope: Scope,
    selection: Selection,
) -> ApiResult<sync_job::Model> {
    queue_employee_sync(app, scope.company_id, Some(scope.user_id), selection).await
}

/// Queues an employee sync of the selection, started by `created_by` (none: the server itself,
/// e.g. an automatic follow-up).
pub async fn queue_employee_sync(
    app: &AppState,
    company_id: Uuid,
    created_by: Option<Uuid>,
    selection: Selection,
) -> ApiResult<sync_job::Model> {
    linking::selected_place(&app.db, company_id).await?;
    let query = selected(company_id, &selection)
        .select_only()
        .column(employee::Column::Id)
        .column(employee::Column::EmployeeCode);
    let rows: Vec<(Uuid, String)> = query.into_tuple().all(&app.db).await?;
    if let Selection::Ids(ids) = &selection
        && rows.len() != ids.iter().collect::<std::collections::HashSet<_>>().len()
    {
        return Err(ApiError::NotFound("employee"));
    }
    if rows.is_empty() {
        return Err(ApiError::bad_input("input", "no employees match"));
    }
    let items = rows
        .into_iter()
        .map(|(id, code)| NewItem {
            employee_id: Some(id),
            label: code,
            params: None,
        })
        .collect();
    let job = store::create_job(
        &app.db,
        store::NewJob {
            company_id,
            kind: JobKind::Employees,
            busy: <super::employees::EmployeeSync as crate::jobs::handler::Worker>::BUSY,
            created_by,
            params: None,
            retry_of: None,
        },
        items,
    )
    .await?;
    app.jobs.queued();
    app.jobs.changed(job.id);
    Ok(job)
}
