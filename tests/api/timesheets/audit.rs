//! The audit log lists every write of design §8, not only the calendar's: link, place, employee
//! create, update and import, photo upload, sync start and cancel, settings, unlink — each with
//! who did it.

use serde_json::{Value, json};

use super::hr_company;
use crate::{app_test, sync::upload_photos};

app_test!(async fn the_audit_log_lists_who_did_what_across_the_product(app) {
    let (company, ids) = hr_company(&app, &[("E1", "Nguyễn Văn An", None)]).await;
    let token = &company.admin_token;
    app.graphql_ok(token, "mutation($id: ID!) { updateEmployee(id: $id, input: { title: \"Kế toán trưởng\" }) { id } }", json!({ "id": ids[0] })).await;
    upload_photos(&app, &company, vec![("E1.jpg".to_owned(), crate::images::jpeg(300, 300, 7))]).await;
    let job = app.graphql_ok(token, "mutation { startEmployeeSync { id } }", json!({})).await;
    let job_id = job["startEmployeeSync"]["id"].clone();
    let _ = app.graphql(Some(token), "mutation($id: ID!) { cancelSyncJob(id: $id) { id } }", json!({ "id": job_id })).await;
    app.graphql_ok(token, "mutation { updateCompanySettings(input: { workdayStartHour: 5 }) { workdayStartHour } }", json!({})).await;
    app.graphql_ok(token, "mutation { unlinkHanet }", json!({})).await;

    let audit = app.graphql_ok(token, "{ auditLog(first: 100) { edges { node { action targetType targetId actorId changes } } } }", json!({})).await;
    let lines: Vec<Value> = audit["auditLog"]["edges"].as_array().expect("lines").iter().map(|e| e["node"].clone()).collect();
    let actions: Vec<&str> = lines.iter().filter_map(|l| l["action"].as_str()).collect();
    for expected in ["HANET_LINKED", "PLACE_SELECTED", "EMPLOYEE_CREATED", "EMPLOYEE_UPDATED", "PHOTO_UPLOADED", "SYNC_STARTED", "SETTINGS_UPDATED", "HANET_UNLINKED"] {
        assert!(actions.contains(&expected), "{expected} missing from {actions:?}");
    }
    assert!(lines.iter().all(|l| l["actorId"].is_string()), "every line names its user");
    let updated = lines.iter().find(|l| l["action"] == "EMPLOYEE_UPDATED").expect("update");
    assert_eq!(updated["changes"]["after"]["title"], "Kế toán trưởng");
    assert_eq!(updated["changes"]["before"]["title"], Value::Null);
    let settings = lines.iter().find(|l| l["action"] == "SETTINGS_UPDATED").expect("settings");
    assert_eq!((settings["changes"]["before"]["workdayStartHour"].clone(), settings["changes"]["after"]["workdayStartHour"].clone()), (json!(0), json!(5)));

    // The import records what it created, in the chunk that created it.
    let csv = "employee_code,full_name,email,title,department,work_status\nE2,Trần Thị Bình,,,,\n";
    let response = app.upload(token, "mutation($f: Upload!) { importEmployees(file: $f) { created } }", json!({ "f": null }), vec![("variables.f", "people.csv", csv.as_bytes().to_vec())]).await;
    assert!(response.status().is_success());
    let imported = app.graphql_ok(token, "{ auditLog(filter: { actions: [EMPLOYEES_IMPORTED] }) { edges { node { changes } } } }", json!({})).await;
    assert_eq!(imported["auditLog"]["edges"][0]["node"]["changes"]["employees"][0]["employeeCode"], "E2");
});
