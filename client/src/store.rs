//! Where contribution records and deliveries live: the `object_store` crate, so one machine uses
//! a local directory and a pool at scale uses S3-compatible storage (AWS S3, MinIO, R2, …) by
//! URL: `s3://bucket/prefix` with the usual `AWS_*` environment variables (`AWS_ENDPOINT` and
//! `AWS_ALLOW_HTTP` for a non-AWS server). Writes are whole-object (atomic on both backends), so
//! a crash never leaves half an object.
//!
//! Layout: `records/<pool>/<data hash>.age` (a contribution's canonical records, sealed to the
//! pool's custodians) and `deliveries/<offer>/<file>` (a delivery's manifest and sealed files).

use std::sync::Arc;
use std::time::Duration;

use anchor_lang::prelude::Pubkey;
use futures::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ClientOptions, ObjectStore, ObjectStoreExt, RetryConfig};

/// A store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL is not a store URL.
    #[error("{0:?} is not a store: use a directory path or s3://bucket/prefix")]
    Url(String),
    /// An object is missing.
    #[error("{key} is not in the store {store}")]
    NotFound {
        /// The store.
        store: String,
        /// The key.
        key: String,
    },
    /// The data service refused the request.
    #[error("{store} refused: {message}")]
    Refused {
        /// The service.
        store: String,
        /// Its reason.
        message: String,
    },
    /// The store could not be used.
    #[error("store {store}: cannot {op} {key}: {message}")]
    Failed {
        /// The store.
        store: String,
        /// What was being done.
        op: &'static str,
        /// The key.
        key: String,
        /// The backend's message.
        message: String,
    },
}

/// An object listed.
#[derive(Clone, Debug)]
pub struct Listed {
    /// Its key.
    pub key: String,
    /// Its size.
    pub size: u64,
    /// When it was last written (unix time).
    pub modified: i64,
}

/// A store opened by URL.
#[derive(Clone, Debug)]
pub struct Store {
    inner: Arc<dyn ObjectStore>,
    url: String,
}

impl Store {
    /// Opens `url`: `s3://bucket[/prefix]`, `file:///dir` or a directory path (created if
    /// missing). Nothing is contacted until the first read or write.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let inner: Arc<dyn ObjectStore> = if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(StoreError::Url(url.into()));
            }
            let endpoint = std::env::var("AWS_ENDPOINT")
                .or_else(|_| std::env::var("AWS_ENDPOINT_URL"))
                .unwrap_or_default();
            let mut b = AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .with_retry(RetryConfig {
                    max_retries: 2,
                    retry_timeout: Duration::from_secs(15),
                    ..RetryConfig::default()
                })
                .with_client_options(
                    ClientOptions::new()
                        .with_connect_timeout(Duration::from_secs(5))
                        .with_timeout(Duration::from_secs(120))
                        .with_allow_http(endpoint.starts_with("http://")),
                );
            if !endpoint.is_empty() {
                b = b.with_endpoint(endpoint);
            }
            let s3 = b.build().map_err(|e| StoreError::Failed {
                store: url.into(),
                op: "open",
                key: String::new(),
                message: e.to_string(),
            })?;
            let prefix = prefix.trim_matches('/');
            if prefix.is_empty() {
                Arc::new(s3)
            } else {
                Arc::new(PrefixStore::new(s3, prefix))
            }
        } else {
            let dir = url.strip_prefix("file://").unwrap_or(url);
            if dir.is_empty() {
                return Err(StoreError::Url(url.into()));
            }
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Failed {
                store: url.into(),
                op: "create",
                key: dir.into(),
                message: e.to_string(),
            })?;
            Arc::new(
                LocalFileSystem::new_with_prefix(dir)
                    .map_err(|e| StoreError::Failed {
                        store: url.into(),
                        op: "open",
                        key: dir.into(),
                        message: e.to_string(),
                    })?
                    .with_automatic_cleanup(true),
            )
        };
        Ok(Store {
            inner,
            url: url.into(),
        })
    }

    /// The URL it was opened with.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn failed(&self, op: &'static str, key: &str, e: object_store::Error) -> StoreError {
        match e {
            object_store::Error::NotFound { .. } => StoreError::NotFound {
                store: self.url.clone(),
                key: key.into(),
            },
            e => StoreError::Failed {
                store: self.url.clone(),
                op,
                key: key.into(),
                message: e.to_string(),
            },
        }
    }

    /// Writes `bytes` at `key`, replacing what was there.
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        self.inner
            .put(&Path::from(key), bytes.into())
            .await
            .map(|_| ())
            .map_err(|e| self.failed("write", key, e))
    }

    /// Reads `key`.
    pub async fn get(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        let r = self
            .inner
            .get(&Path::from(key))
            .await
            .map_err(|e| self.failed("read", key, e))?;
        r.bytes()
            .await
            .map(|b| b.to_vec())
            .map_err(|e| self.failed("read", key, e))
    }

    /// Deletes `key`; deleting what is not there is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self.inner.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.failed("delete", key, e)),
        }
    }

    /// Lists the objects under `prefix`.
    pub async fn list(&self, prefix: &str) -> Result<Vec<Listed>, StoreError> {
        let p = Path::from(prefix);
        self.inner
            .list(Some(&p))
            .map_ok(|m| Listed {
                key: m.location.to_string(),
                size: m.size,
                modified: m.last_modified.timestamp(),
            })
            .try_collect()
            .await
            .map_err(|e| self.failed("list", prefix, e))
    }
}

/// Key of a contribution's sealed records.
pub fn records_key(pool: &Pubkey, data_hash: &[u8; 32]) -> String {
    format!("records/{pool}/{}.age", hex::encode(data_hash))
}

/// The data hash a key made by [`records_key`] for `pool` names (`None` for any other key).
pub fn records_hash(pool: &Pubkey, key: &str) -> Option<[u8; 32]> {
    let hex_hash = key
        .strip_prefix(&records_prefix(pool))?
        .strip_prefix('/')?
        .strip_suffix(".age")?;
    let mut h = [0u8; 32];
    hex::decode_to_slice(hex_hash, &mut h).ok()?;
    Some(h)
}

/// Prefix of a pool's records.
pub fn records_prefix(pool: &Pubkey) -> String {
    format!("records/{pool}")
}

/// Key of a file of an offer's delivery.
pub fn delivery_key(offer: &Pubkey, name: &str) -> String {
    format!("deliveries/{offer}/{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_local_store_puts_gets_lists_and_deletes() {
        let dir = std::env::temp_dir().join(format!("dp-store-{}", std::process::id()));
        let s = Store::open(dir.to_str().unwrap()).unwrap();
        let pool = Pubkey::new_unique();
        let k = records_key(&pool, &[7; 32]);
        assert_eq!(records_hash(&pool, &k), Some([7; 32]));
        assert_eq!(records_hash(&Pubkey::new_unique(), &k), None);
        assert_eq!(
            records_hash(&pool, &format!("{}/x.age", records_prefix(&pool))),
            None
        );
        s.put(&k, b"sealed".to_vec()).await.unwrap();
        assert_eq!(s.get(&k).await.unwrap(), b"sealed");
        let l = s.list(&records_prefix(&pool)).await.unwrap();
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].key, k);
        s.delete(&k).await.unwrap();
        s.delete(&k).await.unwrap();
        assert!(matches!(s.get(&k).await, Err(StoreError::NotFound { .. })));
        assert!(matches!(Store::open("s3://"), Err(StoreError::Url(_))));
        std::fs::remove_dir_all(dir).ok();
    }
}
