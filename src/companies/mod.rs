//! Companies (tenants): the caller's company, and the platform operator's on/off switch for
//! camera timekeeping.

mod graphql;
pub mod service;

pub use graphql::*;
