//! Locked attendance (a closed payroll period): locked days keep what they are through
//! schedule changes, late check-ins, corrections, holidays and leave, until an admin reopens
//! them, which recomputes them from what is stored then.

use serde_json::{Value, json};

use super::{check_in, complete_until, day, days, hr_company, office, schedule};
use crate::{
    app_test,
    attendance::{checkins, everything},
    helpers::error_code,
};

const LOCK: &str =
    "mutation($d: Date!) { lockAttendance(through: $d) { company { attendanceLockedThrough } } }";
const UNLOCK: &str = "mutation($d: Date!) { unlockAttendance(from: $d) { company { attendanceLockedThrough } recomputed { days } } }";

app_test!(async fn locked_attendance_keeps_its_days_until_an_admin_reopens_them(app) {
    let (company, ids) = hr_company(&app, &[("E1", "Nguyễn Văn An", None), ("E2", "Trần Thị Bình", None)]).await;
    let token = &company.admin_token;
    let office_id = schedule(&app, token, office()).await;
    app.graphql_ok(token, "mutation($id: ID!) { setDefaultWorkSchedule(scheduleId: $id) { schedule { id } } }", json!({ "id": office_id })).await;
    // 20 minutes late on Monday 5 October and on Monday 2 November.
    check_in(&app, &[
        ("E1", "2026-10-05T08:20:00+07:00"), ("E1", "2026-10-05T17:00:00+07:00"),
        ("E1", "2026-11-02T08:20:00+07:00"), ("E1", "2026-11-02T17:00:00+07:00"),
    ]).await;
    complete_until(&app, &company, "2026-11-10T00:00:00Z").await;

    // HR closes October; VIEWER cannot, today cannot be locked, and a lock does not move back.
    let hr = app.user_token(&company, "HR").await;
    let viewer = app.user_token(&company, "VIEWER").await;
    assert_eq!(error_code(&app.graphql(Some(&viewer), LOCK, json!({ "d": "2026-10-31" })).await), "FORBIDDEN");
    assert_eq!(error_code(&app.graphql(Some(&hr), LOCK, json!({ "d": "2099-01-01" })).await), "BAD_USER_INPUT");
    // Not before the check-ins of Friday 30 October are known complete (its window closes at
    // 23:00 local, 16:00 UTC).
    complete_until(&app, &company, "2026-10-30T15:59:00Z").await;
    assert_eq!(error_code(&app.graphql(Some(&hr), LOCK, json!({ "d": "2026-10-31" })).await), "CONFLICT");
    complete_until(&app, &company, "2026-11-10T00:00:00Z").await;
    let locked = app.graphql_ok(&hr, LOCK, json!({ "d": "2026-10-31" })).await;
    assert_eq!(locked["lockAttendance"]["company"]["attendanceLockedThrough"], "2026-10-31");
    assert_eq!(error_code(&app.graphql(Some(&hr), LOCK, json!({ "d": "2026-10-15" })).await), "BAD_USER_INPUT");

    // A more lenient schedule reaches November only.
    let lenient = { let mut s = office(); s["lateGraceMinutes"] = json!(30); s };
    app.graphql_ok(token, "mutation($id: ID!, $i: WorkScheduleInput!) { updateWorkSchedule(id: $id, input: $i) { schedule { id } } }",
        json!({ "id": office_id, "i": lenient })).await;
    let seen = days(&app, token, "2026-10-05", "2026-11-02", Value::Null).await;
    assert_eq!((day(&seen, "E1", "2026-10-05")["status"].clone(), day(&seen, "E1", "2026-10-05")["lateMinutes"].clone()), (json!("LATE"), json!(20)), "locked: as paid");
    assert_eq!(day(&seen, "E1", "2026-11-02")["status"], "PRESENT", "open: within the new grace");

    // A check-in arriving for a locked day is stored and listed; the day stays as paid.
    check_in(&app, &[("E2", "2026-10-06T08:00:00+07:00")]).await;
    assert_eq!(checkins(&app, &company, everything()).await["totalCount"], 5);
    let seen = days(&app, token, "2026-10-06", "2026-10-06", Value::Null).await;
    assert_eq!((day(&seen, "E2", "2026-10-06")["status"].clone(), day(&seen, "E2", "2026-10-06")["checkinCount"].clone()), (json!("ABSENT"), json!(0)));

    // Corrections, holidays and leave that would change a locked day are refused.
    let october = app.graphql_ok(token, "{ checkins(filter: { from: \"2026-10-05T00:00:00Z\", to: \"2026-10-06T00:00:00Z\" }, first: 5) { edges { node { id } } } }", json!({})).await;
    let refused = [
        ("mutation($i: ManualCheckinInput!) { addManualCheckin(input: $i) { id } }",
            json!({ "i": { "employeeId": ids[0], "at": "2026-10-05T10:00:00Z", "reason": "quên chấm công" } })),
        ("mutation($id: ID!) { voidCheckin(id: $id, reason: \"nhầm\") { id } }",
            json!({ "id": october["checkins"]["edges"][0]["node"]["id"] })),
        ("mutation { createHoliday(input: { date: \"2026-10-09\", name: \"Ngày hội\" }) { holiday { id } } }", json!({})),
        ("mutation($i: RecordLeaveInput!) { recordLeave(input: $i) { leave { id } } }",
            json!({ "i": { "employeeId": ids[1], "from": "2026-10-30", "to": "2026-11-03", "kind": "PAID" } })),
    ];
    for (query, variables) in refused {
        let body = app.graphql(Some(&hr), query, variables).await;
        assert_eq!(error_code(&body), "CONFLICT", "{query}: {body}");
    }
    app.graphql_ok(&hr, "mutation($i: RecordLeaveInput!) { recordLeave(input: $i) { leave { id } } }",
        json!({ "i": { "employeeId": ids[1], "from": "2026-11-03", "to": "2026-11-04", "kind": "PAID" } })).await;
    let audit = app.graphql_ok(token, "{ auditLog(filter: { actions: [CHECKIN_ADDED, CHECKIN_VOIDED, HOLIDAY_CREATED] }) { totalCount } }", json!({})).await;
    assert_eq!(audit["auditLog"]["totalCount"], 0, "a refused change leaves no line");

    // Only an admin reopens; the reopened days are recomputed from what is stored now.
    assert_eq!(error_code(&app.graphql(Some(&hr), UNLOCK, json!({ "d": "2026-10-01" })).await), "FORBIDDEN");
    let reopened = app.graphql_ok(token, UNLOCK, json!({ "d": "2026-10-01" })).await;
    assert_eq!(reopened["unlockAttendance"]["company"]["attendanceLockedThrough"], "2026-09-30");
    assert!(reopened["unlockAttendance"]["recomputed"]["days"].as_i64() > Some(0), "{reopened}");
    let seen = days(&app, token, "2026-10-05", "2026-10-06", Value::Null).await;
    assert_eq!((day(&seen, "E1", "2026-10-05")["status"].clone(), day(&seen, "E1", "2026-10-05")["lateMinutes"].clone()), (json!("PRESENT"), json!(0)));
    assert_eq!((day(&seen, "E2", "2026-10-06")["status"].clone(), day(&seen, "E2", "2026-10-06")["checkinCount"].clone()), (json!("INCOMPLETE"), json!(1)));

    let audit = app.graphql_ok(token, "{ auditLog(filter: { actions: [ATTENDANCE_LOCKED, ATTENDANCE_UNLOCKED] }) { edges { node { action changes } } } }", json!({})).await;
    let lines = audit["auditLog"]["edges"].as_array().expect("lines");
    assert_eq!(lines.len(), 2, "{audit}");
    assert_eq!(lines[0]["node"]["action"], "ATTENDANCE_UNLOCKED");
    assert_eq!(lines[0]["node"]["changes"]["before"], "2026-10-31");
    assert_eq!(lines[1]["node"]["changes"]["through"], "2026-10-31");
});

app_test!(async fn absences_the_calendar_had_not_stored_are_stored_before_the_lock(app) {
    use entity::{attendance_day, company};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let (company, _) = hr_company(&app, &[("E1", "Nguyễn Văn An", None)]).await;
    let token = &company.admin_token;
    let office_id = schedule(&app, token, office()).await;
    app.graphql_ok(token, "mutation($id: ID!) { setDefaultWorkSchedule(scheduleId: $id) { schedule { id } } }", json!({ "id": office_id })).await;
    complete_until(&app, &company, "2026-11-10T00:00:00Z").await;
    // As if the server had been down since 30 September: October's absences are not stored.
    let date = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date");
    attendance_day::Entity::delete_many()
        .filter(attendance_day::Column::CompanyId.eq(company.id))
        .filter(attendance_day::Column::Date.gt(date("2026-09-30")))
        .exec(&app.state.db).await.expect("forget October");
    company::Entity::update_many()
        .col_expr(company::Column::DaysMaterializedUntil, Expr::value(date("2026-09-30")))
        .filter(company::Column::Id.eq(company.id))
        .exec(&app.state.db).await.expect("calendar behind");
    assert!(days(&app, token, "2026-10-05", "2026-10-05", Value::Null).await.is_empty());

    app.graphql_ok(token, LOCK, json!({ "d": "2026-10-31" })).await;
    let locked = days(&app, token, "2026-10-05", "2026-10-31", Value::Null).await;
    assert_eq!(day(&locked, "E1", "2026-10-05")["status"], "ABSENT");
    assert_eq!(locked.iter().filter(|d| d["status"] == "ABSENT").count(), 20, "the work days from 5 to 31 October");
});
