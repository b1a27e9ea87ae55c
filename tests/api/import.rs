//! `importEmployees`: CSV rows applied one by one, a bad row failing alone.

use serde_json::{Value, json};

use crate::app_test;

const IMPORT: &str = "mutation($f: Upload!) { importEmployees(file: $f) { created updated failed results { line employeeCode status errorCode message employee { fullName workStatus department { name } } } } }";

async fn import(app: &crate::helpers::TestApp, token: &str, csv: &str) -> Value {
    let response = app
        .upload(
            token,
            IMPORT,
            json!({ "f": null }),
            vec![("variables.f", "employees.csv", csv.as_bytes().to_vec())],
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON");
    assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
    body["data"]["importEmployees"].clone()
}

app_test!(async fn a_malformed_row_fails_alone_and_the_others_are_imported(app) {
    let company = app.seed_company("Acme").await;
    let token = &company.admin_token;
    let csv = "\u{feff}employee_code,full_name,email,title,department,work_status\n\
               NV001,Nguyễn Văn An,an@acme.test,Engineer,Engineering,WORKING\n\
               NV002,,binh@acme.test,Clerk,Sales,WORKING\n\
               NV003,Lê Cường,not-an-email,Clerk,Sales,WORKING\n\
               NV004,Phạm Dũng,,Driver,Logistics,on holiday\n\
               NV005,Trần Thị Bình,,Accountant,Sales,unpaid leave\n\
               NV001,Duplicate Row,,,,\n";
    let result = import(&app, token, csv).await;
    assert_eq!(result["created"], 2);
    assert_eq!(result["updated"], 1, "a repeated code updates the employee created above");
    assert_eq!(result["failed"], 3);
    let rows = result["results"].as_array().expect("results");
    let summary: Vec<(u64, &str, &str)> = rows
        .iter()
        .map(|r| (r["line"].as_u64().unwrap_or(0), r["employeeCode"].as_str().unwrap_or(""), r["status"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        summary,
        [(2, "NV001", "CREATED"), (3, "NV002", "FAILED"), (4, "NV003", "FAILED"), (5, "NV004", "FAILED"), (6, "NV005", "CREATED"), (7, "NV001", "UPDATED")]
    );
    assert_eq!(rows[1]["errorCode"], "BAD_USER_INPUT");
    assert!(rows[1]["message"].as_str().unwrap_or("").contains("fullName"), "{}", rows[1]);
    assert!(rows[2]["message"].as_str().unwrap_or("").contains("email"), "{}", rows[2]);
    assert!(rows[3]["message"].as_str().unwrap_or("").contains("work_status"), "{}", rows[3]);
    assert_eq!(rows[4]["employee"]["workStatus"], "UNPAID_LEAVE");
    assert_eq!(rows[5]["employee"]["fullName"], "Duplicate Row");
    assert_eq!(rows[5]["employee"]["department"]["name"], "Engineering", "empty cells keep values");

    let data = app
        .graphql_ok(token, "{ employees { totalCount edges { node { employeeCode } } } departments { name } }", json!({}))
        .await;
    assert_eq!(data["employees"]["totalCount"], 2);
    let departments: Vec<&str> = data["departments"].as_array().expect("list").iter().filter_map(|d| d["name"].as_str()).collect();
    assert_eq!(departments, ["Engineering", "Sales"], "departments of failed rows are not left behind");
});

app_test!(async fn a_file_without_the_required_header_is_refused(app) {
    let company = app.seed_company("Acme").await;
    let response = app
        .upload(&company.admin_token, IMPORT, json!({ "f": null }), vec![("variables.f", "x.csv", b"code,name\nA,B\n".to_vec())])
        .await;
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(crate::helpers::error_code(&body), "BAD_USER_INPUT");
});
