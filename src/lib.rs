//! timekeeping: the GraphQL API behind an HR system's camera timekeeping feature.

pub mod auth;
pub mod cli;
pub mod companies;
pub mod config;
pub mod crypto;
pub mod db;
pub mod departments;
pub mod employees;
pub mod error;
pub mod graphql;
pub mod hanet;
pub mod http;
pub mod ids;
pub mod linking;
pub mod loaders;
pub mod pagination;
pub mod photos;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod vendor;
mod ws;
