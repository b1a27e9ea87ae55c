//! Another company's ids behave as if they did not exist, in every operation that takes an id.
//!
//! Two passes over every query and mutation holding an `ID` (argument or input field):
//! 1. every `ID` holds one of B's ids: the answer must be `NOT_FOUND`, `BAD_USER_INPUT` or
//!    nothing (null, empty list, empty connection) — or `FORBIDDEN` when A's admin is refused
//!    the operation whatever the id (checked with random ids);
//! 2. operations with several `ID`s: one holds B's id, the others A's own ids. A's ids may make
//!    the call succeed (e.g. a field that is ignored), so here the answer must only never show
//!    B's data and never be `INTERNAL`.
//!
//! Around both passes, B's data as B's admin and B's EMPLOYEE user see it must not change.

use std::hash::{DefaultHasher, Hash, Hasher};

use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    employee_user,
    schema_walk::{Call, Fill, Root, Schema, code, send, summary},
};
use crate::{
    app_test,
    helpers::{Company, TestApp},
    images,
};

/// Selection depth of results: deep enough that an employee in a connection shows its
/// department's name.
const DEPTH: usize = 4;

const B_SNAPSHOT: &str = "{
  employees { totalCount edges { node {
    id employeeCode fullName email title workStatus profilePictureUrl updatedAt
    department { id name } facePhoto { id sha256 } faceSync { status hanetPersonId lastError }
  } } }
  departments { id name }
  syncJobs { totalCount edges { node {
    id kind status total succeeded failed cancelRequested retryOf finishedAt
  } } }
  company { id name timeZone workdayStartHour cameraTimekeepingEnabled }
  hanetConnection { accountEmail }
}";

const TERMINAL: &[&str] = &["SUCCEEDED", "PARTIALLY_FAILED", "FAILED", "CANCELLED"];

async fn id_of(app: &TestApp, token: &str, query: &str, variables: Value, path: &[&str]) -> String {
    let data = app.graphql_ok(token, query, variables).await;
    let id = path.iter().fold(&data, |v, key| &v[*key]);
    id.as_str()
        .unwrap_or_else(|| panic!("no id in {data}"))
        .to_owned()
}

async fn select_first_place(app: &TestApp, company: &Company) {
    app.graphql_ok(
        &company.admin_token,
        "mutation { selectHanetPlace(placeId: \"1001\") { status } }",
        json!({}),
    )
    .await;
}

/// B as B's admin and B's EMPLOYEE user see it, and the bytes of B's face photo.
async fn snapshot(app: &TestApp, b: &Company, b_user: &str, photo: &str) -> Value {
    let data = app.graphql_ok(&b.admin_token, B_SNAPSHOT, json!({})).await;
    let me = app
        .graphql_ok(
            b_user,
            "{ me { id email role employee { id employeeCode } } }",
            json!({}),
        )
        .await;
    let response = app
        .client
        .get(format!("{}/photos/{photo}", app.address))
        .bearer_auth(&b.admin_token)
        .send()
        .await
        .expect("GET photo");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("photo bytes");
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    let photo = json!({ "status": status, "length": bytes.len(), "hash": hasher.finish() });
    json!({ "admin": data, "user": me, "photo": photo })
}

fn fill(id: &dyn Fn(usize) -> String, enum_choice: usize) -> Fill<'_> {
    Fill {
        id,
        optional_ids: true,
        enum_choice,
        depth: DEPTH,
    }
}

/// Whether a root field's answer holds nothing.
fn empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        // A connection (`edges`) or a page (`items`) with nothing in it.
        Value::Object(o) => ["edges", "items"].iter().any(|list| {
            o.get(*list)
                .and_then(Value::as_array)
                .is_some_and(Vec::is_empty)
        }),
        _ => false,
    }
}

/// The marker of B's data the answer's `data` shows, if any.
fn shows_b<'m>(body: &Value, markers: &'m [String]) -> Option<&'m String> {
    let data = body.get("data").map(Value::to_string).unwrap_or_default();
    markers.iter().find(|m| data.contains(m.as_str()))
}

app_test!(async fn another_companys_ids_are_not_found_in_any_operation(app) {
    let a = app.seed_company("Alpha Co").await;
    let b = app.seed_company("Bravo Leak Co").await;
    app.enable_camera(&a).await;
    app.enable_camera(&b).await;
    // The simulator has one Hanet account and an account links to one company at a time, so B
    // links it, syncs (to own a sync job), and unlinks; then A links it for the matrix.
    app.link_hanet(&b).await;
    select_first_place(&app, &b).await;
    let b_department = app.create_department(&b.admin_token, "Bravo Leak Dept").await;
    let b_employee = app
        .create_employee(&b.admin_token, json!({ "employeeCode": "B-LEAK-7", "fullName": "Bob Bravo-Leak",
            "email": "bob@bravo-leak.test", "title": "Bravo title", "departmentId": b_department }))
        .await;
    let upload = "mutation($e: ID!, $f: Upload!) { uploadFacePhoto(employeeId: $e, file: $f) { id } }";
    let response = app
        .upload(&b.admin_token, upload, json!({ "e": b_employee, "f": null }), vec![("variables.f", "B-LEAK-7.jpg", images::jpeg(400, 400, 9))])
        .await;
    let body: Value = response.json().await.expect("JSON");
    let b_photo = body["data"]["uploadFacePhoto"]["id"].as_str().unwrap_or_else(|| panic!("{body:#}")).to_owned();
    let (b_user, b_user_token) = employee_user(&app, &b, "B-LEAK-8").await;
    let b_job = id_of(&app, &b.admin_token, "mutation { startEmployeeSync { id } }", json!({}), &["startEmployeeSync", "id"]).await;
    let job_status = "query($id: ID!) { syncJob(id: $id) { status } }";
    for _ in 0..200 {
        let data = app.graphql_ok(&b.admin_token, job_status, json!({ "id": b_job })).await;
        if TERMINAL.contains(&data["syncJob"]["status"].as_str().unwrap_or_default()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    app.graphql_ok(&b.admin_token, "mutation { unlinkHanet }", json!({})).await;
    app.link_hanet(&a).await;
    select_first_place(&app, &a).await;
    let a_department = app.create_department(&a.admin_token, "Alpha Dept").await;
    let a_employee = app.create_employee(&a.admin_token, json!({ "employeeCode": "A-1", "fullName": "Alice Alpha", "departmentId": a_department })).await;
    let a_admin = id_of(&app, &a.admin_token, "{ me { id } }", json!({}), &["me", "id"]).await;
    let b_admin = id_of(&app, &b.admin_token, "{ me { id } }", json!({}), &["me", "id"]).await;

    let b_ids = [
        ("employee", b_employee), ("department", b_department), ("face photo", b_photo.clone()),
        ("EMPLOYEE user", b_user), ("admin user", b_admin), ("sync job", b_job), ("company", b.id.to_string()),
    ];
    let a_ids = [("employee", a_employee), ("department", a_department), ("admin user", a_admin)];
    let mut markers: Vec<String> = b_ids.iter().map(|(_, id)| id.clone()).collect();
    markers.extend(["B-LEAK", "b-leak", "Bravo", "bravo"].map(String::from));

    let before = snapshot(&app, &b, &b_user_token, &b_photo).await;
    assert_eq!(before["photo"]["status"], 200);
    assert_eq!(before["admin"]["syncJobs"]["totalCount"], 1, "B owns a sync job: {before:#}");
    let schema = Schema::fetch(&app, &a.admin_token).await;
    let token = a.admin_token.as_str();
    let random = |_: usize| Uuid::new_v4().to_string();
    let mut calls: Vec<(Root, Call)> = Vec::new();
    for root in [Root::Query, Root::Mutation] {
        for field in schema.fields(root) {
            let probe = schema.call(root, &field, &fill(&random, 0));
            if probe.id_slots > 0 {
                calls.push((root, probe));
            }
        }
    }
    let names: Vec<&str> = calls.iter().map(|(_, c)| c.name.as_str()).collect();
    assert!(names.contains(&"employee") && names.contains(&"updateEmployee"), "operations with ids: {names:?}");

    let mut gaps = Vec::new();
    // Pass 1: every id is B's.
    for (root, probe) in &calls {
        let field = schema.fields(*root).into_iter().find(|f| f["name"] == probe.name.as_str()).expect("field");
        for choice in 0..probe.enum_values {
            for (what, b_id) in &b_ids {
                let same = |_: usize| b_id.clone();
                let call = schema.call(*root, &field, &fill(&same, choice));
                let body = send(&app, token, &call).await;
                let verdict = if let Some(marker) = shows_b(&body, &markers) {
                    Err(format!("shows B's {marker}"))
                } else {
                    match code(&body) {
                        Some("NOT_FOUND" | "BAD_USER_INPUT") => Ok(()),
                        Some("FORBIDDEN") => {
                            let baseline = send(&app, token, &schema.call(*root, &field, &fill(&random, choice))).await;
                            (code(&baseline) == Some("FORBIDDEN")).then_some(()).ok_or_else(|| "FORBIDDEN only for B's id".to_owned())
                        }
                        None if body.get("errors").is_none()
                            && body["data"].as_object().is_some_and(|d| d.values().all(empty)) => Ok(()),
                        _ => Err(summary(&body)),
                    }
                };
                if let Err(why) = verdict {
                    let variant = if probe.enum_values > 1 { format!(" (enum value #{choice})") } else { String::new() };
                    gaps.push(format!("{}{variant} with B's {what}: {why}", probe.name));
                }
            }
        }
    }
    // Pass 2: one id is B's, the others A's.
    for (root, probe) in calls.iter().filter(|(_, c)| c.id_slots > 1) {
        let field = schema.fields(*root).into_iter().find(|f| f["name"] == probe.name.as_str()).expect("field");
        for slot in 0..probe.id_slots {
            for (what, b_id) in &b_ids {
                for (a_what, a_id) in &a_ids {
                    let mixed = |i: usize| if i == slot { b_id.clone() } else { a_id.clone() };
                    let body = send(&app, token, &schema.call(*root, &field, &fill(&mixed, 0))).await;
                    let why = match (shows_b(&body, &markers), code(&body)) {
                        (Some(marker), _) => format!("shows B's {marker}"),
                        (None, Some("INTERNAL")) => "INTERNAL".to_owned(),
                        _ => continue,
                    };
                    gaps.push(format!("{} with B's {what} in ID #{slot}, A's {a_what} elsewhere: {why}", probe.name));
                }
            }
        }
    }
    let after = snapshot(&app, &b, &b_user_token, &b_photo).await;
    assert_eq!(before, after, "B's data changed");
    assert!(gaps.is_empty(), "given B's ids, A's admin gets B's data (\"shows\") or not a not-found answer:\n{}", gaps.join("\n"));
});
