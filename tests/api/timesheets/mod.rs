//! Work schedules, absences, corrections and timesheets (design §8), through the GraphQL API
//! with check-ins fed through `hanet-sim`'s webhook.

mod audit;
mod corrections;
mod exports;
mod history;
mod hostile;
mod lock;
mod onboarding;
mod races;
mod rules;
mod trust;

use chrono::{DateTime, Utc};
use entity::{company, employee};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};

use crate::{
    attendance::{at, deliver_to, seed},
    helpers::{Company, TestApp},
};

/// A company with camera timekeeping on, Hanet linked, place 1001 selected, check-ins
/// delivered by webhook, and these employees (code, name, department name), all employed since
/// 2026-09-01 (the company's attendance starts then).
pub async fn hr_company(
    app: &TestApp,
    people: &[(&str, &str, Option<&str>)],
) -> (Company, Vec<String>) {
    let company = app.seed_company("Acme").await;
    app.enable_camera(&company).await;
    app.link_hanet(&company).await;
    app.graphql_ok(
        &company.admin_token,
        "mutation { selectHanetPlace(placeId: \"1001\") { accountEmail } }",
        json!({}),
    )
    .await;
    deliver_to(app).await;
    let mut departments: Vec<(String, String)> = Vec::new();
    let mut ids = Vec::new();
    for (code, name, department) in people {
        let department_id = match department {
            Some(d) => match departments.iter().find(|(n, _)| n == d) {
                Some((_, id)) => Some(id.clone()),
                None => {
                    let id = app.create_department(&company.admin_token, d).await;
                    departments.push(((*d).to_owned(), id.clone()));
                    Some(id)
                }
            },
            None => None,
        };
        let id = app
            .create_employee(
                &company.admin_token,
                json!({ "employeeCode": code, "fullName": name, "departmentId": department_id }),
            )
            .await;
        ids.push(id);
    }
    let since: DateTime<Utc> = "2026-09-01T00:00:00Z".parse().expect("time");
    employee::Entity::update_many()
        .col_expr(employee::Column::CreatedAt, Expr::value(since))
        .filter(employee::Column::CompanyId.eq(company.id))
        .exec(&app.state.db)
        .await
        .expect("backdate employees");
    company::Entity::update_many()
        .col_expr(
            company::Column::AttendanceStartedAt,
            Expr::value(Some(since)),
        )
        .filter(company::Column::Id.eq(company.id))
        .exec(&app.state.db)
        .await
        .expect("backdate the company's attendance");
    (company, ids)
}

/// Attendance is known complete up to `until` (what a finished pull records).
pub async fn complete_until(app: &TestApp, company: &Company, until: &str) {
    let until: DateTime<Utc> = until.parse().expect("time");
    company::Entity::update_many()
        .col_expr(company::Column::AttendanceCompleteUntil, Expr::value(until))
        .filter(company::Column::Id.eq(company.id))
        .exec(&app.state.db)
        .await
        .expect("watermark");
}

/// Check-ins through the simulator's webhook: (alias, local time).
pub async fn check_in(app: &TestApp, times: &[(&str, &str)]) {
    for (alias, time) in times {
        assert_eq!(
            app.sim
                .emit_checkin(seed(Some(alias), 0, at(time)))
                .await
                .expect("delivered"),
            200
        );
    }
}

pub const SCHEDULE: &str =
    "mutation($i: WorkScheduleInput!) { createWorkSchedule(input: $i) { id name nightShift } }";

/// Creates a schedule; returns its id.
pub async fn schedule(app: &TestApp, token: &str, input: Value) -> String {
    let data = app.graphql_ok(token, SCHEDULE, json!({ "i": input })).await;
    data["createWorkSchedule"]["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// The company's departments: name → id.
pub async fn departments(app: &TestApp, token: &str) -> std::collections::HashMap<String, Value> {
    let data = app
        .graphql_ok(token, "{ departments { id name } }", json!({}))
        .await;
    data["departments"]
        .as_array()
        .expect("departments")
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap_or_default().to_owned(),
                d["id"].clone(),
            )
        })
        .collect()
}

/// 08:00–17:00, break 12:00–13:00, 5 minutes' grace, Monday to Friday.
pub fn office() -> Value {
    json!({
        "name": "Office", "startTime": "08:00", "endTime": "17:00",
        "breakStart": "12:00", "breakEnd": "13:00",
        "lateGraceMinutes": 5, "earlyLeaveGraceMinutes": 5,
        "workDays": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]
    })
}

const DAYS: &str = "query($f: Date!, $t: Date!, $filter: EmployeeFilter) { attendanceDays(from: $f, to: $t, filter: $filter, first: 200) { edges { node { employee { employeeCode } date status lateMinutes earlyLeaveMinutes overtimeMinutes workedMinutes checkinCount firstCheckIn schedule { name } } } } }";

/// The days from `from` to `to`, as (code, date) → node.
pub async fn days(app: &TestApp, token: &str, from: &str, to: &str, filter: Value) -> Vec<Value> {
    let data = app
        .graphql_ok(token, DAYS, json!({ "f": from, "t": to, "filter": filter }))
        .await;
    data["attendanceDays"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

/// The day of `code` on `date` among `days`.
pub fn day<'a>(days: &'a [Value], code: &str, date: &str) -> &'a Value {
    days.iter()
        .find(|d| d["employee"]["employeeCode"] == code && d["date"] == date)
        .unwrap_or_else(|| panic!("no day {code} {date} in {days:#?}"))
}
