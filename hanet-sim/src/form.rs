//! Request body parsing: `application/x-www-form-urlencoded` and `multipart/form-data`.
//!
//! Hanet's partner endpoints read form fields whatever the encoding; uploads arrive as multipart
//! parts. A multipart part with a file name, or named `file`/`file[]`, is kept as raw bytes in
//! [`Form::files`]; every other part is a text field. Any other content type (JSON included; the
//! reference says JSON support is UNKNOWN) yields an empty form, so the call fails the way a
//! request with no fields would.

use std::collections::HashMap;

use actix_web::HttpRequest;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::web::Bytes;

use crate::envelope::ApiError;

/// The fields and files of one request.
#[derive(Debug, Default, Clone)]
pub struct Form {
    pub fields: HashMap<String, String>,
    pub files: HashMap<String, Vec<u8>>,
}

impl Form {
    /// Parses the body according to the request's content type.
    pub async fn parse(req: &HttpRequest, body: Bytes) -> Result<Form, ApiError> {
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let lower = content_type.to_ascii_lowercase();
        if lower.starts_with("application/x-www-form-urlencoded") {
            Self::parse_urlencoded(&body)
        } else if lower.starts_with("multipart/form-data") {
            Self::parse_multipart(&content_type, body).await
        } else {
            Ok(Form::default())
        }
    }

    /// Parses a urlencoded string (also used for query strings).
    pub fn parse_urlencoded(body: &[u8]) -> Result<Form, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
            .map_err(|e| ApiError::invalid(format!("malformed form body: {e}")))?;
        let mut form = Form::default();
        for (k, v) in pairs {
            form.fields.entry(k).or_insert(v);
        }
        Ok(form)
    }

    async fn parse_multipart(content_type: &str, body: Bytes) -> Result<Form, ApiError> {
        let boundary = multer::parse_boundary(content_type)
            .map_err(|e| ApiError::invalid(format!("multipart boundary: {e}")))?;
        let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
        let mut multipart = multer::Multipart::new(stream, boundary);
        let mut form = Form::default();
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(e) => return Err(ApiError::invalid(format!("malformed multipart: {e}"))),
            };
            let name = field.name().unwrap_or("").to_owned();
            let is_file = field.file_name().is_some() || name == "file" || name == "file[]";
            let bytes = field
                .bytes()
                .await
                .map_err(|e| ApiError::invalid(format!("malformed multipart: {e}")))?;
            if is_file {
                form.files.entry(name).or_insert_with(|| bytes.to_vec());
            } else {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                form.fields.entry(name).or_insert(text);
            }
        }
        Ok(form)
    }

    /// Adds `other`'s fields that this form lacks (body wins over query string).
    pub fn merge_missing(&mut self, other: Form) {
        for (k, v) in other.fields {
            self.fields.entry(k).or_insert(v);
        }
    }

    /// A field, trimmed, `None` when absent or blank.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .get(key)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    /// A required text field (-1 when missing).
    pub fn require(&self, key: &str) -> Result<&str, ApiError> {
        self.get(key)
            .ok_or_else(|| ApiError::invalid(format!("missing {key}")))
    }

    /// An optional integer field (-1 when present but not a number).
    pub fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .parse::<i64>()
                .map(Some)
                .map_err(|_| ApiError::invalid(format!("{key} is not a number"))),
        }
    }

    /// A required integer field.
    pub fn require_int(&self, key: &str) -> Result<i64, ApiError> {
        self.int(key)?
            .ok_or_else(|| ApiError::invalid(format!("missing {key}")))
    }

    /// A comma-separated list field; empty when absent.
    pub fn list(&self, key: &str) -> Vec<String> {
        self.get(key)
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A comma-separated list of integers (-1 when an item is not a number).
    pub fn int_list(&self, key: &str) -> Result<Vec<i64>, ApiError> {
        self.list(key)
            .iter()
            .map(|s| {
                s.parse::<i64>()
                    .map_err(|_| ApiError::invalid(format!("{key} has a non-numeric item")))
            })
            .collect()
    }

    /// The first uploaded file among `keys`.
    pub fn file(&self, keys: &[&str]) -> Option<&[u8]> {
        keys.iter()
            .find_map(|k| self.files.get(*k))
            .map(Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlencoded_lists_and_ints() {
        let form = Form::parse_urlencoded(b"placeID=12&devices=C1,%20C2,&bad=x").unwrap();
        assert_eq!(form.require_int("placeID").unwrap(), 12);
        assert_eq!(form.list("devices"), vec!["C1", "C2"]);
        assert_eq!(form.int("bad").unwrap_err().code, -1);
        assert_eq!(form.require("missing").unwrap_err().code, -1);
    }
}
