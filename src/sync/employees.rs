//! Pushing one employee to the camera vendor (design §1.4): create the person, update the face
//! or name/title, remove a resigned employee, or nothing when already in sync. Never a second
//! person for the same employee: the employee code is the alias, and before creating — and
//! whenever an outcome is unknown — the alias is looked up in the place and the person found
//! is adopted. A face already registered to a person without an alias is claimed for ours.

use chrono::Utc;
use entity::{
    employee::{self, FaceSyncStatus, WorkStatus},
    sync_job, sync_job_item,
};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use uuid::Uuid;

use super::JobContext;
use crate::{
    error::ApiError,
    jobs::store::ItemOutcome,
    linking::service as linking,
    state::AppState,
    vendor::{NewPerson, VendorError, VendorPerson, VendorResult},
};

/// Attempts at creating a person when the vendor's answer never arrives.
const CREATE_ATTEMPTS: usize = 3;

/// Checks the link and the chosen place (attendance jobs need no more).
pub async fn prepare_place(app: &AppState, company_id: Uuid) -> Result<JobContext, String> {
    let place_id = linking::selected_place(&app.db, company_id)
        .await
        .map_err(|e| e.message())?;
    Ok(JobContext {
        place_id: Some(place_id),
        ..Default::default()
    })
}

/// Checks the link and the chosen place once per job run, and lists the place's persons.
pub async fn prepare(app: &AppState, company_id: Uuid) -> Result<JobContext, String> {
    let JobContext { place_id, .. } = prepare_place(app, company_id).await?;
    let place_id = place_id.unwrap_or_default();
    // One listing instead of a look-up per employee. Persons created after it are still found:
    // registering an alias that exists answers "alias exists", and we then look it up.
    let vendor = app.tokens.vendor();
    let place = place_id.as_str();
    let persons = app
        .tokens
        .call(company_id, |access| async move {
            vendor.list_persons(&access, place).await
        })
        .await
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
    /// A vendor call with the company's token; the outer error is about the link.
    async fn vendor<T, F, Fut>(&self, f: F) -> Result<VendorResult<T>, Failure>
    where
        F: Fn(crate::vendor::AccessToken) -> Fut,
        Fut: std::future::Future<Output = VendorResult<T>>,
    {
        Ok(self.app.tokens.call_raw(self.company_id, f).await?)
    }

    fn failure(&self, error: VendorError) -> Failure {
        let code = error.vendor_code();
        let explained = code.and_then(|c| self.app.tokens.vendor().explain(c));
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
        let vendor = self.app.tokens.vendor();
        self.vendor(|access| async move { vendor.find_person(&access, alias, self.place_id).await })
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
                    let vendor = self.app.tokens.vendor();
                    let (person, alias) = (person_id.as_str(), alias.as_str());
                    self.vendor(|access| async move {
                        vendor.claim_alias(&access, person, alias).await
                    })
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
            let vendor = self.app.tokens.vendor();
            let photo_bytes = &bytes;
            let updated = self
                .vendor(|access| {
                    let person_id = person_id.clone();
                    async move {
                        vendor
                            .update_face(&access, &person_id, self.place_id, photo_bytes.clone())
                            .await
                    }
                })
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
            let vendor = self.app.tokens.vendor();
            let (name, title) = (employee.full_name.as_str(), employee.title.as_deref());
            let alias = alias.as_str();
            self.vendor(|access| async move {
                vendor
                    .update_info(&access, alias, self.place_id, name, title)
                    .await
            })
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

    /// Registers the employee; on an unknown or "already exists" outcome, adopts the person
    /// the alias now names.
    async fn create(&self, employee: &employee::Model, photo: Vec<u8>) -> Result<String, Failure> {
        let alias = employee.employee_code.as_str();
        let vendor = self.app.tokens.vendor();
        for _ in 0..CREATE_ATTEMPTS {
            let photo = &photo;
            let result = self
                .vendor(|access| async move {
                    let person = NewPerson {
                        alias,
                        name: &employee.full_name,
                        title: employee.title.as_deref(),
                        place_id: self.place_id,
                        photo: photo.clone(),
                    };
                    vendor.register_person(&access, person).await
                })
                .await?;
            match result {
                Ok(person_id) => return Ok(person_id),
                Err(VendorError::AliasExists { .. }) => {
                    if let Some(found) = self.find(alias).await? {
                        return Ok(found.person_id);
                    }
                }
                Err(VendorError::FaceExists { code, existing }) => {
                    // After an unanswered attempt, the "existing" face may be our own person.
                    if let Some(found) = self.find(alias).await? {
                        return Ok(found.person_id);
                    }
                    return match existing {
                        Some(p) if p.alias.as_deref() == Some(alias) => Ok(p.person_id),
                        Some(p) if p.alias.is_none() => {
                            let person_id = p.person_id.clone();
                            let claim = &person_id;
                            self.vendor(|access| async move {
                                vendor.claim_alias(&access, claim, alias).await
                            })
                            .await?
                            .map_err(|e| self.failure(e))?;
                            Ok(person_id)
                        }
                        Some(p) => Err(Failure {
                            code: "FACE_REGISTERED_TO_OTHER",
                            message: format!(
                                "this face is already registered on Hanet as {} (employee ID {}); check the photo",
                                p.name,
                                p.alias.unwrap_or_default()
                            ),
                            hanet_code: Some(code),
                        }),
                        None => Err(self.failure(VendorError::FaceExists {
                            code,
                            existing: None,
                        })),
                    };
                }
                // The answer never came: the person may exist now. Look before trying again.
                Err(e) if e.is_retryable() => {
                    if let Some(found) = self.find(alias).await? {
                        return Ok(found.person_id);
                    }
                    if !matches!(
                        e,
                        VendorError::Timeout | VendorError::Http(_) | VendorError::Transport(_)
                    ) {
                        return Err(self.failure(e));
                    }
                }
                Err(e) => return Err(self.failure(e)),
            }
        }
        Err(Failure::new(
            "HANET_UNAVAILABLE",
            "Hanet did not confirm the registration after several attempts; retry the job",
        ))
    }

    async fn remove(&self, employee: employee::Model) -> Result<&'static str, Failure> {
        let alias = employee.employee_code.clone();
        let known = employee.hanet_person_id.is_some() || self.known.contains_key(&alias);
        let mut model = employee.clone().into_active_model();
        model.hanet_person_id = Set(None);
        model.synced_photo_sha256 = Set(None);
        model.synced_name = Set(None);
        model.synced_title = Set(None);
        model.last_sync_error = Set(None);
        model.last_sync_error_code = Set(None);
        model.last_synced_at = Set(Some(Utc::now()));
        // Starts the face photo retention clock (design §10), once.
        model.removed_from_hanet_at = Set(employee.removed_from_hanet_at.or(Some(Utc::now())));
        model.face_sync_status = Set(if employee.face_photo_id.is_some() {
            FaceSyncStatus::NotSynced
        } else {
            FaceSyncStatus::NoPhoto
        });
        if known {
            let vendor = self.app.tokens.vendor();
            let alias = alias.as_str();
            match self
                .vendor(|access| async move {
                    vendor.remove_person(&access, alias, self.place_id).await
                })
                .await?
            {
                Ok(()) | Err(VendorError::PersonNotFound { .. }) => {}
                Err(e) => return Err(self.failure(e)),
            }
        }
        model.update(&self.app.db).await.map_err(ApiError::from)?;
        Ok(if known { "REMOVE" } else { "NONE" })
    }

    /// Forgets the person we remembered for this employee.
    async fn forget(&self, employee: employee::Model) -> Result<employee::Model, Failure> {
        let mut model = employee.into_active_model();
        model.hanet_person_id = Set(None);
        model.synced_photo_sha256 = Set(None);
        model.synced_name = Set(None);
        model.synced_title = Set(None);
        Ok(model.update(&self.app.db).await.map_err(ApiError::from)?)
    }

    /// Takes over a person found by alias (created by an earlier, interrupted attempt, or in
    /// Hanet's own app with our alias); their face and details are refreshed next.
    async fn adopt(
        &self,
        employee: employee::Model,
        person_id: &str,
    ) -> Result<employee::Model, Failure> {
        self.remember(employee, person_id, None, false).await
    }

    /// Stores the person id (at once, so a crash right after cannot lead to a second person).
    async fn remember(
        &self,
        employee: employee::Model,
        person_id: &str,
        photo_sha: Option<&str>,
        created: bool,
    ) -> Result<employee::Model, Failure> {
        let mut model = employee.clone().into_active_model();
        model.hanet_person_id = Set(Some(person_id.to_owned()));
        model.removed_from_hanet_at = Set(None);
        if photo_sha.is_some() || !created {
            model.synced_photo_sha256 = Set(photo_sha.map(str::to_owned));
        }
        if created {
            model.synced_name = Set(Some(employee.full_name.clone()));
            model.synced_title = Set(employee.title.clone());
        }
        Ok(model.update(&self.app.db).await.map_err(ApiError::from)?)
    }

    /// Marks the employee synced (or outdated, if it changed while we worked).
    async fn finish(&self, employee: employee::Model) -> Result<(), Failure> {
        let fresh =
            crate::employees::service::get(&self.app.db, self.company_id, employee.id).await?;
        let current_sha = crate::photos::service::current_photo(&self.app.db, &fresh)
            .await?
            .map(|p| p.sha256);
        let in_sync = current_sha == employee.synced_photo_sha256
            && fresh.full_name == employee.full_name
            && fresh.title == employee.title;
        let mut model = fresh.into_active_model();
        model.hanet_person_id = Set(employee.hanet_person_id.clone());
        model.synced_photo_sha256 = Set(employee.synced_photo_sha256.clone());
        model.synced_name = Set(Some(employee.full_name.clone()));
        model.synced_title = Set(employee.title.clone());
        model.last_synced_at = Set(Some(Utc::now()));
        model.last_sync_error = Set(None);
        model.last_sync_error_code = Set(None);
        model.face_sync_status = Set(if in_sync {
            FaceSyncStatus::Synced
        } else {
            FaceSyncStatus::Outdated
        });
        model.update(&self.app.db).await.map_err(ApiError::from)?;
        Ok(())
    }

    async fn record_failure(&self, employee_id: Uuid, failure: &Failure) -> Result<(), ApiError> {
        let Some(employee) = employee::Entity::find_by_id(employee_id)
            .one(&self.app.db)
            .await?
        else {
            return Ok(());
        };
        let no_photo = failure.code == "NO_PHOTO";
        let mut model = employee.into_active_model();
        // Still "needs a photo", not "failed": the NO_PHOTO filter keeps listing them.
        model.face_sync_status = Set(if no_photo {
            FaceSyncStatus::NoPhoto
        } else {
            FaceSyncStatus::Failed
        });
        model.last_sync_error = Set(Some(failure.message.clone()));
        model.last_sync_error_code = Set(failure.hanet_code);
        model.update(&self.app.db).await?;
        Ok(())
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
