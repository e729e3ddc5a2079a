//! Reply templates from `prompts/responses.yaml`: for each [`Template`], a few variants of the
//! same reply with `{name}` placeholders.
//!
//! The templates are checked when loaded, so a bad file stops the server at start rather than
//! showing a shopper "{titel}": every template has at least one variant, no key is unknown, each
//! variant uses only its template's [placeholders](Template::placeholders) and gives every
//! [required](Template::required) one (the fact the reply exists to state). Code names templates
//! by the [`Template`] enum, which cannot name a template the file lacks.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use super::{DialogueError, Piece, split_placeholders};

/// Declares [`Template`] and its table in one place: variant, key in the file, the placeholders
/// it may use, and those every variant must use.
macro_rules! templates {
    ($(
        $(#[$meta:meta])*
        $variant:ident = $key:literal [$($allowed:ident),*] required [$($required:ident),*];
    )*) => {
        /// A reply template: one key of `prompts/responses.yaml`.
        ///
        /// Variants read `{count}` as a plural ("3 results"): [`Template::for_count`] picks the
        /// singular template for one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Template {
            $($(#[$meta])* $variant,)*
        }

        impl Template {
            /// Every template, in declaration order (`ALL[t as usize] == t`).
            pub const ALL: &'static [Template] = &[$(Template::$variant,)*];

            /// Its key in `prompts/responses.yaml`.
            pub fn key(self) -> &'static str {
                match self {
                    $(Template::$variant => $key,)*
                }
            }

            /// The placeholders its variants may use.
            pub fn placeholders(self) -> &'static [&'static str] {
                match self {
                    $(Template::$variant => &[$(stringify!($allowed)),*],)*
                }
            }

            /// The placeholders every variant must use: without them the reply loses its point.
            pub fn required(self) -> &'static [&'static str] {
                match self {
                    $(Template::$variant => &[$(stringify!($required)),*],)*
                }
            }
        }
    };
}

templates! {
    Greet = "greet" [shop] required [];
    Help = "help" [shop] required [];
    Thanks = "thanks" [] required [];
    Goodbye = "goodbye" [] required [];
    /// The shopper said yes with nothing pending.
    AffirmIdle = "affirm_idle" [] required [];
    /// The shopper said no with nothing pending.
    DenyIdle = "deny_idle" [] required [];
    /// Polite refusal that steers back to shopping.
    OutOfScope = "out_of_scope" [] required [];
    /// Two readings of the message, each a verb phrase ("search for blue shoes").
    Clarify = "clarify" [first, second] required [first, second];
    /// Every match shown; `results` is "1 result" or "4 results".
    SearchResults = "search_results" [results, query] required [];
    /// `count` shown of `total` matches.
    SearchResultsTotal = "search_results_total" [count, total, query] required [count, total];
    /// Nothing matched every constraint; `relaxed` lists what was dropped.
    SearchRelaxed = "search_relaxed" [relaxed, query] required [relaxed];
    SearchNone = "search_none" [query] required [];
    /// "Cheaper ones" with nothing below `price`, the cheapest shown.
    SearchNoneCheaper = "search_none_cheaper" [query, price] required [price];
    /// "Pricier ones" with nothing above `price`, the dearest shown.
    SearchNonePricier = "search_none_pricier" [query, price] required [price];
    /// The next page.
    SearchMore = "search_more" [count] required [];
    /// A next page of one product.
    SearchMoreOne = "search_more_one" [] required [];
    SearchNoMore = "search_no_more" [] required [];
    /// A refinement with no earlier search to refine.
    RefineNothing = "refine_nothing" [] required [];
    /// Which product does the shopper mean?
    QuestionWhich = "question_which" [] required [];
    AnswerAttribute = "answer_attribute" [title, attribute, value] required [attribute, value];
    AnswerYes = "answer_yes" [title, attribute] required [attribute];
    AnswerNo = "answer_no" [title, attribute] required [attribute];
    AnswerPrice = "answer_price" [title, price] required [price];
    /// A sale: `price` now, `list_price` before.
    AnswerPriceSale = "answer_price_sale" [title, price, list_price] required [price, list_price];
    AnswerInStock = "answer_in_stock" [title] required [];
    AnswerOutOfStock = "answer_out_of_stock" [title] required [];
    /// `sentence`: one sentence from the product's description.
    AnswerDescription = "answer_description" [title, sentence] required [sentence];
    /// "Tell me more about it": `details` lists price, rating and a few facts of the record.
    AnswerDetails = "answer_details" [title, details] required [details];
    /// The product record does not say; offers a person.
    AnswerUnknown = "answer_unknown" [title, topic] required [];
    CompareNeedTwo = "compare_need_two" [] required [];
    /// Introduces a comparison table of `count` products.
    CompareTable = "compare_table" [count] required [];
    /// `quality` is a comparative ("lighter"), `why` the evidence ("250 g against 310 g").
    CompareWinner = "compare_winner" [winner, quality, why] required [winner, quality];
    /// The values are equal: `value` is theirs.
    CompareTie = "compare_tie" [quality, value] required [quality];
    /// None of the products lists `attribute`.
    CompareUnknown = "compare_unknown" [attribute, quality] required [attribute];
    /// Only `title` lists `attribute` (`value`); the others don't say.
    CompareOneKnown = "compare_one_known" [title, attribute, value, quality] required [title, attribute, value];
    RecommendResults = "recommend_results" [count, query] required [];
    /// A single recommendation.
    RecommendOne = "recommend_one" [query] required [];
    RecommendSimilar = "recommend_similar" [title, count] required [title];
    /// A single product similar to `title`.
    RecommendSimilarOne = "recommend_similar_one" [title] required [title];
    RecommendNone = "recommend_none" [] required [];
    /// Picks from what the shopper looked at and bought.
    RecommendPersonal = "recommend_personal" [] required [];
    /// Picks from what is popular (nothing known of the shopper yet).
    RecommendPopular = "recommend_popular" [] required [];
    /// Picks from what is popular in `kind` (the kinds of product in front of the shopper).
    RecommendPopularIn = "recommend_popular_in" [kind] required [kind];
    /// A stated preference remembered: `what` in words ("you wear size 10").
    PreferenceSaved = "preference_saved" [what] required [what];
    /// What the assistant knows of the shopper, in words.
    PreferencesTold = "preferences_told" [facts] required [facts];
    /// Nothing known (or nothing to forget).
    PreferencesNone = "preferences_none" [] required [];
    PreferenceForgotten = "preference_forgotten" [what] required [what];
    /// Products often bought with `title`.
    GoesWith = "goes_with" [title, count] required [title];
    GoesWithOne = "goes_with_one" [title] required [title];
    /// Nothing is bought with `title` often enough: related products of other kinds instead.
    GoesWithRelated = "goes_with_related" [title, count] required [title];
    CartAdded = "cart_added" [quantity, title, total] required [title];
    /// Said after search results the shopper's past orders re-ranked.
    SearchForYou = "search_for_you" [] required [];
    CartRemoved = "cart_removed" [title, total] required [title];
    CartReduced = "cart_reduced" [title, quantity, total] required [title, quantity];
    /// A cart line's quantity set to `quantity` ("make that 2").
    CartSet = "cart_set" [title, quantity, total] required [title, quantity];
    CartNotInCart = "cart_not_in_cart" [title] required [title];
    /// `items` is "1 item" or "3 items".
    CartView = "cart_view" [items, total] required [items, total];
    CartEmpty = "cart_empty" [] required [];
    CartFull = "cart_full" [] required [];
    /// Which cart item does the shopper mean?
    CartWhich = "cart_which" [] required [];
    Checkout = "checkout" [total, link] required [link];
    CheckoutEmpty = "checkout_empty" [] required [];
    /// `answer`: the text of a FAQ entry.
    PolicyAnswer = "policy_answer" [answer] required [answer];
    /// No FAQ entry matched; offers a person or email.
    PolicyUnknown = "policy_unknown" [] required [];
    HandoffWaiting = "handoff_waiting" [] required [];
    /// The shopper is frustrated: an apology and the offer of a person.
    Frustrated = "frustrated" [] required [];
    HandoffAlready = "handoff_already" [] required [];
    /// Asked for a person while no one from the team is connected: said so, and an email asked.
    HandoffNobody = "handoff_nobody" [] required [];
    /// The email the shopper left for the team.
    ContactSaved = "contact_saved" [email] required [email];
    AgentBusyNote = "agent_busy_note" [] required [];
    /// Order status, cancel, change, return and invoice are not in the chat yet.
    /// What's the order number?
    OrderAskNumber = "order_ask_number" [] required [];
    /// The email on the order, to show it: said the same whether the order exists or not.
    OrderAskEmail = "order_ask_email" [order_id] required [order_id];
    /// Not found, not the shopper's, or the wrong email: one reply for all three.
    OrderNotFound = "order_not_found" [order_id] required [order_id];
    /// Too many failed verifications.
    OrderLocked = "order_locked" [minutes] required [minutes];
    /// `status` is one of the order_is_* sentences.
    OrderStatus = "order_status" [order_id, status] required [order_id, status];
    OrderIsPlaced = "order_is_placed" [date] required [];
    OrderIsApproved = "order_is_approved" [date] required [];
    OrderIsInvoiced = "order_is_invoiced" [date] required [];
    OrderIsShipped = "order_is_shipped" [date, carrier] required [];
    OrderIsDelivered = "order_is_delivered" [date] required [date];
    OrderIsCanceled = "order_is_canceled" [date] required [];
    OrderIsUnavailable = "order_is_unavailable" [date] required [];
    OrderTracking = "order_tracking" [carrier, tracking] required [tracking];
    OrderEta = "order_eta" [date] required [date];
    /// Past the estimated delivery and not delivered: an apology and an offer of a person.
    OrderLate = "order_late" [date] required [date];
    /// Other orders offered as quick replies.
    OrderOthers = "order_others" [] required [];
    OrderCancelConfirm = "order_cancel_confirm" [order_id, items, total] required [order_id];
    OrderCanceled = "order_canceled" [order_id] required [order_id];
    OrderRefundPending = "order_refund_pending" [amount] required [amount];
    /// Shipped or delivered: too late to cancel, a return is possible after delivery.
    OrderCancelTooLate = "order_cancel_too_late" [order_id, status, days] required [order_id];
    /// Canceled or unavailable already.
    OrderEnded = "order_ended" [order_id, status] required [order_id, status];
    OrderAskAddress = "order_ask_address" [order_id, address] required [order_id];
    OrderAddressConfirm = "order_address_confirm" [order_id, address] required [order_id, address];
    OrderAddressChanged = "order_address_changed" [order_id, address] required [order_id, address];
    OrderChangeTooLate = "order_change_too_late" [order_id] required [order_id];
    OrderReturnConfirm = "order_return_confirm" [order_id, items, amount] required [order_id, items];
    OrderReturnCreated = "order_return_created" [reference, items, amount] required [reference];
    OrderReturnNotDelivered = "order_return_not_delivered" [order_id] required [order_id];
    OrderReturnWindowClosed = "order_return_window_closed" [order_id, days, date] required [order_id, days];
    /// A return in progress; `status` is requested, received, refunded or rejected.
    OrderReturnStatus = "order_return_status" [reference, status, items, date] required [reference, status];
    OrderRefundStatus = "order_refund_status" [amount, status, date] required [amount, status];
    OrderInvoice = "order_invoice" [order_id, link] required [order_id, link];
    OrderInvoiceNotReady = "order_invoice_not_ready" [order_id] required [order_id];
    /// The shopper said no to an order change.
    OrderDeclined = "order_declined" [] required [];
    /// A voice reply for a link shown on screen.
    OrderInvoiceSpoken = "order_invoice_spoken" [order_id] required [order_id];
    PaymentIssue = "payment_issue" [] required [];
    AccountHelp = "account_help" [] required [];
    Complaint = "complaint" [] required [];
    Feedback = "feedback" [] required [];
    ProductNotFound = "product_not_found" [query] required [];
    NotUnderstood = "not_understood" [] required [];
}

impl Template {
    /// The template with this key in the file.
    pub fn from_key(key: &str) -> Option<Template> {
        Template::ALL.iter().copied().find(|t| t.key() == key)
    }

    /// The template to use for `count` things: the singular wording for one, else this one.
    pub fn for_count(self, count: usize) -> Template {
        let singular = match self {
            Template::SearchMore => Template::SearchMoreOne,
            Template::RecommendResults => Template::RecommendOne,
            Template::RecommendSimilar => Template::RecommendSimilarOne,
            Template::GoesWith => Template::GoesWithOne,
            other => other,
        };
        if count == 1 { singular } else { self }
    }
}

/// A piece of a loaded variant; placeholder names point into [`Template::placeholders`].
#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Var(&'static str),
}

/// The loaded reply templates.
#[derive(Debug, Clone)]
pub struct Responses {
    /// Indexed by `Template as usize`; each template has at least one variant.
    variants: Vec<Vec<Vec<Part>>>,
}

impl Responses {
    /// Reads and checks `path` (see the module docs for what is checked).
    pub fn load(path: &Path) -> Result<Responses, DialogueError> {
        let text = fs::read_to_string(path).map_err(|e| DialogueError::io(path, e))?;
        Responses::parse(&text).map_err(|message| DialogueError::config(path, message))
    }

    /// Parses and checks the text of a responses file.
    pub fn parse(text: &str) -> Result<Responses, String> {
        // Through `Value`, whose mappings refuse a duplicate key: a map type keeps the last silently.
        let value: serde_norway::Value = serde_norway::from_str(text).map_err(|e| e.to_string())?;
        let file: BTreeMap<String, Vec<String>> = serde_norway::from_value(value).map_err(|e| e.to_string())?;
        if let Some(key) = file.keys().find(|k| Template::from_key(k).is_none()) {
            return Err(format!("unknown key `{key}`"));
        }
        let mut variants = Vec::with_capacity(Template::ALL.len());
        for &template in Template::ALL {
            let key = template.key();
            let Some(texts) = file.get(key) else {
                return Err(format!("missing key `{key}`"));
            };
            if texts.is_empty() {
                return Err(format!("`{key}` has no variants"));
            }
            let parsed = texts
                .iter()
                .enumerate()
                .map(|(i, text)| parse_variant(template, text).map_err(|e| format!("`{key}` variant {}: {e}", i + 1)))
                .collect::<Result<Vec<_>, _>>()?;
            variants.push(parsed);
        }
        Ok(Responses { variants })
    }

    /// How many variants `template` has (at least one).
    pub fn variant_count(&self, template: Template) -> usize {
        self.variants[template as usize].len()
    }

    /// The reply: variant `seed % count`, with each `{name}` replaced by its value in `vars`.
    /// Values for names the variant does not use are ignored; a name it uses without a value is a
    /// caller's bug, logged, and rendered as nothing.
    pub fn render(&self, template: Template, seed: u64, vars: &[(&str, &str)]) -> String {
        let variants = &self.variants[template as usize];
        // The count is small and nonzero; u64 -> usize after the modulo cannot truncate.
        let parts = &variants[(seed % variants.len() as u64) as usize];
        let mut out = String::new();
        for part in parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Var(name) => match vars.iter().find(|(n, _)| n == name) {
                    Some((_, value)) => out.push_str(value),
                    None => tracing::warn!(template = template.key(), placeholder = name, "no value for placeholder"),
                },
            }
        }
        tidy(&out)
    }
}

/// A rendered reply with the seams of empty or padded values closed: runs of white space become
/// one space, and no space is left before a closing punctuation mark ("Poles  isn't" -> "Poles
/// isn't", "It costs ." -> "It costs.").
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        let glued = word.starts_with(['.', ',', '!', '?', ';', ':', ')']);
        if !out.is_empty() && !glued {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn parse_variant(template: Template, text: &str) -> Result<Vec<Part>, String> {
    if text.trim().is_empty() {
        return Err("empty".to_string());
    }
    let allowed = template.placeholders();
    let mut parts = Vec::new();
    for piece in split_placeholders(text)? {
        match piece {
            Piece::Text(text) => parts.push(Part::Text(text.to_string())),
            Piece::Var(name) => {
                let Some(&name) = allowed.iter().find(|a| **a == name) else {
                    return Err(format!("unknown placeholder {{{name}}}; this key takes {}", list(allowed)));
                };
                parts.push(Part::Var(name));
            }
        }
    }
    for required in template.required() {
        if !parts.iter().any(|p| matches!(p, Part::Var(name) if name == required)) {
            return Err(format!("lacks {{{required}}}, which every variant of this key must use"));
        }
    }
    Ok(parts)
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        return "no placeholders".to_string();
    }
    names.iter().map(|n| format!("{{{n}}}")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialogue::{find_markup, sentence_count};

    fn shipped_path() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("prompts/responses.yaml")
    }

    fn shipped_text() -> String {
        fs::read_to_string(shipped_path()).unwrap()
    }

    /// A minimal valid file: one variant per template, using every required placeholder.
    fn minimal() -> String {
        let mut out = String::new();
        for &t in Template::ALL {
            let vars: String = t.required().iter().map(|r| format!(" {{{r}}}")).collect();
            out.push_str(&format!("{}:\n  - \"{}{vars}\"\n", t.key(), t.key()));
        }
        out
    }

    #[test]
    fn the_table_is_consistent() {
        for (i, &t) in Template::ALL.iter().enumerate() {
            assert_eq!(t as usize, i);
            assert_eq!(Template::from_key(t.key()), Some(t));
            for r in t.required() {
                assert!(t.placeholders().contains(r), "{}: required {r} not allowed", t.key());
            }
        }
        let mut keys: Vec<&str> = Template::ALL.iter().map(|t| t.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Template::ALL.len());
    }

    #[test]
    fn shipped_file_loads() {
        let responses = Responses::load(&shipped_path()).unwrap();
        for &t in Template::ALL {
            assert!(responses.variant_count(t) >= 1);
        }
        assert_eq!(responses.render(Template::Thanks, 0, &[]), "You're welcome!");
    }

    #[test]
    fn shipped_variants_are_short_plain_and_varied() {
        let file: BTreeMap<String, Vec<String>> = serde_norway::from_str(&shipped_text()).unwrap();
        for (key, variants) in &file {
            assert!(variants.len() <= 4, "{key}: more than 4 variants");
            for v in variants {
                assert!(sentence_count(v) <= 2, "{key}: more than two sentences: {v}");
                let without_placeholders: String = split_placeholders(v)
                    .unwrap()
                    .into_iter()
                    .filter_map(|p| match p {
                        Piece::Text(t) => Some(t),
                        Piece::Var(_) => None,
                    })
                    .collect();
                assert_eq!(find_markup(&without_placeholders), None, "{key}: markup in {v}");
                assert!(v.is_ascii(), "{key}: non-ASCII text (emoji?) in {v}");
                assert!(!v.contains('$'), "{key}: a price belongs in a placeholder: {v}");
            }
        }
        // Only a few templates are fine with a single wording.
        let single: Vec<&str> = file.iter().filter(|(_, v)| v.len() < 2).map(|(k, _)| k.as_str()).collect();
        assert_eq!(single, ["policy_answer"]);
    }

    #[test]
    fn minimal_file_loads() {
        Responses::parse(&minimal()).unwrap();
    }

    #[test]
    fn missing_key_is_named() {
        let text = minimal().replace("cart_view:\n  - \"cart_view {items} {total}\"\n", "");
        assert_eq!(Responses::parse(&text).unwrap_err(), "missing key `cart_view`");
        let err = Responses::load(Path::new("/nonexistent/responses.yaml")).unwrap_err();
        assert!(matches!(err, DialogueError::Io { .. }), "{err}");
    }

    #[test]
    fn unknown_key_is_named() {
        let text = format!("{}cart_veiw:\n  - \"hi\"\n", minimal());
        assert_eq!(Responses::parse(&text).unwrap_err(), "unknown key `cart_veiw`");
    }

    #[test]
    fn unknown_placeholder_is_named() {
        let text = minimal().replace("\"answer_price {price}\"", "\"answer_price {price}\"\n  - \"The {titel} is {price}.\"");
        assert_eq!(
            Responses::parse(&text).unwrap_err(),
            "`answer_price` variant 2: unknown placeholder {titel}; this key takes {title}, {price}"
        );
        let text = minimal().replace("\"thanks\"", "\"thanks {shop}\"");
        assert_eq!(
            Responses::parse(&text).unwrap_err(),
            "`thanks` variant 1: unknown placeholder {shop}; this key takes no placeholders"
        );
    }

    #[test]
    fn missing_required_placeholder_and_bad_variants_are_errors() {
        let text = minimal().replace("\"answer_price {price}\"", "\"It costs a lot.\"");
        assert_eq!(
            Responses::parse(&text).unwrap_err(),
            "`answer_price` variant 1: lacks {price}, which every variant of this key must use"
        );
        let text = minimal().replace("greet:\n  - \"greet\"", "greet: []");
        assert_eq!(Responses::parse(&text).unwrap_err(), "`greet` has no variants");
        let text = minimal().replace("\"greet\"", "\"  \"");
        assert_eq!(Responses::parse(&text).unwrap_err(), "`greet` variant 1: empty");
        let text = minimal().replace("\"greet\"", "\"Hi {shop\"");
        assert!(Responses::parse(&text).unwrap_err().starts_with("`greet` variant 1: `{` without a closing"));
        assert!(Responses::parse("greet: hello").is_err());
        let err = Responses::parse(&format!("{}greet:\n  - \"again\"\n", minimal())).unwrap_err();
        assert!(err.contains("duplicate") && err.contains("greet"), "{err}");
    }

    #[test]
    fn render_substitutes_and_picks_by_seed() {
        let text = minimal().replace(
            "\"answer_price {price}\"",
            "\"The {title} is {price}.\"\n  - \"It costs {price}.\"\n  - \"{price} for the {title}\"",
        );
        let responses = Responses::parse(&text).unwrap();
        assert_eq!(responses.variant_count(Template::AnswerPrice), 3);
        let vars = [("title", "Kindle"), ("price", "$99.00"), ("unused", "x")];
        assert_eq!(responses.render(Template::AnswerPrice, 0, &vars), "The Kindle is $99.00.");
        assert_eq!(responses.render(Template::AnswerPrice, 1, &vars), "It costs $99.00.");
        assert_eq!(responses.render(Template::AnswerPrice, 2, &vars), "$99.00 for the Kindle");
        assert_eq!(responses.render(Template::AnswerPrice, 3, &vars), "The Kindle is $99.00.");
        assert_eq!(responses.render(Template::AnswerPrice, u64::MAX, &vars), "The Kindle is $99.00.");
        // The seed picks variant seed % 3, whatever it is: 7 is the second variant, 3000 the first.
        assert_eq!(responses.render(Template::AnswerPrice, 7, &vars), "It costs $99.00.");
        assert_eq!(responses.render(Template::AnswerPrice, 3000, &vars), "The Kindle is $99.00.");
        // A value is inserted as is, never read as a template.
        assert_eq!(responses.render(Template::AnswerPrice, 1, &[("price", "{title}")]), "It costs {title}.");
        // A missing value renders as nothing rather than as a raw placeholder.
        assert_eq!(responses.render(Template::AnswerPrice, 1, &[]), "It costs.");
    }

    #[test]
    fn shipped_templates_render_with_their_placeholders() {
        let responses = Responses::load(&shipped_path()).unwrap();
        for &t in Template::ALL {
            let vars: Vec<(&str, &str)> = t.placeholders().iter().map(|p| (*p, "VALUE")).collect();
            for seed in 0..responses.variant_count(t) as u64 {
                let reply = responses.render(t, seed, &vars);
                assert!(!reply.contains('{') && !reply.contains('}'), "{}: {reply}", t.key());
                if !t.required().is_empty() {
                    assert!(reply.contains("VALUE"), "{}: {reply}", t.key());
                }
            }
        }
    }
}
