//! Corrections: a manual check-in and a void change the day, stay listed in `checkins` (voided
//! rows marked), and are in the audit log with their reason.

use serde_json::{Value, json};

use super::{check_in, complete_until, day, days, hr_company, office, schedule};
use crate::{
    app_test,
    attendance::{checkins, everything},
    helpers::error_code,
};

const LIST: &str = "query($f: CheckinFilter!) { checkins(filter: $f, first: 50) { edges { node { id capturedAt source voidedAt voidReason createdBy } } } }";

app_test!(async fn corrections_change_the_day_and_are_listed_and_audited(app) {
    let (company, ids) = hr_company(&app, &[("E1", "Nguyễn Văn An", None)]).await;
    let token = &company.admin_token;
    let office_id = schedule(&app, token, office()).await;
    app.graphql_ok(token, "mutation($id: ID!) { setDefaultWorkSchedule(scheduleId: $id) { schedule { id } } }", json!({ "id": office_id })).await;
    check_in(&app, &[("E1", "2026-10-05T08:00:00+07:00"), ("E1", "2026-10-05T08:10:00+07:00")]).await;
    complete_until(&app, &company, "2026-10-31T00:00:00Z").await;
    let before = days(&app, token, "2026-10-05", "2026-10-05", Value::Null).await;
    assert_eq!(day(&before, "E1", "2026-10-05")["status"], "EARLY_LEAVE", "checked out at 08:10");

    // The forgotten check-out, added by hand.
    let added = app.graphql_ok(token, "mutation($i: ManualCheckinInput!) { addManualCheckin(input: $i) { id source createdBy } }",
        json!({ "i": { "employeeId": ids[0], "at": "2026-10-05T10:00:00Z", "reason": "quên chấm công ra" } })).await;
    assert_eq!(added["addManualCheckin"]["source"], "MANUAL");
    assert!(added["addManualCheckin"]["createdBy"].is_string());
    let fixed = days(&app, token, "2026-10-05", "2026-10-05", Value::Null).await;
    assert_eq!(day(&fixed, "E1", "2026-10-05")["status"], "PRESENT");
    assert_eq!(day(&fixed, "E1", "2026-10-05")["checkinCount"], 3);

    // The stray 08:10 sighting, voided: kept, marked, not counted.
    let list = app.graphql_ok(token, LIST, json!({ "f": everything() })).await;
    let rows = list["checkins"]["edges"].as_array().expect("rows");
    let stray = rows.iter().find(|r| r["node"]["capturedAt"] == "2026-10-05T01:10:00+00:00").expect("08:10")["node"]["id"].clone();
    let body = app.graphql(Some(token), "mutation($id: ID!) { voidCheckin(id: $id, reason: \"\") { id } }", json!({ "id": stray })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "a void needs a reason");
    let voided = app.graphql_ok(token, "mutation($id: ID!) { voidCheckin(id: $id, reason: \"camera saw a poster\") { voidedAt voidReason } }", json!({ "id": stray })).await;
    assert_eq!(voided["voidCheckin"]["voidReason"], "camera saw a poster");
    let body = app.graphql(Some(token), "mutation($id: ID!) { voidCheckin(id: $id, reason: \"again\") { id } }", json!({ "id": stray })).await;
    assert_eq!(error_code(&body), "CONFLICT");
    let after = days(&app, token, "2026-10-05", "2026-10-05", Value::Null).await;
    assert_eq!(day(&after, "E1", "2026-10-05")["checkinCount"], 2);
    assert_eq!(day(&after, "E1", "2026-10-05")["status"], "PRESENT");
    let listed = checkins(&app, &company, everything()).await;
    assert_eq!(listed["totalCount"], 3, "nothing is deleted");
    let list = app.graphql_ok(token, LIST, json!({ "f": everything() })).await;
    let marked: Vec<_> = list["checkins"]["edges"].as_array().expect("rows").iter().filter(|r| !r["node"]["voidedAt"].is_null()).collect();
    assert_eq!(marked.len(), 1);

    let audit = app.graphql_ok(token, "{ auditLog(first: 50) { edges { node { action targetType changes actorId } } } }", json!({})).await;
    let actions: Vec<Value> = audit["auditLog"]["edges"].as_array().expect("lines").iter().map(|e| e["node"]["action"].clone()).collect();
    assert_eq!(&actions[..2], &[json!("CHECKIN_VOIDED"), json!("CHECKIN_ADDED")], "newest first: {actions:?}");
    assert!(actions.contains(&json!("DEFAULT_SCHEDULE_SET")) && actions.contains(&json!("SCHEDULE_CREATED")));
    assert_eq!(audit["auditLog"]["edges"][0]["node"]["changes"]["reason"], "camera saw a poster");
    assert_eq!(audit["auditLog"]["edges"][1]["node"]["changes"]["reason"], "quên chấm công ra");
    let only = app.graphql_ok(token, "{ auditLog(filter: { actions: [CHECKIN_ADDED] }) { totalCount } }", json!({})).await;
    assert_eq!(only["auditLog"]["totalCount"], 1);
    let hr = app.user_token(&company, "HR").await;
    assert_eq!(error_code(&app.graphql(Some(&hr), "{ auditLog { totalCount } }", json!({})).await), "FORBIDDEN");
});
