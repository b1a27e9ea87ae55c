//! The GraphQL schema: merges each domain's slice, sets the limits, and makes sure every error
//! carries `extensions.code`. Building it does no I/O, so `timekeeping schema` and the contract
//! test print exactly what the server serves.

use async_graphql::{MergedObject, MergedSubscription, Schema, SchemaBuilder, ServerError, Value};

use crate::{
    attendance::{AttendanceMutation, AttendanceQuery},
    audit::AuditQuery,
    auth::{AuthMutation, AuthQuery},
    checkins::AttendanceSubscription,
    companies::{CompanyMutation, CompanyQuery},
    departments::{DepartmentsMutation, DepartmentsQuery},
    employees::{EmployeesMutation, EmployeesQuery},
    linking::{LinkingMutation, LinkingQuery},
    photos::PhotosMutation,
    schedules::{SchedulesMutation, SchedulesQuery},
    sync::jobs::{JobsMutation, JobsQuery, JobsSubscription},
    sync::{SyncMutation, preview::PreviewQuery},
    timesheets::{TimesheetMutation, TimesheetQuery},
};

/// Every query.
#[derive(MergedObject, Default)]
pub struct Query(
    AuthQuery,
    CompanyQuery,
    DepartmentsQuery,
    EmployeesQuery,
    LinkingQuery,
    JobsQuery,
    AttendanceQuery,
    PreviewQuery,
    SchedulesQuery,
    AuditQuery,
    TimesheetQuery,
);

/// Every mutation.
#[derive(MergedObject, Default)]
pub struct Mutation(
    AuthMutation,
    CompanyMutation,
    DepartmentsMutation,
    EmployeesMutation,
    LinkingMutation,
    PhotosMutation,
    SyncMutation,
    JobsMutation,
    AttendanceMutation,
    SchedulesMutation,
    TimesheetMutation,
);

/// Every subscription.
#[derive(MergedSubscription, Default)]
pub struct Subscription(JobsSubscription, AttendanceSubscription);

pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// Query-shape limits.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub depth: usize,
    pub complexity: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            depth: 20,
            complexity: 5000,
        }
    }
}

/// The schema without any runtime data: pure, used by the server, `schema` and the tests.
pub fn schema_builder(limits: Limits) -> SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .limit_depth(limits.depth)
    .limit_complexity(limits.complexity)
    // No schema extensions: they would put every field of every row through their hooks.
    // Per-operation work (loaders, persisted queries, metrics, error codes) is in `executor`.
}

/// The SDL that `schema.graphql` holds.
pub fn sdl() -> String {
    schema_builder(Limits::default()).finish().sdl()
}

/// Gives an error a stable `extensions.code`: errors from parsing, validation and limits (and
/// argument coercion inside execution, which async-graphql reports without a code) are the
/// client's: `BAD_USER_INPUT`. Our own errors already carry their code.
pub fn with_default_code(mut error: ServerError) -> ServerError {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        // Apollo clients recognise this code and resend the full query.
        let code = if error.message == "PersistedQueryNotFound" {
            "PERSISTED_QUERY_NOT_FOUND"
        } else {
            "BAD_USER_INPUT"
        };
        extensions.set("code", Value::from(code));
    }
    error
}
