//! Check-in intake: the vendor's webhook (`http`), pulls of a range and the periodic catch-up
//! (`pull`), the one de-duplicated store every source writes through (`store`, which also
//! wakes the live feed), late matches of check-ins to employees (`remap`), check-ins added or
//! voided by hand (`corrections`), and the live feed itself (`feed`).

pub mod corrections;
mod feed;
pub mod http;
pub mod pull;
pub mod remap;
pub mod store;

pub use feed::{AttendanceSubscription, Readers};
