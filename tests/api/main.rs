//! The one integration-test binary: every test talks to the real server over HTTP.
// A failed `expect` here is a failed test: the server's own code is held to the panic-free lint
// set in Cargo.toml.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod helpers;

mod architecture;
mod attendance;
mod attendance_days;
mod auth;
pub mod crash;
mod employees;
mod examples;
mod follow_up;
mod graphiql;
mod hanet;
mod house;
mod images;
mod import;
mod limits;
mod matrices;
mod over_http;
mod photos;
mod replicas;
mod schema;
mod security;
mod sync;
pub mod sync_trust;
mod timesheets;
mod tokens;
mod websocket;
