//! Gender, the audience a product is for: the first gender word wins ("men's", "ladies",
//! "unisex"), relatives map to one (dad → male, daughter → girls, nephew → boys…), "for her" /
//! "for him" count, and "man" glued after a hyphen ("spider-man") does not. When no word says
//! it, a child's age ("for a 10 year old", "my 8-year-old", "2 yr old", up to 12) makes it `kids`,
//! or `baby` up to 2, and the age's tokens are not product words.

use super::context::{Ctx, Used};
use super::tokens::{Kind, parse_num};
use super::words::statics;

impl Ctx<'_> {
    pub(super) fn gender(&mut self) {
        let st = statics();
        for i in 0..self.len() {
            if !self.color_free(i) {
                continue;
            }
            let k = self.key(i);
            // "for her" / "for him"
            let pronoun = match k {
                // "for her birthday" is still for her
                "her" | "hers" if self.prev_word(i).is_some_and(|p| self.is(p, "for")) => {
                    Some("female")
                }
                "him" if self.prev_word(i).is_some_and(|p| self.is(p, "for")) => Some("male"),
                _ => None,
            };
            if let Some(g) = pronoun.or_else(|| st.genders.get(k).copied()) {
                // "baby pink" is a colour, taken above; "man" in "spider-man" is not a gender
                if self.key(i.wrapping_sub(1)) == "-" && self.toks[i].glued {
                    continue;
                }
                self.slots.gender = Some(g.to_string());
                return;
            }
        }
        // "for a 10 year old", "my 8-year-old": a child, when no word above said boy or girl.
        if let Some((age, from, to)) = self.child_age() {
            self.slots.gender = Some(if age <= 2 { "baby" } else { "kids" }.to_string());
            self.mark(from, to, Used::Age);
        }
    }

    /// The age of "N year(s) old" / "N yr old" / "N-year-old" when it is a child's (0 to 12),
    /// with the tokens it spans.
    fn child_age(&self) -> Option<(u32, usize, usize)> {
        (0..self.len()).find_map(|i| {
            if !matches!(self.key(i), "year" | "years" | "yr" | "yrs" | "yo") {
                return None;
            }
            let old = self.next_word(i).filter(|&n| self.key(n) == "old");
            let end = if self.key(i) == "yo" { i } else { old? };
            let start = self.prev_word(i).filter(|&p| self.toks[p].kind == Kind::Num)?;
            let age = parse_num(&self.toks[start].norm)?;
            (age.fract() == 0.0 && (0.0..=12.0).contains(&age)).then_some((age as u32, start, end))
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::nlu::slots::{Lexicon, extract};

    fn gender(text: &str) -> Option<String> {
        extract(text, &Lexicon::new(&[], &[], std::iter::empty::<(&str, &str)>())).gender
    }

    #[test]
    fn a_childs_age_is_a_kids_audience_unless_a_word_says_more() {
        assert_eq!(gender("a present for a 10 year old").as_deref(), Some("kids"));
        assert_eq!(gender("something for my 7-year-old").as_deref(), Some("kids"));
        assert_eq!(gender("toys for a 2 yr old").as_deref(), Some("baby"));
        assert_eq!(gender("a watch for my 9 year old son").as_deref(), Some("boys"));
        assert_eq!(gender("a 30 year old recipe book"), None);
        assert_eq!(gender("a 5 year warranty"), None);
        assert_eq!(gender("a watch for my nephew").as_deref(), Some("boys"));
    }
}
