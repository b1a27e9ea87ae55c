//! Employee sync against hanet-sim: durable background jobs that push employees to Hanet.

use std::{collections::HashSet, time::Duration};

use serde_json::{Value, json};
use timekeeping::employees::service as employees;

use crate::{
    app_test,
    helpers::{Company, TestApp, error_code},
    images,
};

pub const PLACE: i64 = 1001;

const JOB: &str = "query($id: ID!) { syncJob(id: $id) { id status total succeeded failed
  items(first: 200) { edges { node { label status action errorCode error hanetCode } } } } }";

/// A company with camera timekeeping on, Hanet linked, place 1001 selected, and `n` employees
/// `E000…` with distinct face photos.
pub async fn ready_company(app: &TestApp, n: usize) -> Company {
    let company = app.seed_company("Acme").await;
    app.enable_camera(&company).await;
    app.link_hanet(&company).await;
    app.graphql_ok(
        &company.admin_token,
        "mutation { selectHanetPlace(placeId: \"1001\") { accountEmail } }",
        json!({}),
    )
    .await;
    for i in 0..n {
        let new = employees::NewEmployee {
            employee_code: format!("E{i:03}"),
            full_name: format!("Person {i}"),
            email: None,
            title: Some("Staff".to_owned()),
            department_id: None,
            work_status: None,
            profile_picture_url: None,
            start_date: None,
        };
        employees::create(&app.state.db, company.id, new)
            .await
            .unwrap_or_else(|e| panic!("{}", e.message()));
    }
    upload_photos(
        app,
        &company,
        (0..n)
            .map(|i| {
                (
                    format!("E{i:03}.jpg"),
                    images::jpeg(120 + (i / 200) as u32, 120, (i % 200) as u8),
                )
            })
            .collect(),
    )
    .await;
    company
}

pub async fn upload_photos(app: &TestApp, company: &Company, files: Vec<(String, Vec<u8>)>) {
    let paths: Vec<String> = (0..files.len())
        .map(|i| format!("variables.f.{i}"))
        .collect();
    let uploads = files
        .iter()
        .zip(&paths)
        .map(|((name, bytes), path)| (path.as_str(), name.as_str(), bytes.clone()))
        .collect();
    let query = "mutation($f: [Upload!]!) { importFacePhotos(files: $f) { accepted rejected } }";
    let response = app
        .upload(
            &company.admin_token,
            query,
            json!({ "f": vec![Value::Null; files.len()] }),
            uploads,
        )
        .await;
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["data"]["importFacePhotos"]["rejected"], 0, "{body:#}");
}

pub async fn start_sync(app: &TestApp, token: &str, input: Value) -> Value {
    let data = app
        .graphql_ok(token, "mutation($i: StartEmployeeSyncInput) { startEmployeeSync(input: $i) { id status total } }", json!({ "i": input }))
        .await;
    data["startEmployeeSync"].clone()
}

/// Polls until the job ends; returns it with its items.
pub async fn wait_for_job(app: &TestApp, token: &str, id: &str) -> Value {
    for _ in 0..600 {
        let data = app.graphql_ok(token, JOB, json!({ "id": id })).await;
        let status = data["syncJob"]["status"].as_str().unwrap_or("");
        if !["QUEUED", "RUNNING"].contains(&status) {
            return data["syncJob"].clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("job {id} did not end in a minute");
}

pub fn actions(job: &Value) -> Vec<(String, String)> {
    job["items"]["edges"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            (
                e["node"]["label"].as_str().unwrap_or("").to_owned(),
                e["node"]["action"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// Every code is on Hanet exactly once, and nothing else is.
pub fn assert_exactly_once(app: &TestApp, codes: &[String]) {
    let persons = app.sim.persons_in_place(PLACE);
    let aliases: Vec<&str> = persons.iter().map(|p| p.alias_id.as_str()).collect();
    let unique: HashSet<&str> = aliases.iter().copied().collect();
    assert_eq!(aliases.len(), unique.len(), "a duplicate person on Hanet");
    let expected: HashSet<&str> = codes.iter().map(String::as_str).collect();
    assert_eq!(unique, expected);
}

fn codes(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("E{i:03}")).collect()
}

app_test!(async fn two_hundred_employees_become_two_hundred_persons_and_a_second_sync_creates_nothing(app) {
    let company = ready_company(&app, 200).await;
    let job = start_sync(&app, &company.admin_token, Value::Null).await;
    assert_eq!(job["total"], 200);
    let done = wait_for_job(&app, &company.admin_token, job["id"].as_str().expect("id")).await;
    assert_eq!((done["status"].as_str(), done["succeeded"].as_i64()), (Some("SUCCEEDED"), Some(200)), "{done:#}");
    assert_exactly_once(&app, &codes(200));
    assert!(codes(200).iter().all(|c| app.sim.register_calls(c) == 1));
    let data = app.graphql_ok(&company.admin_token, "{ employees(filter: { faceSyncStatuses: [SYNCED] }) { totalCount } }", json!({})).await;
    assert_eq!(data["employees"]["totalCount"], 200);

    let again = start_sync(&app, &company.admin_token, Value::Null).await;
    let again = wait_for_job(&app, &company.admin_token, again["id"].as_str().expect("id")).await;
    assert_eq!(again["status"], "SUCCEEDED");
    assert!(actions(&again).iter().all(|(_, action)| action == "NONE"), "{again:#}");
    assert!(codes(200).iter().all(|c| app.sim.register_calls(c) == 1), "the second sync registered nobody");
    assert_exactly_once(&app, &codes(200));
});

app_test!(async fn changes_update_the_person_and_resigned_employees_are_removed(app) {
    let company = ready_company(&app, 4).await;
    let token = &company.admin_token;
    let first = start_sync(&app, token, Value::Null).await;
    wait_for_job(&app, token, first["id"].as_str().expect("id")).await;
    let ids: Value = app.graphql_ok(token, "{ employees { edges { node { id employeeCode } } } }", json!({})).await;
    let id_of = |code: &str| -> String {
        ids["employees"]["edges"].as_array().expect("edges").iter().find(|e| e["node"]["employeeCode"] == code).map(|e| e["node"]["id"].as_str().unwrap_or("").to_owned()).expect("employee")
    };

    upload_photos(&app, &company, vec![("E000.jpg".to_owned(), images::jpeg(300, 300, 250))]).await;
    app.graphql_ok(token, "mutation($id: ID!) { updateEmployee(id: $id, input: { title: \"Manager\" }) { id } }", json!({ "id": id_of("E001") })).await;
    app.graphql_ok(token, "mutation($id: ID!) { updateEmployee(id: $id, input: { workStatus: RESIGNED }) { id } }", json!({ "id": id_of("E002") })).await;
    let data = app.graphql_ok(token, "{ employees(filter: { faceSyncStatuses: [OUTDATED] }) { edges { node { employeeCode } } } }", json!({})).await;
    assert_eq!(data["employees"]["edges"].as_array().map(Vec::len), Some(3), "{data}");

    let second = start_sync(&app, token, Value::Null).await;
    let done = wait_for_job(&app, token, second["id"].as_str().expect("id")).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done:#}");
    let mut got = actions(&done);
    got.sort();
    assert_eq!(got, [("E000".into(), "UPDATE_FACE".into()), ("E001".into(), "UPDATE_INFO".into()), ("E002".into(), "REMOVE".into()), ("E003".into(), "NONE".into())]);
    for code in ["E000", "E001", "E002", "E003"] {
        assert_eq!(app.sim.register_calls(code), 1, "{code} was never registered again");
    }
    assert_exactly_once(&app, &["E000".into(), "E001".into(), "E003".into()]);
    let persons = app.sim.persons_in_place(PLACE);
    assert_eq!(persons.iter().find(|p| p.alias_id == "E001").map(|p| p.title.as_str()), Some("Manager"));
    assert_eq!(persons.iter().find(|p| p.alias_id == "E000").map(|p| p.face_updates), Some(1));
});

app_test!(async fn outages_and_lost_responses_still_leave_everyone_on_hanet_exactly_once(app) {
    let company = ready_company(&app, 40).await;
    let token = &company.admin_token;
    app.sim.faults().set_http_5xx_rate(0.10);
    app.sim.faults().set_lost_response_rate(0.05);
    let job = start_sync(&app, token, Value::Null).await;
    let mut done = wait_for_job(&app, token, job["id"].as_str().expect("id")).await;
    let mut succeeded = done["succeeded"].as_i64().unwrap_or(0);
    // An item Hanet never confirmed (three failed attempts in a row: about one in a thousand
    // at these rates) fails alone, retryably; the admin's retry, still under the same faults,
    // carries it.
    for _ in 0..5 {
        if done["status"] == "SUCCEEDED" {
            break;
        }
        assert_eq!(done["status"], "PARTIALLY_FAILED", "{done:#}");
        let items = done["items"]["edges"].as_array().expect("items");
        assert!(items.iter().map(|e| &e["node"]).filter(|n| n["status"] == "FAILED").all(|n| n["errorCode"] == "HANET_UNAVAILABLE"), "{done:#}");
        let retry = app.graphql_ok(token, "mutation($id: ID!) { retrySyncJob(id: $id) { id } }", json!({ "id": done["id"] })).await;
        done = wait_for_job(&app, token, retry["retrySyncJob"]["id"].as_str().expect("id")).await;
        succeeded += done["succeeded"].as_i64().unwrap_or(0);
    }
    app.sim.faults().reset();
    assert_eq!((done["status"].as_str(), succeeded), (Some("SUCCEEDED"), 40), "{done:#}");
    assert_exactly_once(&app, &codes(40));
});

app_test!(async fn a_rejected_photo_fails_alone_and_a_retry_with_a_new_photo_succeeds(app) {
    let company = ready_company(&app, 5).await;
    let token = &company.admin_token;
    app.sim.faults().fail_next("/person/register", -9006, 1);
    let job = start_sync(&app, token, Value::Null).await;
    let done = wait_for_job(&app, token, job["id"].as_str().expect("id")).await;
    assert_eq!((done["status"].as_str(), done["failed"].as_i64(), done["succeeded"].as_i64()), (Some("PARTIALLY_FAILED"), Some(1), Some(4)));
    let failed: Vec<&Value> = done["items"]["edges"].as_array().expect("items").iter().map(|e| &e["node"]).filter(|n| n["status"] == "FAILED").collect();
    assert_eq!(failed[0]["hanetCode"], -9006);
    assert_eq!(failed[0]["errorCode"], "HANET_REJECTED");
    assert!(failed[0]["error"].as_str().unwrap_or("").contains("face"), "{}", failed[0]);
    let code = failed[0]["label"].as_str().expect("label").to_owned();
    let data = app
        .graphql_ok(token, "query($c: String) { employees(filter: { employeeCode: $c }) { edges { node { faceSync { status lastErrorCode } } } } }", json!({ "c": code }))
        .await;
    assert_eq!(data["employees"]["edges"][0]["node"]["faceSync"], json!({ "status": "FAILED", "lastErrorCode": -9006 }));

    upload_photos(&app, &company, vec![(format!("{code}.jpg"), images::jpeg(320, 320, 251))]).await;
    let retry = app.graphql_ok(token, "mutation($id: ID!) { retrySyncJob(id: $id) { id total retryOf } }", json!({ "id": job["id"] })).await;
    assert_eq!(retry["retrySyncJob"]["total"], 1, "only the failed item is re-run");
    let retried = wait_for_job(&app, token, retry["retrySyncJob"]["id"].as_str().expect("id")).await;
    assert_eq!(retried["status"], "SUCCEEDED", "{retried:#}");
    assert_exactly_once(&app, &codes(5));
});

app_test!(async fn a_second_start_conflicts_and_cancel_ends_the_job_cancelled(app) {
    let company = ready_company(&app, 30).await;
    let token = &company.admin_token;
    app.sim.faults().set_latency(Duration::from_millis(150));
    let job = start_sync(&app, token, Value::Null).await;
    let id = job["id"].as_str().expect("id").to_owned();
    let body = app.graphql(Some(token), "mutation { startEmployeeSync { id } }", json!({})).await;
    assert_eq!(error_code(&body), "CONFLICT");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let cancelled = app.graphql_ok(token, "mutation($id: ID!) { cancelSyncJob(id: $id) { cancelRequested } }", json!({ "id": id })).await;
    assert_eq!(cancelled["cancelSyncJob"]["cancelRequested"], true);
    let done = wait_for_job(&app, token, &id).await;
    app.sim.faults().reset();
    assert_eq!(done["status"], "CANCELLED");
    let statuses: Vec<&str> = done["items"]["edges"].as_array().expect("items").iter().filter_map(|e| e["node"]["status"].as_str()).collect();
    assert!(statuses.contains(&"CANCELLED"), "items not started are skipped: {statuses:?}");
    assert!(!statuses.contains(&"RUNNING") && !statuses.contains(&"PENDING"), "{statuses:?}");
    // Every item reported done really is on Hanet, once.
    let done_codes: Vec<String> = done["items"]["edges"].as_array().expect("items").iter().filter(|e| e["node"]["status"] == "SUCCEEDED").filter_map(|e| e["node"]["label"].as_str().map(str::to_owned)).collect();
    let on_hanet: HashSet<String> = app.sim.persons_in_place(PLACE).into_iter().map(|p| p.alias_id).collect();
    assert!(done_codes.iter().all(|c| on_hanet.contains(c)));
    let body = app.graphql(Some(token), "mutation($id: ID!) { cancelSyncJob(id: $id) { id } }", json!({ "id": id })).await;
    assert_eq!(error_code(&body), "CONFLICT", "an ended job cannot be cancelled");
    // The company can sync again.
    start_sync(&app, token, Value::Null).await;
});

/// Collects a `syncJobProgress` subscription's events until the server completes it.
async fn progress_events(app: &TestApp, token: &str, job_id: &str) -> Vec<Value> {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let mut socket = crate::websocket::connect(app).await;
    let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } });
    socket
        .send(Message::text(init.to_string()))
        .await
        .expect("send");
    assert_eq!(
        crate::websocket::next(&mut socket).await.expect("ack")["type"],
        "connection_ack"
    );
    let query = "subscription($id: ID!) { syncJobProgress(id: $id) { job { status total succeeded failed } item { label status } } }";
    let subscribe = json!({ "id": "p", "type": "subscribe", "payload": { "query": query, "variables": { "id": job_id } } });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .expect("send");
    let mut events = Vec::new();
    loop {
        let message = crate::websocket::next(&mut socket)
            .await
            .expect("a message");
        match message["type"].as_str() {
            Some("next") => {
                assert!(message["payload"].get("errors").is_none(), "{message:#}");
                events.push(message["payload"]["data"]["syncJobProgress"].clone());
            }
            Some("complete") => return events,
            other => panic!("unexpected {other:?}: {message:#}"),
        }
    }
}

app_test!(async fn progress_streams_from_the_current_state_to_a_terminal_event(app) {
    let company = ready_company(&app, 12).await;
    app.sim.faults().set_latency(Duration::from_millis(60));
    let job = start_sync(&app, &company.admin_token, Value::Null).await;
    let id = job["id"].as_str().expect("id").to_owned();
    let events = progress_events(&app, &company.admin_token, &id).await;
    app.sim.faults().reset();
    assert!(events.len() >= 2, "{events:#?}");
    assert_eq!(events[0]["job"]["total"], 12);
    let done: Vec<i64> = events.iter().map(|e| e["job"]["succeeded"].as_i64().unwrap_or(0) + e["job"]["failed"].as_i64().unwrap_or(0)).collect();
    assert!(done.windows(2).all(|w| w[0] <= w[1]), "counts never go down: {done:?}");
    let last = events.last().expect("events");
    assert_eq!(last["job"]["status"], "SUCCEEDED");
    assert_eq!(last["job"]["succeeded"], 12);
    let finished: HashSet<&str> = events.iter().filter_map(|e| e["item"]["label"].as_str()).collect();
    assert!(finished.len() >= 6, "finished items are reported as they finish: {finished:?}");
    assert!(events[..events.len() - 1].iter().all(|e| ["QUEUED", "RUNNING"].contains(&e["job"]["status"].as_str().unwrap_or(""))));

    // A job that has already ended: one terminal event, then completion.
    let again = progress_events(&app, &company.admin_token, &id).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0]["job"]["status"], "SUCCEEDED");
});
