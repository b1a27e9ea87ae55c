//! The README's walkthrough (`examples/walkthrough.sh`), run as written against a live server,
//! so the examples cannot rot.

use std::process::Command;

use crate::helpers::{Backend, PASSWORD, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_walkthrough_script_runs_against_a_live_server() {
    let app = spawn_app(Backend::Sqlite, &[]).await.expect("app");
    let company = app.seed_company("Walkthrough").await;
    app.enable_camera(&company).await;
    let before = metrics(&app).await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/walkthrough.sh");
    let (address, email) = (app.address.clone(), company.admin_email.clone());
    let output = tokio::task::spawn_blocking(move || {
        Command::new("bash")
            .arg(script)
            .env("BASE_URL", address)
            .env("EMAIL", email)
            .env("PASSWORD", PASSWORD)
            .output()
    })
    .await
    .expect("joined")
    .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("walkthrough OK"),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // What the script did is really there: a synced employee on Hanet.
    let persons = app.sim.persons_in_place(1001);
    assert_eq!(persons.len(), 1);
    assert!(persons[0].alias_id.starts_with("WT"));

    // The metrics moved (they are process-wide; other tests only make them move more).
    let after = metrics(&app).await;
    for (series, least) in [
        ("timekeeping_http_requests_total{status=\"200\"}", 10.0),
        (
            "timekeeping_graphql_operations_total{operation=\"mutation.startEmployeeSync\"}",
            1.0,
        ),
        (
            "timekeeping_hanet_calls_total{endpoint=\"/person/register\",outcome=\"ok\"}",
            1.0,
        ),
        (
            "timekeeping_sync_items_total{kind=\"EMPLOYEES\",outcome=\"succeeded\"}",
            1.0,
        ),
    ] {
        let grew = value(&after, series) - value(&before, series);
        assert!(grew >= least, "{series} grew by {grew}\n{after}");
    }
    assert!(after.contains("timekeeping_graphql_operation_duration_seconds_bucket"));
    assert!(after.contains("# TYPE timekeeping_checkins_ingested_total counter"));
}

async fn metrics(app: &crate::helpers::TestApp) -> String {
    app.client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .expect("GET /metrics")
        .text()
        .await
        .expect("text")
}

fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| {
            line.strip_prefix(series)
                .and_then(|rest| rest.trim().parse().ok())
        })
        .unwrap_or(0.0)
}
