//! Every input is bounded before it reaches the database: lists and strings in any argument,
//! the writes one operation may carry, and the `operations` part of an upload (bounded like a
//! JSON body). Each answers a stable code naming the field, never `INTERNAL`.

use serde_json::{Value, json};

use crate::{app_test, helpers::error_code};

const ASSIGN: &str = "mutation($ids: [ID!]) { assignWorkSchedule(input: { scheduleId: \"00000000-0000-0000-0000-000000000000\", employeeIds: $ids, from: \"2026-01-01\" }) { recomputed { days } } }";

app_test!(async fn oversized_lists_strings_and_write_counts_are_refused_naming_the_field(app) {
    let company = app.seed_company("Acme").await;
    let token = &company.admin_token;
    let ids: Vec<String> = (0..1001).map(|i| format!("{i}")).collect();
    let body = app.graphql(Some(token), ASSIGN, json!({ "ids": ids })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "assignWorkSchedule.input.employeeIds", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["limit"], 1000);

    let search = "x".repeat(201);
    let body = app.graphql(Some(token), "query($s: String) { employees(filter: { search: $s }) { totalCount } }", json!({ "s": search })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "filter.search", "{body}");
    let body = app.graphql(Some(token), "query($s: String) { employees(filter: { search: $s }) { totalCount } }", json!({ "s": "x".repeat(5000) })).await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "employees.filter.search", "{body}");

    let writes: String = (0..21).map(|i| format!("d{i}: createDepartment(input: {{ name: \"D{i}\" }}) {{ id }} ")).collect();
    let body = app.graphql(Some(token), &format!("mutation {{ {writes} }}"), json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    let departments = app.graphql_ok(token, "{ departments { id } }", json!({})).await;
    assert_eq!(departments["departments"].as_array().map(Vec::len), Some(0), "nothing was written");
    // Twenty are fine.
    let writes: String = (0..20).map(|i| format!("d{i}: createDepartment(input: {{ name: \"D{i}\" }}) {{ id }} ")).collect();
    app.graphql_ok(token, &format!("mutation {{ {writes} }}"), json!({})).await;
});

app_test!(async fn an_uploads_operations_part_is_bounded_like_a_json_body(app) {
    let company = app.seed_company("Acme").await;
    let ids: Vec<String> = (0..40_000).map(|i| format!("{i}")).collect();
    let operations = json!({
        "query": "mutation($f: Upload!, $ids: [ID!]) { importEmployees(file: $f) { created } assignWorkSchedule(input: { scheduleId: \"x\", employeeIds: $ids, from: \"2026-01-01\" }) { recomputed { days } } }",
        "variables": { "f": null, "ids": ids },
    });
    let response = app
        .upload(&company.admin_token, operations["query"].as_str().expect("query"), operations["variables"].clone(),
            vec![("variables.f", "e.csv", b"employee_code,full_name\nA,B\n".to_vec())])
        .await;
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["errors"][0]["extensions"]["code"], "PAYLOAD_TOO_LARGE", "{body}");
    let employees = app.graphql_ok(&company.admin_token, "{ employees { totalCount } }", json!({})).await;
    assert_eq!(employees["employees"]["totalCount"], 0, "the import did not run");
});
