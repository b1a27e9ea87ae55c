//! The one integration-test binary: every test talks to the real server over HTTP.

mod helpers;

mod attendance;
mod attendance_days;
mod auth;
mod crash;
mod employees;
mod examples;
mod hanet;
mod images;
mod import;
mod limits;
mod photos;
mod schema;
mod sync;
mod websocket;
