//! Reading attendance: pages of raw check-ins and of stored days, and the attendance part of
//! the schema (check-in corrections are resolvers over `checkins::corrections`). Intake is in
//! `checkins`, the day rules and stored-day writes in `days`.

mod graphql;
pub mod service;
pub mod types;

pub use graphql::{AttendanceMutation, AttendanceQuery};
