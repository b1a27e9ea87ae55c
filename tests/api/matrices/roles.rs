//! Every operation of the served schema checks the caller's role.

use uuid::Uuid;

use super::{
    employee_user,
    schema_walk::{Fill, Root, Schema, code, send, summary},
};
use crate::{app_test, helpers::TestApp};

/// Mutations any caller may send by design: `login` is how an anonymous caller gets a token.
const OPEN_MUTATIONS: &[&str] = &["login"];

/// Mutations that only read, so a VIEWER (who reads everything of the company) may send them:
/// `exportTimesheet` prepares a download of what `timesheet` shows.
const READING_MUTATIONS: &[&str] = &["exportTimesheet"];

/// Queries an EMPLOYEE user may send (design §4: "own attendance only"): `me` (who they are),
/// `myAttendanceDays` (their own attendance), and `company` (their own company's name and time
/// zone, which `me { company }` returns to them anyway and their days are counted in).
const EMPLOYEE_QUERIES: &[&str] = &["me", "company", "myAttendanceDays", "myTimesheet"];

fn random_ids(_: usize) -> String {
    Uuid::new_v4().to_string()
}

const FILL: Fill = Fill {
    id: &random_ids,
    optional_ids: false,
    enum_choice: 0,
    depth: 0,
};

/// A company with camera timekeeping on and Hanet linked, so no feature gate answers before
/// the role check does.
async fn camera_company(app: &TestApp) -> crate::helpers::Company {
    let company = app.seed_company("Acme").await;
    app.enable_camera(&company).await;
    app.link_hanet(&company).await;
    company
}

app_test!(async fn every_mutation_is_forbidden_to_viewers_and_employees(app) {
    let company = camera_company(&app).await;
    let viewer = app.user_token(&company, "VIEWER").await;
    let (_, employee) = employee_user(&app, &company, "E-ROLE-1").await;
    let schema = Schema::fetch(&app, &company.admin_token).await;
    let mut gaps = Vec::new();
    let mut checked = 0;
    for field in schema.fields(Root::Mutation) {
        let call = schema.call(Root::Mutation, &field, &FILL);
        if OPEN_MUTATIONS.contains(&call.name.as_str()) {
            continue;
        }
        for (role, token) in [("VIEWER", &viewer), ("EMPLOYEE", &employee)] {
            if role == "VIEWER" && READING_MUTATIONS.contains(&call.name.as_str()) {
                continue;
            }
            let body = send(&app, token, &call).await;
            checked += 1;
            if code(&body) != Some("FORBIDDEN") {
                gaps.push(format!("{} as {role}: {}", call.name, summary(&body)));
            }
        }
    }
    assert!(checked >= 20, "the schema walk found too few mutations ({checked} calls)");
    assert!(gaps.is_empty(), "mutations not FORBIDDEN:\n{}", gaps.join("\n"));
});

app_test!(async fn every_query_but_their_own_is_forbidden_to_an_employee(app) {
    let company = camera_company(&app).await;
    let (_, employee) = employee_user(&app, &company, "E-ROLE-2").await;
    let schema = Schema::fetch(&app, &company.admin_token).await;
    let mut gaps = Vec::new();
    let fields = schema.fields(Root::Query);
    assert!(fields.len() >= 10, "the schema walk found too few queries");
    for field in fields {
        let call = schema.call(Root::Query, &field, &FILL);
        let body = send(&app, &employee, &call).await;
        let own = EMPLOYEE_QUERIES.contains(&call.name.as_str());
        match code(&body) {
            Some("FORBIDDEN") if own => gaps.push(format!("{} (their own) refused: FORBIDDEN", call.name)),
            Some("FORBIDDEN") => {}
            Some("UNAUTHENTICATED") | Some("INTERNAL") => gaps.push(format!("{}: {}", call.name, summary(&body))),
            _ if own => {}
            _ => gaps.push(format!("{} answered: {}", call.name, summary(&body))),
        }
    }
    assert!(gaps.is_empty(), "queries answering an EMPLOYEE wrongly:\n{}", gaps.join("\n"));
});
