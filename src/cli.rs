//! The command line (design §7). Every setting is an environment variable, listed by `--help`.

use std::io::BufRead;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use uuid::Uuid;

use crate::{
    auth::{Role, service as users},
    companies::service as companies,
    config::Settings,
    error::ApiError,
    graphql,
    startup::{self, Application},
};

/// Camera timekeeping API server: links a company's Hanet cameras, syncs employees to them and
/// turns check-ins into attendance. Serves GraphQL (with GraphiQL) at /graphql.
#[derive(Parser, Debug)]
#[command(name = "timekeeping", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Print the GraphQL schema (SDL) that `schema.graphql` holds.
    Schema,
    #[cfg(feature = "demo")]
    /// Run the whole product on this machine: SQLite, the built-in Hanet simulator, a seeded
    /// company, a first sync and a trickle of check-ins. Prints the GraphiQL URL and a login.
    Demo {
        /// Start from scratch (deletes `<TIMEKEEPING_DATA_DIR>/demo`).
        #[arg(long)]
        reset: bool,
    },
    /// Create a company and its first admin; prints the company id. The admin password is read
    /// from TIMEKEEPING_ADMIN_PASSWORD, or else from the first line of standard input.
    CreateCompany {
        /// Company name.
        #[arg(long)]
        name: String,
        /// Email the admin logs in with.
        #[arg(long)]
        admin_email: String,
        /// IANA time zone attendance days are counted in.
        #[arg(long, default_value = companies::DEFAULT_TIME_ZONE)]
        timezone: String,
    },
    /// Switch camera timekeeping on for a company (`--off` switches it off).
    EnableCamera {
        /// The company id `create-company` printed.
        #[arg(long)]
        company: Uuid,
        /// Switch it off instead.
        #[arg(long)]
        off: bool,
    },
    /// Import a folder of face photos named `[Employee ID].jpg` (or .jpeg/.png) for a company,
    /// with a progress bar; prints one result per file, as `importFacePhotos` does.
    ImportPhotos {
        /// The company id.
        #[arg(long)]
        company: Uuid,
        /// The folder holding the photos.
        dir: std::path::PathBuf,
    },
    /// Create a platform operator login (may switch camera timekeeping on). The password is
    /// read like `create-company`'s.
    CreateOperator {
        /// Email the operator logs in with.
        #[arg(long)]
        email: String,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(cli.settings).await?;
            let settings = &app.state().settings;
            tracing::info!(
                port = app.port(),
                graphiql = format!("{}/graphql", settings.public_url()),
                "timekeeping is serving"
            );
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            startup::build_state(cli.settings).await?;
            eprintln!("migrations applied");
        }
        Command::Schema => print!("{}", graphql::sdl()),
        #[cfg(feature = "demo")]
        Command::Demo { reset } => crate::demo::run(cli.settings, reset).await?,
        Command::CreateCompany {
            name,
            admin_email,
            timezone,
        } => {
            let password = read_password()?;
            let state = startup::build_state(cli.settings).await?;
            let company = companies::create_company_with_admin(
                &state.db,
                &name,
                &timezone,
                &admin_email,
                password,
            )
            .await
            .map_err(ApiError::into_anyhow)?;
            eprintln!(
                "created company {:?} with admin {admin_email}",
                company.name
            );
            println!("{}", company.id);
        }
        Command::EnableCamera { company, off } => {
            let state = startup::build_state(cli.settings).await?;
            let company = companies::set_camera_timekeeping(&state.db, company, !off)
                .await
                .map_err(ApiError::into_anyhow)?;
            eprintln!(
                "camera timekeeping is {} for {:?}",
                if company.camera_timekeeping_enabled {
                    "on"
                } else {
                    "off"
                },
                company.name
            );
        }
        Command::ImportPhotos { company, dir } => {
            let state = startup::build_state(cli.settings).await?;
            import_photos(&state, company, &dir).await?;
        }
        Command::CreateOperator { email } => {
            let password = read_password()?;
            let state = startup::build_state(cli.settings).await?;
            let user = users::create_user(
                &state.db,
                users::NewUser {
                    company_id: None,
                    email,
                    password,
                    role: Role::PlatformOperator,
                    employee_id: None,
                },
            )
            .await
            .map_err(ApiError::into_anyhow)?;
            println!("{}", user.id);
        }
    }
    Ok(())
}

/// A file opened only when first read, so a folder of thousands of photos never holds
/// thousands of open descriptors.
struct LazyFile {
    path: std::path::PathBuf,
    file: Option<std::fs::File>,
}

impl std::io::Read for LazyFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.file.is_none() {
            self.file = Some(std::fs::File::open(&self.path)?);
        }
        match self.file.as_mut() {
            Some(file) => file.read(buf),
            None => Ok(0),
        }
    }
}

async fn import_photos(
    state: &crate::state::AppState,
    company_id: Uuid,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    use crate::photos::service::IncomingFile;
    companies::get(&state.db, company_id)
        .await
        .map_err(ApiError::into_anyhow)?;
    let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    let files = paths
        .iter()
        .map(|path| IncomingFile {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            content: Box::new(LazyFile {
                path: path.clone(),
                file: None,
            }),
        })
        .collect();
    let bar = indicatif::ProgressBar::new(paths.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} photos  {elapsed_precise}  eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let results = crate::photos::batch::import(state, company_id, None, files, &|_, _| bar.inc(1))
        .await
        .map_err(ApiError::into_anyhow)?;
    bar.finish_and_clear();
    let (mut accepted, mut rejected) = (0, 0);
    for (name, outcome) in &results {
        match outcome {
            Ok(stored) => {
                accepted += 1;
                let note = if stored.unchanged { " (unchanged)" } else { "" };
                println!(
                    "ACCEPTED  {name}  -> {} {}{note}",
                    stored.employee.employee_code, stored.employee.full_name
                );
            }
            Err((code, message)) => {
                rejected += 1;
                println!("REJECTED  {name}  {}: {message}", code.as_str());
            }
        }
    }
    eprintln!(
        "{accepted} accepted, {rejected} rejected, {} files",
        results.len()
    );
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("TIMEKEEPING_ADMIN_PASSWORD") {
        return Ok(password);
    }
    eprintln!(
        "password (TIMEKEEPING_ADMIN_PASSWORD is not set; reading one line from standard input):"
    );
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!("no password given: set TIMEKEEPING_ADMIN_PASSWORD or pipe it on standard input");
    }
    Ok(password)
}
