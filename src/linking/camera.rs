//! The camera seen as one handle: `app.camera.for_company(id)` is a company's session with the
//! vendor. Each call takes the company's access token, refreshes it first when it is about to
//! expire and once more when the vendor says it has expired; callers never see a token.
//!
//! Every method returns `ApiResult<VendorResult<T>>`: the outer error is about the link (not
//! linked, refresh refused), the inner one is the vendor's own answer, for callers that act on
//! it (a sync item that fails alone). [`Vendored::or_api`] folds both for callers that do not.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::tokens::{TokenManager, vendor_error};
use crate::{
    error::ApiResult,
    vendor::{
        CameraVendor, NewPerson, VendorCheckin, VendorDevice, VendorPerson, VendorPlace,
        VendorResult,
    },
};

impl TokenManager {
    /// The company's session with the camera vendor.
    pub fn for_company(&self, company_id: Uuid) -> CameraSession<'_> {
        CameraSession {
            camera: self,
            company_id,
        }
    }
}

/// A company's session with the camera vendor.
#[derive(Clone, Copy)]
pub struct CameraSession<'a> {
    camera: &'a TokenManager,
    company_id: Uuid,
}

/// Folds a link error and a vendor error into the API's error.
pub trait Vendored<T> {
    fn or_api(self) -> ApiResult<T>;
}

impl<T> Vendored<T> for ApiResult<VendorResult<T>> {
    fn or_api(self) -> ApiResult<T> {
        self?.map_err(vendor_error)
    }
}

impl CameraSession<'_> {
    fn vendor(&self) -> &dyn CameraVendor {
        self.camera.vendor()
    }

    pub async fn places(&self) -> ApiResult<VendorResult<Vec<VendorPlace>>> {
        let v = self.vendor();
        self.camera
            .call_raw(self.company_id, |a| async move { v.places(&a).await })
            .await
    }

    pub async fn devices(
        &self,
        place_id: Option<&str>,
    ) -> ApiResult<VendorResult<Vec<VendorDevice>>> {
        let v = self.vendor();
        self.camera
            .call_raw(
                self.company_id,
                |a| async move { v.devices(&a, place_id).await },
            )
            .await
    }

    /// Registers the webhook key and narrows webhooks to the place.
    pub async fn subscribe(&self, place_id: &str, key: &str) -> ApiResult<VendorResult<()>> {
        let v = self.vendor();
        self.camera
            .call_raw(self.company_id, |a| async move {
                v.register_webhook_key(&a, key).await?;
                v.subscribe_place(&a, place_id, key).await
            })
            .await
    }

    pub async fn checkins(
        &self,
        place_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        page: u32,
    ) -> ApiResult<VendorResult<Vec<VendorCheckin>>> {
        let v = self.vendor();
        self.camera
            .call_raw(self.company_id, |a| async move {
                v.checkins(&a, place_id, from, to, page).await
            })
            .await
    }

    pub async fn list_persons(&self, place_id: &str) -> ApiResult<VendorResult<Vec<VendorPerson>>> {
        let v = self.vendor();
        self.camera
            .call_raw(self.company_id, |a| async move {
                v.list_persons(&a, place_id).await
            })
            .await
    }

    pub async fn find_person(
        &self,
        alias: &str,
        place_id: &str,
    ) -> ApiResult<VendorResult<Option<VendorPerson>>> {
        let v = self.vendor();
        self.camera
            .call_raw(self.company_id, |a| async move {
                v.find_person(&a, alias, place_id).await
            })
            .await
    }

    /// Registers a person; returns the vendor's person id.
    pub async fn register(&self, person: &NewPerson<'_>) -> ApiResult<VendorResult<String>> {
        let v = self.vendor();
        self.camera
            .call_raw(self.company_id, |a| async move {
                let person = NewPerson {
                    alias: person.alias,
                    name: person.name,
                    title: person.title,
                    place_id: person.place_id,
                    photo: person.photo.clone(),
                };
                v.register_person(&a, person).await
            })
            .await
    }

    pub async fn update_face(
        &self,
        person_id: &str,
        place_id: &str,
        photo: &[u8],
    ) -> ApiResult<VendorResult<()>> {
        let v = self.vendor();
        self.camera
            .call_raw(self.company_id, |a| async move {
                v.update_face(&a, person_id, place_id, photo.to_vec()).await
            })
            .await
    }

    pub async fn update_info(
        &self,
        alias: &str,
        place_id: &str,
        name: &str,
        title: Option<&str>,
    ) -> ApiResult<VendorResult<()>> {
        let v = self.vendor();
        self.camera
            .call_raw(self.company_id, |a| async move {
                v.update_info(&a, alias, place_id, name, title).await
            })
            .await
    }

    pub async fn claim_alias(&self, person_id: &str, alias: &str) -> ApiResult<VendorResult<()>> {
        let v = self.vendor();
        self.camera
            .call_raw(self.company_id, |a| async move {
                v.claim_alias(&a, person_id, alias).await
            })
            .await
    }

    pub async fn remove(
        &self,
        person_id: Option<&str>,
        alias: &str,
        place_id: &str,
    ) -> ApiResult<VendorResult<()>> {
        let v = self.vendor();
        self.camera
            .call_raw(self.company_id, |a| async move {
                v.remove_person(&a, person_id, alias, place_id).await
            })
            .await
    }
}
