//! `previewEmployeeSync`: what a sync of the same selection would do to each employee, decided
//! by the same rules as the sync itself ([`plan`]) from one read of Hanet's person list, and
//! writing nothing. A test runs a preview and then the sync, and compares them item by item.

use std::collections::HashMap;

use async_graphql::{Context, Enum, Object, SimpleObject};
use entity::employee::{self, WorkStatus};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::{
    auth::{ContextExt, Permission},
    employees::Employee,
    error::{ApiError, ApiResult},
    pagination,
    state::AppContext,
    state::AppState,
    sync::selection::{self as jobs, StartEmployeeSyncInput},
};

/// What a sync would do to one employee.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SyncAction {
    /// Create the person on Hanet.
    Create,
    /// Replace the face.
    UpdateFace,
    /// Change the name, title or employee ID on Hanet.
    UpdateInfo,
    /// Replace the face and change the details.
    Update,
    /// Remove the person (a leaver).
    Remove,
    /// Nothing: Hanet is up to date.
    None,
    /// Not synced (no face photo): the item fails with the reason.
    Skip,
}

/// What Hanet's person list says, as the sync reads it.
pub struct Persons<'a> {
    /// Person id by alias.
    pub by_alias: &'a HashMap<String, String>,
    /// Alias ("" for none) by person id.
    pub alias_of: &'a HashMap<String, String>,
}

/// The sync's decision for one employee, without doing it (`sync::employees` does it in the
/// same order: leaver, photo, alias move, adopt or create, face, details).
pub fn plan(
    e: &employee::Model,
    photo_sha: Option<&str>,
    persons: &Persons<'_>,
) -> (SyncAction, String) {
    let alias = e.employee_code.as_str();
    if e.work_status == WorkStatus::Resigned {
        let known = e.hanet_person_id.is_some() || persons.by_alias.contains_key(alias);
        return if known {
            (
                SyncAction::Remove,
                "left the company: removed from the cameras".to_owned(),
            )
        } else {
            (
                SyncAction::None,
                "left the company and is not on the cameras".to_owned(),
            )
        };
    }
    let Some(photo_sha) = photo_sha else {
        return (
            SyncAction::Skip,
            "no face photo; upload one first".to_owned(),
        );
    };
    let mut action = SyncAction::None;
    let mut reasons = Vec::new();
    let (mut person, mut synced_sha, mut synced_name, mut synced_title) = (
        e.hanet_person_id.clone(),
        e.synced_photo_sha256.clone(),
        e.synced_name.clone(),
        e.synced_title.clone(),
    );
    if let Some(id) = &person {
        match persons.alias_of.get(id) {
            Some(on_hanet) if on_hanet == alias => {}
            Some(_) => {
                action = SyncAction::UpdateInfo;
                reasons.push("the employee ID changed");
            }
            None => {
                (person, synced_sha, synced_name, synced_title) = (None, None, None, None);
                reasons.push("the person is no longer in the place");
            }
        }
    }
    if person.is_none() {
        if persons.by_alias.contains_key(alias) {
            synced_sha = None;
            reasons.push("a person with this employee ID is already on Hanet: adopted");
        } else {
            return (SyncAction::Create, "not on the cameras yet".to_owned());
        }
    }
    if synced_sha.as_deref() != Some(photo_sha) {
        reasons.push("the photo changed");
        if action == SyncAction::None {
            action = SyncAction::UpdateFace;
        }
    }
    if synced_name.as_deref() != Some(e.full_name.as_str()) || synced_title != e.title {
        reasons.push("the name or title changed");
        action = match action {
            SyncAction::None => SyncAction::UpdateInfo,
            SyncAction::UpdateFace => SyncAction::Update,
            other => other,
        };
    }
    let reason = if reasons.is_empty() {
        "up to date".to_owned()
    } else {
        reasons.join("; ")
    };
    (action, reason)
}

/// One employee in a preview.
pub struct PreviewItem {
    employee: employee::Model,
    action: SyncAction,
    reason: String,
}

/// One employee in a preview.
#[Object]
impl PreviewItem {
    /// The employee.
    async fn employee(&self) -> Employee {
        Employee(self.employee.clone())
    }
    /// What the sync would do.
    async fn action(&self) -> SyncAction {
        self.action
    }
    /// Why.
    async fn reason(&self) -> &str {
        &self.reason
    }
}

/// How many employees an action would touch.
#[derive(SimpleObject)]
pub struct SyncActionCount {
    /// The action.
    pub action: SyncAction,
    /// Employees it applies to.
    pub count: i32,
}

/// What a sync would do, one page of employees at a time, with counts over all of them.
pub struct EmployeeSyncPreview {
    items: Vec<PreviewItem>,
    counts: Vec<SyncActionCount>,
    total: usize,
    next: Option<usize>,
}

/// What a sync would do, one page of employees at a time, with counts over all of them.
#[Object]
impl EmployeeSyncPreview {
    /// Employees the sync would go through.
    async fn total_count(&self) -> i32 {
        i32::try_from(self.total).unwrap_or(i32::MAX)
    }
    /// Employees per action (actions with none are left out).
    async fn counts(&self) -> &[SyncActionCount] {
        &self.counts
    }
    /// This page, by employee ID.
    async fn items(&self) -> &[PreviewItem] {
        &self.items
    }
    /// Pass as `after` for the next page; null on the last page.
    async fn end_cursor(&self) -> Option<String> {
        self.next.map(|n| pagination::cursor(&n.to_string()))
    }
}

/// Sync previews.
#[derive(Default)]
pub struct PreviewQuery;

/// Sync previews.
#[Object]
impl PreviewQuery {
    /// What `startEmployeeSync` with the same input would do to each employee, from one read
    /// of Hanet's person list; writes nothing.
    #[graphql(complexity = "crate::pagination::VENDOR_CALL_COST + child_complexity * 20")]
    async fn preview_employee_sync(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which employees; omitted: all.")] input: Option<StartEmployeeSyncInput>,
        #[graphql(desc = "Page size (default 20, at most 200).")] first: Option<i32>,
        #[graphql(desc = "`endCursor` of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<EmployeeSyncPreview> {
        let scope = ctx.scope(Permission::ManageEmployees)?;
        let app = ctx.app()?;
        let selection = jobs::selection(scope.company_id, input.unwrap_or_default())?;
        let first = pagination::page_size(first)? as usize;
        let start = match pagination::decode_after(after.as_deref())? {
            None => 0,
            Some(key) => key
                .parse::<usize>()
                .map_err(|_| ApiError::bad_input("after", "not a cursor this list handed out"))?,
        };
        Ok(preview(app, scope.company_id, &selection, start, first).await?)
    }
}

async fn preview(
    app: &AppState,
    company_id: uuid::Uuid,
    selection: &jobs::Selection,
    start: usize,
    first: usize,
) -> ApiResult<EmployeeSyncPreview> {
    let context = super::employees::prepare(app, company_id)
        .await
        .map_err(|message| ApiError::HanetUnavailable {
            code: None,
            message,
        })?;
    let employees = jobs::selected(company_id, selection).all(&app.db).await?;
    // As `startEmployeeSync`: ids that are not the company's employees are not found.
    if let jobs::Selection::Ids(ids) = selection
        && employees.len() != ids.iter().collect::<std::collections::HashSet<_>>().len()
    {
        return Err(ApiError::NotFound("employee"));
    }
    let photo_ids: Vec<uuid::Uuid> = employees.iter().filter_map(|e| e.face_photo_id).collect();
    let shas: HashMap<uuid::Uuid, String> = entity::face_photo::Entity::find()
        .filter(entity::face_photo::Column::Id.is_in(photo_ids))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.sha256))
        .collect();
    let persons = Persons {
        by_alias: &context.persons_by_alias,
        alias_of: &context.aliases_by_person,
    };
    let mut counts: HashMap<SyncAction, i32> = HashMap::new();
    let mut items = Vec::new();
    let total = employees.len();
    for (i, employee) in employees.into_iter().enumerate() {
        let sha = employee
            .face_photo_id
            .and_then(|id| shas.get(&id))
            .map(String::as_str);
        let (action, reason) = plan(&employee, sha, &persons);
        *counts.entry(action).or_default() += 1;
        if i >= start && items.len() < first {
            items.push(PreviewItem {
                employee,
                action,
                reason,
            });
        }
    }
    let mut counts: Vec<SyncActionCount> = counts
        .into_iter()
        .map(|(action, count)| SyncActionCount { action, count })
        .collect();
    counts.sort_by_key(|c| c.action);
    let next = (start + items.len() < total).then_some(start + items.len());
    Ok(EmployeeSyncPreview {
        items,
        counts,
        total,
        next,
    })
}
