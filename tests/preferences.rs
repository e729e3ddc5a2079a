//! Stated preferences end to end, against a server on port 0 with the real model, the demo
//! index and a real SQLite file: "I don't like Nike" keeps Nike out of the shopper's searches,
//! "what do you know about me?" says so, a token customer with consent finds it again in a new
//! session, "forget that" removes it for good, and without consent nothing outlives the session.

mod common;

use aisle::orders::identity::TokenKey;
use aisle::orders::now;
use common::{TOKEN_SECRET, TestServer};
use serde_json::{Value, json};

fn token(customer: &str) -> String {
    TokenKey::new(TOKEN_SECRET.as_bytes()).unwrap().issue(customer, now() + 3600)
}

fn text(answer: &Value) -> String {
    answer["reply"]["text"].as_str().unwrap().to_string()
}

fn brands(answer: &Value) -> Vec<String> {
    answer["reply"]["products"].as_array().unwrap().iter().filter_map(|p| p["brand"].as_str()).map(str::to_string).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stated_preference_is_applied_remembered_and_forgotten() {
    let server = TestServer::start().await;
    // Nike t-shirts exist in the demo shop.
    let plain = server.http_turn(json!({"text": "show me nike t-shirts"})).await;
    assert!(brands(&plain).iter().any(|b| b == "Nike"), "{plain}");

    let first = server.http_turn(json!({"text": "I don't like Nike", "token": token("C42"), "consent": true})).await;
    let session = first["session_id"].as_str().unwrap().to_string();
    assert!(text(&first).contains("rather not see Nike"), "{first}");
    let shirts = server.http_turn(json!({"session_id": session, "text": "show me t-shirts"})).await;
    assert!(!brands(&shirts).is_empty() && !brands(&shirts).iter().any(|b| b == "Nike"), "{shirts}");
    let size = server.http_turn(json!({"session_id": session, "text": "I'm a size 10"})).await;
    assert!(text(&size).contains("size 10"), "{size}");

    // A new session of the same customer, with consent: remembered.
    let again = server.http_turn(json!({"text": "what do you know about me?", "token": token("C42"), "consent": true})).await;
    let told = text(&again);
    assert!(told.contains("Nike") && told.contains("size 10"), "{again}");
    let session = again["session_id"].as_str().unwrap().to_string();
    let forgot = server.http_turn(json!({"session_id": session, "text": "forget that"})).await;
    assert!(text(&forgot).contains("size 10"), "the last thing said goes first: {forgot}");
    let forgot = server.http_turn(json!({"session_id": session, "text": "forget that I don't like nike"})).await;
    assert!(text(&forgot).contains("Nike"), "{forgot}");

    let later = server.http_turn(json!({"text": "what do you know about me?", "token": token("C42"), "consent": true})).await;
    assert!(!text(&later).contains("Nike") && !text(&later).contains("size"), "{later}");

    // Without consent: kept for the session only.
    let private = server.http_turn(json!({"text": "I'm vegan", "token": token("C43")})).await;
    assert!(text(&private).contains("vegan"), "{private}");
    let session = private["session_id"].as_str().unwrap().to_string();
    let same = server.http_turn(json!({"session_id": session, "text": "what do you know about me?"})).await;
    assert!(text(&same).contains("vegan"), "{same}");
    let other = server.http_turn(json!({"text": "what do you know about me?", "token": token("C43"), "consent": true})).await;
    assert!(!text(&other).contains("vegan"), "{other}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_the_shopping_is_for_shapes_the_search_on_screen_and_the_next_ones() {
    let server = TestServer::start().await;
    let gender = |answer: &Value| -> Vec<String> {
        answer["reply"]["products"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_string()).collect()
    };
    let first = server.http_turn(json!({"text": "show me watches"})).await;
    let session = first["session_id"].as_str().unwrap().to_string();
    let for_her = server.http_turn(json!({"session_id": session, "text": "it's for my sister"})).await;
    assert!(text(&for_her).contains("shopping for your sister"), "{for_her}");
    let ids = gender(&for_her);
    assert!(!ids.is_empty(), "the watches again, for her: {for_her}");
    let http = reqwest::Client::new();
    for id in &ids {
        let product: Value = http.get(server.url(&format!("/v1/products/{id}"))).send().await.unwrap().json().await.unwrap();
        let ideal = product.to_string().to_lowercase();
        assert!(!ideal.contains("\"gender\":\"male\"") && !ideal.contains("\"gender\":\"men\""), "{product}");
    }
    assert_ne!(gender(&first), ids, "not the same watches as for anyone");
    let told = server.http_turn(json!({"session_id": session, "text": "what do you know about me?"})).await;
    assert!(text(&told).contains("sister"), "{told}");
    let forgot = server.http_turn(json!({"session_id": session, "text": "forget that"})).await;
    assert!(text(&forgot).contains("sister"), "{forgot}");
}
