//! Design §10, finding by finding: each test here fails without the fix it names (the review of
//! issue 11). The generated matrices (roles, tenants, JWTs) are in `matrices`.

mod bounds;
mod linking;
mod login;
mod probes;
mod requests;
mod sockets;
mod stored;
