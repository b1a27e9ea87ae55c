//! The Apollo persisted-query cache, bounded in bytes: a document over
//! [`MAX_DOCUMENT_BYTES`] is executed but not kept, and the least recently used documents are
//! dropped once the kept text passes [`MAX_TOTAL_BYTES`]. (async-graphql's `LruCacheStorage`
//! counts entries, so 1,024 documents of 1 MB each could be pinned by anyone.)

use std::sync::Mutex;

use async_graphql::parser::types::ExecutableDocument;
use lru::LruCache;

/// Largest query text kept.
pub const MAX_DOCUMENT_BYTES: usize = 32 * 1024;
/// Query text kept in all.
pub const MAX_TOTAL_BYTES: usize = 4 * 1024 * 1024;

struct Inner {
    documents: LruCache<String, (ExecutableDocument, usize)>,
    bytes: usize,
}

pub struct PersistedQueries {
    inner: Mutex<Inner>,
}

impl Default for PersistedQueries {
    fn default() -> Self {
        Self {
            inner: Mutex::new(Inner {
                documents: LruCache::unbounded(),
                bytes: 0,
            }),
        }
    }
}

impl PersistedQueries {
    pub fn get(&self, hash: &str) -> Option<ExecutableDocument> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.documents.get(hash).map(|(doc, _)| doc.clone())
    }

    /// Keeps a document of `size` bytes of text, unless it is too large to keep.
    pub fn set(&self, hash: String, document: ExecutableDocument, size: usize) {
        if size > MAX_DOCUMENT_BYTES {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, old)) = inner.documents.put(hash, (document, size)) {
            inner.bytes = inner.bytes.saturating_sub(old);
        }
        inner.bytes = inner.bytes.saturating_add(size);
        while inner.bytes > MAX_TOTAL_BYTES {
            match inner.documents.pop_lru() {
                Some((_, (_, dropped))) => inner.bytes = inner.bytes.saturating_sub(dropped),
                None => break,
            }
        }
    }
}
