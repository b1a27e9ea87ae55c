//! The one way into the schema, for HTTP and WebSocket alike: fresh dataloaders per operation,
//! Apollo automatic persisted queries, operation metrics, and a stable `extensions.code` on
//! every error.
//!
//! Why not schema extensions: with any extension registered, async-graphql builds a
//! `ResolveInfo` and runs every extension's `resolve` hook for each field of each row (profiled:
//! ~5% of an `employees(first: 100)` request). All four of ours work on the whole operation, so
//! they wrap it here and the field path has none.

use std::{sync::Arc, time::Instant};

use async_graphql::{
    Data, Executor, Request, Response, ServerError, futures_util::stream::BoxStream,
};
use futures_util::{StreamExt, stream};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::{
    graphql::{AppSchema, with_default_code},
    loaders::Loaders,
    metrics::METRICS,
    operation::{self, RootFields},
    persisted::PersistedQueries,
    state::AppState,
};

/// The schema as clients reach it.
#[derive(Clone)]
pub struct Api {
    schema: AppSchema,
    app: AppState,
    persisted: Arc<PersistedQueries>,
    root_fields: Arc<RootFields>,
}

#[derive(Deserialize)]
struct PersistedQuery {
    version: i32,
    #[serde(rename = "sha256Hash")]
    sha256_hash: String,
}

impl Api {
    pub fn new(schema: AppSchema, app: AppState) -> Self {
        Self {
            root_fields: Arc::new(RootFields::from_sdl(&schema.sdl())),
            schema,
            app,
            persisted: Arc::default(),
        }
    }

    /// Adds the per-operation data and resolves a persisted query.
    async fn prepare(&self, mut request: Request) -> Result<Request, ServerError> {
        if !request.query.is_empty() {
            operation::precheck(&request.query)?;
        }
        request = request.data(Loaders::new(&self.app.db));
        let Some(value) = request.extensions.remove("persistedQuery") else {
            return Ok(request);
        };
        let persisted: PersistedQuery = serde_json::to_value(value)
            .ok()
            .and_then(|v| serde_json::from_value(v).ok())
            .ok_or_else(|| ServerError::new("invalid `persistedQuery` extension", None))?;
        if persisted.version != 1 {
            return Err(ServerError::new(
                "only version 1 of the `persistedQuery` extension is supported",
                None,
            ));
        }
        if request.query.is_empty() {
            // Apollo clients answer this message by sending the full query.
            let doc = self.persisted.get(&persisted.sha256_hash);
            let doc = doc.ok_or_else(|| ServerError::new("PersistedQueryNotFound", None))?;
            request.set_parsed_query(doc);
            return Ok(request);
        }
        if hex::encode(Sha256::digest(request.query.as_bytes())) != persisted.sha256_hash {
            return Err(ServerError::new("provided sha does not match query", None));
        }
        let doc = async_graphql::parser::parse_query(&request.query)?;
        self.persisted
            .set(persisted.sha256_hash, doc.clone(), request.query.len());
        request.set_parsed_query(doc);
        Ok(request)
    }
}

/// Every error with a code, and the operation counted.
fn finish(mut response: Response, operation: &str, started: Instant) -> Response {
    response.errors = response.errors.into_iter().map(with_default_code).collect();
    METRICS
        .graphql_operations
        .with_label_values(&[operation])
        .inc();
    METRICS
        .graphql_duration
        .with_label_values(&[operation])
        .observe(started.elapsed().as_secs_f64());
    response
}

const ANONYMOUS: &str = "other";

impl Api {
    /// The bounded metric label of a prepared request, after the shape checks. Parsing here is
    /// not extra work: the schema executes the document the request now carries.
    fn label_and_check(&self, request: &mut Request) -> Result<String, Box<(ServerError, String)>> {
        let name = request.operation_name.clone();
        let variables = std::mem::take(&mut request.variables);
        let checked = match request.parsed_query() {
            Ok(document) => {
                let label = self.root_fields.label(document, name.as_deref());
                match operation::check_shape(document, name.as_deref())
                    .and_then(|()| crate::bounds::check(document, &variables))
                {
                    Ok(()) => Ok(label),
                    Err(error) => Err(Box::new((error, label))),
                }
            }
            // The schema reports the syntax error itself.
            Err(_) => Ok(ANONYMOUS.to_owned()),
        };
        request.variables = variables;
        checked
    }
}

impl Executor for Api {
    async fn execute(&self, request: Request) -> Response {
        let started = Instant::now();
        let mut request = match self.prepare(request).await {
            Ok(request) => request,
            Err(error) => return finish(Response::from_errors(vec![error]), ANONYMOUS, started),
        };
        match self.label_and_check(&mut request) {
            Ok(label) => finish(self.schema.execute(request).await, &label, started),
            Err(refused) => {
                let (error, label) = *refused;
                finish(Response::from_errors(vec![error]), &label, started)
            }
        }
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let api = self.clone();
        stream::once(async move {
            let started = Instant::now();
            let refused = |error, label: String| {
                stream::once(
                    async move { finish(Response::from_errors(vec![error]), &label, started) },
                )
                .boxed()
            };
            let mut request = match api.prepare(request).await {
                Ok(request) => request,
                Err(error) => return refused(error, ANONYMOUS.to_owned()),
            };
            match api.label_and_check(&mut request) {
                Ok(label) => api
                    .schema
                    .execute_stream_with_session_data(request, session_data.unwrap_or_default())
                    .map(move |r| finish(r, &label, started))
                    .boxed(),
                Err(refusal) => {
                    let (error, label) = *refusal;
                    refused(error, label)
                }
            }
        })
        .flatten()
        .boxed()
    }
}
