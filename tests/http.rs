//! The HTTP API against a real server on port 0 over the real demo index.

mod common;

use std::collections::HashSet;
use std::sync::Arc;

use aisle::catalog::synonyms::Synonyms;
use aisle::catalog::{Availability, Catalog, Product};
use common::{TestServer, build_index, demo_products};
use reqwest::StatusCode;
use serde_json::Value;

async fn get(server: &TestServer, path: &str) -> (StatusCode, Value) {
    let response = reqwest::get(server.url(path)).await.unwrap();
    let status = response.status();
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
    assert_eq!(content_type.as_deref(), Some("application/json"), "{path}");
    (status, response.json().await.unwrap())
}

async fn bad_request(server: &TestServer, path: &str, mentions: &str) {
    let (status, body) = get(server, path).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
    assert_eq!(body["error"]["code"], "bad_request", "{path}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains(mentions), "{path}: '{message}' should mention '{mentions}'");
}

#[tokio::test]
async fn healthz_reports_ok() {
    let server = TestServer::start().await;
    let (status, body) = get(&server, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["products"].as_u64().unwrap() as usize, demo_products().len());
}

#[tokio::test]
async fn search_returns_cards_facets_and_timing() {
    let server = TestServer::start().await;
    let (status, body) = get(&server, "/v1/search?q=ceramc%20mugg&limit=5").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["total"].as_u64().unwrap() >= 5);
    assert!(body["took_ms"].as_f64().unwrap() >= 0.0);
    let products = body["products"].as_array().unwrap();
    assert_eq!(products.len(), 5);
    for card in products {
        assert!(card["title"].as_str().unwrap().contains("Mug"), "{card}");
        for field in ["id", "title", "brand", "price", "currency", "list_price", "rating", "in_stock", "image", "url"] {
            assert!(card.get(field).is_some(), "card lacks {field}: {card}");
        }
        let record = demo_products().iter().find(|p| p.id == card["id"].as_str().unwrap()).unwrap();
        assert_eq!(card["price"].as_f64().unwrap(), record.effective_price().amount, "price is the effective price");
        assert_eq!(card["currency"], "INR");
        match &record.sale_price {
            Some(_) => assert_eq!(card["list_price"].as_f64().unwrap(), record.price.amount),
            None => assert!(card["list_price"].is_null()),
        }
    }
    let brands = body["facets"]["brand"].as_array().unwrap();
    assert!(brands.iter().any(|b| b["value"] == "Akup" && b["count"].as_u64().unwrap() > 0), "{brands:?}");
    assert!(!body["facets"]["category"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn search_filters_and_sorts_over_http() {
    let server = TestServer::start().await;
    let (status, body) = get(&server, "/v1/search?q=&min_price=200&max_price=400&sort=price_asc&limit=100&category=Clothing").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let prices: Vec<f64> = body["products"].as_array().unwrap().iter().map(|c| c["price"].as_f64().unwrap()).collect();
    assert!(!prices.is_empty());
    assert!(prices.iter().all(|p| (200.0..=400.0).contains(p)), "{prices:?}");
    assert!(prices.windows(2).all(|w| w[0] <= w[1]));
    let expected = demo_products()
        .iter()
        .filter(|p| p.category_path().first() == Some(&"Clothing") && (200.0..=400.0).contains(&p.effective_price().amount))
        .count();
    assert_eq!(body["total"].as_u64().unwrap() as usize, expected);

    let (_, body) = get(&server, "/v1/search?brand=speedwav&brand=AKUP&limit=0").await;
    let expected = demo_products().iter().filter(|p| matches!(p.brand.as_deref(), Some("Speedwav" | "Akup"))).count();
    assert!(expected > 0);
    assert_eq!(body["total"].as_u64().unwrap() as usize, expected);
    assert!(body["products"].as_array().unwrap().is_empty());
}

/// The demo catalog with every other Speedwav and Akup product out of stock (the demo has
/// every product in stock), and the ids of those taken out.
fn partly_out_of_stock() -> (Vec<Product>, HashSet<String>) {
    let mut products = demo_products().to_vec();
    let mut out = HashSet::new();
    let branded = products.iter_mut().filter(|p| matches!(p.brand.as_deref(), Some("Speedwav" | "Akup")));
    for product in branded.step_by(2) {
        product.availability = Availability::OutOfStock;
        out.insert(product.id.clone());
    }
    (products, out)
}

/// The ids and stock flags of a search's cards.
async fn cards(server: &TestServer, path: &str) -> Vec<(String, bool)> {
    let (status, body) = get(server, path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    let cards = body["products"].as_array().unwrap();
    assert_eq!(body["total"].as_u64().unwrap() as usize, cards.len(), "{path}: one page holds them all");
    cards.iter().map(|c| (c["id"].as_str().unwrap().to_string(), c["in_stock"].as_bool().unwrap())).collect()
}

#[tokio::test]
async fn the_in_stock_filter_excludes_exactly_the_products_out_of_stock() {
    let (products, out) = partly_out_of_stock();
    let dir = build_index(&products);
    let server = TestServer::start_over(Arc::new(Catalog::open(dir.path(), Synonyms::default()).unwrap())).await;
    let branded: HashSet<String> =
        products.iter().filter(|p| matches!(p.brand.as_deref(), Some("Speedwav" | "Akup"))).map(|p| p.id.clone()).collect();
    let in_stock: HashSet<String> = branded.difference(&out).cloned().collect();
    assert!(out.len() >= 10 && in_stock.len() >= 10, "{} out, {} in stock", out.len(), in_stock.len());

    let base = "/v1/search?brand=speedwav&brand=AKUP&limit=100";
    let only_in_stock = cards(&server, &format!("{base}&in_stock=true")).await;
    assert_eq!(only_in_stock.iter().map(|(id, _)| id.clone()).collect::<HashSet<_>>(), in_stock);
    assert!(only_in_stock.iter().all(|(_, flag)| *flag), "{only_in_stock:?}");
    let only_out = cards(&server, &format!("{base}&in_stock=false")).await;
    assert_eq!(only_out.iter().map(|(id, _)| id.clone()).collect::<HashSet<_>>(), out);
    assert!(only_out.iter().all(|(_, flag)| !*flag), "{only_out:?}");
    let unfiltered = cards(&server, base).await;
    assert_eq!(unfiltered.len(), branded.len());
    for (id, flag) in &unfiltered {
        assert_eq!(*flag, !out.contains(id), "{id}: the card's in_stock is the record's");
    }
    // With text too: the filter applies to what the words find.
    let shades = cards(&server, "/v1/search?q=speedwav%20sun%20shade&in_stock=true&limit=100").await;
    assert!(!shades.is_empty());
    assert!(shades.iter().all(|(id, _)| !out.contains(id)), "{shades:?}");
}

#[tokio::test]
async fn bad_parameters_are_400_with_a_clear_message() {
    let server = TestServer::start().await;
    bad_request(&server, "/v1/search?q=mug&min_price=abc", "min_price").await;
    bad_request(&server, "/v1/search?q=mug&max_price=-5", "max_price").await;
    bad_request(&server, "/v1/search?q=mug&limit=-1", "limit").await;
    bad_request(&server, "/v1/search?q=mug&limit=1000", "limit").await;
    bad_request(&server, "/v1/search?q=mug&offset=x", "offset").await;
    bad_request(&server, "/v1/search?q=mug&sort=sideways", "sort").await;
    bad_request(&server, "/v1/search?q=mug&in_stock=maybe", "in_stock").await;
    bad_request(&server, "/v1/search?q=mug&min_price=50&max_price=10", "min_price").await;
    bad_request(&server, "/v1/search?q=mug&max_prise=10", "max_prise").await;
    bad_request(&server, "/v1/search?q=a&q=b", "'q'").await;
    bad_request(&server, &format!("/v1/search?q={}", "a".repeat(2000)), "q").await;
    bad_request(&server, "/v1/suggest?q=mug&limit=500", "limit").await;
    bad_request(&server, "/v1/products/MUGEGZUMGYAPVSZH/similar?limit=x", "limit").await;
    // The server is unharmed.
    let (status, _) = get(&server, "/v1/search?q=mug").await;
    assert_eq!(status, StatusCode::OK);
}

/// The ids a search for `q` returns, in order, and its total.
async fn search_ids(server: &TestServer, q: &str) -> (u64, Vec<String>) {
    search_ids_with(server, q, "true").await
}

async fn search_ids_with(server: &TestServer, q: &str, semantic: &str) -> (u64, Vec<String>) {
    let query = serde_urlencoded::to_string([("q", q), ("limit", "20"), ("semantic", semantic)]).unwrap();
    let (status, body) = get(server, &format!("/v1/search?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{q}: {body}");
    let ids = body["products"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect();
    (body["total"].as_u64().unwrap(), ids)
}

#[tokio::test]
async fn injection_strings_are_searched_as_text() {
    let server = TestServer::start().await;
    // Each hostile string finds exactly what its words alone find: no syntax is interpreted.
    // (By words only: the meaning of a string of symbols is its own.)
    let cases = [
        ("title:mug AND (", "title mug and"),
        ("ceramic' OR 1=1 --", "ceramic or 1 1"),
        ("mug\"; DROP TABLE products; --", "mug drop table products"),
        ("<script>alert(1)</script> mug", "script alert 1 script mug"),
        ("mug*", "mug"),
    ];
    for (hostile, words) in cases {
        assert_eq!(search_ids_with(&server, hostile, "false").await, search_ids_with(&server, words, "false").await, "{hostile:?}");
    }
    let (_, mugs) = search_ids(&server, "title:mug AND (").await;
    assert!(!mugs.is_empty(), "the words still find mugs");
    for id in &mugs {
        let record = demo_products().iter().find(|p| &p.id == id).unwrap();
        assert!(record.title.to_lowercase().contains("mug"), "{}", record.title);
    }
    // The catalog is untouched: every product is still there, a known one as it was.
    let (_, health) = get(&server, "/healthz").await;
    assert_eq!(health["products"].as_u64().unwrap() as usize, demo_products().len());
    let (_, all) = search_ids(&server, "").await;
    assert_eq!(all.len(), 20);
    let product = &demo_products()[3];
    let (status, body) = get(&server, &format!("/v1/products/{}", product.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, serde_json::to_value(product).unwrap());
}

#[tokio::test]
async fn product_record_and_404() {
    let server = TestServer::start().await;
    let product = &demo_products()[3];
    let (status, body) = get(&server, &format!("/v1/products/{}", product.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, serde_json::to_value(product).unwrap());
    let (status, body) = get(&server, "/v1/products/NOPE-123").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    assert!(body["error"]["message"].as_str().unwrap().contains("NOPE-123"));
    let (status, body) = get(&server, "/v1/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn similar_products_over_http() {
    let server = TestServer::start().await;
    let mug = demo_products().iter().find(|p| p.title.contains("Ceramic Mug")).unwrap();
    let (status, body) = get(&server, &format!("/v1/products/{}/similar?limit=5", mug.id)).await;
    assert_eq!(status, StatusCode::OK);
    let products = body["products"].as_array().unwrap();
    assert_eq!(products.len(), 5);
    assert!(products.iter().all(|c| c["id"] != mug.id.as_str()));
    assert!(products.iter().filter(|c| c["title"].as_str().unwrap().contains("Mug")).count() >= 4, "{products:?}");
    let (status, _) = get(&server, "/v1/products/NOPE/similar").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn suggest_completes_brands() {
    let server = TestServer::start().await;
    let (status, body) = get(&server, "/v1/suggest?q=speed").await;
    assert_eq!(status, StatusCode::OK);
    let suggestions: Vec<&str> = body["suggestions"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert!(suggestions.contains(&"Speedwav"), "{suggestions:?}");
    assert_eq!(body["items"][0]["kind"], "brand");
    let (_, body) = get(&server, "/v1/suggest?q=").await;
    assert!(body["suggestions"].as_array().unwrap().is_empty());
}

/// The inode of the socket listening on `port` on 127.0.0.1 (from /proc/net/tcp).
fn listening_socket(port: u16) -> Option<String> {
    let table = std::fs::read_to_string("/proc/self/net/tcp").unwrap();
    let local = format!("0100007F:{port:04X}");
    table.lines().skip(1).map(|l| l.split_whitespace().collect::<Vec<_>>()).find_map(|columns| {
        (columns[1] == local && columns[3] == "0A").then(|| columns[9].to_string())
    })
}

/// Whether this process holds a descriptor of the socket with that inode.
fn holds_socket(inode: &str) -> bool {
    let target = format!("socket:[{inode}]");
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .flatten()
        .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|link| link.to_string_lossy() == target))
}

#[tokio::test]
async fn shutdown_finishes_cleanly() {
    let server = TestServer::start().await;
    let (status, _) = get(&server, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    // The listener is identified by its socket, not its port: after shutdown another process
    // may take the port at any time, and that must not change the outcome.
    let listener = listening_socket(server.addr.port()).expect("the server listens");
    assert!(holds_socket(&listener));
    server.stop().await.unwrap();
    assert!(!holds_socket(&listener), "the listening socket is closed once the server task has finished");
}

#[test]
fn no_phrase_here_is_training_data() {
    common::assert_source_unseen(include_str!("http.rs"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_shops_pages_and_the_servers_own_may_use_the_chat_from_a_browser() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let server = TestServer::start_with(common::ServerOptions { origins: vec!["https://shop.example".into()], ..Default::default() }).await;
    let http = reqwest::Client::new();
    let preflight = |origin: &str| {
        http.request(reqwest::Method::OPTIONS, server.url("/v1/chat"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type")
            .send()
    };
    let allowed = preflight("https://shop.example").await.unwrap();
    assert!(allowed.status().is_success(), "{allowed:?}");
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://shop.example");
    assert!(allowed.headers()["access-control-allow-methods"].to_str().unwrap().contains("POST"));
    let refused = preflight("https://evil.example").await.unwrap();
    assert!(refused.headers().get("access-control-allow-origin").is_none(), "{refused:?}");
    // The admin API's bearer header is never allowed cross-origin.
    let admin = http
        .request(reqwest::Method::OPTIONS, server.url("/v1/admin/orders"))
        .header("Origin", "https://shop.example")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization")
        .send()
        .await
        .unwrap();
    let headers = admin.headers().get("access-control-allow-headers").map(|h| h.to_str().unwrap().to_lowercase()).unwrap_or_default();
    assert!(!headers.contains("authorization"), "{admin:?}");

    let open = |origin: Option<String>| {
        let mut request = server.ws_url().into_client_request().unwrap();
        if let Some(origin) = origin {
            request.headers_mut().insert("Origin", origin.parse().unwrap());
        }
        tokio_tungstenite::connect_async(request)
    };
    assert!(open(None).await.is_ok(), "not a browser");
    assert!(open(Some("https://shop.example".into())).await.is_ok());
    assert!(open(Some(format!("http://{}", server.addr))).await.is_ok(), "the server's own page");
    match open(Some("https://evil.example".into())).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status(), 403),
        other => panic!("a page elsewhere opened a chat: {:?}", other.map(|_| ())),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_served_with_their_cache_and_security_headers() {
    let web = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(web.path().join("demo")).unwrap();
    std::fs::create_dir_all(web.path().join("widget")).unwrap();
    std::fs::write(web.path().join("demo/index.html"), "<!doctype html><title>shop</title>").unwrap();
    std::fs::write(web.path().join("widget/loader.js"), "import('./panel.3f9a61c2.js')").unwrap();
    std::fs::write(web.path().join("widget/panel.3f9a61c2.js"), "export {}").unwrap();
    let server = TestServer::start_with(common::ServerOptions { web_dir: Some(web.path().to_path_buf()), ..Default::default() }).await;
    let http = reqwest::Client::new();
    let get = |path: &str| http.get(server.url(path)).send();

    let page = get("/").await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("style-src 'self'") && csp.contains("connect-src 'self'"), "{csp}");
    assert_eq!(page.headers()["cache-control"], "no-cache");

    let panel = get("/web/widget/panel.3f9a61c2.js").await.unwrap();
    assert_eq!(panel.status(), 200);
    assert_eq!(panel.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert!(panel.headers()["content-type"].to_str().unwrap().contains("javascript"));
    assert!(panel.headers().get("content-security-policy").is_none(), "a script is not a page");

    let loader = get("/web/widget/loader.js").await.unwrap();
    assert_eq!(loader.headers()["cache-control"], "no-cache");
    let modified = loader.headers()["last-modified"].clone();
    let again = http.get(server.url("/web/widget/loader.js")).header("If-Modified-Since", modified).send().await.unwrap();
    assert_eq!(again.status(), 304, "revalidated, not sent again");

    for outside in ["/web/../Cargo.toml", "/web/%2e%2e/Cargo.toml", "/web/widget/missing.js"] {
        assert_eq!(get(outside).await.unwrap().status(), 404, "{outside}");
    }
    let api = get("/v1/nothing-here").await.unwrap();
    assert_eq!(api.status(), 404);
    assert!(api.text().await.unwrap().contains("error"), "the API's 404 stays JSON");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_served_in_prometheus_text() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let turn = server.http_turn(serde_json::json!({"text": "show me watches", "consent": true})).await;
    let session = turn["session_id"].as_str().unwrap();
    let events = serde_json::json!({"events": [{"id": "m1", "type": "search", "session_id": session, "query": "watches"}]});
    assert_eq!(http.post(server.url("/v1/events")).json(&events).send().await.unwrap().status(), 200);
    assert_eq!(http.get(server.url("/v1/search?q=mug&limit=500")).send().await.unwrap().status(), 400);
    let response = http.get(server.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = response.text().await.unwrap();
    let line = |prefix: &str, has: &[&str]| text.lines().any(|l| l.starts_with(prefix) && has.iter().all(|h| l.contains(h)));
    assert!(line("aisle_turn_seconds_bucket{", &["channel=\"api\"", "intent=\"search\""]), "{text}");
    assert!(line("aisle_parse_seconds_count", &[]), "{text}");
    assert!(line("aisle_search_seconds_count", &[]), "{text}");
    assert!(line("aisle_events_ingested_total{", &["source=\"api\""]), "{text}");
    assert!(line("aisle_errors_total{", &["code=\"bad_request\""]), "{text}");
    assert!(line("aisle_sessions_active ", &[]) && line("aisle_sessions_waiting_for_agent ", &[]), "{text}");
    assert!(line("aisle_recommendations_age_seconds ", &[]), "{text}");
    assert!(text.contains("# HELP aisle_turn_seconds"), "{text}");
}

#[tokio::test]
async fn the_faq_and_the_reply_templates_reload_without_a_restart_and_a_broken_file_changes_nothing() {
    let prompts = tempfile::tempdir().unwrap();
    for file in ["responses.yaml", "faq.yaml"] {
        std::fs::copy(common::repo_path("prompts").join(file), prompts.path().join(file)).unwrap();
    }
    let assistant = common::assistant_with_prompts(common::demo_catalog(), common::nlu(), prompts.path().to_path_buf());
    let server = TestServer::start_with(common::ServerOptions { assistant: Some(assistant), ..Default::default() }).await;
    let greeting = || async { server.http_turn(serde_json::json!({"text": "hey, good morning"})).await["reply"]["text"].as_str().unwrap().to_string() };
    assert!(!greeting().await.contains("Trailhead"));

    // The shop renames itself and rewrites its greeting.
    let faq = std::fs::read_to_string(prompts.path().join("faq.yaml")).unwrap().replace("name: \"Aisle Demo Shop\"", "name: \"Trailhead Outfitters\"");
    std::fs::write(prompts.path().join("faq.yaml"), faq).unwrap();
    let responses = std::fs::read_to_string(prompts.path().join("responses.yaml")).unwrap();
    let start = responses.find("\ngreet:\n").unwrap() + 1;
    let end = start + responses[start..].find("\nhelp:").unwrap();
    let rewritten = format!("{}greet:\n  - \"Welcome to {{shop}}. What are you after today?\"{}", &responses[..start], &responses[end..]);
    std::fs::write(prompts.path().join("responses.yaml"), rewritten).unwrap();
    let http = reqwest::Client::new();
    let reload = || http.post(server.url("/v1/admin/reload")).bearer_auth(common::ADMIN_KEY).send();
    assert_eq!(http.post(server.url("/v1/admin/reload")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let done = reload().await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    assert!(done.json::<Value>().await.unwrap()["faq_entries"].as_u64().unwrap() > 10);
    assert_eq!(greeting().await, "Welcome to Trailhead Outfitters. What are you after today?");

    // A broken FAQ is refused whole: the templates and the FAQ in use stay.
    std::fs::write(prompts.path().join("faq.yaml"), "shop: [unclosed").unwrap();
    let refused = reload().await.unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(refused.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().contains("faq.yaml"));
    assert_eq!(greeting().await, "Welcome to Trailhead Outfitters. What are you after today?");
}
