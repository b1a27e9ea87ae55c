//! The table of job kinds: which domain module works each kind. Built once at startup into the
//! application state, so `jobs/` itself names no kind and no domain.

use crate::jobs::handler::Kinds;

/// Every kind this server runs.
pub fn kinds() -> Kinds {
    Kinds::new()
        .with(crate::sync::employees::EmployeeSync)
        .with(crate::checkins::pull::Pull)
        .with(crate::days::job::Recompute)
}
