//! Monthly timesheets (design §8): per-employee totals over the stored days, and exports to
//! CSV and XLSX downloaded from our own URL.

pub mod download;
mod export;
mod graphql;
pub mod service;

pub use graphql::{TimesheetMutation, TimesheetQuery};
