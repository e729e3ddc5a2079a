//! Colours, normalized (`gray` → `grey`, "jet black" → `black`): multi-word colours first ("navy
//! blue", "off-white"), then a shade with a base colour ("light blue"), then single words.
//! Skipped: food phrases ("green tea", "red wine glasses") and colour words that begin a catalog
//! category name; negated colours ("not red", "anything but red") are consumed but not kept.
//! Colour words are read even from tokens other extractors took, except e-mail, order id and
//! brand tokens.

use super::context::{Ctx, Used};
use super::tokens::singular;
use super::words::{COLOR_SHADES, Statics, statics};

/// Food/product phrases whose colour word is not a colour filter.
#[rustfmt::skip]
const FOOD_PHRASES: &[&[&str]] = &[
    &["green", "tea"], &["black", "tea"], &["white", "tea"], &["black", "pepper"],
    &["white", "pepper"], &["red", "chilli"], &["red", "chili"], &["green", "chilli"],
    &["green", "chili"], &["red", "chillies"], &["green", "chillies"], &["white", "rice"],
    &["brown", "rice"], &["red", "rice"], &["black", "rice"], &["brown", "bread"],
    &["white", "bread"], &["orange", "juice"], &["green", "peas"], &["red", "wine"],
    &["white", "wine"], &["rose", "wine"], &["green", "beans"], &["black", "beans"],
    &["red", "beans"], &["brown", "sugar"], &["white", "sugar"], &["black", "coffee"],
    &["green", "apple"], &["green", "apples"], &["red", "apple"], &["red", "apples"],
    &["white", "chocolate"], &["black", "salt"], &["black", "olives"], &["green", "olives"],
    &["black", "olive"], &["green", "olive"], &["red", "onion"], &["red", "onions"],
    &["white", "onion"], &["white", "vinegar"], &["green", "gram"], &["black", "gram"],
    &["red", "lentils"], &["yellow", "lentils"], &["green", "cardamom"],
    &["black", "cardamom"], &["black", "sesame"], &["white", "sesame"], &["red", "bull"],
    &["green", "coffee"], &["brown", "eggs"], &["white", "eggs"], &["orange", "marmalade"],
    &["green", "capsicum"], &["red", "capsicum"], &["yellow", "capsicum"], &["red", "cabbage"],
    &["black", "grapes"], &["green", "grapes"], &["white", "oats"], &["brown", "onion"],
    &["orange", "peel"], &["red", "velvet"], &["black", "forest"], &["white", "sauce"],
    &["green", "chutney"], &["red", "sauce"], &["green", "salad"], &["black", "currant"],
    &["red", "currant"], &["silver", "foil"], &["gold", "coast"], &["white", "goods"],
    &["red", "tape"], &["black", "friday"],
];

/// Multi-word colours (matched before single words) and their normalized name.
#[rustfmt::skip]
const MULTI_COLORS: &[(&[&str], &str)] = &[
    (&["navy", "blue"], "navy blue"), (&["off", "white"], "off white"),
    (&["rose", "gold"], "rose gold"), (&["sky", "blue"], "sky blue"),
    (&["royal", "blue"], "royal blue"), (&["baby", "pink"], "baby pink"),
    (&["baby", "blue"], "baby blue"), (&["hot", "pink"], "hot pink"),
    (&["olive", "green"], "olive green"), (&["bottle", "green"], "bottle green"),
    (&["sea", "green"], "sea green"), (&["lime", "green"], "lime green"),
    (&["mint", "green"], "mint green"), (&["charcoal", "grey"], "charcoal grey"),
    (&["charcoal", "gray"], "charcoal grey"), (&["wine", "red"], "wine red"),
    (&["jet", "black"], "black"), (&["multi", "color"], "multicolor"),
    (&["multi", "colour"], "multicolor"), (&["multi", "colored"], "multicolor"),
    (&["multi", "coloured"], "multicolor"), (&["space", "grey"], "space grey"),
    (&["space", "gray"], "space grey"), (&["midnight", "blue"], "midnight blue"),
    (&["dusty", "pink"], "dusty pink"), (&["coffee", "brown"], "coffee brown"),
];

impl Ctx<'_> {
    pub(super) fn colors(&mut self) {
        let st = statics();
        let mut i = 0;
        while i < self.len() {
            if !self.color_free(i) {
                i += 1;
                continue;
            }
            let Some((name, end)) = self.color_at(i, st) else {
                i += 1;
                continue;
            };
            let negated = self.prev_word(i).is_some_and(|p| {
                self.is_any(
                    p,
                    &[
                        "not",
                        "no",
                        "except",
                        "without",
                        "excluding",
                        "nothing",
                        "avoid",
                    ],
                )
            }) || self
                .prev_word(i)
                .and_then(|p| self.prev_word(p))
                .is_some_and(|q| {
                    self.seq(q, &["anything", "but"]).is_some()
                        || self.seq(q, &["other", "than"]).is_some()
                });
            if self.color_in_phrase(i, end) {
                // skip the phrase's noun too: "red wine glasses" has no colour
                i = self.next_word(end).map_or(end + 1, |n| n + 1);
                continue;
            }
            if !negated && !self.slots.colors.contains(&name) {
                self.slots.colors.push(name);
            }
            self.mark(i, end, Used::Color);
            i = end + 1;
        }
    }

    fn color_at(&self, i: usize, st: &Statics) -> Option<(String, usize)> {
        for (phrase, name) in MULTI_COLORS {
            if let Some(end) = self.seq(i, phrase) {
                return Some(((*name).to_string(), end));
            }
        }
        let k = self.key(i);
        if COLOR_SHADES.contains(&k) {
            if let Some(base) = self
                .toks
                .get(i + 1)
                .and_then(|t| st.colors.get(t.key.as_str()))
            {
                return Some((format!("{k} {base}"), i + 1));
            }
            if self.key(i + 1) == "-" {
                if let Some(base) = self
                    .toks
                    .get(i + 2)
                    .and_then(|t| st.colors.get(t.key.as_str()))
                {
                    return Some((format!("{k} {base}"), i + 2));
                }
            }
        }
        st.colors.get(k).map(|c| ((*c).to_string(), i))
    }

    /// The colour words start a food phrase ("green tea") or a catalog category name.
    fn color_in_phrase(&self, i: usize, end: usize) -> bool {
        let Some(n) = self.next_word(end) else {
            return false;
        };
        let food = FOOD_PHRASES.iter().any(|p| {
            p.len() == 2 && self.key(end) == p[0] && singular(self.key(n)) == singular(p[1])
        });
        let cats = &self.lex.categories.phrases;
        let two = format!("{} {}", self.key(i), singular(self.key(n)));
        let whole: Vec<String> = (i..=end)
            .filter(|&k| self.is_word(k))
            .map(|k| self.key(k).to_string())
            .collect();
        let with_next = format!("{} {}", whole.join(" "), singular(self.key(n)));
        food || cats.contains(&two) || cats.contains(&with_next)
    }
}
