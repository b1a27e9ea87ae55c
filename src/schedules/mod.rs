//! Work schedules, who works which, holidays and leave (design §8): the inputs of the day
//! rules. Every change recomputes exactly the stored days it reaches.

mod assign;
mod calendar;
mod graphql;
mod lock;
mod service;
pub mod types;
mod validate;
pub use graphql::{SchedulesMutation, SchedulesQuery};
pub use service::list as service_list;
mod seed;

pub use seed::*;
