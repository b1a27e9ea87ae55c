//! `hanet-sim`: a faithful, in-memory stand-in for Hanet's OAuth server and partner API.
//!
//! Built from `reference/hanet-api.md`. One HTTP server answers both the OAuth paths
//! (`/oauth2/authorize`, `/token`) and the partner API paths (`/person/register`, …), plus a
//! control surface under `/_sim/…`. Tests start it in-process on a random port with
//! [`Simulator::start`]; the `hanet-sim` binary runs it from the command line.
//!
//! Where the reference says a behaviour is UNKNOWN, the simulator follows the reference's §8
//! recommendation; each choice is written down in the module that implements it:
//! [`oauth`] (token errors, `state`, refresh rotation), [`faults`] (rate limiting),
//! [`api`] (envelope, missing token, unknown-path answers), [`api::persons`] (the "has a face"
//! rule), [`api::checkins`] (page size cap, month rule), [`webhook`] (payload types, probe).

pub mod api;
pub mod control;
pub mod envelope;
pub mod faults;
pub mod form;
pub mod oauth;
mod server;
mod sim;
pub mod state;
pub mod webhook;

use std::net::SocketAddr;

pub use faults::{FaultSettings, Faults};
pub use sim::Simulator;
pub use state::{CheckinSeed, PersonView};

/// Everything a simulator instance starts with. `SimConfig::default()` is a ready-to-use
/// single-account setup.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// The OAuth client id the simulated Hanet developer app has.
    pub client_id: String,
    /// The matching client secret; also the key of the webhook `hash`.
    pub client_secret: String,
    /// Lifetime of issued access and refresh tokens, in seconds (Hanet: usually 365 days).
    pub token_lifetime_secs: i64,
    /// When true, a refresh token stops working once it has been used (rotation is one-shot).
    pub one_shot_refresh_tokens: bool,
    /// The Hanet accounts, with their places and devices.
    pub accounts: Vec<AccountSeed>,
    /// Persons allowed per place before `/person/register` answers -9008.
    pub face_quota_per_place: usize,
    /// Where check-in events are posted.
    pub webhook_url: Option<String>,
    /// Address to bind; port 0 picks a free port.
    pub bind: SocketAddr,
}

/// A Hanet user account (the login an HR admin links).
#[derive(Debug, Clone)]
pub struct AccountSeed {
    pub email: String,
    pub name: String,
    pub places: Vec<PlaceSeed>,
}

/// A place (site) owned by an account.
#[derive(Debug, Clone)]
pub struct PlaceSeed {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub devices: Vec<DeviceSeed>,
}

/// A camera installed at a place.
#[derive(Debug, Clone)]
pub struct DeviceSeed {
    pub id: String,
    pub name: String,
    pub online: bool,
}

impl DeviceSeed {
    fn online(id: &str, name: &str) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
            online: true,
        }
    }
}

impl Default for AccountSeed {
    /// `owner@hanet.sim` with places 1001 "Head office" (C20371B106, C20371B107) and
    /// 1002 "Warehouse" (C21283M316), every device online.
    fn default() -> Self {
        Self {
            email: "owner@hanet.sim".to_owned(),
            name: "Sim Owner".to_owned(),
            places: vec![
                PlaceSeed {
                    id: 1001,
                    name: "Head office".to_owned(),
                    address: "1 Sim Street, District 1, Ho Chi Minh City".to_owned(),
                    devices: vec![
                        DeviceSeed::online("C20371B106", "Main gate"),
                        DeviceSeed::online("C20371B107", "Lobby"),
                    ],
                },
                PlaceSeed {
                    id: 1002,
                    name: "Warehouse".to_owned(),
                    address: "99 Dock Road, Thu Duc City".to_owned(),
                    devices: vec![DeviceSeed::online("C21283M316", "Dock")],
                },
            ],
        }
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            client_id: "sim-client-id".to_owned(),
            client_secret: "sim-client-secret".to_owned(),
            token_lifetime_secs: 365 * 24 * 3600,
            one_shot_refresh_tokens: true,
            accounts: vec![AccountSeed::default()],
            face_quota_per_place: 10_000,
            webhook_url: None,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        }
    }
}
