//! The GraphQL schema: merges each domain's slice, sets the limits, and makes sure every error
//! carries `extensions.code`. Building it does no I/O, so `timekeeping schema` and the contract
//! test print exactly what the server serves.

use std::sync::Arc;

use async_graphql::{
    MergedObject, MergedSubscription, Response, Schema, SchemaBuilder, ServerError, ServerResult,
    ValidationResult, Value, Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextValidation,
        apollo_persisted_queries::{ApolloPersistedQueries, LruCacheStorage},
    },
    parser::types::ExecutableDocument,
};

use crate::{
    attendance::{AttendanceMutation, AttendanceQuery, AttendanceSubscription},
    auth::{AuthMutation, AuthQuery},
    companies::{CompanyMutation, CompanyQuery},
    departments::{DepartmentsMutation, DepartmentsQuery},
    employees::{EmployeesMutation, EmployeesQuery},
    jobs::{JobsMutation, JobsQuery, JobsSubscription},
    linking::{LinkingMutation, LinkingQuery},
    loaders::PerOperationLoaders,
    photos::PhotosMutation,
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
    JobsMutation,
    AttendanceMutation,
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
    .extension(ErrorCodes)
    .extension(PerOperationLoaders)
    .extension(crate::metrics::GraphqlMetrics)
    .extension(ApolloPersistedQueries::new(LruCacheStorage::new(1024)))
}

/// The SDL that `schema.graphql` holds.
pub fn sdl() -> String {
    schema_builder(Limits::default()).finish().sdl()
}

/// Gives every error a stable `extensions.code`: errors from parsing, validation and limits
/// (and argument coercion inside execution, which async-graphql reports without a code) are
/// the client's: `BAD_USER_INPUT`. Our own errors already carry their code.
struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodes)
    }
}

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

#[async_trait::async_trait]
impl Extension for ErrorCodes {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: async_graphql::Request,
        next: async_graphql::extensions::NextPrepareRequest<'_>,
    ) -> ServerResult<async_graphql::Request> {
        // Persisted-query misses are reported here, before parsing.
        next.run(ctx, request).await.map_err(with_default_code)
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables)
            .await
            .map_err(with_default_code)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx)
            .await
            .map_err(|errors| errors.into_iter().map(with_default_code).collect())
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        response.errors = response.errors.into_iter().map(with_default_code).collect();
        response
    }
}
