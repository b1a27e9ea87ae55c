//! Face photos (design §1.3): batch import by file name, single upload, normalised storage,
//! and `GET /photos/{id}` for authorised users of the same company.

pub mod batch;
pub mod decode;
mod graphql;
pub mod http;
pub mod normalize;
pub mod retention;
pub mod service;
pub mod store;

pub use graphql::*;
