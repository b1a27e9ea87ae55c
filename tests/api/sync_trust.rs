//! Employee sync an admin can trust (issue 14): leavers leave by Hanet person id even after an
//! ID change and then stay out of "sync all"; a change of account or place re-creates everyone;
//! persons made in Hanet's own app are adopted, not duplicated; a face held by another person
//! fails the item with that person's id.

use serde_json::{Value, json};

use crate::{
    app_test,
    helpers::TestApp,
    sync::{PLACE, actions, ready_company, start_sync, wait_for_job},
};

async fn employee_id(app: &TestApp, token: &str, code: &str) -> String {
    let data = app.graphql_ok(token, "query($c: String!) { employees(first: 1, filter: { employeeCode: $c }) { edges { node { id } } } }", json!({ "c": code })).await;
    data["employees"]["edges"][0]["node"]["id"]
        .as_str()
        .expect("employee")
        .to_owned()
}

async fn sync_all(app: &TestApp, token: &str) -> Value {
    let job = start_sync(app, token, json!(null)).await;
    wait_for_job(app, token, job["id"].as_str().expect("id")).await
}

app_test!(async fn a_leaver_whose_id_changed_is_removed_and_stays_out_of_sync_all(app) {
    let company = ready_company(&app, 2).await;
    sync_all(&app, &company.admin_token).await;
    assert_eq!(app.sim.persons_in_place(PLACE).len(), 2);
    let id = employee_id(&app, &company.admin_token, "E000").await;
    app.graphql_ok(&company.admin_token, "mutation($id: ID!) { updateEmployee(id: $id, input: { employeeCode: \"E000-LEFT\", workStatus: RESIGNED }) { id } }", json!({ "id": id })).await;
    let job = sync_all(&app, &company.admin_token).await;
    assert!(actions(&job).contains(&("E000-LEFT".to_owned(), "REMOVE".to_owned())), "{job:#}");
    let aliases: Vec<String> = app.sim.persons_in_place(PLACE).into_iter().map(|p| p.alias_id).collect();
    assert_eq!(aliases, ["E001"], "the leaver left the cameras under the ID Hanet knew");

    let data = app.graphql_ok(&company.admin_token, "query($id: ID!) { employee(id: $id) { faceSync { status removedAt } } }", json!({ "id": id })).await;
    assert_eq!(data["employee"]["faceSync"]["status"], "REMOVED");
    assert!(data["employee"]["faceSync"]["removedAt"].is_string());
    let job = sync_all(&app, &company.admin_token).await;
    assert_eq!(job["total"], 1, "the removed leaver is not in the next sync all: {job:#}");
});

app_test!(async fn a_new_place_after_a_relink_gets_everyone_again(app) {
    let company = ready_company(&app, 2).await;
    sync_all(&app, &company.admin_token).await;
    assert_eq!(app.sim.persons_in_place(PLACE).len(), 2);
    app.graphql_ok(&company.admin_token, "mutation { unlinkHanet }", json!({})).await;
    app.link_hanet(&company).await;
    app.graphql_ok(&company.admin_token, "mutation { selectHanetPlace(placeId: \"1002\") { accountEmail } }", json!({})).await;
    let data = app.graphql_ok(&company.admin_token, "{ employees(first: 10) { edges { node { faceSync { status hanetPersonId } } } } }", json!({})).await;
    for edge in data["employees"]["edges"].as_array().expect("edges") {
        assert_eq!(edge["node"]["faceSync"]["status"], "NOT_SYNCED", "{data:#}");
        assert_eq!(edge["node"]["faceSync"]["hanetPersonId"], Value::Null);
    }
    let job = sync_all(&app, &company.admin_token).await;
    assert_eq!(job["succeeded"], 2, "{job:#}");
    assert_eq!(app.sim.persons_in_place(1002).len(), 2, "the first sync to the new place created everyone");
});

app_test!(async fn a_person_made_in_hanets_app_with_the_alias_is_adopted(app) {
    let company = ready_company(&app, 1).await;
    app.sim.add_person_directly(PLACE, "Made in the Hanet app", Some("E000"), b"some other face");
    sync_all(&app, &company.admin_token).await;
    let persons = app.sim.persons_in_place(PLACE);
    assert_eq!(persons.len(), 1, "adopted, not duplicated");
    assert_eq!(app.sim.register_calls("E000"), 0);
    let data = app.graphql_ok(&company.admin_token, "{ employees(first: 1) { edges { node { faceSync { status hanetPersonId } } } } }", json!({})).await;
    assert_eq!(data["employees"]["edges"][0]["node"]["faceSync"]["hanetPersonId"], persons[0].person_id.as_str());
});

app_test!(async fn a_face_registered_to_someone_else_fails_with_that_persons_id(app) {
    let company = ready_company(&app, 1).await;
    // The photo as we send it to Hanet (normalised), already on Hanet under another ID.
    let data = app.graphql_ok(&company.admin_token, "{ employees(first: 1) { edges { node { facePhoto { id } } } } }", json!({})).await;
    let photo_id = data["employees"]["edges"][0]["node"]["facePhoto"]["id"].as_str().expect("photo");
    let bytes = app.client.get(format!("{}/photos/{photo_id}", app.address)).bearer_auth(&company.admin_token).send().await.expect("GET").bytes().await.expect("bytes");
    let other = app.sim.add_person_directly(PLACE, "Somebody Else", Some("X999"), &bytes);
    let job = sync_all(&app, &company.admin_token).await;
    let item = &job["items"]["edges"][0]["node"];
    assert_eq!(item["status"], "FAILED", "{job:#}");
    assert_eq!(item["hanetCode"], -9007);
    assert!(item["error"].as_str().unwrap_or("").contains(&other), "{item}");
    assert_eq!(app.sim.persons_in_place(PLACE).len(), 1, "no second person for one face");
});

/// Runs `timekeeping demo` in `dir` until it says it is ready; returns the child and what it
/// printed.
#[cfg(feature = "demo")]
pub async fn demo_until_ready(dir: &std::path::Path) -> (std::process::Child, Vec<String>) {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_timekeeping"))
        .arg("demo")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TIMEKEEPING_DATA_DIR", dir)
        .env("TIMEKEEPING_BIND", "127.0.0.1:0")
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("demo starts");
    let stdout = child.stdout.take().expect("stdout");
    let ready = tokio::task::spawn_blocking(move || {
        let mut seen = Vec::new();
        let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
        for line in lines.by_ref() {
            let done = line.starts_with("Check-ins arrive");
            seen.push(line);
            if done {
                break;
            }
        }
        // Keep draining, so the demo never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        seen
    });
    let ready = tokio::time::timeout(std::time::Duration::from_secs(180), ready).await;
    let lines = match ready {
        Ok(Ok(lines)) if lines.iter().any(|l| l.contains("demo is ready")) => lines,
        _ => panic!("the demo did not become ready"),
    };
    (child, lines)
}

#[cfg(feature = "demo")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_restarts_over_an_unfinished_sync() {
    use sea_orm::{ActiveModelTrait, Database, EntityTrait, Set};
    let dir = tempfile::tempdir().expect("dir");
    let (mut first, _) = demo_until_ready(dir.path()).await;
    let _ = first.kill();
    let _ = first.wait();
    // As if the first run was killed mid-sync: its lease has a few seconds left.
    let db = Database::connect(format!(
        "sqlite://{}/demo/timekeeping.db",
        dir.path().display()
    ))
    .await
    .expect("demo database");
    let company = entity::company::Entity::find()
        .one(&db)
        .await
        .expect("read")
        .expect("demo company");
    entity::sync_job::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        company_id: Set(company.id),
        kind: Set(entity::sync_job::JobKind::Employees),
        status: Set(entity::sync_job::JobStatus::Running),
        total: Set(0),
        succeeded: Set(0),
        failed: Set(0),
        cancel_requested: Set(false),
        params: Set(None),
        retry_of: Set(None),
        created_by: Set(None),
        created_at: Set(chrono::Utc::now()),
        started_at: Set(None),
        finished_at: Set(None),
        lease_owner: Set(Some("a-killed-demo".to_owned())),
        lease_expires_at: Set(Some(chrono::Utc::now() + chrono::Duration::seconds(5))),
        error: Set(None),
    }
    .insert(&db)
    .await
    .expect("an unfinished sync");
    db.close().await.expect("closed");
    let (mut second, _) = demo_until_ready(dir.path()).await;
    let _ = second.kill();
    let _ = second.wait();
}

app_test!(async fn two_concurrent_uploads_for_one_employee_leave_one_photo_and_no_orphan(app) {
    let company = ready_company(&app, 1).await;
    let id = employee_id(&app, &company.admin_token, "E000").await;
    let query = "mutation($e: ID!, $f: Upload!) { uploadFacePhoto(employeeId: $e, file: $f) { id } }";
    for round in 0..3u8 {
        let (a, b) = tokio::join!(
            app.upload(&company.admin_token, query, json!({ "e": id, "f": null }), vec![("variables.f", "a.jpg", crate::images::jpeg(300, 300, 40 + round))]),
            app.upload(&company.admin_token, query, json!({ "e": id, "f": null }), vec![("variables.f", "b.jpg", crate::images::jpeg(300, 300, 80 + round))]),
        );
        assert!(a.status().is_success() && b.status().is_success());
    }
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let employee = uuid::Uuid::parse_str(&id).expect("uuid");
    let photos = entity::face_photo::Entity::find().filter(entity::face_photo::Column::EmployeeId.eq(employee)).all(&app.state.db).await.expect("photos");
    assert_eq!(photos.len(), 1, "one photo row");
    let current = entity::employee::Entity::find_by_id(employee).one(&app.state.db).await.expect("read").expect("employee");
    assert_eq!(current.face_photo_id, Some(photos[0].id));
    let dir = app.state.settings.data_dir.join("photos").join(company.id.to_string());
    let files = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
    assert_eq!(files, 1, "one file in {}: no orphaned bytes", dir.display());
});

app_test!(async fn the_preview_says_what_the_sync_then_does_item_by_item(app) {
    let company = ready_company(&app, 8).await;
    let token = company.admin_token.clone();
    let mut ids = std::collections::HashMap::new();
    for i in 0..8 {
        ids.insert(i, employee_id(&app, &token, &format!("E{i:03}")).await);
    }
    // A first sync of some, then changes of every kind.
    let first: Vec<&String> = [0, 1, 2, 3, 6].iter().map(|i| &ids[i]).collect();
    let job = start_sync(&app, &token, json!({ "employeeIds": first })).await;
    wait_for_job(&app, &token, job["id"].as_str().expect("id")).await;
    let update = "mutation($id: ID!, $i: UpdateEmployeeInput!) { updateEmployee(id: $id, input: $i) { id } }";
    app.graphql_ok(&token, update, json!({ "id": ids[&1], "i": { "title": "Lead" } })).await;
    app.graphql_ok(&token, update, json!({ "id": ids[&3], "i": { "employeeCode": "E003-B" } })).await;
    app.graphql_ok(&token, update, json!({ "id": ids[&6], "i": { "workStatus": "RESIGNED" } })).await;
    crate::sync::upload_photos(&app, &company, vec![("E002.jpg".to_owned(), crate::images::jpeg(200, 200, 222))]).await;
    app.sim.add_person_directly(PLACE, "From the Hanet app", Some("E007"), b"another face");
    app.create_employee(&token, json!({ "employeeCode": "E008", "fullName": "No Photo" })).await;

    let persons_before = app.sim.persons_in_place(PLACE);
    let preview = app.graphql_ok(&token, "{ previewEmployeeSync(first: 50) { totalCount counts { action count } items { employee { employeeCode } action reason } } }", json!({})).await;
    let preview = &preview["previewEmployeeSync"];
    let planned: std::collections::BTreeMap<String, String> = preview["items"].as_array().expect("items").iter()
        .map(|i| (i["employee"]["employeeCode"].as_str().unwrap_or("").to_owned(), i["action"].as_str().unwrap_or("").to_owned()))
        .collect();
    let expected: std::collections::BTreeMap<String, String> = [
        ("E000", "NONE"), ("E001", "UPDATE_INFO"), ("E002", "UPDATE_FACE"), ("E003-B", "UPDATE_INFO"),
        ("E004", "CREATE"), ("E005", "CREATE"), ("E006", "REMOVE"), ("E007", "UPDATE"), ("E008", "SKIP"),
    ].into_iter().map(|(a, b)| (a.to_owned(), b.to_owned())).collect();
    assert_eq!(planned, expected, "{preview:#}");
    assert_eq!(preview["totalCount"], 9);
    // Nothing was written to Hanet.
    let after_preview = app.sim.persons_in_place(PLACE);
    assert_eq!(after_preview.len(), persons_before.len());
    assert!(after_preview.iter().zip(&persons_before).all(|(a, b)| a.alias_id == b.alias_id && a.face_sha256 == b.face_sha256 && a.name == b.name));
    let job = sync_all(&app, &token).await;
    let done: std::collections::BTreeMap<String, String> = job["items"]["edges"].as_array().expect("items").iter()
        .map(|e| {
            let node = &e["node"];
            let what = node["action"].as_str().or(node["errorCode"].as_str()).unwrap_or("").to_owned();
            (node["label"].as_str().unwrap_or("").to_owned(), what)
        })
        .collect();
    let as_items: std::collections::BTreeMap<String, String> = expected.into_iter()
        .map(|(code, action)| (code, if action == "SKIP" { "NO_PHOTO".to_owned() } else { action }))
        .collect();
    assert_eq!(done, as_items, "the sync did what the preview said: {job:#}");
});
