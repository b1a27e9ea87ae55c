//! `timekeeping demo`: the built-in Hanet simulator, a seeded company, a sync of everyone and a
//! trickle of check-ins.

use super::*;

use std::{io::Cursor, time::Duration};

use anyhow::Context;
use hanet_sim::{CheckinSeed, SimConfig, Simulator};
use image::{Rgb, RgbImage, codecs::jpeg::JpegEncoder};
use rand::Rng;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    auth::{Role, Scope, Session},
    companies::service as companies,
    config::Settings,
    departments,
    employees::service as employees,
    linking::service as linking,
    photos::service::IncomingFile,
    startup::Application,
    state::AppState,
    sync::selection::{self as jobs, Selection},
};

pub const ADMIN_EMAIL: &str = "admin@demo.local";
pub const ADMIN_PASSWORD: &str = "demo-password";
pub(super) const PLACE: &str = "1001";

pub(super) const FAMILY: [&str; 10] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
];
pub(super) const MIDDLE: [&str; 5] = ["Văn", "Thị", "Minh", "Ngọc", "Đức"];
pub(super) const GIVEN: [&str; 12] = [
    "An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hương", "Khánh", "Lan", "Long", "Mai",
];
pub(super) const DEPARTMENTS: [&str; 4] = ["Engineering", "Sales", "Operations", "People"];
pub(super) const TITLES: [&str; 4] = ["Engineer", "Account manager", "Technician", "HR specialist"];

pub async fn run(mut settings: Settings, reset: bool) -> anyhow::Result<()> {
    settings.data_dir = settings.data_dir.join("demo");
    if reset && settings.data_dir.exists() {
        std::fs::remove_dir_all(&settings.data_dir)
            .with_context(|| format!("removing {}", settings.data_dir.display()))?;
    }
    settings.database_url = None;
    let sim = Simulator::start(SimConfig::default()).await?;
    settings.hanet_api_url = sim.base_url();
    settings.hanet_oauth_url = sim.base_url();
    settings.hanet_client_id = Some(sim.client_id().to_owned());
    settings.hanet_client_secret = Some(sim.client_secret().to_owned().into());
    settings.hanet_retry_base_ms = 50;
    let app = Application::build(settings).await?;
    let state = app.state().clone();
    let handle = app.handle();
    let mut server = tokio::spawn(app.run_until_stopped());
    let public_url = state.settings.public_url();

    let (scope, token) = seed(&state).await?;
    sim.set_webhook_url(Some(format!("{public_url}/webhooks/hanet")));
    println!();
    println!("timekeeping demo is ready");
    println!("  GraphiQL       {public_url}/graphql");
    println!("  Login          {ADMIN_EMAIL} / {ADMIN_PASSWORD}");
    println!("  Header         {{\"Authorization\": \"Bearer {token}\"}}");
    println!("  Metrics        {public_url}/metrics");
    println!(
        "  Hanet (sim)    {}  (faults: POST /_sim/faults, state: GET /_sim/state)",
        sim.base_url()
    );
    println!(
        "  Data           {}  (--reset starts over)",
        state.settings.data_dir.display()
    );
    println!("Check-ins arrive every few seconds through the webhook. Press Ctrl-C to stop.");

    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            // The server stops by itself on SIGTERM (or SIGINT first): the demo goes with it.
            _ = &mut server => {
                eprintln!("stopped; unfinished jobs resume on the next start");
                return Ok(());
            }
            () = tokio::time::sleep(Duration::from_millis(rand::rng().random_range(1500..4000))) => {
                if let Err(e) = trickle(&state, &sim, scope.company_id).await {
                    tracing::warn!(error = %e, "demo check-in not delivered");
                }
            }
        }
    }
    eprintln!("stopping; unfinished jobs resume on the next start");
    handle.stop(true).await;
    let _ = server.await;
    Ok(())
}

/// A generated face-like picture: a skin-toned oval on a coloured background, unique per seed.
pub(super) fn face(seed: usize) -> Vec<u8> {
    let background = Rgb([
        (seed * 37 % 200) as u8 + 30,
        (seed * 91 % 200) as u8 + 30,
        (seed * 53 % 200) as u8 + 30,
    ]);
    let image = RgbImage::from_fn(480, 480, |x, y| {
        let (dx, dy) = (x as f64 - 240.0, y as f64 - 250.0);
        let inside = (dx / 140.0).powi(2) + (dy / 180.0).powi(2) < 1.0;
        let eye = ((dx.abs() - 55.0).powi(2) + (dy + 40.0).powi(2)) < 300.0;
        match (inside, eye) {
            (true, true) => Rgb([40, 30, 30]),
            (true, false) => Rgb([230, (190 + seed % 30) as u8, 160]),
            _ => background,
        }
    });
    let mut out = Vec::new();
    let _ = JpegEncoder::new_with_quality(&mut out, 88).encode_image(&image);
    out
}

/// Creates what is missing; returns the admin's scope and a login token.
pub(super) async fn seed(app: &AppState) -> anyhow::Result<(Scope, String)> {
    let db = &app.db;
    let admin = match entity::user::Entity::find()
        .filter(entity::user::Column::Email.eq(ADMIN_EMAIL))
        .one(db)
        .await?
    {
        Some(user) => user,
        None => {
            eprintln!("seeding the demo company…");
            companies::create_company_with_admin(
                db,
                "Demo Co",
                "Asia/Ho_Chi_Minh",
                ADMIN_EMAIL,
                ADMIN_PASSWORD.to_owned(),
            )
            .await
            .map_err(crate::error::ApiError::into_anyhow)?;
            entity::user::Entity::find()
                .filter(entity::user::Column::Email.eq(ADMIN_EMAIL))
                .one(db)
                .await?
                .context("demo admin")?
        }
    };
    let company_id = admin.company_id.context("the demo admin has no company")?;
    let scope = Scope {
        company_id,
        user_id: admin.id,
        role: Role::Admin,
    };
    companies::set_camera_timekeeping(db, company_id, true)
        .await
        .map_err(crate::error::ApiError::into_anyhow)?;

    if departments::service::list(db, company_id)
        .await
        .map_err(crate::error::ApiError::into_anyhow)?
        .is_empty()
    {
        let mut ids = Vec::new();
        for name in DEPARTMENTS {
            ids.push(
                departments::service::create(db, company_id, name)
                    .await
                    .map_err(crate::error::ApiError::into_anyhow)?
                    .id,
            );
        }
        let mut files = Vec::new();
        for i in 0..50 {
            let code = format!("NV{:03}", i + 1);
            let status = match i {
                47 | 48 => entity::employee::WorkStatus::Resigned,
                _ if i % 13 == 5 => entity::employee::WorkStatus::UnpaidLeave,
                _ if i % 19 == 7 => entity::employee::WorkStatus::MaternityLeave,
                _ => entity::employee::WorkStatus::Working,
            };
            let new = employees::NewEmployee {
                employee_code: code.clone(),
                full_name: format!(
                    "{} {} {}",
                    pick(&FAMILY, i),
                    pick(&MIDDLE, i / 3),
                    pick(&GIVEN, i * 7)
                ),
                email: Some(format!("{}@demo.local", code.to_lowercase())),
                title: Some(pick(&TITLES, i).to_owned()),
                department_id: ids.get(i % ids.len().max(1)).copied(),
                work_status: Some(status),
                profile_picture_url: None,
                start_date: None,
            };
            employees::create(db, company_id, new)
                .await
                .map_err(crate::error::ApiError::into_anyhow)?;
            // Two employees have no photo yet: their sync fails with NO_PHOTO, as in real life.
            if i != 20 && i != 33 {
                files.push(IncomingFile {
                    name: format!("{code}.jpg"),
                    content: Box::new(Cursor::new(face(i))),
                });
            }
        }
        crate::photos::batch::import(app, company_id, Some(admin.id), files, &|_, _| {})
            .await
            .map_err(crate::error::ApiError::into_anyhow)?;
    }

    // The simulator keeps its state in memory: a restarted demo meets a Hanet that has forgotten
    // our tokens and persons. Forget them on our side too, then link and sync again.
    if linking::connection(db, company_id)
        .await
        .map_err(crate::error::ApiError::into_anyhow)?
        .is_some()
    {
        forget_simulated_hanet(app, company_id).await?;
    }
    let connection = linking::connection(db, company_id)
        .await
        .map_err(crate::error::ApiError::into_anyhow)?;
    if connection.is_none() {
        eprintln!("linking the simulated Hanet account through OAuth…");
        let start = linking::start_link(app, scope)
            .await
            .map_err(crate::error::ApiError::into_anyhow)?;
        // The simulator approves at once and redirects to our callback with the code; the
        // admin (the demo, here) finishes the link with it.
        let (code, state) = crate::linking::approve(&start.authorization_url).await?;
        linking::complete_link(app, &code, &state, scope)
            .await
            .map_err(crate::error::ApiError::into_anyhow)?;
    }
    if linking::connection(db, company_id)
        .await
        .map_err(crate::error::ApiError::into_anyhow)?
        .and_then(|c| c.place_id)
        .is_none()
    {
        linking::select_place(app, company_id, PLACE, Some(scope.user_id))
            .await
            .map_err(crate::error::ApiError::into_anyhow)?;
    }

    {
        eprintln!("running an employee sync…");
        let all = employees::ListQuery::new(company_id, &Default::default())
            .map_err(crate::error::ApiError::into_anyhow)?;
        let job = match jobs::start_employee_sync(app, scope, Selection::Filter(all)).await {
            Ok(job) => job,
            // A previous run's sync is still queued or running (it resumes): follow that one.
            Err(crate::error::ApiError::Conflict(_)) => entity::sync_job::Entity::find()
                .filter(entity::sync_job::Column::CompanyId.eq(company_id))
                .filter(entity::sync_job::Column::Kind.eq(entity::sync_job::JobKind::Employees))
                .filter(entity::sync_job::Column::Status.is_in([
                    entity::sync_job::JobStatus::Queued,
                    entity::sync_job::JobStatus::Running,
                ]))
                .one(db)
                .await?
                .context("a sync was said to be running, but none is")?,
            Err(e) => return Err(e.into_anyhow()),
        };
        for _ in 0..600 {
            let current = crate::jobs::store::get(db, company_id, job.id)
                .await
                .map_err(crate::error::ApiError::into_anyhow)?;
            if current.status.is_terminal() {
                eprintln!(
                    "sync: {:?}, {} succeeded, {} failed",
                    current.status, current.succeeded, current.failed
                );
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    let session = Session {
        user_id: admin.id,
        company_id: Some(company_id),
        role: Role::Admin,
        expires_at: None,
    };
    let (token, _) = app.jwt.issue(&session)?;
    calendar::seed(app, &scope).await?;
    Ok((scope, token))
}

/// Drops the link and every employee's Hanet person (the in-memory simulator starts empty).
pub(super) async fn forget_simulated_hanet(app: &AppState, company_id: Uuid) -> anyhow::Result<()> {
    // Unlinking forgets every person the cameras knew (`linking::forget_persons`).
    linking::unlink(&app.db, company_id, None)
        .await
        .map_err(crate::error::ApiError::into_anyhow)?;
    Ok(())
}

/// One check-in from a synced employee (now and then a stranger) through the webhook.
pub(super) async fn trickle(
    app: &AppState,
    sim: &Simulator,
    company_id: Uuid,
) -> anyhow::Result<()> {
    let synced = entity::employee::Entity::find()
        .filter(entity::employee::Column::CompanyId.eq(company_id))
        .filter(entity::employee::Column::HanetPersonId.is_not_null())
        .all(&app.db)
        .await?;
    let mut rng = rand::rng();
    let seed = match synced.get(rng.random_range(0..synced.len().max(1))) {
        Some(e) if rng.random_bool(0.9) => CheckinSeed {
            place_id: 1001,
            device_id: if rng.random_bool(0.5) {
                "C20371B106"
            } else {
                "C20371B107"
            }
            .to_owned(),
            alias_id: Some(e.employee_code.clone()),
            person_id: e.hanet_person_id.clone(),
            person_name: e.full_name.clone(),
            person_type: 0,
            time_ms: chrono::Utc::now().timestamp_millis(),
            event_id: None,
        },
        _ => CheckinSeed {
            place_id: 1001,
            device_id: "C20371B106".to_owned(),
            alias_id: None,
            person_id: None,
            person_name: String::new(),
            person_type: 2,
            time_ms: chrono::Utc::now().timestamp_millis(),
            event_id: None,
        },
    };
    sim.emit_checkin(seed).await?;
    Ok(())
}

/// The `i`-th name of a list, cycling.
pub(super) fn pick(list: &[&'static str], i: usize) -> &'static str {
    list.get(i % list.len().max(1)).copied().unwrap_or_default()
}
