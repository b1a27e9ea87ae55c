//! Timesheet exports: the CSV and the XLSX of a seeded month read back, Vietnamese names
//! intact, a column per day; downloads without a token or from another company are refused.

use std::io::Cursor;

use calamine::{Reader, Xlsx};
use serde_json::json;

use super::{check_in, complete_until, hr_company, office, schedule};
use crate::app_test;

const EXPORT: &str = "mutation($f: ExportFormat) { exportTimesheet(month: \"2026-10\", format: $f) { url expiresAt rowCount } }";

app_test!(async fn csv_and_xlsx_exports_read_back_and_stay_in_their_company(app) {
    let people = [("E1", "Nguyễn Văn An", Some("Kế toán")), ("E2", "Đặng Thị Giang", Some("Kho vận")), ("E3", "Bùi Hải", None)];
    let (company, _) = hr_company(&app, &people).await;
    let token = &company.admin_token;
    let office_id = schedule(&app, token, office()).await;
    app.graphql_ok(token, "mutation($id: ID!) { setDefaultWorkSchedule(scheduleId: $id) { schedule { id } } }", json!({ "id": office_id })).await;
    check_in(&app, &[("E1", "2026-10-05T08:00:00+07:00"), ("E1", "2026-10-05T17:00:00+07:00"), ("E2", "2026-10-05T08:30:00+07:00"), ("E2", "2026-10-05T17:00:00+07:00")]).await;
    complete_until(&app, &company, "2026-10-31T00:00:00Z").await;
    let client = reqwest::Client::new();

    let csv_export = app.graphql_ok(token, EXPORT, json!({ "f": "CSV" })).await;
    assert_eq!(csv_export["exportTimesheet"]["rowCount"], 3);
    let url = csv_export["exportTimesheet"]["url"].as_str().expect("url").to_owned();
    let response = client.get(&url).bearer_auth(token).send().await.expect("download");
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.expect("body");
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "UTF-8 with a byte-order mark");
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(&bytes[3..]);
    let header = reader.headers().expect("header").clone();
    assert_eq!(&header[0], "Employee ID");
    assert_eq!(&header[3], "01");
    assert_eq!(&header[33], "31", "a column per day of October");
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let e1 = records.iter().find(|r| &r[0] == "E1").expect("E1");
    assert_eq!((&e1[1], &e1[2]), ("Nguyễn Văn An", "Kế toán"));
    assert_eq!(&e1[3 + 4], "X", "present on the 5th");
    assert_eq!(&e1[3 + 5], "A", "absent on the 6th");
    let e2 = records.iter().find(|r| &r[0] == "E2").expect("E2");
    assert_eq!((&e2[1], &e2[3 + 4]), ("Đặng Thị Giang", "L"));
    assert_eq!(records.len(), 3, "one table: a row per employee and nothing after it");

    let xlsx_export = app.graphql_ok(token, EXPORT, json!({ "f": "XLSX" })).await;
    let url = xlsx_export["exportTimesheet"]["url"].as_str().expect("url").to_owned();
    let response = client.get(&url).bearer_auth(token).send().await.expect("download");
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.expect("body").to_vec();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("an XLSX file");
    let names = book.sheet_names();
    assert_eq!(names.first().map(String::as_str), Some("Summary"));
    for expected in ["Kế toán", "Kho vận", "No department", "Legend"] {
        assert!(names.iter().any(|n| n == expected), "{expected} in {names:?}");
    }
    let summary = book.worksheet_range("Summary").expect("summary");
    let rows: Vec<Vec<String>> = summary.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows.len(), 4, "header and three employees");
    let e1 = rows.iter().find(|r| r[0] == "E1").expect("E1");
    assert_eq!((e1[1].as_str(), e1[3 + 4].as_str(), e1[3 + 5].as_str()), ("Nguyễn Văn An", "X", "A"));
    let sheet = book.worksheet_range("Kho vận").expect("department sheet");
    assert_eq!(sheet.rows().count(), 2, "header and its one employee");

    // Without a token, or with another company's: refused.
    let response = client.get(&url).send().await.expect("download");
    assert_eq!(response.status(), 401);
    let other = app.seed_company("Other").await;
    let response = client.get(&url).bearer_auth(&other.admin_token).send().await.expect("download");
    assert_eq!(response.status(), 404);
});
