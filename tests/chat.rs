//! Conversations over a real WebSocket against a server on port 0, with the real model, the
//! real demo index and a real SQLite file: protocol v1, follow-ups that use the context, the
//! skills, bad frames, resume, isolation and restarts.

mod common;

use std::collections::HashSet;

use aisle::catalog::Product;
use aisle::client::Connection;
use aisle::protocol::{Channel, ClientFrame, ErrorCode, Reply, ServerFrame, SessionStatus};
use common::{CHECKOUT_URL, TestServer, demo_catalog};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

async fn connect(server: &TestServer, channel: Channel) -> Connection {
    let mut chat = Connection::connect(&server.ws_url()).await.unwrap();
    let welcome = chat.hello(channel, None, 0).await.unwrap();
    assert!(welcome.session_id.starts_with("s_") && !welcome.resumed);
    chat
}

async fn say(chat: &mut Connection, text: &str) -> Reply {
    chat.turn(text).await.unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn product(id: &str) -> Product {
    demo_catalog().product(id).unwrap().unwrap()
}

fn ids(reply: &Reply) -> Vec<String> {
    reply.products.iter().map(|p| p.id.clone()).collect()
}

/// Checks what every reply promises: plain speech of at most two sentences.
fn speakable(reply: &Reply) {
    let s = &reply.speech;
    assert!(!s.is_empty(), "no speech in {reply:?}");
    assert!(!s.contains(['*', '#', '<', '>', '[', ']', '|', '_']), "markup in speech {s:?}");
    // A sentence ends at . ! or ? followed by a space or the end ("$12.99" ends nothing).
    let chars: Vec<char> = s.chars().collect();
    let sentences = (0..chars.len())
        .filter(|&i| matches!(chars[i], '.' | '!' | '?') && chars.get(i + 1).is_none_or(|c| c.is_whitespace()))
        .filter(|&i| i == 0 || !matches!(chars[i - 1], '.' | '!' | '?'))
        .count()
        .max(usize::from(!s.trim().is_empty()));
    assert!(sentences <= 2, "more than two sentences: {s:?}");
    assert!(s.trim_end().ends_with(['.', '!', '?']), "speech ends mid-sentence: {s:?}");
    assert!(!s.contains("  ") && !s.contains("₹-") && !s.contains("$-"), "{s:?}");
}

async fn search(chat: &mut Connection, text: &str) -> Reply {
    let reply = say(chat, text).await;
    assert!(reply.products.len() >= 2, "{text:?} found too little: {reply:?}");
    speakable(&reply);
    reply
}

#[tokio::test]
async fn a_search_shows_matching_cards_quick_replies_and_the_intent() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    let hi = say(&mut chat, "hey, good morning").await;
    assert_eq!(hi.intent.as_ref().unwrap().name, "greet");
    assert_eq!(hi.seq, 1);
    let reply = search(&mut chat, "show me analog watches").await;
    assert_eq!(reply.seq, 2);
    assert_eq!(reply.intent.as_ref().unwrap().name, "search");
    assert!(reply.products.iter().all(|p| p.title.to_lowercase().contains("watch")), "{reply:?}");
    assert!(!reply.quick_replies.is_empty());
    assert!(reply.in_reply_to.is_some());
}

#[tokio::test]
async fn a_suggested_kind_or_property_is_a_quick_reply_that_keeps_to_it() {
    let server = TestServer::start().await;
    let product = |id: &str| common::demo_products().iter().find(|p| p.id == id).unwrap().clone();
    let mut pressed = 0;
    for query in ["a dress for a wedding", "gift for a new mom", "something for the kitchen", "a party outfit"] {
        let mut chat = connect(&server, Channel::Web).await;
        let reply = say(&mut chat, query).await;
        let narrowing: Vec<_> = reply.quick_replies.iter().filter(|q| q.text.starts_with("just ")).cloned().collect();
        for quick in narrowing {
            let narrowed = say(&mut chat, &quick.text).await;
            assert!(!narrowed.products.is_empty(), "{query} → {}: {narrowed:?}", quick.text);
            for card in &narrowed.products {
                let p = product(&card.id);
                let in_kind = p.category_path().iter().any(|segment| segment.eq_ignore_ascii_case(&quick.label));
                let has_property = p.attributes.values().any(|v| v.split(',').any(|v| v.trim().eq_ignore_ascii_case(&quick.label)));
                assert!(in_kind || has_property, "{query} → {}: {} is neither in {} nor has it", quick.text, p.title, quick.label);
            }
            pressed += 1;
            // Back to the first results for the next reply.
            say(&mut chat, query).await;
        }
    }
    assert!(pressed >= 2, "the searches offer kinds or properties to narrow to");
}

#[tokio::test]
async fn which_one_is_cheaper_names_the_cheapest_shown_product_with_its_price() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    let shown = search(&mut chat, "watches for men").await;
    let reply = say(&mut chat, "which of these costs less?").await;
    let cheapest = shown.products.iter().min_by(|a, b| a.price.total_cmp(&b.price)).unwrap();
    assert_eq!(ids(&reply), vec![cheapest.id.clone()], "{reply:?}");
    let price = format!("{}", cheapest.price.round() as i64);
    assert!(reply.text.contains(&price), "the price {price} is not in {:?}", reply.text);
    let comparison = reply.comparison.expect("a comparison table");
    assert!(comparison.products.contains(&cheapest.id));
}

#[tokio::test]
async fn add_the_second_one_adds_exactly_that_product() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    let shown = search(&mut chat, "watches").await;
    let reply = say(&mut chat, "add the second one to my cart").await;
    let cart = reply.cart.expect("the cart");
    assert_eq!(cart.items.len(), 1);
    assert_eq!(cart.items[0].product_id, shown.products[1].id);
    assert_eq!(cart.items[0].quantity, 1);
    assert!((cart.total - shown.products[1].price).abs() < 0.01);
}

#[tokio::test]
async fn a_price_after_a_search_keeps_the_earlier_constraints() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    search(&mut chat, "black watches").await;
    let reply = say(&mut chat, "under 500").await;
    assert!(!reply.products.is_empty(), "{reply:?}");
    for card in &reply.products {
        assert!(card.price <= 500.0, "{card:?}");
        assert!(card.title.to_lowercase().contains("watch"), "lost the query: {card:?}");
        let record = product(&card.id);
        let text = format!("{} {} {:?}", record.title, record.color.unwrap_or_default(), record.attributes).to_lowercase();
        assert!(text.contains("black"), "lost the colour: {}", record.title);
    }
}

#[tokio::test]
async fn a_colour_refinement_keeps_the_query() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    search(&mut chat, "watches").await;
    let reply = say(&mut chat, "in white").await;
    assert!(!reply.products.is_empty());
    for card in &reply.products {
        let record = product(&card.id);
        assert!(record.title.to_lowercase().contains("watch"));
        let text = format!("{} {} {:?} {}", record.title, record.color.unwrap_or_default(), record.attributes, record.description);
        assert!(text.to_lowercase().contains("white"), "{}", record.title);
    }
}

#[tokio::test]
async fn only_a_brand_narrows_to_that_brand() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    search(&mut chat, "car accessories").await;
    let reply = say(&mut chat, "only Speedwav").await;
    assert!(reply.products.len() >= 2, "{reply:?}");
    assert!(reply.products.iter().all(|p| p.brand.as_deref() == Some("Speedwav")), "{reply:?}");
}

#[tokio::test]
async fn show_more_pages_through_the_same_search() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    let first = search(&mut chat, "watches").await;
    let second = say(&mut chat, "next ones please").await;
    assert_eq!(second.products.len(), first.products.len(), "{second:?}");
    let before: HashSet<String> = ids(&first).into_iter().collect();
    assert!(ids(&second).iter().all(|id| !before.contains(id)), "page two repeats page one");
    assert!(second.products.iter().all(|p| p.title.to_lowercase().contains("watch")));
}

#[tokio::test]
async fn cheaper_ones_are_other_watches_cheaper_than_those_shown() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    for text in ["show me cheaper ones", "these are too expensive, something cheaper?"] {
        let shown = search(&mut chat, "watches").await;
        let dearest_shown = shown.products.iter().map(|p| p.price).fold(f64::NEG_INFINITY, f64::max);
        let reply = say(&mut chat, text).await;
        assert!(!reply.products.is_empty(), "{text:?}: nothing shown: {reply:?}");
        assert!(reply.products.iter().all(|p| p.price < dearest_shown), "{text:?}: not cheaper than {dearest_shown}: {reply:?}");
        assert!(reply.products.iter().all(|p| !ids(&shown).contains(&p.id)), "{text:?}: shown again: {reply:?}");
        let prices: Vec<f64> = reply.products.iter().map(|p| p.price).collect();
        assert!(prices.windows(2).all(|w| w[0] <= w[1]), "cheapest first: {prices:?}");
        assert!(reply.products.iter().all(|p| p.title.to_lowercase().contains("watch")), "{text:?}: {reply:?}");
        assert!(!reply.text.contains("expensive"), "{text:?}: filler searched: {:?}", reply.text);
    }
    // At the bottom of the range it says so and keeps what was shown.
    let bottom = demo_catalog_watches_ref().into_iter().map(|p| p.effective_price().amount).fold(f64::INFINITY, f64::min);
    say(&mut chat, &format!("watches under {}", bottom.ceil() as i64)).await;
    let none = say(&mut chat, "cheaper ones please").await;
    assert!(none.products.is_empty(), "nothing is cheaper than {bottom}: {none:?}");
    assert!(none.text.contains(&format!("{}", bottom.round() as i64)), "{:?}", none.text);
    let first = say(&mut chat, "add the first one to my cart").await;
    assert!(first.cart.is_some_and(|c| c.items.iter().all(|i| (i.price - bottom).abs() < 0.01)), "the list shown before stays");
}



#[tokio::test]
async fn a_search_that_matches_nothing_says_what_it_relaxed() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    let reply = say(&mut chat, "watches under ₹5").await;
    assert!(!reply.products.is_empty(), "{reply:?}");
    assert!(reply.text.contains("₹5 limit"), "the relaxed limit is not named: {:?}", reply.text);
    assert!(reply.products.iter().any(|p| p.price > 5.0));
}

#[tokio::test]
async fn a_question_about_a_referenced_product_is_answered_from_its_record() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    let shown = search(&mut chat, "digital watches").await;
    // A shown product whose record says whether it is water resistant.
    let (position, answer) = shown
        .products
        .iter()
        .enumerate()
        .find_map(|(i, card)| {
            let record = product(&card.id);
            let value = record.attributes.iter().find(|(k, _)| k.to_lowercase().contains("water")).map(|(_, v)| v.to_lowercase())?;
            matches!(value.as_str(), "yes" | "no").then_some((i, value))
        })
        .expect("a shown watch lists water resistance");
    let ordinal = ["first", "second", "third", "fourth", "fifth"][position];
    let reply = say(&mut chat, &format!("is the {ordinal} one water resistant?")).await;
    assert_eq!(ids(&reply), vec![shown.products[position].id.clone()]);
    let expected = if answer == "yes" { "Yes" } else { "No" };
    assert!(reply.text.starts_with(expected), "the record says {answer}: {:?}", reply.text);
}

#[tokio::test]
async fn a_price_question_quotes_the_record() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    let shown = search(&mut chat, "watches").await;
    let third = &shown.products[2];
    let reply = say(&mut chat, "what does the third one cost?").await;
    assert_eq!(ids(&reply), vec![third.id.clone()]);
    let price = format!("{}", third.price.round() as i64);
    assert!(reply.text.contains(&price), "{price} not in {:?}", reply.text);
}

#[tokio::test]
async fn a_question_without_a_product_asks_which_and_the_answer_carries_on() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    let shown = search(&mut chat, "watches").await;
    let ask = say(&mut chat, "is it in stock?").await;
    assert!(ask.products.is_empty(), "answered without knowing which: {ask:?}");
    assert!(ask.quick_replies.len() >= 2);
    let reply = say(&mut chat, "the second one").await;
    assert_eq!(ids(&reply), vec![shown.products[1].id.clone()], "{reply:?}");
    assert!(reply.text.to_lowercase().contains("stock"), "{:?}", reply.text);
}

#[tokio::test]
async fn a_question_the_record_cannot_answer_gets_an_honest_reply_and_a_person() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    search(&mut chat, "watches").await;
    let reply = say(&mut chat, "what is the bluetooth range of the first one?").await;
    assert!(reply.quick_replies.iter().any(|q| q.label.to_lowercase().contains("person")), "{reply:?}");
    let follow = say(&mut chat, "yes, that would be great").await;
    assert!(matches!(chat.recv().await.unwrap(), ServerFrame::Status { status: SessionStatus::WaitingForAgent, .. }), "{follow:?}");
}

#[tokio::test]
async fn compare_the_first_two_gives_a_table_with_the_best_price_marked() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    let shown = search(&mut chat, "watches").await;
    let reply = say(&mut chat, "compare the first two").await;
    let table = reply.comparison.expect("a comparison");
    assert_eq!(table.products, ids(&shown)[..2].to_vec());
    let price = table.rows.iter().find(|r| r.attribute == "price").unwrap();
    let (a, b) = (shown.products[0].price, shown.products[1].price);
    // Equal prices have no best; otherwise the cheaper one is marked.
    let expected = if a == b { None } else { Some(usize::from(b < a)) };
    assert_eq!(price.best, expected, "{a} vs {b}");
    assert!(!table.summary.is_empty());
}

#[tokio::test]
async fn which_is_rated_higher_compares_ratings_and_never_invents_a_tie() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    // Two demo watches with different ratings in their records, put side by side.
    let rated: Vec<&Product> = demo_catalog_watches_ref().into_iter().filter(|p| p.rating.is_some()).collect();
    let (a, b) = rated
        .iter()
        .flat_map(|a| rated.iter().map(move |b| (*a, *b)))
        .find(|(a, b)| a.rating != b.rating)
        .expect("two demo watches with different ratings");
    compare_buttons(&mut chat, &[&a.id, &b.id]).await;
    let reply = say(&mut chat, "which is rated higher?").await;
    let winner = if a.rating > b.rating { a } else { b };
    assert_eq!(ids(&reply), vec![winner.id.clone()], "{reply:?}");
    assert!(reply.text.contains("rated"), "{:?}", reply.text);
    assert!(!reply.text.to_lowercase().contains("level") && !reply.text.contains("tie"), "{:?}", reply.text);
    // Two without a rating: neither wins, and no tie is invented.
    let unrated: Vec<&Product> = demo_catalog_watches_ref().into_iter().filter(|p| p.rating.is_none()).take(2).collect();
    compare_buttons(&mut chat, &[&unrated[0].id, &unrated[1].id]).await;
    let reply = say(&mut chat, "which one has the better rating?").await;
    assert!(reply.products.is_empty(), "no winner without ratings: {reply:?}");
    assert!(!reply.text.to_lowercase().contains("level") && !reply.text.contains("tie"), "{:?}", reply.text);
}

/// The demo watches, borrowed.
fn demo_catalog_watches_ref() -> Vec<&'static Product> {
    common::demo_products().iter().filter(|p| p.title.to_lowercase().contains("watch")).collect()
}

/// Presses the widget's compare button for `ids`.
async fn compare_buttons(chat: &mut Connection, ids: &[&str]) -> Reply {
    let id = chat.next_message_id();
    let frame = aisle::protocol::ActionFrame {
        id: Some(id.clone()),
        action: "compare".into(),
        product_id: None,
        product_ids: ids.iter().map(|s| s.to_string()).collect(),
        quantity: None,
    };
    chat.send(&ClientFrame::Action(frame)).await.unwrap();
    chat.reply_to(&id).await.unwrap()
}

#[tokio::test]
async fn quantities_and_removal_keep_the_cart_right() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    let shown = search(&mut chat, "watches").await;
    let added = say(&mut chat, "add two of the first one").await;
    let cart = added.cart.expect("cart");
    assert_eq!((cart.items[0].product_id.as_str(), cart.items[0].quantity), (shown.products[0].id.as_str(), 2));
    assert!((cart.total - 2.0 * shown.products[0].price).abs() < 0.01);
    say(&mut chat, "also add the third one").await;
    let view = say(&mut chat, "what have I got in my basket?").await;
    assert_eq!(view.cart.as_ref().unwrap().items.len(), 2, "{view:?}");
    let removed = say(&mut chat, "remove the first one from my cart").await;
    let left: Vec<String> = removed.cart.unwrap().items.into_iter().map(|i| i.product_id).collect();
    assert_eq!(left, vec![shown.products[2].id.clone()]);
}

#[tokio::test]
async fn checkout_gives_the_configured_link_and_an_empty_cart_is_said_so() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    let empty = say(&mut chat, "ok, time to pay for my stuff").await;
    assert!(!empty.text.contains(CHECKOUT_URL) && empty.cart.is_none(), "{empty:?}");
    assert!(empty.text.to_lowercase().contains("empty") || empty.text.to_lowercase().contains("nothing in your cart"), "{:?}", empty.text);
    assert!(!empty.text.contains("-0") && !empty.text.contains("0 items"), "{:?}", empty.text);
    let view = say(&mut chat, "what's in my basket right now?").await;
    assert!(view.text.to_lowercase().contains("empty") || view.text.to_lowercase().contains("nothing"), "{:?}", view.text);
    assert!(!view.text.contains("-0") && !view.text.contains('0'), "no total of nothing: {:?}", view.text);
    search(&mut chat, "watches").await;
    say(&mut chat, "add the first one to my cart").await;
    let reply = say(&mut chat, "let's check out now").await;
    assert!(reply.text.contains(CHECKOUT_URL), "{:?}", reply.text);
    assert!(!reply.speech.contains("https://"), "a link is not spoken: {:?}", reply.speech);
    speakable(&reply);
}

#[tokio::test]
async fn policy_questions_are_answered_from_the_faq() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    let returns = say(&mut chat, "what is your return policy?").await;
    assert_eq!(returns.intent.as_ref().unwrap().name, "policy_question");
    assert!(returns.text.contains("30 days"), "{:?}", returns.text);
    let canada = say(&mut chat, "can you deliver to Canada?").await;
    assert!(canada.text.contains("Canada"), "{:?}", canada.text);
    speakable(&canada);
}

#[tokio::test]
async fn asking_for_a_person_turns_the_session_to_waiting_for_an_agent() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    let reply = say(&mut chat, "I want to talk to a human").await;
    assert_eq!(reply.intent.as_ref().unwrap().name, "human_handoff");
    match chat.recv().await.unwrap() {
        ServerFrame::Status { seq, status, .. } => {
            assert_eq!(status, SessionStatus::WaitingForAgent);
            assert_eq!(seq, reply.seq + 1);
        }
        other => panic!("expected a status frame, got {other:?}"),
    }
    let again = say(&mut chat, "can I speak to a person").await;
    assert!(again.seq > reply.seq + 1);
    // While waiting, greetings and questions about the wait are about the wait, not a new chat.
    for text in ["hello?", "how long will it take?"] {
        let waiting = say(&mut chat, text).await;
        let lower = waiting.text.to_lowercase();
        assert!(lower.contains("team") || lower.contains("person"), "{text:?}: {:?}", waiting.text);
        assert!(!lower.contains("welcome") && !lower.contains("which product"), "{text:?}: {:?}", waiting.text);
    }
}

#[tokio::test]
async fn setting_a_quantity_sets_it_and_says_so() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    let shown = search(&mut chat, "watches").await;
    let (first, second) = (&shown.products[0], &shown.products[1]);
    let added = say(&mut chat, "add 3 of the first one").await;
    assert_eq!(added.cart.unwrap().items[0].quantity, 3);
    let changed = say(&mut chat, "change it to 2").await;
    let cart = changed.cart.expect("the cart");
    assert_eq!(cart.items.iter().map(|i| (i.product_id.as_str(), i.quantity)).collect::<Vec<_>>(), vec![(first.id.as_str(), 2)]);
    assert!((cart.total - 2.0 * first.price).abs() < 0.01);
    say(&mut chat, "add the second one too").await;
    let just_one = say(&mut chat, "actually make that just one").await;
    let lines: Vec<(String, u32)> = just_one.cart.unwrap().items.into_iter().map(|i| (i.product_id, i.quantity)).collect();
    assert_eq!(lines, vec![(first.id.clone(), 2), (second.id.clone(), 1)], "the focused line, the second one, is set");
    let removed = say(&mut chat, "set it to 0").await;
    let lines: Vec<String> = removed.cart.unwrap().items.into_iter().map(|i| i.product_id).collect();
    assert_eq!(lines, vec![first.id.clone()]);
}

#[tokio::test]
async fn a_message_with_nothing_to_act_on_changes_nothing() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    let shown = search(&mut chat, "watches").await;
    for text in ["👍", "🙂🙂", "..."] {
        let reply = say(&mut chat, text).await;
        assert!(reply.products.is_empty() && reply.cart.is_none(), "{text:?}: {reply:?}");
    }
    let added = say(&mut chat, "add the first one").await;
    assert_eq!(added.cart.unwrap().items[0].product_id, shown.products[0].id);
}

#[tokio::test]
async fn out_of_scope_and_orders_are_answered_without_inventing_anything() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    let weather = say(&mut chat, "what's the weather like in paris tomorrow").await;
    assert_eq!(weather.intent.as_ref().unwrap().name, "out_of_scope");
    assert!(weather.products.is_empty() && !weather.quick_replies.is_empty());
    // An anonymous shopper is asked for the email on the order before anything is shown.
    let order = say(&mut chat, "any news on order 48213?").await;
    assert_eq!(order.intent.as_ref().unwrap().name, "order_status");
    assert!(order.order.is_none() && order.products.is_empty());
    assert!(order.text.contains("48213") && order.text.contains("email"), "{}", order.text);
}

#[tokio::test]
async fn voice_replies_are_speech_shaped() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Voice).await;
    for text in ["show me watches", "compare the first two", "what is your return policy", "add the first one to my cart"] {
        let reply = say(&mut chat, text).await;
        speakable(&reply);
        assert_eq!(reply.text, reply.speech, "{text:?}");
        // SSML for the voice platform: the same words, marked up.
        let ssml = reply.ssml.as_deref().unwrap_or_else(|| panic!("{text:?}: no ssml"));
        assert!(ssml.starts_with("<speak><s>") && ssml.ends_with("</s></speak>"), "{ssml}");
        let words: String = ssml.split(['<', '>']).step_by(2).collect::<String>().replace("&apos;", "'").replace("&amp;", "&").replace("&quot;", "\"");
        let letters = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        assert_eq!(letters(&words), letters(&reply.speech), "{ssml}");
    }
    let cart = say(&mut chat, "anything in my cart so far?").await;
    assert!(cart.ssml.unwrap().contains("<prosody rate=\"90%\">"), "the total is a price");
}

#[tokio::test]
async fn a_resent_message_id_is_answered_once() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    search(&mut chat, "watches").await;
    chat.send_message("add-1", "add the first one to my cart").await.unwrap();
    let first = chat.reply_to("add-1").await.unwrap();
    chat.send_message("add-1", "add the first one to my cart").await.unwrap();
    let again = chat.reply_to("add-1").await.unwrap();
    assert_eq!(first, again);
    let view = say(&mut chat, "anything in my cart so far?").await;
    assert_eq!(view.cart.unwrap().items[0].quantity, 1, "the resend added again");
}

#[tokio::test]
async fn resume_after_a_disconnect_replays_what_was_missed_in_order() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    let session = chat.session_id().unwrap().to_string();
    say(&mut chat, "hello").await;
    let seen = chat.last_seq();
    // Two more turns whose replies this client "misses": another connection reads them.
    let mut other = Connection::connect(&server.ws_url()).await.unwrap();
    assert!(other.hello(Channel::Web, Some(session.clone()), seen).await.unwrap().resumed);
    let missed = [say(&mut other, "show me watches").await, say(&mut other, "add the first one to my cart").await];
    chat.close().await;

    let mut back = Connection::connect(&server.ws_url()).await.unwrap();
    let welcome = back.hello(Channel::Web, Some(session.clone()), seen).await.unwrap();
    assert!(welcome.resumed && welcome.session_id == session);
    let mut replayed = Vec::new();
    while replayed.len() < missed.len() {
        match back.recv().await.unwrap() {
            ServerFrame::Reply(reply) => replayed.push(reply),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(replayed, missed, "replay differs from what was sent");
    assert_eq!(replayed.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![seen + 1, seen + 2]);
    let next = say(&mut back, "so what's sitting in my cart?").await;
    assert_eq!(next.seq, seen + 3);
    assert_eq!(next.cart.unwrap().items.len(), 1);
}

#[tokio::test]
async fn a_message_interrupted_by_a_disconnect_is_answered_exactly_once() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    let session = chat.session_id().unwrap().to_string();
    say(&mut chat, "hello").await;
    chat.send_message("lost", "show me watches").await.unwrap();
    chat.close().await; // gone before (maybe) the reply

    let mut back = Connection::connect(&server.ws_url()).await.unwrap();
    back.hello(Channel::Web, Some(session), 1).await.unwrap();
    back.send_message("lost", "show me watches").await.unwrap();
    let reply = back.reply_to("lost").await.unwrap();
    assert_eq!(reply.seq, 2, "one answer, numbered once");
    assert!(!reply.products.is_empty());
    let next = say(&mut back, "thanks").await;
    assert_eq!(next.seq, 3);
}

/// Raw frames, for what the typed client cannot send.
async fn raw(server: &TestServer) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    tokio_tungstenite::connect_async(server.ws_url()).await.unwrap().0
}

async fn next_frame<S>(socket: &mut S) -> ServerFrame
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        match socket.next().await.unwrap().unwrap() {
            Message::Text(text) => return serde_json::from_str(text.as_str()).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
}

fn error_code(frame: ServerFrame) -> ErrorCode {
    match frame {
        ServerFrame::Error(e) => {
            assert!(!e.message.is_empty());
            e.code
        }
        other => panic!("expected an error frame, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_frames_get_error_frames_and_the_session_carries_on() {
    let server = TestServer::start().await;
    let mut socket = raw(&server).await;
    socket.send(Message::text(r#"{"type":"hello","protocol":1,"channel":"web"}"#)).await.unwrap();
    let ServerFrame::Welcome { session_id, .. } = next_frame(&mut socket).await else { panic!("no welcome") };
    for bad in ["{not json", r#"{"type":"teleport"}"#, r#"{"type":"message","text":42}"#, "[]", r#"{"text":"no type"}"#] {
        socket.send(Message::text(bad)).await.unwrap();
        assert_eq!(error_code(next_frame(&mut socket).await), ErrorCode::BadRequest, "{bad}");
    }
    socket.send(Message::binary(vec![0u8, 159, 146, 150])).await.unwrap();
    assert_eq!(error_code(next_frame(&mut socket).await), ErrorCode::BadRequest);
    let long = "a".repeat(3000);
    socket.send(Message::text(serde_json::json!({"type":"message","id":"x","text":long}).to_string())).await.unwrap();
    assert_eq!(error_code(next_frame(&mut socket).await), ErrorCode::TooLarge);
    socket.send(Message::text(r#"{"type":"ping"}"#)).await.unwrap();
    assert_eq!(next_frame(&mut socket).await, ServerFrame::Pong);
    socket.send(Message::text(r#"{"type":"message","id":"m1","text":"show me watches"}"#)).await.unwrap();
    assert_eq!(next_frame(&mut socket).await, ServerFrame::TYPING);
    let ServerFrame::Reply(reply) = next_frame(&mut socket).await else { panic!("no reply") };
    assert_eq!((reply.seq, reply.in_reply_to.as_deref()), (1, Some("m1")), "bad frames stored or numbered something");
    assert!(!reply.products.is_empty());

    // A 1 MiB frame closes the connection with 1009; the session is intact.
    socket.send(Message::text("x".repeat(1 << 20))).await.unwrap();
    let close = loop {
        match socket.next().await {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(u16::from(close.expect("a close code").code), 1009);
    let mut chat = Connection::connect(&server.ws_url()).await.unwrap();
    assert!(chat.hello(Channel::Web, Some(session_id), 1).await.unwrap().resumed);
    let next = say(&mut chat, "add the first one to my cart").await;
    assert_eq!(next.seq, 2);
    assert_eq!(next.cart.unwrap().items[0].product_id, reply.products[0].id);
}

#[tokio::test]
async fn a_first_message_without_hello_starts_an_anonymous_session() {
    let server = TestServer::start().await;
    let mut socket = raw(&server).await;
    socket.send(Message::text(r#"{"type":"message","id":"a","text":"hi"}"#)).await.unwrap();
    let ServerFrame::Welcome { resumed, seq, .. } = next_frame(&mut socket).await else { panic!("no welcome") };
    assert!(!resumed && seq == 0);
    assert_eq!(next_frame(&mut socket).await, ServerFrame::TYPING);
    assert!(matches!(next_frame(&mut socket).await, ServerFrame::Reply(r) if r.seq == 1 && r.in_reply_to.as_deref() == Some("a")));
    socket.send(Message::text(r#"{"type":"hello","protocol":1}"#)).await.unwrap();
    assert_eq!(error_code(next_frame(&mut socket).await), ErrorCode::BadRequest, "a second hello");
    socket.send(Message::text(r#"{"type":"action","id":"b","action":"self_destruct"}"#)).await.unwrap();
    assert_eq!(next_frame(&mut socket).await, ServerFrame::TYPING);
    assert_eq!(error_code(next_frame(&mut socket).await), ErrorCode::BadRequest, "an unknown action");
}

#[tokio::test]
async fn buttons_act_like_messages() {
    let server = TestServer::start().await;
    let mut chat = connect(&server, Channel::Web).await;
    let shown = search(&mut chat, "watches").await;
    let id = shown.products[3].id.clone();
    chat.send(&ClientFrame::Action(aisle::protocol::ActionFrame {
        id: Some("b1".into()),
        action: "add_to_cart".into(),
        product_id: Some(id.clone()),
        product_ids: vec![],
        quantity: Some(3),
    }))
    .await
    .unwrap();
    let reply = chat.reply_to("b1").await.unwrap();
    let cart = reply.cart.unwrap();
    assert_eq!((cart.items[0].product_id.as_str(), cart.items[0].quantity), (id.as_str(), 3));
}

#[tokio::test]
async fn a_hundred_sessions_in_parallel_stay_isolated() {
    let server = TestServer::start().await;
    let queries = ["watches", "necklace", "car accessories", "mugs", "shirts"];
    let mut tasks = Vec::new();
    for i in 0..100 {
        let url = server.ws_url();
        let query = queries[i % queries.len()];
        tasks.push(tokio::spawn(async move {
            let mut chat = Connection::connect(&url).await.unwrap();
            chat.hello(Channel::Web, None, 0).await.unwrap();
            let shown = chat.turn(&format!("show me {query}")).await.unwrap();
            let pick = i % shown.products.len();
            let ordinal = ["first", "second", "third", "fourth", "fifth"][pick];
            let added = chat.turn(&format!("add the {ordinal} one to my cart")).await.unwrap();
            let cart = added.cart.unwrap();
            assert_eq!(cart.items.len(), 1, "session {i} sees another cart: {cart:?}");
            assert_eq!(cart.items[0].product_id, shown.products[pick].id, "session {i}");
            (chat.session_id().unwrap().to_string(), added.seq)
        }));
    }
    let mut sessions = HashSet::new();
    for task in tasks {
        let (session, seq) = task.await.unwrap();
        assert_eq!(seq, 2);
        assert!(sessions.insert(session));
    }
}

#[tokio::test]
async fn a_restarted_server_continues_the_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("aisle.db");
    let server = TestServer::start_on(database.clone()).await;
    let mut chat = connect(&server, Channel::Web).await;
    let session = chat.session_id().unwrap().to_string();
    let shown = search(&mut chat, "watches").await;
    say(&mut chat, "add the first one to my cart").await;
    let seen = chat.last_seq();
    chat.close().await;
    server.stop().await.unwrap();

    let server = TestServer::start_on(database).await;
    let mut chat = Connection::connect(&server.ws_url()).await.unwrap();
    assert!(chat.hello(Channel::Web, Some(session), seen).await.unwrap().resumed);
    let reply = say(&mut chat, "add the second one too").await;
    assert_eq!(reply.seq, seen + 1);
    let cart: Vec<String> = reply.cart.unwrap().items.into_iter().map(|i| i.product_id).collect();
    assert_eq!(cart, ids(&shown)[..2].to_vec(), "the cart or the shown list was lost");
}

#[tokio::test]
async fn the_http_turn_uses_the_same_sessions() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let first = server.http_turn(serde_json::json!({"text": "show me watches"})).await;
    let session = first["session_id"].as_str().unwrap().to_string();
    assert!(!first["reply"]["products"].as_array().unwrap().is_empty());
    let second = server.http_turn(serde_json::json!({"session_id": session, "text": "add the first one to my cart"})).await;
    assert_eq!(second["reply"]["seq"], 2);
    assert_eq!(second["reply"]["cart"]["items"][0]["product_id"], first["reply"]["products"][0]["id"]);

    let unknown = http.post(server.url("/v1/chat")).json(&serde_json::json!({"session_id": "s_nope", "text": "hi"})).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    let empty = http.post(server.url("/v1/chat")).json(&serde_json::json!({"text": "  "})).send().await.unwrap();
    assert_eq!(empty.status(), 400);
    let malformed = http.post(server.url("/v1/chat")).header("content-type", "application/json").body("{").send().await.unwrap();
    assert_eq!(malformed.status(), 400);
    let body: serde_json::Value = malformed.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");
}

#[tokio::test]
async fn an_unknown_session_id_starts_a_new_session() {
    let server = TestServer::start().await;
    let mut chat = Connection::connect(&server.ws_url()).await.unwrap();
    let welcome = chat.hello(Channel::Web, Some("s_forged".into()), 5).await.unwrap();
    assert!(!welcome.resumed && welcome.session_id != "s_forged");
    let reply = say(&mut chat, "hi").await;
    assert_eq!(reply.seq, 1);
}

#[test]
fn no_phrase_here_is_training_data() {
    common::assert_source_unseen(include_str!("chat.rs"));
}
