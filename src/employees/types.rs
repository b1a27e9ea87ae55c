//! GraphQL types of the employee domain.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::{departments::Department, ids, loaders::Loaders, photos::FacePhoto};

/// Whether the employee currently works; `RESIGNED` employees are removed from the cameras.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum WorkStatus {
    /// At work.
    Working,
    /// On unpaid leave.
    UnpaidLeave,
    /// On maternity leave.
    MaternityLeave,
    /// Has left the company.
    Resigned,
}

crate::mirror_enum!(entity::employee::WorkStatus => WorkStatus { Working, UnpaidLeave, MaternityLeave, Resigned });

#[derive(Clone)]
pub struct Employee(pub entity::employee::Model);

/// An employee of the company.
#[Object]
impl Employee {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }
    /// The company's employee ID, unique per company (case-insensitive). Face photo files are
    /// named after it, and it is the `aliasID` the cameras know the person by.
    async fn employee_code(&self) -> &str {
        &self.0.employee_code
    }
    /// Full name.
    async fn full_name(&self) -> &str {
        &self.0.full_name
    }
    /// Work email.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// Job title.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    /// The employee's department.
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Department>> {
        let Some(id) = self.0.department_id else {
            return Ok(None);
        };
        let loaders = ctx.data::<Loaders>()?;
        let department = loaders.department(id).await?;
        Ok(department.map(Department))
    }
    /// Whether the employee currently works.
    async fn work_status(&self) -> WorkStatus {
        self.0.work_status.into()
    }
    /// The first day the employee is expected at work (employment start); days before it are
    /// never absent. Null: the company's first day of attendance (its earliest check-in or
    /// employee, or the first day a pull covered).
    async fn start_date(&self) -> Option<crate::scalars::Date> {
        self.0.start_date.map(crate::scalars::Date)
    }
    /// The HR profile picture. Never sent to the cameras; face photos are separate.
    async fn profile_picture_url(&self) -> Option<&str> {
        self.0.profile_picture_url.as_deref()
    }
    /// When the employee was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the employee was last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// The face photo the cameras learn the employee's face from.
    async fn face_photo(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<FacePhoto>> {
        let Some(id) = self.0.face_photo_id else {
            return Ok(None);
        };
        let loaders = ctx.data::<Loaders>()?;
        let photo = loaders.photo(id).await?;
        Ok(photo.map(FacePhoto))
    }
    /// Where the employee's face stands with the cameras.
    async fn face_sync(&self) -> FaceSync {
        FaceSync {
            status: self.0.face_sync_status.into(),
            hanet_person_id: self.0.hanet_person_id.clone(),
            last_synced_at: self.0.last_synced_at,
            last_error: self.0.last_sync_error.clone(),
            last_error_code: self.0.last_sync_error_code,
            removed_at: self.0.removed_from_hanet_at,
        }
    }
}

/// Where an employee's face stands with the cameras.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum FaceSyncStatus {
    /// No face photo yet.
    NoPhoto,
    /// Has a photo, never pushed to the cameras.
    NotSynced,
    /// A sync job is working on it.
    Pending,
    /// The cameras know the current photo, name and title.
    Synced,
    /// Synced once, but the photo, name, title or work status changed since.
    Outdated,
    /// The last sync failed; see `lastError`.
    Failed,
    /// A leaver removed from the cameras (`removedAt` says when); "sync all" leaves them out.
    Removed,
}

crate::mirror_enum!(entity::employee::FaceSyncStatus => FaceSyncStatus {
    NoPhoto, NotSynced, Pending, Synced, Outdated, Failed, Removed
});

/// An employee's face-sync state.
#[derive(SimpleObject)]
pub struct FaceSync {
    /// The state.
    pub status: FaceSyncStatus,
    /// The Hanet person this employee is, once created or adopted.
    pub hanet_person_id: Option<String>,
    /// When the cameras were last brought up to date for this employee.
    pub last_synced_at: Option<DateTime<Utc>>,
    /// Why the last sync of this employee failed.
    pub last_error: Option<String>,
    /// Hanet's error code of that failure, if Hanet gave one.
    pub last_error_code: Option<i64>,
    /// When the person was removed from the cameras (a leaver); their face photos are deleted
    /// `TIMEKEEPING_FACE_RETENTION_DAYS` later.
    pub removed_at: Option<DateTime<Utc>>,
}

/// Narrows the employee list. Conditions combine with AND; a list matches any of its values.
#[derive(InputObject, Default, Clone)]
pub struct EmployeeFilter {
    /// Employees of any of these departments.
    pub department_ids: Option<Vec<ID>>,
    /// Employees with any of these work statuses.
    pub work_statuses: Option<Vec<WorkStatus>>,
    /// The employee with exactly this employee ID (case-insensitive).
    pub employee_code: Option<String>,
    /// Part of the name or employee ID, ignoring case and Vietnamese diacritics
    /// (`nguyen` finds `Nguyễn`); at most 200 characters.
    pub search: Option<String>,
    /// Employees whose face sync is in any of these states.
    pub face_sync_statuses: Option<Vec<FaceSyncStatus>>,
    /// Attendance days only (`attendanceDays`): days with any of these statuses. Refused where
    /// employees, not days, are listed.
    pub statuses: Option<Vec<crate::days::DayStatus>>,
}

impl EmployeeFilter {
    /// Refuses `statuses` where employees, not days, are listed.
    pub fn without_day_statuses(self) -> crate::error::ApiResult<Self> {
        if self.statuses.is_some() {
            return Err(crate::error::ApiError::bad_input(
                "filter.statuses",
                "filters attendance days; it does not apply here",
            ));
        }
        Ok(self)
    }
}

/// A new employee.
#[derive(InputObject)]
pub struct CreateEmployeeInput {
    /// Employee ID: 1–64 letters, digits, `-`, `_` or `.`; unique per company.
    pub employee_code: String,
    /// Full name.
    pub full_name: String,
    /// Work email.
    pub email: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// Department of the company.
    pub department_id: Option<ID>,
    /// Defaults to `WORKING`.
    pub work_status: Option<WorkStatus>,
    /// HR profile picture URL (http or https).
    pub profile_picture_url: Option<String>,
    /// The first day the employee is expected at work (employment start). Omitted: the
    /// company's first day of attendance, so set it for hires who join later. Days without
    /// check-ins from it to today are stored at once.
    pub start_date: Option<crate::scalars::Date>,
}

/// Changes to an employee. Omitted fields stay as they are; `null` clears an optional field.
#[derive(InputObject)]
pub struct UpdateEmployeeInput {
    /// New employee ID.
    pub employee_code: Option<String>,
    /// New full name.
    pub full_name: Option<String>,
    /// New work email, or null to clear.
    pub email: MaybeUndefined<String>,
    /// New job title, or null to clear.
    pub title: MaybeUndefined<String>,
    /// New department, or null for none. Attendance follows it from the company's today on
    /// (its schedule); earlier days keep the department they had.
    pub department_id: MaybeUndefined<ID>,
    /// New work status. Attendance follows it from the company's today on (leave, no more
    /// absences after resigning); earlier days keep the status they had.
    pub work_status: Option<WorkStatus>,
    /// New profile picture URL, or null to clear.
    pub profile_picture_url: MaybeUndefined<String>,
    /// New employment start date, or null for the company's first day of attendance; the
    /// employee's days are recomputed from the earlier of the old and the new start.
    pub start_date: MaybeUndefined<crate::scalars::Date>,
    /// The day the `departmentId` or `workStatus` given here took effect, when it was before
    /// today (a move recorded late): the employee's days from it are recomputed. Not after
    /// today; a day in locked attendance is a `CONFLICT`.
    pub effective_from: Option<crate::scalars::Date>,
}
