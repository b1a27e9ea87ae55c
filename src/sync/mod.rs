//! What background jobs do per item: push an employee to the camera vendor (`employees`);
//! pull check-ins (attendance).

pub mod auto;
pub mod drift;
pub mod employees;
mod graphql;
pub mod jobs;
pub mod preview;
pub mod selection;

pub use graphql::SyncMutation;

/// What a job's items share, prepared once per run.
#[derive(Default)]
pub struct JobContext {
    /// The vendor place the company's cameras are in.
    pub place_id: Option<String>,
    /// The place's persons by alias, read once when the run starts.
    pub persons_by_alias: std::collections::HashMap<String, String>,
    /// The same listing: alias ("" for none) by person id.
    pub aliases_by_person: std::collections::HashMap<String, String>,
}
