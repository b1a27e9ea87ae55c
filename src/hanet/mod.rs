//! The Hanet client: OAuth and the partner API, implementing [`CameraVendor`](crate::vendor::CameraVendor). The HTTP side
//! (timeouts, rate limit, retries, no redirects, bounded bodies) is in [`client`], the person
//! calls in [`persons`], field parsing in [`wire`]. Tokens travel in form bodies only and are
//! never logged.

mod budget;
mod client;
mod persons;
mod wire;
pub use budget::SharedBudget;
pub use client::{HanetClient, HanetSettings};
mod vendor;

use client::Resend;
