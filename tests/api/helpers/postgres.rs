//! Fresh PostgreSQL databases for tests (`TEST_POSTGRES_URL`), and dropping them.

use sea_orm::{ConnectionTrait, Database};
use uuid::Uuid;

/// Drops a test database, from synchronous code (a `Drop`): on a runtime of its own, on a plain
/// thread.
pub fn drop_postgres_database(base: String, name: String) {
    let dropped = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok()?;
        runtime.block_on(async {
            let admin = Database::connect(&base).await.ok()?;
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await
                .ok()
        })
    })
    .join();
    if !matches!(dropped, Ok(Some(_))) {
        eprintln!("could not drop a test database; it is left behind");
    }
}

pub fn postgres_url() -> Option<String> {
    std::env::var("TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Creates a fresh PostgreSQL database and returns its name and URL.
pub async fn fresh_postgres_database(base: &str) -> (String, String) {
    let name = format!("tk_test_{}", Uuid::new_v4().simple());
    let admin = Database::connect(base)
        .await
        .expect("connect to TEST_POSTGRES_URL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create test database");
    let mut url = reqwest::Url::parse(base).expect("TEST_POSTGRES_URL is a URL");
    url.set_path(&format!("/{name}"));
    (name, url.to_string())
}
