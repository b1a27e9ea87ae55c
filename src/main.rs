//! The `timekeeping` binary: parse the command line, start logging, run the command.

use clap::Parser;
use timekeeping::cli::{self, Cli};

/// jemalloc instead of glibc malloc: decoding photos allocates and frees multi-megabyte
/// buffers on several threads, which glibc's per-thread arenas and sliding mmap threshold turn
/// into resident memory that keeps growing (measured on 300 photos of 1.5 MB: 187 MiB peak with
/// glibc, 116 MiB with jemalloc; mimalloc was worse than glibc). See BENCHMARKS.md.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    timekeeping::telemetry::init(&cli.settings.log_format);
    match cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
