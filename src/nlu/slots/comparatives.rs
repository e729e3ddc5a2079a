//! Comparative and sort: the first comparative phrase ("lighter" = weight asc, "bigger battery"
//! = battery desc…); superlatives of price/rating also set `sort`; "cheap", "premium", "low to
//! high" set only `sort` (not after "not"/"no"/"never"). "cheaper than $50" is a price bound,
//! taken by the prices before.

use super::context::{Ctx, Used};
use super::{Comparative, Direction, SortSlot};

/// (phrase, attribute, direction, sort set by it).
type CompEntry = (
    &'static [&'static str],
    &'static str,
    Direction,
    Option<SortSlot>,
);

#[rustfmt::skip]
const COMPARATIVES: &[CompEntry] = {
    use Direction::{Asc, Desc};
    use SortSlot::{PriceAsc, PriceDesc, Rating};
    &[
        (&["lighter"], "weight", Asc, None), (&["lightest"], "weight", Asc, None),
        (&["less", "heavy"], "weight", Asc, None), (&["weighs", "less"], "weight", Asc, None),
        (&["heavier"], "weight", Desc, None), (&["heaviest"], "weight", Desc, None),
        (&["cheaper"], "price", Asc, None), (&["cheapest"], "price", Asc, Some(PriceAsc)),
        (&["costs", "less"], "price", Asc, None), (&["cost", "less"], "price", Asc, None),
        (&["costs", "more"], "price", Desc, None), (&["cost", "more"], "price", Desc, None),
        (&["less", "expensive"], "price", Asc, None), (&["least", "expensive"], "price", Asc, Some(PriceAsc)),
        (&["more", "affordable"], "price", Asc, None), (&["most", "affordable"], "price", Asc, Some(PriceAsc)),
        (&["lower", "price"], "price", Asc, None), (&["lower", "priced"], "price", Asc, None),
        (&["lowest", "price"], "price", Asc, Some(PriceAsc)), (&["lowest", "priced"], "price", Asc, Some(PriceAsc)),
        (&["more", "expensive"], "price", Desc, None), (&["most", "expensive"], "price", Desc, Some(PriceDesc)),
        (&["pricier"], "price", Desc, None), (&["priciest"], "price", Desc, Some(PriceDesc)),
        (&["costlier"], "price", Desc, None), (&["costliest"], "price", Desc, Some(PriceDesc)),
        (&["higher", "price"], "price", Desc, None), (&["higher", "priced"], "price", Desc, None),
        (&["highest", "price"], "price", Desc, Some(PriceDesc)), (&["highest", "priced"], "price", Desc, Some(PriceDesc)),
        (&["better", "rated"], "rating", Desc, None), (&["higher", "rated"], "rating", Desc, None),
        (&["best", "rated"], "rating", Desc, Some(Rating)), (&["top", "rated"], "rating", Desc, Some(Rating)),
        (&["highest", "rated"], "rating", Desc, Some(Rating)), (&["better", "reviewed"], "rating", Desc, None),
        (&["best", "reviewed"], "rating", Desc, Some(Rating)), (&["better", "reviews"], "rating", Desc, None),
        (&["highly", "rated"], "rating", Desc, Some(Rating)), (&["best", "rating"], "rating", Desc, Some(Rating)),
        (&["higher", "rating"], "rating", Desc, None), (&["highest", "rating"], "rating", Desc, Some(Rating)),
        (&["rated", "higher"], "rating", Desc, None), (&["rated", "better"], "rating", Desc, None),
        (&["rated", "highest"], "rating", Desc, Some(Rating)), (&["rated", "best"], "rating", Desc, Some(Rating)),
        (&["better", "ratings"], "rating", Desc, None), (&["higher", "ratings"], "rating", Desc, None),
        (&["more", "stars"], "rating", Desc, None), (&["most", "stars"], "rating", Desc, Some(Rating)),
        (&["reviewed", "better"], "rating", Desc, None), (&["better", "rating"], "rating", Desc, None),
        (&["more", "popular"], "rating", Desc, None), (&["rate", "higher"], "rating", Desc, None),
        (&["rate", "better"], "rating", Desc, None), (&["rates", "higher"], "rating", Desc, None),
        (&["bigger", "battery"], "battery", Desc, None), (&["larger", "battery"], "battery", Desc, None),
        (&["longer", "battery"], "battery", Desc, None), (&["longer", "battery", "life"], "battery", Desc, None),
        (&["more", "battery"], "battery", Desc, None), (&["better", "battery"], "battery", Desc, None),
        (&["better", "battery", "life"], "battery", Desc, None), (&["best", "battery"], "battery", Desc, None),
        (&["best", "battery", "life"], "battery", Desc, None), (&["biggest", "battery"], "battery", Desc, None),
        (&["longest", "battery", "life"], "battery", Desc, None), (&["lasts", "longer"], "battery", Desc, None),
        (&["bigger", "screen"], "screen", Desc, None), (&["larger", "screen"], "screen", Desc, None),
        (&["bigger", "display"], "screen", Desc, None), (&["larger", "display"], "screen", Desc, None),
        (&["biggest", "screen"], "screen", Desc, None), (&["largest", "screen"], "screen", Desc, None),
        (&["smaller", "screen"], "screen", Asc, None), (&["smaller", "display"], "screen", Asc, None),
        (&["more", "storage"], "storage", Desc, None), (&["bigger", "storage"], "storage", Desc, None),
        (&["larger", "storage"], "storage", Desc, None), (&["most", "storage"], "storage", Desc, None),
        (&["more", "space"], "storage", Desc, None),
        (&["more", "ram"], "memory", Desc, None), (&["more", "memory"], "memory", Desc, None),
        (&["most", "ram"], "memory", Desc, None), (&["most", "memory"], "memory", Desc, None),
        (&["bigger"], "size", Desc, None), (&["larger"], "size", Desc, None),
        (&["biggest"], "size", Desc, None), (&["largest"], "size", Desc, None),
        (&["smaller"], "size", Asc, None), (&["smallest"], "size", Asc, None),
        (&["more", "compact"], "size", Asc, None), (&["most", "compact"], "size", Asc, None),
        (&["faster"], "speed", Desc, None), (&["fastest"], "speed", Desc, None),
        (&["quicker"], "speed", Desc, None), (&["quickest"], "speed", Desc, None),
        (&["more", "powerful"], "power", Desc, None), (&["most", "powerful"], "power", Desc, None),
        (&["longer", "warranty"], "warranty", Desc, None), (&["better", "warranty"], "warranty", Desc, None),
        (&["longest", "warranty"], "warranty", Desc, None),
        (&["more", "capacity"], "capacity", Desc, None), (&["bigger", "capacity"], "capacity", Desc, None),
        (&["larger", "capacity"], "capacity", Desc, None), (&["holds", "more"], "capacity", Desc, None),
        (&["most", "capacity"], "capacity", Desc, None),
        (&["quieter"], "noise", Asc, None), (&["quietest"], "noise", Asc, None),
        (&["thinner"], "thickness", Asc, None), (&["thinnest"], "thickness", Asc, None),
        (&["brighter"], "brightness", Desc, None), (&["brightest"], "brightness", Desc, None),
        (&["newer"], "release", Desc, None), (&["newest"], "release", Desc, None),
        (&["better", "camera"], "camera", Desc, None), (&["best", "camera"], "camera", Desc, None),
    ]
};

/// Phrases that set only `sort`.
#[rustfmt::skip]
const SORT_ONLY: &[(&[&str], SortSlot)] = &[
    (&["cheap"], SortSlot::PriceAsc), (&["affordable"], SortSlot::PriceAsc),
    (&["inexpensive"], SortSlot::PriceAsc), (&["low", "price"], SortSlot::PriceAsc),
    (&["low", "priced"], SortSlot::PriceAsc), (&["low", "cost"], SortSlot::PriceAsc),
    (&["budget"], SortSlot::PriceAsc), (&["low", "to", "high"], SortSlot::PriceAsc),
    (&["price", "ascending"], SortSlot::PriceAsc), (&["sort", "by", "price"], SortSlot::PriceAsc),
    (&["not", "expensive"], SortSlot::PriceAsc), (&["not", "too", "expensive"], SortSlot::PriceAsc),
    (&["economical"], SortSlot::PriceAsc), (&["value", "for", "money"], SortSlot::PriceAsc),
    (&["premium"], SortSlot::PriceDesc), (&["luxury"], SortSlot::PriceDesc),
    (&["high", "end"], SortSlot::PriceDesc), (&["high", "to", "low"], SortSlot::PriceDesc),
    (&["price", "descending"], SortSlot::PriceDesc),
    (&["sort", "by", "rating"], SortSlot::Rating), (&["by", "rating"], SortSlot::Rating),
    (&["by", "ratings"], SortSlot::Rating), (&["well", "rated"], SortSlot::Rating),
    (&["good", "reviews"], SortSlot::Rating), (&["best", "reviews"], SortSlot::Rating),
];

impl Ctx<'_> {
    /// The longest comparative phrase starting at `i` (free tokens only).
    pub(super) fn comparative_at(
        &self,
        i: usize,
    ) -> Option<(Comparative, Option<SortSlot>, usize)> {
        let mut best: Option<(&CompEntry, usize)> = None;
        for e in COMPARATIVES {
            if let Some(end) = self.seq_free(i, e.0) {
                if best.is_none_or(|(_, b)| end > b) {
                    best = Some((e, end));
                }
            }
        }
        let ((_, attr, dir, sort), end) = best?;
        // "cheaper than $50" is a price bound (taken earlier); "not cheaper" flips nothing useful
        if self.is(end + 1, "than") && self.money_at(end + 2, true).is_some() {
            return None;
        }
        Some((
            Comparative {
                attribute: (*attr).to_string(),
                direction: *dir,
            },
            *sort,
            end,
        ))
    }

    pub(super) fn comparative_and_sort(&mut self) {
        let mut i = 0;
        while i < self.len() {
            if !self.free(i) {
                i += 1;
                continue;
            }
            if let Some((comp, sort, end)) = self.comparative_at(i) {
                if self.slots.comparative.is_none() {
                    self.slots.comparative = Some(comp);
                }
                if sort.is_some() && self.slots.sort.is_none() {
                    self.slots.sort = sort;
                }
                let end = if sort.is_some() { self.then_first(end) } else { end };
                self.mark(i, end, Used::Comparative);
                i = end + 1;
                continue;
            }
            let sort_hit = SORT_ONLY
                .iter()
                .filter_map(|(p, s)| self.seq_free(i, p).map(|e| (*s, e)))
                .max_by_key(|(_, e)| *e);
            if let Some((s, end)) = sort_hit {
                // "the same budget", "my budget": the budget already said, not a cheap sort
                let said_before = self.is(i, "budget") && self.prev_word(i).is_some_and(|p| self.is_any(p, &["same", "that", "this", "my", "our", "the"]));
                if said_before {
                    self.mark(self.prev_word(i).unwrap_or(i), i, Used::Comparative);
                    i += 1;
                    continue;
                }
                let negated = self
                    .prev_word(i)
                    .is_some_and(|p| self.is_any(p, &["not", "no", "never"]))
                    && !self.is(i, "not");
                // "budget" before an amount is a price bound, taken earlier
                if !negated && self.slots.sort.is_none() {
                    self.slots.sort = Some(s);
                }
                let first = self.then_first(end);
                if first > end {
                    self.mark(first, first, Used::Comparative);
                }
                i = first + 1;
                continue;
            }
            i += 1;
        }
    }

    /// The end of a sort phrase, with a "first" after it ("cheapest first", "top rated first").
    fn then_first(&self, end: usize) -> usize {
        if end + 1 < self.len() && self.free(end + 1) && self.is(end + 1, "first") { end + 1 } else { end }
    }
}
