//! Which words of a query name the kind of product, read from the catalog's category names.
//! The last word of a name is its head and names a kind wherever it appears ("heels", "watches",
//! "supplies"). The words before it only qualify it: they name the kind when the query says them
//! as the name does, followed by the name's next word ("sofa bed", "lunch box", "school bag"),
//! and are plain words otherwise ("heels for the office", "a bag for school"), which a search may
//! leave out.

use std::collections::HashSet;

/// Heads too general to name a kind on their own: "gear" is riding gear only when the query
/// says "riding gear" ("cricket gear" is cricket's), and "supplies" of a shop are everything.
const GENERAL_HEADS: [&str; 15] =
    ["supply", "need", "gear", "essential", "accessory", "product", "item", "equipment", "thing", "stuff", "set", "kit", "combo", "care", "wear"];

/// The catalog's kind words.
#[derive(Debug, Default)]
pub(super) struct KindWords {
    /// Head words, by [`word_key`].
    heads: HashSet<String>,
    /// Consecutive word pairs of the names ("sofa", "bed"), by [`word_key`].
    pairs: HashSet<(String, String)>,
}

impl KindWords {
    /// From the category paths as the index lists them ("Furniture > Sofa Beds & Futons").
    pub(super) fn new<'a>(paths: impl IntoIterator<Item = &'a str>) -> KindWords {
        let mut kinds = KindWords::default();
        for path in paths {
            for name in path.split(['>', '&', ',']).flat_map(|node| node.split(" and ")) {
                let words: Vec<String> = name.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() > 2).map(word_key).collect();
                kinds.pairs.extend(words.windows(2).map(|pair| (pair[0].clone(), pair[1].clone())));
                kinds.heads.extend(words.last().filter(|w| !GENERAL_HEADS.contains(&w.as_str())).cloned());
            }
        }
        kinds
    }

    /// The words of `query` that name a kind of product, as written, in order.
    pub(super) fn of<'q>(&self, query: &'q str) -> Vec<&'q str> {
        let words: Vec<&str> = query.split_whitespace().collect();
        let keys: Vec<String> = words.iter().map(|w| word_key(w)).collect();
        let pair = |i: usize| self.pairs.contains(&(keys[i].clone(), keys[i + 1].clone()));
        (0..words.len())
            .filter(|&i| self.heads.contains(&keys[i]) || (i + 1 < keys.len() && pair(i)) || (i > 0 && pair(i - 1)))
            .map(|i| words[i])
            .collect()
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
        ]);
        assert_eq!(kinds.of("coming wants kurti"), ["kurti"]);
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
