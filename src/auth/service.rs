//! Users: creating them and checking their passwords.

use chrono::Utc;
use entity::user;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, prelude::*};
use uuid::Uuid;

use super::{Role, Session, password};
use crate::error::{ApiError, ApiResult};
use crate::guard::{ClientAddress, LoginThrottle};

/// What a new user needs.
pub struct NewUser {
    pub company_id: Option<Uuid>,
    pub email: String,
    pub password: String,
    pub role: Role,
    pub employee_id: Option<Uuid>,
}

pub fn normalize_email(email: &str) -> ApiResult<String> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !email.contains(char::is_whitespace);
    if valid {
        Ok(email)
    } else {
        Err(ApiError::bad_input("email", "not a valid email address"))
    }
}

pub async fn create_user(db: &impl ConnectionTrait, new: NewUser) -> ApiResult<user::Model> {
    let email = normalize_email(&new.email)?;
    if new.password.chars().count() < password::MIN_LENGTH {
        return Err(ApiError::bad_input(
            "password",
            format!("must be at least {} characters", password::MIN_LENGTH),
        ));
    }
    if (new.role == Role::PlatformOperator) != new.company_id.is_none() {
        return Err(ApiError::bad_input(
            "role",
            "platform operators belong to no company; every other role belongs to one",
        ));
    }
    if new.role == Role::Employee && new.employee_id.is_none() {
        return Err(ApiError::bad_input(
            "employeeId",
            "an EMPLOYEE user must be linked to an employee",
        ));
    }
    if let (Some(employee_id), Some(company_id)) = (new.employee_id, new.company_id) {
        let found = entity::employee::Entity::find_by_id(employee_id)
            .filter(entity::employee::Column::CompanyId.eq(company_id))
            .one(db)
            .await?;
        if found.is_none() {
            return Err(ApiError::NotFound("employee"));
        }
    }
    let password_hash = password::hash(new.password)
        .await
        .map_err(ApiError::Internal)?;
    let model = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(new.company_id),
        email: Set(email.clone()),
        password_hash: Set(password_hash),
        role: Set(new.role.into()),
        employee_id: Set(new.employee_id),
        created_at: Set(Utc::now()),
    };
    model.insert(db).await.map_err(|e| {
        ApiError::from_db_conflict(e, || format!("a user with email {email} already exists"))
    })
}

/// Checks an email and password; the same error whether the email or the password is wrong.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    email: &str,
    password_attempt: String,
) -> ApiResult<(user::Model, Session)> {
    let email = email.trim().to_lowercase();
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(db)
        .await?;
    let ok = password::verify(
        password_attempt,
        found.as_ref().map(|u| u.password_hash.clone()),
    )
    .await
    .map_err(ApiError::Internal)?;
    match found {
        Some(user) if ok => {
            let session = Session {
                user_id: user.id,
                company_id: user.company_id,
                role: user.role.into(),
                expires_at: None,
            };
            Ok((user, session))
        }
        _ => Err(ApiError::Unauthenticated(
            "wrong email or password".to_owned(),
        )),
    }
}

/// `login`: refused at once (`RATE_LIMITED`, before any hashing) while the email or the client
/// address is locked after too many failures; otherwise checks the password and counts a
/// failure against both.
pub async fn login(
    db: &impl ConnectionTrait,
    throttle: &LoginThrottle,
    email: &str,
    password_attempt: String,
    client: &ClientAddress,
) -> ApiResult<(user::Model, Session)> {
    let email_key = format!("email:{}", email.trim().to_lowercase());
    let address_key = format!("address:{}", client.0);
    let keys = [email_key.as_str(), address_key.as_str()];
    if let Some(seconds) = throttle.locked(&keys) {
        return Err(ApiError::RateLimited {
            message: format!("too many failed logins; try again in {seconds} s"),
            retry_after_seconds: seconds,
        });
    }
    match authenticate(db, email, password_attempt).await {
        Ok(found) => {
            throttle.succeeded(&email_key);
            Ok(found)
        }
        Err(ApiError::Unauthenticated(message)) => {
            throttle.failed(&keys);
            Err(ApiError::Unauthenticated(message))
        }
        Err(other) => Err(other),
    }
}

pub async fn find_user(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<user::Model> {
    user::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::Unauthenticated(
            "this login's user no longer exists".to_owned(),
        ))
}
