//! Who is calling and what they may do: login tokens (JWT), password hashing, roles, and the
//! per-request session every resolver reads through [`ContextExt`].

mod graphql;
pub mod jwt;
pub mod password;
pub mod service;
pub use graphql::{AuthMutation, AuthQuery, User};
pub use jwt::JwtKeys;
mod session;

pub use session::*;
