//! House rules that keep holding: migrations only grow (a landed one is never edited or
//! removed), and settings out of range are refused with the variable's name.

/// The migrations that have landed, in order. Add new ones at the end; never change a line.
const LANDED: &[&str] = &[
    "m20261125_000001_foundation",
    "m20261125_000002_hanet",
    "m20261125_000003_face_photos",
    "m20261125_000004_sync_jobs",
    "m20261125_000005_checkins",
    "m20261129_000006_attendance_days",
    "m20261129_000007_security",
    "m20261129_000008_leases",
    "m20261129_000009_auto_sync",
    "m20261129_000010_schedules",
    "m20261129_000011_attendance_lock",
    "m20261129_000012_employee_periods",
];

#[test]
fn the_migration_list_only_grows() {
    use migration::MigratorTrait;
    let names: Vec<String> = migration::Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    assert!(
        names.len() >= LANDED.len(),
        "a landed migration was removed: {names:?}"
    );
    assert_eq!(
        &names[..LANDED.len()],
        LANDED,
        "landed migrations keep their names and order"
    );
}

#[test]
fn out_of_range_settings_are_refused_by_name() {
    use clap::Parser;
    for (flag, value, name) in [
        ("--job-lease-secs", "1", "TIMEKEEPING_JOB_LEASE_SECS"),
        ("--job-poll-ms", "5", "TIMEKEEPING_JOB_POLL_MS"),
        (
            "--catch-up-window-secs",
            "10",
            "TIMEKEEPING_CATCHUP_WINDOW_SECS",
        ),
    ] {
        let cli =
            timekeeping::cli::Cli::try_parse_from(["timekeeping", flag, value]).expect("parses");
        let error = cli.settings.validate().expect_err("refused").to_string();
        assert!(error.contains(name), "{error}");
    }
}

crate::app_test!(async fn every_response_names_its_request_and_keeps_the_clients_id(app) {
    let client = reqwest::Client::new();
    let url = format!("{}/healthz", app.address);
    let mine = client.get(&url).header("x-request-id", "req-42_a").send().await.expect("healthz");
    assert_eq!(mine.headers().get("x-request-id").and_then(|v| v.to_str().ok()), Some("req-42_a"));
    let fresh = client.get(&url).send().await.expect("healthz");
    let id = fresh.headers().get("x-request-id").and_then(|v| v.to_str().ok()).expect("an id").to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "a new UUID: {id}");
    // An id that could forge log lines is replaced.
    let forged = client.get(&url).header("x-request-id", "a b\"}").send().await.expect("healthz");
    assert_ne!(forged.headers().get("x-request-id").and_then(|v| v.to_str().ok()), Some("a b\"}"));
});
