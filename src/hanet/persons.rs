//! Persons on Hanet: listing, looking up, registering (never blindly re-sent), replacing a
//! face, changing details or alias, removing, and which places push webhooks.

use secrecy::ExposeSecret;

use super::{
    Resend,
    client::HanetClient,
    wire::{list, person},
};
use crate::vendor::{AccessToken, NewPerson, VendorError, VendorPerson, VendorResult};

impl HanetClient {
    pub(super) async fn persons_of_place(
        &self,
        access: &AccessToken,
        place_id: &str,
    ) -> VendorResult<Vec<VendorPerson>> {
        const PAGE: usize = 500;
        let mut persons = Vec::new();
        for page in 1.. {
            let page_text = page.to_string();
            let size = PAGE.to_string();
            let form = [
                ("token", access.token.expose_secret()),
                ("placeID", place_id),
                ("type", "0"),
                ("page", page_text.as_str()),
                ("size", size.as_str()),
            ];
            let data = self
                .call(access.company_id, "/person/getListByPlace", &form)
                .await?;
            let rows = list(&data);
            persons.extend(rows.iter().filter_map(person).map(|mut p| {
                p.place_id.get_or_insert_with(|| place_id.to_owned());
                p
            }));
            if rows.len() < PAGE {
                break;
            }
        }
        Ok(persons)
    }

    pub(super) async fn person_by_alias(
        &self,
        access: &AccessToken,
        alias: &str,
        place_id: &str,
    ) -> VendorResult<Option<VendorPerson>> {
        let form = [
            ("token", access.token.expose_secret()),
            ("aliasID", alias),
            ("placeIDs", place_id),
        ];
        let data = self
            .call(access.company_id, "/person/getListByAliasID", &form)
            .await?;
        Ok(list(&data).iter().filter_map(person).find(|p| {
            p.alias.as_deref() == Some(alias)
                && p.place_id.as_deref().is_none_or(|id| id == place_id)
        }))
    }

    pub(super) async fn register(
        &self,
        access: &AccessToken,
        new: NewPerson<'_>,
    ) -> VendorResult<String> {
        let form = [
            ("token", access.token.expose_secret()),
            ("name", new.name),
            ("aliasID", new.alias),
            ("placeID", new.place_id),
            ("title", new.title.unwrap_or("")),
            ("type", "0"),
        ];
        let timeout = self.settings.register_timeout;
        let data = self
            .call_with(
                access.company_id,
                "/person/register",
                &form,
                Some(&new.photo),
                timeout,
                Resend::OnlyIfUnsent,
            )
            .await?;
        person(&data)
            .map(|p| p.person_id)
            .ok_or_else(|| VendorError::Decode("register answered without a personID".to_owned()))
    }

    pub(super) async fn replace_face(
        &self,
        access: &AccessToken,
        person_id: &str,
        place_id: &str,
        photo: Vec<u8>,
    ) -> VendorResult<()> {
        let form = [
            ("token", access.token.expose_secret()),
            ("personID", person_id),
            ("placeID", place_id),
        ];
        let timeout = self.settings.register_timeout;
        self.call_with(
            access.company_id,
            "/person/updateByFaceImageByPersonID",
            &form,
            Some(&photo),
            timeout,
            Resend::OnlyIfUnsent,
        )
        .await
        .map(drop)
    }

    pub(super) async fn set_info(
        &self,
        access: &AccessToken,
        alias: &str,
        place_id: &str,
        name: &str,
        title: Option<&str>,
    ) -> VendorResult<()> {
        let form = [
            ("token", access.token.expose_secret()),
            ("aliasID", alias),
            ("placeID", place_id),
            ("name", name),
            ("title", title.unwrap_or("")),
        ];
        self.call(access.company_id, "/person/updateInfo", &form)
            .await
            .map(drop)
    }

    pub(super) async fn set_alias(
        &self,
        access: &AccessToken,
        person_id: &str,
        alias: &str,
    ) -> VendorResult<()> {
        let form = [
            ("token", access.token.expose_secret()),
            ("personID", person_id),
            ("aliasID", alias),
        ];
        self.call(access.company_id, "/person/updateAliasID", &form)
            .await
            .map(drop)
    }

    pub(super) async fn remove_by_id(
        &self,
        access: &AccessToken,
        person_id: &str,
    ) -> VendorResult<()> {
        let form = [
            ("token", access.token.expose_secret()),
            ("personID", person_id),
        ];
        self.call(access.company_id, "/person/removePersonByID", &form)
            .await
            .map(drop)
    }

    pub(super) async fn remove(
        &self,
        access: &AccessToken,
        alias: &str,
        place_id: &str,
    ) -> VendorResult<()> {
        let form = [
            ("token", access.token.expose_secret()),
            ("aliasID", alias),
            ("placeID", place_id),
        ];
        self.call(access.company_id, "/person/removeByPlace", &form)
            .await
            .map(drop)
    }

    pub(super) async fn push_place(
        &self,
        access: &AccessToken,
        place_id: &str,
        key: &str,
    ) -> VendorResult<()> {
        let form = [
            ("access_token", access.token.expose_secret()),
            ("placeID", place_id),
            ("partner_token", key),
        ];
        self.call(access.company_id, "/partner/addPlacePartner", &form)
            .await
            .map(drop)
    }
}
