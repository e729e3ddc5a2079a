//! Shopper events end to end, against a server on port 0 with the real model, the demo index
//! and a real SQLite file: `POST /v1/events` (a batch, bad items named and skipped, ids stored
//! once, customer events only with the admin key), consent (without it nothing is stored;
//! withdrawn, the session's events are deleted), the widget's `event` frame, and the chat's own
//! actions recorded as events that join the customer when the session identifies itself.

mod common;

use aisle::client::Connection;
use aisle::events::Kind;
use aisle::events::store::{EventStore, Stored};
use aisle::orders::identity::TokenKey;
use aisle::orders::now;
use aisle::protocol::{Channel, ClientFrame, EventFrame, ServerFrame};
use aisle::session::store::Store;
use common::{ADMIN_KEY, TOKEN_SECRET, TestServer};
use serde_json::{Value, json};

/// Demo products.
const SHOES: &str = "SHOEH4GRSUBJGZXE";
const WATCH: &str = "PWTEB7H2E4KCYUE3";

async fn events_of(server: &TestServer, session_id: &str) -> Vec<Stored> {
    let store = Store::open(&server.database).await.unwrap();
    EventStore::new(store.pool().clone()).of_session(session_id, 100).await.unwrap()
}

async fn post_events(server: &TestServer, key: Option<&str>, body: Value) -> (u16, Value) {
    let mut request = reqwest::Client::new().post(server.url("/v1/events")).json(&body);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// A session opened over `POST /v1/chat`, with or without consent.
async fn session(server: &TestServer, consent: bool) -> String {
    let answer = server.http_turn(json!({"text": "hi", "consent": consent})).await;
    answer["session_id"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_is_checked_item_by_item_and_stored_once_per_id() {
    let server = TestServer::start().await;
    let session_id = session(&server, true).await;
    let batch = json!({"events": [
        {"id": "e1", "type": "view_product", "session_id": session_id, "product_id": SHOES},
        {"id": "e2", "type": "search", "session_id": session_id, "query": "running shoes", "at": "2026-01-05T10:00:00Z"},
        {"id": "e3", "type": "teleport", "session_id": session_id, "product_id": SHOES},
        {"id": "e4", "type": "click", "session_id": session_id, "product_id": "NOT-A-PRODUCT", "list": "search"},
        {"id": "e5", "type": "purchase", "customer_id": "C1", "product_id": WATCH},
        {"id": "e6", "type": "view_product", "session_id": "s_unknown", "product_id": SHOES},
        {"id": 7, "type": "view_product"},
        {"id": "e8", "type": "click", "session_id": session_id, "product_id": WATCH, "list": "recommendation", "at": 1_700_000_000_000_i64}
    ]});
    let (status, answer) = post_events(&server, None, batch.clone()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!((answer["accepted"].as_u64(), answer["duplicates"].as_u64()), (Some(3), Some(0)), "{answer}");
    let errors: Vec<(u64, String)> = answer["errors"].as_array().unwrap().iter().map(|e| (e["index"].as_u64().unwrap(), e["message"].as_str().unwrap().to_string())).collect();
    let indexes: Vec<u64> = errors.iter().map(|(i, _)| *i).collect();
    assert_eq!(indexes, vec![2, 3, 4, 5, 6], "{errors:?}");
    assert!(errors[0].1.contains("\"teleport\" is not one of"), "{errors:?}");
    assert!(errors[1].1.contains("not in the catalog"), "{errors:?}");
    assert!(errors[2].1.contains("admin key"), "a page cannot speak for a customer: {errors:?}");
    assert!(errors[3].1.contains("unknown session"), "{errors:?}");
    assert!(errors[4].1.contains("not an event"), "{errors:?}");

    let stored = events_of(&server, &session_id).await;
    let mut kinds: Vec<(&str, Kind)> = stored.iter().map(|e| (e.id.as_str(), e.kind)).collect();
    kinds.sort();
    assert_eq!(kinds, vec![("e1", Kind::ViewProduct), ("e2", Kind::Search), ("e8", Kind::Click)]);
    let search = stored.iter().find(|e| e.id == "e2").unwrap();
    assert_eq!((search.query.as_deref(), search.at, search.source.as_str()), (Some("running shoes"), 1_767_607_200_000, "api"));

    // The same batch again changes nothing.
    let (_, again) = post_events(&server, None, batch).await;
    assert_eq!((again["accepted"].as_u64(), again["duplicates"].as_u64()), (Some(0), Some(3)), "{again}");
    assert_eq!(events_of(&server, &session_id).await.len(), 3);

    // The shop's backend names customers with its key; a wrong key is refused outright.
    let purchase = json!({"events": [{"id": "o1", "type": "purchase", "customer_id": "C1", "product_id": WATCH, "quantity": 2, "price": 499.0}]});
    let (status, answer) = post_events(&server, Some(ADMIN_KEY), purchase.clone()).await;
    assert_eq!((status, answer["accepted"].as_u64()), (200, Some(1)), "{answer}");
    let (status, _) = post_events(&server, Some("wrong-key"), purchase).await;
    assert_eq!(status, 401);
    let store = Store::open(&server.database).await.unwrap();
    let bought = EventStore::new(store.pool().clone()).of_customer("C1", 10).await.unwrap();
    assert_eq!(bought.iter().map(|e| (e.kind, e.quantity)).collect::<Vec<_>>(), vec![(Kind::Purchase, Some(2))]);

    // Too many at once: refused whole, with the limit named.
    let many: Vec<Value> = (0..501).map(|i| json!({"id": format!("m{i}"), "type": "view_product", "session_id": session_id, "product_id": SHOES})).collect();
    let (status, answer) = post_events(&server, None, json!({"events": many})).await;
    assert_eq!(status, 413, "{answer}");
    assert!(answer.to_string().contains("500"), "{answer}");
    assert_eq!(events_of(&server, &session_id).await.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_consent_nothing_is_stored_and_withdrawing_it_deletes() {
    let server = TestServer::start().await;
    let session_id = session(&server, false).await;
    let (_, answer) = post_events(&server, None, json!({"events": [{"id": "x1", "type": "view_product", "session_id": session_id, "product_id": SHOES}]})).await;
    assert_eq!((answer["accepted"].as_u64(), answer["without_consent"].as_u64()), (Some(0), Some(1)), "{answer}");
    // The chat's own search and cards are not recorded either.
    let reply = server.http_turn(json!({"session_id": session_id, "text": "show me ceramic mugs"})).await;
    assert!(!reply["reply"]["products"].as_array().unwrap().is_empty(), "{reply}");
    assert!(events_of(&server, &session_id).await.is_empty());

    // Consent given: kept from now on; withdrawn: deleted.
    server.http_turn(json!({"session_id": session_id, "text": "show me watches", "consent": true})).await;
    assert!(!events_of(&server, &session_id).await.is_empty());
    server.http_turn(json!({"session_id": session_id, "text": "thanks", "consent": false})).await;
    assert!(events_of(&server, &session_id).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chats_own_actions_and_widget_events_join_the_customer() {
    let server = TestServer::start().await;
    let mut chat = Connection::connect(&server.ws_url()).await.unwrap();
    chat.set_consent(Some(true));
    let session_id = chat.hello(Channel::Web, None, 0).await.unwrap().session_id;
    let reply = chat.turn("show me ceramic mugs").await.unwrap();
    let shown: Vec<String> = reply.products.iter().map(|p| p.id.clone()).collect();
    assert!(!shown.is_empty());
    chat.turn("add the first one to my cart").await.unwrap();
    chat.send(&ClientFrame::Event(EventFrame { event: "view_product".into(), id: Some("w1".into()), product_id: Some(WATCH.into()), ..EventFrame::default() })).await.unwrap();
    // A bad event frame is refused with a clear error, and stores nothing.
    chat.send(&ClientFrame::Event(EventFrame { event: "click".into(), product_id: Some(WATCH.into()), ..EventFrame::default() })).await.unwrap();
    match chat.recv().await.unwrap() {
        ServerFrame::Error(e) => assert!(e.message.contains("needs a list"), "{e:?}"),
        other => panic!("expected an error, got {other:?}"),
    }

    let stored = events_of(&server, &session_id).await;
    let count = |kind: Kind| stored.iter().filter(|e| e.kind == kind).count();
    assert_eq!(count(Kind::Impression), shown.len(), "one impression per card shown: {stored:?}");
    assert_eq!(count(Kind::Search), 1, "{stored:?}");
    let added: Vec<_> = stored.iter().filter(|e| e.kind == Kind::AddToCart).collect();
    assert_eq!(added.len(), 1, "{stored:?}");
    assert_eq!((added[0].product_id.as_deref(), added[0].quantity), (Some(shown[0].as_str()), Some(1)));
    assert!(stored.iter().any(|e| e.id == "w1" && e.source == "widget"));
    assert!(stored.iter().all(|e| e.customer_id.is_none()), "anonymous until the session identifies itself");

    // The session identifies itself: what it did joins the customer's history.
    let token = TokenKey::new(TOKEN_SECRET.as_bytes()).unwrap().issue("C7", now() + 3600);
    server.http_turn(json!({"session_id": session_id, "text": "thanks", "token": token})).await;
    let store = Store::open(&server.database).await.unwrap();
    let history = EventStore::new(store.pool().clone()).of_customer("C7", 100).await.unwrap();
    assert_eq!(history.len(), stored.len(), "{history:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customers_imported_order_lines_are_purchases() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let order = |lines: Value| {
        json!({"order_id": "70001", "customer_id": "C9", "email": "c9@example.com", "placed_at": "2026-11-01T10:00:00Z", "currency": "INR", "lines": lines})
    };
    let guest = json!({"order_id": "70002", "email": "guest@example.com", "placed_at": "2026-11-01T10:00:00Z", "currency": "INR",
        "lines": [{"product_id": SHOES, "title": "Shoes", "quantity": 1, "price": 999.0}]});
    let two = json!([{"product_id": SHOES, "title": "Shoes", "quantity": 1, "price": 999.0}, {"product_id": WATCH, "title": "Watch", "quantity": 2, "price": 499.0}]);
    let one = json!([{"product_id": WATCH, "title": "Watch", "quantity": 3, "price": 499.0}]);
    let store = Store::open(&server.database).await.unwrap();
    let events = EventStore::new(store.pool().clone());
    for (lines, expected) in [(two, vec![(WATCH, 2), (SHOES, 1)]), (one, vec![(WATCH, 3)])] {
        let response = http.post(server.url("/v1/admin/orders")).bearer_auth(ADMIN_KEY).json(&json!([order(lines), guest])).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let mut bought: Vec<(String, u32)> = events.of_customer("C9", 10).await.unwrap().into_iter().map(|e| (e.product_id.unwrap(), e.quantity.unwrap())).collect();
        bought.sort();
        let mut expected: Vec<(String, u32)> = expected.into_iter().map(|(p, q)| (p.to_string(), q)).collect();
        expected.sort();
        assert_eq!(bought, expected, "the order's lines as it now stands");
    }
    let all: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE order_id = '70002'").fetch_one(store.pool()).await.unwrap();
    assert_eq!(all, 0, "a guest's order is no one's history");
}
