//! Prometheus metrics (the `prometheus` crate, TiKV's), served at `GET /metrics`: HTTP requests
//! by status, GraphQL operations by name with their duration, Hanet calls by endpoint and
//! outcome, sync items by outcome, check-ins ingested by source, periodic task runs.

use std::sync::LazyLock;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    pub http_requests: IntCounterVec,
    pub graphql_operations: IntCounterVec,
    pub graphql_duration: HistogramVec,
    pub hanet_calls: IntCounterVec,
    pub sync_items: IntCounterVec,
    pub checkins_ingested: IntCounterVec,
    pub periodic_runs: IntCounterVec,
}

#[allow(
    clippy::panic,
    reason = "constant names and labels, built once at start; a typo fails every test"
)]
fn counter(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let counter = IntCounterVec::new(Opts::new(name, help), labels)
        .unwrap_or_else(|e| panic!("metric {name}: {e}"));
    // Registering the same name twice is the only failure, and each name is registered once.
    let _ = registry.register(Box::new(counter.clone()));
    counter
}

/// The process's metrics. Built once; the names are constants, so construction cannot fail.
#[allow(
    clippy::panic,
    reason = "constant names and labels, built once at start; a typo fails every test"
)]
pub static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let registry = Registry::new();
    let graphql_duration = HistogramVec::new(
        HistogramOpts::new(
            "timekeeping_graphql_operation_duration_seconds",
            "GraphQL operation duration",
        )
        .buckets(vec![
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ]),
        &["operation"],
    )
    .unwrap_or_else(|e| panic!("histogram: {e}"));
    let _ = registry.register(Box::new(graphql_duration.clone()));
    let metrics = Metrics {
        http_requests: counter(
            &registry,
            "timekeeping_http_requests_total",
            "HTTP requests by status",
            &["status"],
        ),
        graphql_operations: counter(
            &registry,
            "timekeeping_graphql_operations_total",
            "GraphQL operations by name",
            &["operation"],
        ),
        graphql_duration,
        hanet_calls: counter(
            &registry,
            "timekeeping_hanet_calls_total",
            "Hanet API calls by endpoint and outcome",
            &["endpoint", "outcome"],
        ),
        sync_items: counter(
            &registry,
            "timekeeping_sync_items_total",
            "Sync job items finished, by job kind and outcome",
            &["kind", "outcome"],
        ),
        checkins_ingested: counter(
            &registry,
            "timekeeping_checkins_ingested_total",
            "New check-ins stored, by source",
            &["source"],
        ),
        periodic_runs: counter(
            &registry,
            "timekeeping_periodic_runs_total",
            "Runs of periodic tasks in this process, by task and outcome",
            &["task", "outcome"],
        ),
        registry,
    };
    // Series exist from the start (at 0), so dashboards and alerts see them before the first event.
    for source in ["WEBHOOK", "PULL"] {
        metrics.checkins_ingested.with_label_values(&[source]);
    }
    for kind in ["EMPLOYEES", "ATTENDANCE"] {
        for outcome in ["succeeded", "failed"] {
            metrics.sync_items.with_label_values(&[kind, outcome]);
        }
    }
    metrics
});

/// The Prometheus text exposition.
pub fn render() -> String {
    let mut buffer = Vec::new();
    let _ = TextEncoder::new().encode(&METRICS.registry.gather(), &mut buffer);
    String::from_utf8(buffer).unwrap_or_default()
}
