//! What background jobs do per item: push an employee to the camera vendor (`employees`);
//! pull check-ins (attendance).

pub mod employees;

/// What a job's items share, prepared once per run.
#[derive(Default)]
pub struct JobContext {
    /// The vendor place the company's cameras are in.
    pub place_id: Option<String>,
}
