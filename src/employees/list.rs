//! The employee list: a filter resolved against one company, keyset pages in employee-code
//! order, and the count.

use entity::employee::{self, FaceSyncStatus, WorkStatus};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    sea_query::LikeExpr,
};
use uuid::Uuid;

use super::{
    text::{clean, fold},
    types::EmployeeFilter,
};
use crate::{
    error::{ApiError, ApiResult},
    ids,
};

/// The longest `search` text: a name or part of one.
pub const MAX_SEARCH_CHARS: usize = 200;

/// A filter resolved against one company.
#[derive(Clone, Debug)]
pub struct ListQuery {
    pub company_id: Uuid,
    pub department_ids: Option<Vec<Uuid>>,
    pub work_statuses: Option<Vec<WorkStatus>>,
    pub employee_code: Option<String>,
    pub search: Option<String>,
    pub face_sync_statuses: Option<Vec<FaceSyncStatus>>,
}

impl ListQuery {
    /// Whether the filter asks for removed leavers by their face-sync status.
    pub fn selects_removed(&self) -> bool {
        self.face_sync_statuses
            .as_ref()
            .is_some_and(|s| s.contains(&FaceSyncStatus::Removed))
    }

    pub fn new(company_id: Uuid, filter: &EmployeeFilter) -> ApiResult<Self> {
        let department_ids = filter
            .department_ids
            .as_ref()
            .map(|ids| {
                ids.iter()
                    .map(|id| {
                        ids::parse(id, "department").map_err(|_| {
                            ApiError::bad_input(
                                "filter.departmentIds",
                                format!("{:?} is not a department id", id.as_str()),
                            )
                        })
                    })
                    .collect::<ApiResult<Vec<_>>>()
            })
            .transpose()?;
        if filter
            .search
            .as_ref()
            .is_some_and(|s| s.chars().count() > MAX_SEARCH_CHARS)
        {
            return Err(crate::error::ApiError::bad_input(
                "filter.search",
                format!("at most {MAX_SEARCH_CHARS} characters"),
            ));
        }
        Ok(Self {
            company_id,
            department_ids,
            work_statuses: filter
                .work_statuses
                .as_ref()
                .map(|s| s.iter().map(|s| (*s).into()).collect()),
            employee_code: clean(filter.employee_code.clone()).map(|c| c.to_lowercase()),
            search: clean(filter.search.clone()).map(|s| fold(&s)),
            face_sync_statuses: filter
                .face_sync_statuses
                .as_ref()
                .map(|s| s.iter().map(|s| (*s).into()).collect()),
        })
    }

    pub fn condition(&self) -> Condition {
        let mut cond = Condition::all().add(employee::Column::CompanyId.eq(self.company_id));
        if let Some(ids) = &self.department_ids {
            cond = cond.add(employee::Column::DepartmentId.is_in(ids.iter().copied()));
        }
        if let Some(statuses) = &self.work_statuses {
            cond = cond.add(employee::Column::WorkStatus.is_in(statuses.iter().copied()));
        }
        if let Some(statuses) = &self.face_sync_statuses {
            cond = cond.add(employee::Column::FaceSyncStatus.is_in(statuses.iter().copied()));
        }
        if let Some(code) = &self.employee_code {
            cond = cond.add(employee::Column::EmployeeCodeKey.eq(code.as_str()));
        }
        if let Some(search) = &self.search {
            let escaped = search
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let pattern = format!("%{escaped}%");
            cond = cond.add(
                Condition::any()
                    .add(
                        employee::Column::FullNameSearch.like(LikeExpr::new(&pattern).escape('\\')),
                    )
                    .add(
                        employee::Column::EmployeeCodeKey
                            .like(LikeExpr::new(&pattern).escape('\\')),
                    ),
            );
        }
        cond
    }
}

/// One page in employee-code order, after the code key `after`. Returns the rows and whether
/// more follow. One SQL statement.
pub async fn page(
    db: &impl ConnectionTrait,
    query: &ListQuery,
    first: u64,
    after: Option<&str>,
) -> ApiResult<(Vec<employee::Model>, bool)> {
    let mut cond = query.condition();
    if let Some(after) = after {
        cond = cond.add(employee::Column::EmployeeCodeKey.gt(after));
    }
    let (rows, has_next) = crate::pagination::keyset_page(
        db,
        employee::Entity::find()
            .filter(cond)
            .order_by_asc(employee::Column::EmployeeCodeKey),
        first,
    )
    .await?;
    Ok((rows, has_next))
}

pub async fn count(db: &impl ConnectionTrait, query: &ListQuery) -> ApiResult<u64> {
    Ok(employee::Entity::find()
        .filter(query.condition())
        .count(db)
        .await?)
}
