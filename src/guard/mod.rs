//! Process-wide guards against exhaustion (design §10): bounded photo decodes, login
//! throttling, and the client address it keys on. (Password hashes are bounded in
//! [`crate::auth::password`].)

pub mod throttle;
pub use throttle::LoginThrottle;
mod guards;

pub use guards::*;
