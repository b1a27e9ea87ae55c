//! Where photo bytes live: an object store through the `object_store` crate (Apache Arrow's,
//! used by many data systems): a local directory under the data dir by default, or an
//! S3-compatible bucket when `TIMEKEEPING_PHOTO_STORE_URL=s3://bucket/prefix` (credentials,
//! region and endpoint from the standard `AWS_*` variables).

use std::sync::Arc;

use anyhow::Context;
use bytes::Bytes;
use object_store::{
    ObjectStore, PutPayload, aws::AmazonS3Builder, local::LocalFileSystem, path::Path,
};

use crate::config::Settings;

#[derive(Clone)]
pub struct PhotoStore {
    store: Arc<dyn ObjectStore>,
    prefix: String,
}

impl PhotoStore {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        match settings
            .photo_store_url
            .as_deref()
            .filter(|u| !u.is_empty())
        {
            None => {
                let dir = settings.data_dir.join("photos");
                std::fs::create_dir_all(&dir).with_context(|| {
                    format!("TIMEKEEPING_DATA_DIR: cannot create {}", dir.display())
                })?;
                let store = LocalFileSystem::new_with_prefix(&dir)
                    .with_context(|| format!("photo store at {}", dir.display()))?;
                Ok(Self {
                    store: Arc::new(store),
                    prefix: String::new(),
                })
            }
            Some(url) => {
                let rest = url
                    .strip_prefix("s3://")
                    .context("TIMEKEEPING_PHOTO_STORE_URL must look like s3://bucket/prefix")?;
                let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
                let store = AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .build()
                    .context(
                        "TIMEKEEPING_PHOTO_STORE_URL: S3 settings (AWS_* variables) are incomplete",
                    )?;
                Ok(Self {
                    store: Arc::new(store),
                    prefix: prefix.trim_matches('/').to_owned(),
                })
            }
        }
    }

    fn path(&self, key: &str) -> Path {
        if self.prefix.is_empty() {
            Path::from(key)
        } else {
            Path::from(format!("{}/{key}", self.prefix))
        }
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> anyhow::Result<()> {
        self.store
            .put(&self.path(key), PutPayload::from(bytes))
            .await?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> anyhow::Result<Bytes> {
        Ok(self.store.get(&self.path(key)).await?.bytes().await?)
    }

    /// Deletes; a missing object is fine.
    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self.store.delete(&self.path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
