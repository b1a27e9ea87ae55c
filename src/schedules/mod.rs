//! Work schedules, who works which, holidays and leave (design §8): the inputs of the day
//! rules. Every change recomputes exactly the stored days it reaches.

mod calendar;
mod graphql;
pub mod recompute;
mod service;
pub mod types;
mod validate;

pub use graphql::{SchedulesMutation, SchedulesQuery};
