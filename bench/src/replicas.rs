//! Several real server processes on one fresh PostgreSQL database, for the drills and the
//! multi-process figures. Each replica is this bench binary re-run as `bench replica` (the real
//! `timekeeping` server, configured from the environment), so `cargo run --release -p bench`
//! needs nothing else built. `BENCH_POSTGRES_URL` (default the local server) names where the
//! fresh database is created; it is dropped at the end.

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use hanet_sim::Simulator;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

pub use crate::harness::gql;

pub const JWT_SECRET: &str = "bench-jwt-secret-0123456789-0123456789-0123";
pub const ENCRYPTION_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
pub const ADMIN_EMAIL: &str = "admin@drill.test";
pub const ADMIN_PASSWORD: &str = "drill password";

pub struct Replicas {
    pub db: DatabaseConnection,
    pub addresses: Vec<String>,
    children: Vec<Option<Child>>,
    env: Vec<(String, String)>,
    base: String,
    name: String,
    _dir: tempfile::TempDir,
}

impl Drop for Replicas {
    fn drop(&mut self) {
        for child in self.children.iter_mut().flatten() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Replicas {
    /// Starts `n` replicas at once on a fresh database, talking to `sim`.
    pub async fn start(n: usize, sim: &Simulator, extra: &[(&str, &str)]) -> anyhow::Result<Self> {
        let base = std::env::var("BENCH_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        let name = format!("tk_bench_{}", uuid::Uuid::new_v4().simple());
        Database::connect(&base)
            .await?
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await?;
        let mut url = reqwest::Url::parse(&base)?;
        url.set_path(&format!("/{name}"));
        let dir = tempfile::tempdir()?;
        let mut env: Vec<(String, String)> = vec![
            ("DATABASE_URL".into(), url.to_string()),
            (
                "TIMEKEEPING_DATA_DIR".into(),
                dir.path().display().to_string(),
            ),
            (
                "TIMEKEEPING_PUBLIC_URL".into(),
                "http://timekeeping.lb.test".into(),
            ),
            ("TIMEKEEPING_JWT_SECRET".into(), JWT_SECRET.into()),
            ("TIMEKEEPING_ENCRYPTION_KEY".into(), ENCRYPTION_KEY.into()),
            ("HANET_API_URL".into(), sim.base_url()),
            ("HANET_OAUTH_URL".into(), sim.base_url()),
            ("HANET_CLIENT_ID".into(), sim.client_id().into()),
            ("HANET_CLIENT_SECRET".into(), sim.client_secret().into()),
            ("HANET_RETRY_BASE_MS".into(), "20".into()),
            ("TIMEKEEPING_JOB_LEASE_SECS".into(), "3".into()),
            ("TIMEKEEPING_JOB_POLL_MS".into(), "200".into()),
            ("TIMEKEEPING_HTTP_WORKERS".into(), "1".into()),
            ("TIMEKEEPING_DB_MAX_CONNECTIONS".into(), "8".into()),
            ("RUST_LOG".into(), "error".into()),
        ];
        env.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        let mut replicas = Replicas {
            db: Database::connect(url.as_str()).await?,
            addresses: Vec::new(),
            children: Vec::new(),
            env,
            base,
            name,
            _dir: dir,
        };
        for _ in 0..n {
            let address = format!("127.0.0.1:{}", free_port()?);
            replicas.addresses.push(format!("http://{address}"));
            replicas.children.push(None);
        }
        for i in 0..n {
            replicas.spawn(i)?;
        }
        for i in 0..n {
            replicas.wait_ready(i).await?;
        }
        Ok(replicas)
    }

    fn spawn(&mut self, i: usize) -> anyhow::Result<()> {
        let bind = self.addresses[i].trim_start_matches("http://").to_owned();
        let child = Command::new(std::env::current_exe()?)
            .arg("replica")
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("TIMEKEEPING_BIND", bind)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()?;
        self.children[i] = Some(child);
        Ok(())
    }

    pub async fn wait_ready(&self, i: usize) -> anyhow::Result<()> {
        for _ in 0..600 {
            if reqwest::get(format!("{}/readyz", self.addresses[i]))
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        anyhow::bail!("replica {i} did not become ready")
    }

    /// SIGKILLs replica `i` and starts it again on the same address (not waiting for it).
    pub fn kill_and_restart(&mut self, i: usize) -> anyhow::Result<()> {
        if let Some(mut child) = self.children[i].take() {
            child.kill()?;
            child.wait()?;
        }
        self.spawn(i)
    }

    /// Creates the company and its admin in the shared database; returns the admin's token.
    pub async fn seed_company(&self) -> anyhow::Result<String> {
        use timekeeping::companies::service as companies;
        let company = companies::create_company_with_admin(
            &self.db,
            "Drill",
            companies::DEFAULT_TIME_ZONE,
            ADMIN_EMAIL,
            ADMIN_PASSWORD.to_owned(),
        )
        .await
        .map_err(|e| anyhow::anyhow!(e.message()))?;
        companies::set_camera_timekeeping(&self.db, company.id, true)
            .await
            .map_err(|e| anyhow::anyhow!(e.message()))?;
        crate::harness::login(&self.addresses[0], ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    /// Links the simulator's account and selects place 1001.
    pub async fn link(&self, token: &str) -> anyhow::Result<()> {
        let complete = &self.addresses[1 % self.addresses.len()];
        crate::harness::link(&self.addresses[0], complete, token, None, "1001").await?;
        Ok(())
    }

    /// Drops the database (after the replicas are stopped).
    pub async fn finish(mut self) -> anyhow::Result<()> {
        for child in self.children.iter_mut().flatten() {
            let _ = child.kill();
            let _ = child.wait();
        }
        self.children.clear();
        Database::connect(&self.base)
            .await?
            .execute_unprepared(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .await?;
        Ok(())
    }
}

/// Runs the real server configured from the environment (the `replica` subcommand).
pub async fn serve_from_env() -> anyhow::Result<()> {
    use clap::Parser;
    let cli = timekeeping::cli::Cli::try_parse_from(["timekeeping"])?;
    timekeeping::telemetry::init(&cli.settings.log_format);
    let app = timekeeping::startup::Application::build(cli.settings).await?;
    app.run_until_stopped().await?;
    Ok(())
}
