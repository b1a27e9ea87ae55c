//! Who is calling: roles, permissions, the session a token carries, and the scope (company,
//! user, role) a resolver acts in.

use async_graphql::{Context, Enum};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// What a user may do (design §4).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// Runs the platform: switches camera timekeeping on or off for companies. Sees no company data.
    PlatformOperator,
    /// Everything within the company, including linking Hanet and managing users.
    Admin,
    /// Employees, photos, syncs and attendance of the company.
    Hr,
    /// Reads the company's data.
    Viewer,
    /// Reads their own attendance only.
    Employee,
}

crate::mirror_enum!(entity::user::Role => Role { PlatformOperator, Admin, Hr, Viewer, Employee });

/// A capability a resolver needs; each maps to the roles that have it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Read the company's employees, departments, jobs and attendance.
    ReadCompany,
    /// Create and change employees, departments and photos; run syncs.
    ManageEmployees,
    /// Create users and link or unlink the camera account.
    AdminCompany,
}

impl Permission {
    pub fn allows(self, role: Role) -> bool {
        match self {
            Self::ReadCompany => matches!(role, Role::Admin | Role::Hr | Role::Viewer),
            Self::ManageEmployees => matches!(role, Role::Admin | Role::Hr),
            Self::AdminCompany => role == Role::Admin,
        }
    }
}

/// The verified identity behind a request.
#[derive(Clone, Debug)]
pub struct Session {
    pub user_id: Uuid,
    pub company_id: Option<Uuid>,
    pub role: Role,
    /// When the token that proved it expires (unix seconds); `None` before a token exists.
    pub expires_at: Option<i64>,
}

/// What the transport learnt about the caller; put into every request's data.
#[derive(Clone, Debug)]
pub enum Caller {
    Anonymous,
    /// A token was sent but did not verify (expired, wrong signature, …).
    Rejected(&'static str),
    Authenticated(Session),
}

/// A caller proven to act within one company.
#[derive(Clone, Copy, Debug)]
pub struct Scope {
    pub company_id: Uuid,
    pub user_id: Uuid,
    pub role: Role,
}

/// Typed access to the request context, without panics.
pub trait ContextExt {
    fn session(&self) -> ApiResult<&Session>;
    /// The caller's company scope, if their role has `permission`.
    fn scope(&self, permission: Permission) -> ApiResult<Scope>;
    /// Succeeds for platform operators only.
    fn require_operator(&self) -> ApiResult<&Session>;
}

impl ContextExt for Context<'_> {
    fn session(&self) -> ApiResult<&Session> {
        match self.data_opt::<Caller>() {
            Some(Caller::Authenticated(session)) => Ok(session),
            Some(Caller::Rejected(why)) => Err(ApiError::Unauthenticated(format!(
                "the login token is {why}; log in again"
            ))),
            _ => Err(ApiError::Unauthenticated(
                "log in first: send `Authorization: Bearer <token>`".to_owned(),
            )),
        }
    }

    fn scope(&self, permission: Permission) -> ApiResult<Scope> {
        let session = self.session()?;
        match session.company_id {
            Some(company_id) if permission.allows(session.role) => Ok(Scope {
                company_id,
                user_id: session.user_id,
                role: session.role,
            }),
            _ => Err(ApiError::Forbidden(format!(
                "the {:?} role may not do this",
                session.role
            ))),
        }
    }

    fn require_operator(&self) -> ApiResult<&Session> {
        let session = self.session()?;
        if session.role == Role::PlatformOperator {
            Ok(session)
        } else {
            Err(ApiError::Forbidden(
                "only a platform operator may do this".to_owned(),
            ))
        }
    }
}
