//! The end of `reads`: the seeded month with a work schedule in effect. HR creates an
//! 08:00–17:00 Mon–Fri schedule with a lunch break and makes it the company default through
//! GraphQL (the stored days are recomputed, through an `ATTENDANCE_DAYS` job when they are
//! many, which is waited for in `syncJobs`); then every page of `timesheet(month, first: 200)`
//! is read, and the month is exported as CSV and as XLSX and downloaded, the body streamed and
//! counted. Peak RSS is reset before each phase.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use anyhow::Context;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};
use timekeeping::days::DayRules;

use crate::{attendance::Setup, download, harness, load::Target};

/// The seeded month (`reads` seeds October 2026).
const MONTH: &str = "2026-10";
const PAGE_SIZE: usize = 200;
const POLL: Duration = Duration::from_millis(100);
const JOB_TIMEOUT: Duration = Duration::from_secs(1800);

const CREATE_SCHEDULE: &str = "mutation { createWorkSchedule(input: { name: \"Office\", \
    startTime: \"08:00\", endTime: \"17:00\", breakStart: \"12:00\", breakEnd: \"13:00\", \
    lateGraceMinutes: 5, earlyLeaveGraceMinutes: 5, \
    workDays: [MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY] }) { id name } }";
const SET_DEFAULT: &str = "mutation($id: ID!) { setDefaultWorkSchedule(scheduleId: $id) { \
    schedule { id } recomputed { days job { id total } } } }";
const JOBS: &str = "{ syncJobs(first: 20) { edges { node { id kind status total done \
    startedAt finishedAt error } } } }";
const TIMESHEET: &str = "query($month: String!, $after: String) { \
    timesheet(month: $month, first: 200, after: $after) { edges { node { \
    employee { employeeCode } workedMinutes overtimeMinutes daysPresent daysLate lateMinutes \
    daysEarlyLeave earlyLeaveMinutes daysAbsent daysOnLeave daysIncomplete holidays daysPending \
    days { date status lateMinutes } } } pageInfo { hasNextPage endCursor } } }";
const EXPORT: &str = "mutation($month: String!, $format: ExportFormat!) { \
    exportTimesheet(month: $month, format: $format) { url rowCount expiresAt } }";

/// Runs the schedule, timesheet and export phases against the seeded server; `employees` is
/// how many were seeded (every page walk and the CSV must have that many rows).
pub async fn run(
    setup: &Setup,
    target: &Target,
    token: &str,
    employees: usize,
) -> anyhow::Result<()> {
    mark_complete(setup).await?;
    let tracer = harness::trace_memory();
    println!("  timesheet of {MONTH} with a work schedule (08:00–17:00 Mon–Fri, break 12–13)");
    let start = reset_memory();
    let created = target.query(&json!({ "query": CREATE_SCHEDULE })).await?;
    let schedule_id = created["createWorkSchedule"]["id"]
        .as_str()
        .context("createWorkSchedule returned no id")?
        .to_owned();
    let started = Instant::now();
    let set = target
        .query(&json!({ "query": SET_DEFAULT, "variables": { "id": schedule_id } }))
        .await?;
    let answered = started.elapsed().as_secs_f64();
    let recomputed = &set["setDefaultWorkSchedule"]["recomputed"];
    let how = match recomputed["job"]["id"].as_str() {
        Some(job_id) => {
            let job = wait_for_job(target, job_id).await?;
            format!(
                "ATTENDANCE_DAYS job, {} items (months), {} on the server",
                job["total"],
                server_seconds(&job).map_or_else(|| "?".to_owned(), |s| format!("{s:.1} s"))
            )
        }
        None => format!("{} days inline", recomputed["days"]),
    };
    let recompute_secs = started.elapsed().as_secs_f64();
    let (peak, _) = harness::memory_mib();
    let mut highest = peak;
    println!(
        "  recompute        {recompute_secs:.1} s from setDefaultWorkSchedule to the job's end \
         (mutation answered in {:.0} ms; {how}), RSS {start:.0} → peak {peak:.0} MiB",
        answered * 1000.0
    );
    let start = reset_memory();
    let walk = walk(target).await?;
    let (peak, _) = harness::memory_mib();
    highest = highest.max(peak);
    anyhow::ensure!(
        walk.rows == employees,
        "timesheet walk: {} rows, expected {employees}",
        walk.rows
    );
    println!(
        "  timesheet        {:.2} s for the whole month: {} pages of {PAGE_SIZE}, {} rows, {} days, \
         {:.1} MB of JSON; page p50 {:.0} ms, max {:.0} ms; RSS {start:.0} → peak {peak:.0} MiB",
        walk.seconds,
        walk.pages,
        walk.rows,
        walk.days,
        walk.bytes as f64 / 1e6,
        walk.p50_ms,
        walk.max_ms
    );
    let statuses: Vec<String> = walk
        .statuses
        .iter()
        .map(|(status, n)| format!("{status} {n}"))
        .collect();
    println!("                   day statuses: {}", statuses.join(", "));

    let client = reqwest::Client::new();
    for format in ["CSV", "XLSX"] {
        let start = reset_memory();
        let started = Instant::now();
        let data = target
            .query(&json!({ "query": EXPORT, "variables": { "month": MONTH, "format": format } }))
            .await?;
        let prepared = started.elapsed().as_secs_f64();
        let export = &data["exportTimesheet"];
        let url = export["url"].as_str().context("exportTimesheet: no url")?;
        let file = download::fetch(&client, url, token, format == "CSV").await?;
        let total = started.elapsed().as_secs_f64();
        let (peak, _) = harness::memory_mib();
        highest = highest.max(peak);
        println!(
            "  export {format:<5}     {total:.2} s: exportTimesheet {:.0} ms (rowCount {}), then the \
             download's first byte after {:.2} s, {} bytes; RSS {start:.0} → peak {peak:.0} MiB",
            prepared * 1000.0,
            export["rowCount"],
            file.first_byte_secs,
            file.bytes
        );
        anyhow::ensure!(
            export["rowCount"] == employees,
            "exportTimesheet rowCount {}, expected {employees}",
            export["rowCount"]
        );
        if format == "XLSX" {
            anyhow::ensure!(file.head.starts_with(b"PK"), "XLSX export is not a zip");
        }
        if let Some(csv) = file.csv {
            println!(
                "                   CSV: header + {} data rows, blank line, legend of {} lines",
                csv.data_rows, csv.legend_lines
            );
            anyhow::ensure!(
                csv.header_ok && csv.data_rows == employees && csv.legend_lines > 1,
                "CSV export malformed: header ok {}, {} data rows (expected {employees}), \
                 {} legend lines",
                csv.header_ok,
                csv.data_rows,
                csv.legend_lines
            );
        }
    }
    if let Some(tracer) = tracer {
        tracer.abort();
    }
    println!(
        "  peak RSS         {highest:.0} MiB over the schedule, timesheet and export phases \
         (whole process)"
    );
    Ok(())
}

/// Resets the peak-RSS counter; the resident memory then, in MiB.
fn reset_memory() -> f64 {
    harness::reset_peak_memory();
    harness::memory_mib().1
}

/// The seed is the whole history, as a finished pull would leave it: attendance is known
/// complete up to the start of today (as the demo marks it), so past days read their status
/// instead of `PENDING`.
async fn mark_complete(setup: &Setup) -> anyhow::Result<()> {
    use entity::company;
    let db = &setup.server.state.db;
    let company = company::Entity::find_by_id(setup.company_id)
        .one(db)
        .await?
        .context("no company")?;
    let rules = DayRules::of(&company).map_err(|e| anyhow::anyhow!(e.message()))?;
    company::Entity::update_many()
        .col_expr(
            company::Column::AttendanceCompleteUntil,
            Expr::value(rules.day_start(rules.today())),
        )
        .filter(company::Column::Id.eq(setup.company_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Polls `syncJobs` until job `id` ends; it must have succeeded. Returns the job.
async fn wait_for_job(target: &Target, id: &str) -> anyhow::Result<Value> {
    let deadline = Instant::now() + JOB_TIMEOUT;
    loop {
        let data = target.query(&json!({ "query": JOBS })).await?;
        let job = data["syncJobs"]["edges"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|edge| &edge["node"])
            .find(|node| node["id"] == id)
            .with_context(|| format!("job {id} not in syncJobs"))?;
        match job["status"].as_str() {
            Some("QUEUED" | "RUNNING") => {}
            Some("SUCCEEDED") => return Ok(job.clone()),
            _ => anyhow::bail!("recompute job ended badly: {job}"),
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "recompute job still running: {job}"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// The job's `finishedAt - startedAt`, in seconds.
fn server_seconds(job: &Value) -> Option<f64> {
    let at = |field: &str| {
        job[field]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
    };
    let millis = (at("finishedAt")? - at("startedAt")?).num_milliseconds();
    Some(millis as f64 / 1000.0)
}

/// What reading every page of the month measured.
struct Walk {
    seconds: f64,
    pages: usize,
    rows: usize,
    days: usize,
    bytes: usize,
    p50_ms: f64,
    max_ms: f64,
    /// Days by status, over every row.
    statuses: BTreeMap<String, usize>,
}

/// Reads every page of the month's timesheet in order, following `endCursor`.
async fn walk(target: &Target) -> anyhow::Result<Walk> {
    let started = Instant::now();
    let mut after: Option<String> = None;
    let mut latencies = Vec::new();
    let (mut rows, mut days, mut bytes) = (0, 0, 0);
    let mut statuses = BTreeMap::new();
    loop {
        let body = json!({ "query": TIMESHEET, "variables": { "month": MONTH, "after": after } });
        let sent = Instant::now();
        let (data, size) = target.query_sized(&body).await?;
        latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
        bytes += size;
        let page = &data["timesheet"];
        for edge in page["edges"].as_array().into_iter().flatten() {
            rows += 1;
            for day in edge["node"]["days"].as_array().into_iter().flatten() {
                days += 1;
                let status = day["status"].as_str().unwrap_or("?").to_owned();
                *statuses.entry(status).or_insert(0) += 1;
            }
        }
        let info = &page["pageInfo"];
        if info["hasNextPage"] != Value::Bool(true) {
            break;
        }
        after = Some(
            info["endCursor"]
                .as_str()
                .context("hasNextPage without endCursor")?
                .to_owned(),
        );
    }
    let seconds = started.elapsed().as_secs_f64();
    let pages = latencies.len();
    latencies.sort_by(f64::total_cmp);
    Ok(Walk {
        seconds,
        pages,
        rows,
        days,
        bytes,
        p50_ms: latencies.get(pages / 2).copied().unwrap_or(f64::NAN),
        max_ms: latencies.last().copied().unwrap_or(f64::NAN),
        statuses,
    })
}
