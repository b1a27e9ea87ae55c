//! Opaque GraphQL identifiers. A malformed id behaves like an id that does not exist.

use async_graphql::ID;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

pub fn to_id(id: Uuid) -> ID {
    ID(id.to_string())
}

/// Parses an id; anything malformed is `NOT_FOUND` for `what`.
pub fn parse(id: &ID, what: &'static str) -> ApiResult<Uuid> {
    Uuid::parse_str(id.as_str()).map_err(|_| ApiError::NotFound(what))
}
