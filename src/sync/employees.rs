//! Pushing one employee to the camera vendor (design §1.4): create the person, update the face
//! or name/title, remove a resigned employee, or nothing when already in sync. Never a second
//! person for the same employee: the employee code is the alias, and before creating — and
//! whenever an outcome is unknown — the alias is looked up in the place and the person found
//! is adopted. A face already registered to a person without an alias is claimed for ours.

use entity::{
    employee::{self, FaceSyncStatus, WorkStatus},
    sync_job::{self, JobKind},
    sync_job_item,
};
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
use uuid::Uuid;

use super::JobContext;
use crate::{
    error::ApiError,
    jobs::{handler::Worker, store::ItemOutcome},
    linking::{camera::CameraSession, camera::Vendored, service as linking},
    state::AppState,
    vendor::{VendorError, VendorPerson},
};

mod person;

/// Attempts at creating a person when the vendor's answer never arrives.
const CREATE_ATTEMPTS: usize = 3;

/// The employee sync (`EMPLOYEES` jobs).
pub struct EmployeeSync;

#[async_trait::async_trait]
impl Worker for EmployeeSync {
    const KIND: JobKind = JobKind::Employees;
    const BUSY: &'static str =
        "an employee sync is already running for this company; wait for it or cancel it";
    type JobArgs = ();
    /// An item is its employee (`employee_id`); it carries no arguments.
    type Args = ();
    type Run = JobContext;

    async fn prepare(
        &self,
        app: &AppState,
        job: &sync_job::Model,
        _args: (),
    ) -> Result<JobContext, String> {
        prepare(app, job.company_id).await
    }

    async fn work(
        &self,
        app: &AppState,
        job: &sync_job::Model,
        context: &JobContext,
        item: &sync_job_item::Model,
        _args: (),
    ) -> ItemOutcome {
        run_item(app, job, context, item).await
    }
}

pub async fn prepare(app: &AppState, company_id: Uuid) -> Result<JobContext, String> {
    let place_id = linking::selected_place(&app.db, company_id)
        .await
        .map_err(|e| e.message())?;
    // One listing instead of a look-up per employee. Persons created after it are still found:
    // registering an alias that exists answers "alias exists", and we then look it up.
    let persons = app
        .camera
        .for_company(company_id)
        .list_persons(&place_id)
        .await
        .or_api()
        .map_err(|e| {
            format!(
                "could not list the place's persons on Hanet: {}",
                e.message()
            )
        })?;
    let aliases_by_person = persons
        .iter()
        .map(|p| (p.person_id.clone(), p.alias.clone().unwrap_or_default()))
        .collect();
    let persons_by_alias = persons
        .into_iter()
        .filter_map(|p| Some((p.alias?, p.person_id)))
        .collect();
    Ok(JobContext {
        place_id: Some(place_id),
        persons_by_alias,
        aliases_by_person,
    })
}

/// Why an employee could not be synced.
struct Failure {
    code: &'static str,
    message: String,
    hanet_code: Option<i64>,
}

impl Failure {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            hanet_code: None,
        }
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        let hanet_code = match &e {
            ApiError::HanetUnavailable { code, .. } => *code,
            _ => None,
        };
        if let ApiError::Internal(cause) = &e {
            tracing::error!(error = format!("{cause:#}"), "employee sync item failed");
        }
        Self {
            code: e.code(),
            message: e.message(),
            hanet_code,
        }
    }
}

pub async fn run_item(
    app: &AppState,
    job: &sync_job::Model,
    context: &JobContext,
    item: &sync_job_item::Model,
) -> ItemOutcome {
    let (Some(employee_id), Some(place_id)) = (item.employee_id, context.place_id.as_deref())
    else {
        return ItemOutcome::failed("EMPLOYEE_NOT_FOUND", "the item names no employee", None);
    };
    let sync = Sync {
        app,
        company_id: job.company_id,
        place_id,
        known: &context.persons_by_alias,
        aliases: &context.aliases_by_person,
    };
    match sync.employee(employee_id).await {
        Ok(action) => ItemOutcome::done(action),
        Err(failure) => {
            if let Err(e) = sync.record_failure(employee_id, &failure).await {
                tracing::error!(
                    error = e.message(),
                    "recording a sync failure on the employee failed"
                );
            }
            ItemOutcome::failed(failure.code, failure.message, failure.hanet_code)
        }
    }
}

struct Sync<'a> {
    app: &'a AppState,
    company_id: Uuid,
    place_id: &'a str,
    /// Persons of the place by alias, as listed when the run started.
    known: &'a std::collections::HashMap<String, String>,
    /// The same listing by person id.
    aliases: &'a std::collections::HashMap<String, String>,
}

impl Sync<'_> {
    /// The company's session with the camera.
    fn camera(&self) -> CameraSession<'_> {
        self.app.camera.for_company(self.company_id)
    }

    fn failure(&self, error: VendorError) -> Failure {
        let code = error.vendor_code();
        let explained = code.and_then(|c| self.app.camera.vendor().explain(c));
        let message = match (explained, code) {
            (Some(text), Some(code)) => format!("{text} (Hanet {code})"),
            _ => format!("{error}"),
        };
        let kind = if error.is_retryable() {
            "HANET_UNAVAILABLE"
        } else {
            "HANET_REJECTED"
        };
        Failure {
            code: kind,
            message,
            hanet_code: code,
        }
    }

    async fn find(&self, alias: &str) -> Result<Option<VendorPerson>, Failure> {
        self.camera()
            .find_person(alias, self.place_id)
            .await?
            .map_err(|e| self.failure(e))
    }

    async fn employee(&self, employee_id: Uuid) -> Result<&'static str, Failure> {
        let employee = crate::employees::service::get(&self.app.db, self.company_id, employee_id)
            .await
            .map_err(|_| Failure::new("EMPLOYEE_NOT_FOUND", "the employee no longer exists"))?;
        set_status(self.app, &employee, FaceSyncStatus::Pending).await?;
        if employee.work_status == WorkStatus::Resigned {
            return self.remove(employee).await;
        }
        let photo = crate::photos::service::current_photo(&self.app.db, &employee).await?;
        let Some(photo) = photo else {
            return Err(Failure::new(
                "NO_PHOTO",
                "the employee has no face photo; upload one first",
            ));
        };
        let bytes = self
            .app
            .photos
            .get(&photo.storage_key)
            .await
            .map_err(ApiError::Internal)?
            .to_vec();
        let alias = employee.employee_code.clone();
        let mut action = "NONE";
        let mut employee = employee;
        if let Some(person_id) = employee.hanet_person_id.clone() {
            match self.aliases.get(&person_id) {
                Some(on_hanet) if *on_hanet == alias => {}
                // The employee ID changed since the person was created: move the alias along.
                Some(_) => {
                    self.camera()
                        .claim_alias(&person_id, &alias)
                        .await?
                        .map_err(|e| self.failure(e))?;
                    action = "UPDATE_INFO";
                }
                // Not in this place (another place was selected, or it was deleted on Hanet):
                // what we remember is stale; look up or create below.
                None => employee = self.forget(employee).await?,
            }
        }
        if employee.hanet_person_id.is_none() {
            let known = self.known.get(&alias).cloned();
            match known {
                Some(person_id) => employee = self.adopt(employee, &person_id).await?,
                None => {
                    let person_id = self.create(&employee, bytes.clone()).await?;
                    employee = self
                        .remember(employee, &person_id, Some(&photo.sha256), true)
                        .await?;
                    action = "CREATE";
                }
            }
        }
        if employee.synced_photo_sha256.as_deref() != Some(photo.sha256.as_str()) {
            let person_id = employee.hanet_person_id.clone().unwrap_or_default();
            let updated = self
                .camera()
                .update_face(&person_id, self.place_id, &bytes)
                .await?;
            match updated {
                Ok(()) => {}
                // Deleted on Hanet meanwhile: create it again.
                Err(VendorError::PersonNotFound { .. }) => {
                    let person_id = self.create(&employee, bytes.clone()).await?;
                    let employee = self
                        .remember(employee, &person_id, Some(&photo.sha256), true)
                        .await?;
                    self.finish(employee).await?;
                    return Ok("CREATE");
                }
                Err(e) => return Err(self.failure(e)),
            }
            employee = self
                .remember(employee.clone(), &person_id, Some(&photo.sha256), false)
                .await?;
            action = if action == "NONE" {
                "UPDATE_FACE"
            } else {
                action
            };
        }
        if employee.synced_name.as_deref() != Some(employee.full_name.as_str())
            || employee.synced_title != employee.title
        {
            self.camera()
                .update_info(
                    &alias,
                    self.place_id,
                    &employee.full_name,
                    employee.title.as_deref(),
                )
                .await?
                .map_err(|e| self.failure(e))?;
            action = match action {
                "NONE" => "UPDATE_INFO",
                "UPDATE_FACE" => "UPDATE",
                other => other,
            };
        }
        self.finish(employee).await?;
        Ok(action)
    }
}

async fn set_status(
    app: &AppState,
    employee: &employee::Model,
    status: FaceSyncStatus,
) -> Result<(), Failure> {
    let mut model = employee.clone().into_active_model();
    model.face_sync_status = Set(status);
    model.update(&app.db).await.map_err(ApiError::from)?;
    Ok(())
}
