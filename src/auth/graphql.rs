//! `me`, `login` and `createUser`.

use crate::loaders::Loaders;
use crate::state::AppContext;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;

use super::{ContextExt, Permission, Role, service};
use crate::{companies::Company, employees::Employee, error::ApiError, ids};

pub struct User(pub entity::user::Model);

/// A person who can log in.
#[Object]
impl User {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ids::to_id(self.0.id)
    }
    /// Login email, lower-cased.
    async fn email(&self) -> &str {
        &self.0.email
    }
    /// What the user may do.
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    /// The user's company; null for platform operators.
    async fn company(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Company>> {
        let Some(company_id) = self.0.company_id else {
            return Ok(None);
        };
        let company = ctx.data::<Loaders>()?.company(company_id).await?;
        Ok(company.map(Company))
    }
    /// For `EMPLOYEE` users: the employee whose attendance they see.
    async fn employee(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Employee>> {
        let (Some(employee_id), Some(company_id)) = (self.0.employee_id, self.0.company_id) else {
            return Ok(None);
        };
        let employee = ctx.data::<Loaders>()?.employee(employee_id).await?;
        Ok(employee
            .filter(|e| e.company_id == company_id)
            .map(Employee))
    }
}

/// A login token and who it belongs to.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Send as `Authorization: Bearer <token>` (and as `authorization` in the WebSocket
    /// `connection_init` payload).
    token: String,
    /// When the token stops working.
    expires_at: DateTime<Utc>,
    /// The logged-in user.
    user: User,
}

/// A new login for the caller's company.
#[derive(InputObject)]
pub struct CreateUserInput {
    /// Login email.
    email: String,
    /// At least 8 characters.
    password: String,
    /// `ADMIN`, `HR`, `VIEWER` or `EMPLOYEE`.
    role: Role,
    /// Required for `EMPLOYEE`: the employee whose attendance the user may read.
    employee_id: Option<ID>,
}

#[derive(Default)]
pub struct AuthQuery;

/// Queries about the caller.
#[Object]
impl AuthQuery {
    /// The logged-in user.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        let session = ctx.session()?;
        let db = &ctx.app()?.db;
        Ok(User(service::find_user(db, session.user_id).await?))
    }
}

#[derive(Default)]
pub struct AuthMutation;

/// Logging in and managing users.
#[Object]
impl AuthMutation {
    /// Exchanges an email and password for a login token. A wrong email or password answers
    /// `UNAUTHENTICATED`; after 10 failures for an email or from an address within 10 minutes,
    /// `RATE_LIMITED` (with `retryAfterSeconds`) for 15 minutes. One `login` per operation.
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Login email (case-insensitive).")] email: String,
        #[graphql(desc = "The user's password.")] password: String,
    ) -> async_graphql::Result<AuthPayload> {
        let app = ctx.app()?;
        let unknown = crate::guard::ClientAddress("unknown".to_owned());
        let client = ctx
            .data_opt::<crate::guard::ClientAddress>()
            .unwrap_or(&unknown);
        let (user, session) =
            service::login(&app.db, &app.guards.logins, &email, password, client).await?;
        let (token, expires_at) = app.jwt.issue(&session).map_err(ApiError::Internal)?;
        Ok(AuthPayload {
            token,
            expires_at,
            user: User(user),
        })
    }

    /// Creates a login in the caller's company (admins only).
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new user.")] input: CreateUserInput,
    ) -> async_graphql::Result<User> {
        let scope = ctx.scope(Permission::AdminCompany)?;
        if input.role == Role::PlatformOperator {
            return Err(ApiError::Forbidden(
                "platform operators are created on the command line".to_owned(),
            )
            .into());
        }
        let employee_id = input
            .employee_id
            .as_ref()
            .map(|id| ids::parse(id, "employee"))
            .transpose()?;
        let db = &ctx.app()?.db;
        let txn = db.begin().await?;
        let user = service::create_user(
            &txn,
            service::NewUser {
                company_id: Some(scope.company_id),
                email: input.email,
                password: input.password,
                role: input.role,
                employee_id,
            },
        )
        .await?;
        crate::audit::record(
            &txn,
            crate::audit::by(
                &scope,
                crate::audit::AuditAction::UserCreated,
                "user",
                user.id,
                serde_json::json!({ "email": user.email, "role": sea_orm::ActiveEnum::to_value(&user.role), "employeeId": user.employee_id }),
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(User(user))
    }
}
