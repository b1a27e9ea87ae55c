//! Attendance days: the pure day rules (`rules`, `status`), what they need read in a few
//! queries (`plan`), stored-day writes (`rows`, `rebuild`), the one entry point for a change
//! that reaches stored days (`recompute`, now or by the `ATTENDANCE_DAYS` job in `job`), the
//! expected days without check-ins (`since`, `expected`, `absences`) and locked periods
//! (`locked`). Nothing here reads an employee through `employees`: this sits below it.
//!
//! The day rules: which working day a check-in belongs to, and one pure function from a day's
//! inputs to its stored values. A day is computed in the company's time zone and starts at its
//! `workdayStartHour` (local), so a night shift 22:00–06:00 is one day.
//!
//! With a work schedule (design §8), a day is the schedule's shift on that date: its window
//! decides which check-ins belong to it, and [`day`] derives late, early-leave, worked and
//! overtime minutes and the status from the day's [`Plan`] and check-ins. Everything a stored
//! day depends on goes through [`Plan`] and [`day`]: both pure, unit-tested in `tests.rs`.

pub mod absences;
pub mod expected;
pub mod job;
pub mod locked;
pub mod plan;
mod rebuild;
pub mod recompute;
pub mod rows;
mod rules;
pub mod since;
mod status;
#[cfg(test)]
mod tests;

pub use recompute::{Reach, Recomputed, Via, recompute};
pub use rules::*;
pub use status::{DayKind, DayStatus, resolve};
