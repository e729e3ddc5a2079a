//! The web pages and their files, from the `web_dir` folder (`web/` by default): `/` is
//! `demo/index.html`, and every file of the folder is at `/web/<path>`.
//!
//! - Caching: a file whose name carries a content hash (`panel.3f9a61c2.js`: a dot, eight or
//!   more hex digits, a dot) never changes under that name: `public, max-age=31536000,
//!   immutable`. Every other file (pages, loaders) is `no-cache`: revalidated each time (its
//!   `Last-Modified` makes that a 304).
//! - Pages (`text/html`) carry the strict Content-Security-Policy the widget is built for, so a
//!   page of ours that breaks it fails in the browser tests, not in a shop.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::services::{ServeDir, ServeFile};

/// The policy of our pages: scripts, styles and connections from this server only; product
/// images from anywhere the catalog points.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' https: http: data:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// The routes of the pages under `dir`.
pub fn routes<S: Clone + Send + Sync + 'static>(dir: &Path) -> Router<S> {
    Router::new()
        .route_service("/", ServeFile::new(dir.join("demo").join("index.html")))
        .route_service("/console", ServeFile::new(dir.join("console").join("index.html")))
        .nest_service("/web", ServeDir::new(dir))
        .layer(middleware::from_fn(headers))
}

/// The cache and security headers of a file by its name and type.
async fn headers(request: Request, next: Next) -> Response {
    let hashed = has_content_hash(request.uri().path());
    let mut response = next.run(request).await;
    if !(response.status().is_success() || response.status() == axum::http::StatusCode::NOT_MODIFIED) {
        return response;
    }
    let html = response.headers().get(CONTENT_TYPE).and_then(|t| t.to_str().ok()).is_some_and(|t| t.starts_with("text/html"));
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(if hashed { IMMUTABLE } else { REVALIDATE }));
    if html {
        headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    }
    response
}

/// Whether the file name in `path` carries a content hash: `name.<8+ hex digits>.ext`.
pub fn has_content_hash(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3 && parts[1..parts.len() - 1].iter().any(|p| p.len() >= 8 && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The default folder of the pages (as the configuration's).
pub fn default_dir() -> PathBuf {
    crate::config::Config::default().web_dir
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hashes_are_read_from_file_names() {
        assert!(has_content_hash("/web/widget/panel.3f9a61c2.js"));
        assert!(has_content_hash("/web/widget/panel.3F9A61C2b.min.js"));
        assert!(!has_content_hash("/web/widget/loader.js"));
        assert!(!has_content_hash("/web/widget/panel.v2.js"));
        assert!(!has_content_hash("/web/demo/index.html"));
        assert!(!has_content_hash("/web/3f9a61c2/loader.js"), "a folder name is not the file's");
    }
}
