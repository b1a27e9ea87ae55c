//! Stored check-ins: what tests and the control surface feed in ([`CheckinSeed`]) and what the
//! query endpoints and the webhook emitter read ([`Checkin`], names resolved at store time).

use serde::{Deserialize, Serialize};

use super::{State, local_time, now_ms};

/// A check-in to store (and optionally push as a webhook).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CheckinSeed {
    pub place_id: i64,
    pub device_id: String,
    #[serde(default)]
    pub alias_id: Option<String>,
    #[serde(default)]
    pub person_id: Option<String>,
    #[serde(default)]
    pub person_name: String,
    /// 0 employee, 1 customer, 2 stranger.
    #[serde(default)]
    pub person_type: i32,
    #[serde(default = "now_ms")]
    pub time_ms: i64,
    /// `None`: a new UUID v4.
    #[serde(default)]
    pub event_id: Option<String>,
}

/// A stored check-in, with names resolved.
#[derive(Debug, Clone)]
pub struct Checkin {
    pub event_id: String,
    pub place_id: i64,
    pub place_name: String,
    pub device_id: String,
    pub device_name: String,
    pub alias_id: String,
    pub person_id: String,
    pub person_name: String,
    pub title: String,
    pub person_type: i32,
    pub time_ms: i64,
    pub image_url: String,
}

impl State {
    /// Stores a check-in, resolving the person, device and place names from what is known.
    pub fn store_checkin(&mut self, seed: CheckinSeed) -> Checkin {
        let person = seed
            .person_id
            .as_deref()
            .and_then(|id| self.person_index_by_id(id))
            .or_else(|| {
                seed.alias_id
                    .as_deref()
                    .and_then(|a| self.person_index_by_alias(seed.place_id, a))
            })
            .map(|i| self.persons[i].clone());
        let device_name = self
            .device(&seed.device_id)
            .map(|d| d.name.clone())
            .unwrap_or_default();
        let place_name = self
            .place(seed.place_id)
            .map(|p| p.name.clone())
            .unwrap_or_default();
        let day = local_time(seed.time_ms)
            .map(|t| t.format("%Y/%m/%d").to_string())
            .unwrap_or_default();
        let name = match (&person, seed.person_name.is_empty()) {
            (Some(p), true) => p.name.clone(),
            _ => seed.person_name.clone(),
        };
        let checkin = Checkin {
            event_id: seed
                .event_id
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            place_id: seed.place_id,
            place_name,
            image_url: format!(
                "https://s3.hanet.sim/camera.sim/face/upload/{}/{day}/{}.jpg",
                seed.device_id,
                uuid::Uuid::new_v4()
            ),
            device_id: seed.device_id,
            device_name,
            alias_id: seed
                .alias_id
                .or_else(|| person.as_ref().map(|p| p.alias_id.clone()))
                .unwrap_or_default(),
            person_id: seed
                .person_id
                .or_else(|| person.as_ref().map(|p| p.person_id.clone()))
                .unwrap_or_default(),
            person_name: name,
            title: person.as_ref().map(|p| p.title.clone()).unwrap_or_default(),
            person_type: seed.person_type,
            time_ms: seed.time_ms,
        };
        self.checkins.push(checkin.clone());
        checkin
    }
}
