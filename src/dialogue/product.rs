//! Questions about a product and comparisons, answered only from the product record: its
//! fields and `attributes` (the question's words mapped onto attribute keys), else the most
//! relevant sentence of its description by embedding similarity, else an honest "the page
//! doesn't say".

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::catalog::Product;
use crate::catalog::vectors::description_sentences;
use crate::nlu::slots::{Comparative, Direction};
use crate::protocol::{Comparison, ComparisonRow};
use crate::session::state::{HandoffReason, Pending, SessionState};

use super::DialogueError;
use super::assistant::{Assistant, cosine};
use super::compose::{Draft, OFFER_PERSON, join_words, money, quick_reply, spoken_title};
use super::policy::{MAX_COMPARED, Target};
use super::responses::Template;

/// Least cosine similarity for a description sentence to answer a question.
const DESCRIPTION_MATCH: f32 = 0.5;
/// Most attribute rows in a comparison (besides price and rating).
const MAX_ROWS: usize = 8;

/// Question words and the attribute-key fragments they ask about; a question is about the
/// first topic whose words it has, so the specific ones come first ("how long is the
/// warranty" is about the warranty, not a length).
const ASKS_ABOUT: &[(&[&str], &[&str])] = &[
    (&["warranty", "guarantee"], &["warranty"]),
    (&["microwave"], &["microwave"]),
    (&["dishwasher"], &["dishwasher"]),
    (&["freezer", "freeze", "fridge"], &["freezer"]),
    (&["oven"], &["oven"]),
    (&["laptop", "laptops"], &["laptop"]),
    (&["induction"], &["induction"]),
    (&["battery", "charge", "charging"], &["battery"]),
    (&["capacity", "hold", "holds", "litre", "litres", "liter", "liters", "volume", "ml"], &["capacity", "volume"]),
    (&["country", "origin", "manufactured"], &["country", "origin"]),
    (&["waterproof", "water", "splash", "rain"], &["water"]),
    (&["heavy", "weigh", "weighs", "weight", "light"], &["weight"]),
    (&["size", "sizes"], &["size"]),
    (&["big", "dimension", "dimensions", "tall", "high", "wide", "long", "height", "width", "length", "measure", "measurements"], &["dimension", "height", "width", "length", "depth", "size"]),
    (&["made", "material", "fabric", "materials"], &["material", "fabric"]),
    (&["colour", "color", "colours", "colors"], &["color", "colour"]),
    (&["pieces", "contents", "box", "package", "included", "comes", "come", "pack"], &["sales package", "contents", "pack of", "box"]),
    (&["fit", "sleeve", "neck", "collar"], &["fit", "sleeve", "neck", "collar"]),
    (&["age", "old", "kids", "suitable"], &["age", "ideal for"]),
    (&["screen", "display"], &["screen", "display"]),
    (&["storage", "memory", "ram", "gb"], &["storage", "memory", "ram"]),
    (&["wash", "washing", "care", "clean"], &["wash", "care"]),
];

/// Words that never name the topic of a question.
const QUESTION_WORDS: &[&str] = &[
    "a", "an", "the", "is", "are", "it", "its", "this", "that", "does", "do", "what", "whats", "which", "how", "much",
    "many", "of", "in", "on", "for", "with", "to", "can", "i", "me", "you", "have", "has", "there", "any", "tell", "about",
    "one", "be", "will", "would", "please", "and", "or", "come", "first", "second", "third", "fourth", "fifth", "last",
    "these", "those", "ones", "go", "put", "get", "use", "used", "said", "say", "know",
];

impl Assistant {
    /// The product a request means: the one named or referenced, else the focus, else the only
    /// one shown.
    pub(super) fn one_product(&self, state: &SessionState, target: &Target) -> Result<Option<Product>, DialogueError> {
        let id = match target {
            Target::Ids(ids) => ids.first().cloned(),
            Target::Best { candidates, comparative } => {
                let products = self.products(candidates)?;
                return Ok(best(&products, comparative).map(|i| products[i].clone()));
            }
            Target::Unknown => state.focus.clone().or_else(|| (state.shown.len() == 1).then(|| state.shown[0].clone())),
        };
        Ok(id.map(|id| self.product(&id)).transpose()?.flatten())
    }

    /// The answer of a fact of the record: yes and no as such, anything else as its value.
    fn fact_answer(&self, state: &SessionState, title: &str, (attribute, value): (String, String)) -> Draft {
        let template = match value.to_lowercase().as_str() {
            "yes" => Template::AnswerYes,
            "no" => Template::AnswerNo,
            _ => Template::AnswerAttribute,
        };
        self.say(state, template, &[("title", title), ("attribute", &attribute), ("value", &value)])
    }

    /// "Which one do you mean?" with the first products shown as quick replies.
    pub(super) fn ask_which(&self, state: &mut SessionState, intent: &str, text: &str) -> Result<Draft, DialogueError> {
        let shown = self.products(&state.shown.iter().take(3).cloned().collect::<Vec<_>>())?;
        let mut draft = self.say(state, Template::QuestionWhich, &[]);
        for (i, p) in shown.iter().enumerate() {
            draft.quick_replies.push(quick_reply(&spoken_title(p), &format!("the {} one", ORDINALS[i])));
        }
        state.pending = Some(Pending::WhichProduct { intent: intent.to_string(), text: text.to_string() });
        Ok(draft)
    }

    /// Answers a question about one product; `question` is the embedding of its text.
    pub(super) async fn question(&self, state: &mut SessionState, target: Target, text: &str, question: &[f32]) -> Result<Draft, DialogueError> {
        // A product the question names by its title comes before the one in focus ("how many
        // pieces come in the Cookart casserole set?" while the kadhai is in focus).
        let named = if target == Target::Unknown { self.named_product(text)? } else { None };
        let product = match named {
            Some(product) => Some(product),
            None => self.one_product(state, &target)?,
        };
        let Some(product) = product else {
            return self.ask_which(state, "product_question", text);
        };
        state.view(&product.id);
        let title = spoken_title(&product);
        let words = words(text);
        let has = |w: &str| words.iter().any(|x| x == w);
        let draft = if has("stock") || has("available") || has("availability") || has("sold") {
            let template = if product.in_stock() { Template::AnswerInStock } else { Template::AnswerOutOfStock };
            self.say(state, template, &[("title", &title)])
        } else if asks_price(&words) {
            let price = product.effective_price();
            let now = money(price.amount, &price.currency);
            let mut draft = match &product.sale_price {
                Some(_) => {
                    let was = money(product.price.amount, &product.price.currency);
                    self.say(state, Template::AnswerPriceSale, &[("title", &title), ("price", &now), ("list_price", &was)])
                }
                None => self.say(state, Template::AnswerPrice, &[("title", &title), ("price", &now)]),
            };
            // "what's it made of and how much?": both.
            if let Some(fact) = attribute_answer(&product, &words) {
                draft.text = format!("{} {}", draft.text, self.fact_answer(state, &title, fact).text);
            }
            draft
        } else if let Some(fact) = attribute_answer(&product, &words) {
            self.fact_answer(state, &title, fact)
        } else if asks_details(&words) {
            let details = details(&product);
            self.say(state, Template::AnswerDetails, &[("title", &title), ("details", &details)])
        } else if let Some(sentence) = self.description_answer(&product, question).await?.filter(|s| on_topic(s, &words)) {
            self.say(state, Template::AnswerDescription, &[("title", &title), ("sentence", &sentence)])
        } else {
            let topic = topic(&words, &product);
            state.offer_handoff(HandoffReason::Unanswered);
            self.say(state, Template::AnswerUnknown, &[("title", &title), ("topic", &topic)])
                .with_quick_replies(&[OFFER_PERSON])
        };
        Ok(draft.with_products(std::slice::from_ref(&product)))
    }

    /// The product a question names by its title ("the Akup Love-music mug") when the slot
    /// extractor did not single it out: among the catalog's best matches for the question's
    /// words (without question and topic words), the one whose title holds most of them, then
    /// the fewest others; taken only when it holds most of them and no other title ties it.
    fn named_product(&self, text: &str) -> Result<Option<Product>, DialogueError> {
        let asked = |w: &str| QUESTION_WORDS.contains(&w) || ASKS_ABOUT.iter().any(|(asks, _)| asks.contains(&w));
        let mut wanted: Vec<String> = words(text).into_iter().filter(|w| w.chars().count() > 1 && !asked(w)).collect();
        wanted.dedup();
        if wanted.len() < 2 {
            return Ok(None);
        }
        let request = crate::catalog::SearchRequest { limit: 5, facets: false, ..crate::catalog::SearchRequest::new(wanted.join(" ")) };
        let hits = self.catalog.search(&request)?.hits;
        let same = |t: &str, w: &str| t == w || t.trim_end_matches('s') == w.trim_end_matches('s');
        // (words of the question in the title, title words not in the question)
        let fit = |p: &Product| {
            let title = words(&p.title);
            let covered = wanted.iter().filter(|w| title.iter().any(|t| same(t, w))).count();
            let extra = title.iter().filter(|t| !wanted.iter().any(|w| same(t, w))).count();
            (covered, std::cmp::Reverse(extra))
        };
        let mut ranked: Vec<((usize, std::cmp::Reverse<usize>), &Product)> = hits.iter().map(|h| (fit(&h.product), &h.product)).collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0));
        let enough = |n: usize| n >= 2 && n * 5 >= wanted.len() * 3;
        Ok(match ranked.as_slice() {
            [(top, product), rest @ ..] if enough(top.0) && rest.iter().all(|(r, _)| r < top) => Some((*product).clone()),
            _ => None,
        })
    }

    /// The description sentence closest in meaning to the question, when close enough.
    async fn description_answer(&self, product: &Product, question: &[f32]) -> Result<Option<String>, DialogueError> {
        let sentences = self.description_sentences(product).await?;
        let best = sentences.iter().map(|(s, e)| (s, cosine(question, e))).max_by(|a, b| a.1.total_cmp(&b.1));
        Ok(best.filter(|(_, score)| *score >= DESCRIPTION_MATCH).map(|(s, _)| format!("{s}.")))
    }

    /// A product's description sentences with their embeddings: from the index's vectors
    /// (computed when it was built), else embedded now and cached.
    async fn description_sentences(&self, product: &Product) -> Result<Arc<Vec<(String, Vec<f32>)>>, DialogueError> {
        if let Some(built) = self.catalog.sentence_vectors(product)? {
            return Ok(Arc::new(built));
        }
        if let Some(cached) = self.descriptions.get(&product.id) {
            return Ok(cached);
        }
        let sentences = description_sentences(product);
        let embeddings = if sentences.is_empty() { Vec::new() } else { self.nlu.encoder().embed(sentences.clone()).await? };
        let entry = Arc::new(sentences.into_iter().zip(embeddings).collect());
        self.descriptions.insert(&product.id, Arc::clone(&entry));
        Ok(entry)
    }

    pub(super) fn compare(&self, state: &mut SessionState, target: Target, comparative: Option<&Comparative>, text: &str) -> Result<Draft, DialogueError> {
        let ids = match target {
            Target::Ids(ids) => ids,
            Target::Best { candidates, .. } => candidates,
            Target::Unknown => Vec::new(),
        };
        let mut candidates = self.products(&ids)?;
        if candidates.len() < 2 {
            // "the Garnet bottle or the Platex Classy bottle, which is bigger?": each side
            // names a product by its title.
            let named = text
                .split(|c: char| c == ',' || c == '?')
                .flat_map(|part| part.split(" or ").flat_map(|p| p.split(" vs ")).flat_map(|p| p.split(" versus ")).flat_map(|p| p.split(" and ")))
                .map(|part| self.named_product(part))
                .collect::<Result<Vec<_>, _>>()?;
            let mut found: Vec<Product> = Vec::new();
            for product in named.into_iter().flatten() {
                if !found.iter().any(|p| p.id == product.id) {
                    found.push(product);
                }
            }
            if found.len() >= 2 {
                candidates = found;
            }
        }
        if candidates.len() < 2 {
            return Ok(self.say(state, Template::CompareNeedTwo, &[]));
        }
        let Some(comparative) = comparative else {
            let products: Vec<Product> = candidates.into_iter().take(MAX_COMPARED).collect();
            let comparison = comparison(&products);
            state.show(products.iter().map(|p| p.id.clone()));
            let mut draft = self.say(state, Template::CompareTable, &[("count", &products.len().to_string())]);
            draft.text = format!("{} {}", draft.text, comparison.summary);
            draft.comparison = Some(comparison);
            return Ok(draft.with_products(&products));
        };
        let quality = quality(comparative);
        let known: Vec<(usize, f64)> = candidates.iter().enumerate().filter_map(|(i, p)| Some((i, measure(p, comparative)?))).collect();
        match known.as_slice() {
            // Never a winner, nor a tie, that the records do not show.
            [] => return Ok(self.say(state, Template::CompareUnknown, &[("attribute", &comparative.attribute), ("quality", &quality)])),
            [(only, _)] => {
                let product = &candidates[*only];
                let value = measure_text(product, comparative).unwrap_or_default();
                let vars = [("title", spoken_title(product)), ("attribute", comparative.attribute.clone()), ("value", value), ("quality", quality.clone())];
                let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
                return Ok(self.say(state, Template::CompareOneKnown, &vars).with_products(std::slice::from_ref(product)));
            }
            _ => {}
        }
        let Some(winner) = best(&candidates, comparative) else {
            return Ok(self.say(state, Template::CompareUnknown, &[("attribute", &comparative.attribute), ("quality", &quality)]));
        };
        let winning = known.iter().find(|(i, _)| *i == winner).map(|(_, v)| *v);
        if known.iter().any(|(i, v)| *i != winner && Some(*v) == winning) {
            // Level only when the values are equal.
            let value = measure_text(&candidates[winner], comparative).unwrap_or_default();
            return Ok(self.say(state, Template::CompareTie, &[("quality", &quality), ("value", &value)]));
        }
        let winner_value = measure_text(&candidates[winner], comparative);
        let others: Vec<String> = candidates
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != winner)
            .filter_map(|(_, p)| measure_text(p, comparative).map(|v| format!("{v} for the {}", spoken_title(p))))
            .take(2)
            .collect();
        let why = match winner_value {
            Some(v) if !others.is_empty() => format!("{v}, against {}", join_words(&others)),
            Some(v) => format!("{v}; the others don't list their {}", comparative.attribute),
            None => String::new(),
        };
        let product = candidates[winner].clone();
        state.focus = Some(product.id.clone());
        // The table: the winner with the first others, in the order shown.
        let mut table: Vec<Product> = candidates.iter().filter(|p| p.id != product.id).take(MAX_COMPARED - 1).cloned().collect();
        let position = winner.min(table.len());
        table.insert(position, product.clone());
        let mut draft = self.say(state, Template::CompareWinner, &[("winner", &spoken_title(&product)), ("quality", &quality), ("why", &why)]);
        draft.comparison = Some(comparison(&table));
        Ok(draft.with_products(std::slice::from_ref(&product)))
    }
}

const ORDINALS: [&str; 3] = ["first", "second", "third"];

/// Products whose description sentences are kept embedded.
const CACHED_DESCRIPTIONS: usize = 512;

/// Embedded description sentences of the products asked about lately; emptied when full.
#[derive(Default)]
pub(super) struct DescriptionCache(Mutex<HashMap<String, Arc<Vec<(String, Vec<f32>)>>>>);

impl DescriptionCache {
    fn get(&self, id: &str) -> Option<Arc<Vec<(String, Vec<f32>)>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).get(id).cloned()
    }

    fn insert(&self, id: &str, sentences: Arc<Vec<(String, Vec<f32>)>>) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= CACHED_DESCRIPTIONS {
            map.clear();
        }
        map.insert(id.to_string(), sentences);
    }
}

/// Lower-cased words of a text, apostrophes dropped.
pub(super) fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .replace(['\'', '’'], "")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// What a question asks about, in words: the attribute its words point at ("made" →
/// material), else its words that are not question words or the product's name.
fn topic(words: &[String], product: &Product) -> String {
    if let Some((_, keys)) = ASKS_ABOUT.iter().find(|(asks, _)| words.iter().any(|w| asks.contains(&w.as_str()))) {
        return keys[0].to_string();
    }
    let title = product.title.to_lowercase();
    let rest: Vec<&str> = words.iter().map(String::as_str).filter(|w| !QUESTION_WORDS.contains(w) && !title.contains(w)).collect();
    if rest.is_empty() { "that".to_string() } else { rest.join(" ") }
}

/// Words of "tell me more about the third one", "more details on it", "what are its specs".
const DETAIL_WORDS: &[&str] = &["details", "detail", "describe", "description", "specs", "specifications", "features", "info", "information", "more"];

/// Whether a question asks about the product in general rather than one of its facts.
fn asks_details(words: &[String]) -> bool {
    words.iter().any(|w| DETAIL_WORDS.contains(&w.as_str())) && !words.iter().any(|w| ASKS_ABOUT.iter().any(|(asks, _)| asks.contains(&w.as_str())))
}

/// A product in brief, from its record: price, rating and its first few facts.
fn details(product: &Product) -> String {
    let price = product.effective_price();
    let mut parts = vec![format!("it costs {}", money(price.amount, &price.currency))];
    if let Some(rating) = product.rating {
        parts.push(format!("it is rated {rating:.1}"));
    }
    for (key, value) in facts(product).into_iter().filter(|(k, _)| !k.eq_ignore_ascii_case("brand")).take(3) {
        parts.push(format!("{} {}", key.to_lowercase(), value));
    }
    join_words(&parts)
}

/// Whether a description sentence may answer a question: when the question is about a known
/// topic (warranty, capacity…), the sentence must mention it; else any close sentence will do.
fn on_topic(sentence: &str, question: &[String]) -> bool {
    let sentence = sentence.to_lowercase();
    let topics: Vec<&(&[&str], &[&str])> = ASKS_ABOUT.iter().filter(|(asks, _)| question.iter().any(|w| asks.contains(&w.as_str()))).collect();
    topics.is_empty() || topics.iter().any(|(asks, keys)| asks.iter().chain(keys.iter()).any(|w| sentence.contains(w)))
}

pub(super) fn asks_price(words: &[String]) -> bool {
    let has = |w: &str| words.iter().any(|x| x == w);
    if has("price") || has("cost") || has("costs") || has("priced") || has("expensive") {
        return true;
    }
    // "how much is it", "how much does it cost", "2nd one how much?", not "how much sugar is in
    // it".
    let n = words.len();
    let ends_how_much = n >= 2 && words[n - 2] == "how" && words[n - 1] == "much";
    ends_how_much
        || (words.windows(3).any(|w| w[0] == "how" && w[1] == "much" && matches!(w[2].as_str(), "is" | "are" | "does" | "do" | "for" | "would"))
            && !words.iter().any(|w| ASKS_ABOUT.iter().any(|(asks, _)| asks.contains(&w.as_str()))))
}

/// Every fact of a record as (name, value): the main fields, then `attributes`.
pub(super) fn facts(product: &Product) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut push = |name: &str, value: &Option<String>| {
        if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            out.push((name.to_string(), v.trim().to_string()));
        }
    };
    push("brand", &product.brand);
    push("color", &product.color);
    push("size", &product.size);
    push("material", &product.material);
    push("gender", &product.gender);
    for (key, value) in &product.attributes {
        if !value.trim().is_empty() && !out.iter().any(|(k, _)| k.eq_ignore_ascii_case(key)) {
            out.push((key.clone(), value.trim().to_string()));
        }
    }
    out
}

/// The facts a question asks about: attribute keys whose words all appear in the question,
/// else keys the question's words point at (weight for "heavy").
fn attribute_answer(product: &Product, words: &[String]) -> Option<(String, String)> {
    let facts = facts(product);
    let question: Vec<String> = words.iter().map(|w| stem(w)).collect();
    let direct = named_facts(&facts, words);
    let matched: Vec<&(String, String)> = if direct.is_empty() {
        let fragments: Vec<&str> = ASKS_ABOUT
            .iter()
            .find(|(asks, _)| words.iter().any(|w| asks.contains(&w.as_str())))
            .map(|(_, keys)| keys.to_vec())
            .unwrap_or_default();
        let on_topic: Vec<&(String, String)> = facts.iter().filter(|(key, _)| fragments.iter().any(|f| key.to_lowercase().contains(f))).collect();
        // Of the keys on the topic, those the question also names ("how high is the heel":
        // Heel Height before Height), and a summary of the topic before its parts (Warranty
        // Summary before Covered in Warranty).
        let fit = |key: &str| {
            let key_words: Vec<String> = words_of_key(key).iter().map(|w| stem(w)).collect();
            2 * key_words.iter().filter(|k| question.contains(k)).count() + usize::from(key_words.iter().any(|k| k == "summary"))
        };
        let best = on_topic.iter().map(|(key, _)| fit(key)).max().unwrap_or(0);
        on_topic.into_iter().filter(|(key, _)| fit(key) == best).collect()
    } else {
        direct
    };
    // "Is the Sonik helmet ISI certified?", "is it cotton?": a fact whose value the question
    // names (a word of 3 letters or more that is not the product's own name).
    let matched = if matched.is_empty() {
        let title: Vec<String> = self::words(&product.title).iter().map(|w| stem(w)).collect();
        let named = |w: &String| w.len() >= 3 && !QUESTION_WORDS.contains(&w.as_str()) && !title.contains(w);
        facts.iter().filter(|(_, value)| self::words(value).iter().any(|v| question.iter().any(|q| named(q) && stem(v) == *q))).take(1).collect()
    } else {
        matched
    };
    if matched.is_empty() {
        return None;
    }
    let attribute = join_words(&matched.iter().take(3).map(|(k, _)| k.to_lowercase()).collect::<Vec<_>>());
    let value = matched.iter().take(3).map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(", ");
    Some((attribute, value))
}

/// The facts whose every key word the question says ("heel height" of Heel Height).
pub(super) fn named_facts<'a>(facts: &'a [(String, String)], words: &[String]) -> Vec<&'a (String, String)> {
    let mut question: Vec<String> = words.iter().map(|w| stem(w)).collect();
    // "how many shelves" asks the Number of Shelves.
    if words.windows(2).any(|w| w[0] == "how" && w[1] == "many") {
        question.push("number".into());
    }
    facts
        .iter()
        .filter(|(key, _)| {
            let key_words: Vec<String> = words_of_key(key).iter().map(|w| stem(w)).collect();
            !key_words.is_empty() && key_words.iter().all(|k| question.contains(k))
        })
        .collect()
}

/// A word without a plural's "s", as facts and questions are compared.
fn stem(w: &str) -> String {
    w.strip_suffix('s').filter(|s| s.len() > 2).unwrap_or(w).to_string()
}

fn words_of_key(key: &str) -> Vec<String> {
    words(key).into_iter().filter(|w| !QUESTION_WORDS.contains(&w.as_str())).collect()
}

/// The index of the product that wins on a comparative, among those with a value.
fn best(products: &[Product], comparative: &Comparative) -> Option<usize> {
    let values: Vec<Option<f64>> = products.iter().map(|p| measure(p, comparative)).collect();
    let mut best: Option<(usize, f64)> = None;
    for (i, v) in values.iter().enumerate() {
        let Some(v) = *v else { continue };
        let better = match (best, comparative.direction) {
            (None, _) => true,
            (Some((_, b)), Direction::Asc) => v < b,
            (Some((_, b)), Direction::Desc) => v > b,
        };
        if better {
            best = Some((i, v));
        }
    }
    best.map(|(i, _)| i)
}

/// A product's value for a comparative attribute, in comparable units.
fn measure(product: &Product, comparative: &Comparative) -> Option<f64> {
    match comparative.attribute.as_str() {
        "price" => Some(product.effective_price().amount),
        "rating" => product.rating.map(f64::from),
        attribute => attribute_value(product, attribute).and_then(|v| quantity(&v)),
    }
}

fn measure_text(product: &Product, comparative: &Comparative) -> Option<String> {
    match comparative.attribute.as_str() {
        "price" => Some(money(product.effective_price().amount, &product.effective_price().currency)),
        "rating" => product.rating.map(|r| format!("rated {r:.1}")),
        attribute => attribute_value(product, attribute),
    }
}

/// The value of the first attribute whose key holds the name ("weight" → "Weight", "Net
/// Weight"), else a measure in the title in the attribute's units ("Steel Bottle 1000 ml" for
/// capacity).
fn attribute_value(product: &Product, attribute: &str) -> Option<String> {
    let fragments: Vec<&str> = ASKS_ABOUT
        .iter()
        .find(|(asks, _)| asks.contains(&attribute))
        .map(|(_, keys)| keys.to_vec())
        .unwrap_or_else(|| vec![attribute]);
    facts(product)
        .into_iter()
        .find(|(k, _)| fragments.iter().any(|f| k.to_lowercase().contains(f)))
        .map(|(_, v)| v)
        .or_else(|| measure_in_title(&product.title, attribute))
}

/// Units that measure an attribute, for reading it from a title.
const UNITS_OF: &[(&str, &[&str])] = &[
    ("weight", &["g", "gm", "gms", "gram", "grams", "kg", "kgs", "kilogram", "kilograms", "mg"]),
    ("capacity", &["ml", "l", "ltr", "ltrs", "litre", "litres", "liter", "liters"]),
    // "Which is bigger?" of bottles and boxes: their capacity.
    ("size", &["ml", "l", "ltr", "ltrs", "litre", "litres", "liter", "liters"]),
    ("battery", &["mah"]),
    ("storage", &["gb", "tb"]),
    ("memory", &["gb"]),
    ("screen", &["inch", "inches", "cm"]),
    ("warranty", &["year", "years", "yr", "yrs", "month", "months"]),
];

/// The first "number unit" of a title whose unit measures `attribute` ("1000 ml", "1.5L").
fn measure_in_title(title: &str, attribute: &str) -> Option<String> {
    let units = UNITS_OF.iter().find(|(a, _)| *a == attribute)?.1;
    let tokens: Vec<String> = title.to_lowercase().split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | '[' | ']' | '|' | '/')).filter(|t| !t.is_empty()).map(str::to_string).collect();
    for (i, token) in tokens.iter().enumerate() {
        let digits = token.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(token.len());
        if digits == 0 || token[..digits].parse::<f64>().is_err() {
            continue;
        }
        let (number, glued) = token.split_at(digits);
        let unit = if glued.is_empty() { tokens.get(i + 1).map(String::as_str).unwrap_or("") } else { glued };
        if units.contains(&unit) {
            return Some(format!("{number} {unit}"));
        }
    }
    None
}

/// The first number of a value in base units: grams, millilitres, gigabytes, millimetres,
/// months ("1.2 kg" → 1200).
pub fn quantity(value: &str) -> Option<f64> {
    let lower = value.to_lowercase();
    let start = lower.find(|c: char| c.is_ascii_digit())?;
    let rest = &lower[start..];
    let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).unwrap_or(rest.len());
    let number: f64 = rest[..end].replace(',', "").trim_end_matches('.').parse().ok()?;
    let unit: String = rest[end..].trim_start().chars().take_while(|c| c.is_alphabetic() || *c == '"').collect();
    let factor = match unit.as_str() {
        "kg" | "kgs" | "kilogram" | "kilograms" => 1000.0,
        "mg" => 0.001,
        "l" | "ltr" | "ltrs" | "litre" | "litres" | "liter" | "liters" => 1000.0,
        "tb" => 1024.0,
        "mb" => 1.0 / 1024.0,
        "cm" => 10.0,
        "m" | "meter" | "meters" | "metre" | "metres" => 1000.0,
        "inch" | "inches" | "in" | "\"" => 25.4,
        "year" | "years" | "yr" | "yrs" => 12.0,
        _ => 1.0,
    };
    Some(number * factor)
}

/// "the cheapest", "the lightest"…
fn quality(comparative: &Comparative) -> String {
    let asc = comparative.direction == Direction::Asc;
    match (comparative.attribute.as_str(), asc) {
        ("price", true) => "the cheapest".into(),
        ("price", false) => "the most expensive".into(),
        ("rating", _) => "the best rated".into(),
        ("weight", true) => "the lightest".into(),
        ("weight", false) => "the heaviest".into(),
        ("size", true) => "the smallest".into(),
        ("size", false) => "the biggest".into(),
        (attribute, true) => format!("the lowest on {attribute}"),
        (attribute, false) => format!("the highest on {attribute}"),
    }
}

/// Which way is better for an attribute row, when it has one.
fn better_direction(key: &str) -> Option<Direction> {
    let key = key.to_lowercase();
    if key.contains("weight") {
        Some(Direction::Asc)
    } else if ["battery", "capacity", "warranty", "storage", "memory", "ram", "resolution"].iter().any(|k| key.contains(k)) {
        Some(Direction::Desc)
    } else {
        None
    }
}

/// Products side by side: price, rating, then attributes most of them share.
pub fn comparison(products: &[Product]) -> Comparison {
    let mut rows = Vec::new();
    let prices: Vec<f64> = products.iter().map(|p| p.effective_price().amount).collect();
    rows.push(ComparisonRow {
        attribute: "price".into(),
        values: products.iter().map(|p| money(p.effective_price().amount, &p.effective_price().currency)).collect(),
        best: index_of(&prices.iter().map(|p| Some(*p)).collect::<Vec<_>>(), Direction::Asc),
    });
    let ratings: Vec<Option<f64>> = products.iter().map(|p| p.rating.map(f64::from)).collect();
    if ratings.iter().any(Option::is_some) {
        rows.push(ComparisonRow {
            attribute: "rating".into(),
            values: ratings.iter().map(|r| r.map(|r| format!("{r:.1}")).unwrap_or_default()).collect(),
            best: index_of(&ratings, Direction::Desc),
        });
    }
    let all: Vec<Vec<(String, String)>> = products.iter().map(facts).collect();
    let value_of = |facts: &[(String, String)], key: &str| facts.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default();
    // Attributes at least two products have, short enough for a table; those that tell the
    // products apart first.
    let mut keys: Vec<(bool, String)> = Vec::new();
    for facts in &all {
        for (key, value) in facts {
            let shared = all.iter().filter(|f| f.iter().any(|(k, _)| k == key)).count();
            if shared >= 2 && value.len() <= 60 && !keys.iter().any(|(_, k)| k == key) {
                let same = all.iter().all(|f| value_of(f, key).eq_ignore_ascii_case(value));
                keys.push((same, key.clone()));
            }
        }
    }
    keys.sort_by_key(|(same, _)| *same);
    for (_, key) in keys.into_iter().take(MAX_ROWS) {
        let values: Vec<String> = all.iter().map(|f| value_of(f, &key)).collect();
        let best = better_direction(&key).and_then(|d| index_of(&values.iter().map(|v| quantity(v)).collect::<Vec<_>>(), d));
        rows.push(ComparisonRow { attribute: key.to_lowercase(), values, best });
    }
    // Best value: the best rating per unit of price when ratings exist, else the lowest price.
    let value_scores: Vec<Option<f64>> =
        products.iter().zip(&prices).map(|(p, price)| Some(p.rating.map_or(1.0, f64::from) / price.max(0.01))).collect();
    let summary = match index_of(&value_scores, Direction::Desc) {
        Some(i) => format!("Best value: {} at {}.", spoken_title(&products[i]), money(prices[i], &products[i].effective_price().currency)),
        None => String::new(),
    };
    Comparison { products: products.iter().map(|p| p.id.clone()).collect(), rows, summary }
}

/// The index of the best value, when at least two values differ.
fn index_of(values: &[Option<f64>], direction: Direction) -> Option<usize> {
    let present: Vec<(usize, f64)> = values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i, v))).collect();
    if present.len() < 2 || present.iter().all(|(_, v)| *v == present[0].1) {
        return None;
    }
    present
        .into_iter()
        .reduce(|a, b| match direction {
            Direction::Asc if b.1 < a.1 => b,
            Direction::Desc if b.1 > a.1 => b,
            _ => a,
        })
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_come_in_base_units() {
        assert_eq!(quantity("1.2 kg"), Some(1200.0));
        assert_eq!(quantity("250 g"), Some(250.0));
        assert_eq!(quantity("1 Year"), Some(12.0));
        assert_eq!(quantity("6 months"), Some(6.0));
        assert_eq!(quantity("2,000 mAh"), Some(2000.0));
        assert_eq!(quantity("none"), None);
    }

    #[test]
    fn best_index_needs_two_different_values() {
        assert_eq!(index_of(&[Some(2.0), Some(1.0), None], Direction::Asc), Some(1));
        assert_eq!(index_of(&[Some(2.0), Some(2.0)], Direction::Asc), None);
        assert_eq!(index_of(&[Some(2.0), None], Direction::Desc), None);
    }

    #[test]
    fn attribute_questions_take_the_keys_they_name_and_a_summary_first() {
        let product: Product = serde_json::from_value(serde_json::json!({
            "id": "p", "title": "Anaya Women Heels", "price": "699 INR",
            "attributes": {
                "Heel Height": "3 inch", "Height": "10 cm", "Covered in Warranty": "Manufacturing Defects Only",
                "Warranty Summary": "6 Months", "Warranty Service Type": "Cable"
            }
        }))
        .unwrap();
        let ask = |q: &str| attribute_answer(&product, &words(q));
        assert_eq!(ask("how high is the heel?"), Some(("heel height".into(), "3 inch".into())));
        assert_eq!(ask("what's the warranty on it"), Some(("warranty summary".into(), "6 Months".into())));
        assert_eq!(ask("how tall is it"), Some(("heel height and height".into(), "3 inch, 10 cm".into())));
        assert_eq!(ask("is it covered for manufacturing defects?"), Some(("covered in warranty".into(), "Manufacturing Defects Only".into())), "a value the question names");
        assert_eq!(ask("is the anaya heel comfortable?"), None, "words of its own name are no fact");
        let shelf: Product = serde_json::from_value(serde_json::json!({
            "id": "s", "title": "Aymh Mdf Wall Shelf", "price": "499 INR",
            "attributes": { "Model Number": "aymh green wooden wall shelves", "Number of Shelves": "3" }
        }))
        .unwrap();
        assert_eq!(attribute_answer(&shelf, &words("how many shelves does it have")), Some(("number of shelves".into(), "3".into())));
    }

    #[test]
    fn price_questions_are_not_quantity_questions() {
        assert!(asks_price(&words("how much is it")));
        assert!(asks_price(&words("what does it cost")));
        assert!(asks_price(&words("2nd one how much?")));
        assert!(asks_price(&words("what's it made of and how much?")));
        assert!(!asks_price(&words("how much sugar is in it")));
        assert!(!asks_price(&words("how much does it weigh")));
    }
}
