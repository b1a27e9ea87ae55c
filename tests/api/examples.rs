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

/// The demo's timesheet shows every day status (design §8): this month and last month together
/// (this month alone has no absences yet on its first day).
#[cfg(feature = "demo")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_timesheet_shows_every_status() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut demo, lines) = crate::sync_trust::demo_until_ready(dir.path()).await;
    let field = |prefix: &str| {
        lines
            .iter()
            .find_map(|l| l.trim().strip_prefix(prefix).map(|v| v.trim().to_owned()))
            .unwrap_or_else(|| panic!("{prefix} in {lines:?}"))
    };
    let url = field("GraphiQL");
    let header = field("Header");
    let token = header
        .split("Bearer ")
        .nth(1)
        .expect("token")
        .trim_end_matches("\"}")
        .to_owned();
    let today = chrono::Utc::now().date_naive();
    let last = today - chrono::Duration::days(i64::from(chrono::Datelike::day(&today)));
    let mut seen = std::collections::BTreeSet::new();
    for month in [
        today.format("%Y-%m").to_string(),
        last.format("%Y-%m").to_string(),
    ] {
        let body: serde_json::Value = reqwest::Client::new()
            .post(&url)
            .bearer_auth(&token)
            .json(&serde_json::json!({ "query": "query($m: String!) { timesheet(month: $m, first: 200) { edges { node { days { status } } } } }", "variables": { "m": month } }))
            .send()
            .await
            .expect("timesheet")
            .json()
            .await
            .expect("json");
        for edge in body["data"]["timesheet"]["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
        {
            for day in edge["node"]["days"].as_array().expect("days") {
                seen.insert(day["status"].as_str().unwrap_or("").to_owned());
            }
        }
    }
    let _ = demo.kill();
    let _ = demo.wait();
    let every = [
        "ABSENT",
        "DAY_OFF",
        "EARLY_LEAVE",
        "HOLIDAY",
        "INCOMPLETE",
        "LATE",
        "LATE_AND_EARLY_LEAVE",
        "ON_LEAVE",
        "PENDING",
        "PRESENT",
    ];
    assert_eq!(seen.iter().map(String::as_str).collect::<Vec<_>>(), every);
}
