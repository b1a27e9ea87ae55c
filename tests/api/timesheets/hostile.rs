//! Exports safe to open: hostile names and department names read back as text from the CSV
//! (one table, formulas escaped) and the XLSX (valid, distinct sheet names); a company with
//! more departments than the workbook holds gets the summary sheet with a note; downloads are
//! the preparer's own, exports are throttled per user, audited, and swept once expired.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::{Duration, Utc};
use entity::timesheet_export;
use sea_orm::{EntityTrait, PaginatorTrait, sea_query::Expr};
use serde_json::{Value, json};

use super::{hr_company, office, schedule};
use crate::{
    app_test,
    helpers::{TestApp, error_code},
};

const EXPORT: &str = "mutation($f: ExportFormat) { exportTimesheet(month: \"2026-10\", format: $f) { url rowCount } }";
const IMPORT: &str = "mutation($f: Upload!) { importEmployees(file: $f) { created failed } }";

async fn download(app: &TestApp, token: &str, format: &str) -> Vec<u8> {
    let export = app.graphql_ok(token, EXPORT, json!({ "f": format })).await;
    let url = export["exportTimesheet"]["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let response = reqwest::Client::new()
        .get(&url)
        .bearer_auth(token)
        .send()
        .await
        .expect("download");
    assert_eq!(response.status(), 200);
    response.bytes().await.expect("body").to_vec()
}

async fn import(app: &TestApp, token: &str, rows: &[(String, String)]) {
    let mut csv = String::from("employee_code,full_name,department\n");
    for (i, (name, department)) in rows.iter().enumerate() {
        csv.push_str(&format!(
            "H{i:04},\"{}\",\"{}\"\n",
            name.replace('"', "\"\""),
            department.replace('"', "\"\"")
        ));
    }
    let response = app
        .upload(
            token,
            IMPORT,
            json!({ "f": null }),
            vec![("variables.f", "staff.csv", csv.into_bytes())],
        )
        .await;
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["data"]["importEmployees"]["failed"], 0, "{body:#}");
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        other => other.to_string(),
    }
}

app_test!(async fn hostile_names_read_back_as_text_from_csv_and_xlsx(app) {
    let (company, _) = hr_company(&app, &[]).await;
    let token = &company.admin_token;
    let hostile = ["=HYPERLINK(\"http://evil.example\",\"pay\")", "+1+2", "-3", "@SUM(A1)", "\tTab", "\rCR", "Nguyễn Văn An"];
    let departments = ["'Kho", "Kế toán", "KẾ TOÁN", "=cmd|' /C calc'!A0", "[Kho]:*?/\\", "Phòng Kế toán và Tài chính Khu vực Miền Nam", "Phòng Kế toán và Tài chính Khu vực Miền Bắc"];
    let rows: Vec<(String, String)> = hostile.iter().zip(departments).map(|(n, d)| ((*n).to_owned(), d.to_owned())).collect();
    import(&app, token, &rows).await;
    let office_id = schedule(&app, token, office()).await;
    app.graphql_ok(token, "mutation($id: ID!) { setDefaultWorkSchedule(scheduleId: $id) { schedule { id } } }", json!({ "id": office_id })).await;

    let bytes = download(&app, token, "CSV").await;
    let mut reader = csv::ReaderBuilder::new().from_reader(&bytes[3..]);
    let header = reader.headers().expect("header").clone();
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("every line has the header's width")).collect();
    assert_eq!(records.len(), hostile.len(), "a header and one row per employee, nothing after it");
    assert!(records.iter().all(|r| r.len() == header.len()));
    // Names are stored trimmed (a leading tab or CR does not survive the import).
    for (name, department) in &rows {
        let name = &name.trim().to_owned();
        let row = records.iter().find(|r| r[1].trim_start_matches('\'') == name.as_str()).unwrap_or_else(|| panic!("{name:?} in the CSV"));
        let formula = name.starts_with(['=', '+', '-', '@', '\t', '\r']);
        assert_eq!(&row[1], if formula { format!("'{name}") } else { name.clone() }, "the name cannot run as a formula");
        let department_formula = department.starts_with(['=', '+', '-', '@', '\t', '\r']);
        assert_eq!(&row[2], if department_formula { format!("'{department}") } else { department.clone() });
    }

    let bytes = download(&app, token, "XLSX").await;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("a valid XLSX file");
    let names = book.sheet_names();
    assert_eq!(names.len(), 2 + departments.len(), "{names:?}");
    let folded: std::collections::HashSet<String> = names.iter().map(|n| n.to_lowercase()).collect();
    assert_eq!(folded.len(), names.len(), "distinct ignoring case: {names:?}");
    for name in &names {
        assert!(name.encode_utf16().count() <= 31 && !name.starts_with('\'') && !name.contains(['[', ']', ':', '*', '?', '/', '\\']), "{name:?}");
    }
    let summary = book.worksheet_range("Summary").expect("summary");
    for name in hostile {
        assert!(summary.rows().any(|r| r.get(1).map(cell_text).as_deref() == Some(name.trim())), "{name:?} kept as a string cell");
    }
});

app_test!(async fn a_hundred_departments_with_one_long_prefix_get_distinct_sheets(app) {
    let (company, _) = hr_company(&app, &[]).await;
    let token = &company.admin_token;
    let prefix = "Chi nhánh Thành phố Hồ Chí Minh số";
    let rows: Vec<(String, String)> = (0..120).map(|i| (format!("Người {i}"), format!("{prefix} {i:03}"))).collect();
    import(&app, token, &rows).await;
    let bytes = download(&app, token, "XLSX").await;
    let book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("a valid XLSX file");
    let names = book.sheet_names();
    assert_eq!(names.len(), 122, "summary, 120 departments, legend");
    let distinct: std::collections::HashSet<String> = names.iter().map(|n| n.to_lowercase()).collect();
    assert_eq!(distinct.len(), 122);
    assert!(names.iter().all(|n| n.encode_utf16().count() <= 31), "{names:?}");
});

app_test!(async fn more_departments_than_sheets_give_the_summary_with_a_note(app) {
    let (company, _) = hr_company(&app, &[]).await;
    let token = &company.admin_token;
    let rows: Vec<(String, String)> = (0..260).map(|i| (format!("Người {i}"), format!("Tổ {i:03}"))).collect();
    import(&app, token, &rows).await;
    let bytes = download(&app, token, "XLSX").await;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("a valid XLSX file");
    assert_eq!(book.sheet_names(), vec!["Summary".to_owned(), "Legend".to_owned()]);
    let summary = book.worksheet_range("Summary").expect("summary");
    let texts: Vec<String> = summary.rows().filter_map(|r| r.first().map(cell_text)).collect();
    assert_eq!(texts.iter().filter(|t| t.starts_with('H')).count(), 260, "everyone on the summary");
    assert!(texts.last().is_some_and(|t| t.starts_with("Note: the company has 260 departments")), "{:?}", texts.last());
});

app_test!(async fn an_export_is_its_preparers_throttled_audited_and_swept(app) {
    let (company, _) = hr_company(&app, &[("E1", "An", None)]).await;
    let token = &company.admin_token;
    let export = app.graphql_ok(token, EXPORT, json!({ "f": "CSV" })).await;
    let url = export["exportTimesheet"]["url"].as_str().expect("url").to_owned();
    // Another user of the same company cannot use the URL.
    let hr = app.user_token(&company, "HR").await;
    let client = reqwest::Client::new();
    let response = client.get(&url).bearer_auth(&hr).send().await.expect("download");
    assert_eq!(response.status(), 404);
    assert_eq!(client.get(&url).bearer_auth(token).send().await.expect("download").status(), 200);

    // Ten a minute per user, then RATE_LIMITED with the seconds to wait; others unaffected.
    for _ in 0..9 {
        app.graphql_ok(token, EXPORT, json!({ "f": "CSV" })).await;
    }
    let refused = app.graphql(Some(token), EXPORT, json!({ "f": "CSV" })).await;
    assert_eq!(error_code(&refused), "RATE_LIMITED", "{refused}");
    let wait = refused["errors"][0]["extensions"]["retryAfterSeconds"].as_u64().expect("retryAfterSeconds");
    assert!((1..=60).contains(&wait), "{refused}");
    app.graphql_ok(&hr, EXPORT, json!({ "f": "XLSX" })).await;

    // Audited: who, month, format, filter; and the createUser of the HR login.
    let audit = app.graphql_ok(token, "{ auditLog(filter: { actions: [TIMESHEET_EXPORTED, USER_CREATED] }, first: 50) { edges { node { action actorId changes } } } }", json!({})).await;
    let lines: Vec<Value> = audit["auditLog"]["edges"].as_array().expect("lines").iter().map(|e| e["node"].clone()).collect();
    assert_eq!(lines.iter().filter(|l| l["action"] == "TIMESHEET_EXPORTED").count(), 11, "{lines:#?}");
    assert!(lines.iter().any(|l| l["action"] == "USER_CREATED" && l["changes"]["role"] == "HR"), "{lines:#?}");
    assert!(lines.iter().any(|l| l["action"] == "TIMESHEET_EXPORTED" && l["changes"]["month"] == "2026-10" && l["changes"]["format"] == "XLSX" && l["changes"]["filter"].is_object()), "{lines:#?}");

    // Expired exports are deleted by the sweep.
    timesheet_export::Entity::update_many().col_expr(timesheet_export::Column::ExpiresAt, Expr::value(Utc::now() - Duration::minutes(1)))
        .exec(&app.state.db).await.expect("expire");
    assert_eq!(timekeeping::timesheets::sweep(&app.state.db).await.expect("sweep"), 11);
    assert_eq!(timesheet_export::Entity::find().count(&app.state.db).await.expect("count"), 0);
    assert_eq!(client.get(&url).bearer_auth(token).send().await.expect("download").status(), 404);
});
