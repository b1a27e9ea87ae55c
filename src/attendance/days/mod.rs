//! The day rules: which working day a check-in belongs to, and one pure function from a day's
//! inputs to its stored values. A day is computed in the company's time zone and starts at its
//! `workdayStartHour` (local), so a night shift 22:00–06:00 is one day.
//!
//! With a work schedule (design §8), a day is the schedule's shift on that date: its window
//! decides which check-ins belong to it, and [`day`] derives late, early-leave, worked and
//! overtime minutes and the status from the day's [`Plan`] and check-ins. Everything a stored
//! day depends on goes through [`Plan`] and [`day`]: both pure, unit-tested in `tests.rs`.

mod status;
#[cfg(test)]
mod tests;
pub use status::{DayKind, DayStatus, resolve};
mod rules;

pub use rules::*;
