//! `spawn_app()`: the real application on port 0 against a fresh database (a SQLite file in a
//! temp dir, or a fresh PostgreSQL database when `TEST_POSTGRES_URL` is set), with typed helpers.

use std::sync::OnceLock;

use clap::Parser;
use hanet_sim::{SimConfig, Simulator};
use serde_json::{Value, json};
use timekeeping::{
    auth::{Role, service as users},
    cli::Cli,
    companies::service as companies,
    startup::Application,
    state::AppState,
};
use uuid::Uuid;

mod postgres;

pub use postgres::{drop_postgres_database, fresh_postgres_database, postgres_url};

pub const PASSWORD: &str = "correct horse battery";
/// The login-token secret every test server (and every process of one test) shares.
pub const TEST_JWT_SECRET: &str = "test-jwt-secret-shared-by-processes-0123456789";
/// The token-encryption key every test server shares (64 hex characters).
pub const TEST_ENCRYPTION_KEY: &str =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Declares one test that runs against SQLite and, when `TEST_POSTGRES_URL` is set, PostgreSQL:
/// `app_test!(async fn name(app) { … })` makes `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! app_test {
    (async fn $name:ident($app:ident) $body:block) => {
        $crate::app_test!(async fn $name($app) with [] $body);
    };
    (async fn $name:ident($app:ident) with [$($arg:expr),*] $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($app: $crate::helpers::TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::helpers::spawn_app($crate::helpers::Backend::Sqlite, &[$($arg),*]).await.expect("SQLite always runs")).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match $crate::helpers::spawn_app($crate::helpers::Backend::Postgres, &[$($arg),*]).await {
                    Some(app) => run(app).await,
                    None => eprintln!("TEST_POSTGRES_URL is not set: PostgreSQL variant skipped"),
                }
            }
        }
    };
}

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub client: reqwest::Client,
    pub state: AppState,
    /// The Hanet simulator this app talks to.
    pub sim: Simulator,
    /// The PostgreSQL database to drop when the test ends.
    postgres_database: Option<String>,
    _dir: tempfile::TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let (Some(name), Some(base)) = (self.postgres_database.take(), postgres_url()) else {
            return;
        };
        drop_postgres_database(base, name);
    }
}

/// Starts the application. `None` only for PostgreSQL when `TEST_POSTGRES_URL` is unset.
pub async fn spawn_app(backend: Backend, extra_args: &[&str]) -> Option<TestApp> {
    static TRACING: OnceLock<()> = OnceLock::new();
    TRACING.get_or_init(|| {
        if std::env::var("TEST_LOG").is_ok() {
            timekeeping::telemetry::init("text");
        }
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let (postgres_database, database_url) = match backend {
        Backend::Sqlite => (None, format!("sqlite://{}/test.db", dir.path().display())),
        Backend::Postgres => {
            let (name, url) = fresh_postgres_database(&postgres_url()?).await;
            (Some(name), url)
        }
    };
    let data_dir = dir.path().display().to_string();
    let sim = Simulator::start(SimConfig::default())
        .await
        .expect("hanet-sim starts");
    let sim_url = sim.base_url();
    let mut args = vec![
        "timekeeping",
        "--hanet-api-url",
        &sim_url,
        "--hanet-oauth-url",
        &sim_url,
        "--hanet-client-id",
        sim.client_id(),
        "--hanet-client-secret",
        sim.client_secret(),
        "--hanet-retry-base-ms",
        "10",
        // Fault-injection tests fail calls at random; a deeper budget keeps them deterministic
        // in practice (30% failures: 0.3^9 ≈ 2·10⁻⁵ per call).
        "--hanet-max-retries",
        "8",
        "--database-url",
        &database_url,
        "--data-dir",
        &data_dir,
        "--bind",
        "127.0.0.1:0",
        "--http-workers",
        "1",
        "--db-max-connections",
        "5",
    ];
    // Shared secrets, as several processes on one PostgreSQL need (and as it requires).
    for (flag, value) in [
        ("--jwt-secret", TEST_JWT_SECRET),
        ("--encryption-key", TEST_ENCRYPTION_KEY),
    ] {
        if !extra_args.contains(&flag) {
            args.extend_from_slice(&[flag, value]);
        }
    }
    args.extend_from_slice(extra_args);
    let cli = Cli::try_parse_from(args).expect("test settings parse");
    let app = Application::build(cli.settings)
        .await
        .expect("application builds");
    let port = app.port();
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    Some(TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        client: reqwest::Client::new(),
        state,
        sim,
        postgres_database,
        _dir: dir,
    })
}

/// A company with its admin, created through the library (as `create-company` does).
pub struct Company {
    pub id: Uuid,
    pub admin_email: String,
    pub admin_token: String,
}

impl TestApp {
    /// POSTs a GraphQL request and returns the JSON body.
    pub async fn graphql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request
            .send()
            .await
            .expect("request sent")
            .json()
            .await
            .expect("JSON body")
    }

    /// Like `graphql` but fails the test on any error, returning `data`.
    pub async fn graphql_ok(&self, token: &str, query: &str, variables: Value) -> Value {
        let body = self.graphql(Some(token), query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// Sends a GraphQL multipart request (the upload spec): `files` are `(variable path, file name, bytes)`.
    pub async fn upload(
        &self,
        token: &str,
        query: &str,
        variables: Value,
        files: Vec<(&str, &str, Vec<u8>)>,
    ) -> reqwest::Response {
        let operations = json!({ "query": query, "variables": variables });
        let map: serde_json::Map<String, Value> = files
            .iter()
            .enumerate()
            .map(|(i, (path, _, _))| (i.to_string(), json!([path])))
            .collect();
        let mut form = reqwest::multipart::Form::new()
            .text("operations", operations.to_string())
            .text("map", Value::Object(map).to_string());
        for (i, (_, name, bytes)) in files.into_iter().enumerate() {
            form = form.part(
                i.to_string(),
                reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
            );
        }
        self.client
            .post(format!("{}/graphql", self.address))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("upload sent")
    }

    pub async fn login(&self, email: &str, password: &str) -> String {
        let data = self
            .graphql_ok_anonymous(
                "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
                json!({ "e": email, "p": password }),
            )
            .await;
        data["login"]["token"].as_str().expect("token").to_owned()
    }

    async fn graphql_ok_anonymous(&self, query: &str, variables: Value) -> Value {
        let body = self.graphql(None, query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// Creates a company and its admin, and logs the admin in.
    pub async fn seed_company(&self, name: &str) -> Company {
        let admin_email = format!(
            "admin-{}@{}.test",
            Uuid::new_v4().simple(),
            name.to_lowercase().replace(' ', "-")
        );
        let company = companies::create_company_with_admin(
            &self.state.db,
            name,
            companies::DEFAULT_TIME_ZONE,
            &admin_email,
            PASSWORD.to_owned(),
        )
        .await
        .unwrap_or_else(|e| panic!("seed company: {e:?}"));
        let admin_token = self.login(&admin_email, PASSWORD).await;
        Company {
            id: company.id,
            admin_email,
            admin_token,
        }
    }

    /// Creates a user of `role` in the company through `createUser` and logs them in.
    pub async fn user_token(&self, company: &Company, role: &str) -> String {
        let email = format!(
            "{}-{}@example.test",
            role.to_lowercase(),
            Uuid::new_v4().simple()
        );
        self.graphql_ok(
            &company.admin_token,
            "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
            json!({ "i": { "email": email, "password": PASSWORD, "role": role } }),
        )
        .await;
        self.login(&email, PASSWORD).await
    }

    /// A platform operator (created as `create-operator` does), logged in.
    pub async fn operator_token(&self) -> String {
        let email = format!("operator-{}@platform.test", Uuid::new_v4().simple());
        users::create_user(
            &self.state.db,
            users::NewUser {
                company_id: None,
                email: email.clone(),
                password: PASSWORD.to_owned(),
                role: Role::PlatformOperator,
                employee_id: None,
            },
        )
        .await
        .unwrap_or_else(|e| panic!("seed operator: {}", e.message()));
        self.login(&email, PASSWORD).await
    }

    /// Switches camera timekeeping on, as a platform operator would.
    pub async fn enable_camera(&self, company: &Company) {
        companies::set_camera_timekeeping(&self.state.db, company.id, true)
            .await
            .unwrap_or_else(|e| panic!("enable camera: {e:?}"));
    }

    /// Links the simulated Hanet account the way the app does: `startHanetLink`, the browser
    /// approves at Hanet (the simulator redirects at once), and the admin finishes with the code
    /// and state of the redirect (`completeHanetLink`).
    pub async fn link_hanet(&self, company: &Company) {
        let data = self
            .graphql_ok(
                &company.admin_token,
                "mutation { startHanetLink { authorizationUrl } }",
                json!({}),
            )
            .await;
        let url = data["startHanetLink"]["authorizationUrl"]
            .as_str()
            .expect("authorization URL");
        let (code, state) = timekeeping::linking::approve(url)
            .await
            .expect("Hanet redirects back with a code");
        self.graphql_ok(
            &company.admin_token,
            "mutation($c: String!, $s: String!) { completeHanetLink(code: $c, state: $s) { accountEmail } }",
            json!({ "c": code, "s": state }),
        )
        .await;
    }

    /// Creates an employee through the API and returns its id.
    pub async fn create_employee(&self, token: &str, input: Value) -> String {
        let data = self
            .graphql_ok(
                token,
                "mutation($i: CreateEmployeeInput!) { createEmployee(input: $i) { id } }",
                json!({ "i": input }),
            )
            .await;
        data["createEmployee"]["id"]
            .as_str()
            .expect("employee id")
            .to_owned()
    }

    pub async fn create_department(&self, token: &str, name: &str) -> String {
        let data = self
            .graphql_ok(
                token,
                "mutation($n: String!) { createDepartment(input: { name: $n }) { id } }",
                json!({ "n": name }),
            )
            .await;
        data["createDepartment"]["id"]
            .as_str()
            .expect("department id")
            .to_owned()
    }
}

/// The `extensions.code` of the first error.
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body:#}"))
}
