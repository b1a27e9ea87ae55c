//! Read paths under load: attendance-day pages (a month, one day, a deep page) and the employee
//! list, each for a fixed time over 1 or 16 keep-alive connections, next to `{ __typename }` as
//! the baseline of the same run. The store holds a check-in for every employee at each of
//! `per_day` times of every day of October 2026 (Asia/Ho_Chi_Minh). Then the same store with a
//! work schedule in effect: the month's timesheet and exports (`timesheet.rs`).

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use timekeeping::{checkins::store as ingest, vendor::VendorCheckin};

use crate::{
    attendance::{self, ADMIN_EMAIL, ADMIN_PASSWORD},
    harness,
    load::{Stats, Target},
    timesheet,
};

/// Check-ins per `ingest::store_mapped` call.
const SEED_BATCH: usize = 5000;
const DEPARTMENTS: usize = 10;
/// Local check-in times, minutes after midnight (more than four a day repeat them 7 min later).
const SLOTS: [i64; 4] = [8 * 60, 12 * 60, 13 * 60, 17 * 60 + 30];
const MONTH: (&str, &str) = ("2026-10-01", "2026-10-31");
const ONE_DAY: (&str, &str) = ("2026-10-15", "2026-10-15");
/// The deep page that is timed.
const DEEP_PAGE: usize = 50;

const DAYS_QUERY: &str = "query($from: Date!, $to: Date!, $after: String) { \
    attendanceDays(from: $from, to: $to, first: 100, after: $after) { totalCount \
    edges { cursor node { date firstCheckIn lastCheckIn workedMinutes checkinCount \
    employee { employeeCode fullName } } } pageInfo { hasNextPage endCursor } } }";
const EMPLOYEES_QUERY: &str = "{ employees(first: 100) { totalCount edges { node { id \
    employeeCode fullName department { name } faceSync { status } facePhoto { id } } } } }";

pub struct Options {
    pub employees: usize,
    pub days: usize,
    pub per_day: usize,
    pub seconds: u64,
}

pub async fn run(options: Options) -> anyhow::Result<()> {
    let started = Instant::now();
    let setup = attendance::setup(options.employees, DEPARTMENTS).await?;
    let employee_secs = started.elapsed().as_secs_f64();
    let seeded = Instant::now();
    let checkins = seed_checkins(&setup, &options).await?;
    let seed_secs = seeded.elapsed().as_secs_f64();
    if attendance::backend() == "PostgreSQL" {
        // What autovacuum does some seconds after a bulk load in a running database: planner
        // statistics and the visibility map (index-only counts). Without them PostgreSQL plans
        // the fresh tables as if they were empty.
        use sea_orm::ConnectionTrait;
        for table in ["attendance_days", "employees", "checkins"] {
            let sql = format!("VACUUM ANALYZE {table}");
            setup.server.state.db.execute_unprepared(&sql).await?;
        }
    }
    println!(
        "reads ({}): {} employees in {DEPARTMENTS} departments, {} days × {} = {checkins} check-ins, {} s per phase",
        attendance::backend(),
        options.employees,
        options.days,
        options.per_day,
        options.seconds
    );
    println!(
        "  seed             employees {employee_secs:.1} s (server start and linking included), \
         check-ins {seed_secs:.1} s ({:.0}/s)",
        checkins as f64 / seed_secs
    );
    let token = harness::login(&setup.server.address, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    let target = Target::new(&setup.server.address, &token, 16)?;
    let duration = Duration::from_secs(options.seconds);
    let phase = |name: &str, connections: usize, stats: &Stats| {
        println!(
            "  {name:<22} {connections:>5} {:>8} {:>9.1} {:>9.2} {:>9.2} {:>9.2} {:>6}",
            stats.completed,
            stats.per_second,
            stats.p50_ms,
            stats.p99_ms,
            stats.max_ms,
            stats.errors
        );
    };
    println!(
        "  {:<22} {:>5} {:>8} {:>9} {:>9} {:>9} {:>9} {:>6}",
        "phase", "conns", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "errors"
    );

    harness::reset_peak_memory();
    let typename = json!({ "query": "{ __typename }" });
    for connections in [1, 16] {
        let stats = target.run(&typename, connections, duration).await?;
        phase("{ __typename }", connections, &stats);
    }
    let month_body = days_body(MONTH, None);
    let month = target.run(&month_body, 1, duration).await?;
    phase("month page", 1, &month);
    let day = target.run(&days_body(ONE_DAY, None), 1, duration).await?;
    phase("one-day page", 1, &day);
    let (page, after) = walk_to(&target, DEEP_PAGE).await?;
    let deep = target.run(&days_body(MONTH, after), 1, duration).await?;
    phase(&format!("month page {page}"), 1, &deep);
    let stats = target.run(&month_body, 16, duration).await?;
    phase("month page", 16, &stats);
    let employees = json!({ "query": EMPLOYEES_QUERY });
    for connections in [1, 16] {
        let stats = target.run(&employees, connections, duration).await?;
        phase("employees(first: 100)", connections, &stats);
    }
    let (peak, now) = harness::memory_mib();

    println!(
        "  month / one-day  {:.1}× (p50, 1 connection)",
        month.p50_ms / day.p50_ms
    );
    println!(
        "  page {page} / first {:.1}× (p50, 1 connection)",
        deep.p50_ms / month.p50_ms
    );
    println!(
        "  peak RSS         {peak:.0} MiB during the load phases, {now:.0} MiB after \
         (whole process: server and the in-process client)"
    );
    timesheet::run(&setup, &target, &token, options.employees).await
}

/// Stores a check-in for every employee at each of `per_day` times of every day, in time order,
/// through the ingest path; returns how many.
async fn seed_checkins(setup: &attendance::Setup, options: &Options) -> anyhow::Result<usize> {
    let db = &setup.server.state.db;
    let employees = ingest::all_employees(db, setup.company_id)
        .await
        .map_err(|e| anyhow::anyhow!(e.message()))?;
    let first_midnight =
        chrono::DateTime::parse_from_rfc3339("2026-10-01T00:00:00+07:00")?.timestamp_millis();
    let mut pending: Vec<VendorCheckin> = Vec::with_capacity(2 * SEED_BATCH);
    let mut total = 0;
    for day in 0..options.days {
        let midnight = first_midnight + day as i64 * 86_400_000;
        let mut rows: Vec<VendorCheckin> = (0..options.per_day)
            .flat_map(|slot| (0..options.employees).map(move |i| (slot, i)))
            .map(|(slot, i)| checkin(i, midnight + slot_ms(slot, day, i)))
            .collect();
        rows.sort_by_key(|c| c.captured_at_ms);
        pending.extend(rows);
        while pending.len() >= SEED_BATCH || (day + 1 == options.days && !pending.is_empty()) {
            let rest = pending.split_off(SEED_BATCH.min(pending.len()));
            let batch = std::mem::replace(&mut pending, rest);
            total += batch.len();
            ingest::store_mapped(
                ingest::Intake::of(&setup.server.state),
                setup.company_id,
                ingest::Source::Pull,
                batch,
                &employees,
            )
            .await
            .map_err(|e| anyhow::anyhow!(e.message()))?;
        }
    }
    Ok(total)
}

/// Milliseconds after local midnight of check-in `slot` of employee `i` on `day`: the slot's
/// time plus up to ten minutes of jitter that differs per employee and day.
fn slot_ms(slot: usize, day: usize, i: usize) -> i64 {
    let minutes = SLOTS[slot % SLOTS.len()] + 7 * (slot / SLOTS.len()) as i64;
    let jitter_ms = ((i * 7919 + day * 104_729 + slot * 31) % 600_000) as i64;
    minutes * 60_000 + jitter_ms
}

fn checkin(i: usize, captured_at_ms: i64) -> VendorCheckin {
    VendorCheckin {
        event_id: None,
        place_id: "1001".into(),
        place_name: None,
        device_id: "C20371B106".into(),
        device_name: None,
        person_type: 0,
        person_id: None,
        alias: Some(format!("E{i:05}")),
        person_name: None,
        person_title: None,
        snapshot_url: None,
        captured_at_ms,
    }
}

fn days_body((from, to): (&str, &str), after: Option<String>) -> Value {
    json!({
        "query": DAYS_QUERY,
        "variables": { "from": from, "to": to, "after": after },
    })
}

/// Follows the month's cursors (untimed) to the `after` cursor of page `page`, or of the last
/// page when there are fewer; returns that page's number and cursor.
async fn walk_to(target: &Target, page: usize) -> anyhow::Result<(usize, Option<String>)> {
    let mut after = None;
    for reached in 1..page {
        let data = target.query(&days_body(MONTH, after.clone())).await?;
        let info = &data["attendanceDays"]["pageInfo"];
        if info["hasNextPage"] != Value::Bool(true) {
            return Ok((reached, after));
        }
        after = info["endCursor"].as_str().map(str::to_owned);
    }
    Ok((page, after))
}
