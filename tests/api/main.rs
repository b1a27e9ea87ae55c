//! The one integration-test binary: every test talks to the real server over HTTP.

mod helpers;

mod auth;
mod employees;
mod hanet;
mod import;
mod limits;
mod schema;
mod websocket;
