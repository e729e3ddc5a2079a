//! Cues read straight from a message's words, where the intent model has no class for them: a
//! quantity being set rather than added ("make that 2"), a message with nothing to act on (an
//! emoji, "…"), frustration ("this is useless") and a request asked again. Pure functions over
//! the text; the policy decides what they mean in the conversation.

/// Most units a quantity change may name (the cart's own cap applies after).
const MAX_SET_QUANTITY: u32 = 99;

/// Verbs that set a quantity when followed by "to N" ("change it to 2", "update the mug to 3").
const SET_VERBS: [&str; 7] = ["change", "set", "update", "make", "increase", "reduce", "decrease"];
/// Words that point at a cart line without naming it.
const POINTERS: [&str; 8] = ["it", "that", "this", "them", "those", "these", "one", "ones"];
/// Words that say nothing about which line: dropped from the words that name it.
const QUANTITY_FILLER: [&str; 14] =
    ["the", "quantity", "qty", "number", "of", "my", "in", "cart", "please", "can", "you", "i", "want", "actually"];

/// A message that sets how many of a cart line the shopper wants.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantityChange {
    /// The new number of units; 0 removes the line.
    pub quantity: u32,
    /// Words that name the line ("mug" in "change the mug to 3"), empty when it is pointed at.
    pub words: String,
}

/// Reads "change it to 2", "make that 3", "set the quantity of the mug to 1", "just one",
/// "only 2 please", "2 instead", "actually make it three", "make it 3 actually". Not "change it to blue" (no
/// number), nor "under 500" or "only 2 left?" (no setting phrase).
pub fn quantity_change(text: &str) -> Option<QuantityChange> {
    let words = words(text);
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let number_at = |i: usize| w.get(i).and_then(|t| number(t));
    // "<verb> ... to N" / "<verb> it N" ("make it 2", "make that three")
    if let Some(v) = w.iter().position(|t| SET_VERBS.contains(t)) {
        if let Some(to) = w[v + 1..].iter().position(|t| *t == "to").map(|p| v + 1 + p) {
            if let Some(quantity) = number_at(to + 1).filter(|_| rest_is_filler(&w[to + 2..])) {
                return Some(QuantityChange { quantity, words: naming_words(&w[v + 1..to]) });
            }
        }
        if w.get(v + 1).is_some_and(|t| POINTERS.contains(t)) {
            // "make it 2", "make that just one"
            let at = if w.get(v + 2).is_some_and(|t| matches!(*t, "just" | "only")) { v + 3 } else { v + 2 };
            if let Some(quantity) = number_at(at).filter(|_| rest_is_filler(&w[at + 1..])) {
                return Some(QuantityChange { quantity, words: String::new() });
            }
        }
    }
    // "just one", "only two please", "2 instead", "just 1 not 2", after a word that opens a
    // correction ("actually just one", "oh wait, only 2")
    let opening = w.iter().take_while(|t| matches!(**t, "actually" | "oh" | "wait" | "sorry" | "hmm" | "umm" | "ok" | "okay" | "no" | "nah" | "well")).count();
    match &w[opening..] {
        ["just" | "only", n, rest @ ..] | [n, "instead", rest @ ..] if rest_is_filler(rest) || not_count(rest) => {
            number(n).map(|quantity| QuantityChange { quantity, words: String::new() })
        }
        _ => None,
    }
}

/// Whether a message has nothing to act on: no letter or digit in it (emoji, punctuation).
pub fn is_contentless(text: &str) -> bool {
    !text.chars().any(char::is_alphanumeric)
}

/// Phrases of a shopper who is fed up with the assistant (matched on whole words).
const FRUSTRATED: &[&str] = &[
    "useless", "pointless", "hopeless", "ridiculous", "terrible", "horrible", "awful", "rubbish", "garbage",
    "stupid", "dumb", "idiot", "idiotic", "wtf", "annoying", "frustrating", "frustrated", "pathetic",
    "not helping", "not helpful", "unhelpful", "no help", "doesn't help", "doesnt help", "not what i asked",
    "not what i want", "not what i wanted", "that's wrong", "thats wrong", "you're wrong", "youre wrong", "wrong again",
    "already told you", "already said", "i said", "you don't understand", "you dont understand", "you don't get it",
    "you dont get it", "listen to me", "are you even", "makes no sense", "waste of time", "waste of my time", "wasting my time", "fed up", "sick of",
    "give up", "forget it",
];

/// Least share of their content words (shared over all) two messages have in common to count
/// as the same request: high, so a refinement ("under 3000" after "under 2000") is not one.
const SAME_REQUEST: f32 = 0.75;

/// Whether a message says the shopper is frustrated with the assistant ("this is useless",
/// "that's not what I asked", "I already told you").
pub fn is_frustrated(text: &str) -> bool {
    let words = words(text);
    let joined = format!(" {} ", words.join(" "));
    FRUSTRATED.iter().any(|phrase| joined.contains(&format!(" {phrase} ")))
}

/// Whether a message asks again what one of the `earlier` messages asked, in other words or
/// the same: most of their content words are shared (the third asking of one thing is a sign
/// the assistant is not getting it).
pub fn repeats(text: &str, earlier: &str) -> bool {
    let content = |t: &str| -> std::collections::BTreeSet<String> {
        words(t).into_iter().filter(|w| w.len() > 2 && !matches!(w.as_str(), "the" | "and" | "for" | "you" | "please" | "can" | "show" | "want" | "need")).collect()
    };
    let (a, b) = (content(text), content(earlier));
    if a.len() < 2 || b.len() < 2 {
        return false;
    }
    let shared = a.intersection(&b).count() as f32;
    shared / a.union(&b).count() as f32 >= SAME_REQUEST
}

/// Phrases that point at one order of the shopper's own, not at orders in general.
const PERSONAL_ORDER: &[&str] = &[
    "my order", "my orders", "my package", "my parcel", "my delivery", "my purchase", "my shipment", "my refund",
    "my item", "my items", "i ordered", "i bought", "i purchased", "i placed", "i received", "we ordered", "our order",
    "this order", "that order", "where is my", "wheres my", "where's my", "order number", "order no",
    "hasn't come", "hasnt come", "hasn't arrived", "hasnt arrived", "not arrived", "not delivered", "not received",
    "still waiting for",
];

/// Words before "I bought" that make it any purchase, not one ("something I bought in a sale").
const ANY_PURCHASE: [&str; 6] = ["something", "anything", "items", "things", "stuff", "whatever"];

/// Whether a message is about an order of the shopper's own ("where is my package?", "cancel
/// the order I placed") rather than the shop's rules for orders ("can I return sale items?",
/// "can I send back something I bought in a sale?").
pub fn is_personal(text: &str) -> bool {
    let words = words(text);
    // "if my order is running late, can I cancel it?": a case put, not an order of theirs.
    let opening = words.iter().position(|w| !matches!(w.as_str(), "hi" | "hey" | "hello" | "so" | "and" | "but" | "quick" | "question" | "just" | "wondering" | "what" | "happens")).unwrap_or(0);
    if words.get(opening).is_some_and(|w| matches!(w.as_str(), "if" | "suppose" | "supposing" | "say" | "incase")) || words[opening..].starts_with(&["in".to_string(), "case".to_string()]) {
        return false;
    }
    let mut joined = format!(" {} ", words.join(" "));
    for any in ANY_PURCHASE {
        for verb in ["bought", "ordered", "purchased"] {
            joined = joined.replace(&format!(" {any} i {verb} "), " ");
        }
    }
    PERSONAL_ORDER.iter().any(|phrase| joined.contains(&format!(" {phrase} ")))
}

/// Phrases that carry the budget of the last search over to a new one.
const SAME_BUDGET: &[&str] = &[
    "same budget", "same price", "same price range", "that budget", "that price", "that price range", "similar budget",
    "similar price", "same range", "that range", "same money", "within that", "for that much",
];

/// Whether a message asks for the budget of the search before ("now sunglasses in the same
/// budget", "clutches for that price").
pub fn keeps_budget(text: &str) -> bool {
    let joined = format!(" {} ", words(text).join(" "));
    SAME_BUDGET.iter().any(|phrase| joined.contains(&format!(" {phrase} ")))
}

/// Words that say a message is about the cart ("what's in my basket", "remove the mug").
const CART_WORDS: &[&str] = &[
    "cart", "basket", "bag", "trolley", "checkout", "check", "pay", "paying", "payment", "buy", "purchase", "order",
    "total", "added", "add", "remove", "delete", "drop", "take", "items", "item", "everything", "bill",
];

/// Whether a message says anything about the cart, checkout or paying: a cart reading of a
/// message without such a word ("who won the match?") is the model's guess, not the shopper's.
pub fn mentions_cart(text: &str) -> bool {
    words(text).iter().any(|w| CART_WORDS.contains(&w.as_str()))
}

/// Words of a shopper asking how to reach the shop.
const CONTACT_WORDS: &[&str] = &["number", "phone", "ring", "dial", "email", "e-mail", "helpline", "hours", "whatsapp", "address"];

/// Whether a message asks for the shop's contact details ("what number do I ring?", "is there
/// a helpline?"), rather than for a person now.
pub fn asks_contact(text: &str) -> bool {
    words(text).iter().any(|w| CONTACT_WORDS.contains(&w.as_str()))
}

/// Words of a shopper who wants to buy something.
const SHOPPING_WORDS: &[&str] = &[
    "buy", "need", "want", "looking", "show", "find", "gift", "present", "recommend", "suggest", "get", "order", "shopping",
    "birthday", "anniversary", "maybe", "ideas", "idea",
];

/// Whether a message speaks of buying, wanting or giving something.
pub fn is_shopping(text: &str) -> bool {
    words(text).iter().any(|w| SHOPPING_WORDS.contains(&w.as_str()))
}

/// Words that ask for ideas.
const IDEA_WORDS: &[&str] = &["recommend", "recommendation", "recommendations", "suggest", "suggestion", "suggestions", "ideas", "idea"];

/// Whether a message asks for ideas ("can you recommend me something?"): a request for
/// recommendations, not for what the assistant can do.
pub fn asks_ideas(text: &str) -> bool {
    words(text).iter().any(|w| IDEA_WORDS.contains(&w.as_str()))
}

/// Whether a message adds to what came before ("and one of the blue ones too", "also a
/// charger", "plus two more"): it opens with "and", "also" or "plus", or ends with "too", "as
/// well" or "also".
pub fn adds_more(text: &str) -> bool {
    let words = words(text);
    let first = words.first().map(String::as_str);
    let last = words.last().map(String::as_str);
    matches!(first, Some("and" | "also" | "plus"))
        || matches!(last, Some("too" | "also"))
        || words.ends_with(&["as".to_string(), "well".to_string()])
}

/// Whether a message asks what everything comes to ("how much is that all together?", "what's
/// the total", "how much altogether"): a question of the cart's total, not of one product.
pub fn asks_total(text: &str) -> bool {
    let words = words(text);
    let has = |w: &str| words.iter().any(|x| x == w);
    let pair = |a: &str, b: &str| words.windows(2).any(|p| p[0] == a && p[1] == b);
    let how_much = pair("how", "much") || has("total") || pair("what", "comes") || pair("come", "to");
    let all = has("altogether") || pair("all", "together") || has("total") || pair("in", "all") || has("everything") || pair("all", "of");
    // "how much do I owe you?", "kitna hua?" (Hinglish: what has it come to)
    let owed = pair("how", "much") && (has("owe") || has("pay"));
    (how_much && all) || owed || (has("kitna") && (has("hua") || has("total") || has("bana") || has("hoga")))
}

/// Whether a message asks for more of what was shown ("got any more of these?", "any more?").
pub fn more_of_the_same(text: &str) -> bool {
    let words = words(text);
    let of_these = words.windows(3).any(|w| w[0] == "more" && w[1] == "of" && matches!(w[2].as_str(), "these" | "those" | "them"));
    let any_more = words.len() <= 4 && words.windows(2).any(|w| w[0] == "any" && w[1] == "more");
    of_these || any_more
}

/// Whether a message asks where something is ("where is the bag I ordered?").
pub fn asks_where(text: &str) -> bool {
    words(text).iter().any(|w| matches!(w.as_str(), "where" | "where's" | "wheres" | "when"))
}

/// Whether a message speaks of comparing ("compare", "vs", "which is better", "the difference").
pub fn compares(text: &str) -> bool {
    words(text).iter().any(|w| matches!(w.as_str(), "compare" | "comparison" | "vs" | "versus" | "difference" | "better" | "which" | "between" | "or"))
}

/// Whether a message asks to take something out of the cart ("remove it", "delete the mug",
/// "take it out").
pub fn removes(text: &str) -> bool {
    let words = words(text);
    let has = |w: &str| words.iter().any(|x| x == w);
    has("remove") || has("delete") || has("drop") || (has("take") && has("out"))
}

/// Words past which a message is a paste rather than an utterance.
const PASTE_WORDS: usize = 40;

/// The part of a message to act on: all of it, or, for a long paste that tells a story before
/// its request ("…Anyway, can you show me women's kurtas under 600?"), its last sentence of a
/// few words.
pub fn request_part(text: &str) -> &str {
    if text.split_whitespace().count() <= PASTE_WORDS {
        return text;
    }
    // The last sentence that asks something: not a closing "Thank you in advance."
    super::sentences(text).into_iter().rev().find(|s| s.split_whitespace().count() >= 3 && !is_closing(s)).unwrap_or(text)
}

/// A sentence that closes a message politely and asks nothing ("Thank you in advance.",
/// "Thanks and regards", "Looking forward to your reply").
fn is_closing(sentence: &str) -> bool {
    let words = words(sentence);
    let closing = ["thank", "thanks", "thankyou", "regards", "cheers", "advance", "looking", "forward", "reply", "your", "you", "in", "and", "so", "much", "very", "kind", "best", "warm", "many", "to", "hearing", "from"];
    words.iter().all(|w| closing.contains(&w.as_str()))
}

/// Lower-case words of a text, split at anything that is not a letter, digit or apostrophe.
pub(super) fn words(text: &str) -> Vec<String> {
    text.to_lowercase().split(|c: char| !(c.is_alphanumeric() || c == '\'')).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// A small count: digits or a number word, 0 to [`MAX_SET_QUANTITY`].
fn number(word: &str) -> Option<u32> {
    let n = match word {
        "zero" | "none" => 0,
        "single" => 1,
        "pair" => 2,
        "dozen" => 12,
        other => crate::nlu::slots::small_number_word(other).or_else(|| other.parse().ok())?,
    };
    (n <= MAX_SET_QUANTITY).then_some(n)
}

fn rest_is_filler(rest: &[&str]) -> bool {
    rest.iter().all(|w| {
        matches!(*w, "please" | "pls" | "thanks" | "instead" | "units" | "pieces" | "pcs" | "of" | "them" | "those" | "now" | "actually" | "then" | "total" | "altogether")
    })
}

/// "not 2", "not two": the number the shopper is correcting.
fn not_count(rest: &[&str]) -> bool {
    matches!(rest, ["not", n, ..] if number(n).is_some())
}

/// The words between a verb and "to" that name a cart line ("the blue mug"), without pointers
/// and filler.
fn naming_words(words: &[&str]) -> String {
    words.iter().filter(|w| !POINTERS.contains(w) && !QUANTITY_FILLER.contains(w)).copied().collect::<Vec<_>>().join(" ")
}

/// Word runs that ask what goes with a product.
const GOES_WITH: &[&[&str]] = &[
    &["goes", "with"], &["go", "with"], &["goes", "well"], &["go", "well"], &["pair", "with"], &["pairs", "with"],
    &["pair", "well"], &["pairs", "well"], &["pair", "it"], &["to", "match"], &["matches", "with"], &["complete", "the", "look"],
    &["wear", "with"], &["bought", "with"], &["buy", "with"], &["accessories", "for"], &["what", "else", "do", "i", "need"],
    &["anything", "else", "i", "need"], &["complement"], &["complements"], &["accessorize"],
];

/// Whether a message asks what goes with a product ("what goes with this?", "anything that
/// pairs well with it?", "what else do I need for the tent?").
/// "I'll go with the blue one" chooses rather than asks.
pub fn asks_what_goes_with(text: &str) -> bool {
    let words = words(text);
    let chooser = |at: usize| at > 0 && matches!(words[at - 1].as_str(), "i" | "ill" | "we" | "well" | "lets" | "gonna" | "will" | "think" | "probably" | "just" | "to");
    GOES_WITH.iter().any(|run| run_at(&words, run).any(|at| !(run[0] == "go" && chooser(at))))
}

/// Where in `words` the run of words `run` starts, each place.
fn run_at<'a>(words: &'a [String], run: &'a [&str]) -> impl Iterator<Item = usize> + 'a {
    words.windows(run.len()).enumerate().filter(move |(_, w)| w.iter().zip(run).all(|(a, b)| a == b)).map(|(at, _)| at)
}

/// Whether `words` hold any of the runs.
pub(super) fn has_run(words: &[String], runs: &[&[&str]]) -> bool {
    runs.iter().any(|run| run_at(words, run).next().is_some())
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_question_of_the_total_is_told_from_one_of_a_price() {
        for text in ["how much is that all together?", "what's the total", "how much altogether", "how much for everything?", "how much is it in total"] {
            assert!(asks_total(text), "{text}");
        }
        for text in ["how much is the blue mug?", "how much does it weigh", "are they all the same price?"] {
            assert!(!asks_total(text), "{text}");
        }
    }

    #[test]
    fn additions_are_told_by_their_first_or_last_words() {
        for text in ["and one Platex bottle too", "also a phone charger", "plus two more of those", "the red mug as well", "that one too"] {
            assert!(adds_more(text), "{text}");
        }
        for text in ["add the red mug", "android phones", "is it too big?", "show me tools"] {
            assert!(!adds_more(text), "{text}");
        }
    }

    use super::*;

    fn set(quantity: u32, words: &str) -> Option<QuantityChange> {
        Some(QuantityChange { quantity, words: words.into() })
    }

    #[test]
    fn setting_phrases_give_the_new_quantity_and_the_line_named() {
        assert_eq!(quantity_change("change it to 2"), set(2, ""));
        assert_eq!(quantity_change("Make that 3 please"), set(3, ""));
        assert_eq!(quantity_change("actually make it three"), set(3, ""));
        assert_eq!(quantity_change("make it 3 actually"), set(3, ""));
        assert_eq!(quantity_change("make it 3 in black"), None, "more than a number");
        assert_eq!(quantity_change("actually make that just one"), set(1, ""));
        assert_eq!(quantity_change("change the quantity of the mug to 3"), set(3, "mug"));
        assert_eq!(quantity_change("update the blue bottle to 1"), set(1, "blue bottle"));
        assert_eq!(quantity_change("just one"), set(1, ""));
        assert_eq!(quantity_change("actually just one"), set(1, ""));
        assert_eq!(quantity_change("oh wait, only 2"), set(2, ""));
        assert_eq!(quantity_change("only two please"), set(2, ""));
        assert_eq!(quantity_change("just 1 not 2"), set(1, ""));
        assert_eq!(quantity_change("2 instead"), set(2, ""));
        assert_eq!(quantity_change("set it to 0"), set(0, ""));
    }

    #[test]
    fn other_messages_with_numbers_set_nothing() {
        for text in [
            "change it to blue",
            "under 500",
            "only 2 left?",
            "add 2 of the first one",
            "just looking",
            "make it cheaper",
            "change my order 48213 to express",
            "set a budget of 2000",
            "make that 500 rupees",
        ] {
            assert_eq!(quantity_change(text), None, "{text}");
        }
    }

    #[test]
    fn frustration_is_read_from_whole_words() {
        for text in ["this is useless", "You're not helping at all!", "that's NOT what I asked", "I already told you, red shoes", "wtf", "this bot is a waste of my time"] {
            assert!(is_frustrated(text), "{text}");
        }
        for text in ["show me red shoes", "is it useful for hiking?", "which is the worst rated?", "a dumbbell set"] {
            assert!(!is_frustrated(text), "{text}");
        }
    }

    #[test]
    fn a_request_asked_again_is_recognized() {
        assert!(repeats("I want red running shoes", "red running shoes please"));
        assert!(repeats("show me red running shoes for women", "running shoes for women in red"));
        assert!(!repeats("red running shoes", "blue ceramic mugs"));
        assert!(!repeats("red running shoes under 3000", "red running shoes under 2000"), "a refinement");
        assert!(!repeats("yes", "yes"), "too short to say");
    }

    #[test]
    fn an_order_of_ones_own_is_told_from_orders_in_general() {
        for text in ["where's my package?", "cancel the order I placed yesterday", "I bought a lamp and want to return it", "what's the story with my order?", "my raincoat still hasn't come, where is it?"] {
            assert!(is_personal(text), "{text}");
        }
        for text in [
            "can I send back something bought in a sale?",
            "can I return anything I bought on discount?",
            "once you get my return, how soon is the money back?",
            "how long does delivery take to Pune?",
            "if my order is running late, can i cancel it?",
            "what happens if my parcel gets lost?",
            "in case my package arrives damaged, what do I do?",
        ] {
            assert!(!is_personal(text), "{text}");
        }
    }

    #[test]
    fn the_budget_before_and_the_cart_are_noticed() {
        assert!(keeps_budget("now show me sunglasses in the same budget"));
        assert!(keeps_budget("and what about clutches for that price?"));
        assert!(!keeps_budget("sunglasses under 300"));
        assert!(mentions_cart("what's in my basket?"));
        assert!(mentions_cart("remove the mug"));
        assert!(!mentions_cart("who won the cricket match yesterday?"));
        for text in ["how much is that all together?", "how much do I owe you for these?", "kitna hua?", "total kitna hoga"] {
            assert!(asks_total(text), "{text}");
        }
        assert!(!asks_total("how much is the blue mug?"));
        assert!(removes("hmm no, remove it") && removes("take the mug out") && !removes("no thanks"));
    }

    #[test]
    fn a_long_paste_is_acted_on_by_its_last_request() {
        let story = format!("{} Anyway, can you show me kurtas under 600? Thanks.", "My cousin is getting married and the family is going. ".repeat(5));
        assert_eq!(request_part(&story), "Anyway, can you show me kurtas under 600?");
        assert_eq!(request_part("show me kurtas. under 600"), "show me kurtas. under 600");
        let polite = format!("{} If she does not like it, can it be returned? Thank you in advance.", "I am buying a gift for my cousin and we may open the box. ".repeat(4));
        assert_eq!(request_part(&polite), "If she does not like it, can it be returned?");
    }

    #[test]
    fn messages_without_letters_or_digits_are_contentless() {
        assert!(is_contentless("👍"));
        assert!(is_contentless("🙂🙂 !!"));
        assert!(is_contentless("  ...  "));
        assert!(!is_contentless("ok"));
        assert!(!is_contentless("2"));
        assert!(!is_contentless("नमस्ते"));
    }
}
