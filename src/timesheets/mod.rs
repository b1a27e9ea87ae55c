//! Monthly timesheets (design §8): per-employee totals over the stored days, and exports to
//! CSV and XLSX downloaded from our own URL.

pub mod download;
mod export;
mod graphql;
mod requests;
pub mod service;
mod xlsx;

pub use graphql::{TimesheetMutation, TimesheetQuery};
pub use requests::{spawn_sweep, sweep};
