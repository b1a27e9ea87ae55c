//! Department and work-status changes apply from the day they are made: a recompute of past
//! days (a schedule edit) uses the department and status each day had.

use serde_json::{Value, json};

use super::{
    check_in, complete_until, day, days, departments as by_name, hr_company, office, schedule,
};
use crate::{app_test, helpers::TestApp};

/// The office schedule as the company default, and a night shift (22:00–06:00, every day) for
/// the "Ca đêm" department from 1 October; returns the office schedule and the departments.
async fn office_and_night(
    app: &TestApp,
    token: &str,
) -> (String, std::collections::HashMap<String, Value>) {
    let office_id = schedule(app, token, office()).await;
    let night_id = schedule(app, token, json!({
        "name": "Night", "startTime": "22:00", "endTime": "06:00",
        "workDays": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
    })).await;
    app.graphql_ok(
        token,
        "mutation($id: ID!) { setDefaultWorkSchedule(scheduleId: $id) { schedule { id } } }",
        json!({ "id": office_id }),
    )
    .await;
    let departments = by_name(app, token).await;
    app.graphql_ok(token, "mutation($i: AssignWorkScheduleInput!) { assignWorkSchedule(input: $i) { assignments { id } } }",
        json!({ "i": { "scheduleId": night_id, "departmentIds": [departments["Ca đêm"]], "from": "2026-10-01" } })).await;
    (office_id, departments)
}

app_test!(async fn past_days_keep_the_department_and_work_status_of_their_time(app) {
    let (company, ids) = hr_company(&app, &[
        ("E1", "Nguyễn Văn An", Some("Ca đêm")),
        ("E2", "Trần Thị Bình", Some("Văn phòng")),
        ("E3", "Lê Văn Cường", Some("Văn phòng")),
    ]).await;
    let token = &company.admin_token;
    let (office_id, departments) = office_and_night(&app, token).await;
    let department = |name: &str| departments[name].clone();
    // Monday 5 October: E1 works the night shift, E2 a day at the office, E3 does not come.
    check_in(&app, &[
        ("E1", "2026-10-05T21:55:00+07:00"), ("E1", "2026-10-06T06:05:00+07:00"),
        ("E2", "2026-10-05T08:00:00+07:00"), ("E2", "2026-10-05T17:00:00+07:00"),
    ]).await;
    complete_until(&app, &company, "2026-10-31T00:00:00Z").await;

    // Today E1 moves to the office, E2 goes on maternity leave and E3 resigns.
    for (id, change) in [
        (&ids[0], json!({ "departmentId": department("Văn phòng") })),
        (&ids[1], json!({ "workStatus": "MATERNITY_LEAVE" })),
        (&ids[2], json!({ "workStatus": "RESIGNED" })),
    ] {
        app.graphql_ok(token, "mutation($id: ID!, $i: UpdateEmployeeInput!) { updateEmployee(id: $id, input: $i) { id } }",
            json!({ "id": id, "i": change })).await;
    }
    // An edit of the office schedule recomputes every past day of the company.
    let lenient = { let mut s = office(); s["lateGraceMinutes"] = json!(30); s };
    let edited = app.graphql_ok(token, "mutation($id: ID!, $i: WorkScheduleInput!) { updateWorkSchedule(id: $id, input: $i) { recomputed { days job { id } } } }",
        json!({ "id": office_id, "i": lenient })).await;
    assert!(edited["updateWorkSchedule"]["recomputed"]["days"].as_i64() > Some(0), "{edited}");

    let monday = days(&app, token, "2026-10-05", "2026-10-05", Value::Null).await;
    let e1 = day(&monday, "E1", "2026-10-05");
    assert_eq!((e1["schedule"]["name"].clone(), e1["status"].clone()), (json!("Night"), json!("PRESENT")), "the night shift of then: {e1}");
    assert_eq!(day(&monday, "E2", "2026-10-05")["status"], "PRESENT", "at work then, on leave now");
    assert_eq!(day(&monday, "E3", "2026-10-05")["status"], "ABSENT", "employed then, resigned now");
});

app_test!(async fn a_move_recorded_late_recomputes_the_days_from_its_date(app) {
    let (company, ids) = hr_company(&app, &[("E1", "Nguyễn Văn An", Some("Ca đêm")), ("E2", "Trần Thị Bình", Some("Văn phòng"))]).await;
    let token = &company.admin_token;
    let (_, departments) = office_and_night(&app, token).await;
    let department = |name: &str| departments[name].clone();
    // E1 worked nights, then office hours from Saturday 10 October: HR records the move later.
    check_in(&app, &[
        ("E1", "2026-10-05T21:55:00+07:00"), ("E1", "2026-10-06T06:05:00+07:00"),
        ("E1", "2026-10-12T07:58:00+07:00"), ("E1", "2026-10-12T17:02:00+07:00"),
    ]).await;
    complete_until(&app, &company, "2026-10-31T00:00:00Z").await;
    let before = days(&app, token, "2026-10-12", "2026-10-12", Value::Null).await;
    assert_eq!(day(&before, "E1", "2026-10-12")["schedule"]["name"], "Night");

    const MOVE: &str = "mutation($id: ID!, $i: UpdateEmployeeInput!) { updateEmployee(id: $id, input: $i) { department { name } } }";
    let office_department = department("Văn phòng");
    let refused = [
        (json!({ "effectiveFrom": "2026-10-10" }), "BAD_USER_INPUT"),
        (json!({ "departmentId": office_department, "effectiveFrom": "2099-01-01" }), "BAD_USER_INPUT"),
    ];
    for (input, code) in refused {
        let body = app.graphql(Some(token), MOVE, json!({ "id": ids[0], "i": input })).await;
        assert_eq!(crate::helpers::error_code(&body), code, "{input}: {body}");
    }
    let moved = app.graphql_ok(token, MOVE, json!({ "id": ids[0], "i": { "departmentId": office_department, "effectiveFrom": "2026-10-10" } })).await;
    assert_eq!(moved["updateEmployee"]["department"]["name"], "Văn phòng");
    let after = days(&app, token, "2026-10-05", "2026-10-12", Value::Null).await;
    let (monday, moved_day) = (day(&after, "E1", "2026-10-05"), day(&after, "E1", "2026-10-12"));
    assert_eq!((monday["schedule"]["name"].clone(), monday["status"].clone()), (json!("Night"), json!("PRESENT")), "before the move: {monday}");
    assert_eq!((moved_day["schedule"]["name"].clone(), moved_day["status"].clone()), (json!("Office"), json!("PRESENT")), "from the move: {moved_day}");

    // Dating a move into locked attendance is refused.
    app.graphql_ok(token, "mutation { lockAttendance(through: \"2026-10-20\") { company { id } } }", json!({})).await;
    let body = app.graphql(Some(token), MOVE, json!({ "id": ids[1], "i": { "departmentId": department("Ca đêm"), "effectiveFrom": "2026-10-15" } })).await;
    assert_eq!(crate::helpers::error_code(&body), "CONFLICT", "{body}");
    let e2 = app.graphql_ok(token, "query($id: ID!) { employee(id: $id) { department { name } } }", json!({ "id": ids[1] })).await;
    assert_eq!(e2["employee"]["department"]["name"], "Văn phòng", "nothing changed");
});

app_test!(async fn a_dated_change_rewrites_only_what_it_changes(app) {
    let (company, ids) = hr_company(&app, &[("E1", "Nguyễn Văn An", Some("Văn phòng")), ("E2", "Trần Thị Bình", Some("Ca đêm"))]).await;
    let token = &company.admin_token;
    let office_id = schedule(&app, token, office()).await;
    app.graphql_ok(token, "mutation($id: ID!) { setDefaultWorkSchedule(scheduleId: $id) { schedule { id } } }", json!({ "id": office_id })).await;
    complete_until(&app, &company, "2026-10-31T00:00:00Z").await;
    const UPDATE: &str = "mutation($id: ID!, $i: UpdateEmployeeInput!) { updateEmployee(id: $id, input: $i) { workStatus department { name } } }";
    let update = |input: Value| app.graphql_ok(token, UPDATE, json!({ "id": ids[0], "i": input }));
    // Maternity leave from Monday 12 October to Friday 16 October, recorded afterwards.
    update(json!({ "workStatus": "MATERNITY_LEAVE", "effectiveFrom": "2026-10-12" })).await;
    update(json!({ "workStatus": "WORKING", "effectiveFrom": "2026-10-19" })).await;
    let seen = days(&app, token, "2026-10-09", "2026-10-19", Value::Null).await;
    let statuses = |seen: &[Value]| ["2026-10-09", "2026-10-13", "2026-10-19"].map(|d| day(seen, "E1", d)["status"].clone());
    assert_eq!(statuses(&seen), [json!("ABSENT"), json!("ON_LEAVE"), json!("ABSENT")]);
    // A move dated 5 October, sent with the status the client read: the leave stays.
    let night = by_name(&app, token).await["Ca đêm"].clone();
    let moved = update(json!({ "departmentId": night, "workStatus": "WORKING", "effectiveFrom": "2026-10-05" })).await;
    assert_eq!(moved["updateEmployee"]["department"]["name"], "Ca đêm");
    let seen = days(&app, token, "2026-10-09", "2026-10-19", Value::Null).await;
    assert_eq!(statuses(&seen), [json!("ABSENT"), json!("ON_LEAVE"), json!("ABSENT")]);

    // A change dated long ago recomputes from the company's first day, at once, not decades.
    app.graphql_ok(token, UPDATE, json!({ "id": ids[1], "i": { "workStatus": "UNPAID_LEAVE", "effectiveFrom": "1971-01-01" } })).await;
    let jobs = app.graphql_ok(token, "{ syncJobs(first: 20) { edges { node { kind } } } }", json!({})).await;
    let recomputes = jobs["syncJobs"]["edges"].as_array().expect("jobs").iter().filter(|j| j["node"]["kind"] == "ATTENDANCE_DAYS").count();
    assert_eq!(recomputes, 0, "{jobs}");
    let seen = days(&app, token, "2026-09-01", "2026-09-01", Value::Null).await;
    assert_eq!(day(&seen, "E2", "2026-09-01")["status"], "ON_LEAVE");
});
