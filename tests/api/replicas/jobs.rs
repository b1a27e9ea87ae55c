//! Jobs across processes: a token from one works on the others; a job whose process is killed
//! mid-run finishes on another with every employee on Hanet once; its progress reaches a
//! subscriber on a third process; the catch-up runs once per interval, not once per process.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

use super::Cluster;

const FAST: [(&str, &str); 3] = [
    ("TIMEKEEPING_JOB_LEASE_SECS", "3"),
    ("TIMEKEEPING_JOB_POLL_MS", "200"),
    ("TIMEKEEPING_CATCHUP_INTERVAL_SECS", "0"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_start_together_and_accept_each_others_tokens() {
    let Some(cluster) = Cluster::start(3, &FAST).await else {
        return;
    };
    for i in 0..3 {
        let data = cluster.admin(i, "{ me { email } }", json!({})).await;
        assert_eq!(data["me"]["email"], "admin@acme.test", "process {i}");
    }
}

pub async fn subscribe(
    address: &str,
    token: &str,
    query: &str,
    variables: Value,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let mut request = format!("{}/graphql", address.replacen("http", "ws", 1))
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connects");
    let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } });
    socket
        .send(Message::text(init.to_string()))
        .await
        .expect("init");
    let ack = socket.next().await.expect("frame").expect("ack");
    assert!(ack.to_text().unwrap_or("").contains("connection_ack"));
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": query, "variables": variables } });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .expect("subscribe");
    socket
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_killed_mid_run_finishes_on_another_process_exactly_once() {
    let Some(mut cluster) = Cluster::start(3, &FAST).await else {
        return;
    };
    cluster.link().await;
    const N: usize = 24;
    for i in 0..N {
        let code = format!("K{i:02}");
        cluster.admin(i % 3, "mutation($c: String!) { createEmployee(input: { employeeCode: $c, fullName: $c }) { id } }", json!({ "c": code })).await;
    }
    let form = crate::crash::photos_form(N);
    let imported: Value = cluster
        .client
        .post(format!("{}/graphql", cluster.address(0)))
        .bearer_auth(&cluster.token)
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

    cluster.sim.faults().set_latency(Duration::from_millis(150));
    let job = cluster
        .admin(0, "mutation { startEmployeeSync { id } }", json!({}))
        .await;
    let job_id = job["startEmployeeSync"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // A subscriber on the third process follows the job from start to end.
    // A subscriber on every process; the ones on processes that survive follow it to the end.
    let mut progress = Vec::new();
    for i in 0..3 {
        progress.push(
            subscribe(
                &cluster.address(i),
                &cluster.token,
                "subscription($id: ID!) { syncJobProgress(id: $id) { job { status succeeded } } }",
                json!({ "id": job_id }),
            )
            .await,
        );
    }

    // Once part of it is done, SIGKILL the process that holds the job.
    let id = uuid::Uuid::parse_str(&job_id).expect("uuid");
    let owner = loop {
        let row = entity::sync_job::Entity::find_by_id(id)
            .one(&cluster.db)
            .await
            .expect("read")
            .expect("job");
        if row.succeeded >= 4
            && let Some(owner) = row.lease_owner
        {
            break owner;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let killed = cluster.kill_owner(&owner);
    assert!(
        cluster.sim.persons_in_place(1001).len() < N,
        "the kill came mid-job"
    );

    let survivor = (killed + 1) % 3;
    let status = "query($id: ID!) { syncJob(id: $id) { status succeeded failed total } }";
    let started = Instant::now();
    let last = loop {
        let data = cluster
            .admin(survivor, status, json!({ "id": job_id }))
            .await;
        if !["QUEUED", "RUNNING"].contains(&data["syncJob"]["status"].as_str().unwrap_or(""))
            || started.elapsed() > Duration::from_secs(60)
        {
            break data;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(last["syncJob"]["status"], "SUCCEEDED", "{last:#}");
    assert_eq!(last["syncJob"]["succeeded"], N);
    let mut aliases: Vec<String> = cluster
        .sim
        .persons_in_place(1001)
        .into_iter()
        .map(|p| p.alias_id)
        .collect();
    aliases.sort();
    assert_eq!(
        aliases,
        (0..N).map(|i| format!("K{i:02}")).collect::<Vec<_>>(),
        "each employee on Hanet exactly once"
    );
    // No item ran twice at once: each alias was registered once (a second, overlapping run
    // would have registered it again or answered "alias exists").
    for i in 0..N {
        assert!(
            cluster.sim.register_calls(&format!("K{i:02}")) <= 1,
            "K{i:02} registered twice"
        );
    }
    let items = entity::sync_job_item::Entity::find()
        .filter(entity::sync_job_item::Column::JobId.eq(id))
        .all(&cluster.db)
        .await
        .expect("items");
    assert!(
        items
            .iter()
            .all(|i| i.status == entity::sync_job_item::ItemStatus::Succeeded)
    );

    // A subscriber on a surviving process saw the end: exactly one terminal event, the last.
    let mut statuses = Vec::new();
    // A process other than the killed one and the one the job was started on.
    let watcher = (0..3).find(|i| *i != killed && *i != 0).unwrap_or(survivor);
    let progress = &mut progress[watcher];
    while let Ok(Some(Ok(frame))) =
        tokio::time::timeout(Duration::from_secs(10), progress.next()).await
    {
        let frame: Value =
            serde_json::from_str(frame.to_text().unwrap_or("{}")).unwrap_or_default();
        match frame["type"].as_str() {
            Some("next") => statuses.push(
                frame["payload"]["data"]["syncJobProgress"]["job"]["status"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
            ),
            _ => break,
        }
    }
    assert_eq!(
        statuses.last().map(String::as_str),
        Some("SUCCEEDED"),
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| *s == "SUCCEEDED").count(),
        1,
        "{statuses:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catch_up_runs_once_per_interval_across_processes() {
    let env = [
        ("TIMEKEEPING_CATCHUP_INTERVAL_SECS", "2"),
        ("TIMEKEEPING_JOB_POLL_MS", "200"),
    ];
    let Some(cluster) = Cluster::start(3, &env).await else {
        return;
    };
    cluster.link().await;
    let path = "/person/getCheckinByPlaceIdInTimestamp";
    tokio::time::sleep(Duration::from_secs(3)).await;
    let before = cluster.sim.request_count(path);
    tokio::time::sleep(Duration::from_secs(8)).await;
    let pulls = cluster.sim.request_count(path) - before;
    // Three processes each waking every 2 s would pull about 12 times in 8 s; one lease-holder
    // per interval pulls about 4.
    assert!((2..=6).contains(&pulls), "{pulls} catch-up pulls in 8 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hanet_sees_no_more_than_the_configured_rate_across_processes() {
    let env = [
        ("HANET_RATE_LIMIT_PER_SECOND", "10"),
        ("TIMEKEEPING_CATCHUP_INTERVAL_SECS", "0"),
    ];
    let Some(cluster) = Cluster::start(3, &env).await else {
        return;
    };
    cluster.link().await;
    cluster.sim.faults().set_rate_limit(Some(10));
    let started = Instant::now();
    let answers = futures_util::stream::iter(0..40)
        .map(|i| {
            cluster.gql(
                i % 3,
                Some(&cluster.token),
                "{ hanetDevices { id } }",
                json!({}),
            )
        })
        .buffer_unordered(12)
        .collect::<Vec<_>>()
        .await;
    assert!(
        answers.iter().all(|a| a.get("errors").is_none()),
        "{answers:?}"
    );
    assert_eq!(
        cluster.sim.faults().rate_limited(),
        0,
        "Hanet refused requests over its rate"
    );
    // 40 calls at most 10 a second (paced 10% below) take about four seconds, whoever sends them.
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}
