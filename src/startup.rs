//! Building and running the application; used by `main` and by the tests alike.

use std::{
    net::TcpListener,
    sync::{Arc, atomic::AtomicU64},
};

use actix_cors::Cors;
use actix_web::{App, HttpServer, dev::Server, http::header, web};
use anyhow::{Context, bail};
use secrecy::{ExposeSecret, SecretString};

use crate::{
    auth::JwtKeys,
    checkins,
    config::{self, Settings},
    crypto::TokenCipher,
    days, db,
    graphql::{self, Limits},
    hanet::HanetClient,
    http, jobs,
    linking::tokens::TokenManager,
    photos::store::PhotoStore,
    state::AppState,
    vendor::CameraVendor,
};

/// A built server, bound to its port, not yet running.
pub struct Application {
    server: Server,
    port: u16,
    state: AppState,
}

/// Connects, migrates and assembles the state (no HTTP server).
pub async fn build_state(settings: Settings) -> anyhow::Result<AppState> {
    settings.validate()?;
    // Several processes share one PostgreSQL database (design §9): a secret generated into one
    // host's data directory would make each process reject the others' tokens and fail to read
    // the others' Hanet tokens.
    if !settings.database_url().starts_with("sqlite:") {
        for (name, set) in [
            ("TIMEKEEPING_JWT_SECRET", settings.jwt_secret.is_some()),
            (
                "TIMEKEEPING_ENCRYPTION_KEY",
                settings.encryption_key.is_some(),
            ),
        ] {
            if !set {
                bail!(
                    "{name} must be set when DATABASE_URL is PostgreSQL: every process sharing the \
                     database needs the same value (generate one with `openssl rand -hex 32`)"
                );
            }
        }
    }
    let statements = Arc::new(AtomicU64::new(0));
    let db = db::connect(&settings, statements.clone()).await?;
    db::migrate(&db, &settings).await?;
    let secret = match &settings.jwt_secret {
        Some(secret) => secret.clone(),
        None => SecretString::from(config::persistent_secret(&settings, "jwt-secret")?),
    };
    if secret.expose_secret().len() < 32 {
        bail!("TIMEKEEPING_JWT_SECRET must be at least 32 characters");
    }
    let encryption_key = match &settings.encryption_key {
        Some(key) => key.clone(),
        None => SecretString::from(config::persistent_secret(&settings, "encryption-key")?),
    };
    let cipher = TokenCipher::from_hex(&encryption_key)?;
    let budget = crate::hanet::SharedBudget::new(&db, settings.hanet_rate_limit_per_second);
    let vendor: Arc<dyn CameraVendor> = Arc::new(HanetClient::new(settings.hanet(), budget)?);
    let tokens = TokenManager::new(
        db.clone(),
        vendor,
        cipher,
        chrono::Duration::seconds(settings.hanet_refresh_margin_secs),
    );
    let photos = PhotoStore::from_settings(&settings)?;
    let jwt = JwtKeys::new(
        &secret,
        &settings.jwt_issuer,
        &settings.jwt_audience,
        settings.jwt_ttl_minutes,
    );
    let guards = Arc::new(crate::guard::Guards::new(&settings));
    Ok(AppState {
        db,
        guards,
        settings: Arc::new(settings),
        jwt: Arc::new(jwt),
        camera: Arc::new(tokens),
        photos,
        jobs: Default::default(),
        checkins: Default::default(),
        checkin_readers: Default::default(),
        sql_statements: statements,
        kinds: crate::workers::kinds(),
    })
}

impl Application {
    pub async fn build(mut settings: Settings) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(settings.bind)
            .with_context(|| format!("TIMEKEEPING_BIND: cannot listen on {}", settings.bind))?;
        let address = listener.local_addr()?;
        // Links we hand out (the OAuth callback) must name the port actually bound.
        if settings.public_url.is_none() {
            settings.public_url = Some(format!("http://{address}"));
        }
        let state = build_state(settings).await?;
        let settings = state.settings.clone();
        let schema = graphql::schema_builder(Limits {
            depth: settings.query_depth_limit,
            complexity: settings.query_complexity_limit,
        })
        .data(state.clone())
        .finish();
        let port = address.port();
        let app_state = web::Data::new(state.clone());
        let schema = web::Data::new(crate::executor::Api::new(schema, state.clone()));
        let origins = settings.cors_origins.clone();
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(actix_web::middleware::from_fn(observe))
                // Browsers must not guess a type other than the one we send (design §10).
                .wrap(
                    actix_web::middleware::DefaultHeaders::new()
                        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff")),
                )
                .wrap(cors(&origins))
                .app_data(app_state.clone())
                .app_data(schema.clone())
                .configure(http::routes)
        })
        .shutdown_timeout(10);
        if settings.http_workers > 0 {
            server = server.workers(settings.http_workers);
        }
        let server = server.listen(listener)?.run();
        // Days an older version of the day rules stored are recomputed in the background.
        days::job::queue_outdated(&state, days::job::Outdated::Everywhere)
            .await
            .map_err(|e| anyhow::anyhow!("queueing attendance-day recomputes: {}", e.message()))?;
        crate::events::start(&state);
        jobs::runner::spawn(state.clone());
        checkins::pull::spawn_catch_up(state.clone());
        days::absences::spawn(state.clone());
        crate::photos::retention::spawn(state.clone());
        crate::timesheets::spawn_sweep(state.clone());
        crate::sync::auto::spawn(state.clone());
        crate::sync::drift::spawn(state.clone());
        Ok(Self {
            server,
            port,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until a shutdown signal (SIGINT/SIGTERM) or `ServerHandle::stop`.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }
}

/// Counts every response by status for `/metrics`.
/// Every request runs in a span with its id (the client's `x-request-id` when it is a short
/// token, else a new UUID), so every log line it causes carries `request.id`; the id is sent
/// back in `x-request-id`. Counts the request by status.
async fn observe(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    use tracing::Instrument;
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (1..=64).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned);
    let span = tracing::info_span!(
        "http.request",
        request.id = %id,
        http.method = %req.method(),
        http.path = %req.path(),
        http.status = tracing::field::Empty,
    );
    let started = std::time::Instant::now();
    let mut response = next.call(req).instrument(span.clone()).await?;
    let status = response.status();
    span.record("http.status", status.as_u16());
    span.in_scope(|| {
        tracing::debug!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "request served"
        );
    });
    if let Ok(value) = header::HeaderValue::from_str(&id) {
        response
            .headers_mut()
            .insert(header::HeaderName::from_static("x-request-id"), value);
    }
    crate::metrics::METRICS
        .http_requests
        .with_label_values(&[status.as_str()])
        .inc();
    Ok(response)
}

fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "OPTIONS"])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .allowed_header("apollo-require-preflight")
        .max_age(3600);
    for origin in origins.iter().filter(|o| !o.is_empty()) {
        cors = cors.allowed_origin(origin);
    }
    cors
}
