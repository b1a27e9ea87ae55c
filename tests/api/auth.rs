//! Login, roles and company scoping.

use serde_json::json;

use crate::{
    app_test,
    helpers::{PASSWORD, error_code},
};

app_test!(async fn login_with_a_bad_password_is_unauthenticated(app) {
    let company = app.seed_company("Acme").await;
    let body = app
        .graphql(None, "mutation($e: String!) { login(email: $e, password: \"wrong password\") { token } }", json!({ "e": company.admin_email }))
        .await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
    let unknown = app
        .graphql(None, "mutation { login(email: \"nobody@example.test\", password: \"whatever1\") { token } }", json!({}))
        .await;
    assert_eq!(error_code(&unknown), "UNAUTHENTICATED");
    assert_eq!(body["errors"][0]["message"], unknown["errors"][0]["message"], "both failures look alike");
});

app_test!(async fn login_is_case_insensitive_and_me_returns_the_user(app) {
    let company = app.seed_company("Acme").await;
    let token = app.login(&company.admin_email.to_uppercase(), PASSWORD).await;
    let data = app.graphql_ok(&token, "{ me { email role company { name cameraTimekeepingEnabled } } }", json!({})).await;
    assert_eq!(data["me"]["email"], company.admin_email);
    assert_eq!(data["me"]["role"], "ADMIN");
    assert_eq!(data["me"]["company"]["name"], "Acme");
    assert_eq!(data["me"]["company"]["cameraTimekeepingEnabled"], false);
});

app_test!(async fn requests_without_a_valid_token_are_unauthenticated(app) {
    let body = app.graphql(None, "{ employees { totalCount } }", json!({})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
    let forged = app.graphql(Some("not.a.jwt"), "{ me { id } }", json!({})).await;
    assert_eq!(error_code(&forged), "UNAUTHENTICATED");
    // A token signed with another secret, or with `alg: none`, is refused.
    let none_alg = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIwMWEyMTI2ZS0xZDY5LTcxODctYTZjZC1iNGRlOWJiZTI0YjkiLCJyb2xlIjoiQURNSU4iLCJpc3MiOiJ0aW1la2VlcGluZyIsImF1ZCI6InRpbWVrZWVwaW5nLWFwaSIsImlhdCI6MTc5NTYwNTUzOCwiZXhwIjo0MTAyNDQ0ODAwfQ.";
    let body = app.graphql(Some(none_alg), "{ me { id } }", json!({})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
});

app_test!(async fn a_viewer_can_read_but_not_create(app) {
    let company = app.seed_company("Acme").await;
    let viewer = app.user_token(&company, "VIEWER").await;
    let body = app
        .graphql(Some(&viewer), "mutation { createEmployee(input: { employeeCode: \"E1\", fullName: \"Ann\" }) { id } }", json!({}))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let body = app.graphql(Some(&viewer), "mutation { createDepartment(input: { name: \"Ops\" }) { id } }", json!({})).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let data = app.graphql_ok(&viewer, "{ employees { totalCount } }", json!({})).await;
    assert_eq!(data["employees"]["totalCount"], 0);
    let hr = app.user_token(&company, "HR").await;
    app.create_employee(&hr, json!({ "employeeCode": "E1", "fullName": "Ann" })).await;
    let body = app
        .graphql(Some(&hr), "mutation { createUser(input: { email: \"x@example.test\", password: \"long enough\", role: ADMIN }) { id } }", json!({}))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "only admins create users");
});

app_test!(async fn another_companys_ids_are_not_found(app) {
    let a = app.seed_company("Company A").await;
    let b = app.seed_company("Company B").await;
    let employee = app.create_employee(&a.admin_token, json!({ "employeeCode": "A-1", "fullName": "Alice" })).await;
    let department = app.create_department(&a.admin_token, "Sales").await;

    let body = app.graphql(Some(&b.admin_token), "query($id: ID!) { employee(id: $id) { fullName } }", json!({ "id": employee })).await;
    assert_eq!(error_code(&body), "NOT_FOUND");
    let body = app
        .graphql(Some(&b.admin_token), "mutation($id: ID!) { updateEmployee(id: $id, input: { fullName: \"Mallory\" }) { id } }", json!({ "id": employee }))
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND");
    let body = app
        .graphql(Some(&b.admin_token), "mutation($d: ID!) { createEmployee(input: { employeeCode: \"B-1\", fullName: \"Bob\", departmentId: $d }) { id } }", json!({ "d": department }))
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND");
    let data = app.graphql_ok(&b.admin_token, "{ employees { totalCount } departments { id } }", json!({})).await;
    assert_eq!(data["employees"]["totalCount"], 0);
    assert_eq!(data["departments"], json!([]));
    // A still sees its employee unchanged.
    let data = app.graphql_ok(&a.admin_token, "query($id: ID!) { employee(id: $id) { fullName } }", json!({ "id": employee })).await;
    assert_eq!(data["employee"]["fullName"], "Alice");
});

app_test!(async fn only_a_platform_operator_switches_camera_timekeeping(app) {
    let company = app.seed_company("Acme").await;
    let query = "mutation($c: ID!, $on: Boolean!) { setCameraTimekeeping(companyId: $c, enabled: $on) { cameraTimekeepingEnabled } }";
    let vars = json!({ "c": company.id.to_string(), "on": true });
    let body = app.graphql(Some(&company.admin_token), query, vars.clone()).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let operator = app.operator_token().await;
    let data = app.graphql_ok(&operator, query, vars).await;
    assert_eq!(data["setCameraTimekeeping"]["cameraTimekeepingEnabled"], true);
    let data = app.graphql_ok(&company.admin_token, "{ company { cameraTimekeepingEnabled } }", json!({})).await;
    assert_eq!(data["company"]["cameraTimekeepingEnabled"], true);
    let body = app.graphql(Some(&operator), "{ employees { totalCount } }", json!({})).await;
    assert_eq!(error_code(&body), "FORBIDDEN", "operators see no company data");
});
