//! The public retail datasets in `../shared/data/catalog/` (see its README), converted to the
//! catalog model. They are lower-cased or loosely structured, so each converter restores what
//! a shop's feed would carry: display casing, a category path, attributes, list and sale price.
//! None of them records stock, so every product is `in_stock`.

use std::collections::HashMap;
use std::io::Read;

use super::{ImportReport, CsvInput, NonUtf8, field, require_columns};
use crate::catalog::CatalogError;
use crate::catalog::product::{Money, Product};
use crate::catalog::schema::fold;

const INR: &str = "INR";

/// PromptCloud's Flipkart sample: lower-case names and category trees, specifications as a
/// Python-literal list of `{'key': …, 'value': …}`, retail and discounted price in INR.
pub(super) fn read_flipkart(input: impl Read) -> Result<ImportReport, CatalogError> {
    let csv = CsvInput::read(input, b',')?;
    let columns = csv.columns()?;
    require_columns(&columns, &["pid", "product_name", "retail_price"])?;
    let mut report = ImportReport::default();
    csv.for_each_record(&mut report, NonUtf8::Latin1, |line, record, report| {
        report.push(line, flipkart_row(record, &columns));
    })?;
    remove_brand_shelves(&mut report.products);
    Ok(report)
}

/// Cuts category paths at a brand's shelf: a segment that repeats its parent's name after a
/// known brand or after the start of the product's title ("Watches > Wrist Watches > Titan
/// Wrist Watches"). "Footwear > Womens Footwear" and "Toys > Comfort Toys" stay.
fn remove_brand_shelves(products: &mut [Product]) {
    // Compared without spaces or punctuation: the trees lost apostrophes ("Kripas" for "Kripa's").
    let compact = |s: &str| fold(s).replace(' ', "");
    let brands: std::collections::HashSet<String> = products.iter().filter_map(|p| p.brand.as_deref()).map(compact).collect();
    for product in products {
        let Some(path) = product.product_type.as_deref() else { continue };
        let segments: Vec<String> = crate::catalog::product::split_category_path(path).iter().map(|s| s.to_string()).collect();
        let title = compact(&product.title);
        let shelf = (1..segments.len()).find(|&i| {
            let (segment, parent) = (compact(&segments[i]), compact(&segments[i - 1]));
            segment
                .strip_suffix(&parent)
                .is_some_and(|prefix| !prefix.is_empty() && (brands.contains(prefix) || title.starts_with(prefix)))
        });
        if let Some(at) = shelf {
            product.product_type = Some(segments[..at].join(" > "));
        }
    }
}

fn flipkart_row(record: &csv::StringRecord, columns: &HashMap<String, usize>) -> Result<Product, String> {
    let get = |name: &str| field(record, columns, name);
    let (price, sale_price) = list_and_sale(get("retail_price"), get("discounted_price"))?;
    let name = get("product_name").unwrap_or("");
    let mut product = Product::new(get("pid").unwrap_or(""), title_case(name), price);
    product.sale_price = sale_price;
    product.link = get("product_url").map(str::to_string);
    product.image_link = get("image").and_then(|images| python_strings(images).into_iter().next());
    product.description = get("description").unwrap_or("").to_string();
    let specs = get("product_specifications").map(flipkart_specs).unwrap_or_default();
    for (key, value) in specs {
        product.attributes.entry(key).or_insert(value);
    }
    let spec = |names: &[&str]| names.iter().find_map(|n| product.attributes.get(*n).cloned());
    let brand = get("brand").map(str::to_string).or_else(|| spec(&["Brand"]));
    product.brand = brand.map(|b| title_case(&b));
    product.color = spec(&["Color", "Colour", "Frame Color", "Strap Color"]);
    product.size = spec(&["Size"]);
    product.gender = spec(&["Ideal For"]);
    product.material = spec(&["Material", "Outer Material", "Fabric", "Body Material"]);
    product.mpn = spec(&["Model Number", "Model ID"]);
    // The tree often ends in the product itself or a brand's shelf ("... > Titan Wrist
    // Watches"); those are not categories.
    let folded_name = fold(name);
    let brand_prefix = product.brand.as_deref().map(|b| format!("{} ", fold(b)));
    let mut tree = get("product_category_tree").map(python_strings).unwrap_or_default();
    while let Some(last) = tree.last().map(|s| fold(s)) {
        let names_product = folded_name.starts_with(&last) || last.len() > 40;
        let names_brand = brand_prefix.as_deref().is_some_and(|b| last.starts_with(b));
        if !(names_product || names_brand) {
            break;
        }
        tree.pop();
    }
    let path: Vec<String> = tree.iter().map(|s| title_case(&s.replace("  ", " & "))).filter(|s| !s.is_empty()).collect();
    product.product_type = (!path.is_empty()).then(|| path.join(" > "));
    product.rating = get("product_rating").and_then(|r| r.parse::<f32>().ok()).filter(|r| *r > 0.0);
    product.validate(INR)
}

/// Myntra's apparel catalog: name, brand, gender, one price (INR), description, colour.
pub(super) fn read_myntra(input: impl Read) -> Result<ImportReport, CatalogError> {
    let csv = CsvInput::read(input, b',')?;
    let columns = csv.columns()?;
    require_columns(&columns, &["productid", "productname", "price_(inr)"])?;
    let mut report = ImportReport::default();
    csv.for_each_record(&mut report, NonUtf8::Latin1, |line, record, report| {
        let get = |name: &str| field(record, &columns, name);
        let product = Money::parse(get("price_(inr)").unwrap_or(""), INR).and_then(|price| {
            let id = get("productid").map(|id| format!("myntra-{id}")).unwrap_or_default();
            let mut p = Product::new(id, get("productname").unwrap_or(""), price);
            p.brand = get("productbrand").map(str::to_string);
            p.gender = get("gender").map(str::to_string);
            p.color = get("primarycolor").map(str::to_string);
            p.description = get("description").unwrap_or("").replace('\u{fffd}', " ");
            let gender = p.gender.clone().unwrap_or_else(|| "Unisex".into());
            p.product_type = Some(format!("Clothing & Accessories > {gender}"));
            p.validate(INR)
        });
        report.push(line, product);
    })?;
    Ok(report)
}

/// BigBasket's product list: category, sub-category and type, brand, sale and market price
/// (INR), rating.
pub(super) fn read_bigbasket(input: impl Read) -> Result<ImportReport, CatalogError> {
    let csv = CsvInput::read(input, b',')?;
    let columns = csv.columns()?;
    require_columns(&columns, &["index", "product", "market_price"])?;
    let mut report = ImportReport::default();
    csv.for_each_record(&mut report, NonUtf8::Latin1, |line, record, report| {
        let get = |name: &str| field(record, &columns, name);
        let product = list_and_sale(get("market_price"), get("sale_price")).and_then(|(price, sale)| {
            let id = get("index").map(|id| format!("bb-{id}")).unwrap_or_default();
            let mut p = Product::new(id, get("product").unwrap_or(""), price);
            p.sale_price = sale;
            p.brand = get("brand").map(str::to_string);
            let path: Vec<&str> = ["category", "sub_category", "type"].iter().filter_map(|c| get(c)).collect();
            p.product_type = (!path.is_empty()).then(|| path.join(" > "));
            p.rating = get("rating").and_then(|r| r.parse::<f32>().ok()).filter(|r| (0.0..=5.0).contains(r) && *r > 0.0);
            p.validate(INR)
        });
        report.push(line, product);
    })?;
    Ok(report)
}

/// Retail (list) and discounted price: the discount becomes `sale_price` when it is lower.
fn list_and_sale(list: Option<&str>, sale: Option<&str>) -> Result<(Money, Option<Money>), String> {
    let list = Money::parse(list.ok_or("list price is empty")?, INR)?;
    let sale = sale.map(|s| Money::parse(s, INR)).transpose()?;
    Ok(match sale {
        Some(s) if s.amount < list.amount => (list, Some(s)),
        Some(s) if s.amount > list.amount => (s, None),
        _ => (list, None),
    })
}

/// The quoted strings of a Python list literal: `['a', "b's"]` → `a`, `b's`.
fn python_strings(literal: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = literal.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' || c == '"' {
            let mut s = String::new();
            while let Some(d) = chars.next() {
                match d {
                    '\\' => {
                        if let Some(e) = chars.next() {
                            s.push(e);
                        }
                    }
                    d if d == c => break,
                    d => s.push(d),
                }
            }
            out.push(s);
        }
    }
    out
}

/// Flipkart's specifications: `[{'key': 'Ideal For', 'value': 'Women'}, {'value': '…'}]`.
/// Entries without a key are dropped.
fn flipkart_specs(literal: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in literal.split('}') {
        let strings = python_strings(entry);
        let mut key = None;
        let mut value = None;
        let mut it = strings.iter();
        while let Some(name) = it.next() {
            match name.as_str() {
                "key" => key = it.next().cloned(),
                "value" => value = it.next().cloned(),
                _ => {}
            }
        }
        if let (Some(k), Some(v)) = (key, value) {
            if !k.trim().is_empty() && !v.trim().is_empty() {
                out.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
    }
    out
}

/// Display casing for lower-case source text: each word capitalized, short joining words kept
/// lower case after the first, words with digits kept as they are.
pub(crate) fn title_case(text: &str) -> String {
    const SMALL: &[&str] = &["a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"];
    text.split_whitespace()
        .enumerate()
        .map(|(i, word)| {
            if (i > 0 && SMALL.contains(&word)) || word.chars().any(|c| c.is_ascii_digit()) {
                word.to_string()
            } else {
                match word.char_indices().find(|(_, c)| c.is_alphabetic()) {
                    Some((at, first)) => format!("{}{}{}", &word[..at], first.to_uppercase(), &word[at + first.len_utf8()..]),
                    None => word.to_string(),
                }
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_literals() {
        assert_eq!(python_strings(r#"["a b", 'c\'d', "e's"]"#), vec!["a b", "c'd", "e's"]);
        let specs = flipkart_specs("[{'key': 'Ideal For', 'value': 'Women'}, {'value': 'One Pair'}, {'key': 'Color', 'value': 'Red'}]");
        assert_eq!(specs, vec![("Ideal For".into(), "Women".into()), ("Color".into(), "Red".into())]);
    }

    #[test]
    fn title_case_keeps_small_words_and_codes() {
        assert_eq!(title_case("speedwav 240450 sun shade for maruti wagonr"), "Speedwav 240450 Sun Shade for Maruti Wagonr");
        assert_eq!(title_case("for men"), "For Men");
    }
}
