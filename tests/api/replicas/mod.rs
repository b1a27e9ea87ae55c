//! Several real server processes on one fresh PostgreSQL database (design §9), started at once,
//! with `hanet-sim`. Runs only when `TEST_POSTGRES_URL` is set.

mod events;
mod jobs;
mod periodic;

use std::{
    process::{Command, Stdio},
    time::Duration,
};

use hanet_sim::{SimConfig, Simulator};
use sea_orm::{Database, DatabaseConnection};
use serde_json::{Value, json};

use crate::{
    crash::{Server, command},
    helpers::{PASSWORD, fresh_postgres_database, postgres_url},
};

pub struct Cluster {
    pub sim: Simulator,
    pub servers: Vec<Option<Server>>,
    pub db: DatabaseConnection,
    pub token: String,
    pub client: reqwest::Client,
    url: String,
    base: String,
    name: String,
    dir: tempfile::TempDir,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.servers.clear();
        crate::helpers::drop_postgres_database(self.base.clone(), self.name.clone());
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port")
}

impl Cluster {
    /// `n` processes started at the same moment on an empty database; a company with camera
    /// timekeeping on, its admin logged in. `None` without `TEST_POSTGRES_URL`.
    pub async fn start(n: usize, env: &[(&str, &str)]) -> Option<Cluster> {
        let base = postgres_url()?;
        let (name, url) = fresh_postgres_database(&base).await;
        let dir = tempfile::tempdir().expect("dir");
        let sim = Simulator::start(SimConfig::default()).await.expect("sim");
        let mut cluster = Cluster {
            db: Database::connect(&url).await.expect("connect"),
            sim,
            servers: Vec::new(),
            token: String::new(),
            client: reqwest::Client::new(),
            url,
            base,
            name,
            dir,
        };
        let children: Vec<Server> = (0..n).map(|_| cluster.spawn(env)).collect();
        for server in children {
            cluster.wait_ready(&server).await;
            cluster.servers.push(Some(server));
        }
        crate::crash::seed_company(|| cluster.command(), "admin@acme.test");
        let login = cluster.gql(0, None, "mutation($p: String!) { login(email: \"admin@acme.test\", password: $p) { token } }", json!({ "p": PASSWORD })).await;
        cluster.token = login["data"]["login"]["token"]
            .as_str()
            .expect("token")
            .to_owned();
        Some(cluster)
    }

    pub fn command(&self) -> Command {
        let mut command = command(self.dir.path(), &self.sim);
        // Behind one load balancer every process has the same public URL (the OAuth redirect
        // URI must match whichever process exchanges the code).
        command
            .env("DATABASE_URL", &self.url)
            .env("TIMEKEEPING_PUBLIC_URL", "http://timekeeping.lb.test");
        command
    }

    /// Starts one more process (not waiting for it).
    #[allow(clippy::zombie_processes)]
    pub fn spawn(&self, env: &[(&str, &str)]) -> Server {
        let port = free_port();
        let mut command = self.command();
        command.env("TIMEKEEPING_BIND", format!("127.0.0.1:{port}"));
        for (k, v) in env {
            command.env(k, v);
        }
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("server starts");
        Server {
            child,
            address: format!("http://127.0.0.1:{port}"),
        }
    }

    pub async fn wait_ready(&self, server: &Server) {
        for _ in 0..400 {
            if reqwest::get(format!("{}/readyz", server.address))
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("a server did not become ready");
    }

    pub fn address(&self, i: usize) -> String {
        self.servers[i].as_ref().expect("running").address.clone()
    }

    pub async fn gql(&self, i: usize, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.address(i)))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("JSON")
    }

    /// As the admin, on process `i`; fails on any error.
    pub async fn admin(&self, i: usize, query: &str, variables: Value) -> Value {
        let body = self.gql(i, Some(&self.token), query, variables).await;
        assert!(body.get("errors").is_none(), "{body:#}");
        body["data"].clone()
    }

    /// Links the simulated account and selects place 1001, through process 0.
    pub async fn link(&self) {
        let data = self
            .admin(
                0,
                "mutation { startHanetLink { authorizationUrl } }",
                json!({}),
            )
            .await;
        let (code, state) = timekeeping::linking::approve(
            data["startHanetLink"]["authorizationUrl"]
                .as_str()
                .expect("url"),
        )
        .await
        .expect("approved");
        self.admin(1, "mutation($c: String!, $s: String!) { completeHanetLink(code: $c, state: $s) { accountEmail } }", json!({ "c": code, "s": state })).await;
        self.admin(
            2 % self.servers.len(),
            "mutation { selectHanetPlace(placeId: \"1001\") { accountEmail } }",
            json!({}),
        )
        .await;
    }

    /// SIGKILLs the process whose pid starts the lease owner `owner`; returns its index.
    pub fn kill_owner(&mut self, owner: &str) -> usize {
        let pid: u32 = owner
            .split('-')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("pid in the owner");
        let index = self
            .servers
            .iter()
            .position(|s| s.as_ref().is_some_and(|s| s.child.id() == pid))
            .expect("the owner is one of ours");
        let mut server = self.servers[index].take().expect("running");
        server.child.kill().expect("SIGKILL");
        let _ = server.child.wait();
        index
    }
}

#[test]
fn postgres_without_shared_secrets_refuses_to_start() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_timekeeping"))
        .arg("migrate")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("TIMEKEEPING_JWT_SECRET"), "{stderr}");
}
