//! Security matrices: each suite walks a whole dimension (token forgeries, every operation of
//! the served schema) so that a gap shows up without anyone remembering to write a test for it.
//!
//! - `jwt`: a login token that is expired, not yet valid (`nbf`), issued for another issuer or
//!   audience, tampered with, unsigned (`alg: none`), signed with another algorithm (HS512,
//!   RS256 header) or without an expiry is refused (`UNAUTHENTICATED`), while a well-formed
//!   token signed with the server's secret works — so the refusals are not an accident.
//! - `roles`: every mutation (read from the schema by introspection, called with generated
//!   arguments, uploads as multipart) answers `FORBIDDEN` to a VIEWER and to an EMPLOYEE user,
//!   and every query answers `FORBIDDEN` to an EMPLOYEE user except their own few; a new
//!   operation that forgets its role check fails here without editing the test.
//! - `tenants`: every query and mutation taking an `ID`, called by company A's admin with
//!   company B's ids, answers as if the ids did not exist (`NOT_FOUND`, `BAD_USER_INPUT`, or
//!   nothing), never shows B's data, and leaves B's data as B sees it unchanged.

mod jwt;
mod roles;
mod schema_walk;
mod tenants;

use serde_json::json;

use crate::helpers::{Company, PASSWORD, TestApp};

/// Creates an employee and an EMPLOYEE login linked to it; returns the user's id and token.
async fn employee_user(app: &TestApp, company: &Company, code: &str) -> (String, String) {
    let employee = app
        .create_employee(
            &company.admin_token,
            json!({ "employeeCode": code, "fullName": format!("Person {code}") }),
        )
        .await;
    let email = format!("{}@employee.test", code.to_lowercase());
    let data = app
        .graphql_ok(
            &company.admin_token,
            "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
            json!({ "i": { "email": email, "password": PASSWORD, "role": "EMPLOYEE", "employeeId": employee } }),
        )
        .await;
    let id = data["createUser"]["id"]
        .as_str()
        .expect("user id")
        .to_owned();
    (id, app.login(&email, PASSWORD).await)
}
