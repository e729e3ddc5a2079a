//! E-mail address and order id, read first so that their tokens are never a price, a quantity
//! or a colour. **email**: the first plain `local@domain.tld`. **order_id**: after
//! `order`/`purchase` (+ `#`, `no.`, `number`, `id`, `is`): a number of ≥ 4 digits or a
//! letter/digit id (`ORD-48213-X`), not a decimal nor a count ("order 1000 units"); `#48213`; an
//! `ORD…`/`OD…` id anywhere; a bare number of ≥ 5 digits when the text speaks of
//! orders/packages/refunds (not after a currency sign). Returned as written, without `#`.

use super::context::{Ctx, Used};
use super::tokens::{Kind, is_currency_sym, letters_then_num};
use super::words::{FUNCTION_WORDS, ORDER_WORDS, statics};

fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_domain_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')
}

/// Finds the first plain e-mail address; returns its byte range.
fn find_email(text: &str) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    for (at, _) in text.match_indices('@') {
        let mut s = at;
        while s > 0 && is_local_byte(b[s - 1]) {
            s -= 1;
        }
        while s < at && b[s] == b'.' {
            s += 1;
        }
        let mut e = at + 1;
        while e < b.len() && is_domain_byte(b[e]) {
            e += 1;
        }
        while e > at + 1 && matches!(b[e - 1], b'.' | b'-') {
            e -= 1;
        }
        if s == at || e <= at + 1 {
            continue;
        }
        let domain = &text[at + 1..e];
        let Some(dot) = domain.rfind('.') else {
            continue;
        };
        let tld = &domain[dot + 1..];
        if dot > 0 && tld.len() >= 2 && tld.bytes().all(|c| c.is_ascii_alphabetic()) {
            return Some((s, e));
        }
    }
    None
}

/// Tokens allowed between an order word and the id.
#[rustfmt::skip]
const ORDER_FILLERS: &[&str] =
    &["#", "no", ".", "number", "num", "nr", "id", ":", "is", "was", "-", "ref", "reference", "="];
/// Words anywhere in the text that make a long bare number an order id.
#[rustfmt::skip]
const ORDER_CONTEXT: &[&str] = &[
    "order", "orders", "purchase", "package", "parcel", "shipment", "delivery", "tracking",
    "refund", "cancel", "return", "invoice", "shipped", "delivered", "arrive", "track",
];

impl Ctx<'_> {
    pub(super) fn email(&mut self, text: &str) {
        let Some((s, e)) = find_email(text) else {
            return;
        };
        self.slots.email = Some(text[s..e].to_string());
        for k in 0..self.len() {
            if self.toks[k].start < e && self.toks[k].end > s {
                self.used[k] = Used::Email;
            }
        }
    }

    /// The glued run of word/number tokens joined by `-`, `_` or `/` from `i` ("ORD-48213-X"):
    /// (last token, digit count, raw text).
    fn id_run(&self, i: usize) -> Option<(usize, usize, String)> {
        if !self.is_word(i) || !self.free(i) {
            return None;
        }
        let mut end = i;
        while matches!(self.key(end + 1), "-" | "_" | "/")
            && self.toks.get(end + 1).is_some_and(|t| t.glued)
            && self
                .toks
                .get(end + 2)
                .is_some_and(|t| t.glued && t.kind != Kind::Sym)
        {
            end += 2;
        }
        let raw = &self.toks[i].raw;
        let text: String = if end == i {
            raw.to_string()
        } else {
            self.toks[i..=end].iter().map(|t| t.raw).collect()
        };
        let digits = text.bytes().filter(u8::is_ascii_digit).count();
        Some((end, digits, text))
    }

    /// Whether the id candidate at `i` looks like one: ≥ 4 digits if only digits, else ≥ 3
    /// digits among letters; not a price, a decimal or a count ("order 1000 units").
    fn id_candidate(&self, i: usize) -> Option<(usize, String)> {
        let (end, digits, text) = self.id_run(i)?;
        let numeric = end == i && self.toks[i].kind == Kind::Num;
        if numeric && (text.contains('.') || text.contains(',')) {
            return None;
        }
        let ok = if numeric {
            digits >= 4
        } else {
            digits >= 3 && text.len() >= 4
        };
        let next = self.next_word(end);
        let counted =
            next.is_some_and(|n| statics().count_nouns.contains(self.key(n)) || self.is_unit_at(n));
        (ok && !counted).then_some((end, text))
    }

    pub(super) fn order_id(&mut self) {
        let has_context = (0..self.len()).any(|k| self.is_any(k, ORDER_CONTEXT));
        for i in 0..self.len() {
            if self.slots.order_id.is_some() {
                return;
            }
            if !self.free(i) {
                continue;
            }
            // "ORD-48213-X", "OD123456789" anywhere
            if let Some((end, id)) = self.prefixed_order_id(i) {
                self.take_order(i, end, id);
                continue;
            }
            // "order 48213", "order no. 48213", "order #48213", "order id: ABC123"
            if self.is_any(i, ORDER_WORDS) {
                let mut j = i + 1;
                let mut skipped = 0;
                while skipped < 4 && self.is_any(j, ORDER_FILLERS) {
                    j += 1;
                    skipped += 1;
                }
                if let Some((end, id)) = self.id_candidate(j) {
                    self.take_order(i, end, id);
                    continue;
                }
            }
            // "#48213"
            if self.key(i) == "#" && self.toks.get(i + 1).is_some_and(|t| t.glued) {
                if let Some((end, id)) = self.id_candidate(i + 1) {
                    if id.bytes().filter(u8::is_ascii_digit).count() >= 4 {
                        self.take_order(i, end, id);
                        continue;
                    }
                }
            }
            // a long bare number when the text talks about orders
            if has_context && self.toks[i].kind == Kind::Num && self.toks[i].norm.len() >= 5 {
                let prev_ok = match self.prev_word(i) {
                    None => true,
                    Some(p) => {
                        let pk = self.key(p);
                        FUNCTION_WORDS.contains(&pk)
                            || ORDER_CONTEXT.contains(&pk)
                            || matches!(
                                pk,
                                "my" | "is" | "was" | "number" | "id" | "with" | "where" | "status"
                            )
                    }
                };
                let money = i > 0 && is_currency_sym(self.key(i - 1));
                if prev_ok && !money {
                    if let Some((end, id)) = self.id_candidate(i) {
                        self.take_order(i, end, id);
                    }
                }
            }
        }
    }

    fn prefixed_order_id(&self, i: usize) -> Option<(usize, String)> {
        let t = self.toks.get(i)?;
        let lead = match t.kind {
            Kind::Word => t.norm.as_str(),
            Kind::Mixed => letters_then_num(&t.norm)?.0,
            _ => return None,
        };
        if !matches!(lead, "ord" | "od" | "order" | "ordr") {
            return None;
        }
        let (end, digits, text) = self.id_run(i)?;
        (digits >= 3 && (end > i || t.kind == Kind::Mixed)).then_some((end, text))
    }

    fn take_order(&mut self, from: usize, to: usize, id: String) {
        self.slots.order_id = Some(id);
        self.mark(from, to, Used::Order);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(find_email("write to x@y.org."), Some((9, 16)));
    }
}
