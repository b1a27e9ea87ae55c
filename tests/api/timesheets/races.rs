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
