//! Creating companies and flipping their camera-timekeeping switch.

use chrono::Utc;
use entity::company;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, Set};
use uuid::Uuid;

use crate::{
    auth::{Role, service as users},
    error::{ApiError, ApiResult},
};

/// The default time zone of a new company.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Ho_Chi_Minh";

pub fn validate_time_zone(tz: &str) -> ApiResult<String> {
    tz.parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_owned())
        .map_err(|_| ApiError::bad_input("timeZone", format!("{tz:?} is not an IANA time zone")))
}

/// Creates a company and its first admin in one transaction.
pub async fn create_company_with_admin(
    db: &DatabaseConnection,
    name: &str,
    time_zone: &str,
    admin_email: &str,
    admin_password: String,
) -> ApiResult<company::Model> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ApiError::bad_input("name", "must not be empty"));
    }
    let time_zone = validate_time_zone(time_zone)?;
    let txn = crate::db::begin_write(db).await?;
    let id = Uuid::now_v7();
    // Written without RETURNING and read back with a plain SELECT: on SQLite the returned row
    // of this table (columns added by ALTER TABLE) intermittently came back without them.
    company::Entity::insert(company::ActiveModel {
        id: Set(id),
        name: Set(name.to_owned()),
        time_zone: Set(time_zone),
        camera_timekeeping_enabled: Set(false),
        created_at: Set(Utc::now()),
        workday_start_hour: Set(0),
        attendance_complete_until: Set(None),
        attendance_days_version: Set(crate::days::RULES_VERSION),
        auto_sync: Set(false),
        default_schedule_id: Set(None),
        days_materialized_until: Set(None),
        attendance_locked_through: Set(None),
        attendance_started_at: Set(None),
    })
    .exec_without_returning(&txn)
    .await?;
    let company = get(&txn, id).await?;
    users::create_user(
        &txn,
        users::NewUser {
            company_id: Some(company.id),
            email: admin_email.to_owned(),
            password: admin_password,
            role: Role::Admin,
            employee_id: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(company)
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<company::Model> {
    company::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("company"))
}

pub async fn set_camera_timekeeping(
    db: &impl ConnectionTrait,
    id: Uuid,
    enabled: bool,
) -> ApiResult<company::Model> {
    let mut model = get(db, id).await?.into_active_model();
    model.camera_timekeeping_enabled = Set(enabled);
    company::Entity::update(model)
        .exec_without_returning(db)
        .await?;
    get(db, id).await
}

/// Changes the time zone and/or the working-day start hour.
pub async fn update_settings(
    db: &impl ConnectionTrait,
    id: Uuid,
    time_zone: Option<String>,
    workday_start_hour: Option<i32>,
    auto_sync: Option<bool>,
) -> ApiResult<company::Model> {
    let current = get(db, id).await?;
    let mut model = current.clone().into_active_model();
    if let Some(on) = auto_sync {
        model.auto_sync = Set(on);
    }
    if let Some(tz) = time_zone {
        model.time_zone = Set(validate_time_zone(&tz)?);
    }
    if let Some(hour) = workday_start_hour {
        if !(0..=23).contains(&hour) {
            return Err(ApiError::bad_input("workdayStartHour", "must be 0–23"));
        }
        model.workday_start_hour = Set(hour);
    }
    let day_changed = *model.time_zone.as_ref() != current.time_zone
        || *model.workday_start_hour.as_ref() != current.workday_start_hour;
    if day_changed {
        // The stored days were computed for the old day: recompute them.
        model.attendance_days_version = Set(0);
    }
    company::Entity::update(model)
        .exec_without_returning(db)
        .await?;
    get(db, id).await
}
