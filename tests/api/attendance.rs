//! Check-ins from Hanet's webhook and from pulls, in one store, turned into attendance days.

use std::time::Duration;

use chrono::{DateTime, Utc};
use hanet_sim::CheckinSeed;
use serde_json::{Value, json};

use crate::{
    app_test,
    helpers::{Company, PASSWORD, TestApp, error_code},
    sync::{ready_company, wait_for_job},
};

pub fn at(rfc3339: &str) -> i64 {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("time")
        .timestamp_millis()
}

pub fn seed(alias: Option<&str>, person_type: i32, time_ms: i64) -> CheckinSeed {
    CheckinSeed {
        place_id: 1001,
        device_id: "C20371B106".to_owned(),
        alias_id: alias.map(str::to_owned),
        person_id: None,
        person_name: alias.unwrap_or("").to_owned(),
        person_type,
        time_ms,
        event_id: None,
    }
}

pub async fn deliver_to(app: &TestApp) {
    app.sim
        .set_webhook_url(Some(format!("{}/webhooks/hanet", app.address)));
}

const CHECKINS: &str = "query($f: CheckinFilter!) { checkins(filter: $f, first: 200) { totalCount edges { node { aliasId matched personKind source employee { employeeCode } } } } }";

pub async fn checkins(app: &TestApp, company: &Company, filter: Value) -> Value {
    app.graphql_ok(&company.admin_token, CHECKINS, json!({ "f": filter }))
        .await["checkins"]
        .clone()
}

pub fn everything() -> Value {
    json!({ "from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z" })
}

app_test!(async fn webhook_check_ins_are_stored_and_mapped_to_employees(app) {
    let company = ready_company(&app, 2).await;
    deliver_to(&app).await;
    let now = Utc::now().timestamp_millis();
    for checkin in [seed(Some("E000"), 0, now - 3000), seed(None, 2, now - 2000), seed(Some("ZZZ-UNKNOWN"), 0, now - 1000)] {
        assert_eq!(app.sim.emit_checkin(checkin).await.expect("delivered"), 200);
    }
    let all = checkins(&app, &company, everything()).await;
    assert_eq!(all["totalCount"], 3);
    let nodes: Vec<&Value> = all["edges"].as_array().expect("edges").iter().map(|e| &e["node"]).collect();
    assert_eq!(nodes[0]["employee"]["employeeCode"], "E000");
    assert_eq!((nodes[0]["matched"].as_bool(), nodes[0]["source"].as_str()), (Some(true), Some("WEBHOOK")));
    assert_eq!((nodes[1]["matched"].as_bool(), nodes[1]["personKind"].as_str()), (Some(false), Some("STRANGER")));
    assert_eq!((nodes[2]["matched"].as_bool(), nodes[2]["aliasId"].as_str()), (Some(false), Some("ZZZ-UNKNOWN")));
    let mut unmatched = everything();
    unmatched["matched"] = json!(false);
    assert_eq!(checkins(&app, &company, unmatched).await["totalCount"], 2);
});

app_test!(async fn a_bad_hash_is_refused_and_stores_nothing(app) {
    let company = ready_company(&app, 1).await;
    let url = format!("{}/webhooks/hanet", app.address);
    let probe = app.client.post(&url).send().await.expect("probe");
    assert_eq!(probe.status(), 200, "the empty-body reachability probe");
    let event = json!({ "id": "11111111-2222-3333-4444-555555555555", "data_type": "log", "placeID": "1001", "deviceID": "C20371B106",
        "personType": "0", "aliasID": "E000", "time": Utc::now().timestamp_millis() });
    let mut forged = event.clone();
    forged["hash"] = json!("0779ff0f54cdf0a88183d704bac93a77");
    for body in [event, forged] {
        let response = app.client.post(&url).json(&body).send().await.expect("sent");
        assert_eq!(response.status(), 401);
    }
    assert_eq!(checkins(&app, &company, everything()).await["totalCount"], 0);
});

app_test!(async fn one_event_delivered_twenty_times_is_stored_once(app) {
    let company = ready_company(&app, 1).await;
    deliver_to(&app).await;
    let mut event = seed(Some("E000"), 0, Utc::now().timestamp_millis() - 5000);
    event.event_id = Some("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee".to_owned());
    for _ in 0..20 {
        assert_eq!(app.sim.emit_checkin(event.clone()).await.expect("delivered"), 200);
    }
    assert_eq!(checkins(&app, &company, everything()).await["totalCount"], 1);
});

app_test!(async fn a_backfill_over_two_months_pulls_everything_once(app) {
    let company = ready_company(&app, 3).await;
    deliver_to(&app).await;
    let october = at("2026-10-01T00:00:00+07:00");
    // 600 in October (more than one 500-row page), 5 in November, 3 of them also via webhook.
    for i in 0..600 {
        app.sim.add_checkin(seed(Some(["E000", "E001", "E002"][i % 3]), 0, october + i as i64 * 60_000));
    }
    let november = at("2026-11-02T08:00:00+07:00");
    for i in 0..5 {
        let checkin = seed(Some("E001"), 0, november + i * 3_600_000);
        if i < 3 {
            app.sim.emit_checkin(checkin).await.expect("delivered");
        } else {
            app.sim.add_checkin(checkin);
        }
    }
    app.sim.add_checkin(seed(None, 2, november + 10_000));
    assert_eq!(checkins(&app, &company, everything()).await["totalCount"], 3);

    let job = app
        .graphql_ok(&company.admin_token, "mutation($f: DateTime!, $t: DateTime!) { startAttendanceSync(from: $f, to: $t) { id kind total } }",
            json!({ "f": "2026-09-30T17:00:00Z", "t": "2026-11-20T00:00:00Z" }))
        .await;
    assert_eq!(job["startAttendanceSync"]["kind"], "ATTENDANCE");
    assert_eq!(job["startAttendanceSync"]["total"], 2, "one item per calendar month (UTC+7)");
    let done = wait_for_job(&app, &company.admin_token, job["startAttendanceSync"]["id"].as_str().expect("id")).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done:#}");
    assert_eq!(checkins(&app, &company, everything()).await["totalCount"], 606, "600 + 5 + 1 stranger, webhook rows not duplicated");

    // Pulling the same range again adds nothing.
    let again = app
        .graphql_ok(&company.admin_token, "mutation { startAttendanceSync(from: \"2026-09-30T17:00:00Z\", to: \"2026-11-20T00:00:00Z\") { id } }", json!({}))
        .await;
    wait_for_job(&app, &company.admin_token, again["startAttendanceSync"]["id"].as_str().expect("id")).await;
    assert_eq!(checkins(&app, &company, everything()).await["totalCount"], 606);
});

const DAYS: &str = "query { attendanceDays(from: \"2026-11-09\", to: \"2026-11-12\") { totalCount edges { node { employee { employeeCode } date firstCheckIn lastCheckIn workedMinutes checkinCount } } } }";

fn day_summary(data: &Value) -> Vec<(String, i64, i64)> {
    data["attendanceDays"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            (
                e["node"]["date"].as_str().unwrap_or("").to_owned(),
                e["node"]["checkinCount"].as_i64().unwrap_or(0),
                e["node"]["workedMinutes"].as_i64().unwrap_or(0),
            )
        })
        .collect()
}

app_test!(async fn attendance_days_follow_the_company_time_zone_and_day_start(app) {
    let company = ready_company(&app, 1).await;
    deliver_to(&app).await;
    for time in ["2026-11-10T08:00:00+07:00", "2026-11-10T23:30:00+07:00", "2026-11-11T00:30:00+07:00"] {
        app.sim.emit_checkin(seed(Some("E000"), 0, at(time))).await.expect("delivered");
    }
    let data = app.graphql_ok(&company.admin_token, DAYS, json!({})).await;
    assert_eq!(day_summary(&data), [("2026-11-10".to_owned(), 2, 930), ("2026-11-11".to_owned(), 1, 0)]);

    app.graphql_ok(&company.admin_token, "mutation { updateCompanySettings(input: { workdayStartHour: 6 }) { workdayStartHour } }", json!({})).await;
    let recompute = crate::attendance_days::wait_for_recompute(&app, &company.admin_token).await;
    assert_eq!(recompute["status"], "SUCCEEDED", "{recompute:#}");
    let data = app.graphql_ok(&company.admin_token, DAYS, json!({})).await;
    assert_eq!(day_summary(&data), [("2026-11-10".to_owned(), 3, 990)], "the night shift is one day");
    assert_eq!(data["attendanceDays"]["edges"][0]["node"]["employee"]["employeeCode"], "E000");

    // The employee's own app.
    let employee_id = app.graphql_ok(&company.admin_token, "{ employees { edges { node { id } } } }", json!({})).await["employees"]["edges"][0]["node"]["id"].clone();
    app.graphql_ok(&company.admin_token, "mutation($e: ID!) { createUser(input: { email: \"e000@acme.test\", password: \"employee pass\", role: EMPLOYEE, employeeId: $e }) { id } }", json!({ "e": employee_id }))
        .await;
    let token = app.login("e000@acme.test", "employee pass").await;
    let mine = app.graphql_ok(&token, "{ myAttendanceDays(from: \"2026-11-09\", to: \"2026-11-12\") { date checkinCount } }", json!({})).await;
    assert_eq!(mine["myAttendanceDays"], json!([{ "date": "2026-11-10", "checkinCount": 3 }]));
    let body = app.graphql(Some(&token), "{ employees { totalCount } }", json!({})).await;
    assert_eq!(error_code(&body), "FORBIDDEN", "an employee sees only their own attendance");
    let _ = PASSWORD;
});

app_test!(async fn the_catch_up_fills_what_the_webhook_missed(app) with ["--catch-up-interval-secs", "1"] {
    let company = ready_company(&app, 2).await;
    deliver_to(&app).await;
    let now = Utc::now().timestamp_millis();
    for i in 0..3 {
        app.sim.emit_checkin(seed(Some("E000"), 0, now - 600_000 + i * 10_000)).await.expect("delivered");
    }
    // Webhook delivery stops; the cameras keep recording.
    app.sim.set_webhook_url(None);
    for i in 0..4 {
        app.sim.add_checkin(seed(Some("E001"), 0, now - 300_000 + i * 10_000));
    }
    let mut total = Value::Null;
    for _ in 0..100 {
        total = checkins(&app, &company, everything()).await["totalCount"].clone();
        if total == 7 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(total, 7, "the gap is filled");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(checkins(&app, &company, everything()).await["totalCount"], 7, "later catch-ups add no duplicates");
    let data = app.graphql_ok(&company.admin_token, "{ company { attendanceCompleteUntil } }", json!({})).await;
    assert!(data["company"]["attendanceCompleteUntil"].is_string());
});
