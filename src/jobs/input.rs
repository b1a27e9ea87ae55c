//! What `startEmployeeSync` and `previewEmployeeSync` take: the employees to sync.

use async_graphql::{ID, InputObject};
use uuid::Uuid;

use super::service::Selection;
use crate::{
    employees::{EmployeeFilter, service::ListQuery},
    error::ApiResult,
    ids,
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
