//! `timekeeping demo`: the whole product on one machine. Starts the server on SQLite (in
//! `<data dir>/demo`, `--reset` starts over) with hanet-sim in-process, seeds a company with
//! departments and ~50 employees with generated face photos, links the simulated Hanet account
//! through the real OAuth flow, runs a first employee sync, then feeds a trickle of check-ins
//! through the real webhook path until Ctrl-C. Running it again reuses what is there.

mod calendar;
mod run;

pub use run::*;
