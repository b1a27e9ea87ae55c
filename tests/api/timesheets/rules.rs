//! Each day rule and status of design §8 through the API; `ABSENT` only once attendance is
//! known complete; a changed assignment recomputes past days; timesheet totals are the sums of
//! the days; who may write.

use serde_json::{Value, json};

use super::{check_in, complete_until, day, days, hr_company, office, schedule};
use crate::{app_test, helpers::error_code};

const PEOPLE: &[(&str, &str, Option<&str>)] = &[
    ("E1", "Nguyễn Văn An", Some("Văn phòng")),
    ("E2", "Trần Thị Bình", Some("Văn phòng")),
    ("E3", "Lê Văn Cường", Some("Văn phòng")),
    ("E4", "Phạm Thị Dung", Some("Văn phòng")),
    ("E5", "Hoàng Văn Em", Some("Văn phòng")),
    ("E6", "Đặng Thị Giang", Some("Văn phòng")),
    ("N1", "Bùi Văn Hải", Some("Ca đêm")),
];

app_test!(async fn every_day_rule_and_status_through_the_api(app) {
    let (company, ids) = hr_company(&app, PEOPLE).await;
    let token = &company.admin_token;
    // Monday 2026-10-05, before any schedule exists: stored as days without a schedule.
    check_in(&app, &[
        ("E1", "2026-10-05T07:55:00+07:00"), ("E1", "2026-10-05T17:05:00+07:00"),
        ("E2", "2026-10-05T08:20:00+07:00"), ("E2", "2026-10-05T17:00:00+07:00"),
        ("E3", "2026-10-05T08:00:00+07:00"), ("E3", "2026-10-05T16:30:00+07:00"),
        ("E4", "2026-10-05T09:00:00+07:00"), ("E4", "2026-10-05T16:00:00+07:00"),
        ("E5", "2026-10-05T08:00:00+07:00"),
        ("N1", "2026-10-05T21:55:00+07:00"), ("N1", "2026-10-06T06:10:00+07:00"),
        // Saturday: a worked day off.
        ("E1", "2026-10-10T09:00:00+07:00"), ("E1", "2026-10-10T11:00:00+07:00"),
    ]).await;
    let before = days(&app, token, "2026-10-05", "2026-10-05", Value::Null).await;
    assert_eq!(day(&before, "E1", "2026-10-05")["lateMinutes"], 0, "no schedule: never late");
    assert_eq!(day(&before, "E1", "2026-10-05")["schedule"], Value::Null);
    assert!(before.iter().all(|d| d["employee"]["employeeCode"] != "E6"), "no schedule: no absence");

    // Schedules, assignment, holiday and leave recompute the stored days.
    let office_id = schedule(&app, token, office()).await;
    let night_id = schedule(&app, token, json!({
        "name": "Night", "startTime": "22:00", "endTime": "06:00",
        "workDays": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
    })).await;
    app.graphql_ok(token, "mutation($id: ID!) { setDefaultWorkSchedule(scheduleId: $id) { schedule { id } recomputed { days } } }", json!({ "id": office_id })).await;
    let departments = app.graphql_ok(token, "{ departments { id name } }", json!({})).await;
    let night_department = departments["departments"].as_array().expect("departments").iter()
        .find(|d| d["name"] == "Ca đêm").expect("night department")["id"].clone();
    app.graphql_ok(token, "mutation($i: AssignWorkScheduleInput!) { assignWorkSchedule(input: $i) { assignments { id } } }",
        json!({ "i": { "scheduleId": night_id, "departmentIds": [night_department], "from": "2026-10-01" } })).await;
    app.graphql_ok(token, "mutation { createHoliday(input: { date: \"2026-10-09\", name: \"Ngày nghỉ công ty\" }) { holiday { id } } }", json!({})).await;
    app.graphql_ok(token, "mutation($i: RecordLeaveInput!) { recordLeave(input: $i) { leave { id kind } } }",
        json!({ "i": { "employeeId": ids[5], "from": "2026-10-06", "to": "2026-10-07", "kind": "SICK" } })).await;
    // A check-in arriving after the schedule exists goes to its scheduled day at once.
    check_in(&app, &[("E3", "2026-10-06T07:59:00+07:00"), ("E3", "2026-10-06T17:01:00+07:00")]).await;

    // Attendance not yet known complete: nothing is ABSENT, work days are PENDING.
    let pending = days(&app, token, "2026-10-05", "2026-10-11", Value::Null).await;
    assert_eq!(day(&pending, "E6", "2026-10-05")["status"], "PENDING");
    assert_eq!(day(&pending, "E1", "2026-10-05")["status"], "PENDING");
    assert!(pending.iter().all(|d| d["status"] != "ABSENT"));
    assert_eq!(day(&pending, "E6", "2026-10-06")["status"], "ON_LEAVE", "leave is known at once");
    assert_eq!(day(&pending, "E1", "2026-10-09")["status"], "HOLIDAY");
    // Known complete up to Monday 22:59: Monday's office window (until 23:00) is still open.
    complete_until(&app, &company, "2026-10-05T15:59:00Z").await;
    let still = days(&app, token, "2026-10-05", "2026-10-05", Value::Null).await;
    assert_eq!(day(&still, "E6", "2026-10-05")["status"], "PENDING");

    complete_until(&app, &company, "2026-10-31T00:00:00Z").await;
    let all = days(&app, token, "2026-10-05", "2026-10-11", Value::Null).await;
    let status = |code: &str, date: &str| day(&all, code, date)["status"].as_str().unwrap_or("").to_owned();
    let minutes = |code: &str, date: &str, field: &str| day(&all, code, date)[field].as_i64().unwrap_or(-1);
    assert_eq!(status("E1", "2026-10-05"), "PRESENT");
    assert_eq!((minutes("E1", "2026-10-05", "workedMinutes"), minutes("E1", "2026-10-05", "overtimeMinutes")), (490, 5));
    assert_eq!((status("E2", "2026-10-05"), minutes("E2", "2026-10-05", "lateMinutes")), ("LATE".to_owned(), 20));
    assert_eq!((status("E3", "2026-10-05"), minutes("E3", "2026-10-05", "earlyLeaveMinutes")), ("EARLY_LEAVE".to_owned(), 30));
    assert_eq!(status("E4", "2026-10-05"), "LATE_AND_EARLY_LEAVE");
    assert_eq!(status("E5", "2026-10-05"), "INCOMPLETE");
    assert_eq!(status("E6", "2026-10-05"), "ABSENT");
    assert_eq!(status("E3", "2026-10-06"), "PRESENT");
    assert_eq!((status("E6", "2026-10-06"), status("E6", "2026-10-07")), ("ON_LEAVE".to_owned(), "ON_LEAVE".to_owned()));
    assert_eq!(status("E6", "2026-10-09"), "HOLIDAY");
    assert_eq!((status("E1", "2026-10-10"), minutes("E1", "2026-10-10", "overtimeMinutes")), ("DAY_OFF".to_owned(), 120));
    // The night shift: Monday 21:55 to Tuesday 06:10 is Monday's day.
    assert_eq!(status("N1", "2026-10-05"), "PRESENT");
    assert_eq!((minutes("N1", "2026-10-05", "workedMinutes"), minutes("N1", "2026-10-05", "overtimeMinutes")), (495, 10));
    assert_eq!(day(&all, "N1", "2026-10-05")["schedule"]["name"], "Night");
    assert_eq!(status("N1", "2026-10-06"), "ABSENT", "the night department works every day");

    // The statuses filter reads statuses as they are now.
    let absent = days(&app, token, "2026-10-05", "2026-10-05", json!({ "statuses": ["ABSENT"] })).await;
    assert_eq!(absent.iter().map(|d| d["employee"]["employeeCode"].clone()).collect::<Vec<_>>(), vec![json!("E6")]);
    let late = days(&app, token, "2026-10-01", "2026-10-31", json!({ "statuses": ["LATE", "LATE_AND_EARLY_LEAVE"] })).await;
    assert_eq!(late.len(), 2);

    // The timesheet's totals are the sums of its days.
    let sheet = app.graphql_ok(token, "{ timesheet(month: \"2026-10\", first: 50) { totalCount edges { node { employee { employeeCode } workedMinutes overtimeMinutes daysPresent daysLate lateMinutes daysEarlyLeave earlyLeaveMinutes daysAbsent daysOnLeave daysIncomplete holidays days { status workedMinutes overtimeMinutes lateMinutes earlyLeaveMinutes } } } } }", json!({})).await;
    let rows = sheet["timesheet"]["edges"].as_array().expect("rows");
    assert_eq!(rows.len(), 7);
    for row in rows {
        let n = &row["node"];
        let days = n["days"].as_array().expect("days");
        let sum = |f: &str| days.iter().map(|d| d[f].as_i64().unwrap_or(0)).sum::<i64>();
        let count = |s: &[&str]| days.iter().filter(|d| s.iter().any(|s| d["status"] == *s)).count() as i64;
        assert_eq!(n["workedMinutes"].as_i64(), Some(sum("workedMinutes")));
        assert_eq!(n["overtimeMinutes"].as_i64(), Some(sum("overtimeMinutes")));
        assert_eq!(n["lateMinutes"].as_i64(), Some(sum("lateMinutes")));
        assert_eq!(n["earlyLeaveMinutes"].as_i64(), Some(sum("earlyLeaveMinutes")));
        assert_eq!(n["daysPresent"].as_i64(), Some(count(&["PRESENT", "LATE", "EARLY_LEAVE", "LATE_AND_EARLY_LEAVE"])));
        assert_eq!(n["daysLate"].as_i64(), Some(count(&["LATE", "LATE_AND_EARLY_LEAVE"])));
        assert_eq!(n["daysAbsent"].as_i64(), Some(count(&["ABSENT"])));
        assert_eq!(n["daysOnLeave"].as_i64(), Some(count(&["ON_LEAVE"])));
        assert_eq!(n["daysIncomplete"].as_i64(), Some(count(&["INCOMPLETE"])));
        assert_eq!(n["holidays"].as_i64(), Some(count(&["HOLIDAY"])));
    }
    let e6 = rows.iter().find(|r| r["node"]["employee"]["employeeCode"] == "E6").expect("E6");
    // October 2026 has 22 work days: 1 holiday, 2 on leave, 19 absent.
    assert_eq!((e6["node"]["holidays"].as_i64(), e6["node"]["daysOnLeave"].as_i64(), e6["node"]["daysAbsent"].as_i64()), (Some(1), Some(2), Some(19)));

    // VIEWER reads, cannot write; EMPLOYEE reads only its own.
    let viewer = app.user_token(&company, "VIEWER").await;
    app.graphql_ok(&viewer, "{ timesheet(month: \"2026-10\") { totalCount } workSchedules { name } }", json!({})).await;
    for write in [
        json!(["mutation($i: WorkScheduleInput!) { createWorkSchedule(input: $i) { id } }", { "i": office() }]),
        json!(["mutation($id: ID!) { voidCheckin(id: $id, reason: \"x\") { id } }", { "id": ids[0] }]),
        json!(["mutation($i: RecordLeaveInput!) { recordLeave(input: $i) { leave { id } } }", { "i": { "employeeId": ids[0], "from": "2026-10-01", "to": "2026-10-01", "kind": "PAID" } }]),
    ] {
        let body = app.graphql(Some(&viewer), write[0].as_str().expect("query"), write[1].clone()).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    }
    let email = format!("e1-{}@example.test", uuid::Uuid::new_v4().simple());
    app.graphql_ok(token, "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
        json!({ "i": { "email": email, "password": crate::helpers::PASSWORD, "role": "EMPLOYEE", "employeeId": ids[0] } })).await;
    let employee = app.login(&email, crate::helpers::PASSWORD).await;
    let own = app.graphql_ok(&employee, "{ myTimesheet(month: \"2026-10\") { employee { employeeCode } daysPresent days { date status } } }", json!({})).await;
    assert_eq!(own["myTimesheet"]["employee"]["employeeCode"], "E1");
    let others = app.graphql(Some(&employee), "{ timesheet(month: \"2026-10\") { totalCount } }", json!({})).await;
    assert_eq!(error_code(&others), "FORBIDDEN");
    let body = app.graphql(Some(&employee), "mutation($i: WorkScheduleInput!) { createWorkSchedule(input: $i) { id } }", json!({ "i": office() })).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
});

app_test!(async fn a_changed_assignment_recomputes_past_days(app) {
    let (company, ids) = hr_company(&app, &PEOPLE[..1]).await;
    let token = &company.admin_token;
    let office_id = schedule(&app, token, office()).await;
    app.graphql_ok(token, "mutation($id: ID!) { setDefaultWorkSchedule(scheduleId: $id) { schedule { id } } }", json!({ "id": office_id })).await;
    check_in(&app, &[("E1", "2026-10-05T09:00:00+07:00"), ("E1", "2026-10-05T18:00:00+07:00")]).await;
    complete_until(&app, &company, "2026-10-31T00:00:00Z").await;
    let late = days(&app, token, "2026-10-05", "2026-10-05", Value::Null).await;
    assert_eq!((day(&late, "E1", "2026-10-05")["status"].clone(), day(&late, "E1", "2026-10-05")["lateMinutes"].clone()), (json!("LATE"), json!(60)));

    let later = schedule(&app, token, json!({ "name": "Late office", "startTime": "09:00", "endTime": "18:00",
        "workDays": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"] })).await;
    app.graphql_ok(token, "mutation($i: AssignWorkScheduleInput!) { assignWorkSchedule(input: $i) { recomputed { days job { id } } } }",
        json!({ "i": { "scheduleId": later, "employeeIds": [ids[0]], "from": "2026-10-01", "to": "2026-10-31" } })).await;
    let after = days(&app, token, "2026-10-05", "2026-10-05", Value::Null).await;
    assert_eq!(day(&after, "E1", "2026-10-05")["status"], "PRESENT");
    assert_eq!(day(&after, "E1", "2026-10-05")["schedule"]["name"], "Late office");
    // Editing the default reaches everyone on it: November is still on it.
    check_in(&app, &[("E1", "2026-11-02T08:30:00+07:00"), ("E1", "2026-11-02T17:00:00+07:00")]).await;
    complete_until(&app, &company, "2026-11-20T00:00:00Z").await;
    assert_eq!(day(&days(&app, token, "2026-11-02", "2026-11-02", Value::Null).await, "E1", "2026-11-02")["status"], "LATE");
    let mut edited = office();
    edited["lateGraceMinutes"] = json!(45);
    app.graphql_ok(token, "mutation($id: ID!, $i: WorkScheduleInput!) { updateWorkSchedule(id: $id, input: $i) { schedule { lateGraceMinutes } } }", json!({ "id": office_id, "i": edited })).await;
    assert_eq!(day(&days(&app, token, "2026-11-02", "2026-11-02", Value::Null).await, "E1", "2026-11-02")["status"], "PRESENT");
    // A schedule in use cannot be deleted.
    let body = app.graphql(Some(token), "mutation($id: ID!) { deleteWorkSchedule(id: $id) }", json!({ "id": office_id })).await;
    assert_eq!(error_code(&body), "CONFLICT");
});

app_test!(async fn bad_schedule_leave_and_correction_input_is_refused_with_the_field(app) {
    let (company, ids) = hr_company(&app, &PEOPLE[..1]).await;
    let token = &company.admin_token;
    let refused = |body: &Value| (error_code(body).to_owned(), body["errors"][0]["extensions"]["field"].as_str().unwrap_or("").to_owned());
    let mut bad_time = office();
    bad_time["startTime"] = json!("8am");
    let body = app.graphql(Some(token), crate::timesheets::SCHEDULE, json!({ "i": bad_time })).await;
    assert_eq!(refused(&body), ("BAD_USER_INPUT".to_owned(), "input.startTime".to_owned()));
    let mut overlapping = office();
    overlapping["checkOutClosesMinutesAfter"] = json!(900);
    let body = app.graphql(Some(token), crate::timesheets::SCHEDULE, json!({ "i": overlapping })).await;
    assert_eq!(refused(&body), ("BAD_USER_INPUT".to_owned(), "input.checkOutClosesMinutesAfter".to_owned()));
    let leave = "mutation($i: RecordLeaveInput!) { recordLeave(input: $i) { leave { id } } }";
    let body = app.graphql(Some(token), leave, json!({ "i": { "employeeId": ids[0], "from": "2026-10-10", "to": "2026-10-05", "kind": "PAID" } })).await;
    assert_eq!(refused(&body), ("BAD_USER_INPUT".to_owned(), "input.to".to_owned()));
    app.graphql_ok(token, leave, json!({ "i": { "employeeId": ids[0], "from": "2026-10-05", "to": "2026-10-09", "kind": "PAID" } })).await;
    let body = app.graphql(Some(token), leave, json!({ "i": { "employeeId": ids[0], "from": "2026-10-09", "to": "2026-10-12", "kind": "SICK" } })).await;
    assert_eq!(error_code(&body), "CONFLICT");
    let manual = "mutation($i: ManualCheckinInput!) { addManualCheckin(input: $i) { id } }";
    let body = app.graphql(Some(token), manual, json!({ "i": { "employeeId": ids[0], "at": "2099-01-01T00:00:00Z", "reason": "typo" } })).await;
    assert_eq!(refused(&body), ("BAD_USER_INPUT".to_owned(), "input.at".to_owned()));
    let body = app.graphql(Some(token), manual, json!({ "i": { "employeeId": ids[0], "at": "2026-10-05T01:00:00Z", "reason": "  " } })).await;
    assert_eq!(refused(&body), ("BAD_USER_INPUT".to_owned(), "input.reason".to_owned()));
});
