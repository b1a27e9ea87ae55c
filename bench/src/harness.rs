//! Starting the server for a benchmark, and reading this process's memory.

use clap::Parser;
use timekeeping::{cli::Cli, startup::Application, state::AppState};

pub struct Server {
    pub address: String,
    pub state: AppState,
    _dir: tempfile::TempDir,
}

/// Starts the application on port 0 with a fresh SQLite database (or `DATABASE_URL`).
pub async fn start(extra: &[&str]) -> anyhow::Result<Server> {
    let dir = tempfile::tempdir()?;
    let data_dir = dir.path().display().to_string();
    let database_url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{data_dir}/bench.db"));
    let mut args = vec![
        "timekeeping",
        "--data-dir",
        &data_dir,
        "--database-url",
        &database_url,
        "--bind",
        "127.0.0.1:0",
    ];
    // PostgreSQL needs shared secrets (several processes may share it); a benchmark's own.
    if !database_url.starts_with("sqlite:") {
        args.extend_from_slice(&[
            "--jwt-secret",
            "bench-jwt-secret-0123456789-0123456789-0123",
            "--encryption-key",
            "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
        ]);
    }
    args.extend_from_slice(extra);
    let cli = Cli::try_parse_from(args)?;
    let app = Application::build(cli.settings).await?;
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    Ok(Server {
        address,
        state,
        _dir: dir,
    })
}

/// Resets the peak-RSS counter (Linux).
pub fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak and current resident memory in MiB (VmHWM, VmRSS).
pub fn memory_mib() -> (f64, f64) {
    status_mib(["VmHWM:", "VmRSS:"])
}

/// Two `kB` fields of /proc/self/status, in MiB (0 when missing).
fn status_mib([a, b]: [&str; 2]) -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field(a), field(b))
}

/// Resident memory by kind in MiB: anonymous (the heap) and file-backed (RssAnon, RssFile).
pub fn resident_by_kind_mib() -> (f64, f64) {
    status_mib(["RssAnon:", "RssFile:"])
}

/// With BENCH_TRACE_MEMORY set, prints resident memory every 0.5 s to stderr until the
/// returned task is aborted.
pub fn trace_memory() -> Option<tokio::task::JoinHandle<()>> {
    std::env::var_os("BENCH_TRACE_MEMORY")?;
    let started = std::time::Instant::now();
    Some(tokio::spawn(async move {
        loop {
            let (peak, now) = memory_mib();
            let (anon, file) = resident_by_kind_mib();
            eprintln!(
                "  t={:>5.1}s rss={now:.0} MiB (anon {anon:.0}, file {file:.0}) peak={peak:.0} MiB",
                started.elapsed().as_secs_f64()
            );
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    }))
}

pub async fn login(address: &str, email: &str, password: &str) -> anyhow::Result<String> {
    let body: serde_json::Value = reqwest::Client::new()
        .post(format!("{address}/graphql"))
        .json(&serde_json::json!({
            "query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
            "variables": { "e": email, "p": password }
        }))
        .send()
        .await?
        .json()
        .await?;
    body["data"]["login"]["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("login failed: {body}"))
}

/// A GraphQL call that must succeed; returns `data`.
pub async fn gql(
    address: &str,
    token: &str,
    query: &str,
    variables: serde_json::Value,
) -> anyhow::Result<serde_json::Value> {
    let body: serde_json::Value = reqwest::Client::new()
        .post(format!("{address}/graphql"))
        .bearer_auth(token)
        .json(&serde_json::json!({ "query": query, "variables": variables }))
        .send()
        .await?
        .json()
        .await?;
    anyhow::ensure!(body.get("errors").is_none(), "GraphQL errors: {body}");
    Ok(body["data"].clone())
}

/// A distinct 160×160 JPEG per seed (distinct bytes: Hanet refuses a face it already has).
pub fn face(seed: usize) -> Vec<u8> {
    use image::{Rgb, RgbImage, codecs::jpeg::JpegEncoder};
    let image = RgbImage::from_fn(160, 160, |x, y| {
        let v = ((x as usize * 31 + y as usize * 17 + seed * 7919) % 251) as u8;
        Rgb([v, (seed % 256) as u8, ((seed / 256) % 256) as u8])
    });
    let mut out = Vec::new();
    let _ = JpegEncoder::new_with_quality(&mut out, 85).encode_image(&image);
    out
}

/// Links a simulated Hanet account the way the app does (start on `start`, the simulator
/// approves at once, complete on `complete`: any replica) and selects `place`. `login_hint`
/// picks one of the simulator's accounts.
pub async fn link(
    start: &str,
    complete: &str,
    token: &str,
    login_hint: Option<&str>,
    place: &str,
) -> anyhow::Result<()> {
    use serde_json::json;
    let started = gql(
        start,
        token,
        "mutation { startHanetLink { authorizationUrl } }",
        json!({}),
    )
    .await?;
    let mut url = started["startHanetLink"]["authorizationUrl"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if let Some(hint) = login_hint {
        url = format!("{url}&login_hint={}", hint.replace('@', "%40"));
    }
    let (code, state) = timekeeping::linking::approve(&url).await?;
    let linked = gql(
        complete,
        token,
        "mutation($c: String!, $s: String!) { completeHanetLink(code: $c, state: $s) { accountEmail } }",
        json!({ "c": code, "s": state }),
    )
    .await?;
    anyhow::ensure!(
        linked["completeHanetLink"]["accountEmail"].is_string(),
        "linking failed: {linked}"
    );
    gql(
        start,
        token,
        "mutation($p: ID!) { selectHanetPlace(placeId: $p) { accountEmail } }",
        json!({ "p": place }),
    )
    .await?;
    Ok(())
}
