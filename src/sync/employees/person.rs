//! The person-changing half of an employee's sync: creating the person (looking the alias up
//! whenever the answer is unknown), removing a leaver, forgetting or adopting a person, and
//! recording the outcome on the employee.

use chrono::Utc;
use entity::employee::{self, FaceSyncStatus};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use uuid::Uuid;

use super::{CREATE_ATTEMPTS, Failure, Sync};
use crate::{
    error::ApiError,
    vendor::{NewPerson, VendorError},
};

impl Sync<'_> {
    /// Registers the employee; on an unknown or "already exists" outcome, adopts the person
    /// the alias now names.
    pub(super) async fn create(
        &self,
        employee: &employee::Model,
        photo: Vec<u8>,
    ) -> Result<String, Failure> {
        let alias = employee.employee_code.as_str();
        let person = NewPerson {
            alias,
            name: &employee.full_name,
            title: employee.title.as_deref(),
            place_id: self.place_id,
            photo,
        };
        for _ in 0..CREATE_ATTEMPTS {
            let result = self.camera().register(&person).await?;
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
                            self.camera()
                                .claim_alias(&p.person_id, alias)
                                .await?
                                .map_err(|e| self.failure(e))?;
                            Ok(p.person_id)
                        }
                        Some(p) => Err(Failure {
                            code: "FACE_REGISTERED_TO_OTHER",
                            message: format!(
                                "this face is already registered on Hanet as {} (employee ID {}, Hanet person {}); check the photo",
                                p.name,
                                p.alias.unwrap_or_default(),
                                p.person_id
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

    pub(super) async fn remove(&self, employee: employee::Model) -> Result<&'static str, Failure> {
        let alias = employee.employee_code.clone();
        // By person id when we know it: the alias on Hanet is the employee ID at the time of
        // the last sync, which may have changed since.
        let person_id = employee
            .hanet_person_id
            .clone()
            .or_else(|| self.known.get(&alias).cloned());
        let known = person_id.is_some();
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
        // Not "never synced": a removed leaver stays out of the next "sync all".
        model.face_sync_status = Set(FaceSyncStatus::Removed);
        if known {
            match self
                .camera()
                .remove(person_id.as_deref(), &alias, self.place_id)
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
    pub(super) async fn forget(
        &self,
        employee: employee::Model,
    ) -> Result<employee::Model, Failure> {
        let mut model = employee.into_active_model();
        model.hanet_person_id = Set(None);
        model.synced_photo_sha256 = Set(None);
        model.synced_name = Set(None);
        model.synced_title = Set(None);
        Ok(model.update(&self.app.db).await.map_err(ApiError::from)?)
    }

    /// Takes over a person found by alias (created by an earlier, interrupted attempt, or in
    /// Hanet's own app with our alias); their face and details are refreshed next.
    pub(super) async fn adopt(
        &self,
        employee: employee::Model,
        person_id: &str,
    ) -> Result<employee::Model, Failure> {
        self.remember(employee, person_id, None, false).await
    }

    /// Stores the person id (at once, so a crash right after cannot lead to a second person).
    pub(super) async fn remember(
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
    pub(super) async fn finish(&self, employee: employee::Model) -> Result<(), Failure> {
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

    pub(super) async fn record_failure(
        &self,
        employee_id: Uuid,
        failure: &Failure,
    ) -> Result<(), ApiError> {
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
