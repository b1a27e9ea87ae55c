//! GraphiQL without the internet (issue 15): the page at `GET /graphql` loads only files this
//! server serves, each cached for good under a versioned path; and, where Debian's Chromium and
//! the example's `node_modules` are at hand, `examples/graphiql/check.mjs` drives the page in a
//! real browser (query, subscription, screenshot) and fails on any request to another host.

use std::{path::Path, process::Command};

use serde_json::json;

use crate::{
    helpers::{Backend, PASSWORD, spawn_app},
    sync::ready_company,
};

const CHROMIUM: &str = "/usr/bin/chromium";
/// What a browser sends when it opens a page.
const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// A header's value, or "".
fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_page_references_only_files_this_server_serves_for_good() {
    let app = spawn_app(Backend::Sqlite, &[]).await.expect("app");
    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .header("accept", BROWSER_ACCEPT)
        .send()
        .await
        .expect("GET /graphql");
    assert_eq!(response.status(), 200);
    assert!(header(&response, "content-type").starts_with("text/html"));
    let policy = header(&response, "content-security-policy");
    assert!(policy.contains("default-src 'none'"), "{policy}");
    for directive in [
        "script-src 'self';",
        "connect-src 'self';",
        "style-src 'self';",
    ] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    let html = response.text().await.expect("HTML");
    assert!(html.contains("<title>timekeeping GraphiQL</title>"));
    assert!(
        !html.contains("http://") && !html.contains("https://") && !html.contains("//unpkg"),
        "no absolute URL in the page:\n{html}"
    );

    let references: Vec<&str> = ["src=\"", "href=\""]
        .iter()
        .flat_map(|attr| html.split(attr).skip(1))
        .filter_map(|rest| rest.split('"').next())
        .collect();
    let assets: Vec<&str> = references
        .iter()
        .copied()
        .filter(|r| r.starts_with("/graphiql/"))
        .collect();
    for reference in &references {
        assert!(
            reference.starts_with("/graphiql/") || *reference == "data:,",
            "only our own files: {reference}"
        );
    }
    for file in [
        "react.production.min.js",
        "react-dom.production.min.js",
        "graphiql.min.js",
        "graphiql.min.css",
        "init.js",
    ] {
        assert!(
            assets.iter().any(|a| a.ends_with(file)),
            "{file} in {assets:?}"
        );
    }
    for asset in &assets {
        let response = app
            .client
            .get(format!("{}{asset}", app.address))
            .send()
            .await
            .expect("asset");
        assert_eq!(response.status(), 200, "{asset}");
        let expected = if asset.ends_with(".js") {
            "text/javascript"
        } else {
            "text/css"
        };
        assert!(
            header(&response, "content-type").starts_with(expected),
            "{asset}"
        );
        assert_eq!(
            header(&response, "cache-control"),
            "public, max-age=31536000, immutable",
            "{asset}"
        );
        assert!(!response.bytes().await.expect("body").is_empty(), "{asset}");
    }

    // A version this build does not have is not answered with this build's bytes (they would
    // be cached for a year under the other version's name).
    let file = assets[0].rsplit('/').next().expect("file name");
    let stale = app
        .client
        .get(format!(
            "{}/graphiql/0.0.0-000000000000/{file}",
            app.address
        ))
        .send()
        .await
        .expect("stale asset");
    assert_eq!(stale.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_runs_a_query_and_a_subscription_in_chromium_without_other_hosts() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/graphiql");
    if let Some(why) = browser_missing(&example) {
        eprintln!("GraphiQL browser check skipped: {why}");
        return;
    }
    let app = spawn_app(Backend::Sqlite, &[]).await.expect("app");
    // A sync job, so the subscription (its progress) answers at once.
    let company = ready_company(&app, 1).await;
    app.graphql_ok(
        &company.admin_token,
        "mutation { startEmployeeSync { id } }",
        json!({}),
    )
    .await;

    let out = tempfile::tempdir().expect("temp dir");
    let screenshot = out.path().join("graphiql.png");
    let (address, email, path) = (
        app.address.clone(),
        company.admin_email.clone(),
        screenshot.clone(),
    );
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("check.mjs")
            .arg(address)
            .current_dir(example)
            .env("EMAIL", email)
            .env("PASSWORD", PASSWORD)
            .env("OUT", path)
            .output()
    })
    .await
    .expect("joined")
    .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("graphiql OK"),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains(r#"query result: {"#) && stdout.contains(r#""totalCount":1"#));
    assert!(stdout.contains("subscription event: {\"syncJobProgress\""));
    for png in [
        screenshot.clone(),
        out.path().join("graphiql-subscription.png"),
    ] {
        let bytes = std::fs::read(&png).expect("screenshot saved");
        assert!(
            bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000,
            "{png:?}"
        );
    }
}

/// Why the browser check cannot run here, if it cannot. `node_modules` is installed from npm's
/// cache only (`npm ci --offline`): the test never reaches the network.
fn browser_missing(example: &Path) -> Option<String> {
    if !Path::new(CHROMIUM).exists() {
        return Some(format!("no {CHROMIUM} (apt-get install -y chromium)"));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("no node".to_owned());
    }
    if example.join("node_modules/playwright-core").exists() {
        return None;
    }
    let installed = Command::new("npm")
        .args(["ci", "--offline", "--no-audit", "--no-fund"])
        .current_dir(example)
        .output();
    match installed {
        Ok(output) if output.status.success() => None,
        Ok(output) => Some(format!(
            "`npm ci --offline` in examples/graphiql failed (run `npm ci` there once): {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )),
        Err(e) => Some(format!("no npm ({e})")),
    }
}
