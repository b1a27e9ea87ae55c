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
    Data, Executor, Request, Response, ServerError,
    extensions::apollo_persisted_queries::{CacheStorage, LruCacheStorage},
    futures_util::stream::BoxStream,
    parser::types::DocumentOperations,
};
use futures_util::{StreamExt, stream};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::{
    graphql::{AppSchema, with_default_code},
    loaders::Loaders,
    metrics::METRICS,
    state::AppState,
};

/// Persisted documents kept (least recently used are dropped).
const PERSISTED_QUERIES: usize = 1024;

/// The schema as clients reach it.
#[derive(Clone)]
pub struct Api {
    schema: AppSchema,
    app: AppState,
    persisted: LruCacheStorage,
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
            schema,
            app,
            persisted: LruCacheStorage::new(PERSISTED_QUERIES),
        }
    }

    /// Adds the per-operation data and resolves a persisted query.
    async fn prepare(&self, mut request: Request) -> Result<Request, ServerError> {
        request = request.data(Loaders::new(&self.app));
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
            let doc = self.persisted.get(persisted.sha256_hash).await;
            let doc = doc.ok_or_else(|| ServerError::new("PersistedQueryNotFound", None))?;
            request.set_parsed_query(doc);
            return Ok(request);
        }
        if hex::encode(Sha256::digest(request.query.as_bytes())) != persisted.sha256_hash {
            return Err(ServerError::new("provided sha does not match query", None));
        }
        let doc = async_graphql::parser::parse_query(&request.query)?;
        self.persisted.set(persisted.sha256_hash, doc.clone()).await;
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

/// The operation's name as clients and dashboards know it: the one the request names, else the
/// name of the document's only operation. Parsing here is not extra work: the schema executes
/// the document the request now carries.
fn operation_name(request: &mut Request) -> String {
    if let Some(name) = &request.operation_name {
        return name.clone();
    }
    match request.parsed_query().map(|doc| &doc.operations) {
        Ok(DocumentOperations::Multiple(operations)) if operations.len() == 1 => {
            operations.keys().next().map(ToString::to_string)
        }
        _ => None,
    }
    .unwrap_or_else(|| ANONYMOUS.to_owned())
}

const ANONYMOUS: &str = "anonymous";

impl Executor for Api {
    async fn execute(&self, request: Request) -> Response {
        let started = Instant::now();
        let named = request.operation_name.clone();
        match self.prepare(request).await {
            Ok(mut request) => {
                let operation = operation_name(&mut request);
                finish(self.schema.execute(request).await, &operation, started)
            }
            Err(error) => finish(
                Response::from_errors(vec![error]),
                named.as_deref().unwrap_or(ANONYMOUS),
                started,
            ),
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
            let named = request.operation_name.clone();
            match api.prepare(request).await {
                Ok(mut request) => {
                    let operation = operation_name(&mut request);
                    api.schema
                        .execute_stream_with_session_data(request, session_data.unwrap_or_default())
                        .map(move |r| finish(r, &operation, started))
                        .boxed()
                }
                Err(error) => stream::once(async move {
                    let operation = named.as_deref().unwrap_or(ANONYMOUS);
                    finish(Response::from_errors(vec![error]), operation, started)
                })
                .boxed(),
            }
        })
        .flatten()
        .boxed()
    }
}
