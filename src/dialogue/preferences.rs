//! What shoppers tell about themselves: "I'm a size 10", "I don't like Nike", "I'm vegan" are
//! remembered (for an identified shopper with consent, across sessions: the session layer
//! stores them); "what do you know about me?" is answered in plain words, from those and
//! from their profile (what they bought, looked at, lean to, spend); "forget that"
//! removes the last one ("forget everything", all of them; "forget my size", that kind).
//! Brands the shopper would rather not see are left out of their searches; "it's for my
//! sister" makes this conversation's searches (the one on screen at once) for her.

use crate::nlu::slots::Slots;
use crate::recommend::profile::Profile;
use crate::session::state::{Preference, PreferenceKind, SearchContext, SessionState};

use super::DialogueError;
use super::assistant::Assistant;
use super::cues::{has_run, words};
use super::compose::{Draft, join_words, money, spoken_title};
use super::responses::Template;

/// What a message asks about the shopper's own preferences.
#[derive(Debug, Clone, PartialEq)]
pub enum About {
    /// They said something about themselves to remember.
    Remember(Vec<Preference>),
    /// "What do you know about me?"
    Tell,
    /// "Forget that" (`None`: the last one), "forget my size" (that kind), "forget
    /// everything".
    Forget(Forget),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forget {
    Last,
    Kind(PreferenceKind),
    All,
}

/// Words that make a message about the speaker ("I'm", "my size").
const SELF: &[&[&str]] = &[
    &["i'm"], &["im"], &["i", "am"], &["my", "size"], &["i", "wear"], &["i", "take"], &["i", "usually", "wear"], &["i", "normally", "wear"],
    &["i", "generally", "wear"], &["i", "typically", "wear"], &["i", "always", "wear"],
];
/// Word runs of dislike before a brand.
const DISLIKE: &[&[&str]] = &[
    &["don't", "like"], &["dont", "like"], &["do", "not", "like"], &["hate"], &["dislike"], &["can't", "stand"], &["cant", "stand"],
    &["not", "a", "fan"], &["never", "buy"], &["never", "show"], &["avoid"], &["no", "more"], &["don't", "want"], &["dont", "want"],
];
/// Diets and ways of living a shopper may state, as they are remembered.
const DIETS: &[(&str, &str)] = &[
    ("vegan", "vegan"),
    ("vegetarian", "vegetarian"),
    ("gluten", "gluten-free"),
    ("lactose", "lactose-free"),
    ("halal", "halal"),
    ("kosher", "kosher"),
    ("diabetic", "diabetic"),
];
/// Products, and searches, named at most in each fact told of a profile.
const FACTS: usize = 3;
/// Questions about what the assistant knows of the shopper.
const TELL: &[&[&str]] = &[
    &["know", "about", "me"], &["remember", "about", "me"], &["saved", "about", "me"], &["stored", "about", "me"],
    &["have", "on", "me"], &["my", "preferences"], &["my", "profile"], &["did", "i", "tell", "you"],
];

/// What `text` (with its `slots`) says about the shopper's preferences, if anything. A
/// statement counts only when it asks for nothing else: "I'm a size 10, show me boots" is a
/// search (in size 10).
pub fn about(text: &str, slots: &Slots) -> Option<About> {
    let w = words(text);
    let first = w.first().map(String::as_str);
    if first == Some("forget") || (w.len() <= 6 && has_run(&w, &[&["forget", "that"], &["forget", "it"], &["forget", "everything"], &["forget", "me"]])) {
        let kind = if has_run(&w, &[&["everything"], &["all"], &["forget", "me"]]) {
            Forget::All
        } else if w.iter().any(|x| x == "size") {
            Forget::Kind(PreferenceKind::Size)
        } else if !slots.brands.is_empty() || !slots.excluded_brands.is_empty() || w.iter().any(|x| x == "brand" || x == "brands") {
            Forget::Kind(PreferenceKind::AvoidBrand)
        } else if DIETS.iter().any(|(k, _)| w.iter().any(|x| x.starts_with(k))) {
            Forget::Kind(PreferenceKind::Diet)
        } else {
            Forget::Last
        };
        return Some(About::Forget(kind));
    }
    if has_run(&w, TELL) && w.iter().any(|x| x == "me" || x == "my" || x == "i") {
        return Some(About::Tell);
    }
    // A statement, not a request: no product words left, no order. Words of the statement
    // itself and of conversation ("by the way", "fyi", "just so you know") ask for nothing.
    let filler = |q: &str| {
        matches!(q, "wear" | "size" | "usually" | "always" | "brand" | "stuff" | "products" | "hate" | "never" | "avoid" | "dislike" | "stand" | "fan" | "strictly" | "allergic")
            || matches!(q, "way" | "btw" | "fyi" | "just" | "also" | "actually" | "normally" | "generally" | "typically" | "anyway" | "know" | "note" | "ok" | "okay" | "well" | "oh")
            || DIETS.iter().any(|(k, _)| q.starts_with(k))
    };
    let asks = !slots.query.split_whitespace().all(filler)
        || !slots.products.is_empty()
        || slots.order_id.is_some();
    if asks {
        return None;
    }
    let mut stated = Vec::new();
    let avoided: Vec<&String> = if slots.excluded_brands.is_empty() { slots.brands.iter().collect() } else { slots.excluded_brands.iter().collect() };
    if has_run(&w, DISLIKE) {
        stated.extend(avoided.into_iter().map(|b| Preference { kind: PreferenceKind::AvoidBrand, value: b.clone() }));
    }
    if let (Some(who), Some(_)) = (recipient(&w), &slots.gender) {
        stated.push(Preference { kind: PreferenceKind::Recipient, value: who });
    }
    if has_run(&w, SELF) {
        stated.extend(slots.sizes.iter().map(|s| Preference { kind: PreferenceKind::Size, value: s.clone() }));
        stated.extend(DIETS.iter().filter(|(k, _)| w.iter().any(|x| x.starts_with(k))).map(|(_, v)| Preference { kind: PreferenceKind::Diet, value: v.to_string() }));
    }
    (!stated.is_empty()).then_some(About::Remember(stated))
}

/// The person a message says the shopping is for: "it's for my sister", "they're for my son"
/// (the word after "for", past "my"/"our"/"a").
fn recipient(w: &[String]) -> Option<String> {
    // Someone in particular: "for my sister", "for a friend" ("for women" is an audience).
    let whose = |x: &String| matches!(x.as_str(), "my" | "our" | "a" | "his" | "her");
    let at = w.iter().position(|x| x == "for")?;
    if !w.get(at + 1).is_some_and(whose) {
        return None;
    }
    let who = w[at + 1..].iter().find(|x| !whose(x))?;
    (who.chars().all(char::is_alphabetic) && who.len() > 2).then(|| who.clone())
}

/// A preference in words, as the assistant says it back.
fn described(p: &Preference) -> String {
    match p.kind {
        PreferenceKind::Size => format!("you wear size {}", p.value),
        PreferenceKind::AvoidBrand => format!("you'd rather not see {}", p.value),
        PreferenceKind::Diet => format!("you're {}", p.value),
        PreferenceKind::Recipient => format!("you're shopping for your {}", p.value),
    }
}

/// Adds `new` to `stated`: a preference of the same kind and value once; a new size (or
/// person shopped for) replaces the old.
pub fn remember(stated: &mut Vec<Preference>, new: Vec<Preference>) {
    for p in new {
        if matches!(p.kind, PreferenceKind::Size | PreferenceKind::Recipient) {
            stated.retain(|s| s.kind != p.kind);
        }
        if !stated.contains(&p) {
            stated.push(p);
        }
    }
}

impl Assistant {
    /// Remembers, tells or forgets the shopper's stated preferences; what is told includes
    /// what their `profile` says (their events, with consent).
    pub(super) fn preferences(&self, state: &mut SessionState, about: About, profile: &Profile) -> Result<Draft, DialogueError> {
        match about {
            About::Remember(new) => {
                let what = join_words(&new.iter().map(described).collect::<Vec<_>>());
                let for_someone = new.iter().any(|p| p.kind == PreferenceKind::Recipient);
                remember(&mut state.stated, new);
                let saved = self.render(state, Template::PreferenceSaved, &[("what", &what)]);
                // The search on screen, again, for them.
                match state.search.clone().filter(|_| for_someone) {
                    Some(search) => {
                        let search = self.for_recipient(SearchContext { gender: None, page: 0, ..search }, state);
                        let mut draft = self.search(state, search, profile)?;
                        draft.text = format!("{saved} {}", draft.text);
                        Ok(draft)
                    }
                    None => Ok(Draft::text(saved)),
                }
            }
            About::Tell => {
                let mut facts: Vec<String> = state.stated.iter().map(described).collect();
                if !state.cart.is_empty() {
                    let n = state.cart.iter().map(|l| l.quantity).sum::<u32>();
                    facts.push(format!("your cart has {}", super::compose::counted(n as usize, "item")));
                }
                facts.extend(self.profile_facts(profile)?);
                if facts.is_empty() {
                    return Ok(self.say(state, Template::PreferencesNone, &[]));
                }
                Ok(self.say(state, Template::PreferencesTold, &[("facts", &join_words(&facts))]))
            }
            About::Forget(what) => {
                let gone: Vec<Preference> = match what {
                    Forget::All => std::mem::take(&mut state.stated),
                    Forget::Kind(kind) => {
                        let (gone, kept) = std::mem::take(&mut state.stated).into_iter().partition(|p| p.kind == kind);
                        state.stated = kept;
                        gone
                    }
                    Forget::Last => state.stated.pop().into_iter().collect(),
                };
                if gone.is_empty() {
                    return Ok(self.say(state, Template::PreferencesNone, &[]));
                }
                let what = join_words(&gone.iter().map(described).collect::<Vec<_>>());
                Ok(self.say(state, Template::PreferenceForgotten, &[("what", &what)]))
            }
        }
    }

    /// A search for the person the shopper said they shop for, when it says for whom nothing
    /// else ("it's for my sister", then "show me watches": women's watches).
    pub(super) fn for_recipient(&self, mut search: SearchContext, state: &SessionState) -> SearchContext {
        if search.gender.is_none() {
            if let Some(who) = state.stated.iter().find(|p| p.kind == PreferenceKind::Recipient) {
                search.gender = self.nlu.slots(&format!("for my {}", who.value)).gender;
            }
        }
        search
    }

    /// What a profile says, in words: what they bought and looked at lately, the brands they
    /// lean to, their usual price range, sizes, and recent searches.
    fn profile_facts(&self, profile: &Profile) -> Result<Vec<String>, DialogueError> {
        let titles = |ids: &[String]| -> Result<String, DialogueError> {
            let products = self.products(&ids[..ids.len().min(FACTS)])?;
            Ok(join_words(&products.iter().map(|p| format!("the {}", spoken_title(p))).collect::<Vec<_>>()))
        };
        let mut facts = Vec::new();
        if !profile.bought.is_empty() {
            facts.push(format!("you bought {}", titles(&profile.bought)?));
        }
        if !profile.viewed.is_empty() {
            facts.push(format!("you looked at {} lately", titles(&profile.viewed)?));
        }
        let brands: Vec<String> = profile.brands.iter().take(2).map(|l| l.name.clone()).collect();
        if !brands.is_empty() {
            facts.push(format!("you seem to like {}", join_words(&brands)));
        }
        if let Some((low, high)) = profile.price_band {
            let currency = &self.shop.currency;
            facts.push(if (high - low).abs() < 0.01 { format!("you usually spend around {}", money(low, currency)) } else { format!("you usually spend between {} and {}", money(low, currency), money(high, currency)) });
        }
        if let Some(size) = profile.sizes.first() {
            facts.push(format!("you bought size {size} before"));
        }
        if !profile.searches.is_empty() {
            let searches: Vec<String> = profile.searches.iter().take(FACTS).map(|q| format!("\"{q}\"")).collect();
            facts.push(format!("you searched for {}", join_words(&searches)));
        }
        Ok(facts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(brands: &[&str], excluded: &[&str], sizes: &[&str], query: &str) -> Slots {
        Slots {
            brands: brands.iter().map(|s| s.to_string()).collect(),
            excluded_brands: excluded.iter().map(|s| s.to_string()).collect(),
            sizes: sizes.iter().map(|s| s.to_string()).collect(),
            query: query.into(),
            ..Slots::default()
        }
    }

    fn pref(kind: PreferenceKind, value: &str) -> Preference {
        Preference { kind, value: value.into() }
    }

    #[test]
    fn statements_about_oneself_are_told_from_requests() {
        assert_eq!(about("I'm a size 10", &slots(&[], &[], &["10"], "")), Some(About::Remember(vec![pref(PreferenceKind::Size, "10")])));
        assert_eq!(about("I don't like Nike", &slots(&[], &["Nike"], &[], "")), Some(About::Remember(vec![pref(PreferenceKind::AvoidBrand, "Nike")])));
        assert_eq!(about("i'm vegan", &slots(&[], &[], &[], "vegan")), Some(About::Remember(vec![pref(PreferenceKind::Diet, "vegan")])));
        assert_eq!(about("vegan shoes", &slots(&[], &[], &[], "vegan shoes")), None, "a product word left to search for is a request");
        assert_eq!(about("I'm a size 10, show me boots", &slots(&[], &[], &["10"], "boots")), None);
        let by_the_way = About::Remember(vec![pref(PreferenceKind::Size, "9")]);
        assert_eq!(about("by the way I'm a size 9", &slots(&[], &[], &["9"], "way")), Some(by_the_way.clone()));
        assert_eq!(about("fyi I normally wear a 9", &slots(&[], &[], &["9"], "fyi normally")), Some(by_the_way));
        assert_eq!(about("what do you know about me?", &slots(&[], &[], &[], "know")), Some(About::Tell));
        assert_eq!(about("forget that", &slots(&[], &[], &[], "forget")), Some(About::Forget(Forget::Last)));
        assert_eq!(about("forget my size", &slots(&[], &[], &[], "")), Some(About::Forget(Forget::Kind(PreferenceKind::Size))));
        assert_eq!(about("please forget everything about me", &slots(&[], &[], &[], "")), Some(About::Forget(Forget::All)));
        assert_eq!(about("show me size 10 boots", &slots(&[], &[], &["10"], "boots")), None);
        let for_her = Slots { gender: Some("female".into()), ..Slots::default() };
        assert_eq!(about("it's for my sister", &for_her), Some(About::Remember(vec![pref(PreferenceKind::Recipient, "sister")])));
        assert_eq!(about("they are for my mum", &for_her), Some(About::Remember(vec![pref(PreferenceKind::Recipient, "mum")])));
        assert_eq!(about("for women instead", &for_her), None, "an audience, not someone");
        assert_eq!(about("a gift for my sister", &Slots { query: "gift".into(), ..for_her.clone() }), None, "a request, not a statement");
        assert_eq!(about("I'm looking for my order", &Slots { query: "looking order".into(), ..Slots::default() }), None);
    }

    #[test]
    fn a_new_size_replaces_the_old_and_nothing_is_kept_twice() {
        let mut stated = vec![pref(PreferenceKind::Size, "9"), pref(PreferenceKind::AvoidBrand, "Nike")];
        remember(&mut stated, vec![pref(PreferenceKind::Size, "10"), pref(PreferenceKind::AvoidBrand, "Nike")]);
        assert_eq!(stated, vec![pref(PreferenceKind::AvoidBrand, "Nike"), pref(PreferenceKind::Size, "10")]);
    }
}
