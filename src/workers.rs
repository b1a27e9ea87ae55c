//! The table of job kinds: which domain module works each kind. Built once at startup and
//! handed to the job runner, so `jobs/` itself names no kind and no domain.

use std::sync::Arc;

use entity::sync_job::JobKind;

use crate::jobs::handler::Kinds;

/// Every kind this server runs.
pub fn kinds() -> Kinds {
    Kinds::new([
        (
            JobKind::Employees,
            Arc::new(crate::sync::employees::EmployeeSync)
                as Arc<dyn crate::jobs::handler::JobHandler>,
        ),
        (JobKind::Attendance, Arc::new(crate::attendance::pull::Pull)),
        (
            JobKind::AttendanceDays,
            Arc::new(crate::attendance::recompute::Recompute),
        ),
    ])
}
