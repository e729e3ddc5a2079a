//! The product record: field names from Google Merchant Center's product data specification,
//! plus free `attributes`, `rating`, `review_count` and grouped `variants`.
//!
//! A [`Product`] is only ever built through [`Product::validate`], so every product the index
//! holds has an id, a title, a finite non-negative price and fields within the size limits.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Longest accepted id, in bytes (Merchant Center allows 50; shops' own ids run longer).
pub const MAX_ID_BYTES: usize = 128;
/// Longest accepted title, in characters (Merchant Center: 150).
pub const MAX_TITLE_CHARS: usize = 1_000;
/// Longest accepted description, in characters (Merchant Center: 5,000).
pub const MAX_DESCRIPTION_CHARS: usize = 20_000;
/// Longest accepted value of any other text field or attribute, in characters.
pub const MAX_FIELD_CHARS: usize = 2_000;
/// Most attributes one product may carry.
pub const MAX_ATTRIBUTES: usize = 200;

/// A price: an amount in the currency's major unit and an ISO 4217 code.
///
/// On the wire it is Merchant Center's `"15.00 USD"`; a bare number is also read, in the
/// catalog's default currency.
#[derive(Debug, Clone, PartialEq)]
pub struct Money {
    pub amount: f64,
    pub currency: String,
}

impl Money {
    pub fn new(amount: f64, currency: impl Into<String>) -> Self {
        Self { amount, currency: currency.into() }
    }

    /// Parses `"15.00 USD"`, `"USD 15"`, `"$1,299.99"`, `"₹499"` or `"15"` (then in
    /// `default_currency`).
    pub fn parse(text: &str, default_currency: &str) -> Result<Money, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("price is empty".into());
        }
        let mut currency: Option<String> = None;
        let mut number = String::new();
        for part in text.split_whitespace() {
            if part.len() == 3 && part.chars().all(|c| c.is_ascii_alphabetic()) {
                currency = Some(part.to_ascii_uppercase());
            } else {
                number.push_str(part);
            }
        }
        let symbols = [("$", "USD"), ("€", "EUR"), ("£", "GBP"), ("₹", "INR"), ("¥", "JPY")];
        for (symbol, code) in symbols {
            if let Some(rest) = number.strip_prefix(symbol) {
                currency.get_or_insert_with(|| code.to_string());
                number = rest.to_string();
            }
        }
        let digits: String = number.chars().filter(|c| *c != ',').collect();
        let amount: f64 = digits
            .parse()
            .map_err(|_| format!("price '{text}' is not a number with an optional currency"))?;
        let money = Money { amount, currency: currency.unwrap_or_else(|| default_currency.into()) };
        money.check()?;
        Ok(money)
    }

    fn check(&self) -> Result<(), String> {
        if !self.amount.is_finite() || self.amount < 0.0 {
            return Err(format!("price {} is not a non-negative amount", self.amount));
        }
        if self.amount > 1e12 {
            return Err(format!("price {} is implausibly large", self.amount));
        }
        if self.currency.len() != 3 || !self.currency.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(format!("currency '{}' is not an ISO 4217 code", self.currency));
        }
        Ok(())
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2} {}", self.amount, self.currency)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Number(f64),
        }
        match Raw::deserialize(d)? {
            // An empty currency marks "the catalog's default"; `Product::validate` fills it in.
            Raw::Number(amount) => Ok(Money { amount, currency: String::new() }),
            Raw::Text(text) => Money::parse(&text, "").or_else(|err| {
                if err.starts_with("currency ''") {
                    let amount = text.trim().replace(',', "").parse().map_err(serde::de::Error::custom)?;
                    Ok(Money { amount, currency: String::new() })
                } else {
                    Err(serde::de::Error::custom(err))
                }
            }),
        }
    }
}

/// Merchant Center's `availability`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    #[default]
    InStock,
    OutOfStock,
    Preorder,
    Backorder,
}

impl Availability {
    pub fn parse(text: &str) -> Result<Availability, String> {
        let key: String = text
            .trim()
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c == ' ' || c == '-' { '_' } else { c })
            .collect();
        match key.as_str() {
            "" | "in_stock" | "instock" | "available" | "true" | "yes" => Ok(Self::InStock),
            "out_of_stock" | "outofstock" | "sold_out" | "unavailable" | "false" | "no" => Ok(Self::OutOfStock),
            "preorder" | "pre_order" => Ok(Self::Preorder),
            "backorder" | "back_order" => Ok(Self::Backorder),
            _ => Err(format!(
                "availability '{}' is not one of in_stock, out_of_stock, preorder, backorder",
                text.trim()
            )),
        }
    }

    pub fn is_in_stock(self) -> bool {
        self == Self::InStock
    }
}

impl<'de> Deserialize<'de> for Availability {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Availability::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// One purchasable variant of a product (a size, a colour), as grouped by Shopify's export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    pub id: String,
    /// Option name to value, e.g. `Size` → `10`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
    pub price: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sale_price: Option<Money>,
    #[serde(default)]
    pub availability: Availability,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gtin: Option<String>,
}

/// A product as the catalog holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_link: Option<String>,
    #[serde(default)]
    pub availability: Availability,
    pub price: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sale_price: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gtin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mpn: Option<String>,
    /// Category path, `"Home > Kitchen > Mugs"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub material: Option<String>,
    /// Free specifications, e.g. `"Battery Life"` → `"10 hours"`.
    #[serde(default, deserialize_with = "attributes_from_any", skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_count: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<Variant>,
}

/// Attribute values may be strings, numbers or booleans in a feed; they are kept as text.
fn attributes_from_any<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    let raw = Option::<BTreeMap<String, serde_json::Value>>::deserialize(d)?.unwrap_or_default();
    attributes_from_json(raw).map_err(serde::de::Error::custom)
}

/// Attributes from a JSON object's entries: text, numbers and booleans kept as text, nulls
/// dropped, anything else an error.
pub(crate) fn attributes_from_json(raw: BTreeMap<String, serde_json::Value>) -> Result<BTreeMap<String, String>, String> {
    raw.into_iter()
        .filter_map(|(key, value)| match value {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(Ok((key, s))),
            serde_json::Value::Number(n) => Some(Ok((key, n.to_string()))),
            serde_json::Value::Bool(b) => Some(Ok((key, b.to_string()))),
            other => Some(Err(format!("attribute '{key}' must be text, a number or a boolean, not {other}"))),
        })
        .collect()
}

impl Product {
    /// A product with the required fields and everything else empty.
    pub fn new(id: impl Into<String>, title: impl Into<String>, price: Money) -> Self {
        Self {
            id: id.into(),
            title: title.into(),
            description: String::new(),
            link: None,
            image_link: None,
            availability: Availability::InStock,
            price,
            sale_price: None,
            brand: None,
            gtin: None,
            mpn: None,
            product_type: None,
            color: None,
            size: None,
            gender: None,
            material: None,
            attributes: BTreeMap::new(),
            rating: None,
            review_count: None,
            variants: Vec::new(),
        }
    }

    /// The price a shopper pays now: the sale price when there is one.
    pub fn effective_price(&self) -> &Money {
        self.sale_price.as_ref().unwrap_or(&self.price)
    }

    pub fn in_stock(&self) -> bool {
        self.availability.is_in_stock()
    }

    /// Category path segments, `["Home", "Kitchen", "Mugs"]`.
    pub fn category_path(&self) -> Vec<&str> {
        self.product_type
            .as_deref()
            .map(split_category_path)
            .unwrap_or_default()
    }

    /// Normalizes and checks a product read from a feed: trims text, drops empty optional
    /// fields, fills a missing currency with `default_currency`, and rejects what the catalog
    /// cannot hold, saying why.
    pub fn validate(mut self, default_currency: &str) -> Result<Product, String> {
        self.id = clean(&self.id);
        self.title = clean(&self.title);
        self.description = self.description.trim().to_string();
        if self.id.is_empty() {
            return Err("id is empty".into());
        }
        if self.id.len() > MAX_ID_BYTES {
            return Err(format!("id is {} bytes long; the limit is {MAX_ID_BYTES}", self.id.len()));
        }
        if self.title.is_empty() {
            return Err("title is empty".into());
        }
        check_len("title", &self.title, MAX_TITLE_CHARS)?;
        check_len("description", &self.description, MAX_DESCRIPTION_CHARS)?;
        for (name, field) in [
            ("link", &mut self.link),
            ("image_link", &mut self.image_link),
            ("brand", &mut self.brand),
            ("gtin", &mut self.gtin),
            ("mpn", &mut self.mpn),
            ("product_type", &mut self.product_type),
            ("color", &mut self.color),
            ("size", &mut self.size),
            ("gender", &mut self.gender),
            ("material", &mut self.material),
        ] {
            *field = field.as_deref().map(clean).filter(|v| !v.is_empty());
            if let Some(value) = field {
                check_len(name, value, MAX_FIELD_CHARS)?;
            }
        }
        if self.attributes.len() > MAX_ATTRIBUTES {
            return Err(format!("{} attributes; the limit is {MAX_ATTRIBUTES}", self.attributes.len()));
        }
        self.attributes = std::mem::take(&mut self.attributes)
            .into_iter()
            .map(|(k, v)| (clean(&k), clean(&v)))
            .filter(|(k, v)| !k.is_empty() && !v.is_empty())
            .collect();
        for (key, value) in &self.attributes {
            check_len("attribute name", key, MAX_FIELD_CHARS)?;
            check_len(&format!("attribute '{key}'"), value, MAX_FIELD_CHARS)?;
        }
        fix_prices(&mut self.price, &mut self.sale_price, default_currency)?;
        if self.price.amount == 0.0 && self.variants.is_empty() {
            return Err("price is 0: a product without a price cannot be offered".into());
        }
        for variant in &mut self.variants {
            fix_prices(&mut variant.price, &mut variant.sale_price, default_currency)
                .map_err(|e| format!("variant {}: {e}", variant.id))?;
        }
        if let Some(rating) = self.rating {
            if !(0.0..=5.0).contains(&rating) {
                return Err(format!("rating {rating} is outside 0 to 5"));
            }
        }
        Ok(self)
    }
}

fn fix_prices(price: &mut Money, sale: &mut Option<Money>, default_currency: &str) -> Result<(), String> {
    for money in std::iter::once(&mut *price).chain(sale.as_mut()) {
        if money.currency.is_empty() {
            money.currency = default_currency.to_string();
        }
        money.check()?;
    }
    if let Some(s) = sale {
        if s.currency != price.currency {
            return Err(format!("sale_price is in {} but price is in {}", s.currency, price.currency));
        }
        if s.amount > price.amount {
            return Err(format!("sale_price {s} is higher than price {price}"));
        }
        if s.amount == price.amount {
            *sale = None;
        }
    }
    Ok(())
}

fn check_len(name: &str, value: &str, limit: usize) -> Result<(), String> {
    let chars = value.chars().count();
    if chars > limit {
        return Err(format!("{name} is {chars} characters long; the limit is {limit}"));
    }
    Ok(())
}

/// Trims, folds runs of white space and removes control characters.
pub(crate) fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(|c: char| c.is_whitespace() || c.is_control()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Splits `"A > B > C"` (Merchant Center) or `"A/B/C"`-free paths into trimmed segments.
pub fn split_category_path(path: &str) -> Vec<&str> {
    path.split('>').map(str::trim).filter(|s| !s.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_parses_merchant_center_and_symbols() {
        assert_eq!(Money::parse("15.00 USD", "EUR").unwrap(), Money::new(15.0, "USD"));
        assert_eq!(Money::parse("usd 15", "EUR").unwrap(), Money::new(15.0, "USD"));
        assert_eq!(Money::parse("$1,299.99", "EUR").unwrap(), Money::new(1299.99, "USD"));
        assert_eq!(Money::parse("₹499", "USD").unwrap(), Money::new(499.0, "INR"));
        assert_eq!(Money::parse("12", "INR").unwrap(), Money::new(12.0, "INR"));
        assert!(Money::parse("abc", "USD").is_err());
        assert!(Money::parse("-3 USD", "USD").is_err());
        assert!(Money::parse("NaN USD", "USD").is_err());
        assert!(Money::parse("", "USD").is_err());
        assert_eq!(Money::new(3.5, "INR").to_string(), "3.50 INR");
    }

    #[test]
    fn validate_rejects_what_the_catalog_cannot_hold() {
        let ok = Product::new("a", "Mug", Money::new(10.0, ""));
        assert_eq!(ok.clone().validate("INR").unwrap().price.currency, "INR");
        let mut p = ok.clone();
        p.sale_price = Some(Money::new(12.0, "INR"));
        assert!(p.validate("INR").unwrap_err().contains("higher than price"));
        let mut p = ok.clone();
        p.sale_price = Some(Money::new(10.0, "INR"));
        assert_eq!(p.validate("INR").unwrap().sale_price, None, "an equal sale price is no sale");
        let mut p = ok.clone();
        p.title = "x".repeat(MAX_TITLE_CHARS + 1);
        assert!(p.validate("INR").unwrap_err().contains("title is 1001 characters"));
        let mut p = ok.clone();
        p.id = " \t ".into();
        assert_eq!(p.validate("INR").unwrap_err(), "id is empty");
        let mut p = ok;
        p.rating = Some(7.0);
        assert!(p.validate("INR").is_err());
    }

    #[test]
    fn clean_folds_space_and_controls() {
        assert_eq!(clean("  a\u{0}b \n\t c  "), "a b c");
    }
}
