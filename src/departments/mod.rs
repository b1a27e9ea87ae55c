//! Departments: listing, creating, and a dataloader so an employee page resolves its
//! departments in one query.

mod graphql;
pub mod service;

pub use graphql::*;
