//! Dataloaders, fresh for every GraphQL operation (HTTP request or WebSocket operation), so their
//! per-operation cache never serves data older than the operation.

use std::sync::Arc;

use async_graphql::{
    Request, ServerResult,
    dataloader::{DataLoader, HashMapCache},
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest},
};

use crate::{departments::DepartmentLoader, photos::PhotoLoader, state::AppState};

/// The loaders one operation uses.
pub struct Loaders {
    pub departments: DataLoader<DepartmentLoader, HashMapCache>,
    pub photos: DataLoader<PhotoLoader, HashMapCache>,
}

impl Loaders {
    pub fn new(app: &AppState) -> Self {
        Self {
            departments: DataLoader::with_cache(
                DepartmentLoader::new(app.db.clone()),
                tokio::spawn,
                HashMapCache::default(),
            ),
            photos: DataLoader::with_cache(
                PhotoLoader::new(app.db.clone()),
                tokio::spawn,
                HashMapCache::default(),
            ),
        }
    }
}

/// Adds fresh [`Loaders`] to every operation.
pub struct PerOperationLoaders;

impl ExtensionFactory for PerOperationLoaders {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PerOperationLoaders)
    }
}

#[async_trait::async_trait]
impl Extension for PerOperationLoaders {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let request = match ctx.data_opt::<AppState>() {
            Some(app) => request.data(Loaders::new(app)),
            None => request,
        };
        next.run(ctx, request).await
    }
}
