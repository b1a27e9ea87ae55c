//! The application state: built once at start, cheap to clone, shared by every request.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use sea_orm::DatabaseConnection;

use crate::{
    auth::JwtKeys,
    checkins::Readers,
    config::Settings,
    events::{CheckinHub, JobHub},
    guard::Guards,
    linking::tokens::TokenManager,
    photos::store::PhotoStore,
};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub jwt: Arc<JwtKeys>,
    /// The camera vendor: `camera.for_company(id)` is a company's session (tokens inside).
    pub camera: Arc<TokenManager>,
    /// Wakes live check-in feeds.
    pub checkins: Arc<CheckinHub>,
    /// The per-company readers that feed `checkinRecorded` subscribers.
    pub checkin_readers: Arc<Readers>,
    /// Wakes job workers and tells subscribers about job changes.
    pub jobs: Arc<JobHub>,
    /// Where photo bytes are kept.
    pub photos: PhotoStore,
    /// Bounds on hashing, decoding and login attempts.
    pub guards: Arc<Guards>,
    /// The worker of each job kind (`crate::workers`).
    pub kinds: crate::jobs::handler::Kinds,
    /// SQL statements run since start (read by tests and metrics).
    pub sql_statements: Arc<AtomicU64>,
}

impl AppState {
    pub fn sql_statement_count(&self) -> u64 {
        self.sql_statements.load(Ordering::Relaxed)
    }
}

/// The application state from a GraphQL request's context, without panics.
pub trait AppContext {
    fn app(&self) -> crate::error::ApiResult<&AppState>;
}

impl AppContext for async_graphql::Context<'_> {
    fn app(&self) -> crate::error::ApiResult<&AppState> {
        self.data::<AppState>().map_err(|e| {
            crate::error::ApiError::internal(anyhow::anyhow!("app state missing: {}", e.message))
        })
    }
}
