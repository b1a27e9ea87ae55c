//! The kill drill (design §9): N replicas on one fresh PostgreSQL with `hanet-sim` (faults on),
//! employee syncs, backfills and a steady webhook stream spread over the replicas, while a
//! random replica is SIGKILLed (and restarted) every one to three seconds. Then, with every
//! replica up and the faults off: every employee on the simulator exactly once, no
//! person-changing call for one employee ever in flight twice at once, every webhook answered
//! 2xx stored exactly once, no job stuck, Hanet never over its rate.
//!
//!     cargo run --release -p bench -- drill --replicas 3 --kills 100

use std::{
    collections::HashSet,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use hanet_sim::{SimConfig, Simulator};
use md5::{Digest, Md5};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::{
    harness::face,
    replicas::{Replicas, gql},
};

const EMPLOYEES: usize = 120;
const RATE: u32 = 20;

fn pick(n: usize) -> usize {
    (uuid::Uuid::new_v4().as_u128() % n as u128) as usize
}

/// A request that may meet a killed replica: tried on the others until one answers.
async fn on_any(addresses: &[String], token: &str, query: &str, variables: Value) -> Option<Value> {
    let client = reqwest::Client::new();
    for attempt in 0..addresses.len() * 4 {
        let address = &addresses[(pick(addresses.len()) + attempt) % addresses.len()];
        let sent = client
            .post(format!("{address}/graphql"))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .timeout(Duration::from_secs(10))
            .send()
            .await;
        if let Ok(response) = sent
            && let Ok(body) = response.json::<Value>().await
        {
            return Some(body);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    None
}

pub async fn run(replicas: usize, kills: usize) -> anyhow::Result<()> {
    let sim = Simulator::start(SimConfig::default()).await?;
    let rate = RATE.to_string();
    let mut cluster = Replicas::start(
        replicas,
        &sim,
        &[
            ("HANET_RATE_LIMIT_PER_SECOND", &rate),
            ("TIMEKEEPING_CATCHUP_INTERVAL_SECS", "5"),
            ("TIMEKEEPING_SYNC_CONCURRENCY", "6"),
        ],
    )
    .await?;
    let token = cluster.seed_company().await?;
    cluster.link(&token).await?;
    let addresses = cluster.addresses.clone();
    for i in 0..EMPLOYEES {
        let code = format!("D{i:03}");
        gql(&addresses[i % replicas], &token, "mutation($c: String!) { createEmployee(input: { employeeCode: $c, fullName: $c, title: \"Staff\" }) { id } }", json!({ "c": code })).await?;
    }
    let mut form = reqwest::multipart::Form::new();
    let map: serde_json::Map<String, Value> = (0..EMPLOYEES)
        .map(|i| (i.to_string(), json!([format!("variables.f.{i}")])))
        .collect();
    form = form
        .text("operations", json!({ "query": "mutation($f: [Upload!]!) { importFacePhotos(files: $f) { accepted } }", "variables": { "f": vec![Value::Null; EMPLOYEES] } }).to_string())
        .text("map", Value::Object(map).to_string());
    for i in 0..EMPLOYEES {
        form = form.part(
            i.to_string(),
            reqwest::multipart::Part::bytes(face(i)).file_name(format!("D{i:03}.jpg")),
        );
    }
    reqwest::Client::new()
        .post(format!("{}/graphql", addresses[0]))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await?
        .error_for_status()?;
    sim.faults().set_rate_limit(Some(RATE));
    sim.faults().set_latency(Duration::from_millis(40));
    sim.faults().set_http_5xx_rate(0.03);
    let keycode: String = entity::hanet_connection::Entity::find()
        .one(&cluster.db)
        .await?
        .map(|c| c.partner_token)
        .unwrap_or_default();

    let stop = Arc::new(AtomicBool::new(false));
    let accepted: Arc<Mutex<HashSet<String>>> = Arc::default();
    // Webhooks: a new event every 50 ms to a random replica, a re-delivery of an earlier one
    // every fourth time; an event whose POST fails is sent again elsewhere (as Hanet would).
    let webhooks = {
        let (stop, accepted, addresses, secret) = (
            stop.clone(),
            accepted.clone(),
            addresses.clone(),
            sim.client_secret().to_owned(),
        );
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut n: i64 = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let id = if n % 4 == 0 {
                    format!("drill-{}", n / 2)
                } else {
                    format!("drill-{n}")
                };
                let number: i64 = id.trim_start_matches("drill-").parse().unwrap_or(n);
                let hash = hex::encode(Md5::digest(format!("{secret}{id}").as_bytes()));
                let body = json!({
                    "id": id, "hash": hash, "keycode": keycode, "data_type": "log", "action_type": "update",
                    "time": 1_700_000_000_000i64 + number * 1000, "personID": "p", "aliasID": format!("D{:03}", number % EMPLOYEES as i64),
                    "personType": "0", "placeID": "1001", "deviceID": "C20371B106",
                });
                for attempt in 0..10 {
                    let address = &addresses[(pick(addresses.len()) + attempt) % addresses.len()];
                    let sent = client
                        .post(format!("{address}/webhooks/hanet"))
                        .json(&body)
                        .timeout(Duration::from_secs(5))
                        .send()
                        .await;
                    if sent.is_ok_and(|r| r.status().is_success()) {
                        accepted.lock().map(|mut a| a.insert(id.clone())).ok();
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    // Syncs: a title change on a few employees, then "sync all", over and over; a backfill
    // now and then.
    let syncs = {
        let (stop, addresses, token) = (stop.clone(), addresses.clone(), token.clone());
        tokio::spawn(async move {
            let mut round = 0;
            while !stop.load(Ordering::Relaxed) {
                round += 1;
                for _ in 0..5 {
                    let code = format!("D{:03}", pick(EMPLOYEES));
                    let found = on_any(&addresses, &token, "query($c: String!) { employees(first: 1, filter: { employeeCode: $c }) { edges { node { id } } } }", json!({ "c": code })).await;
                    if let Some(id) = found
                        .as_ref()
                        .and_then(|f| f["data"]["employees"]["edges"][0]["node"]["id"].as_str())
                    {
                        let _ = on_any(&addresses, &token, "mutation($id: ID!, $t: String!) { updateEmployee(id: $id, input: { title: $t }) { id } }", json!({ "id": id, "t": format!("Staff {round}") })).await;
                    }
                }
                let _ = on_any(
                    &addresses,
                    &token,
                    "mutation { startEmployeeSync { id } }",
                    json!({}),
                )
                .await;
                if round % 5 == 0 {
                    let to = chrono::Utc::now() - chrono::Duration::days(round % 20);
                    let from = to - chrono::Duration::days(2);
                    let _ = on_any(&addresses, &token, "mutation($f: DateTime!, $t: DateTime!) { startAttendanceSync(from: $f, to: $t) { id } }", json!({ "f": from, "t": to })).await;
                }
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        })
    };

    let started = Instant::now();
    for k in 0..kills {
        tokio::time::sleep(Duration::from_millis(1000 + (pick(2000) as u64))).await;
        let victim = pick(replicas);
        cluster.kill_and_restart(victim)?;
        if (k + 1) % 10 == 0 {
            eprintln!("drill: {} kills in {:?}", k + 1, started.elapsed());
        }
    }
    stop.store(true, Ordering::Relaxed);
    let _ = webhooks.await;
    let _ = syncs.await;
    for i in 0..replicas {
        cluster.wait_ready(i).await?;
    }
    sim.faults().reset();

    // Every job ends once every replica is up (a killed worker's lease lapses in 3 s).
    let settle = Instant::now();
    let active = || {
        entity::sync_job::Entity::find()
            .filter(entity::sync_job::Column::Status.is_in([
                entity::sync_job::JobStatus::Queued,
                entity::sync_job::JobStatus::Running,
            ]))
            .count(&cluster.db)
    };
    let mut stuck = active().await?;
    while stuck > 0 && settle.elapsed() < Duration::from_secs(180) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        stuck = active().await?;
    }
    // One last sync with the faults off: what every kill left half done is finished.
    let last = gql(
        &addresses[0],
        &token,
        "mutation { startEmployeeSync { id } }",
        json!({}),
    )
    .await?;
    let last_id = last["startEmployeeSync"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    loop {
        let data = gql(
            &addresses[1 % replicas],
            &token,
            "query($id: ID!) { syncJob(id: $id) { status } }",
            json!({ "id": last_id }),
        )
        .await?;
        if !["QUEUED", "RUNNING"].contains(&data["syncJob"]["status"].as_str().unwrap_or("")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    let persons = sim.persons_in_place(1001);
    let aliases: Vec<String> = persons.iter().map(|p| p.alias_id.clone()).collect();
    let distinct: HashSet<&String> = aliases.iter().collect();
    let duplicated_persons = aliases.len() - distinct.len();
    let missing_persons = (0..EMPLOYEES)
        .filter(|i| !distinct.contains(&format!("D{i:03}")))
        .count();
    let accepted = accepted.lock().map(|a| a.clone()).unwrap_or_default();
    let stored: Vec<Option<String>> = entity::checkin::Entity::find()
        .all(&cluster.db)
        .await?
        .into_iter()
        .map(|c| c.event_id)
        .collect();
    let stored_ids: HashSet<String> = stored.iter().flatten().cloned().collect();
    let lost = accepted
        .iter()
        .filter(|id| !stored_ids.contains(*id))
        .count();
    let duplicated_checkins = stored.iter().flatten().count() - stored_ids.len();
    println!(
        "drill: {replicas} replicas, {kills} kills in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    println!(
        "  employees on Hanet: {} of {EMPLOYEES} ({missing_persons} missing, {duplicated_persons} duplicated)",
        distinct.len()
    );
    println!(
        "  person calls in flight twice at once: {}",
        sim.overlapping_person_calls()
    );
    println!(
        "  webhooks answered 2xx: {} distinct events; lost {lost}, stored twice {duplicated_checkins}",
        accepted.len()
    );
    println!("  jobs still active after settling: {stuck}");
    println!(
        "  Hanet requests refused over its rate ({RATE}/s): {}",
        sim.faults().rate_limited()
    );
    cluster.finish().await?;
    anyhow::ensure!(
        missing_persons + duplicated_persons + lost + duplicated_checkins == 0
            && stuck == 0
            && sim.overlapping_person_calls() == 0
            && sim.faults().rate_limited() == 0,
        "the drill found a failure"
    );
    Ok(())
}
