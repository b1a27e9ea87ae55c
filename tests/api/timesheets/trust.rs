//! Payroll HR can trust: a recompute cannot be stopped half way and stale days cannot be
//! locked, a change dated far back costs what the company's history holds, a department's
//! past members follow its assignments, and one company's change queues nothing for another.

use entity::{company, sync_job, sync_job_item};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::json;

use super::{complete_until, day, days, departments, hr_company, office, schedule};
use crate::{app_test, helpers::error_code, sync::wait_for_job};

const LOCK: &str =
    "mutation($d: Date!) { lockAttendance(through: $d) { company { attendanceLockedThrough } } }";

app_test!(async fn a_recompute_cannot_be_cancelled_and_stale_days_cannot_be_locked(app) {
    let people: Vec<(String, String)> = (0..60).map(|i| (format!("E{i:03}"), format!("Người {i}"))).collect();
    let people: Vec<(&str, &str, Option<&str>)> = people.iter().map(|(c, n)| (c.as_str(), n.as_str(), None)).collect();
    let (company, _) = hr_company(&app, &people).await;
    let token = &company.admin_token;
    let office_id = schedule(&app, token, office()).await;
    let set = app.graphql_ok(token, "mutation($id: ID!) { setDefaultWorkSchedule(scheduleId: $id) { recomputed { days job { id } } } }", json!({ "id": office_id })).await;
    let job = set["setDefaultWorkSchedule"]["recomputed"]["job"]["id"].as_str().expect("60 employees × 3 months is a job").to_owned();
    let cancel = app.graphql(Some(token), "mutation($id: ID!) { cancelSyncJob(id: $id) { cancelRequested } }", json!({ "id": job })).await;
    assert_eq!(error_code(&cancel), "CONFLICT", "{cancel}");
    let done = wait_for_job(&app, token, &job).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done:#}");

    // A recompute an older version let an admin cancel: its months kept the old rules' days.
    let id: uuid::Uuid = job.parse().expect("uuid");
    sync_job::Entity::update_many().col_expr(sync_job::Column::Status, Expr::value("CANCELLED"))
        .filter(sync_job::Column::Id.eq(id)).exec(&app.state.db).await.expect("job");
    sync_job_item::Entity::update_many().col_expr(sync_job_item::Column::Status, Expr::value("CANCELLED"))
        .filter(sync_job_item::Column::JobId.eq(id)).exec(&app.state.db).await.expect("items");
    complete_until(&app, &company, &chrono::Utc::now().to_rfc3339()).await;
    let refused = app.graphql(Some(token), LOCK, json!({ "d": "2026-10-31" })).await;
    assert_eq!(error_code(&refused), "CONFLICT", "{refused}");
    assert!(refused["errors"][0]["message"].as_str().unwrap_or_default().contains(&job), "{refused}");
    // Its retry re-queues the cancelled months; once it succeeded the lock is taken.
    let retry = app.graphql_ok(token, "mutation($id: ID!) { retrySyncJob(id: $id) { id total } }", json!({ "id": job })).await;
    assert!(retry["retrySyncJob"]["total"].as_i64() > Some(0), "{retry}");
    let again = wait_for_job(&app, token, retry["retrySyncJob"]["id"].as_str().expect("id")).await;
    assert_eq!(again["status"], "SUCCEEDED", "{again:#}");
    let locked = app.graphql_ok(token, LOCK, json!({ "d": "2026-10-31" })).await;
    assert_eq!(locked["lockAttendance"]["company"]["attendanceLockedThrough"], "2026-10-31");
});

app_test!(async fn a_change_dated_far_back_costs_the_companys_history_not_decades(app) {
    let (company, ids) = hr_company(&app, &[("A", "An", None)]).await;
    let token = &company.admin_token;
    let office_id = schedule(&app, token, office()).await;
    let assigned = app.graphql_ok(token, "mutation($i: AssignWorkScheduleInput!) { assignWorkSchedule(input: $i) { recomputed { days job { id total } } } }",
        json!({ "i": { "scheduleId": office_id, "employeeIds": [ids[0]], "from": "1970-01-01" } })).await;
    let recomputed = &assigned["assignWorkSchedule"]["recomputed"];
    assert!(recomputed["job"].is_null(), "one employee since 2026-09-01 is recomputed at once: {recomputed}");
    assert!(recomputed["days"].as_i64() < Some(120), "{recomputed}");
    // A manual check-in before the company's attendance started is refused.
    let early = app.graphql(Some(token), "mutation($i: ManualCheckinInput!) { addManualCheckin(input: $i) { id } }",
        json!({ "i": { "employeeId": ids[0], "at": "1971-03-01T08:00:00Z", "reason": "backdated" } })).await;
    assert_eq!(error_code(&early), "BAD_USER_INPUT", "{early}");
    assert_eq!(early["errors"][0]["extensions"]["field"], "input.at", "{early}");
});

app_test!(async fn a_departments_assignment_reaches_its_past_members(app) {
    let (company, ids) = hr_company(&app, &[("A", "An", Some("Kho")), ("B", "Bình", Some("Kho"))]).await;
    let token = &company.admin_token;
    let departments = departments(&app, token).await;
    let office_id = schedule(&app, token, office()).await;
    // A left the warehouse on 2026-10-15 (recorded late); the warehouse works the office
    // schedule for October.
    let other = app.create_department(token, "Văn phòng").await;
    app.graphql_ok(token, "mutation($id: ID!, $d: ID) { updateEmployee(id: $id, input: { departmentId: $d, effectiveFrom: \"2026-10-15\" }) { id } }",
        json!({ "id": ids[0], "d": other })).await;
    app.graphql_ok(token, "mutation($i: AssignWorkScheduleInput!) { assignWorkSchedule(input: $i) { recomputed { days } } }",
        json!({ "i": { "scheduleId": office_id, "departmentIds": [departments["Kho"]], "from": "2026-10-01", "to": "2026-10-31" } })).await;
    complete_until(&app, &company, "2026-11-01T12:00:00Z").await;
    let days = days(&app, token, "2026-10-05", "2026-10-09", json!(null)).await;
    let a = day(&days, "A", "2026-10-06");
    assert_eq!(a["status"], "ABSENT", "A was in the warehouse then: {a}");
    assert_eq!(a["schedule"]["name"], "Office");
});

app_test!(async fn one_companys_settings_change_queues_nothing_for_another(app) {
    let (first, _) = hr_company(&app, &[("A", "An", None)]).await;
    let second = app.seed_company("Other").await;
    app.enable_camera(&second).await;
    app.create_employee(&second.admin_token, json!({ "employeeCode": "Z", "fullName": "Zed" })).await;
    // The other company's days are outdated (as after an upgrade of the day rules).
    company::Entity::update_many().col_expr(company::Column::AttendanceDaysVersion, Expr::value(0))
        .filter(company::Column::Id.eq(second.id)).exec(&app.state.db).await.expect("version");
    app.graphql_ok(&first.admin_token, "mutation { updateCompanySettings(input: { workdayStartHour: 5 }) { id } }", json!({})).await;
    let jobs = app.graphql_ok(&second.admin_token, "{ syncJobs(first: 5) { edges { node { kind createdBy { email } } } } }", json!({})).await;
    assert_eq!(jobs["syncJobs"]["edges"].as_array().map(Vec::len), Some(0), "{jobs}");
});

app_test!(async fn a_deleted_assignment_gives_its_days_back_to_the_default(app) {
    let (company, ids) = hr_company(&app, &[("A", "An", None)]).await;
    let token = &company.admin_token;
    let office_id = schedule(&app, token, office()).await;
    app.graphql_ok(token, "mutation($id: ID!) { setDefaultWorkSchedule(scheduleId: $id) { schedule { id } } }", json!({ "id": office_id })).await;
    let mut late = office();
    late["name"] = json!("Late shift");
    late["startTime"] = json!("13:00");
    late["endTime"] = json!("22:00");
    late["breakStart"] = json!(null);
    late["breakEnd"] = json!(null);
    let late_id = schedule(&app, token, late).await;
    let assigned = app.graphql_ok(token, "mutation($i: AssignWorkScheduleInput!) { assignWorkSchedule(input: $i) { assignments { id } } }",
        json!({ "i": { "scheduleId": late_id, "employeeIds": [ids[0]], "from": "2026-10-01", "to": "2026-10-31" } })).await;
    let assignment = assigned["assignWorkSchedule"]["assignments"][0]["id"].clone();
    complete_until(&app, &company, "2026-11-01T12:00:00Z").await;
    let before = days(&app, token, "2026-10-06", "2026-10-06", json!(null)).await;
    assert_eq!(day(&before, "A", "2026-10-06")["schedule"]["name"], "Late shift");

    // A VIEWER cannot remove it; an unknown id is NOT_FOUND; HR removes it.
    let viewer = app.user_token(&company, "VIEWER").await;
    let refused = app.graphql(Some(&viewer), "mutation($id: ID!) { deleteScheduleAssignment(id: $id) { days } }", json!({ "id": assignment })).await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    let unknown = app.graphql(Some(token), "mutation($id: ID!) { deleteScheduleAssignment(id: $id) { days } }", json!({ "id": uuid::Uuid::now_v7().to_string() })).await;
    assert_eq!(error_code(&unknown), "NOT_FOUND", "{unknown}");
    app.graphql_ok(token, "mutation($id: ID!) { deleteScheduleAssignment(id: $id) { days job { id } } }", json!({ "id": assignment })).await;
    let after = days(&app, token, "2026-10-06", "2026-10-06", json!(null)).await;
    assert_eq!(day(&after, "A", "2026-10-06")["schedule"]["name"], "Office", "the default applies again");
    let audit = app.graphql_ok(token, "{ auditLog(filter: { actions: [SCHEDULE_ASSIGNMENT_DELETED] }) { edges { node { targetId } } } }", json!({})).await;
    assert_eq!(audit["auditLog"]["edges"].as_array().map(Vec::len), Some(1), "{audit}");
});
