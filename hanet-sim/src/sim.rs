//! [`Simulator`]: start/stop, inspection and manipulation of a running simulator.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use actix_web::dev::ServerHandle;
use anyhow::Context;
use serde_json::{Value, json};

use crate::SimConfig;
use crate::api;
use crate::faults::Faults;
use crate::form::Form;
use crate::state::{CheckinSeed, PersonView, State};
use crate::webhook;

/// State shared by the server workers and every [`Simulator`] clone.
pub(crate) struct Shared {
    pub client_id: String,
    pub client_secret: String,
    pub faults: Faults,
    pub http: reqwest::Client,
    state: Mutex<State>,
    /// Person-changing calls in flight, by alias, and how often one began while another for
    /// the same alias was still in flight (two workers on one employee at once).
    in_flight: Mutex<(std::collections::HashMap<String, u32>, u32)>,
}

impl Shared {
    pub fn state(&self) -> MutexGuard<'_, State> {
        // Handlers never panic while holding the lock; recover rather than poison the sim.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn count_request(&self, path: &str) {
        *self
            .state()
            .counters
            .requests
            .entry(path.to_owned())
            .or_default() += 1;
    }

    /// Marks a person-changing call for an alias in flight; returns the alias to release.
    pub fn enter_person_call(&self, path: &str, form: &Form) -> Option<String> {
        let alias = if api::is_register_path(path) {
            form.get("aliasID").map(str::to_owned)
        } else if api::is_update_path(path) {
            self.state().alias_for_counting(&form.fields)
        } else {
            None
        }?;
        let mut flight = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        let count = flight.0.entry(alias.clone()).or_default();
        *count += 1;
        if *count > 1 {
            flight.1 += 1;
        }
        Some(alias)
    }

    pub fn leave_person_call(&self, alias: &str) {
        let mut flight = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = flight.0.get_mut(alias) {
            *count = count.saturating_sub(1);
        }
    }

    pub fn overlapping_person_calls(&self) -> u32 {
        self.in_flight.lock().map(|f| f.1).unwrap_or(0)
    }

    pub fn count_person_call(&self, path: &str, form: &Form) {
        let mut state = self.state();
        if api::is_register_path(path) {
            let alias = form.get("aliasID").unwrap_or("").to_owned();
            *state.counters.register_calls.entry(alias).or_default() += 1;
        } else if api::is_update_path(path)
            && let Some(alias) = state.alias_for_counting(&form.fields)
        {
            *state.counters.update_calls.entry(alias).or_default() += 1;
        }
    }

    /// Stores a check-in and posts it to the webhook URL.
    pub async fn emit(&self, seed: CheckinSeed) -> anyhow::Result<u16> {
        let (payload, url) = {
            let mut state = self.state();
            let checkin = state.store_checkin(seed);
            let account = state.place(checkin.place_id).map(|p| p.account);
            let acc = account.and_then(|a| state.accounts.get(a));
            if let Some(pushed) = acc.and_then(|a| a.pushed_places.as_ref())
                && !pushed.contains(&checkin.place_id)
            {
                anyhow::bail!(
                    "place {} is not pushed to the partner (see /partner/addPlacePartner)",
                    checkin.place_id
                );
            }
            let keycode = acc
                .and_then(|a| a.partner_token.clone())
                .unwrap_or_default();
            let payload = webhook::checkin_payload(&checkin, &self.client_secret, &keycode);
            (payload, state.webhook_url.clone())
        };
        let url = url.context("no webhook URL configured")?;
        webhook::post_json(&self.http, &url, &payload).await
    }

    pub async fn probe(&self) -> anyhow::Result<u16> {
        let url = self
            .state()
            .webhook_url
            .clone()
            .context("no webhook URL configured")?;
        webhook::post_probe(&self.http, &url).await
    }

    /// Everything `/_sim/state` reports.
    pub fn snapshot(&self) -> Value {
        let state = self.state();
        let places: serde_json::Map<String, Value> = state
            .places
            .iter()
            .map(|p| {
                let persons: Vec<PersonView> =
                    state.persons_in(p.id).map(PersonView::from).collect();
                (p.id.to_string(), json!(persons))
            })
            .collect();
        let devices: Vec<Value> = state
            .devices
            .iter()
            .map(|d| json!({"device_id": d.id, "name": d.name, "place_id": d.place_id, "online": d.online}))
            .collect();
        let accounts: Vec<Value> = state
            .accounts
            .iter()
            .map(|a| json!({"email": a.email, "user_id": a.user_id, "partner_token": a.partner_token, "pushed_places": a.pushed_places, "linked": a.linked}))
            .collect();
        json!({
            "accounts": accounts,
            "persons_by_place": places,
            "devices": devices,
            "checkins_stored": state.checkins.len(),
            "counters": state.counters,
            "webhook_url": state.webhook_url,
            "faults": self.faults.settings(),
        })
    }
}

/// A running simulator. Cheap to clone; every clone controls the same instance.
#[derive(Clone)]
pub struct Simulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    handle: ServerHandle,
}

impl Simulator {
    /// Binds `config.bind`, spawns the server on the current tokio runtime and returns once
    /// the socket is listening.
    pub async fn start(config: SimConfig) -> anyhow::Result<Simulator> {
        let listener = std::net::TcpListener::bind(config.bind)
            .with_context(|| format!("binding {}", config.bind))?;
        let addr = listener.local_addr()?;
        let http = reqwest::Client::builder()
            .timeout(webhook::DELIVERY_TIMEOUT)
            .build()
            .context("building the webhook HTTP client")?;
        let shared = Arc::new(Shared {
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            faults: Faults::default(),
            http,
            state: Mutex::new(State::new(&config)),
            in_flight: Mutex::default(),
        });
        let server = crate::server::build(shared.clone(), listener)?;
        let handle = server.handle();
        tokio::spawn(async move {
            if let Err(e) = server.await {
                tracing::error!(error = %e, "hanet-sim server stopped");
            }
        });
        Ok(Simulator {
            shared,
            addr,
            handle,
        })
    }

    /// `http://127.0.0.1:PORT`: serves the OAuth paths, the partner API and `/_sim`.
    pub fn base_url(&self) -> String {
        let ip = if self.addr.ip().is_unspecified() {
            "127.0.0.1".to_owned()
        } else {
            self.addr.ip().to_string()
        };
        format!("http://{ip}:{}", self.addr.port())
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn client_id(&self) -> &str {
        &self.shared.client_id
    }

    pub fn client_secret(&self) -> &str {
        &self.shared.client_secret
    }

    /// The live fault controls.
    pub fn faults(&self) -> Faults {
        self.shared.faults.clone()
    }

    pub fn persons_in_place(&self, place_id: i64) -> Vec<PersonView> {
        let state = self.shared.state();
        state.persons_in(place_id).map(PersonView::from).collect()
    }

    /// `/person/register` calls that carried this alias, failed ones included.
    pub fn register_calls(&self, alias_id: &str) -> u32 {
        let state = self.shared.state();
        state
            .counters
            .register_calls
            .get(alias_id)
            .copied()
            .unwrap_or(0)
    }

    /// Face updates plus info updates addressed to this alias.
    pub fn update_calls(&self, alias_id: &str) -> u32 {
        let state = self.shared.state();
        state
            .counters
            .update_calls
            .get(alias_id)
            .copied()
            .unwrap_or(0)
    }

    /// How often a person-changing call began for an alias while another for the same alias
    /// was still in flight.
    pub fn overlapping_person_calls(&self) -> u32 {
        self.shared.overlapping_person_calls()
    }

    /// Successful `refresh_token` grants.
    pub fn token_refreshes(&self) -> u32 {
        self.shared.state().counters.token_refreshes
    }

    /// Requests seen for a path (any method, any outcome).
    pub fn request_count(&self, path: &str) -> u32 {
        let state = self.shared.state();
        state.counters.requests.get(path).copied().unwrap_or(0)
    }

    /// `(email, partner_token)` of every account that called `/partner/updateToken`.
    pub fn partner_tokens(&self) -> Vec<(String, String)> {
        let state = self.shared.state();
        state
            .accounts
            .iter()
            .filter_map(|a| a.partner_token.clone().map(|t| (a.email.clone(), t)))
            .collect()
    }

    /// The same JSON as `GET /_sim/state`.
    pub fn state_json(&self) -> Value {
        self.shared.snapshot()
    }

    /// Every access token issued so far (the fake vendor's own record, for tests that check
    /// what the server stores).
    pub fn access_tokens(&self) -> Vec<String> {
        self.shared.state().access_tokens.keys().cloned().collect()
    }

    /// Every access token issued so far now answers -103 (refresh tokens keep working).
    pub fn expire_all_tokens(&self) {
        self.shared.state().expire_all_access_tokens();
    }

    pub fn set_device_online(&self, device_id: &str, online: bool) {
        self.shared.state().set_device_online(device_id, online);
    }

    /// Adds a person as if created in Hanet's own app (no validation); returns its personID.
    pub fn add_person_directly(
        &self,
        place_id: i64,
        name: &str,
        alias_id: Option<&str>,
        face_bytes: &[u8],
    ) -> String {
        let sha = api::sha256_hex(face_bytes);
        let mut state = self.shared.state();
        state.add_person_directly(place_id, name, alias_id, sha)
    }

    /// Stores a check-in for the query endpoints without posting a webhook.
    pub fn add_checkin(&self, c: CheckinSeed) {
        self.shared.state().store_checkin(c);
    }

    /// Stores a check-in and posts the webhook; returns the receiver's HTTP status. Fails when
    /// no webhook URL is set, the place is narrowed out by `/partner/removePlacePartner`, or the
    /// receiver is unreachable.
    pub async fn emit_checkin(&self, c: CheckinSeed) -> anyhow::Result<u16> {
        self.shared.emit(c).await
    }

    /// Sends Hanet's empty-body reachability POST to the webhook URL.
    pub async fn probe_webhook(&self) -> anyhow::Result<u16> {
        self.shared.probe().await
    }

    pub fn set_webhook_url(&self, url: Option<String>) {
        self.shared.state().webhook_url = url;
    }

    pub fn webhook_url(&self) -> Option<String> {
        self.shared.state().webhook_url.clone()
    }

    /// Employees (type 0) of the first account's places that receive webhooks, as
    /// `(place_id, device ids, person)`; used by the binary's `--checkin-rate`.
    pub fn default_account_employees(&self) -> Vec<(i64, Vec<String>, PersonView)> {
        let state = self.shared.state();
        let pushed = state.accounts.first().and_then(|a| a.pushed_places.clone());
        state
            .account_places(0)
            .filter(|p| pushed.as_ref().is_none_or(|set| set.contains(&p.id)))
            .flat_map(|place| {
                let devices: Vec<String> =
                    state.devices_of(place.id).map(|d| d.id.clone()).collect();
                state
                    .persons_in(place.id)
                    .filter(|p| p.person_type == 0)
                    .map(move |p| (place.id, devices.clone(), PersonView::from(p)))
            })
            .collect()
    }

    /// Stops the server (in-flight requests are dropped).
    pub async fn shutdown(self) {
        self.handle.stop(false).await;
    }
}
