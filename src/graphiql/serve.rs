//! Serving the GraphiQL page and its pinned, hashed assets with a strict content security policy.

use std::sync::LazyLock;

use actix_web::{HttpResponse, http::header, web};
use sha2::{Digest, Sha256};

/// The GraphiQL release in `assets/graphiql/` (see its README).
pub(super) const GRAPHIQL_RELEASE: &str = "4.1.2";

pub(super) const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
pub(super) const CSS: &str = "text/css; charset=utf-8";

/// What the page may load: this origin (and `ws(s)://` to it), plus the `data:` fonts and icons
/// GraphiQL's stylesheet carries inline. No inline script, no other origin, no framing.
pub(super) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

pub(super) const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// A file the page loads.
pub(super) struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

/// Every file under `/graphiql/{version}/`.
pub(super) const ASSETS: &[Asset] = &[
    Asset {
        name: "react.production.min.js",
        content_type: JAVASCRIPT,
        bytes: include_bytes!("../../assets/graphiql/react.production.min.js"),
    },
    Asset {
        name: "react-dom.production.min.js",
        content_type: JAVASCRIPT,
        bytes: include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
    },
    Asset {
        name: "graphiql.min.js",
        content_type: JAVASCRIPT,
        bytes: include_bytes!("../../assets/graphiql/graphiql.min.js"),
    },
    Asset {
        name: "graphiql.min.css",
        content_type: CSS,
        bytes: include_bytes!("../../assets/graphiql/graphiql.min.css"),
    },
    Asset {
        name: "page.css",
        content_type: CSS,
        bytes: include_bytes!("page.css"),
    },
    Asset {
        name: "init.js",
        content_type: JAVASCRIPT,
        bytes: include_bytes!("init.js"),
    },
];

/// `{release}-{first 12 hex digits of SHA-256 over every asset}`: changes whenever any file does.
pub(super) static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut hash = Sha256::new();
    for asset in ASSETS {
        hash.update(asset.name.as_bytes());
        hash.update((asset.bytes.len() as u64).to_le_bytes());
        hash.update(asset.bytes);
    }
    let digest = hex::encode(hash.finalize());
    format!("{GRAPHIQL_RELEASE}-{}", digest.get(..12).unwrap_or(&digest))
});

pub(super) static PAGE: LazyLock<String> =
    LazyLock::new(|| include_str!("page.html").replace("{version}", &VERSION));

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/graphiql/{version}/{file}", web::get().to(asset));
}

/// The GraphiQL page (`GET /graphql` without a WebSocket upgrade).
pub async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        // The page names the current asset version, so it is revalidated every time.
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(PAGE.as_str())
}

/// One asset of the current version; any other version or file is 404 (an old version's
/// bytes are no longer in the binary, and the current ones must not be cached under its name).
pub(super) async fn asset(path: web::Path<(String, String)>) -> HttpResponse {
    let (version, file) = path.into_inner();
    match ASSETS.iter().find(|a| a.name == file) {
        Some(asset) if version == *VERSION => HttpResponse::Ok()
            .content_type(asset.content_type)
            .insert_header((header::CACHE_CONTROL, IMMUTABLE))
            .body(asset.bytes),
        _ => HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body("no such GraphiQL file; reload /graphql"),
    }
}
