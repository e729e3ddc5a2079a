//! `GET /v1/recommendations` end to end, against a server on port 0 with the real model, an
//! index of the demo products (one of them out of stock) and a real SQLite file: purchases
//! imported through the admin API with known co-purchases, a shopper's own events, one
//! refresh of the snapshot, and the lists and reasons that follow.

mod common;

use aisle::catalog::Availability;
use aisle::client::Connection;
use aisle::protocol::{Channel, ClientFrame, EventFrame};
use aisle::orders::identity::TokenKey;
use common::{ADMIN_KEY, ServerOptions, TOKEN_SECRET, TestServer, demo_products};
use serde_json::{Value, json};

/// Demo products: bellies, a dog shampoo and another pair of bellies (out of stock here)
/// are bought together; a bottle and other bellies together.
const BELLIES: &str = "SHOEH4GRSUBJGZXE";
const SHAMPOO: &str = "PSOEH3ZYDMSYARJ5";
const GONE: &str = "SHOEH4KM2W3Z6EH5";
const BOTTLE: &str = "BOTEGYTZ2T6WUJMM";
const OTHER_BELLIES: &str = "SHOEH3DZBFR88SCK";

async fn start() -> (TestServer, tempfile::TempDir) {
    start_with(ServerOptions::default()).await
}

async fn start_with(options: ServerOptions) -> (TestServer, tempfile::TempDir) {
    let mut products = demo_products().to_vec();
    products.iter_mut().filter(|p| p.id == GONE).for_each(|p| p.availability = Availability::OutOfStock);
    let (server, index) = TestServer::start_with_products_and(&products, options).await;
    let http = reqwest::Client::new();
    let mut orders = Vec::new();
    for (n, (customer, lines)) in (1..=6).map(|c| (format!("C{c}"), vec![BELLIES, SHAMPOO, GONE])).chain((7..=9).map(|c| (format!("C{c}"), vec![BOTTLE, OTHER_BELLIES]))).enumerate() {
        let lines: Vec<Value> = lines.iter().map(|p| json!({"product_id": p, "title": p, "quantity": 1, "price": 100.0})).collect();
        orders.push(json!({"order_id": format!("8000{n}"), "customer_id": customer, "email": format!("{customer}@example.com"), "placed_at": "2026-11-20T10:00:00Z", "currency": "INR", "lines": lines}));
    }
    let response = http.post(server.url("/v1/admin/orders")).bearer_auth(ADMIN_KEY).json(&orders).send().await.unwrap();
    assert_eq!(response.status(), 200);
    (server, index)
}

async fn get(server: &TestServer, query: &str, key: Option<&str>) -> (u16, Value) {
    let mut request = reqwest::Client::new().get(server.url(&format!("/v1/recommendations?{query}")));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn ids(answer: &Value) -> Vec<String> {
    answer["products"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn co_purchases_become_lists_with_reasons_and_a_shoppers_events_change_theirs() {
    let (server, _index) = start().await;
    server.recommender.refresh().await.unwrap();

    // What goes with the bellies: the shampoo, said why; not the out-of-stock pair, not itself.
    let (status, together) = get(&server, &format!("context=bought_together&product_id={BELLIES}"), None).await;
    assert_eq!(status, 200, "{together}");
    assert_eq!(ids(&together), vec![SHAMPOO.to_string()], "{together}");
    assert!(together["products"][0]["reason"].as_str().unwrap().starts_with("often bought with "), "{together}");
    assert_eq!(together["model"], "ease+trending/1");

    // A new shopper with consent: popular items first, then their own views steer the list.
    let answer = server.http_turn(json!({"text": "hi", "consent": true})).await;
    let session = answer["session_id"].as_str().unwrap().to_string();
    let (_, before) = get(&server, &format!("context=for_you&session_id={session}&limit=3"), None).await;
    assert!(before["products"].as_array().unwrap().iter().all(|p| p["reason"] == "popular this week"), "{before}");
    let view = json!({"events": [{"id": "v1", "type": "view_product", "session_id": session, "product_id": BOTTLE}]});
    reqwest::Client::new().post(server.url("/v1/events")).json(&view).send().await.unwrap();
    server.recommender.refresh().await.unwrap();
    let (_, after) = get(&server, &format!("context=for_you&session_id={session}&limit=3"), None).await;
    assert_eq!(ids(&after)[0], OTHER_BELLIES, "{after}");
    assert!(after["products"][0]["reason"].as_str().unwrap().starts_with("because of your interest in "), "{after}");
    assert!(!ids(&after).contains(&BOTTLE.to_string()), "not what they are looking at: {after}");

    // A customer who bought the bellies and the shampoo is not offered them again.
    let (status, mine) = get(&server, "context=for_you&customer_id=C1&limit=10", Some(ADMIN_KEY)).await;
    assert_eq!(status, 200, "{mine}");
    for bought in [BELLIES, SHAMPOO, GONE] {
        assert!(!ids(&mine).contains(&bought.to_string()), "{mine}");
    }

    // Content: similar products need no events.
    let (_, similar) = get(&server, &format!("context=similar&product_id={OTHER_BELLIES}&limit=3"), None).await;
    assert_eq!(ids(&similar).len(), 3);
    assert!(similar["products"][0]["reason"].as_str().unwrap().starts_with("similar to "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_are_named() {
    let (server, _index) = start().await;
    for (query, key, status, says) in [
        ("", None, 400, "'context' is required"),
        ("context=everything", None, 400, "must be one of"),
        ("context=bought_together", None, 400, "needs a product_id"),
        ("context=similar&product_id=NOPE", None, 404, "no product"),
        ("context=for_you&customer_id=C1", None, 401, "admin key"),
        ("context=for_you&session_id=s_nope", None, 404, "no session"),
        ("context=for_you&limit=500", None, 400, "limit"),
    ] {
        let (got, answer) = get(&server, query, key).await;
        assert_eq!(got, status, "{query}: {answer}");
        assert!(answer.to_string().contains(says), "{query}: {answer}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_answers_what_goes_with_a_product_from_co_purchases() {
    let (server, _index) = start().await;
    server.recommender.refresh().await.unwrap();
    let first = server.http_turn(json!({"text": "show me aw bellies"})).await;
    let session = first["session_id"].as_str().unwrap().to_string();
    let shown: Vec<String> = first["reply"]["products"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_string()).collect();
    let position = shown.iter().position(|id| id == BELLIES).expect("the bellies are shown") + 1;
    let ordinal = ["first", "second", "third", "fourth", "fifth"][position - 1];
    let answer = server.http_turn(json!({"session_id": session, "text": format!("what goes with the {ordinal} one?")})).await;
    let reply = &answer["reply"];
    let products: Vec<&str> = reply["products"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(products, vec![SHAMPOO], "{reply}");
    assert!(reply["text"].as_str().unwrap().contains("often"), "{reply}");
    assert!(reply["cart"].is_null() || reply["cart"]["items"].as_array().unwrap().is_empty(), "asking is not adding: {reply}");
    // A product nothing is bought with: related products of other kinds, said as such.
    let answer = server.http_turn(json!({"session_id": session, "text": "show me ceramic mugs"})).await;
    assert!(!answer["reply"]["products"].as_array().unwrap().is_empty());
    let answer = server.http_turn(json!({"session_id": session, "text": "what goes with the first one?"})).await;
    let reply = &answer["reply"];
    assert!(reply["text"].as_str().unwrap().contains("related") || reply["text"].as_str().unwrap().contains("similar") || reply["text"].as_str().unwrap().contains("like"), "{reply}");
    assert!(!reply["products"].as_array().unwrap().is_empty(), "{reply}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recommend_me_something_follows_what_the_shopper_looked_at() {
    let (server, _index) = start().await;
    server.recommender.refresh().await.unwrap();
    // A shopper who lets the shop remember, and who looked at the bottle.
    let first = server.http_turn(json!({"text": "hi", "consent": true})).await;
    let session = first["session_id"].as_str().unwrap().to_string();
    let view = json!({"events": [{"id": "v1", "type": "view_product", "session_id": session, "product_id": BOTTLE}]});
    reqwest::Client::new().post(server.url("/v1/events")).json(&view).send().await.unwrap();
    server.recommender.refresh().await.unwrap();
    let answer = server.http_turn(json!({"session_id": session, "text": "can you recommend me something?"})).await;
    let reply = &answer["reply"];
    assert_eq!(reply["products"][0]["id"], OTHER_BELLIES, "{reply}");
    assert!(reply["text"].as_str().unwrap().contains("looked at") || reply["text"].as_str().unwrap().contains("interest"), "{reply}");
    // A stranger gets what is popular, said as such.
    let stranger = server.http_turn(json!({"text": "can you recommend me something?"})).await;
    let text = stranger["reply"]["text"].as_str().unwrap();
    assert!(text.contains("popular") || text.contains("buying most"), "{stranger}");
    assert!(!stranger["reply"]["products"].as_array().unwrap().is_empty());
}

fn token(customer: &str) -> String {
    TokenKey::new(TOKEN_SECRET.as_bytes()).unwrap().issue(customer, aisle::orders::now() + 3600)
}

fn shown(answer: &Value) -> Vec<String> {
    answer["reply"]["products"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customers_profile_is_told_and_only_rebuyable_purchases_come_back() {
    // Shampoo runs out; ballet flats do not.
    let (server, _index) = start_with(ServerOptions { rebuyable: vec!["Grooming > Skin & Coat Care".into()], ..ServerOptions::default() }).await;
    server.recommender.refresh().await.unwrap();
    let (status, mine) = get(&server, "context=for_you&customer_id=C1&limit=10", Some(ADMIN_KEY)).await;
    assert_eq!(status, 200, "{mine}");
    let shampoo = mine["products"].as_array().unwrap().iter().find(|p| p["id"] == SHAMPOO).unwrap_or_else(|| panic!("the shampoo is offered again: {mine}"));
    assert_eq!(shampoo["reason"], "you bought this before", "{mine}");
    assert!(!ids(&mine).contains(&BELLIES.to_string()), "ballet flats are not bought again: {mine}");

    // The customer, with consent, asks what the assistant knows: their orders, in words.
    let told = server.http_turn(json!({"text": "what do you know about me?", "token": token("C1"), "consent": true})).await;
    let text = told["reply"]["text"].as_str().unwrap();
    assert!(text.contains("you bought the") && text.contains("Shampoo"), "{told}");
    assert!(text.contains("you usually spend"), "{told}");
    // Without consent nothing of it is used.
    let private = server.http_turn(json!({"text": "what do you know about me?", "token": token("C1")})).await;
    assert!(!private["reply"]["text"].as_str().unwrap().contains("you bought"), "{private}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_to_the_cart_offers_what_is_bought_with_it() {
    let (server, _index) = start().await;
    server.recommender.refresh().await.unwrap();
    let first = server.http_turn(json!({"text": "show me aw bellies"})).await;
    let session = first["session_id"].as_str().unwrap().to_string();
    let position = shown(&first).iter().position(|id| id == BELLIES).expect("the bellies are shown");
    let ordinal = ["first", "second", "third", "fourth", "fifth"][position];
    let added = server.http_turn(json!({"session_id": session, "text": format!("add the {ordinal} one to my cart")})).await;
    let reply = &added["reply"];
    assert_eq!(reply["cart"]["items"].as_array().unwrap().len(), 1, "{reply}");
    assert_eq!(shown(&added), vec![SHAMPOO.to_string()], "the add-on, not the out-of-stock pair: {reply}");
    assert!(reply["text"].as_str().unwrap().contains("often"), "{reply}");
    // "The first one" still means what the search showed.
    let again = server.http_turn(json!({"session_id": session, "text": "add the first one too"})).await;
    let cart: Vec<&str> = again["reply"]["cart"]["items"].as_array().unwrap().iter().map(|i| i["product_id"].as_str().unwrap()).collect();
    assert!(cart.contains(&shown(&first)[0].as_str()), "{again}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searches_lean_gently_to_what_the_customer_bought_unless_told_not_to() {
    let (server, _index) = start().await;
    // C10 bought the Style Foot flats, which a plain search for ballerinas ranks fourth.
    const STYLE_FOOT: &str = "SHOEH4FSHEDEMVTM";
    let order = json!([{"order_id": "90001", "customer_id": "C10", "email": "c10@example.com", "placed_at": "2026-11-25T10:00:00Z", "currency": "INR",
        "lines": [{"product_id": STYLE_FOOT, "title": "Style Foot Bellies", "quantity": 1, "price": 449.0}]}]);
    let response = reqwest::Client::new().post(server.url("/v1/admin/orders")).bearer_auth(ADMIN_KEY).json(&order).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let query = "ballerinas";
    let plain = server.http_turn(json!({"text": query, "token": token("C10"), "consent": true, "personalize": false})).await;
    let session = plain["session_id"].as_str().unwrap().to_string();
    let personal = server.http_turn(json!({"session_id": session, "text": query})).await;
    let brand_rank = |answer: &Value| answer["reply"]["products"].as_array().unwrap().iter().position(|p| p["id"] == STYLE_FOOT);
    assert!(brand_rank(&plain).is_some_and(|r| r > 0), "{plain}");
    assert!(!plain["reply"]["text"].as_str().unwrap().contains("past orders"), "{plain}");
    let mut a = shown(&plain);
    let mut b = shown(&personal);
    a.sort();
    b.sort();
    assert_eq!(a, b, "the same results, only their order may change");
    assert_eq!(brand_rank(&personal), Some(0), "{plain}\n{personal}");
    assert!(personal["reply"]["text"].as_str().unwrap().contains("past orders"), "{personal}");
    // Another shopper's search is as it was.
    let stranger = server.http_turn(json!({"text": query})).await;
    assert_eq!(shown(&stranger), shown(&plain), "{stranger}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggestions_complete_from_searches_that_led_somewhere_and_the_shoppers_own() {
    let (server, _index) = start().await;
    let http = reqwest::Client::new();
    let mut sessions = Vec::new();
    for _ in 0..4 {
        let answer = server.http_turn(json!({"text": "hi", "consent": true})).await;
        sessions.push(answer["session_id"].as_str().unwrap().to_string());
    }
    let mut events = Vec::new();
    for (n, session) in sessions.iter().enumerate() {
        // Three sessions searched for trail bottles and then looked at one.
        if n < 3 {
            events.push(json!({"id": format!("s{n}"), "type": "search", "session_id": session, "query": "Trail water bottle", "at": "2026-11-29T10:00:00Z"}));
            events.push(json!({"id": format!("v{n}"), "type": "view_product", "session_id": session, "product_id": BOTTLE, "at": "2026-11-29T10:05:00Z"}));
        }
        // Two searched a name, which is not shown to others; four searched and found nothing.
        if n < 2 {
            events.push(json!({"id": format!("p{n}"), "type": "search", "session_id": session, "query": "trail gift for anna", "at": "2026-11-29T10:06:00Z"}));
            events.push(json!({"id": format!("c{n}"), "type": "click", "list": "search", "session_id": session, "product_id": BOTTLE, "at": "2026-11-29T10:07:00Z"}));
        }
        events.push(json!({"id": format!("n{n}"), "type": "search", "session_id": session, "query": "trail nothing", "at": "2026-11-29T11:00:00Z"}));
    }
    let response = http.post(server.url("/v1/events")).json(&json!({"events": events})).send().await.unwrap();
    assert_eq!(response.status(), 200);
    server.recommender.refresh().await.unwrap();

    let suggest = |query: String| {
        let http = http.clone();
        let url = server.url(&format!("/v1/suggest?{query}"));
        async move { http.get(url).send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let stranger = suggest("q=tra".into()).await;
    assert_eq!(stranger["items"][0], json!({"text": "trail water bottle", "kind": "popular"}), "{stranger}");
    let texts = stranger["suggestions"].to_string();
    assert!(!texts.contains("anna") && !texts.contains("nothing"), "{stranger}");
    // The shopper who searched for a gift sees their own search first.
    let own = suggest(format!("q=trail&session_id={}", sessions[0])).await;
    assert_eq!(own["items"][0]["kind"], "recent", "{own}");
    assert!(own["items"][0]["text"].as_str().unwrap().starts_with("trail"), "{own}");
    let (status, _) = get(&server, "context=for_you&session_id=s_nope", None).await;
    assert_eq!(status, 404);
    let unknown = http.get(server.url("/v1/suggest?q=tr&session_id=s_nope")).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    let forbidden = http.get(server.url("/v1/suggest?q=tr&customer_id=C1")).send().await.unwrap();
    assert_eq!(forbidden.status(), 401);

    // The minute's refresh retrains only when events changed.
    assert!(!server.recommender.refresh_if_changed().await.unwrap(), "nothing changed");
    let one = json!({"events": [{"id": "late", "type": "view_product", "session_id": sessions[3], "product_id": BOTTLE}]});
    http.post(server.url("/v1/events")).json(&one).send().await.unwrap();
    assert!(server.recommender.refresh_if_changed().await.unwrap(), "an event came");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shopper_nothing_is_known_of_gets_what_is_popular_near_their_cart() {
    const PEN: &str = "PENEJWJ5UTTSUR7N";
    let (server, _index) = start().await;
    server.recommender.refresh().await.unwrap();
    // No consent, no events: only the pen in their cart (a product no one bought yet).
    let found = server.http_turn(json!({"text": "lamy ball pen"})).await;
    let session = found["session_id"].as_str().unwrap().to_string();
    let position = shown(&found).iter().position(|id| id == PEN).expect("the pen is found");
    let ordinal = ["first", "second", "third", "fourth", "fifth"][position];
    server.http_turn(json!({"session_id": session, "text": format!("add the {ordinal} one to my cart")})).await;
    let (_, mine) = get(&server, &format!("context=for_you&session_id={session}&limit=3"), None).await;
    assert_eq!(ids(&mine)[0], BOTTLE, "school supplies first: {mine}");
    assert_eq!(mine["products"][0]["reason"], "popular in Water Bottles this week", "{mine}");
    let (_, stranger) = get(&server, "context=for_you&limit=3", None).await;
    assert_ne!(ids(&stranger)[0], BOTTLE, "{stranger}");
    assert_eq!(stranger["products"][0]["reason"], "popular this week", "{stranger}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_without_consent_is_recommended_from_what_it_viewed_and_keeps_nothing() {
    let (server, _index) = start().await;
    server.recommender.refresh().await.unwrap();
    let mut chat = Connection::connect(&server.ws_url()).await.unwrap();
    let session = chat.hello(Channel::Web, None, 0).await.unwrap().session_id;
    // The bottle, then the shampoo: the bottle is no longer in view, but still counts.
    for id in [BOTTLE, SHAMPOO] {
        chat.send(&ClientFrame::Event(EventFrame { event: "view_product".into(), product_id: Some(id.into()), ..EventFrame::default() })).await.unwrap();
    }
    // A turn answered: the events before it were handled.
    chat.turn("hi").await.unwrap();
    let (status, list) = get(&server, &format!("context=for_you&session_id={session}&limit=5"), None).await;
    assert_eq!(status, 200, "{list}");
    let bottle = demo_products().iter().find(|p| p.id == BOTTLE).unwrap();
    let other = list["products"].as_array().unwrap().iter().find(|p| p["id"] == OTHER_BELLIES).unwrap_or_else(|| panic!("bought with the bottle: {list}"));
    assert!(other["reason"].as_str().unwrap().contains(&bottle.title), "{list}");
    assert!(!ids(&list).iter().any(|id| id == BOTTLE || id == SHAMPOO), "not what they looked at: {list}");
    // Nothing of it was stored: another refresh knows no history of the session.
    server.recommender.refresh().await.unwrap();
    assert!(server.recommender.snapshot().history(&aisle::events::store::session_shopper(&session)).is_empty());
}
