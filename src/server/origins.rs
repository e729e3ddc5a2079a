//! Which web pages may talk to the server from a browser: the shop's own origins
//! (`allowed_origins` in the configuration) and the server's own pages (same origin).
//!
//! - CORS (`POST /v1/chat`, `/v1/events`, the read-only API): a preflight from an allowed
//!   origin is answered with the methods and the one header (`Content-Type`) a page needs;
//!   any other origin gets no `Access-Control-Allow-Origin`, so the browser refuses. The admin
//!   API needs `Authorization`, which is never allowed cross-origin.
//! - `/ws/chat`: a browser always sends `Origin`; one that is neither allowed nor the server's
//!   own is refused with 403 before the upgrade (a page elsewhere cannot open a shopper's
//!   session with their cookies or network position). Clients that are not browsers send no
//!   `Origin` and are served.

use std::time::Duration;

use axum::http::header::{CONTENT_TYPE, HOST, ORIGIN};
use axum::http::{HeaderMap, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// How long a browser may cache a preflight's answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// The allowed origins: exact `scheme://host[:port]` values, or any (`*`).
#[derive(Debug, Clone, Default)]
pub struct Origins {
    any: bool,
    list: Vec<String>,
}

impl Origins {
    /// From the configured values (checked by the configuration: `*` or `scheme://host[:port]`).
    pub fn new(configured: &[String]) -> Origins {
        Origins {
            any: configured.iter().any(|o| o == "*"),
            list: configured.iter().filter(|o| *o != "*").map(|o| o.trim_end_matches('/').to_ascii_lowercase()).collect(),
        }
    }

    /// Whether a request with `headers` may go on: no `Origin` (not a browser), an allowed one,
    /// or the server's own (its authority is the request's `Host`).
    pub fn admits(&self, headers: &HeaderMap) -> bool {
        let Some(origin) = headers.get(ORIGIN) else { return true };
        self.allows(origin, headers)
    }

    fn allows(&self, origin: &HeaderValue, headers: &HeaderMap) -> bool {
        let Ok(origin) = origin.to_str() else { return false };
        let origin = origin.to_ascii_lowercase();
        if self.any || self.list.contains(&origin) {
            return true;
        }
        let authority = origin.split_once("://").map(|(_, rest)| rest);
        let host = headers.get(HOST).and_then(|h| h.to_str().ok()).map(str::to_ascii_lowercase);
        authority.is_some() && authority == host.as_deref()
    }

    /// The CORS layer of the public API.
    pub fn cors(&self) -> CorsLayer {
        let origins = self.clone();
        CorsLayer::new()
            .allow_origin(AllowOrigin::predicate(move |origin, parts| origins.allows(origin, &parts.headers)))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([CONTENT_TYPE])
            .max_age(PREFLIGHT_MAX_AGE)
    }
}

/// Whether `value` is an origin the configuration may name: `*`, or `http(s)://host[:port]`
/// with nothing after.
pub fn valid(value: &str) -> bool {
    if value == "*" {
        return true;
    }
    let Some((scheme, authority)) = value.trim_end_matches('/').split_once("://") else { return false };
    matches!(scheme, "http" | "https") && !authority.is_empty() && !authority.contains(['/', '?', '#', ' ', '@'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(HOST, HeaderValue::from_str(host).unwrap());
        if let Some(o) = origin {
            h.insert(ORIGIN, HeaderValue::from_str(o).unwrap());
        }
        h
    }

    #[test]
    fn the_shops_origins_and_the_servers_own_are_admitted() {
        let origins = Origins::new(&["https://shop.example".into()]);
        assert!(origins.admits(&headers(None, "chat.example")), "not a browser");
        assert!(origins.admits(&headers(Some("https://shop.example"), "chat.example")));
        assert!(origins.admits(&headers(Some("HTTPS://Shop.Example"), "chat.example")));
        assert!(origins.admits(&headers(Some("http://127.0.0.1:8080"), "127.0.0.1:8080")), "same origin");
        assert!(!origins.admits(&headers(Some("https://evil.example"), "chat.example")));
        assert!(!origins.admits(&headers(Some("null"), "chat.example")));
        assert!(Origins::new(&["*".into()]).admits(&headers(Some("https://evil.example"), "chat.example")));
    }

    #[test]
    fn configured_origins_are_checked() {
        for ok in ["*", "https://shop.example", "http://localhost:3000", "https://shop.example/"] {
            assert!(valid(ok), "{ok}");
        }
        for bad in ["shop.example", "https://shop.example/path", "ftp://shop.example", "https://", "https://a b"] {
            assert!(!valid(bad), "{bad}");
        }
    }
}
