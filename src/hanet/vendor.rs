//! Hanet as a [`CameraVendor`](crate::vendor::CameraVendor): OAuth, places, persons and
//! check-ins over the partner API.

use super::*;

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use uuid::Uuid;

use crate::vendor::{
    AccessToken, AccountProfile, CameraVendor, NewPerson, VendorCheckin, VendorDevice, VendorError,
    VendorPerson, VendorPlace, VendorResult, VendorTokens, WebhookEvent,
};

/// Hanet's largest check-in page.
pub(super) const CHECKIN_PAGE: usize = 500;

use wire::list;

#[async_trait::async_trait]
impl CameraVendor for HanetClient {
    fn authorization_url(
        &self,
        state: &str,
        redirect_uri: &str,
        code_challenge: &str,
    ) -> VendorResult<String> {
        let (client_id, _) = self.client_credentials()?;
        let query = serde_urlencoded::to_string([
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("scope", "full"),
            ("state", state),
            ("code_challenge", code_challenge),
            ("code_challenge_method", "S256"),
        ])
        .map_err(|e| VendorError::Decode(e.to_string()))?;
        Ok(format!(
            "{}/oauth2/authorize?{query}",
            self.settings.oauth_url
        ))
    }

    async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
        code_verifier: Option<&str>,
    ) -> VendorResult<VendorTokens> {
        let (client_id, client_secret) = self.client_credentials()?;
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("client_id", client_id),
            ("client_secret", client_secret),
        ];
        let Some(verifier) = code_verifier else {
            return self.token(Uuid::nil(), &form).await;
        };
        form.push(("code_verifier", verifier));
        match self.token(Uuid::nil(), &form).await {
            // Whether Hanet takes PKCE is unknown: a server that refuses the parameter gets the
            // exchange again without it (a refused exchange did not spend the code).
            Err(VendorError::GrantRefused(reason)) if reason.contains("code_verifier") => {
                form.pop();
                self.token(Uuid::nil(), &form).await
            }
            Err(VendorError::Http(400)) => {
                form.pop();
                self.token(Uuid::nil(), &form).await
            }
            other => other,
        }
    }

    async fn refresh(
        &self,
        company_id: Uuid,
        refresh_token: &SecretString,
    ) -> VendorResult<VendorTokens> {
        let (client_id, client_secret) = self.client_credentials()?;
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose_secret()),
            ("client_id", client_id),
            ("client_secret", client_secret),
        ];
        self.token(company_id, &form).await
    }

    async fn profile(&self, access: &AccessToken) -> VendorResult<AccountProfile> {
        let data = self
            .call(
                access.company_id,
                "/profile/getProfile",
                &[("token", access.token.expose_secret())],
            )
            .await?;
        Ok(AccountProfile {
            user_id: data.get("id").and_then(wire::id_string).unwrap_or_default(),
            email: wire::string_field(&data, "email").unwrap_or_default(),
            name: wire::string_field(&data, "name").unwrap_or_default(),
        })
    }

    async fn places(&self, access: &AccessToken) -> VendorResult<Vec<VendorPlace>> {
        let data = self
            .call(
                access.company_id,
                "/place/getPlaces",
                &[("token", access.token.expose_secret())],
            )
            .await?;
        Ok(list(&data)
            .iter()
            .filter_map(|p| {
                Some(VendorPlace {
                    id: p.get("id").and_then(wire::id_string)?,
                    name: wire::string_field(p, "name").unwrap_or_default(),
                    address: wire::string_field(p, "address"),
                })
            })
            .collect())
    }

    async fn devices(
        &self,
        access: &AccessToken,
        place_id: Option<&str>,
    ) -> VendorResult<Vec<VendorDevice>> {
        let token = access.token.expose_secret();
        let data = match place_id {
            Some(place) => {
                self.call(
                    access.company_id,
                    "/device/getListDeviceByPlace",
                    &[("token", token), ("placeID", place)],
                )
                .await?
            }
            None => {
                self.call(
                    access.company_id,
                    "/device/getListDevice",
                    &[("token", token)],
                )
                .await?
            }
        };
        let mut devices: Vec<VendorDevice> = list(&data)
            .iter()
            .filter_map(|d| {
                Some(VendorDevice {
                    id: wire::string_field(d, "deviceID")?,
                    name: wire::string_field(d, "deviceName").unwrap_or_default(),
                    place_id: d
                        .get("placeID")
                        .and_then(wire::id_string)
                        .or_else(|| place_id.map(str::to_owned)),
                    place_name: wire::string_field(d, "placeName"),
                    online: false,
                })
            })
            .collect();
        if devices.is_empty() {
            return Ok(devices);
        }
        let ids = devices
            .iter()
            .map(|d| d.id.as_str())
            .collect::<Vec<_>>()
            .join(",");
        let status = self
            .call(
                access.company_id,
                "/device/getConnectionStatus",
                &[("token", token), ("deviceIDs", &ids)],
            )
            .await?;
        for device in &mut devices {
            device.online = status
                .get(&device.id)
                .and_then(Value::as_bool)
                .unwrap_or(false);
        }
        Ok(devices)
    }

    async fn register_webhook_key(&self, access: &AccessToken, key: &str) -> VendorResult<()> {
        let form = [
            ("access_token", access.token.expose_secret()),
            ("partner_token", key),
        ];
        self.call(access.company_id, "/partner/updateToken", &form)
            .await
            .map(drop)
    }

    fn explain(&self, code: i64) -> Option<&'static str> {
        Some(match code {
            -9006 => {
                "Hanet rejected the photo: it needs exactly one frontal face with eyes, nose and mouth visible, no hat or mask"
            }
            -9002 => "Hanet rejected the image file type",
            -9007 => "this face is already registered in the place",
            -9008 => {
                "the place's free face quota is used up; a cloud plan must be bought for the place"
            }
            -9005 => "a person with this employee ID already exists in the place",
            -101 => "no camera of the place is online; registering a face needs one",
            -102 => "the camera is offline",
            -1005 => "the Hanet place no longer exists",
            -5011 => "the person no longer exists on Hanet",
            -2035 => "the Hanet account lacks permission for this",
            -1 => "Hanet refused the request as invalid",
            _ => return None,
        })
    }

    /// `hash == md5(client_secret + id)` (reference §6.5), compared in constant time.
    fn verify_webhook(&self, body: &Value) -> bool {
        use md5::{Digest, Md5};
        use subtle::ConstantTimeEq;
        let (Some(secret), Some(id), Some(hash)) = (
            self.settings.client_secret.as_ref(),
            body.get("id").and_then(wire::id_string),
            body.get("hash").and_then(Value::as_str),
        ) else {
            return false;
        };
        let expected = hex::encode(
            Md5::new()
                .chain_update(secret.expose_secret())
                .chain_update(&id)
                .finalize(),
        );
        expected
            .as_bytes()
            .ct_eq(hash.trim().to_ascii_lowercase().as_bytes())
            .into()
    }

    fn parse_webhook(&self, body: &Value) -> WebhookEvent {
        let kind = wire::string_field(body, "data_type").unwrap_or_default();
        WebhookEvent {
            routing_key: wire::string_field(body, "keycode"),
            place_id: body.get("placeID").and_then(wire::id_string),
            checkin: if kind == "log" {
                wire::webhook_checkin(body)
            } else {
                None
            },
            kind,
        }
    }

    /// Hanet's check-in query needs both ends in one calendar month of UTC+7.
    fn checkin_slices(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        wire::month_slices(from, to)
    }

    async fn checkins(
        &self,
        access: &AccessToken,
        place_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        page: u32,
    ) -> VendorResult<Vec<VendorCheckin>> {
        // Hanet's range is inclusive at both ends: stop a millisecond before `to`.
        let (from_ms, to_ms) = (
            from.timestamp_millis().to_string(),
            (to.timestamp_millis() - 1).to_string(),
        );
        let (page, size) = (page.to_string(), CHECKIN_PAGE.to_string());
        let form = [
            ("token", access.token.expose_secret()),
            ("placeID", place_id),
            ("from", from_ms.as_str()),
            ("to", to_ms.as_str()),
            ("page", page.as_str()),
            ("size", size.as_str()),
        ];
        let data = self
            .call(
                access.company_id,
                "/person/getCheckinByPlaceIdInTimestamp",
                &form,
            )
            .await?;
        Ok(list(&data)
            .iter()
            .filter_map(|row| wire::checkin_row(row, place_id))
            .collect())
    }

    fn checkin_page_size(&self) -> usize {
        CHECKIN_PAGE
    }

    async fn list_persons(
        &self,
        access: &AccessToken,
        place_id: &str,
    ) -> VendorResult<Vec<VendorPerson>> {
        self.persons_of_place(access, place_id).await
    }

    async fn find_person(
        &self,
        access: &AccessToken,
        alias: &str,
        place_id: &str,
    ) -> VendorResult<Option<VendorPerson>> {
        self.person_by_alias(access, alias, place_id).await
    }

    async fn register_person(
        &self,
        access: &AccessToken,
        new: NewPerson<'_>,
    ) -> VendorResult<String> {
        self.register(access, new).await
    }

    async fn update_face(
        &self,
        access: &AccessToken,
        person_id: &str,
        place_id: &str,
        photo: Vec<u8>,
    ) -> VendorResult<()> {
        self.replace_face(access, person_id, place_id, photo).await
    }

    async fn update_info(
        &self,
        access: &AccessToken,
        alias: &str,
        place_id: &str,
        name: &str,
        title: Option<&str>,
    ) -> VendorResult<()> {
        self.set_info(access, alias, place_id, name, title).await
    }

    async fn claim_alias(
        &self,
        access: &AccessToken,
        person_id: &str,
        alias: &str,
    ) -> VendorResult<()> {
        self.set_alias(access, person_id, alias).await
    }

    async fn remove_person(
        &self,
        access: &AccessToken,
        person_id: Option<&str>,
        alias: &str,
        place_id: &str,
    ) -> VendorResult<()> {
        match person_id {
            Some(person_id) => self.remove_by_id(access, person_id).await,
            None => self.remove(access, alias, place_id).await,
        }
    }

    async fn subscribe_place(
        &self,
        access: &AccessToken,
        place_id: &str,
        key: &str,
    ) -> VendorResult<()> {
        self.push_place(access, place_id, key).await
    }
}
