//! Orders end to end, over a real WebSocket (and HTTP) against a server on port 0 with the real
//! model and a real SQLite file: the authorization matrix (own order with a token, another
//! customer's, forged / tampered / expired tokens, guests with the right and the wrong email,
//! the lockout, injection strings), the order skills (status, late, cancel, change of address,
//! return and refund, invoice), concurrent cancellations, the admin API (orders, events,
//! returns, refunds) and the demo data.

mod common;

use aisle::client::Connection;
use aisle::orders::identity::TokenKey;
use aisle::orders::import::{CustomerRecord, OrderRecord, Record};
use aisle::orders::{OrderStatus, format_time, now};
use aisle::protocol::{Channel, ErrorCode, Reply, ServerFrame};
use common::{ADMIN_KEY, PUBLIC_URL, TOKEN_SECRET, TestServer};

const DAY: i64 = 86_400;

/// Customers: C1 Asha (orders 50001, 50002, 50005, 50006), C2 Ravi (50003); 50004 is a guest's.
async fn seed(server: &TestServer) {
    let store = server.orders.store();
    let t = now();
    for (id, name, email) in [("C1", "Asha Verma", "asha@example.com"), ("C2", "Ravi Kumar", "ravi@example.org")] {
        let customer = CustomerRecord { id: id.into(), name: name.into(), email: email.into() }.check().unwrap();
        store.upsert_customer(&customer, t).await.unwrap();
    }
    let order = |id: &str, customer: Option<&str>, email: &str, placed: i64, statuses: &[(&str, i64)], eta: i64, tracking: Option<&str>| {
        let events: Vec<serde_json::Value> = statuses
            .iter()
            .enumerate()
            .map(|(i, (status, at))| serde_json::json!({"event_id": format!("{id}-{i}"), "status": status, "at": format_time(*at)}))
            .collect();
        let record = serde_json::json!({
            "order_id": id, "customer_id": customer, "email": email, "placed_at": format_time(placed), "currency": "INR",
            "lines": [
                {"product_id": "P-BLENDER", "title": "Philips Blender 500W", "quantity": 1, "price": 2499.0},
                {"product_id": "P-SHOES", "title": "Nike Running Shoes", "quantity": 2, "price": 1500.0}
            ],
            "events": events,
            "shipment": {"carrier": tracking.map(|_| "Delhivery"), "tracking": tracking, "estimated_delivery": format_time(eta)},
            "shipping_address": "14 MG Road, Bengaluru 560001"
        });
        serde_json::from_value::<OrderRecord>(record).unwrap().check().unwrap()
    };
    let orders = [
        order("50001", Some("C1"), "asha@example.com", t - 3 * DAY, &[("placed", t - 3 * DAY), ("approved", t - 3 * DAY + 600), ("invoiced", t - 2 * DAY), ("shipped", t - DAY)], t + 2 * DAY, Some("DL123456789IN")),
        order("50002", Some("C1"), "asha@example.com", t - 12 * DAY, &[("placed", t - 12 * DAY), ("approved", t - 12 * DAY + 600), ("shipped", t - 10 * DAY), ("delivered", t - 5 * DAY)], t - 6 * DAY, Some("DL2")),
        order("50003", Some("C2"), "ravi@example.org", t - DAY, &[("placed", t - DAY), ("approved", t - DAY + 600)], t + 5 * DAY, None),
        order("50004", None, "guest@example.net", t - 2 * DAY, &[("placed", t - 2 * DAY), ("approved", t - 2 * DAY + 60), ("invoiced", t - DAY)], t + 3 * DAY, None),
        order("50005", Some("C1"), "asha@example.com", t - 20 * DAY, &[("placed", t - 20 * DAY), ("approved", t - 20 * DAY + 600), ("shipped", t - 18 * DAY)], t - 4 * DAY, Some("DL5")),
        order("50006", Some("C1"), "asha@example.com", t - 90 * DAY, &[("placed", t - 90 * DAY), ("approved", t - 90 * DAY + 600), ("shipped", t - 88 * DAY), ("delivered", t - 80 * DAY)], t - 80 * DAY, Some("DL6")),
    ];
    for o in &orders {
        store.upsert_order(o, t).await.unwrap();
    }
}

fn token(customer: &str, ttl: i64) -> String {
    TokenKey::new(TOKEN_SECRET.as_bytes()).unwrap().issue(customer, now() + ttl)
}

async fn connect(server: &TestServer, token: Option<String>) -> Connection {
    let mut chat = Connection::connect(&server.ws_url()).await.unwrap();
    chat.set_token(token);
    chat.hello(Channel::Web, None, 0).await.unwrap();
    chat
}

async fn say(chat: &mut Connection, text: &str) -> Reply {
    chat.turn(text).await.unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

/// A reply's text with order numbers replaced, to compare replies about different orders.
fn shape(reply: &Reply, ids: &[&str]) -> String {
    ids.iter().fold(reply.text.clone(), |text, id| text.replace(id, "<ID>"))
}

/// Nothing of the order leaks: no order view, no item, status, tracking or email.
fn reveals_nothing(reply: &Reply) {
    assert!(reply.order.is_none(), "{reply:?}");
    let text = reply.text.to_lowercase();
    for secret in ["blender", "nike", "delhivery", "dl1", "shipped", "approved", "invoiced", "delivered", "guest@", "asha", "ravi", "bengaluru"] {
        assert!(!text.contains(secret), "{secret:?} leaked in {text:?}");
    }
}

#[tokio::test]
async fn a_customer_with_a_token_sees_their_own_order() {
    let server = TestServer::start().await;
    seed(&server).await;
    let mut chat = connect(&server, Some(token("C1", 3600))).await;
    let reply = say(&mut chat, "where is my order 50001?").await;
    assert_eq!(reply.intent.as_ref().unwrap().name, "order_status");
    let order = reply.order.as_ref().expect("an order view");
    assert_eq!(order.order_id, "50001");
    assert_eq!(order.status, "shipped");
    assert_eq!(order.tracking.as_deref(), Some("DL123456789IN"));
    assert_eq!(order.carrier.as_deref(), Some("Delhivery"));
    assert!(order.estimated_delivery.is_some());
    let timeline: Vec<&str> = order.timeline.iter().map(|e| e.status.as_str()).collect();
    assert_eq!(timeline, ["placed", "approved", "invoiced", "shipped"]);
    assert_eq!(order.items.len(), 2);
    assert!(reply.text.contains("DL123456789IN") && reply.text.contains("50001"), "{}", reply.text);
    // Without a number: the latest order, with the others offered.
    let latest = say(&mut chat, "where has my parcel got to").await;
    assert_eq!(latest.order.as_ref().map(|o| o.order_id.as_str()), Some("50001"), "{latest:?}");
    assert!(latest.quick_replies.iter().any(|q| q.text.contains("50002")), "{:?}", latest.quick_replies);
}

#[tokio::test]
async fn a_voice_assistant_hears_the_status_and_the_arrival_not_the_tracking_number() {
    let server = TestServer::start().await;
    seed(&server).await;
    let mut chat = Connection::connect(&server.ws_url()).await.unwrap();
    chat.set_token(Some(token("C1", 3600)));
    chat.hello(Channel::Voice, None, 0).await.unwrap();
    for (text, id) in [("where is my order 50001", "50001"), ("and order 50005?", "50005")] {
        let reply = say(&mut chat, text).await;
        assert_eq!(reply.order.as_ref().map(|o| o.order_id.as_str()), Some(id), "{reply:?}");
        assert_eq!(reply.text, reply.speech);
        assert!(!reply.speech.contains("DL"), "{}", reply.speech);
        let sentences = reply.speech.matches(['.', '?', '!']).count();
        assert!((1..=2).contains(&sentences), "{}", reply.speech);
    }
}

#[tokio::test]
async fn another_customers_order_reads_exactly_like_one_that_does_not_exist() {
    let server = TestServer::start().await;
    seed(&server).await;
    // Two fresh conversations at the same turn, so the same wording variant is used.
    let mut theirs = connect(&server, Some(token("C1", 3600))).await;
    let mut missing = connect(&server, Some(token("C1", 3600))).await;
    let a = say(&mut theirs, "where is my order 50003?").await;
    let b = say(&mut missing, "where is my order 59999?").await;
    reveals_nothing(&a);
    assert_eq!(shape(&a, &["50003"]), shape(&b, &["59999"]));
    assert_eq!(a.quick_replies, b.quick_replies);
    // Giving an email does not help: the same answer as for a missing order.
    let a = say(&mut theirs, "my email is asha@example.com").await;
    let b = say(&mut missing, "my email is asha@example.com").await;
    reveals_nothing(&a);
    assert_eq!(shape(&a, &["50003"]), shape(&b, &["59999"]));
    // Cancelling someone else's order: the same again, and nothing changes.
    let a = say(&mut theirs, "cancel order 50003").await;
    let b = say(&mut missing, "cancel order 59999").await;
    reveals_nothing(&a);
    assert_eq!(shape(&a, &["50003"]), shape(&b, &["59999"]));
    let yes = say(&mut theirs, "yes, go ahead").await;
    reveals_nothing(&yes);
    let order = server.orders.store().order("50003").await.unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Approved);
}

#[tokio::test]
async fn forged_tampered_and_expired_tokens_are_refused_and_the_session_stays_anonymous() {
    let server = TestServer::start().await;
    seed(&server).await;
    let good = token("C1", 3600);
    let forged = TokenKey::new(&[9u8; 32]).unwrap().issue("C1", now() + 3600);
    let expired = token("C1", -10);
    let mut tampered = good.clone().into_bytes();
    let middle = tampered.len() / 2;
    tampered[middle] = if tampered[middle] == b'x' { b'y' } else { b'x' };
    let tampered = String::from_utf8(tampered).unwrap();
    for bad in [forged, expired, tampered, "not-a-token".to_string(), "x".repeat(5000)] {
        let mut chat = connect(&server, Some(bad.clone())).await;
        match chat.recv().await.unwrap() {
            ServerFrame::Error(e) => assert_eq!(e.code, ErrorCode::Unauthorized, "{bad}"),
            other => panic!("expected unauthorized for {bad:?}, got {other:?}"),
        }
        let reply = say(&mut chat, "where is my order 50001?").await;
        reveals_nothing(&reply);
        assert!(reply.text.contains("email"), "asks for the email: {}", reply.text);
    }
    // Over HTTP: 401, and no session is created.
    let http = reqwest::Client::new();
    let response = http
        .post(server.url("/v1/chat"))
        .json(&serde_json::json!({"text": "where is my order 50001", "token": token("C1", -1)}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    // A good token over HTTP works.
    let response = http
        .post(server.url("/v1/chat"))
        .json(&serde_json::json!({"text": "where is my order 50001", "token": good}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["reply"]["order"]["order_id"], "50001");
}

#[tokio::test]
async fn a_guest_verifies_with_the_email_on_the_order() {
    let server = TestServer::start().await;
    seed(&server).await;
    let mut chat = connect(&server, None).await;
    let ask = say(&mut chat, "where is my order 50004").await;
    reveals_nothing(&ask);
    assert!(ask.text.contains("email"), "{}", ask.text);
    let wrong = say(&mut chat, "it's guest@example.com").await;
    reveals_nothing(&wrong);
    // The wrong email reads like an unknown order with any email.
    let mut other = connect(&server, None).await;
    say(&mut other, "where is my order 58888").await;
    let unknown = say(&mut other, "it's guest@example.com").await;
    assert_eq!(shape(&wrong, &["50004"]), shape(&unknown, &["58888"]));
    // The right email, differently cased, shows it; later questions need no email again.
    say(&mut chat, "order 50004 please").await;
    let right = say(&mut chat, "my email is Guest@Example.NET").await;
    assert_eq!(right.order.as_ref().map(|o| o.order_id.as_str()), Some("50004"), "{right:?}");
    let again = say(&mut chat, "has order 50004 shipped yet?").await;
    assert_eq!(again.order.as_ref().map(|o| o.status.as_str()), Some("invoiced"), "{again:?}");
    // Number and email in one message.
    let mut once = connect(&server, None).await;
    let both = say(&mut once, "where is order 50004, my email is guest@example.net").await;
    assert_eq!(both.order.as_ref().map(|o| o.order_id.as_str()), Some("50004"), "{both:?}");
}

#[tokio::test]
async fn five_failed_verifications_lock_the_order_then_even_the_right_email_is_refused() {
    let server = TestServer::start().await;
    seed(&server).await;
    // Five sessions, one wrong guess each: the order locks (not just a session).
    for i in 0..5 {
        let mut chat = connect(&server, None).await;
        say(&mut chat, "where is my order 50004").await;
        let reply = say(&mut chat, &format!("my email is wrong{i}@example.net")).await;
        reveals_nothing(&reply);
    }
    let mut chat = connect(&server, None).await;
    say(&mut chat, "where is my order 50004").await;
    let locked = say(&mut chat, "my email is guest@example.net").await;
    reveals_nothing(&locked);
    assert!(locked.text.contains("minutes"), "{}", locked.text);
    // An order that does not exist locks the same way: the lock says nothing about existence.
    for i in 0..5 {
        let mut chat = connect(&server, None).await;
        say(&mut chat, "where is my order 57777").await;
        say(&mut chat, &format!("my email is wrong{i}@example.net")).await;
    }
    let mut a = connect(&server, None).await;
    let mut b = connect(&server, None).await;
    say(&mut a, "where is my order 50004").await;
    say(&mut b, "where is my order 57777").await;
    let a = say(&mut a, "my email is guest@example.net").await;
    let b = say(&mut b, "my email is guest@example.net").await;
    assert_eq!(a.text, b.text);
    // One conversation guessing across orders is locked too.
    let mut guesser = connect(&server, None).await;
    for id in ["51001", "51002", "51003", "51004", "51005"] {
        say(&mut guesser, &format!("where is my order {id}")).await;
        say(&mut guesser, "my email is guess@example.net").await;
    }
    say(&mut guesser, "where is my order 50002").await;
    let locked = say(&mut guesser, "my email is asha@example.com").await;
    reveals_nothing(&locked);
    assert!(locked.text.contains("minutes"), "{}", locked.text);
}

#[tokio::test]
async fn injection_strings_in_order_numbers_and_emails_find_nothing_and_change_nothing() {
    let server = TestServer::start().await;
    seed(&server).await;
    let before = server.orders.store().count_orders().await.unwrap();
    for (text, email) in [
        ("where is my order 50004' OR '1'='1", "x' OR '1'='1'--@example.com"),
        ("where is order 50004; DROP TABLE orders;--", "guest@example.org' --"),
        ("order status for 1 OR 1=1", "\"; DELETE FROM orders; --@x.io"),
        ("where is my order %' UNION SELECT email FROM customers --", "a@b.co' UNION SELECT 1 --"),
    ] {
        let mut chat = connect(&server, None).await;
        let first = say(&mut chat, text).await;
        reveals_nothing(&first);
        let reply = say(&mut chat, &format!("my email is {email}")).await;
        reveals_nothing(&reply);
    }
    assert_eq!(server.orders.store().count_orders().await.unwrap(), before);
    assert!(server.orders.store().customer("C1").await.unwrap().is_some());
}

#[tokio::test]
async fn a_late_order_gets_an_apology_and_an_offer_of_a_person() {
    let server = TestServer::start().await;
    seed(&server).await;
    let mut chat = connect(&server, Some(token("C1", 3600))).await;
    let late = say(&mut chat, "where is order 50005? it should be here by now").await;
    assert_eq!(late.order.as_ref().map(|o| o.order_id.as_str()), Some("50005"), "{late:?}");
    assert!(late.text.to_lowercase().contains("sorry"), "{}", late.text);
    assert!(late.quick_replies.iter().any(|q| q.label.to_lowercase().contains("person")), "{late:?}");
    let yes = say(&mut chat, "yes, that would help").await;
    assert!(yes.text.to_lowercase().contains("person") || yes.text.to_lowercase().contains("agent") || yes.text.to_lowercase().contains("someone"), "{}", yes.text);
}

#[tokio::test]
async fn cancel_needs_a_confirmation_and_only_works_before_shipment() {
    let server = TestServer::start().await;
    seed(&server).await;
    let mut chat = connect(&server, Some(token("C2", 3600))).await;
    let ask = say(&mut chat, "I want to cancel my order 50003").await;
    assert_eq!(ask.intent.as_ref().unwrap().name, "cancel_order");
    assert!(ask.text.contains("50003") && ask.text.contains('?'), "{}", ask.text);
    let store = server.orders.store();
    assert_eq!(store.order("50003").await.unwrap().unwrap().status, OrderStatus::Approved, "nothing before the yes");
    let no = say(&mut chat, "no, keep it").await;
    assert!(no.order.is_none());
    assert_eq!(store.order("50003").await.unwrap().unwrap().status, OrderStatus::Approved);
    say(&mut chat, "cancel order 50003").await;
    let done = say(&mut chat, "yes, go ahead").await;
    assert_eq!(done.order.as_ref().map(|o| o.status.as_str()), Some("canceled"), "{done:?}");
    let order = store.order("50003").await.unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Canceled);
    assert_eq!(order.refunds.len(), 1, "a paid order is refunded");
    assert!(done.text.contains("5499"), "the refund amount: {}", done.text);
    // The shop pays it out (admin API), and the shopper can ask.
    let issued = reqwest::Client::new()
        .post(server.url("/v1/admin/orders/50003/refunds"))
        .bearer_auth(ADMIN_KEY)
        .json(&serde_json::json!({"status": "issued"}))
        .send()
        .await
        .unwrap();
    assert_eq!(issued.status(), 200);
    let refund = say(&mut chat, "where is my refund for order 50003").await;
    assert!(refund.text.contains("issued") && refund.text.contains("5499"), "{}", refund.text);
    // A shipped order cannot be canceled.
    let mut asha = connect(&server, Some(token("C1", 3600))).await;
    let shipped = say(&mut asha, "cancel order 50001").await;
    assert!(shipped.text.contains("can't be canceled") || shipped.text.contains("can no longer be canceled"), "{}", shipped.text);
    assert_eq!(store.order("50001").await.unwrap().unwrap().status, OrderStatus::Shipped);
}

#[tokio::test]
async fn of_two_concurrent_cancellations_exactly_one_succeeds() {
    let server = TestServer::start().await;
    seed(&server).await;
    let mut a = connect(&server, Some(token("C2", 3600))).await;
    let mut b = connect(&server, Some(token("C2", 3600))).await;
    say(&mut a, "cancel order 50003").await;
    say(&mut b, "cancel order 50003").await;
    let (ra, rb) = tokio::join!(a.turn("yes, go ahead"), b.turn("yes, go ahead"));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    let canceled = [&ra, &rb].iter().filter(|r| r.text.contains("is canceled") || r.text.contains("now canceled")).count();
    assert_eq!(canceled, 1, "{}\n{}", ra.text, rb.text);
    let order = server.orders.store().order("50003").await.unwrap().unwrap();
    assert_eq!(order.events.iter().filter(|e| e.status == OrderStatus::Canceled).count(), 1);
    assert_eq!(order.refunds.len(), 1);
    // And straight at the store, many at once.
    let store = server.orders.store().clone();
    let results = futures_util::future::join_all((0..8).map(|i| {
        let store = store.clone();
        async move { store.cancel("50004", &format!("race-{i}"), now()).await.unwrap() }
    }))
    .await;
    let done = results.iter().filter(|r| matches!(r, aisle::orders::store::Canceled::Done { .. })).count();
    assert_eq!(done, 1, "{results:?}");
}

#[tokio::test]
async fn the_delivery_address_changes_after_a_confirmation() {
    let server = TestServer::start().await;
    seed(&server).await;
    let mut chat = connect(&server, Some(token("C2", 3600))).await;
    let ask = say(&mut chat, "I need to change the delivery address for order 50003").await;
    assert_eq!(ask.intent.as_ref().unwrap().name, "change_order");
    assert!(ask.text.contains("address"), "{}", ask.text);
    let confirm = say(&mut chat, "Flat 4B, 12 Park Street, Kolkata 700016").await;
    assert!(confirm.text.contains("12 Park Street"), "{}", confirm.text);
    let done = say(&mut chat, "yes, go ahead").await;
    assert!(done.text.contains("12 Park Street"), "{}", done.text);
    let order = server.orders.store().order("50003").await.unwrap().unwrap();
    assert_eq!(order.shipping_address.as_deref(), Some("Flat 4B, 12 Park Street, Kolkata 700016"));
    // A shipped order's address stays.
    let mut asha = connect(&server, Some(token("C1", 3600))).await;
    let shipped = say(&mut asha, "change the shipping address of order 50001").await;
    assert!(shipped.text.contains("can't change its address") || shipped.text.contains("address can't be changed"), "{}", shipped.text);
    say(&mut asha, "22 Lake Road, Pune 411001").await;
    say(&mut asha, "yes, go ahead").await;
    let order = server.orders.store().order("50001").await.unwrap().unwrap();
    assert_eq!(order.shipping_address.as_deref(), Some("14 MG Road, Bengaluru 560001"));
}

#[tokio::test]
async fn returns_follow_the_return_window_and_report_the_refund() {
    let server = TestServer::start().await;
    seed(&server).await;
    let mut chat = connect(&server, Some(token("C1", 3600))).await;
    let offer = say(&mut chat, "I want to return the blender from order 50002").await;
    assert_eq!(offer.intent.as_ref().unwrap().name, "return_refund");
    assert!(offer.text.contains("Blender") && !offer.text.contains("Nike"), "{}", offer.text);
    let created = say(&mut chat, "yes, go ahead").await;
    let order = server.orders.store().order("50002").await.unwrap().unwrap();
    assert_eq!(order.returns.len(), 1);
    assert_eq!(order.returns[0].lines.len(), 1);
    assert!(created.text.contains(&order.returns[0].reference), "{}", created.text);
    assert!(created.text.contains("2499"), "{}", created.text);
    let status = say(&mut chat, "where is my refund for order 50002?").await;
    assert!(status.text.contains("pending") && status.text.contains("2499"), "{}", status.text);
    // The shop receives the items and pays the refund (admin API); the shopper sees it.
    let reference = order.returns[0].reference.clone();
    let http = reqwest::Client::new();
    let update = |status: &str| {
        http.post(server.url(&format!("/v1/admin/returns/{reference}")))
            .bearer_auth(ADMIN_KEY)
            .json(&serde_json::json!({ "status": status }))
            .send()
    };
    assert_eq!(update("teleported").await.unwrap().status(), 400);
    assert_eq!(update("refunded").await.unwrap().status(), 200);
    let paid = say(&mut chat, "has my refund for order 50002 come through?").await;
    assert!(paid.text.contains("refunded") && paid.text.contains("issued"), "{}", paid.text);
    let unknown = http.post(server.url("/v1/admin/returns/R-NOPE")).bearer_auth(ADMIN_KEY).json(&serde_json::json!({"status": "received"})).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    // Delivered 80 days ago: outside the 30-day window.
    let closed = say(&mut chat, "I'd like to return order 50006").await;
    assert!(closed.text.contains("30-day"), "{}", closed.text);
    assert!(server.orders.store().order("50006").await.unwrap().unwrap().returns.is_empty());
    // Not delivered yet.
    let early = say(&mut chat, "return order 50001").await;
    assert!(early.text.contains("hasn't been delivered") || early.text.contains("is delivered"), "{}", early.text);
}

#[tokio::test]
async fn the_invoice_link_is_signed_and_expires() {
    let server = TestServer::start().await;
    seed(&server).await;
    let mut chat = connect(&server, Some(token("C1", 3600))).await;
    let asked = now();
    let reply = say(&mut chat, "can I get the invoice for order 50001").await;
    let answered = now();
    assert_eq!(reply.intent.as_ref().unwrap().name, "invoice");
    let link = reply.text.split_whitespace().find(|w| w.starts_with(PUBLIC_URL)).expect("a link").to_string();
    assert!(!reply.speech.contains("http"), "{}", reply.speech);
    let local = link.replace(PUBLIC_URL, &format!("http://{}", server.addr));
    let page = reqwest::get(&local).await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("50001") && html.contains("Philips Blender 500W"), "{html}");
    // The link holds for 7 days from when it was given.
    let query: Vec<(String, String)> = serde_urlencoded::from_str(local.split_once('?').unwrap().1).unwrap();
    let param = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap();
    let expires: i64 = param("expires").parse().unwrap();
    assert!((asked + 7 * DAY..=answered + 7 * DAY).contains(&expires), "expires {expires}, given at {asked}..={answered}");
    // Links signed here with the server's key: the same signature as the assistant's, a fresh
    // one opens, one whose validity has passed is refused although its signature is right.
    let signed = |expires: i64| {
        let signature = TokenKey::new(TOKEN_SECRET.as_bytes()).unwrap().sign_link(&format!("invoice:50001:{expires}"));
        (signature.clone(), format!("http://{}/v1/orders/50001/invoice?expires={expires}&signature={signature}", server.addr))
    };
    assert_eq!(signed(expires).0, param("signature"));
    assert_eq!(reqwest::get(&signed(now() + 3600).1).await.unwrap().status(), 200);
    let expired = signed(now() - 60).1;
    assert_eq!(reqwest::get(&expired).await.unwrap().status(), 404, "{expired}");
    // Another order's number under the same signature, or a changed expiry: 404.
    for forged in [local.replace("/50001/", "/50002/"), local.replace("expires=", "expires=9")] {
        assert_eq!(reqwest::get(&forged).await.unwrap().status(), 404, "{forged}");
    }
    // An order not yet invoiced has no invoice.
    let mut ravi = connect(&server, Some(token("C2", 3600))).await;
    let not_ready = say(&mut ravi, "I need the invoice for order 50003").await;
    assert!(!not_ready.text.contains("http"), "{}", not_ready.text);
}

#[tokio::test]
async fn the_admin_api_upserts_orders_appends_events_and_refuses_without_the_key() {
    let server = TestServer::start().await;
    seed(&server).await;
    let http = reqwest::Client::new();
    let order = serde_json::json!({
        "order_id": "60001", "customer_id": "C2", "email": "ravi@example.org", "placed_at": format_time(now() - 3600), "currency": "INR",
        "lines": [{"product_id": "P1", "title": "Steel Bottle", "quantity": 1, "price": 399.0}]
    });
    let bad = serde_json::json!({"order_id": "60002", "email": "nope", "placed_at": "yesterday", "currency": "INR", "lines": []});
    let post = |path: &str, key: Option<&str>, body: serde_json::Value| {
        let mut request = http.post(server.url(path)).json(&body);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        request.send()
    };
    for key in [None, Some("wrong-key-wrong-key-123")] {
        let response = post("/v1/admin/orders", key, serde_json::json!([order])).await.unwrap();
        assert_eq!(response.status(), 401);
    }
    assert!(server.orders.store().order("60001").await.unwrap().is_none());
    let response = post("/v1/admin/orders", Some(ADMIN_KEY), serde_json::json!([order, bad])).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["upserted"], 1);
    assert_eq!(body["errors"][0]["index"], 1);
    assert!(server.orders.store().order("60002").await.unwrap().is_none());
    // Events: appended once per id, the status follows, the shipment is recorded.
    let event = serde_json::json!({"event_id": "wh-1", "status": "shipped", "at": format_time(now()), "carrier": "Blue Dart", "tracking": "BD42"});
    for duplicates in [0, 1] {
        let response = post("/v1/admin/orders/60001/events", Some(ADMIN_KEY), event.clone()).await.unwrap();
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["duplicates"], duplicates);
    }
    let stored = server.orders.store().order("60001").await.unwrap().unwrap();
    assert_eq!(stored.status, OrderStatus::Shipped);
    assert_eq!(stored.tracking.as_deref(), Some("BD42"));
    assert_eq!(stored.events.iter().filter(|e| e.status == OrderStatus::Shipped).count(), 1);
    let unknown = post("/v1/admin/orders/69999/events", Some(ADMIN_KEY), event).await.unwrap();
    assert_eq!(unknown.status(), 404);
    let malformed = post("/v1/admin/orders", Some(ADMIN_KEY), serde_json::json!("not an order")).await.unwrap();
    assert_eq!(malformed.status(), 400);
    // Upserting again is harmless, and keeps the shipped event.
    post("/v1/admin/orders", Some(ADMIN_KEY), order).await.unwrap();
    assert_eq!(server.orders.store().order("60001").await.unwrap().unwrap().status, OrderStatus::Shipped);
    // The customer sees it in the chat.
    let mut chat = connect(&server, Some(token("C2", 3600))).await;
    let reply = say(&mut chat, "where is order 60001").await;
    assert!(reply.text.contains("BD42"), "{}", reply.text);
}

#[tokio::test]
async fn the_demo_orders_load_once_moved_to_now_with_orders_in_flight() {
    let server = TestServer::start().await;
    let store = server.orders.store();
    let t = now();
    let report = aisle::orders::demo::load_once(store, &common::repo_path("data/demo"), t).await.unwrap().expect("loaded");
    assert!(report.customers >= 40 && report.orders >= 150, "{report:?}");
    assert_eq!(aisle::orders::demo::load_once(store, &common::repo_path("data/demo"), t).await.unwrap(), None);
    let text = std::fs::read_to_string(common::repo_path("data/demo/orders.jsonl")).unwrap();
    let ids: Vec<String> = text.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["order_id"].as_str().unwrap().to_string()).collect();
    let (mut in_flight, mut newest) = (0, 0);
    for id in &ids {
        let order = store.order(id).await.unwrap().unwrap();
        in_flight += usize::from(order.status.in_flight());
        newest = newest.max(order.events.last().unwrap().at);
        assert!(order.events.iter().all(|e| e.at <= t));
    }
    assert_eq!(newest, t, "the newest event is now");
    assert!(in_flight >= 10, "{in_flight} orders in flight");
    // A demo customer can ask about their orders: the newest one in the file is shown.
    let (customer_id, latest) = customer_with_most_orders(&text);
    let mut chat = connect(&server, Some(token(&customer_id, 3600))).await;
    let reply = say(&mut chat, LATEST_ORDER_QUESTION).await;
    assert_eq!(reply.order.as_ref().map(|o| o.order_id.as_str()), Some(latest.as_str()), "{reply:?}");
}

/// Asks for the latest order without naming it (not a training example: see
/// `no_phrase_here_is_training_data`).
const LATEST_ORDER_QUESTION: &str = "any news on the stuff I ordered?";

/// Of an orders file (JSON Lines), the customer with the most orders and that customer's newest
/// order (by time placed, then by number).
fn customer_with_most_orders(text: &str) -> (String, String) {
    let mut by_customer: std::collections::BTreeMap<String, Vec<(jiff::Timestamp, String)>> = Default::default();
    for line in text.lines() {
        let order: serde_json::Value = serde_json::from_str(line).unwrap();
        let Some(customer) = order["customer_id"].as_str() else { continue };
        let placed: jiff::Timestamp = order["placed_at"].as_str().unwrap().parse().unwrap();
        by_customer.entry(customer.to_string()).or_default().push((placed, order["order_id"].as_str().unwrap().to_string()));
    }
    let (customer, orders) = by_customer.into_iter().max_by_key(|(_, orders)| orders.len()).expect("the demo has customer orders");
    assert!(orders.len() >= 2, "a customer with a choice of orders");
    (customer, orders.into_iter().max().unwrap().1)
}

#[test]
fn no_phrase_here_is_training_data() {
    common::assert_source_unseen(include_str!("orders.rs"));
}

#[tokio::test]
async fn the_shop_reads_an_order_and_a_transcript_back_with_the_admin_key() {
    let server = TestServer::start().await;
    seed(&server).await;
    let http = reqwest::Client::new();
    let get = |path: &str, key: Option<&str>| {
        let mut request = http.get(server.url(path));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        request.send()
    };
    assert_eq!(get("/v1/admin/orders/50001", None).await.unwrap().status(), 401);
    let order: serde_json::Value = get("/v1/admin/orders/50001", Some(ADMIN_KEY)).await.unwrap().json().await.unwrap();
    assert_eq!((order["order_id"].as_str(), order["status"].as_str(), order["tracking"].as_str()), (Some("50001"), Some("shipped"), Some("DL123456789IN")));
    assert_eq!(order["total"], 2499.0 + 2.0 * 1500.0);
    let statuses: Vec<&str> = order["timeline"].as_array().unwrap().iter().map(|e| e["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["placed", "approved", "invoiced", "shipped"]);
    assert_eq!(get("/v1/admin/orders/59999", Some(ADMIN_KEY)).await.unwrap().status(), 404);

    // A conversation, read back a page at a time.
    let mut chat = connect(&server, Some(token("C1", 3600))).await;
    for text in ["where is order 50001", "and what about 50002"] {
        say(&mut chat, text).await;
    }
    let session = chat.session_id().unwrap().to_string();
    let path = |after: i64| format!("/v1/admin/sessions/{session}/transcript?after={after}&limit=3");
    assert_eq!(get(&path(0), None).await.unwrap().status(), 401);
    let first: serde_json::Value = get(&path(0), Some(ADMIN_KEY)).await.unwrap().json().await.unwrap();
    let entries = first["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0]["frame"]["text"], "where is order 50001");
    let next = first["next_after"].as_i64().expect("a next page");
    let second: serde_json::Value = get(&path(next), Some(ADMIN_KEY)).await.unwrap().json().await.unwrap();
    let rest = second["entries"].as_array().unwrap();
    assert_eq!(rest.len(), 1, "four entries: two messages, two replies");
    assert_eq!(rest[0]["role"], "assistant");
    assert!(second["next_after"].is_null());
    assert_eq!(get(&format!("/v1/admin/sessions/{session}/transcript?limit=0"), Some(ADMIN_KEY)).await.unwrap().status(), 400);
    assert_eq!(get(&format!("/v1/admin/sessions/{session}/transcript?page=2"), Some(ADMIN_KEY)).await.unwrap().status(), 400);
    assert_eq!(get("/v1/admin/sessions/s_unknown/transcript", Some(ADMIN_KEY)).await.unwrap().status(), 404);
}

/// Rows about customer C1 (or their session) in each table that holds personal data.
async fn rows_about(store: &aisle::session::store::Store, session: &str) -> Vec<(&'static str, i64)> {
    let count = |sql: &'static str| async move { (sql, sqlx::query_scalar::<_, i64>(sql).bind(session).fetch_one(store.pool()).await.unwrap()) };
    vec![
        count("SELECT COUNT(*) FROM customers WHERE id = 'C1' AND ?1 = ?1").await,
        count("SELECT COUNT(*) FROM sessions WHERE customer_id = 'C1' OR id = ?1").await,
        count("SELECT COUNT(*) FROM messages WHERE session_id = ?1").await,
        count("SELECT COUNT(*) FROM events WHERE customer_id = 'C1' OR session_id = ?1").await,
        count("SELECT COUNT(*) FROM stated_preferences WHERE customer_id = 'C1' AND ?1 = ?1").await,
        count("SELECT COUNT(*) FROM orders WHERE (customer_id = 'C1' OR email = 'asha@example.com' OR (id IN ('50001', '50002', '50005', '50006') AND shipping_address IS NOT NULL)) AND ?1 = ?1").await,
    ]
}

#[tokio::test]
async fn a_customers_data_is_exported_whole_and_erased_everywhere_with_orders_kept_anonymous() {
    let server = TestServer::start().await;
    seed(&server).await;
    let mut chat = Connection::connect(&server.ws_url()).await.unwrap();
    chat.set_token(Some(token("C1", 3600)));
    chat.set_consent(Some(true));
    chat.hello(Channel::Web, None, 0).await.unwrap();
    let session = chat.session_id().unwrap().to_string();
    let status = say(&mut chat, "any news on order 50001").await;
    assert!(status.order.is_some());
    let size = say(&mut chat, "by the way, I'm a size 9").await;
    assert!(size.text.contains("size 9"), "{}", size.text);
    say(&mut chat, "show me some analog watches").await;

    let http = reqwest::Client::new();
    let export_path = server.url("/v1/admin/customers/C1/export");
    assert_eq!(http.get(&export_path).send().await.unwrap().status(), 401);
    let export: serde_json::Value = http.get(&export_path).bearer_auth(ADMIN_KEY).send().await.unwrap().json().await.unwrap();
    assert_eq!(export["customer"]["email"], "asha@example.com");
    assert!(export["preferences"].as_array().unwrap().iter().any(|p| p["value"] == "9"), "{}", export["preferences"]);
    assert!(export["events"].as_array().unwrap().iter().any(|e| e["kind"] == "search"), "{}", export["events"]);
    let orders: Vec<&str> = export["orders"].as_array().unwrap().iter().map(|o| o["order_id"].as_str().unwrap()).collect();
    assert_eq!(orders, ["50006", "50005", "50002", "50001"], "the customer's orders, oldest first");
    let sessions = export["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1);
    assert!(sessions[0]["transcript"].as_array().unwrap().iter().any(|e| e["frame"]["text"] == "any news on order 50001"));
    let store = aisle::session::store::Store::open(&server.database).await.unwrap();
    let before = rows_about(&store, &session).await;
    assert!(before.iter().all(|(_, n)| *n > 0), "{before:?}");

    let erase = || http.delete(server.url("/v1/admin/customers/C1")).bearer_auth(ADMIN_KEY).send();
    let erased: serde_json::Value = erase().await.unwrap().json().await.unwrap();
    assert_eq!((erased["customer"].as_bool(), erased["sessions"].as_u64(), erased["orders_anonymized"].as_u64()), (Some(true), Some(1), Some(4)));
    let left = rows_about(&store, &session).await;
    assert!(left.iter().all(|(_, n)| *n == 0), "{left:?}");
    let kept = server.orders.store().order("50001").await.unwrap().expect("the order is kept for accounting");
    assert_eq!((kept.customer_id, kept.email.as_str(), kept.shipping_address), (None, "erased@invalid", None));
    assert_eq!(kept.lines.len(), 2);
    // Erasing again finds nothing; the customer's token now finds nothing either.
    let again: serde_json::Value = erase().await.unwrap().json().await.unwrap();
    assert_eq!(again, serde_json::json!({"customer": false, "sessions": 0, "messages": 0, "events": 0, "preferences": 0, "orders_anonymized": 0}));
    let mut later = connect(&server, Some(token("C1", 3600))).await;
    let nothing = say(&mut later, "any news on order 50001").await;
    assert!(nothing.order.is_none(), "{nothing:?}");
}
