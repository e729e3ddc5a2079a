//! Reading a message in the light of the conversation. Right after a list of products, a
//! fragment such as "wide fit", "cotton only" or "65 inch instead" changes that list, though on
//! its own the model may read it as a new search or as nothing a shop does. The model's reading
//! stands unless the conversation and the message's own words say otherwise.

use super::intents::{IntentScore, Prediction};
use super::slots::Slots;

/// What the conversation looks like when a message arrives, as far as its intent goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Context {
    /// Products were just shown: a list, or one product in focus.
    pub shown: bool,
}

/// Longest message (in words) read as a fragment of a refinement.
const FRAGMENT_WORDS: usize = 6;

/// Least probability the model must give a refinement for a fragment to be read as one,
/// unless the fragment's words mark a change.
const REFINE_FLOOR: f32 = 0.05;

/// Words that mark a message as a change to what was shown ("65 inch instead", "only
/// cotton", "same but in black", "anything without sugar?").
const CHANGE_WORDS: [&str; 12] =
    ["instead", "only", "just", "without", "but", "same", "rather", "anything", "any", "ones", "those", "these"];

/// The reading of a message in its context: after products were shown, a short message the
/// model read as a new search or as out of scope is a refinement when it names no product kind
/// of its own (no category, no product, no order) and either the model found a refinement
/// plausible, its words mark a change, or it carries a constraint (and, read as a search,
/// nothing else).
pub fn in_context(prediction: Prediction, slots: &Slots, text: &str, context: Context) -> Prediction {
    if !context.shown || !matches!(prediction.intent.as_str(), "search" | "out_of_scope") {
        return prediction;
    }
    let names_its_own = !slots.categories.is_empty() || !slots.products.is_empty() || slots.order_id.is_some() || slots.email.is_some();
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if names_its_own || words.is_empty() || words.len() > FRAGMENT_WORDS {
        return prediction;
    }
    let refine = prediction.top.iter().find(|s| s.name == "refine").map_or(0.0, |s| s.confidence);
    let marks_change = words.iter().any(|w| CHANGE_WORDS.contains(&w.as_str()));
    let constrains = slots.price_min.is_some()
        || slots.price_max.is_some()
        || slots.sort.is_some()
        || !slots.colors.is_empty()
        || !slots.sizes.is_empty()
        || !slots.brands.is_empty()
        || !slots.excluded_brands.is_empty()
        || slots.gender.is_some();
    let refines = match prediction.intent.as_str() {
        // ("rose gold?", "size 9": only constraints, no words of a product of its own.)
        "search" => refine >= REFINE_FLOOR || marks_change || (constrains && slots.query.trim().is_empty()),
        _ => refine >= REFINE_FLOOR || constrains,
    };
    if !refines {
        return prediction;
    }
    let confidence = refine.max(prediction.confidence.min(0.9));
    let mut top = prediction.top;
    if !top.iter().any(|s| s.name == "refine") {
        top.insert(0, IntentScore { name: "refine".into(), confidence: refine });
        top.truncate(3);
    }
    Prediction { intent: "refine".into(), confidence, top }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(intent: &str, confidence: f32, refine: f32) -> Prediction {
        let mut top = vec![IntentScore { name: intent.into(), confidence }];
        if refine > 0.0 {
            top.push(IntentScore { name: "refine".into(), confidence: refine });
        }
        Prediction { intent: intent.into(), confidence, top }
    }

    const SHOWN: Context = Context { shown: true };

    #[test]
    fn a_fragment_after_a_list_refines_it() {
        let none = Slots::default();
        assert_eq!(in_context(read("search", 0.8, 0.15), &none, "wide fit", SHOWN).intent, "refine");
        assert_eq!(in_context(read("search", 0.9, 0.0), &none, "65 inch instead", SHOWN).intent, "refine", "a change word");
        assert_eq!(in_context(read("out_of_scope", 0.6, 0.1), &none, "anything gluten-free?", SHOWN).intent, "refine");
        let priced = Slots { price_max: Some(40.0), ..Slots::default() };
        assert_eq!(in_context(read("out_of_scope", 0.6, 0.0), &priced, "under 40 quid", SHOWN).intent, "refine");
        let colour = Slots { colors: vec!["rose gold".into()], ..Slots::default() };
        assert_eq!(in_context(read("search", 0.9, 0.01), &colour, "rose gold?", SHOWN).intent, "refine", "only a constraint");
        let kettle = Slots { colors: vec!["red".into()], query: "kettle".into(), ..Slots::default() };
        assert_eq!(in_context(read("search", 0.9, 0.01), &kettle, "red kettle", SHOWN).intent, "search", "words of its own");
    }

    #[test]
    fn the_model_stands_without_a_list_or_for_a_request_of_its_own() {
        let none = Slots::default();
        assert_eq!(in_context(read("search", 0.8, 0.15), &none, "wide fit", Context::default()).intent, "search", "nothing shown");
        let mugs = Slots { categories: vec!["Mugs".into()], ..Slots::default() };
        assert_eq!(in_context(read("search", 0.8, 0.15), &mugs, "coffee mugs only", SHOWN).intent, "search", "a product kind");
        assert_eq!(in_context(read("search", 0.95, 0.01), &none, "trail running shoes", SHOWN).intent, "search", "refining implausible");
        assert_eq!(in_context(read("out_of_scope", 0.9, 0.0), &none, "what's the weather in paris", SHOWN).intent, "out_of_scope");
        let long = "i was wondering whether you might also have some other nice things";
        assert_eq!(in_context(read("search", 0.7, 0.2), &none, long, SHOWN).intent, "search", "not a fragment");
        assert_eq!(in_context(read("product_question", 0.7, 0.2), &none, "is it wide fit?", SHOWN).intent, "product_question");
    }
}
