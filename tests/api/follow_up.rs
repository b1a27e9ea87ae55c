//! Automatic follow-up (issue 14): with `autoSync` on, a changed title reaches Hanet without a
//! manual sync; a round takes the oldest changes first, a bounded number per company, and one
//! company's failure stops no other; the reconcile reports a person added in Hanet's own app
//! as drift.

use std::time::Duration;

use serde_json::json;

use crate::{
    app_test,
    sync::{PLACE, ready_company, start_sync, wait_for_job},
};

app_test!(async fn with_auto_sync_a_changed_title_reaches_hanet_by_itself(app) with ["--auto-sync-delay-secs", "1"] {
    let company = ready_company(&app, 1).await;
    let job = start_sync(&app, &company.admin_token, json!(null)).await;
    wait_for_job(&app, &company.admin_token, job["id"].as_str().expect("id")).await;
    let data = app.graphql_ok(&company.admin_token, "mutation { updateCompanySettings(input: { autoSync: true }) { autoSync } }", json!({})).await;
    assert_eq!(data["updateCompanySettings"]["autoSync"], true);
    let list = app.graphql_ok(&company.admin_token, "{ employees(first: 1) { edges { node { id } } } }", json!({})).await;
    let id = list["employees"]["edges"][0]["node"]["id"].as_str().expect("id").to_owned();
    app.graphql_ok(&company.admin_token, "mutation($id: ID!) { updateEmployee(id: $id, input: { title: \"Night lead\" }) { id } }", json!({ "id": id })).await;
    let mut title = String::new();
    for _ in 0..100 {
        title = app.sim.persons_in_place(PLACE).first().map(|p| p.title.clone()).unwrap_or_default();
        if title == "Night lead" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(title, "Night lead", "the title reached Hanet without a manual sync");
});

app_test!(async fn without_auto_sync_nothing_is_pushed_by_itself(app) with ["--auto-sync-delay-secs", "1"] {
    let company = ready_company(&app, 1).await;
    let job = start_sync(&app, &company.admin_token, json!(null)).await;
    wait_for_job(&app, &company.admin_token, job["id"].as_str().expect("id")).await;
    let list = app.graphql_ok(&company.admin_token, "{ employees(first: 1) { edges { node { id } } } }", json!({})).await;
    let id = list["employees"]["edges"][0]["node"]["id"].as_str().expect("id").to_owned();
    app.graphql_ok(&company.admin_token, "mutation($id: ID!) { updateEmployee(id: $id, input: { title: \"Night lead\" }) { id } }", json!({ "id": id })).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(app.sim.persons_in_place(PLACE)[0].title, "Staff");
});

app_test!(async fn a_person_added_in_hanets_app_is_reported_as_drift(app) {
    let company = ready_company(&app, 1).await;
    let job = start_sync(&app, &company.admin_token, json!(null)).await;
    wait_for_job(&app, &company.admin_token, job["id"].as_str().expect("id")).await;
    let stranger = app.sim.add_person_directly(PLACE, "Added at the front desk", Some("GUEST1"), b"a face");
    timekeeping::sync::drift::reconcile(&app.state, company.id).await.unwrap_or_else(|e| panic!("{}", e.message()));
    let data = app.graphql_ok(&company.admin_token, "{ hanetConnection { drift { checkedAt unknownPersons { personId aliasId name } missingEmployees { employeeCode } } } }", json!({})).await;
    let drift = &data["hanetConnection"]["drift"];
    assert_eq!(drift["unknownPersons"], json!([{ "personId": stranger, "aliasId": "GUEST1", "name": "Added at the front desk" }]), "{drift}");
    assert_eq!(drift["missingEmployees"], json!([]));
    // Reported, not fixed.
    assert_eq!(app.sim.persons_in_place(PLACE).len(), 2);
});

/// Makes every change to an employee of the company of the admin `email` fail in the database.
async fn fail_employee_writes_of(app: &crate::helpers::TestApp, email: &str) {
    use sea_orm::ConnectionTrait;
    let db = &app.state.db;
    let company = format!("(SELECT company_id FROM users WHERE email = '{email}')");
    let sql = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Sqlite => vec![format!(
            "CREATE TRIGGER injected_failure BEFORE UPDATE ON employees WHEN OLD.company_id = {company} \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
        )],
        _ => vec![
            format!(
                "CREATE FUNCTION injected_failure() RETURNS trigger AS $$ BEGIN \
                 IF OLD.company_id = {company} THEN RAISE EXCEPTION 'injected failure'; END IF; \
                 RETURN NEW; END $$ LANGUAGE plpgsql"
            ),
            "CREATE TRIGGER injected_failure BEFORE UPDATE ON employees FOR EACH ROW EXECUTE FUNCTION injected_failure()".to_owned(),
        ],
    };
    for statement in sql {
        db.execute_unprepared(&statement).await.expect("trigger");
    }
}

app_test!(async fn automatic_syncs_take_the_oldest_changes_first_and_one_failure_stops_no_other(app) {
    // A company not linked yet, whose changes came first: its round clears its marks, and that
    // write fails (injected in the database).
    let broken = app.seed_company("Broken").await;
    app.enable_camera(&broken).await;
    app.graphql_ok(&broken.admin_token, "mutation { updateCompanySettings(input: { autoSync: true }) { autoSync } }", json!({})).await;
    let id = app.create_employee(&broken.admin_token, json!({ "employeeCode": "B1", "fullName": "Bảo" })).await;
    app.graphql_ok(&broken.admin_token, "mutation($id: ID!) { updateEmployee(id: $id, input: { title: \"Lead\" }) { id } }", json!({ "id": id })).await;
    // A linked company whose two employees changed later, one after the other.
    let company = ready_company(&app, 2).await;
    let token = &company.admin_token;
    app.graphql_ok(token, "mutation { updateCompanySettings(input: { autoSync: true }) { autoSync } }", json!({})).await;
    for code in ["E000", "E001"] {
        let list = app.graphql_ok(token, "query($c: String) { employees(first: 1, filter: { employeeCode: $c }) { edges { node { id } } } }", json!({ "c": code })).await;
        let id = list["employees"]["edges"][0]["node"]["id"].clone();
        tokio::time::sleep(Duration::from_millis(20)).await;
        app.graphql_ok(token, "mutation($id: ID!) { updateEmployee(id: $id, input: { title: \"Lead\" }) { id } }", json!({ "id": id })).await;
    }
    fail_employee_writes_of(&app, &broken.admin_email).await;
    let round = timekeeping::sync::auto::Round { companies: 10, employees_per_company: 1 };
    let queued = timekeeping::sync::auto::queue_due(&app.state, Duration::ZERO, round).await.unwrap_or_else(|e| panic!("{}", e.message()));
    assert_eq!(queued, 1, "the failing company does not stop the other");
    const JOBS: &str = "{ syncJobs(first: 5) { edges { node { kind total createdBy { email } items(first: 5) { edges { node { label } } } } } } }";
    let jobs = app.graphql_ok(token, JOBS, json!({})).await;
    let edges = jobs["syncJobs"]["edges"].as_array().expect("jobs");
    let auto: Vec<&serde_json::Value> = edges.iter().filter(|e| e["node"]["createdBy"].is_null()).collect();
    assert_eq!(auto.len(), 1, "{jobs}");
    assert_eq!(auto[0]["node"]["total"], 1, "a bounded number per company: {jobs}");
    let label = auto[0]["node"]["items"]["edges"][0]["node"]["label"].as_str().unwrap_or_default();
    assert!(label.contains("E000"), "the employee changed first goes first: {jobs}");
});
