//! Dataloaders, fresh for every GraphQL operation (HTTP request or WebSocket operation), so their
//! per-operation cache never serves data older than the operation. One generic loader batches
//! look-ups of rows by id into one `IN (…)` query per entity.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entity::{company, department, employee, face_photo, user, work_schedule};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::ApiError;

/// Loads rows of `E` by their id column.
pub struct RowLoader<E: EntityTrait> {
    db: DatabaseConnection,
    column: E::Column,
    id: fn(&E::Model) -> Uuid,
}

impl<E> Loader<Uuid> for RowLoader<E>
where
    E: EntityTrait,
    E::Model: Clone + Send + Sync,
    E::Column: Send + Sync,
{
    type Value = E::Model;
    type Error = Arc<async_graphql::Error>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, E::Model>, Self::Error> {
        let rows = E::find()
            .filter(self.column.is_in(keys.iter().copied()))
            .all(&self.db)
            .await
            .map_err(|e| Arc::new(async_graphql::Error::from(ApiError::from(e))))?;
        Ok(rows.into_iter().map(|row| ((self.id)(&row), row)).collect())
    }
}

type Cached<E> = DataLoader<RowLoader<E>, HashMapCache>;

fn loader<E>(db: &DatabaseConnection, column: E::Column, id: fn(&E::Model) -> Uuid) -> Cached<E>
where
    E: EntityTrait,
    E::Model: Clone + Send + Sync,
    E::Column: Send + Sync,
{
    DataLoader::with_cache(
        RowLoader {
            db: db.clone(),
            column,
            id,
        },
        tokio::spawn,
        HashMapCache::default(),
    )
}

/// The loaders one operation uses.
pub struct Loaders {
    pub departments: Cached<department::Entity>,
    pub photos: Cached<face_photo::Entity>,
    pub employees: Cached<employee::Entity>,
    pub users: Cached<user::Entity>,
    pub companies: Cached<company::Entity>,
    pub schedules: Cached<work_schedule::Entity>,
}

impl Loaders {
    pub fn new(db: &DatabaseConnection) -> Self {
        Self {
            departments: loader::<department::Entity>(db, department::Column::Id, |d| d.id),
            photos: loader::<face_photo::Entity>(db, face_photo::Column::Id, |p| p.id),
            employees: loader::<employee::Entity>(db, employee::Column::Id, |e| e.id),
            users: loader::<user::Entity>(db, user::Column::Id, |u| u.id),
            companies: loader::<company::Entity>(db, company::Column::Id, |c| c.id),
            schedules: loader::<work_schedule::Entity>(db, work_schedule::Column::Id, |s| s.id),
        }
    }
}

/// A loader's shared error, as the caller's own.
fn shared(e: Arc<async_graphql::Error>) -> async_graphql::Error {
    (*e).clone()
}

impl Loaders {
    /// An employee by id (`None`: no such row).
    pub async fn employee(&self, id: Uuid) -> async_graphql::Result<Option<employee::Model>> {
        self.employees.load_one(id).await.map_err(shared)
    }
    /// A department by id.
    pub async fn department(&self, id: Uuid) -> async_graphql::Result<Option<department::Model>> {
        self.departments.load_one(id).await.map_err(shared)
    }
    /// A face photo by id.
    pub async fn photo(&self, id: Uuid) -> async_graphql::Result<Option<face_photo::Model>> {
        self.photos.load_one(id).await.map_err(shared)
    }
    /// A user by id.
    pub async fn user(&self, id: Uuid) -> async_graphql::Result<Option<user::Model>> {
        self.users.load_one(id).await.map_err(shared)
    }
    /// A company by id.
    pub async fn company(&self, id: Uuid) -> async_graphql::Result<Option<company::Model>> {
        self.companies.load_one(id).await.map_err(shared)
    }
    /// A work schedule by id.
    pub async fn schedule(&self, id: Uuid) -> async_graphql::Result<Option<work_schedule::Model>> {
        self.schedules.load_one(id).await.map_err(shared)
    }
    /// Loads these employees into the operation's cache in one query.
    pub async fn prime_employees(&self, ids: Vec<Uuid>) -> async_graphql::Result<()> {
        if !ids.is_empty() {
            self.employees.load_many(ids).await.map_err(shared)?;
        }
        Ok(())
    }
    /// Loads these departments and photos into the operation's cache in two queries, so a
    /// page's rows then find them there.
    pub async fn prime(
        &self,
        departments: Vec<Uuid>,
        photos: Vec<Uuid>,
    ) -> async_graphql::Result<()> {
        if !departments.is_empty() {
            self.departments
                .load_many(departments)
                .await
                .map_err(shared)?;
        }
        if !photos.is_empty() {
            self.photos.load_many(photos).await.map_err(shared)?;
        }
        Ok(())
    }
}
