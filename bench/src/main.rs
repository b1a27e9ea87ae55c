//! Benchmark harness. Runs the real server in-process (SQLite in a temp dir, or PostgreSQL
//! with `--database-url`) and measures wall time and peak resident memory (VmHWM, reset before
//! each measured phase through /proc/self/clear_refs).
//!
//!     cargo run --release -p bench -- photos [--count 500]
//!     cargo run --release -p bench -- reads [--employees 2000 --seconds 5]
//!     cargo run --release -p bench -- drill --replicas 3 --kills 100
//!     cargo run --release -p bench -- fanout --replicas 3 --subscribers 2000

/// The allocator the server binary uses (`src/main.rs`): the server runs in this process.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

mod attendance;
mod download;
mod drill;
mod fanout;
mod harness;
mod load;
mod photos;
mod reads;
mod replicas;
mod scale;
mod sync;
mod timesheet;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "timekeeping benchmarks; the numbers go to BENCHMARKS.md")]
struct Args {
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Subcommand)]
enum Scenario {
    /// Import N face photos of about 3 MB each in one `importFacePhotos` request.
    Photos {
        /// How many photos.
        #[arg(long, default_value_t = 500)]
        count: usize,
        /// Approximate size of each photo, in megabytes.
        #[arg(long, default_value_t = 3.0)]
        megabytes: f64,
    },
    /// POST check-in webhooks at a steady rate; latency percentiles.
    Webhooks {
        #[arg(long, default_value_t = 500)]
        rate: u64,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// With a default schedule, run twice: before and after writing this many schedule
        /// assignment rows through the API (0: one run without a schedule).
        #[arg(long, default_value_t = 0)]
        assignments: usize,
    },
    /// Pull a month of check-ins into a store that already holds many (BENCH_DATABASE_URL
    /// selects PostgreSQL).
    Backfill {
        #[arg(long, default_value_t = 1_000_000)]
        existing: usize,
        #[arg(long, default_value_t = 100_000)]
        pulled: usize,
    },
    /// Sync N employees to hanet-sim answering every call after a fixed latency.
    Sync {
        #[arg(long, default_value_t = 1000)]
        count: usize,
        #[arg(long, default_value_t = 50)]
        latency_ms: u64,
        /// Items in flight (TIMEKEEPING_SYNC_CONCURRENCY).
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        /// Hanet calls per second (HANET_RATE_LIMIT_PER_SECOND).
        #[arg(long, default_value_t = 25)]
        rate: u32,
    },
    /// Kill drill: N replicas on one fresh PostgreSQL (BENCH_POSTGRES_URL), syncs, backfills
    /// and webhooks, a random replica SIGKILLed every 1–3 s; prints what was lost or doubled.
    Drill {
        #[arg(long, default_value_t = 3)]
        replicas: usize,
        #[arg(long, default_value_t = 100)]
        kills: usize,
    },
    /// `checkinRecorded` fan-out: subscribers spread over N replicas, webhooks posted to one.
    Fanout {
        #[arg(long, default_value_t = 3)]
        replicas: usize,
        #[arg(long, default_value_t = 2000)]
        subscribers: usize,
        #[arg(long, default_value_t = 20)]
        events: usize,
    },
    /// Aggregate sync throughput of many companies (each its own Hanet account) with 1 vs N
    /// replicas on one PostgreSQL.
    Scale {
        #[arg(long, default_value_t = 3)]
        replicas: usize,
        #[arg(long, default_value_t = 12)]
        companies: usize,
        #[arg(long, default_value_t = 40)]
        employees: usize,
    },
    /// One replica of a drill (internal: started by the drills, configured by environment).
    #[command(hide = true)]
    Replica,
    /// Attendance-day pages and the employee list under closed-loop load (1 and 16
    /// connections), next to `{ __typename }`; then, with a work schedule set as the default,
    /// the month's whole `timesheet` and its CSV and XLSX exports. BENCH_DATABASE_URL selects
    /// PostgreSQL.
    Reads {
        #[arg(long, default_value_t = 2000)]
        employees: usize,
        /// Days of October 2026 with check-ins.
        #[arg(long, default_value_t = 31)]
        days: usize,
        /// Check-ins per employee per day.
        #[arg(long, default_value_t = 4)]
        per_day: usize,
        /// Duration of each measured phase.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Args::parse().scenario {
        Scenario::Drill { replicas, kills } => drill::run(replicas, kills).await,
        Scenario::Replica => replicas::serve_from_env().await,
        Scenario::Scale {
            replicas,
            companies,
            employees,
        } => scale::run(replicas, companies, employees).await,
        Scenario::Fanout {
            replicas,
            subscribers,
            events,
        } => fanout::run(replicas, subscribers, events).await,
        Scenario::Photos { count, megabytes } => photos::run(count, megabytes).await,
        Scenario::Webhooks {
            rate,
            seconds,
            assignments,
        } => attendance::webhooks(rate, seconds, assignments).await,
        Scenario::Backfill { existing, pulled } => attendance::backfill(existing, pulled).await,
        Scenario::Sync {
            count,
            latency_ms,
            concurrency,
            rate,
        } => sync::run(count, latency_ms, concurrency, rate).await,
        Scenario::Reads {
            employees,
            days,
            per_day,
            seconds,
        } => {
            let options = reads::Options {
                employees,
                days,
                per_day,
                seconds,
            };
            reads::run(options).await
        }
    }
}
