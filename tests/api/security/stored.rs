//! What is stored: a webhook event once across companies and routed by its key only; photos
//! bounded by pixel count before decoding; a leaver's face photos deleted after the retention
//! period and never cached; writing transactions that take SQLite's lock first; vendor writes
//! never blindly re-sent.

use md5::{Digest, Md5};
use sea_orm::{ConnectionTrait, EntityTrait, Statement};
use serde_json::{Value, json};

use crate::{
    app_test,
    attendance::{checkins, everything},
    helpers::{Company, TestApp},
    security::probes::png_header_only,
    sync::{ready_company, start_sync, wait_for_job},
};

/// A check-in event as Hanet posts it, signed with the app's secret.
fn event(app: &TestApp, id: &str, keycode: Option<&str>) -> Value {
    let hash = hex::encode(Md5::digest(
        format!("{}{id}", app.sim.client_secret()).as_bytes(),
    ));
    let mut body = json!({
        "id": id, "hash": hash, "data_type": "log", "action_type": "update",
        "time": chrono::Utc::now().timestamp_millis(), "date": "2026-11-29 08:00:00",
        "personID": "p-1", "aliasID": "E000", "personName": "Person 0", "personType": "0",
        "placeID": "1001", "placeName": "Head office", "deviceID": "C20371B106", "deviceName": "Door",
    });
    if let Some(key) = keycode {
        body["keycode"] = json!(key);
    }
    body
}

async fn post(app: &TestApp, body: &Value) -> u16 {
    app.client
        .post(format!("{}/webhooks/hanet", app.address))
        .json(body)
        .send()
        .await
        .expect("sent")
        .status()
        .as_u16()
}

async fn keycode(app: &TestApp, company: &Company) -> String {
    entity::hanet_connection::Entity::find_by_id(company.id)
        .one(&app.state.db)
        .await
        .expect("read")
        .expect("linked")
        .partner_token
}

app_test!(async fn a_webhook_event_is_stored_once_across_companies_and_routed_by_key_only(app) {
    let a = ready_company(&app, 1).await;
    let key_a = keycode(&app, &a).await;
    assert_eq!(post(&app, &event(&app, "evt-1", Some(&key_a))).await, 200);
    assert_eq!(checkins(&app, &a, everything()).await["totalCount"], 1);

    // The account moves to company B (A unlinks): B gets its own key.
    app.graphql_ok(&a.admin_token, "mutation { unlinkHanet }", json!({})).await;
    let b = ready_company(&app, 1).await;
    let key_b = keycode(&app, &b).await;
    // A replay of A's event with B's key (the hash covers only the id) is not B's check-in.
    assert_eq!(post(&app, &event(&app, "evt-1", Some(&key_b))).await, 200);
    // An event without a key is not routed by its place id.
    assert_eq!(post(&app, &event(&app, "evt-2", None)).await, 200);
    assert_eq!(checkins(&app, &b, everything()).await["totalCount"], 0);
    // A new event with B's key is.
    assert_eq!(post(&app, &event(&app, "evt-3", Some(&key_b))).await, 200);
    assert_eq!(checkins(&app, &b, everything()).await["totalCount"], 1);
});

app_test!(async fn a_photo_over_the_pixel_limit_fails_alone_before_decoding(app) {
    let company = ready_company(&app, 2).await;
    let query = "mutation($f: [Upload!]!) { importFacePhotos(files: $f) { accepted results { fileName errorCode } } }";
    let response = app
        .upload(
            &company.admin_token,
            query,
            json!({ "f": [null, null] }),
            vec![
                ("variables.f.0", "E000.png", png_header_only(7_000, 7_000)),
                ("variables.f.1", "E001.jpg", crate::images::jpeg(300, 300, 9)),
            ],
        )
        .await;
    let body: Value = response.json().await.expect("JSON");
    let results = &body["data"]["importFacePhotos"]["results"];
    assert_eq!(results[0]["errorCode"], "IMAGE_TOO_LARGE", "{body}");
    assert_eq!(results[1]["errorCode"], Value::Null, "{body}");
    assert_eq!(body["data"]["importFacePhotos"]["accepted"], 1);
});

app_test!(async fn a_leavers_face_photos_are_deleted_after_the_retention_period(app) with ["--face-retention-days", "0"] {
    let company = ready_company(&app, 2).await;
    let job = start_sync(&app, &company.admin_token, json!(null)).await;
    wait_for_job(&app, &company.admin_token, job["id"].as_str().expect("id")).await;
    let employee = entity::employee::Entity::find().all(&app.state.db).await.expect("employees")
        .into_iter().find(|e| e.employee_code == "E000").expect("E000");
    let photo_id = employee.face_photo_id.expect("a photo").to_string();
    let photo = app.client.get(format!("{}/photos/{photo_id}", app.address)).bearer_auth(&company.admin_token).send().await.expect("GET");
    assert_eq!(photo.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("private, no-store"));

    // E000 leaves: the next sync removes the person from Hanet, and the sweep deletes the face.
    app.graphql_ok(&company.admin_token, "mutation($id: ID!) { updateEmployee(id: $id, input: { workStatus: RESIGNED }) { id } }", json!({ "id": employee.id.to_string() })).await;
    let job = start_sync(&app, &company.admin_token, json!(null)).await;
    wait_for_job(&app, &company.admin_token, job["id"].as_str().expect("id")).await;
    assert!(app.sim.persons_in_place(1001).iter().all(|p| p.alias_id != "E000"));
    timekeeping::photos::retention::sweep(&app.state).await.unwrap_or_else(|e| panic!("{}", e.message()));

    let photos = entity::face_photo::Entity::find().all(&app.state.db).await.expect("photos");
    assert!(photos.iter().all(|p| p.employee_id != employee.id), "the leaver's photos are gone");
    assert_eq!(photos.len(), 1, "the colleague's photo stays");
    let gone = app.client.get(format!("{}/photos/{photo_id}", app.address)).bearer_auth(&company.admin_token).send().await.expect("GET");
    assert_eq!(gone.status(), 404);
    let files = walk(&app.state.settings.data_dir.join("photos"));
    assert_eq!(files, 1, "one photo file is left in the store");
});

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        walk(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

app_test!(async fn a_registration_whose_answer_was_lost_is_not_sent_again(app) {
    let company = ready_company(&app, 1).await;
    // Hanet registers the person, but its answer never arrives.
    app.sim.faults().lose_next("/person/register", 1);
    let job = start_sync(&app, &company.admin_token, json!(null)).await;
    let done = wait_for_job(&app, &company.admin_token, job["id"].as_str().expect("id")).await;
    assert_eq!(done["succeeded"], 1, "{done}");
    assert_eq!(app.sim.register_calls("E000"), 1, "the lost registration was looked up, not re-sent");
    assert_eq!(app.sim.persons_in_place(1001).len(), 1);
});

/// Two read-then-write transactions that overlap: the second waits for the first instead of
/// failing with `SQLITE_BUSY` (the deferred `BEGIN` fails there).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlapping_writing_transactions_wait_instead_of_failing_on_sqlite() {
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite, &[])
        .await
        .expect("app");
    let db = app.state.db.clone();
    let read = Statement::from_string(db.get_database_backend(), "SELECT COUNT(*) FROM companies");
    db.execute_unprepared("CREATE TABLE probe_writes (who TEXT)")
        .await
        .expect("table");
    let write = |who: &str| {
        Statement::from_string(
            db.get_database_backend(),
            format!("INSERT INTO probe_writes VALUES ('{who}')"),
        )
    };
    let first = timekeeping::db::begin_write(&db).await.expect("begin");
    first.query_one_raw(read.clone()).await.expect("read");
    let second = {
        let db = db.clone();
        let (read, write) = (read.clone(), write("second"));
        tokio::spawn(async move {
            let txn = timekeeping::db::begin_write(&db).await?;
            txn.query_one_raw(read).await?;
            txn.execute_raw(write).await?;
            txn.commit().await
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    first
        .execute_raw(write("first"))
        .await
        .expect("the first writes");
    first.commit().await.expect("the first commits");
    second
        .await
        .expect("joined")
        .expect("the second waited and committed");
}
