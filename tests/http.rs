//! The HTTP API against a real server on port 0 over the real demo index.

mod common;

use common::{TestServer, demo_products};
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

    let (_, body) = get(&server, "/v1/search?brand=speedwav&brand=AKUP&in_stock=true&limit=0").await;
    let expected = demo_products().iter().filter(|p| matches!(p.brand.as_deref(), Some("Speedwav" | "Akup"))).count();
    assert_eq!(body["total"].as_u64().unwrap() as usize, expected);
    assert!(body["products"].as_array().unwrap().is_empty());
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

#[tokio::test]
async fn injection_strings_are_searched_as_text() {
    let server = TestServer::start().await;
    for q in ["%27%20OR%201%3D1%20--", "title%3Amug%20AND%20(", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "%F0%9F%99%82"] {
        let (status, body) = get(&server, &format!("/v1/search?q={q}")).await;
        assert_eq!(status, StatusCode::OK, "{q}: {body}");
    }
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

#[tokio::test]
async fn shutdown_finishes_cleanly() {
    let server = TestServer::start().await;
    let (status, _) = get(&server, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    let addr = server.addr;
    server.stop().await.unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "the port is closed after shutdown");
}
