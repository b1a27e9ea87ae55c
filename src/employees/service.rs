//! Employee storage: validation, create and update. Listing is in [`super::list`].

use chrono::Utc;
use entity::employee::{self, FaceSyncStatus, WorkStatus};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use uuid::Uuid;

pub use super::list::{ListQuery, count, page};
use super::text::clean;
pub use super::text::fold;
use crate::{
    auth::service::normalize_email,
    departments,
    error::{ApiError, ApiResult},
};

pub fn validate_code(code: &str) -> ApiResult<String> {
    let code = code.trim();
    let ok = !code.is_empty()
        && code.len() <= 64
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(code.to_owned())
    } else {
        Err(ApiError::bad_input(
            "employeeCode",
            "must be 1–64 letters, digits, '-', '_' or '.'",
        ))
    }
}

pub fn validate_full_name(name: &str) -> ApiResult<String> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::bad_input("fullName", "must be 1–200 characters"));
    }
    Ok(name)
}

fn validate_email(email: Option<String>) -> ApiResult<Option<String>> {
    clean(email).map(|e| normalize_email(&e)).transpose()
}

fn validate_title(title: Option<String>) -> ApiResult<Option<String>> {
    let title = clean(title);
    if title.as_ref().is_some_and(|t| t.chars().count() > 200) {
        return Err(ApiError::bad_input(
            "title",
            "must be at most 200 characters",
        ));
    }
    Ok(title)
}

fn validate_url(url: Option<String>) -> ApiResult<Option<String>> {
    let url = clean(url);
    if url
        .as_ref()
        .is_some_and(|u| !(u.starts_with("http://") || u.starts_with("https://")) || u.len() > 2048)
    {
        return Err(ApiError::bad_input(
            "profilePictureUrl",
            "must be an http(s) URL",
        ));
    }
    Ok(url)
}

pub async fn get(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    id: Uuid,
) -> ApiResult<employee::Model> {
    employee::Entity::find_by_id(id)
        .filter(employee::Column::CompanyId.eq(company_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("employee"))
}

/// A new employee, as given by a client.
pub struct NewEmployee {
    pub employee_code: String,
    pub full_name: String,
    pub email: Option<String>,
    pub title: Option<String>,
    pub department_id: Option<Uuid>,
    pub work_status: Option<WorkStatus>,
    pub profile_picture_url: Option<String>,
    pub start_date: Option<chrono::NaiveDate>,
}

async fn check_department(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    department_id: Option<Uuid>,
) -> ApiResult<()> {
    if let Some(id) = department_id
        && departments::service::find_in_company(db, company_id, id)
            .await?
            .is_none()
    {
        return Err(ApiError::NotFound("department"));
    }
    Ok(())
}

fn duplicate_code(code: &str) -> impl FnOnce() -> String + '_ {
    move || format!("employee ID {code:?} is already used in this company")
}

pub async fn create(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    new: NewEmployee,
) -> ApiResult<employee::Model> {
    let code = validate_code(&new.employee_code)?;
    let full_name = validate_full_name(&new.full_name)?;
    check_department(db, company_id, new.department_id).await?;
    let now = Utc::now();
    let employee = employee::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(company_id),
        department_id: Set(new.department_id),
        employee_code_key: Set(code.to_lowercase()),
        employee_code: Set(code.clone()),
        full_name_search: Set(fold(&full_name)),
        full_name: Set(full_name),
        email: Set(validate_email(new.email)?),
        title: Set(validate_title(new.title)?),
        work_status: Set(new.work_status.unwrap_or(WorkStatus::Working)),
        profile_picture_url: Set(validate_url(new.profile_picture_url)?),
        created_at: Set(now),
        updated_at: Set(now),
        face_photo_id: Set(None),
        face_sync_status: Set(FaceSyncStatus::NoPhoto),
        hanet_person_id: Set(None),
        synced_photo_sha256: Set(None),
        synced_name: Set(None),
        synced_title: Set(None),
        last_synced_at: Set(None),
        last_sync_error: Set(None),
        last_sync_error_code: Set(None),
        removed_from_hanet_at: Set(None),
        auto_sync_changed_at: Set(None),
        start_date: Set(new.start_date),
    }
    .insert(db)
    .await
    .map_err(|e| ApiError::from_db_conflict(e, duplicate_code(&code)))?;
    super::periods::record(
        db,
        company_id,
        employee.id,
        super::periods::since_always(),
        employee.department_id,
        employee.work_status,
    )
    .await?;
    // Check-ins seen before the employee existed are theirs now.
    crate::checkins::remap::remap(db, company_id, Some(&employee.employee_code_key)).await?;
    // The company's attendance starts no later than its first employee; the days this one is
    // expected from (their start date, else the company's first day) up to today are stored.
    crate::days::since::extend_back(db, company_id, now).await?;
    crate::days::expected::store_new(db, company_id, employee.id).await?;
    Ok(employee)
}

/// What the audit log keeps of an employee.
pub fn snapshot(e: &employee::Model) -> serde_json::Value {
    serde_json::json!({
        "employeeCode": e.employee_code, "fullName": e.full_name, "email": e.email,
        "title": e.title, "departmentId": e.department_id,
        "workStatus": format!("{:?}", e.work_status), "startDate": e.start_date,
    })
}

/// Changes to an employee: `None` keeps a field, `Some(None)` clears an optional one.
#[derive(Default)]
pub struct EmployeeChanges {
    pub employee_code: Option<String>,
    pub full_name: Option<String>,
    pub email: Option<Option<String>>,
    pub title: Option<Option<String>>,
    pub department_id: Option<Option<Uuid>>,
    pub work_status: Option<WorkStatus>,
    pub profile_picture_url: Option<Option<String>>,
    /// A new employment start date (`Some(None)`: the company's first day of attendance).
    pub start_date: Option<Option<chrono::NaiveDate>>,
    /// The day a department or work-status change takes effect for attendance (none: today).
    pub effective_from: Option<chrono::NaiveDate>,
}

pub async fn update(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    id: Uuid,
    changes: EmployeeChanges,
) -> ApiResult<employee::Model> {
    let current = get(db, company_id, id).await?;
    let (current_code, current_name, current_title, current_status) = (
        current.employee_code.clone(),
        current.full_name.clone(),
        current.title.clone(),
        current.work_status,
    );
    let current_department = current.department_id;
    let current_start = current.start_date;
    let attendance_change = (changes.department_id, changes.work_status);
    let effective_from = changes.effective_from;
    if effective_from.is_some() && attendance_change == (None, None) {
        return Err(ApiError::bad_input(
            "input.effectiveFrom",
            "dates a department or work-status change: give `departmentId` or `workStatus`",
        ));
    }
    // Attendance follows a change of department or status (or one dated back) from its day.
    let follow = |db, employee_id| {
        super::periods::follow(
            db,
            company_id,
            employee_id,
            effective_from,
            attendance_change,
            (current_department, current_status),
        )
    };
    let mut model = current.into_active_model();
    let mut code_for_conflict = String::new();
    if let Some(code) = changes.employee_code {
        let code = validate_code(&code)?;
        model.employee_code_key = Set(code.to_lowercase());
        model.employee_code = Set(code.clone());
        code_for_conflict = code;
    }
    if let Some(name) = changes.full_name {
        let name = validate_full_name(&name)?;
        model.full_name_search = Set(fold(&name));
        model.full_name = Set(name);
    }
    if let Some(email) = changes.email {
        model.email = Set(validate_email(email)?);
    }
    if let Some(title) = changes.title {
        model.title = Set(validate_title(title)?);
    }
    if let Some(department_id) = changes.department_id {
        check_department(db, company_id, department_id).await?;
        model.department_id = Set(department_id);
    }
    if let Some(status) = changes.work_status {
        model.work_status = Set(status);
    }
    if let Some(url) = changes.profile_picture_url {
        model.profile_picture_url = Set(validate_url(url)?);
    }
    if let Some(start) = changes.start_date {
        model.start_date = Set(start);
    }
    if !model.is_changed() {
        if effective_from.is_some() {
            follow(db, id).await?;
        }
        return get(db, company_id, id).await;
    }
    // The person on the cameras now shows old details (or should leave): it needs a sync.
    let was_synced = *model.face_sync_status.as_ref() == FaceSyncStatus::Synced;
    let vendor_visible_change = model.employee_code.is_set()
        && model.employee_code.as_ref() != &current_code
        || model.full_name.is_set() && model.full_name.as_ref() != &current_name
        || model.title.is_set() && model.title.as_ref() != &current_title
        || model.work_status.is_set()
            && (*model.work_status.as_ref() == WorkStatus::Resigned)
                != (current_status == WorkStatus::Resigned);
    if was_synced && vendor_visible_change {
        model.face_sync_status = Set(FaceSyncStatus::Outdated);
    }
    // A removed leaver back at work is not on the cameras: the next sync creates them again.
    if *model.face_sync_status.as_ref() == FaceSyncStatus::Removed
        && model.work_status.is_set()
        && *model.work_status.as_ref() != WorkStatus::Resigned
    {
        model.face_sync_status = Set(if model.face_photo_id.as_ref().is_some() {
            FaceSyncStatus::NotSynced
        } else {
            FaceSyncStatus::NoPhoto
        });
    }
    model.updated_at = Set(Utc::now());
    let code_changed = model.employee_code_key.is_set();
    // What the cameras show (or whether the person should be there) changed: an automatic
    // sync carries it, when the company has one.
    let auto_sync = vendor_visible_change
        || model.department_id.is_set() && *model.department_id.as_ref() != current_department;
    let updated = model
        .update(db)
        .await
        .map_err(|e| ApiError::from_db_conflict(e, duplicate_code(&code_for_conflict)))?;
    if auto_sync {
        crate::employees::marks::touch(db, company_id, &[updated.id]).await?;
    }
    let schedule_changed =
        current_department != updated.department_id || current_status != updated.work_status;
    if schedule_changed || effective_from.is_some() {
        follow(db, updated.id).await?;
    }
    if current_start != updated.start_date {
        super::periods::start_moved(db, &updated, current_start).await?;
    }
    if code_changed {
        // Stored days follow the code; check-ins under the new ID are this employee's now.
        crate::days::rows::rename(db, company_id, updated.id, &updated.employee_code_key).await?;
        crate::checkins::remap::remap(db, company_id, Some(&updated.employee_code_key)).await?;
    }
    Ok(updated)
}

/// The employee of this company with this code (case-insensitive), if any.
pub async fn find_by_code(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    code: &str,
) -> ApiResult<Option<employee::Model>> {
    Ok(employee::Entity::find()
        .filter(employee::Column::CompanyId.eq(company_id))
        .filter(employee::Column::EmployeeCodeKey.eq(code.trim().to_lowercase()))
        .one(db)
        .await?)
}
