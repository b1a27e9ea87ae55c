//! A server killed with SIGKILL mid-sync loses nothing: started again on the same database, the
//! job is picked up and finishes, with each employee on Hanet exactly once.

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use hanet_sim::{SimConfig, Simulator};
use serde_json::{Value, json};

use crate::{helpers::PASSWORD, images};

pub struct Server {
    pub child: Child,
    pub address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Creates a company with camera timekeeping on through the CLI (`create-company`,
/// `enable-camera`), as an operator would; returns its id.
pub fn seed_company(command: impl Fn() -> Command, admin_email: &str) -> String {
    let created = command()
        .args([
            "create-company",
            "--name",
            "Acme",
            "--admin-email",
            admin_email,
        ])
        .output()
        .expect("create-company");
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let company_id = String::from_utf8_lossy(&created.stdout).trim().to_owned();
    let enabled = command()
        .args(["enable-camera", "--company", &company_id])
        .output()
        .expect("enable-camera");
    assert!(enabled.status.success());
    company_id
}

/// An `importFacePhotos` multipart request with one distinct photo for each of `K00`…
pub fn photos_form(n: usize) -> reqwest::multipart::Form {
    let map: serde_json::Map<String, Value> = (0..n)
        .map(|i| (i.to_string(), json!([format!("variables.f.{i}")])))
        .collect();
    let mut form = reqwest::multipart::Form::new()
        .text("operations", json!({ "query": "mutation($f: [Upload!]!) { importFacePhotos(files: $f) { accepted } }", "variables": { "f": vec![Value::Null; n] } }).to_string())
        .text("map", Value::Object(map).to_string());
    for i in 0..n {
        form = form.part(
            i.to_string(),
            reqwest::multipart::Part::bytes(images::jpeg(130, 130, i as u8))
                .file_name(format!("K{i:02}.jpg")),
        );
    }
    form
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub fn command(dir: &std::path::Path, sim: &Simulator) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_timekeeping"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TIMEKEEPING_DATA_DIR", dir)
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/crash.db", dir.display()),
        )
        .env("HANET_API_URL", sim.base_url())
        .env("HANET_OAUTH_URL", sim.base_url())
        .env("HANET_CLIENT_ID", sim.client_id())
        .env("HANET_CLIENT_SECRET", sim.client_secret())
        .env("HANET_RETRY_BASE_MS", "10")
        .env("TIMEKEEPING_JOB_LEASE_SECS", "3")
        .env("TIMEKEEPING_JOB_POLL_MS", "200")
        .env("TIMEKEEPING_HTTP_WORKERS", "1")
        .env("TIMEKEEPING_ADMIN_PASSWORD", PASSWORD)
        .env("TIMEKEEPING_JWT_SECRET", crate::helpers::TEST_JWT_SECRET)
        .env(
            "TIMEKEEPING_ENCRYPTION_KEY",
            crate::helpers::TEST_ENCRYPTION_KEY,
        )
        .env("RUST_LOG", "warn");
    command
}

// The child is killed and waited on in `Server::drop`.
#[allow(clippy::zombie_processes)]
pub async fn serve(dir: &std::path::Path, sim: &Simulator) -> Server {
    serve_with(command(dir, sim)).await
}

/// Starts `command` as a server on a free port and waits until it is ready.
#[allow(clippy::zombie_processes)]
pub async fn serve_with(mut command: Command) -> Server {
    let port = free_port();
    let child = command
        .env("TIMEKEEPING_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    let address = format!("http://127.0.0.1:{port}");
    for _ in 0..300 {
        if reqwest::get(format!("{address}/readyz"))
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Server { child, address };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not become ready");
}

async fn gql(
    client: &reqwest::Client,
    server: &Server,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Value {
    let mut request = client
        .post(format!("{}/graphql", server.address))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let body: Value = request
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_interrupted_by_sigkill_finishes_after_a_restart_without_duplicates() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sim = Simulator::start(SimConfig::default()).await.expect("sim");
    let client = reqwest::Client::new();

    seed_company(|| command(dir.path(), &sim), "admin@acme.test");

    let first = serve(dir.path(), &sim).await;
    let login = gql(
        &client,
        &first,
        None,
        "mutation($p: String!) { login(email: \"admin@acme.test\", password: $p) { token } }",
        json!({ "p": PASSWORD }),
    )
    .await;
    let token = login["login"]["token"].as_str().expect("token").to_owned();
    let start = gql(
        &client,
        &first,
        Some(&token),
        "mutation { startHanetLink { authorizationUrl } }",
        json!({}),
    )
    .await;
    let (code, state) = timekeeping::linking::approve(
        start["startHanetLink"]["authorizationUrl"]
            .as_str()
            .expect("url"),
    )
    .await
    .expect("approved");
    gql(
        &client,
        &first,
        Some(&token),
        "mutation($c: String!, $s: String!) { completeHanetLink(code: $c, state: $s) { accountEmail } }",
        json!({ "c": code, "s": state }),
    )
    .await;
    gql(
        &client,
        &first,
        Some(&token),
        "mutation { selectHanetPlace(placeId: \"1001\") { accountEmail } }",
        json!({}),
    )
    .await;

    const N: usize = 30;
    for i in 0..N {
        let code = format!("K{i:02}");
        gql(&client, &first, Some(&token), "mutation($c: String!) { createEmployee(input: { employeeCode: $c, fullName: $c }) { id } }", json!({ "c": code })).await;
    }
    let form = photos_form(N);
    let imported: Value = client
        .post(format!("{}/graphql", first.address))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        imported["data"]["importFacePhotos"]["accepted"], N,
        "{imported:#}"
    );

    // Slow Hanet down, start the sync, and kill the server once part of it is done.
    sim.faults().set_latency(Duration::from_millis(150));
    let job = gql(
        &client,
        &first,
        Some(&token),
        "mutation { startEmployeeSync { id } }",
        json!({}),
    )
    .await;
    let job_id = job["startEmployeeSync"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let status = "query($id: ID!) { syncJob(id: $id) { status succeeded failed total } }";
    let mut first = first;
    for _ in 0..200 {
        let data = gql(
            &client,
            &first,
            Some(&token),
            status,
            json!({ "id": job_id }),
        )
        .await;
        if data["syncJob"]["succeeded"].as_i64().unwrap_or(0) >= 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    first.child.kill().expect("SIGKILL");
    let _ = first.child.wait();
    let before_restart = sim.persons_in_place(1001).len();
    assert!(
        before_restart < N,
        "the kill came mid-job ({before_restart} persons)"
    );

    sim.faults().reset();
    let second = serve(dir.path(), &sim).await;
    let mut last = Value::Null;
    for _ in 0..400 {
        last = gql(
            &client,
            &second,
            Some(&token),
            status,
            json!({ "id": job_id }),
        )
        .await;
        if !["QUEUED", "RUNNING"].contains(&last["syncJob"]["status"].as_str().unwrap_or("")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(last["syncJob"]["status"], "SUCCEEDED", "{last:#}");
    assert_eq!(last["syncJob"]["succeeded"], N);
    let persons = sim.persons_in_place(1001);
    let mut aliases: Vec<String> = persons.into_iter().map(|p| p.alias_id).collect();
    aliases.sort();
    let expected: Vec<String> = (0..N).map(|i| format!("K{i:02}")).collect();
    assert_eq!(aliases, expected, "each employee on Hanet exactly once");
}
