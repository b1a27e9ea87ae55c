//! The abuse probes of design §10 against a server in its own process (so its CPU time can be
//! read from `/proc`): each is refused with a clear code, costs under 20 ms of the server's CPU
//! and under 2 KB of reply, and the server keeps serving afterwards. (25 subscriptions on one
//! socket: `sockets`.)

use hanet_sim::{SimConfig, Simulator};
use serde_json::{Value, json};

use crate::{
    crash::{Server, command, serve_with},
    helpers::{PASSWORD, fresh_postgres_database, postgres_url},
};

/// A huge PNG: a valid header declaring `width`×`height`, and almost no pixel data.
pub fn png_header_only(width: u32, height: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for byte in bytes {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

/// User plus system CPU time of a process, in clock ticks (1/100 s on Linux).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc stat");
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let after = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    fields[11].parse::<u64>().unwrap_or(0) + fields[12].parse::<u64>().unwrap_or(0)
}

/// Builds a probe's request from the client, the server's address and a token.
type Request = Box<dyn Fn(&reqwest::Client, &str, &str) -> reqwest::RequestBuilder>;

struct Probe {
    name: &'static str,
    request: Request,
    code: &'static str,
}

fn gql(query: String) -> Request {
    Box::new(move |client, address, token| {
        client
            .post(format!("{address}/graphql"))
            .bearer_auth(token)
            .json(&json!({ "query": query }))
    })
}

fn gql_with(query: &'static str, variables: Value) -> Request {
    Box::new(move |client, address, token| {
        client
            .post(format!("{address}/graphql"))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
    })
}

fn probes() -> Vec<Probe> {
    let deep = format!(
        "{{ __schema {{ types {{ fields {{ type {}{{ name }}{} }} }} }} }}",
        "{ ofType ".repeat(46),
        " }".repeat(46)
    );
    let aliases: String = (0..5000).map(|_| "a:__typename ").collect();
    let directives: String = "@skip(if: false) ".repeat(100_000);
    let batch: Vec<Value> = (0..1000)
        .map(|_| json!({ "query": "{ __typename }" }))
        .collect();
    let logins: String = (0..50)
        .map(|i| format!("l{i}: login(email: \"a@b.test\", password: \"x\") {{ token }} "))
        .collect();
    let assigns: String = (0..500)
        .map(|i| format!("a{i}: assignWorkSchedule(input: {{ scheduleId: \"x\", from: \"2026-01-01\" }}) {{ recomputed {{ days }} }} "))
        .collect();
    let exports: String = (0..50)
        .map(|i| format!("e{i}: exportTimesheet(month: \"2026-11\") {{ url }} "))
        .collect();
    let ids: Vec<String> = (0..1500).map(|i| i.to_string()).collect();
    let many_ids: Vec<String> = (0..20_000).map(|i| i.to_string()).collect();
    vec![
        Probe { name: "500 aliased assignWorkSchedule", request: gql(format!("mutation {{ {assigns} }}")), code: "BAD_USER_INPUT" },
        Probe { name: "50 aliased exports", request: gql(format!("mutation {{ {exports} }}")), code: "BAD_USER_INPUT" },
        Probe {
            name: "an export with a 50,000-character search",
            request: gql_with("mutation($s: String) { exportTimesheet(month: \"2026-11\", filter: { search: $s }) { url } }", json!({ "s": "x".repeat(50_000) })),
            code: "BAD_USER_INPUT",
        },
        Probe {
            name: "a 1,500-id list",
            request: gql_with("mutation($ids: [ID!]) { assignWorkSchedule(input: { scheduleId: \"x\", employeeIds: $ids, from: \"2026-01-01\" }) { recomputed { days } } }", json!({ "ids": ids })),
            code: "BAD_USER_INPUT",
        },
        Probe {
            name: "a 20,000-id list",
            request: gql_with("mutation($ids: [ID!]) { assignWorkSchedule(input: { scheduleId: \"x\", employeeIds: $ids, from: \"2026-01-01\" }) { recomputed { days } } }", json!({ "ids": many_ids })),
            code: "PAYLOAD_TOO_LARGE",
        },
        Probe {
            name: "a 64 KB+ body",
            request: gql(format!("{{ __typename }} #{}", "x".repeat(70 * 1024))),
            code: "PAYLOAD_TOO_LARGE",
        },
        Probe { name: "depth 50", request: gql(deep), code: "BAD_USER_INPUT" },
        Probe { name: "5,000 aliases", request: gql(format!("{{ {aliases} }}")), code: "BAD_USER_INPUT" },
        // Few selections, but more names than the text check allows: refused before parsing.
        Probe {
            name: "4,200 names on one field",
            request: gql(format!("{{ __typename {} }}", "@skip(if: false) ".repeat(1400))),
            code: "BAD_USER_INPUT",
        },
        Probe {
            name: "100,000 directives",
            request: gql(format!("{{ __typename {directives} }}")),
            code: "PAYLOAD_TOO_LARGE",
        },
        Probe {
            name: "a batch of 1,000 operations",
            request: Box::new(move |client, address, token| {
                client.post(format!("{address}/graphql")).bearer_auth(token).json(&batch)
            }),
            code: "BAD_USER_INPUT",
        },
        Probe {
            name: "a 30 MB anonymous upload",
            request: Box::new(|client, address, _| {
                let form = reqwest::multipart::Form::new()
                    .text("operations", r#"{"query":"mutation($f: Upload!) { importEmployees(file: $f) { created } }","variables":{"f":null}}"#)
                    .text("map", r#"{"0":["variables.f"]}"#)
                    .part("0", reqwest::multipart::Part::bytes(vec![b'x'; 30 * 1024 * 1024]).file_name("e.csv"));
                client.post(format!("{address}/graphql")).multipart(form)
            }),
            code: "UNAUTHENTICATED",
        },
        Probe { name: "50 aliased logins", request: gql(format!("mutation {{ {logins} }}")), code: "BAD_USER_INPUT" },
        Probe {
            name: "a 30,000×30,000 PNG",
            request: Box::new(|client, address, token| {
                let form = reqwest::multipart::Form::new()
                    .text("operations", r#"{"query":"mutation($f: [Upload!]!) { importFacePhotos(files: $f) { results { errorCode } } }","variables":{"f":[null]}}"#)
                    .text("map", r#"{"0":["variables.f.0"]}"#)
                    .part("0", reqwest::multipart::Part::bytes(png_header_only(30_000, 30_000)).file_name("NV001.png"));
                client.post(format!("{address}/graphql")).bearer_auth(token).multipart(form)
            }),
            code: "IMAGE_TOO_LARGE",
        },
        Probe {
            name: "far-future dates",
            request: gql(r#"{ attendanceDays(from: "+262142-12-31", to: "+262142-12-31") { totalCount } }"#.to_owned()),
            code: "BAD_USER_INPUT",
        },
        Probe {
            name: "a far-future moment",
            request: gql(r#"{ checkins(filter: { from: "9999-12-31T00:00:00Z", to: "+262142-12-31T00:00:00Z" }) { totalCount } }"#.to_owned()),
            code: "BAD_USER_INPUT",
        },
    ]
}

/// The first error code of a reply, or the per-file code of a photo import.
fn code_of(body: &Value) -> String {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .or_else(|| body["data"]["importFacePhotos"]["results"][0]["errorCode"].as_str())
        .unwrap_or("none")
        .to_owned()
}

async fn run(postgres: Option<String>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let sim = Simulator::start(SimConfig::default()).await.expect("sim");
    let with_db = |mut c: std::process::Command| {
        if let Some(url) = &postgres {
            c.env("DATABASE_URL", url);
        }
        c
    };
    crate::crash::seed_company(|| with_db(command(dir.path(), &sim)), "admin@probe.test");
    let server: Server = serve_with(with_db(command(dir.path(), &sim))).await;
    let client = reqwest::Client::new();
    let login: Value = client
        .post(format!("{}/graphql", server.address))
        .json(&json!({ "query": "mutation($p: String!) { login(email: \"admin@probe.test\", password: $p) { token } }", "variables": { "p": PASSWORD } }))
        .send().await.expect("login").json().await.expect("JSON");
    let token = login["data"]["login"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let created: Value = client
        .post(format!("{}/graphql", server.address))
        .bearer_auth(&token)
        .json(&json!({ "query": "mutation { createEmployee(input: { employeeCode: \"NV001\", fullName: \"Probe\" }) { id } }" }))
        .send().await.expect("create").json().await.expect("JSON");
    assert!(
        created["data"]["createEmployee"]["id"].is_string(),
        "{created}"
    );
    let pid = server.child.id();
    const ROUNDS: u64 = 5;
    for probe in probes() {
        let before = cpu_ticks(pid);
        for _ in 0..ROUNDS {
            let response = (probe.request)(&client, &server.address, &token)
                .send()
                .await
                .expect(probe.name);
            let bytes = response.bytes().await.unwrap_or_default();
            assert!(
                bytes.len() < 2048,
                "{}: a reply of {} bytes",
                probe.name,
                bytes.len()
            );
            let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            assert_eq!(code_of(&body), probe.code, "{}: {body}", probe.name);
        }
        // Ticks are 10 ms: five rounds under 100 ms is under 20 ms each.
        let spent_ms = (cpu_ticks(pid) - before) * 10 / ROUNDS;
        assert!(
            spent_ms < 20,
            "{}: {spent_ms} ms of server CPU per probe",
            probe.name
        );
        let alive: Value = client
            .post(format!("{}/graphql", server.address))
            .bearer_auth(&token)
            .json(&json!({ "query": "{ me { email } }" }))
            .send()
            .await
            .expect("still serving")
            .json()
            .await
            .expect("JSON");
        assert_eq!(
            alive["data"]["me"]["email"], "admin@probe.test",
            "after {}",
            probe.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abuse_probes_are_refused_cheaply_on_sqlite() {
    run(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abuse_probes_are_refused_cheaply_on_postgres() {
    let Some(base) = postgres_url() else {
        eprintln!("TEST_POSTGRES_URL is not set: PostgreSQL variant skipped");
        return;
    };
    let (name, url) = fresh_postgres_database(&base).await;
    run(Some(url)).await;
    crate::helpers::drop_postgres_database(base, name);
}
