//! Check-in ingestion: webhook throughput and latency at a steady rate, and the backfill ingest
//! rate into a database that already holds a million check-ins.

use std::time::{Duration, Instant};

use chrono::Utc;
use hanet_sim::{CheckinSeed, SimConfig, Simulator};
use md5::{Digest, Md5};
use serde_json::{Value, json};
use timekeeping::{
    checkins::{pull, store as ingest},
    companies::service as companies,
    departments::service as departments,
    employees::service as employees,
    vendor::VendorCheckin,
};

use crate::harness;

/// The admin that `setup` creates.
pub(crate) const ADMIN_EMAIL: &str = "admin@bench.test";
pub(crate) const ADMIN_PASSWORD: &str = "bench password";

pub(crate) struct Setup {
    pub(crate) server: harness::Server,
    pub(crate) sim: Simulator,
    pub(crate) company_id: uuid::Uuid,
    pub(crate) keycode: String,
}

/// The server with hanet-sim linked and place "1001" selected, one company with camera
/// timekeeping on, and `employee_count` employees `E00000`.. spread over `department_count`
/// departments (none when 0).
pub(crate) async fn setup(employee_count: usize, department_count: usize) -> anyhow::Result<Setup> {
    let sim = Simulator::start(SimConfig::default()).await?;
    let url = sim.base_url();
    let server = harness::start(&[
        "--hanet-api-url",
        &url,
        "--hanet-oauth-url",
        &url,
        "--hanet-client-id",
        sim.client_id(),
        "--hanet-client-secret",
        sim.client_secret(),
        "--hanet-rate-limit-per-second",
        "10000",
        "--catch-up-interval-secs",
        "0",
    ])
    .await?;
    let db = &server.state.db;
    let company = companies::create_company_with_admin(
        db,
        "Bench",
        "Asia/Ho_Chi_Minh",
        ADMIN_EMAIL,
        ADMIN_PASSWORD.to_owned(),
    )
    .await
    .map_err(|e| anyhow::anyhow!(e.message()))?;
    companies::set_camera_timekeeping(db, company.id, true)
        .await
        .map_err(|e| anyhow::anyhow!(e.message()))?;
    let mut department_ids = Vec::with_capacity(department_count);
    for d in 0..department_count {
        let department = departments::create(db, company.id, &format!("Department {d}"))
            .await
            .map_err(|e| anyhow::anyhow!(e.message()))?;
        department_ids.push(department.id);
    }
    for i in 0..employee_count {
        let new = employees::NewEmployee {
            employee_code: format!("E{i:05}"),
            full_name: format!("Employee {i}"),
            email: None,
            title: None,
            department_id: (!department_ids.is_empty())
                .then(|| department_ids[i % department_ids.len()]),
            work_status: None,
            profile_picture_url: None,
            start_date: None,
        };
        employees::create(db, company.id, new)
            .await
            .map_err(|e| anyhow::anyhow!(e.message()))?;
    }
    let token = harness::login(&server.address, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    let client = reqwest::Client::new();
    let gql = |query: &'static str| {
        client
            .post(format!("{}/graphql", server.address))
            .bearer_auth(&token)
            .json(&json!({ "query": query }))
    };
    let start: Value = gql("mutation { startHanetLink { authorizationUrl } }")
        .send()
        .await?
        .json()
        .await?;
    let (code, state) = timekeeping::linking::approve(
        start["data"]["startHanetLink"]["authorizationUrl"]
            .as_str()
            .unwrap_or_default(),
    )
    .await?;
    client
        .post(format!("{}/graphql", server.address))
        .bearer_auth(&token)
        .json(&json!({
            "query": "mutation($c: String!, $s: String!) { completeHanetLink(code: $c, state: $s) { accountEmail } }",
            "variables": { "c": code, "s": state },
        }))
        .send()
        .await?
        .error_for_status()?;
    gql("mutation { selectHanetPlace(placeId: \"1001\") { accountEmail } }")
        .send()
        .await?;
    let keycode = sim
        .partner_tokens()
        .into_iter()
        .next()
        .map(|(_, k)| k)
        .unwrap_or_default();
    Ok(Setup {
        company_id: company.id,
        server,
        sim,
        keycode,
    })
}

fn event(secret: &str, keycode: &str, n: u64, employees: usize) -> Value {
    let id = uuid::Uuid::new_v4().to_string();
    let hash = hex::encode(Md5::new().chain_update(secret).chain_update(&id).finalize());
    json!({
        "id": id, "hash": hash, "keycode": keycode, "data_type": "log", "action_type": "update",
        "placeID": "1001", "placeName": "Head office", "deviceID": "C20371B106", "deviceName": "Main gate",
        "personType": "0", "aliasID": format!("E{:05}", n as usize % employees), "personID": "",
        "personName": "x", "personTitle": "", "time": Utc::now().timestamp_millis() - (n as i64 % 1000),
        "date": "", "detected_image_url": "https://example.invalid/x.jpg", "mask": -1
    })
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

pub async fn webhooks(rate: u64, seconds: u64, assignments: usize) -> anyhow::Result<()> {
    let setup = setup(500, 0).await?;
    println!(
        "webhooks: {} events at {rate}/s for {seconds} s a phase ({}), 500 employees",
        rate * seconds,
        backend()
    );
    if assignments == 0 {
        let stats = webhook_phase(&setup, rate, seconds, 0).await?;
        stats.print("no schedule");
        return Ok(());
    }
    // The same run with the default schedule in effect, before and after `assignments`
    // assignment rows are written through the API (within its limits: 500 employees a request).
    let token = harness::login(&setup.server.address, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    let address = setup.server.address.clone();
    let created = harness::gql(&address, &token, "mutation { createWorkSchedule(input: { name: \"Office\", \
        startTime: \"08:00\", endTime: \"17:00\", workDays: [MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY] }) { id } }", json!({})).await?;
    let schedule = created["createWorkSchedule"]["id"].clone();
    harness::gql(
        &address,
        &token,
        "mutation($id: ID!) { setDefaultWorkSchedule(scheduleId: $id) { schedule { id } } }",
        json!({ "id": schedule }),
    )
    .await?;
    let before = webhook_phase(&setup, rate, seconds, 0).await?;
    let ids: Vec<String> = entity::employee::Entity::find()
        .all(&setup.server.state.db)
        .await?
        .into_iter()
        .map(|e| e.id.to_string())
        .collect();
    let written = Instant::now();
    let mut rows = 0;
    let mut week = 0i64;
    while rows < assignments {
        let chunk = ids.len().min(assignments - rows);
        // A week each, going back from this one: most rows are history, as in a company that
        // has assigned shifts for years.
        let from = Utc::now().date_naive() - chrono::Duration::weeks(week);
        let to = from + chrono::Duration::days(6);
        harness::gql(&address, &token, "mutation($i: AssignWorkScheduleInput!) { assignWorkSchedule(input: $i) { recomputed { days } } }",
            json!({ "i": { "scheduleId": schedule, "employeeIds": ids[..chunk], "from": from.to_string(), "to": to.to_string() } })).await?;
        rows += chunk;
        week += 1;
    }
    let stored = entity::schedule_assignment::Entity::find()
        .count(&setup.server.state.db)
        .await?;
    println!(
        "  {stored} assignment rows written in {week} requests, {:.1} s",
        written.elapsed().as_secs_f64()
    );
    // The recomputes the assignments queued finish first: the phase measures the webhooks.
    let idle = Instant::now();
    loop {
        let open = entity::sync_job::Entity::find()
            .filter(entity::sync_job::Column::Status.is_in([
                entity::sync_job::JobStatus::Queued,
                entity::sync_job::JobStatus::Running,
            ]))
            .count(&setup.server.state.db)
            .await?;
        if open == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!(
        "  their recomputes finished {:.1} s later",
        idle.elapsed().as_secs_f64()
    );
    let after = webhook_phase(&setup, rate, seconds, rate * seconds).await?;
    before.print("default schedule, no assignments");
    after.print(&format!("default schedule, {stored} assignments"));
    println!(
        "  p99 with / without assignments: {:.2}x",
        after.p99 / before.p99.max(0.001)
    );
    Ok(())
}

/// One webhook phase's figures.
struct Phase {
    total: u64,
    failures: u64,
    achieved: f64,
    p50: f64,
    p99: f64,
    max: f64,
}

impl Phase {
    fn print(&self, label: &str) {
        println!(
            "  {label}: {} events, {} non-200, {:.0}/s achieved, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            self.total, self.failures, self.achieved, self.p50, self.p99, self.max
        );
    }
}

/// Posts `rate × seconds` signed events at a steady rate; `offset` numbers them after an
/// earlier phase's.
async fn webhook_phase(
    setup: &Setup,
    rate: u64,
    seconds: u64,
    offset: u64,
) -> anyhow::Result<Phase> {
    let url = format!("{}/webhooks/hanet", setup.server.address);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()?;
    let secret = setup.sim.client_secret().to_owned();
    let total = rate * seconds;
    let period = Duration::from_nanos(1_000_000_000 / rate);
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    for n in offset..offset + total {
        ticker.tick().await;
        let body = event(&secret, &setup.keycode, n, 500);
        let (client, url) = (client.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let sent = Instant::now();
            let status = client
                .post(url)
                .json(&body)
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0);
            (status, sent.elapsed().as_secs_f64() * 1000.0)
        }));
    }
    let mut latencies = Vec::with_capacity(tasks.len());
    let mut failures = 0;
    for task in tasks {
        let (status, ms) = task.await?;
        if status != 200 {
            failures += 1;
        }
        latencies.push(ms);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    Ok(Phase {
        total,
        failures,
        achieved: total as f64 / elapsed,
        p50: percentile(&latencies, 0.5),
        p99: percentile(&latencies, 0.99),
        max: percentile(&latencies, 1.0),
    })
}

pub(crate) fn backend() -> &'static str {
    if std::env::var("BENCH_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        "PostgreSQL"
    } else {
        "SQLite"
    }
}

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

pub async fn backfill(existing: usize, pulled: usize) -> anyhow::Result<()> {
    let setup = setup(1000, 0).await?;
    let db = &setup.server.state.db;
    // Fill the store first, straight through the ingest path, in 5,000-row calls.
    let seeded = Instant::now();
    let base = Utc::now().timestamp_millis() - 400 * 86_400_000;
    for chunk in 0..existing.div_ceil(5000) {
        let rows: Vec<VendorCheckin> = (chunk * 5000..((chunk + 1) * 5000).min(existing))
            .map(|i| VendorCheckin {
                event_id: None,
                place_id: "1001".into(),
                place_name: None,
                device_id: format!("D{}", i % 7),
                device_name: None,
                person_type: 0,
                person_id: None,
                alias: Some(format!("E{:05}", i % 1000)),
                person_name: None,
                person_title: None,
                snapshot_url: None,
                captured_at_ms: base + i as i64 * 1000,
            })
            .collect();
        ingest::store(
            ingest::Intake::of(&setup.server.state),
            setup.company_id,
            ingest::Source::Pull,
            rows,
        )
        .await
        .map_err(|e| anyhow::anyhow!(e.message()))?;
    }
    let seed_secs = seeded.elapsed().as_secs_f64();
    // The database side alone, on top of the million: 100,000 more in 2,500-row batches, as a
    // pull stores them (alias mapping, de-duplication, batched insert in a transaction).
    let employees = ingest::all_employees(db, setup.company_id)
        .await
        .map_err(|e| anyhow::anyhow!(e.message()))?;
    let direct = Instant::now();
    let extra = 100_000;
    for page in 0..extra / 2500 {
        let rows: Vec<VendorCheckin> = (0..2500)
            .map(|j| {
                let i = existing + page * 2500 + j;
                VendorCheckin {
                    event_id: None,
                    place_id: "1001".into(),
                    place_name: None,
                    device_id: format!("D{}", i % 7),
                    device_name: None,
                    person_type: 0,
                    person_id: None,
                    alias: Some(format!("E{:05}", i % 1000)),
                    person_name: None,
                    person_title: None,
                    snapshot_url: None,
                    captured_at_ms: base + i as i64 * 1000,
                }
            })
            .collect();
        ingest::store_mapped(
            ingest::Intake::of(&setup.server.state),
            setup.company_id,
            ingest::Source::Pull,
            rows,
            &employees,
        )
        .await
        .map_err(|e| anyhow::anyhow!(e.message()))?;
    }
    let direct_rate = extra as f64 / direct.elapsed().as_secs_f64();
    // The check-ins Hanet holds for one month, pulled 500 per page.
    let month_start =
        chrono::DateTime::parse_from_rfc3339("2026-10-01T00:00:00+07:00")?.timestamp_millis();
    for i in 0..pulled {
        setup.sim.add_checkin(CheckinSeed {
            place_id: 1001,
            device_id: "C20371B106".into(),
            alias_id: Some(format!("E{:05}", i % 1000)),
            person_id: None,
            person_name: String::new(),
            person_type: 0,
            time_ms: month_start + i as i64 * 20,
            event_id: None,
        });
    }
    let from = chrono::DateTime::from_timestamp_millis(month_start).unwrap_or_default();
    let to = from + chrono::Duration::days(30);
    let started = Instant::now();
    let (seen, new) = pull::pull_range(&setup.server.state, setup.company_id, "1001", from, to)
        .await
        .map_err(|e| anyhow::anyhow!(e.message()))?;
    let elapsed = started.elapsed().as_secs_f64();
    let stored = entity::checkin::Entity::find().count(db).await?;
    println!(
        "backfill ({}): {existing} check-ins stored first ({:.0}/s through the same ingest path)",
        backend(),
        existing as f64 / seed_secs
    );
    println!(
        "  store rate       {direct_rate:.0} check-ins/s (100,000 more in 2,500-row batches on top of {existing}; the database side of a pull)"
    );
    println!(
        "  pulled           {seen} rows in {} pages, {new} new, {:.1} s",
        seen.div_ceil(500),
        elapsed
    );
    println!(
        "  pull rate        {:.0} check-ins/s end to end (in-process hanet-sim paging + JSON + store)",
        seen as f64 / elapsed
    );
    println!("  rows now         {stored}");
    Ok(())
}
