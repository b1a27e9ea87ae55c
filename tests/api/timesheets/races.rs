//! A check-in and a recompute of its day at the same moment on PostgreSQL, where writers do
//! not wait for each other as SQLite's do: the day keeps the check-in.

use std::time::Duration;

use sea_orm::ConnectionTrait;
use serde_json::json;

use super::{check_in, complete_until, day, days, hr_company, office, schedule};
use crate::helpers::{Backend, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_in_that_starts_a_day_during_a_recompute_stays_in_it() {
    let Some(app) = spawn_app(Backend::Postgres, &[]).await else {
        eprintln!("TEST_POSTGRES_URL is not set: PostgreSQL-only test skipped");
        return;
    };
    let (company, _) = hr_company(&app, &[("E1", "Nguyễn Văn An", None)]).await;
    let token = &company.admin_token;
    let office_id = schedule(&app, token, office()).await;
    // Widens the moment to 1.5 s: the webhook's transaction waits after it has stored a new day
    // (one without the office schedule), before it commits.
    app.state
        .db
        .execute_unprepared(&format!(
            "CREATE FUNCTION stall() RETURNS trigger LANGUAGE plpgsql AS \
               $$ BEGIN PERFORM pg_sleep(1.5); RETURN NULL; END $$; \
             CREATE TRIGGER stall AFTER INSERT ON attendance_days FOR EACH ROW \
               WHEN (NEW.checkin_count > 0 AND NEW.schedule_id IS DISTINCT FROM '{office_id}'::uuid) \
               EXECUTE FUNCTION stall();"
        ))
        .await
        .expect("trigger");
    // Monday's first check-in stores a new day; while it commits, the office schedule becomes
    // the default, which recomputes Monday (an absence, from what it can read).
    let set_default = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        app.graphql_ok(
            token,
            "mutation($id: ID!) { setDefaultWorkSchedule(scheduleId: $id) { recomputed { days } } }",
            json!({ "id": office_id }),
        )
        .await
    };
    let ((), recomputed) = tokio::join!(
        check_in(&app, &[("E1", "2026-10-05T08:00:00+07:00")]),
        set_default
    );
    assert!(recomputed["setDefaultWorkSchedule"]["recomputed"]["days"].as_i64() > Some(0));

    complete_until(&app, &company, "2026-10-31T00:00:00Z").await;
    let monday = days(&app, token, "2026-10-05", "2026-10-05", json!(null)).await;
    let e1 = day(&monday, "E1", "2026-10-05");
    assert_eq!(e1["checkinCount"], 1, "the check-in is in its day: {e1}");
    assert_eq!(
        e1["status"], "INCOMPLETE",
        "one check-in, not an absence: {e1}"
    );
    assert_eq!(
        e1["schedule"]["name"], "Office",
        "the recompute's plan: {e1}"
    );
}

/// What the stored days say, without when they were written.
async fn stored_days(app: &crate::helpers::TestApp, company_id: uuid::Uuid) -> Vec<String> {
    use entity::attendance_day;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    attendance_day::Entity::find()
        .filter(attendance_day::Column::CompanyId.eq(company_id))
        .order_by_asc(attendance_day::Column::EmployeeId)
        .order_by_asc(attendance_day::Column::Date)
        .all(&app.state.db)
        .await
        .expect("days")
        .into_iter()
        .map(|d| {
            format!(
                "{} {} {} {} {} {} {} {:?} {:?}",
                d.employee_id,
                d.date,
                d.checkin_count,
                d.status,
                d.late_minutes,
                d.worked_minutes,
                d.kind,
                d.schedule_id,
                d.first_check_in
            )
        })
        .collect()
}

/// Check-ins, schedule edits, dated moves, leave and the calendar pass all at once on
/// PostgreSQL: nothing fails (no writer waits on another in a circle), and the stored days are
/// exactly what recomputing them from scratch gives afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_changes_leave_the_days_a_fresh_recompute_would_store() {
    let Some(app) = spawn_app(Backend::Postgres, &[]).await else {
        eprintln!("TEST_POSTGRES_URL is not set: PostgreSQL-only test skipped");
        return;
    };
    let people: Vec<(String, String)> = (0..12)
        .map(|i| (format!("E{i:02}"), format!("Người {i}")))
        .collect();
    let list: Vec<(&str, &str, Option<&str>)> = people
        .iter()
        .enumerate()
        .map(|(i, (c, n))| {
            (
                c.as_str(),
                n.as_str(),
                Some(if i % 2 == 0 { "A" } else { "B" }),
            )
        })
        .collect();
    let (company, ids) = hr_company(&app, &list).await;
    let token = &company.admin_token;
    let office_id = schedule(&app, token, office()).await;
    app.graphql_ok(
        token,
        "mutation($id: ID!) { setDefaultWorkSchedule(scheduleId: $id) { schedule { id } } }",
        json!({ "id": office_id }),
    )
    .await;
    complete_until(&app, &company, "2026-10-31T00:00:00Z").await;
    let departments = super::departments(&app, token).await;
    let department = |name: &str| departments[name].clone();

    // Four streams of check-ins over 5–11 October (the weekend's start new days).
    let streams = (0..4).map(|s| {
        let (app, people) = (&app, &people);
        async move {
            for n in 0..30 {
                let i = (s * 30 + n) % 12;
                let day = 5 + (n % 7);
                let time = format!(
                    "2026-10-{day:02}T{:02}:{:02}:00+07:00",
                    7 + (n % 11),
                    (s * 7 + n) % 60
                );
                check_in(app, &[(people[i].0.as_str(), time.as_str())]).await;
            }
        }
    });
    let edits = async {
        let mut errors = Vec::new();
        for n in 0..4 {
            let mut edited = office();
            edited["lateGraceMinutes"] = json!(5 + n * 5);
            errors.push(app.graphql(Some(token), "mutation($id: ID!, $i: WorkScheduleInput!) { updateWorkSchedule(id: $id, input: $i) { schedule { id } } }",
                json!({ "id": office_id, "i": edited })).await);
            errors.push(app.graphql(Some(token), "mutation($id: ID!, $i: UpdateEmployeeInput!) { updateEmployee(id: $id, input: $i) { id } }",
                json!({ "id": ids[n], "i": { "departmentId": department(if n % 2 == 0 { "B" } else { "A" }), "effectiveFrom": "2026-10-07" } })).await);
            errors.push(app.graphql(Some(token), "mutation($i: RecordLeaveInput!) { recordLeave(input: $i) { leave { id } } }",
                json!({ "i": { "employeeId": ids[n + 4], "from": "2026-10-08", "to": "2026-10-09", "kind": "SICK" } })).await);
            timekeeping::days::absences::pass(&app.state)
                .await
                .expect("calendar pass");
        }
        errors
    };
    let (_, answers) = tokio::join!(futures_util::future::join_all(streams), edits);
    for answer in &answers {
        assert!(answer.get("errors").is_none(), "{answer}");
    }

    let stored = stored_days(&app, company.id).await;
    assert!(
        stored.iter().any(|d| d.contains(" 2026-10-10 ")),
        "a weekend day was started"
    );
    // Setting the same default again recomputes every day from the raw check-ins.
    app.graphql_ok(token, "mutation($id: ID!) { setDefaultWorkSchedule(scheduleId: $id) { recomputed { days job { id } } } }", json!({ "id": office_id })).await;
    let fresh = stored_days(&app, company.id).await;
    let differ: Vec<_> = stored
        .iter()
        .zip(&fresh)
        .filter(|(a, b)| a != b)
        .take(5)
        .collect();
    assert_eq!(
        (stored.len(), differ.len()),
        (fresh.len(), 0),
        "{differ:#?}"
    );
}
