//! Settings: every one is an environment variable with a default, parsed by clap so that
//! `timekeeping --help` lists them (with their defaults) straight from the code that reads them.
//! clap is already the CLI parser; using its `env` support keeps one source of truth instead of
//! a second config crate. Values are validated at start, and errors name the variable.

mod derived;
mod secrets;
mod security;
pub use secrets::persistent_secret;
pub use security::SecuritySettings;
mod settings;

pub use settings::*;
