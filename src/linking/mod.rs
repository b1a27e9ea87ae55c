//! Linking the company's Hanet account: `startHanetLink`, the OAuth callback,
//! `completeHanetLink`, `hanetConnection`, `hanetPlaces`, `hanetDevices`, `selectHanetPlace`,
//! `unlinkHanet`. Token handling is in [`tokens`].

mod approve;
pub mod callback;
pub mod camera;
mod graphql;
pub mod places;
pub mod service;
pub mod tokens;

pub use approve::approve;
pub use graphql::*;
