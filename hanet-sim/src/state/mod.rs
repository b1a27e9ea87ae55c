//! The simulator's in-memory world: accounts, places, devices, persons, check-ins, OAuth codes
//! and tokens, and the call counters tests inspect.
//!
//! One `State` lives behind a `std::sync::Mutex`; handlers lock it briefly and never across an
//! `.await`. Hanet user ids are 19-digit numbers (beyond 2^53, as in the reference) and person
//! ids are 19-digit numeric strings.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, FixedOffset, Offset, Utc};
use rand::Rng;
use serde::Serialize;

mod checkins;

pub use checkins::{Checkin, CheckinSeed};

use crate::SimConfig;
use crate::envelope::ApiError;

/// Hanet's calendar: UTC+7.
pub fn hanet_offset() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).unwrap_or_else(|| Utc.fix())
}

/// Epoch milliseconds as a UTC+7 date-time (`None` when out of range).
pub fn local_time(ms: i64) -> Option<DateTime<FixedOffset>> {
    DateTime::from_timestamp_millis(ms).map(|t| t.with_timezone(&hanet_offset()))
}

pub fn now_secs() -> i64 {
    Utc::now().timestamp()
}

pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// A simulated Hanet account.
#[derive(Debug, Clone)]
pub struct Account {
    pub user_id: i64,
    pub email: String,
    pub name: String,
    /// Set by `/partner/updateToken`; sent back as the webhook `keycode`.
    pub partner_token: Option<String>,
    /// `None`: webhooks for every place; `Some`: only these (`addPlacePartner`).
    pub pushed_places: Option<BTreeSet<i64>>,
    /// Whether the partner app is linked (`/partner/removeUserPartner` clears it).
    pub linked: bool,
}

#[derive(Debug, Clone)]
pub struct Place {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub account: usize,
}

#[derive(Debug, Clone)]
pub struct Device {
    pub id: String,
    pub name: String,
    pub place_id: i64,
    pub online: bool,
}

#[derive(Debug, Clone)]
pub struct Person {
    pub person_id: String,
    pub alias_id: String,
    pub name: String,
    pub title: String,
    pub place_id: i64,
    pub person_type: i32,
    pub face_sha256: String,
    pub face_updates: u32,
    pub avatar: String,
}

/// What tests see of a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonView {
    pub person_id: String,
    pub alias_id: String,
    pub name: String,
    pub title: String,
    pub place_id: i64,
    pub face_sha256: String,
    pub face_updates: u32,
}

impl From<&Person> for PersonView {
    fn from(p: &Person) -> Self {
        Self {
            person_id: p.person_id.clone(),
            alias_id: p.alias_id.clone(),
            name: p.name.clone(),
            title: p.title.clone(),
            place_id: p.place_id,
            face_sha256: p.face_sha256.clone(),
            face_updates: p.face_updates,
        }
    }
}

/// A pending authorization code.
#[derive(Debug, Clone)]
pub struct AuthCode {
    pub account: usize,
    pub client_id: String,
    pub redirect_uri: String,
    pub issued_at: i64,
}

/// An issued access or refresh token.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub account: usize,
    pub expires_at: i64,
    pub used: bool,
}

/// Call counters.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Counters {
    pub register_calls: HashMap<String, u32>,
    pub update_calls: HashMap<String, u32>,
    pub token_refreshes: u32,
    pub requests: HashMap<String, u32>,
}

#[derive(Debug)]
pub struct State {
    pub accounts: Vec<Account>,
    pub places: Vec<Place>,
    pub devices: Vec<Device>,
    pub persons: Vec<Person>,
    pub checkins: Vec<Checkin>,
    pub codes: HashMap<String, AuthCode>,
    pub access_tokens: HashMap<String, TokenInfo>,
    pub refresh_tokens: HashMap<String, TokenInfo>,
    pub counters: Counters,
    /// The partner app's OAuth client id.
    pub client_id: String,
    pub webhook_url: Option<String>,
    pub face_quota_per_place: usize,
    pub token_lifetime_secs: i64,
    pub one_shot_refresh_tokens: bool,
    person_ids: HashSet<String>,
}

impl State {
    pub fn new(config: &SimConfig) -> State {
        let mut state = State {
            accounts: Vec::new(),
            places: Vec::new(),
            devices: Vec::new(),
            persons: Vec::new(),
            checkins: Vec::new(),
            codes: HashMap::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            counters: Counters::default(),
            client_id: config.client_id.clone(),
            webhook_url: config.webhook_url.clone(),
            face_quota_per_place: config.face_quota_per_place,
            token_lifetime_secs: config.token_lifetime_secs,
            one_shot_refresh_tokens: config.one_shot_refresh_tokens,
            person_ids: HashSet::new(),
        };
        for (idx, seed) in config.accounts.iter().enumerate() {
            state.accounts.push(Account {
                // 19 digits, above 2^53: JavaScript clients lose precision on it.
                user_id: 1_767_412_345_678_900_000 + (idx as i64) * 1_000,
                email: seed.email.clone(),
                name: seed.name.clone(),
                partner_token: None,
                pushed_places: None,
                linked: false,
            });
            for place in &seed.places {
                state.places.push(Place {
                    id: place.id,
                    name: place.name.clone(),
                    address: place.address.clone(),
                    account: idx,
                });
                for device in &place.devices {
                    state.devices.push(Device {
                        id: device.id.clone(),
                        name: device.name.clone(),
                        place_id: place.id,
                        online: device.online,
                    });
                }
            }
        }
        state
    }

    pub fn place(&self, id: i64) -> Option<&Place> {
        self.places.iter().find(|p| p.id == id)
    }

    /// The place if it belongs to `account`, else -1005.
    pub fn owned_place(&self, account: usize, id: i64) -> Result<&Place, ApiError> {
        self.place(id)
            .filter(|p| p.account == account)
            .ok_or_else(ApiError::place_not_found)
    }

    pub fn account_places(&self, account: usize) -> impl Iterator<Item = &Place> {
        self.places.iter().filter(move |p| p.account == account)
    }

    pub fn devices_of(&self, place_id: i64) -> impl Iterator<Item = &Device> {
        self.devices.iter().filter(move |d| d.place_id == place_id)
    }

    pub fn device(&self, id: &str) -> Option<&Device> {
        self.devices.iter().find(|d| d.id == id)
    }

    pub fn place_has_online_device(&self, place_id: i64) -> bool {
        self.devices_of(place_id).any(|d| d.online)
    }

    pub fn persons_in(&self, place_id: i64) -> impl Iterator<Item = &Person> {
        self.persons.iter().filter(move |p| p.place_id == place_id)
    }

    pub fn person_index_by_alias(&self, place_id: i64, alias: &str) -> Option<usize> {
        self.persons
            .iter()
            .position(|p| p.place_id == place_id && !alias.is_empty() && p.alias_id == alias)
    }

    pub fn person_index_by_id(&self, person_id: &str) -> Option<usize> {
        self.persons.iter().position(|p| p.person_id == person_id)
    }

    /// Whether the person lives in one of `account`'s places.
    pub fn person_owned_by(&self, person: &Person, account: usize) -> bool {
        self.place(person.place_id)
            .is_some_and(|p| p.account == account)
    }

    /// A fresh, unique 19-digit numeric person id.
    pub fn new_person_id(&mut self) -> String {
        let mut rng = rand::rng();
        loop {
            let id = rng
                .random_range(1_000_000_000_000_000_000_i64..=9_000_000_000_000_000_000)
                .to_string();
            if self.person_ids.insert(id.clone()) {
                return id;
            }
        }
    }

    /// The CDN URL of a face image.
    pub fn face_url(place_id: i64, person_type: i32) -> String {
        let kind = if person_type == 1 {
            "visitor"
        } else {
            "employee"
        };
        format!(
            "https://static.hanet.sim/face/{kind}/{place_id}/{}.jpg",
            uuid::Uuid::new_v4()
        )
    }

    /// Every access token issued so far answers -103 from now on.
    pub fn expire_all_access_tokens(&mut self) {
        for token in self.access_tokens.values_mut() {
            token.expires_at = 0;
        }
    }

    /// Whether a device with that id exists (and was updated).
    pub fn set_device_online(&mut self, device_id: &str, online: bool) -> bool {
        let mut found = false;
        for device in self.devices.iter_mut().filter(|d| d.id == device_id) {
            device.online = online;
            found = true;
        }
        found
    }

    /// Adds a person without any validation; returns its personID.
    pub fn add_person_directly(
        &mut self,
        place_id: i64,
        name: &str,
        alias_id: Option<&str>,
        face_sha256: String,
    ) -> String {
        let person_id = self.new_person_id();
        self.persons.push(Person {
            person_id: person_id.clone(),
            alias_id: alias_id.unwrap_or("").to_owned(),
            name: name.to_owned(),
            title: String::new(),
            place_id,
            person_type: 0,
            face_sha256,
            face_updates: 0,
            avatar: Self::face_url(place_id, 0),
        });
        person_id
    }

    /// The alias a person-changing request is about, for the call counters: the `aliasID`
    /// field, else the alias of the person named by `personID` (or by a person id given in
    /// the `aliasID` field, which `updateInfo` allows).
    pub fn alias_for_counting(&self, fields: &HashMap<String, String>) -> Option<String> {
        let alias = fields.get("aliasID").map(|s| s.trim().to_owned());
        let by_id = |id: &str| {
            self.person_index_by_id(id.trim())
                .map(|i| self.persons[i].alias_id.clone())
        };
        if let Some(a) = alias.filter(|a| !a.is_empty()) {
            let is_alias = self.persons.iter().any(|p| p.alias_id == a);
            if !is_alias && let Some(found) = by_id(&a) {
                return Some(found);
            }
            return Some(a);
        }
        fields
            .get("personID")
            .or_else(|| fields.get("persionID"))
            .and_then(|id| by_id(id))
    }
}
