//! Department storage.

use chrono::Utc;
use entity::department;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

pub async fn list(
    db: &impl ConnectionTrait,
    company_id: Uuid,
) -> ApiResult<Vec<department::Model>> {
    Ok(department::Entity::find()
        .filter(department::Column::CompanyId.eq(company_id))
        .order_by_asc(department::Column::Name)
        .all(db)
        .await?)
}

pub fn validate_name(name: &str) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::bad_input("name", "must be 1 to 200 characters"));
    }
    Ok(name.to_owned())
}

pub async fn create(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    name: &str,
) -> ApiResult<department::Model> {
    let name = validate_name(name)?;
    department::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(company_id),
        name: Set(name.clone()),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await
    .map_err(|e| ApiError::from_db_conflict(e, || format!("department {name:?} already exists")))
}

/// The department of this company with this id, if any.
pub async fn find_in_company(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    id: Uuid,
) -> ApiResult<Option<department::Model>> {
    Ok(department::Entity::find_by_id(id)
        .filter(department::Column::CompanyId.eq(company_id))
        .one(db)
        .await?)
}

/// The department of this company with this name, if any.
pub async fn find_by_name(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    name: &str,
) -> ApiResult<Option<department::Model>> {
    Ok(department::Entity::find()
        .filter(department::Column::CompanyId.eq(company_id))
        .filter(department::Column::Name.eq(name.trim()))
        .one(db)
        .await?)
}
