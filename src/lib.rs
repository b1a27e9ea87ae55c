//! timekeeping: the GraphQL API behind an HR system's camera timekeeping feature.

/// jemalloc instead of glibc malloc: decoding photos allocates and frees multi-megabyte
/// buffers on several threads, which glibc's per-thread arenas and sliding mmap threshold turn
/// into resident memory that keeps growing (measured on 300 photos of 1.5 MB: 187 MiB peak with
/// glibc, 116 MiB with jemalloc; mimalloc was worse than glibc). See BENCHMARKS.md.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

pub mod attendance;
pub mod audit;
pub mod auth;
pub mod bulk;
pub mod cli;
pub mod companies;
pub mod config;
pub mod crypto;
pub mod db;
#[cfg(feature = "demo")]
pub mod demo;
pub mod departments;
pub mod employees;
pub mod error;
pub mod events;
pub mod executor;
mod graphiql;
pub mod graphql;
pub mod guard;
pub mod hanet;
pub mod http;
mod http_media;
pub mod ids;
pub mod jobs;
pub mod leases;
pub mod linking;
pub mod loaders;
pub mod metrics;
pub mod operation;
pub mod pagination;
pub mod persisted;
pub mod photos;
pub mod schedules;
pub mod startup;
pub mod state;
pub mod sync;
pub mod telemetry;
pub mod timesheets;
pub mod vendor;
mod ws;
