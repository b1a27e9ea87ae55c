//! The departments part of the schema: GraphQL types and thin resolvers over the service.

use super::service;
use async_graphql::{Context, ID, InputObject, Object};

use crate::{
    auth::{ContextExt, Permission},
    ids,
    state::AppContext,
};

#[derive(Clone)]
pub struct Department(pub entity::department::Model);

/// A department of the company.
#[Object]
impl Department {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }
    /// Name, unique within the company.
    async fn name(&self) -> &str {
        &self.0.name
    }
}

/// A new department.
#[derive(InputObject)]
pub struct CreateDepartmentInput {
    /// Name, unique within the company.
    name: String,
}

#[derive(Default)]
pub struct DepartmentsQuery;

/// Department queries.
#[Object]
impl DepartmentsQuery {
    /// The company's departments, by name.
    async fn departments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Department>> {
        let scope = ctx.scope(Permission::ReadCompany)?;
        let db = &ctx.app()?.db;
        let rows = service::list(db, scope.company_id).await?;
        Ok(rows.into_iter().map(Department).collect())
    }
}

#[derive(Default)]
pub struct DepartmentsMutation;

/// Department mutations.
#[Object]
impl DepartmentsMutation {
    /// Creates a department; a name already used answers `CONFLICT`.
    async fn create_department(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new department.")] input: CreateDepartmentInput,
    ) -> async_graphql::Result<Department> {
        let scope = ctx.scope(Permission::ManageEmployees)?;
        let db = &ctx.app()?.db;
        Ok(Department(
            service::create(db, scope.company_id, &input.name).await?,
        ))
    }
}
