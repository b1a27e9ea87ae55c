//! Creating, changing, filtering and paging employees.

use serde_json::{Value, json};

use crate::{app_test, helpers::error_code};

const LIST: &str = "query($f: EmployeeFilter, $first: Int, $after: String) {
  employees(filter: $f, first: $first, after: $after) {
    totalCount
    edges { cursor node { employeeCode fullName workStatus department { name } } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}";

fn codes(data: &Value) -> Vec<String> {
    data["employees"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["employeeCode"].as_str().expect("code").to_owned())
        .collect()
}

app_test!(async fn a_duplicate_employee_code_is_a_conflict(app) {
    let company = app.seed_company("Acme").await;
    let token = &company.admin_token;
    app.create_employee(token, json!({ "employeeCode": "NV001", "fullName": "An" })).await;
    let body = app
        .graphql(Some(token), "mutation { createEmployee(input: { employeeCode: \"nv001\", fullName: \"Binh\" }) { id } }", json!({}))
        .await;
    assert_eq!(error_code(&body), "CONFLICT", "codes are unique regardless of case");
    let second = app.create_employee(token, json!({ "employeeCode": "NV002", "fullName": "Binh" })).await;
    let body = app
        .graphql(Some(token), "mutation($id: ID!) { updateEmployee(id: $id, input: { employeeCode: \"NV001\" }) { id } }", json!({ "id": second }))
        .await;
    assert_eq!(error_code(&body), "CONFLICT");
    let body = app.graphql(Some(token), "mutation { createEmployee(input: { employeeCode: \"bad code!\", fullName: \"X\" }) { id } }", json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "employeeCode");
    let data = app.graphql_ok(token, "{ employees { totalCount } }", json!({})).await;
    assert_eq!(data["employees"]["totalCount"], 2);
});

app_test!(async fn update_changes_only_the_given_fields(app) {
    let company = app.seed_company("Acme").await;
    let token = &company.admin_token;
    let sales = app.create_department(token, "Sales").await;
    let id = app
        .create_employee(token, json!({ "employeeCode": "E1", "fullName": "An", "email": "an@acme.test", "title": "Clerk", "departmentId": sales }))
        .await;
    let data = app
        .graphql_ok(
            token,
            "mutation($id: ID!) { updateEmployee(id: $id, input: { title: \"Manager\", email: null, workStatus: RESIGNED }) { fullName email title workStatus department { name } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        data["updateEmployee"],
        json!({ "fullName": "An", "email": null, "title": "Manager", "workStatus": "RESIGNED", "department": { "name": "Sales" } })
    );
});

async fn seed_filter_fixture(app: &crate::helpers::TestApp, token: &str) -> (String, String) {
    let sales = app.create_department(token, "Sales").await;
    let ops = app.create_department(token, "Ops").await;
    for (code, name, status, dept) in [
        ("E01", "Nguyễn Văn An", "WORKING", &sales),
        ("E02", "Trần Thị Bình", "WORKING", &ops),
        ("E03", "Lê Đức Cường", "RESIGNED", &sales),
        ("E04", "Phạm Minh Dũng", "UNPAID_LEAVE", &ops),
        ("E05", "Nguyen Hoa", "MATERNITY_LEAVE", &sales),
    ] {
        app.create_employee(token, json!({ "employeeCode": code, "fullName": name, "workStatus": status, "departmentId": dept })).await;
    }
    (sales, ops)
}

app_test!(async fn each_filter_narrows_the_list(app) {
    let company = app.seed_company("Acme").await;
    let token = &company.admin_token;
    let (sales, ops) = seed_filter_fixture(&app, token).await;

    let by_dept = app.graphql_ok(token, LIST, json!({ "f": { "departmentIds": [sales] } })).await;
    assert_eq!(codes(&by_dept), ["E01", "E03", "E05"]);
    assert_eq!(by_dept["employees"]["totalCount"], 3);

    let by_status = app.graphql_ok(token, LIST, json!({ "f": { "workStatuses": ["WORKING", "UNPAID_LEAVE"] } })).await;
    assert_eq!(codes(&by_status), ["E01", "E02", "E04"]);

    let by_code = app.graphql_ok(token, LIST, json!({ "f": { "employeeCode": "e04" } })).await;
    assert_eq!(codes(&by_code), ["E04"]);

    // Search ignores case and Vietnamese diacritics, and matches codes too.
    let search = app.graphql_ok(token, LIST, json!({ "f": { "search": "NGUYEN" } })).await;
    assert_eq!(codes(&search), ["E01", "E05"]);
    let search = app.graphql_ok(token, LIST, json!({ "f": { "search": "đức" } })).await;
    assert_eq!(codes(&search), ["E03"]);
    let search = app.graphql_ok(token, LIST, json!({ "f": { "search": "e0" } })).await;
    assert_eq!(search["employees"]["totalCount"], 5);
    let search = app.graphql_ok(token, LIST, json!({ "f": { "search": "%" } })).await;
    assert_eq!(search["employees"]["totalCount"], 0, "LIKE wildcards are matched literally");

    let combined = app
        .graphql_ok(token, LIST, json!({ "f": { "departmentIds": [ops], "workStatuses": ["WORKING"], "search": "binh" } }))
        .await;
    assert_eq!(codes(&combined), ["E02"]);

    let bad = app.graphql(Some(token), LIST, json!({ "f": { "departmentIds": ["not-an-id"] } })).await;
    assert_eq!(error_code(&bad), "BAD_USER_INPUT");
});

app_test!(async fn pages_follow_cursors_with_a_total(app) {
    let company = app.seed_company("Acme").await;
    let token = &company.admin_token;
    seed_filter_fixture(&app, token).await;

    let page1 = app.graphql_ok(token, LIST, json!({ "first": 2 })).await;
    assert_eq!(codes(&page1), ["E01", "E02"]);
    assert_eq!(page1["employees"]["totalCount"], 5);
    assert_eq!(page1["employees"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(page1["employees"]["pageInfo"]["hasPreviousPage"], false);
    let after = page1["employees"]["pageInfo"]["endCursor"].clone();

    let page2 = app.graphql_ok(token, LIST, json!({ "first": 2, "after": after })).await;
    assert_eq!(codes(&page2), ["E03", "E04"]);
    assert_eq!(page2["employees"]["pageInfo"]["hasPreviousPage"], true);
    let after = page2["employees"]["pageInfo"]["endCursor"].clone();

    let page3 = app.graphql_ok(token, LIST, json!({ "first": 2, "after": after })).await;
    assert_eq!(codes(&page3), ["E05"]);
    assert_eq!(page3["employees"]["pageInfo"]["hasNextPage"], false);
    assert_eq!(page3["employees"]["totalCount"], 5);

    let filtered = app.graphql_ok(token, LIST, json!({ "first": 1, "f": { "workStatuses": ["WORKING"] } })).await;
    assert_eq!(codes(&filtered), ["E01"]);
    assert_eq!(filtered["employees"]["totalCount"], 2);

    let bad = app.graphql(Some(token), LIST, json!({ "after": "garbage" })).await;
    assert_eq!(error_code(&bad), "BAD_USER_INPUT");
    let bad = app.graphql(Some(token), LIST, json!({ "first": 1000 })).await;
    assert_eq!(error_code(&bad), "BAD_USER_INPUT");
});

app_test!(async fn departments_of_a_page_load_in_constant_statements(app) {
    let company = app.seed_company("Acme").await;
    let token = &company.admin_token;
    let mut departments = Vec::new();
    for i in 0..10 {
        departments.push(app.create_department(token, &format!("Dept {i}")).await);
    }
    for i in 0..120 {
        app.create_employee(token, json!({ "employeeCode": format!("E{i:03}"), "fullName": format!("Person {i}"), "departmentId": departments[i % 10] }))
            .await;
    }
    let query = "query($n: Int) { employees(first: $n) { edges { node { employeeCode department { name } } } } }";
    let mut counts = Vec::new();
    // The counter is the server's: its background loops (the job runner's poll, leases, the
    // absences pass) add to it at any moment, never take away. The fewest statements over a few
    // runs is the request's own.
    for n in [5, 100] {
        let mut fewest = u64::MAX;
        for _ in 0..5 {
            let before = app.state.sql_statement_count();
            let data = app.graphql_ok(token, query, json!({ "n": n })).await;
            fewest = fewest.min(app.state.sql_statement_count() - before);
            let edges = data["employees"]["edges"].as_array().expect("edges");
            assert_eq!(edges.len(), n);
            assert!(edges.iter().all(|e| e["node"]["department"]["name"].as_str().is_some_and(|d| d.starts_with("Dept "))));
        }
        counts.push(fewest);
    }
    assert_eq!(counts[0], counts[1], "statements must not grow with the page size: {counts:?}");
    assert!(counts[1] <= 2, "one query for the page, one for its departments: {counts:?}");
});
