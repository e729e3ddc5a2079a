//! Which words of a query name the kind of product, read from the catalog's category names.
//! The last word of a name is its head and names a kind wherever it appears ("heels", "watches").
//! The words before it only qualify it: they name the kind when the query says them as the name
//! does, up to its head ("sofa bed", "lunch box", "riding gear"), and are plain words otherwise
//! ("heels for the office", "a bag for school", "a shelf for the living room": the name is
//! Living Room Furniture), which a search may leave out.

use std::collections::{HashMap, HashSet};

/// Heads too general to name a kind on their own: "gear" is riding gear only when the query
/// says "riding gear" ("cricket gear" is cricket's), and "supplies" of a shop are everything.
const GENERAL_HEADS: [&str; 15] =
    ["supply", "need", "gear", "essential", "accessory", "product", "item", "equipment", "thing", "stuff", "set", "kit", "combo", "care", "wear"];

/// The catalog's kind words.
#[derive(Debug, Default)]
pub(super) struct KindWords {
    /// Head words that name a kind alone, by [`word_key`].
    heads: HashSet<String>,
    /// The qualifiers of each head, as runs of words before it in some name ("sofa" before
    /// "bed"; "car", "hanging" before "decor"), by [`word_key`].
    qualified: HashMap<String, HashSet<Vec<String>>>,
}

impl KindWords {
    /// From the category paths as the index lists them ("Furniture > Sofa Beds & Futons").
    pub(super) fn new<'a>(paths: impl IntoIterator<Item = &'a str>) -> KindWords {
        let mut kinds = KindWords::default();
        for path in paths {
            for name in path.split(['>', '&', ',']).flat_map(|node| node.split(" and ")) {
                let mut words: Vec<String> = name.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() > 2).map(word_key).collect();
                let Some(head) = words.pop() else { continue };
                if !GENERAL_HEADS.contains(&head.as_str()) {
                    kinds.heads.insert(head.clone());
                }
                let runs = kinds.qualified.entry(head).or_default();
                for start in 0..words.len() {
                    runs.insert(words[start..].to_vec());
                }
            }
        }
        kinds
    }

    /// The words of `query` that name a kind of product, as written, in order.
    pub(super) fn of<'q>(&self, query: &'q str) -> Vec<&'q str> {
        let words: Vec<&str> = query.split_whitespace().collect();
        let keys: Vec<String> = words.iter().map(|w| word_key(w)).collect();
        let mut kind = vec![false; words.len()];
        for (at, key) in keys.iter().enumerate() {
            if self.heads.contains(key) {
                kind[at] = true;
            }
            // The longest run of qualifiers right before this head, as a name says them.
            if let Some(runs) = self.qualified.get(key) {
                if let Some(len) = (1..=at).rev().find(|&len| runs.contains(&keys[at - len..at])) {
                    kind[at - len..=at].iter_mut().for_each(|k| *k = true);
                }
            }
        }
        words.iter().zip(kind).filter(|(_, k)| *k).map(|(w, _)| *w).collect()
    }

    /// Whether `query` names a kind of product.
    pub(super) fn named_in(&self, query: &str) -> bool {
        !self.of(query).is_empty()
    }
}

/// A word as kinds are compared: lower case and singular, as the slots read words ("boots" →
/// boot, "watches" → watch, "knives" → knife, "glass" stays), and an "-is" plural's "s" off too
/// ("kurtis" → kurti): keys are only compared with keys, so "tennis" → "tenni" is harmless.
pub(super) fn word_key(word: &str) -> String {
    let singular = crate::english::singular(&word.to_lowercase());
    match singular.strip_suffix("is") {
        Some(stem) if stem.chars().count() > 2 => format!("{stem}i"),
        _ => singular,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_meet_their_singulars() {
        for (word, key) in [("Boots", "boot"), ("glass", "glass"), ("watches", "watch"), ("boxes", "box"), ("dresses", "dress"), ("batteries", "battery"), ("shoes", "shoe"), ("bus", "bus"), ("knives", "knife"), ("kurtis", "kurti"), ("kurti", "kurti")] {
            assert_eq!(word_key(word), key, "{word}");
        }
    }

    #[test]
    fn heads_name_kinds_and_qualifiers_only_as_the_name_says_them() {
        let kinds = KindWords::new([
            "Footwear > Womens Footwear > Heels",
            "Pens & Stationery > Office Supplies > Diaries",
            "Furniture > Living Room Furniture > Sofa Beds & Futons",
            "Kitchen & Dining > Containers & Bottles > Lunch Boxes",
            "Watches > Wrist Watches",
            "Sports & Fitness > Team Sports > Cricket > Cricket Bats",
            "Automotive > Helmets & Riding Gear",
            "Clothing > Womens Clothing > Ethnic Wear > Kurtas & Kurtis > Kurtis",
            "Furniture > Living Room Furniture",
            "Home Decor > Wall Decor > Wall Shelves",
        ]);
        assert_eq!(kinds.of("coming wants kurti"), ["kurti"]);
        assert_eq!(kinds.of("wall shelf living room"), ["wall", "shelf"], "Living Room Furniture's head is not said");
        assert_eq!(kinds.of("black heels office"), ["heels"]);
        assert_eq!(kinds.of("office supplies"), ["office", "supplies"]);
        assert_eq!(kinds.of("sofa bed"), ["sofa", "bed"]);
        assert_eq!(kinds.of("lunch box school"), ["lunch", "box"]);
        assert_eq!(kinds.of("cheapest watch"), ["watch"]);
        assert_eq!(kinds.of("started cricket coaching gear"), ["cricket"]);
        assert_eq!(kinds.of("riding gear"), ["riding", "gear"]);
        assert_eq!(kinds.of("bat for cricket"), ["bat", "cricket"]);
        assert!(!kinds.named_in("something for the office"));
    }
}
