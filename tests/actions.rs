//! The widget's buttons (protocol actions) and the skills they reach, over a real WebSocket
//! against a server on port 0 with the real model and index: every action does what its
//! message would, recommendations and similar items are of the kind asked about, an
//! out-of-stock product never enters the cart, and a search that matches nothing relaxes its
//! constraints in the documented order, naming each one it dropped.

mod common;

use aisle::catalog::Product;
use aisle::client::Connection;
use aisle::protocol::{ActionFrame, Channel, ClientFrame, Reply, ServerFrame, SessionStatus};
use common::{TestServer, demo_catalog, demo_products};

async fn connect(server: &TestServer) -> Connection {
    let mut chat = Connection::connect(&server.ws_url()).await.unwrap();
    chat.hello(Channel::Web, None, 0).await.unwrap();
    chat
}

async fn say(chat: &mut Connection, text: &str) -> Reply {
    chat.turn(text).await.unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

/// Presses a button: sends the action and waits for its reply.
async fn press(chat: &mut Connection, action: &str, product_id: Option<&str>, product_ids: &[&str], quantity: Option<u32>) -> Reply {
    let id = chat.next_message_id();
    let frame = ActionFrame {
        id: Some(id.clone()),
        action: action.into(),
        product_id: product_id.map(str::to_string),
        product_ids: product_ids.iter().map(|s| s.to_string()).collect(),
        quantity,
    };
    chat.send(&ClientFrame::Action(frame)).await.unwrap();
    chat.reply_to(&id).await.unwrap_or_else(|e| panic!("{action}: {e}"))
}

fn ids(reply: &Reply) -> Vec<String> {
    reply.products.iter().map(|p| p.id.clone()).collect()
}

fn lines(reply: &Reply) -> Vec<(String, u32)> {
    reply.cart.as_ref().map(|c| c.items.iter().map(|i| (i.product_id.clone(), i.quantity)).collect()).unwrap_or_default()
}

fn record(id: &str) -> Product {
    demo_catalog().product(id).unwrap().unwrap()
}

fn top_category(p: &Product) -> String {
    p.category_path().first().map(|c| c.to_string()).unwrap_or_default()
}

#[tokio::test]
async fn every_action_acts_on_the_products_it_names() {
    let server = TestServer::start().await;
    let mut chat = connect(&server).await;
    let shown = say(&mut chat, "show me watches").await;
    assert!(shown.products.len() >= 3, "{shown:?}");
    let [a, b, c] = [&shown.products[0].id, &shown.products[1].id, &shown.products[2].id].map(|s| s.as_str());

    // show_product focuses the product: "how much is it?" is then about it.
    let card = press(&mut chat, "show_product", Some(c), &[], None).await;
    assert_eq!(ids(&card), vec![c]);
    let price = say(&mut chat, "how much does it cost?").await;
    assert_eq!(ids(&price), vec![c], "{price:?}");
    assert!(price.text.contains(&format!("{}", record(c).effective_price().amount.round() as i64)), "{:?}", price.text);
    let missing = press(&mut chat, "show_product", Some("NO-SUCH-PRODUCT"), &[], None).await;
    assert!(missing.products.is_empty() && !missing.text.is_empty(), "{missing:?}");

    // similar: other products, the closest of the same kind.
    let similar = press(&mut chat, "similar", Some(a), &[], None).await;
    assert!(!similar.products.is_empty(), "{similar:?}");
    assert!(!ids(&similar).contains(&a.to_string()), "the product itself is not similar to itself");
    assert_eq!(top_category(&record(&similar.products[0].id)), top_category(&record(a)), "{similar:?}");

    // compare: a table of exactly the products pressed, prices from their records.
    let compared = press(&mut chat, "compare", None, &[a, b], None).await;
    let table = compared.comparison.expect("a comparison");
    assert_eq!(table.products, vec![a.to_string(), b.to_string()]);
    let prices = table.rows.iter().find(|r| r.attribute == "price").expect("a price row");
    for (value, id) in prices.values.iter().zip([a, b]) {
        let amount = record(id).effective_price().amount;
        assert!(value.contains(&format!("{}", amount.round() as i64)), "{value} for {amount}");
    }

    // The cart buttons: add, remove some, remove all.
    assert_eq!(lines(&press(&mut chat, "add_to_cart", Some(b), &[], Some(3)).await), vec![(b.to_string(), 3)]);
    assert_eq!(lines(&press(&mut chat, "remove_from_cart", Some(b), &[], Some(1)).await), vec![(b.to_string(), 2)]);
    let emptied = press(&mut chat, "remove_from_cart", Some(b), &[], None).await;
    assert_eq!(lines(&emptied), vec![], "{emptied:?}");
    assert!(emptied.cart.is_some_and(|c| c.total == 0.0));
    let view = press(&mut chat, "view_cart", None, &[], None).await;
    assert!(view.text.to_lowercase().contains("empty") || view.text.to_lowercase().contains("nothing"), "{:?}", view.text);

    // handoff: the reply, then the status change.
    let handoff = press(&mut chat, "handoff", None, &[], None).await;
    match chat.recv().await.unwrap() {
        ServerFrame::Status { seq, status, .. } => assert_eq!((seq, status), (handoff.seq + 1, SessionStatus::WaitingForAgent)),
        other => panic!("expected the status frame, got {other:?}"),
    }
}

#[tokio::test]
async fn a_recommendation_is_of_the_kind_asked_for_and_best_rated_first() {
    let server = TestServer::start().await;
    let mut chat = connect(&server).await;
    let reply = say(&mut chat, "can you recommend a nice wallet?").await;
    assert_eq!(reply.intent.as_ref().unwrap().name, "recommend");
    assert!(!reply.products.is_empty(), "{reply:?}");
    for card in &reply.products {
        let p = record(&card.id);
        let kind = format!("{} {}", p.title, p.product_type.clone().unwrap_or_default()).to_lowercase();
        assert!(kind.contains("wallet"), "not a wallet: {}", p.title);
    }
    // More like the focused one: of the same kind, not itself.
    let first = reply.products[0].id.clone();
    press(&mut chat, "show_product", Some(&first), &[], None).await;
    let similar = say(&mut chat, "show me something similar").await;
    assert!(!similar.products.is_empty() && !ids(&similar).contains(&first), "{similar:?}");
    assert_eq!(top_category(&record(&similar.products[0].id)), top_category(&record(&first)));
}

#[tokio::test]
async fn an_out_of_stock_product_is_refused_by_button_and_by_message() {
    // Three watches of the demo catalog out of stock.
    let watches: Vec<&Product> = demo_products().iter().filter(|p| p.title.to_lowercase().contains("watch")).take(3).collect();
    let gone: Vec<&str> = watches.iter().map(|p| p.id.as_str()).collect();
    let products = common::demo_products_out_of_stock(&gone);
    let (server, _index) = TestServer::start_with_products(&products).await;
    let mut chat = connect(&server).await;
    let refused = press(&mut chat, "add_to_cart", Some(gone[0]), &[], Some(1)).await;
    assert!(refused.cart.is_none() || lines(&refused).is_empty(), "{refused:?}");
    assert!(refused.text.to_lowercase().contains("out of stock") || refused.text.contains("isn't available"), "{:?}", refused.text);
    let card = press(&mut chat, "show_product", Some(gone[1]), &[], None).await;
    assert_eq!(card.products[0].in_stock, false);
    let by_message = say(&mut chat, "add it to my cart").await;
    assert!(lines(&by_message).is_empty(), "{by_message:?}");
    let stock = say(&mut chat, "is it in stock?").await;
    assert!(stock.text.to_lowercase().contains("out of stock") || stock.text.contains("isn't available"), "{:?}", stock.text);
    let view = say(&mut chat, "anything in my cart so far?").await;
    assert!(lines(&view).is_empty(), "{view:?}");
}

/// Cheapest price of the demo products that pass `keep`.
fn cheapest(keep: impl Fn(&Product) -> bool) -> Option<f64> {
    demo_products().iter().filter(|p| keep(p)).map(|p| p.effective_price().amount).reduce(f64::min)
}

fn is_watch(p: &Product) -> bool {
    p.title.to_lowercase().contains("watch")
}

fn for_men(p: &Product) -> bool {
    p.gender.as_deref().is_some_and(|g| g.split([',', ' ']).any(|w| matches!(w.trim().to_lowercase().as_str(), "men" | "men's" | "unisex")))
}

#[tokio::test]
async fn a_search_that_matches_nothing_drops_gender_before_price_and_price_before_the_product() {
    let server = TestServer::start().await;
    let mut chat = connect(&server).await;
    // Gender before price: no men's watch costs this little, but other watches do.
    let limit = cheapest(|p| is_watch(p) && for_men(p)).expect("men's watches") - 1.0;
    assert!(cheapest(is_watch).unwrap() <= limit, "the demo data has cheaper watches for others");
    let reply = say(&mut chat, &format!("watches for men under ₹{}", limit as i64)).await;
    assert!(!reply.products.is_empty(), "{reply:?}");
    assert!(reply.products.iter().all(|p| p.price <= limit), "the price limit is kept: {reply:?}");
    assert!(reply.text.contains("\"for men\""), "the dropped gender is named: {:?}", reply.text);
    assert!(!reply.text.contains(&format!("₹{} limit", limit as i64)), "{:?}", reply.text);

    // Price before the product: no watch at ₹5, so the limit goes and watches stay.
    let reply = say(&mut chat, "watches under ₹5").await;
    assert!(!reply.products.is_empty(), "{reply:?}");
    assert!(reply.products.iter().all(|p| p.title.to_lowercase().contains("watch")), "the product stays: {reply:?}");
    assert!(reply.text.contains("₹5 limit"), "the dropped limit is named: {:?}", reply.text);
}

#[test]
fn no_phrase_here_is_training_data() {
    common::assert_source_unseen(include_str!("actions.rs"));
}

#[tokio::test]
async fn a_brand_at_an_impossible_price_drops_the_price_before_the_brand() {
    // A brand whose products are all of one kind and all dearer than some of that kind by others.
    let leaf = |p: &Product| p.category_path().last().map(|c| c.to_string()).unwrap_or_default();
    let mut brands: Vec<&str> = demo_products().iter().filter_map(|p| p.brand.as_deref()).collect();
    brands.sort();
    brands.dedup();
    let (brand, kind, limit) = brands
        .iter()
        .find_map(|&brand| {
            let own: Vec<&Product> = demo_products().iter().filter(|p| p.brand.as_deref() == Some(brand)).collect();
            let kind = leaf(own[0]);
            let one_kind = own.len() >= 5 && own.iter().all(|p| leaf(p) == kind) && brand.chars().all(|c| c.is_ascii_alphabetic());
            let limit = cheapest(|p| p.brand.as_deref() == Some(brand))?.floor() - 1.0;
            let others_cheaper = cheapest(|p| leaf(p) == kind && p.brand.as_deref() != Some(brand)).is_some_and(|c| c <= limit);
            (one_kind && others_cheaper).then_some((brand, kind, limit))
        })
        .expect("a one-kind brand dearer than others of its kind");
    let server = TestServer::start().await;
    let mut chat = connect(&server).await;
    let text = format!("{brand} {} under ₹{}", kind.to_lowercase(), limit as i64);
    let reply = say(&mut chat, &text).await;
    assert!(!reply.products.is_empty(), "{text}: {reply:?}");
    assert!(reply.products.iter().all(|p| p.brand.as_deref() == Some(brand)), "{text}: the brand is kept: {reply:?}");
    assert!(reply.products.iter().all(|p| p.price > limit), "{text}: {reply:?}");
    assert!(reply.text.contains(&format!("₹{} limit", limit as i64)), "{text}: the dropped limit is named: {:?}", reply.text);
}
