//! Stored attendance days: kept current by the webhook, pulls and late-mapped check-ins, only
//! for the selected place, recomputed by a job when the day changes; the live feed through a
//! large batch; the completeness watermark across a gap; check-ins in capture-time order.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::{attendance_day, company};
use futures_util::SinkExt;
use md5::Digest;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use serde_json::{Value, json};
use timekeeping::{checkins::store as ingest, vendor::VendorCheckin};
use tokio_tungstenite::tungstenite::Message;

use crate::{
    app_test,
    attendance::{at, checkins, deliver_to, everything, seed},
    helpers::TestApp,
    sync::{ready_company, wait_for_job},
    websocket,
};

/// Waits for the company's newest `ATTENDANCE_DAYS` job to end; returns it.
pub async fn wait_for_recompute(app: &TestApp, token: &str) -> Value {
    let jobs = app
        .graphql_ok(
            token,
            "{ syncJobs(first: 20) { edges { node { id kind } } } }",
            json!({}),
        )
        .await;
    let id = jobs["syncJobs"]["edges"]
        .as_array()
        .expect("jobs")
        .iter()
        .map(|e| &e["node"])
        .find(|n| n["kind"] == "ATTENDANCE_DAYS")
        .and_then(|n| n["id"].as_str())
        .expect("a settings change queues an ATTENDANCE_DAYS job")
        .to_owned();
    wait_for_job(app, token, &id).await
}

/// The stored rows of the company's days: (code, date, count, updated at).
async fn stored_days(app: &TestApp) -> Vec<(String, String, i32, DateTime<Utc>)> {
    let mut rows: Vec<_> = attendance_day::Entity::find()
        .all(&app.state.db)
        .await
        .expect("days")
        .into_iter()
        .map(|d| {
            (
                d.employee_code_key,
                d.date.to_string(),
                d.checkin_count,
                d.updated_at,
            )
        })
        .collect();
    rows.sort();
    rows
}

const DAYS: &str = "query($f: Date!, $t: Date!) { attendanceDays(from: $f, to: $t, first: 50) { totalCount edges { node { employee { employeeCode } date checkinCount workedMinutes } } } }";

async fn days(app: &TestApp, token: &str, from: &str, to: &str) -> Vec<(String, String, i64)> {
    let data = app
        .graphql_ok(token, DAYS, json!({ "f": from, "t": to }))
        .await;
    data["attendanceDays"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            let n = &e["node"];
            (
                n["employee"]["employeeCode"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
                n["date"].as_str().unwrap_or("").to_owned(),
                n["checkinCount"].as_i64().unwrap_or(0),
            )
        })
        .collect()
}

app_test!(async fn a_webhook_and_a_pull_rewrite_only_the_day_they_add_to(app) {
    let company = ready_company(&app, 2).await;
    deliver_to(&app).await;
    for (alias, time) in [("E000", "2026-11-10T08:00:00+07:00"), ("E001", "2026-11-11T08:00:00+07:00")] {
        app.sim.emit_checkin(seed(Some(alias), 0, at(time))).await.expect("delivered");
    }
    let before = stored_days(&app).await;
    assert_eq!(before.len(), 2);
    tokio::time::sleep(Duration::from_millis(20)).await;

    app.sim.emit_checkin(seed(Some("E000"), 0, at("2026-11-10T17:30:00+07:00"))).await.expect("delivered");
    let after = stored_days(&app).await;
    assert_eq!((after[0].2, after[1].2), (2, 1), "the webhook added to E000's day");
    assert!(after[0].3 > before[0].3, "E000's day was rewritten");
    assert_eq!(after[1], before[1], "E001's day was not touched");
    let worked = app.graphql_ok(&company.admin_token, DAYS, json!({ "f": "2026-11-10", "t": "2026-11-10" })).await;
    assert_eq!(worked["attendanceDays"]["edges"][0]["node"]["workedMinutes"], 570);

    // A pull brings a check-in the webhook missed: only E001's day changes.
    app.sim.add_checkin(seed(Some("E001"), 0, at("2026-11-11T17:00:00+07:00")));
    let job = app.graphql_ok(&company.admin_token, "mutation { startAttendanceSync(from: \"2026-11-11T00:00:00Z\", to: \"2026-11-12T00:00:00Z\") { id } }", json!({})).await;
    wait_for_job(&app, &company.admin_token, job["startAttendanceSync"]["id"].as_str().expect("id")).await;
    let pulled = stored_days(&app).await;
    assert_eq!(pulled[0], after[0], "E000's day was not touched by the pull");
    assert_eq!(pulled[1].2, 2, "the pull added to E001's day");
    assert!(pulled[1].3 > after[1].3);
});

app_test!(async fn changing_the_day_start_recomputes_stored_days_through_a_job(app) {
    let company = ready_company(&app, 1).await;
    deliver_to(&app).await;
    for time in ["2026-11-10T22:00:00+07:00", "2026-11-11T05:00:00+07:00"] {
        app.sim.emit_checkin(seed(Some("E000"), 0, at(time))).await.expect("delivered");
    }
    assert_eq!(days(&app, &company.admin_token, "2026-11-01", "2026-11-30").await.len(), 2);
    app.graphql_ok(&company.admin_token, "mutation { updateCompanySettings(input: { workdayStartHour: 6 }) { workdayStartHour } }", json!({})).await;
    let job = wait_for_recompute(&app, &company.admin_token).await;
    assert_eq!((job["status"].as_str(), job["succeeded"].as_i64()), (Some("SUCCEEDED"), job["total"].as_i64()));
    assert_eq!(
        days(&app, &company.admin_token, "2026-11-01", "2026-11-30").await,
        [("E000".to_owned(), "2026-11-10".to_owned(), 2)]
    );
    let stored = stored_days(&app).await;
    assert_eq!(stored.len(), 1, "the old rows were replaced, not kept beside the new ones");
});

app_test!(async fn an_unmatched_check_in_becomes_the_employees_once_the_id_exists(app) {
    let company = ready_company(&app, 1).await;
    deliver_to(&app).await;
    app.sim.emit_checkin(seed(Some("NV-77"), 0, at("2026-11-10T08:00:00+07:00"))).await.expect("delivered");
    app.sim.emit_checkin(seed(Some("NV-78"), 0, at("2026-11-10T08:05:00+07:00"))).await.expect("delivered");
    let mut unmatched = everything();
    unmatched["matched"] = json!(false);
    assert_eq!(checkins(&app, &company, unmatched.clone()).await["totalCount"], 2);
    assert!(days(&app, &company.admin_token, "2026-11-10", "2026-11-10").await.is_empty());

    // Created later (the code in another case), and another employee renamed to an alias seen.
    app.create_employee(&company.admin_token, json!({ "employeeCode": "nv-77", "fullName": "Late Comer" })).await;
    let e000 = app.graphql_ok(&company.admin_token, "{ employees(filter: { employeeCode: \"E000\" }) { edges { node { id } } } }", json!({})).await;
    let id = e000["employees"]["edges"][0]["node"]["id"].clone();
    app.graphql_ok(&company.admin_token, "mutation($id: ID!) { updateEmployee(id: $id, input: { employeeCode: \"NV-78\" }) { id } }", json!({ "id": id })).await;

    assert_eq!(checkins(&app, &company, unmatched).await["totalCount"], 0);
    assert_eq!(
        days(&app, &company.admin_token, "2026-11-10", "2026-11-10").await,
        [("nv-77".to_owned(), "2026-11-10".to_owned(), 1), ("NV-78".to_owned(), "2026-11-10".to_owned(), 1)]
    );
});

app_test!(async fn a_check_in_at_another_place_is_listed_but_in_no_day(app) {
    let company = ready_company(&app, 1).await;
    deliver_to(&app).await;
    // Hanet delivers an event of the account's warehouse too (not the selected head office),
    // signed and keyed like any other.
    let keycode = app.sim.partner_tokens().into_iter().next().map(|(_, k)| k).expect("keycode");
    let id = "0b7c3e3a-5a8e-4c59-9d59-6f0f4f7e2a11";
    let hash = hex::encode(md5::Md5::digest(format!("{}{id}", app.sim.client_secret())));
    let event = json!({
        "id": id, "hash": hash, "keycode": keycode, "data_type": "log", "action_type": "update",
        "placeID": "1002", "placeName": "Warehouse", "deviceID": "C21283M316", "deviceName": "Dock",
        "personType": "0", "aliasID": "E000", "personID": "", "personName": "Person 0", "personTitle": "",
        "time": at("2026-11-10T08:00:00+07:00"), "date": "", "detected_image_url": "", "mask": -1
    });
    let response = app.client.post(format!("{}/webhooks/hanet", app.address)).json(&event).send().await.expect("sent");
    assert_eq!(response.status(), 200);
    app.sim.emit_checkin(seed(Some("E000"), 0, at("2026-11-10T09:00:00+07:00"))).await.expect("delivered");
    let listed = app
        .graphql_ok(&company.admin_token, "query($f: CheckinFilter!) { checkins(filter: $f) { totalCount edges { node { placeId matched } } } }", json!({ "f": everything() }))
        .await;
    assert_eq!(listed["checkins"]["totalCount"], 2);
    assert_eq!(listed["checkins"]["edges"][0]["node"]["placeId"], "1002");
    assert_eq!(
        days(&app, &company.admin_token, "2026-11-10", "2026-11-10").await,
        [("E000".to_owned(), "2026-11-10".to_owned(), 1)],
        "only the selected place's check-in counts"
    );
});

fn pulled_row(i: usize, captured_at_ms: i64) -> VendorCheckin {
    VendorCheckin {
        event_id: None,
        place_id: "1001".into(),
        place_name: None,
        device_id: "C20371B106".into(),
        device_name: None,
        person_type: 0,
        person_id: None,
        alias: Some("E000".into()),
        person_name: None,
        person_title: None,
        snapshot_url: None,
        captured_at_ms: captured_at_ms + i as i64 * 1000,
    }
}

app_test!(async fn a_pull_batch_of_3000_rows_does_not_stall_the_live_feed(app) {
    let company = ready_company(&app, 1).await;
    deliver_to(&app).await;
    let mut socket = websocket::connect(&app).await;
    let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {}", company.admin_token) } });
    socket.send(Message::text(init.to_string())).await.expect("init");
    assert_eq!(websocket::next(&mut socket).await.expect("ack")["type"], "connection_ack");
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { checkinRecorded { aliasId capturedAt } }" } });
    socket.send(Message::text(subscribe.to_string())).await.expect("subscribe");
    tokio::time::sleep(Duration::from_millis(300)).await;

    // One batch stored at one moment, as a pull stores it: older than "live".
    let hours_ago = Utc::now().timestamp_millis() - 3 * 3_600_000;
    let rows: Vec<VendorCheckin> = (0..3000).map(|i| pulled_row(i, hours_ago)).collect();
    let stored = ingest::store(ingest::Intake::of(&app.state), company.id, ingest::Source::Pull, rows).await.expect("stored");
    assert_eq!(stored, 3000);
    tokio::time::sleep(Duration::from_millis(300)).await;

    let live = seed(Some("E000"), 0, Utc::now().timestamp_millis() - 1000);
    let sent = std::time::Instant::now();
    app.sim.emit_checkin(live).await.expect("delivered");
    let event = websocket::next(&mut socket).await.expect("an event");
    assert_eq!(event["type"], "next", "{event}");
    assert!(sent.elapsed() < Duration::from_secs(2), "the live check-in took {:?}", sent.elapsed());
    let captured = event["payload"]["data"]["checkinRecorded"]["capturedAt"].as_str().expect("time");
    let captured = DateTime::parse_from_rfc3339(captured).expect("time");
    assert!(captured.timestamp_millis() > hours_ago + 3_000_000, "the first event is the live one, not the backfill");
});

app_test!(async fn a_catch_up_after_a_long_gap_queues_a_backfill_and_keeps_the_watermark(app) {
    let company = ready_company(&app, 1).await;
    // Longer ago than the catch-up window (7 days by default) reaches.
    let gap_start = Utc::now() - chrono::Duration::days(10);
    let mut model = company::Entity::find_by_id(company.id).one(&app.state.db).await.expect("db").expect("company").into_active_model();
    model.attendance_complete_until = Set(Some(gap_start));
    model.update(&app.state.db).await.expect("watermark set");
    app.sim.add_checkin(seed(Some("E000"), 0, (gap_start + chrono::Duration::hours(30)).timestamp_millis()));

    timekeeping::checkins::pull::catch_up_all(&app.state).await.expect("catch-up");
    let watermark = |app: &TestApp| {
        let db = app.state.db.clone();
        async move {
            company::Entity::find().filter(company::Column::Id.eq(company.id)).one(&db).await.expect("db").expect("company").attendance_complete_until
        }
    };
    // Still at the gap's start, or (the backfill may already have run) at most the backfill's end
    // (the window's start): never the catch-up's own end, a minute ago, across the gap.
    let after_catch_up = watermark(&app).await.expect("set");
    let window_start = Utc::now() - chrono::Duration::days(7) + chrono::Duration::minutes(16);
    assert!(after_catch_up < window_start, "the watermark jumped the gap: {after_catch_up}");
    let jobs = app.graphql_ok(&company.admin_token, "{ syncJobs(first: 5) { edges { node { id kind } } } }", json!({})).await;
    let job = jobs["syncJobs"]["edges"].as_array().expect("jobs").iter().map(|e| &e["node"]).find(|n| n["kind"] == "ATTENDANCE").expect("a backfill of the gap was queued");
    let done = wait_for_job(&app, &company.admin_token, job["id"].as_str().expect("id")).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done:#}");
    assert_eq!(checkins(&app, &company, everything()).await["totalCount"], 1, "the gap's check-in was pulled");
    let after_backfill = watermark(&app).await.expect("set");
    assert!(after_backfill > gap_start + chrono::Duration::days(2), "the watermark moved once the gap was pulled: {after_backfill}");
});

app_test!(async fn check_ins_are_listed_in_capture_time_order(app) {
    let company = ready_company(&app, 1).await;
    deliver_to(&app).await;
    // Stored in another order than they were captured.
    for time in ["2026-11-10T12:00:00+07:00", "2026-11-10T08:00:00+07:00", "2026-11-10T17:00:00+07:00", "2026-11-10T10:00:00+07:00"] {
        app.sim.emit_checkin(seed(Some("E000"), 0, at(time))).await.expect("delivered");
    }
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = app
            .graphql_ok(&company.admin_token, "query($f: CheckinFilter!, $a: String) { checkins(filter: $f, first: 3, after: $a) { edges { cursor node { capturedAt } } pageInfo { hasNextPage endCursor } } }", json!({ "f": everything(), "a": after }))
            .await;
        for edge in page["checkins"]["edges"].as_array().expect("edges") {
            seen.push(DateTime::parse_from_rfc3339(edge["node"]["capturedAt"].as_str().expect("time")).expect("time").timestamp_millis());
        }
        if page["checkins"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["checkins"]["pageInfo"]["endCursor"].clone();
    }
    let expected: Vec<i64> = ["2026-11-10T08:00:00+07:00", "2026-11-10T10:00:00+07:00", "2026-11-10T12:00:00+07:00", "2026-11-10T17:00:00+07:00"].into_iter().map(at).collect();
    assert_eq!(seen, expected);
});
