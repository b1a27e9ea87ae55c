//! Onboarding as a new user does it: staff created today, a schedule, then last month pulled
//! from Hanet. The month's timesheet has every absence, holiday and leave day, for employees
//! with check-ins and without, from each one's start date.

use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use serde_json::{Value, json};

use super::{complete_until, office, schedule};
use crate::{app_test, attendance::seed, sync::wait_for_job};

/// Today and last month in the company's zone (Asia/Ho_Chi_Minh, UTC+7).
fn last_month() -> (NaiveDate, NaiveDate) {
    let today = (Utc::now() + Duration::hours(7)).date_naive();
    let first_this = today.with_day(1).expect("first day");
    let last = first_this.pred_opt().expect("a day before");
    (last.with_day(1).expect("first day"), last)
}

fn weekdays(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    from.iter_days()
        .take_while(|d| *d <= to)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .collect()
}

/// Milliseconds of a local (UTC+7) time on `date`.
fn local_ms(date: NaiveDate, hour: u32, minute: u32) -> i64 {
    (date.and_hms_opt(hour, minute, 0).expect("time").and_utc() - Duration::hours(7))
        .timestamp_millis()
}

const SHEET: &str = "query($m: String!) { timesheet(month: $m, first: 50) { edges { node { employee { employeeCode startDate } daysPresent daysAbsent daysOnLeave holidays } } } }";

async fn sheet(app: &crate::helpers::TestApp, token: &str, month: &str) -> Vec<Value> {
    let data = app.graphql_ok(token, SHEET, json!({ "m": month })).await;
    data["timesheet"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

fn row<'a>(rows: &'a [Value], code: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["employee"]["employeeCode"] == code)
        .unwrap_or_else(|| panic!("no row for {code} in {rows:#?}"))
}

app_test!(async fn a_month_pulled_after_onboarding_has_every_absence_holiday_and_leave(app) {
    let company = app.seed_company("Acme").await;
    app.enable_camera(&company).await;
    app.link_hanet(&company).await;
    let token = &company.admin_token;
    app.graphql_ok(token, "mutation { selectHanetPlace(placeId: \"1001\") { accountEmail } }", json!({})).await;
    let (first, last) = last_month();
    let work = weekdays(first, last);
    let holiday = work[4];
    let leave = (work[2], work[3]);
    // Staff created today: A checks in, B never does, C is on leave two days, D (imported)
    // starts on the 15th.
    for (code, name) in [("A", "An"), ("B", "Bình"), ("C", "Chi")] {
        app.create_employee(token, json!({ "employeeCode": code, "fullName": name })).await;
    }
    let start = first.with_day(15).expect("15th");
    let csv = format!("employee_code,full_name,start_date\nD,Dũng,{start}\n");
    let imported = app
        .upload(token, "mutation($f: Upload!) { importEmployees(file: $f) { created results { errorCode message } } }",
            json!({ "f": null }), vec![("variables.f", "staff.csv", csv.into_bytes())])
        .await;
    let imported: Value = imported.json().await.expect("JSON");
    assert_eq!(imported["data"]["importEmployees"]["created"], 1, "{imported:#}");
    let office_id = schedule(&app, token, office()).await;
    app.graphql_ok(token, "mutation($id: ID!) { setDefaultWorkSchedule(scheduleId: $id) { schedule { id } } }", json!({ "id": office_id })).await;
    app.graphql_ok(token, "mutation($d: Date!) { createHoliday(input: { date: $d, name: \"Lễ\" }) { holiday { id } } }", json!({ "d": holiday.to_string() })).await;
    let c = app.graphql_ok(token, "{ employees(filter: { employeeCode: \"C\" }) { edges { node { id } } } }", json!({})).await;
    let c = c["employees"]["edges"][0]["node"]["id"].clone();
    app.graphql_ok(token, "mutation($i: RecordLeaveInput!) { recordLeave(input: $i) { leave { id } } }",
        json!({ "i": { "employeeId": c, "from": leave.0.to_string(), "to": leave.1.to_string(), "kind": "PAID" } })).await;

    // Hanet has A's and C's month: A misses the first two work days, C works all but leave.
    for day in &work {
        if *day == holiday {
            continue;
        }
        if work[..2].contains(day) {
            // A is absent.
        } else {
            for (h, m) in [(7, 55), (17, 5)] {
                app.sim.add_checkin(seed(Some("A"), 0, local_ms(*day, h, m)));
            }
        }
        if *day != leave.0 && *day != leave.1 {
            for (h, m) in [(7, 58), (17, 2)] {
                app.sim.add_checkin(seed(Some("C"), 0, local_ms(*day, h, m)));
            }
        }
    }
    let from = (first.and_hms_opt(0, 0, 0).expect("midnight").and_utc() - Duration::hours(7)).to_rfc3339();
    let to = (last.succ_opt().expect("next").and_hms_opt(0, 0, 0).expect("midnight").and_utc() - Duration::hours(7)).to_rfc3339();
    let job = app.graphql_ok(token, "mutation($f: DateTime!, $t: DateTime!) { startAttendanceSync(from: $f, to: $t) { id } }", json!({ "f": from, "t": to })).await;
    let done = wait_for_job(&app, token, job["startAttendanceSync"]["id"].as_str().expect("id")).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done:#}");
    complete_until(&app, &company, &Utc::now().to_rfc3339()).await;

    let month = first.format("%Y-%m").to_string();
    let w = work.len() as i64;
    let from_start = weekdays(start, last).len() as i64;
    let expected = |rows: &[Value]| {
        let got = |code: &str| {
            let r = row(rows, code);
            (r["daysPresent"].as_i64(), r["daysAbsent"].as_i64(), r["daysOnLeave"].as_i64(), r["holidays"].as_i64())
        };
        [got("A"), got("B"), got("C"), got("D")]
    };
    let want = [
        (Some(w - 3), Some(2), Some(0), Some(1)),
        (Some(0), Some(w - 1), Some(0), Some(1)),
        (Some(w - 3), Some(0), Some(2), Some(1)),
        (Some(0), Some(from_start), Some(0), Some(0)),
    ];
    // The pull's end stores the days it reached right after the job ends.
    let mut rows = sheet(&app, token, &month).await;
    for _ in 0..50 {
        if expected(&rows) == want {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        rows = sheet(&app, token, &month).await;
    }
    assert_eq!(expected(&rows), want, "(present, absent, on leave, holidays) of A, B, C, D: {rows:#?}");
    assert_eq!(row(&rows, "D")["employee"]["startDate"], start.to_string());
    assert_eq!(row(&rows, "B")["employee"]["startDate"], Value::Null);

    // Moving D's start later drops the absences before it.
    let d = app.graphql_ok(token, "{ employees(filter: { employeeCode: \"D\" }) { edges { node { id } } } }", json!({})).await;
    let d = d["employees"]["edges"][0]["node"]["id"].clone();
    let later = work[work.len() - 2];
    app.graphql_ok(token, "mutation($id: ID!, $s: Date) { updateEmployee(id: $id, input: { startDate: $s }) { startDate } }",
        json!({ "id": d, "s": later.to_string() })).await;
    let rows = sheet(&app, token, &month).await;
    assert_eq!(row(&rows, "D")["daysAbsent"], 2, "{rows:#?}");
});
