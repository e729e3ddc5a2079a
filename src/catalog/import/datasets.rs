//! The public retail datasets in `../shared/data/catalog/` (see its README), converted to the
//! catalog model. They are lower-cased or loosely structured, so each converter restores what
//! a shop's feed would carry: display casing, a category path, attributes, list and sale price.
//! None of them records stock, so every product is `in_stock`. Flipkart products that name no
//! brand get the one their title starts with, when the file shows where it ends
//! ([`super::title_brands`] has the rule).

use std::collections::HashMap;
use std::io::Read;

use super::{ImportReport, CsvInput, NonUtf8, field, require_columns, title_brands};
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
    let mut trees = Vec::new();
    csv.for_each_record(&mut report, NonUtf8::Latin1, |line, record, report| {
        let row = flipkart_row(record, &columns).map(|(product, tree)| {
            trees.push(tree);
            product
        });
        report.push(line, row);
    })?;
    remove_brand_shelves(&mut report.products);
    title_brands::fill_from_titles(&mut report.products, &trees);
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

/// One product, and its category tree as the source gives it less the trailing entries that
/// name the product itself (brand shelves kept: they tell where a brand in the title ends).
fn flipkart_row(record: &csv::StringRecord, columns: &HashMap<String, usize>) -> Result<(Product, Vec<String>), String> {
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
    // Compared without spaces or punctuation: "inc5 women wedges" names "inc.5 women wedges".
    let compact = |s: &str| fold(s).replace(' ', "");
    let compact_name = compact(name);
    let mut source_tree = tree.clone();
    while source_tree.last().is_some_and(|last| compact_name.starts_with(&compact(last))) {
        source_tree.pop();
    }
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
    Ok((product.validate(INR)?, source_tree))
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

    /// A Flipkart file of (name, category tree, brand column, specifications) rows; ids P0, P1…
    fn flipkart(rows: &[(&str, &str, &str, &str)]) -> ImportReport {
        let mut csv = String::from("pid,product_name,product_category_tree,retail_price,brand,product_specifications\n");
        for (i, (name, tree, brand, specs)) in rows.iter().enumerate() {
            csv.push_str(&format!("P{i},\"{name}\",\"{tree}\",100,{brand},\"{specs}\"\n"));
        }
        let report = read_flipkart(csv.as_bytes()).unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(report.products.len(), rows.len());
        report
    }

    fn brands(report: &ImportReport) -> Vec<Option<&str>> {
        report.products.iter().map(|p| p.brand.as_deref()).collect()
    }

    #[test]
    fn a_brand_another_row_gives_is_taken_from_the_title_longest_first() {
        let report = flipkart(&[
            ("carlton london wedge boots", "['footwear', 'boots']", "carlton london", "[]"),
            ("carlton belt", "['accessories', 'belts']", "carlton", "[]"),
            ("carlton london ankle boots", "['footwear', 'boots']", "", "[]"),
            ("carlton leather belt", "['accessories', 'belts']", "", "[]"),
            // A brand column that does not start its own title ("Slim" is the fit) is no
            // evidence for another title.
            ("parron men's shirt", "['clothing', 'shirts']", "slim", "[]"),
            ("slim fit men's jeans", "['clothing', 'jeans']", "", "[]"),
        ]);
        assert_eq!(
            brands(&report),
            vec![Some("Carlton London"), Some("Carlton"), Some("Carlton London"), Some("Carlton"), Some("Slim"), None]
        );
    }

    #[test]
    fn a_shelf_or_a_model_code_marks_where_the_brand_ends() {
        let report = flipkart(&[
            ("kms ironman_look_led_black11 digital watch", "['watches', 'wrist watches', 'kms wrist watches']", "", "[]"),
            ("ozel studio casual solid women's top", "['clothing', 'tops', 'ozel studio tops']", "", "[]"),
            ("dumdaar.com women's gathered dress", "['clothing', 'dresses', 'dumdaarcom dresses']", "", "[]"),
            ("cobra paris co6394a1 analog watch", "['watches', 'wrist watches']", "", "[{'key': 'Style Code', 'value': 'CO6394A1'}]"),
            ("aries gold g 729 s-bk analog watch", "['watches', 'wrist watches']", "", "[{'key': 'Style Code', 'value': 'G 729 S-BK'}]"),
        ]);
        assert_eq!(
            brands(&report),
            vec![Some("Kms"), Some("Ozel Studio"), Some("Dumdaar.com"), Some("Cobra Paris"), Some("Aries Gold")]
        );
        assert_eq!(report.products[0].product_type.as_deref(), Some("Watches > Wrist Watches"), "the shelf is still cut");
    }

    #[test]
    fn a_makers_line_gives_a_brand_where_its_titles_agree_on_the_end() {
        let report = flipkart(&[
            ("salt n pepper 13-019 femme boots", "['footwear', 'boots']", "", "[]"),
            ("salt n pepper 14-664 denny black boots", "['footwear', 'boots']", "", "[]"),
            ("zorba cotton kurta", "['clothing', 'kurtas']", "", "[]"),
            ("zorba silk kurta", "['clothing', 'kurtas']", "", "[]"),
            // "Carlton" or "Carlton London"? The file cannot tell.
            ("carlton boots", "['footwear', 'boots']", "", "[]"),
            ("carlton london boots", "['footwear', 'boots']", "", "[]"),
            // One name of its own before the kind of product.
            ("roxy boots", "['footwear', 'boots']", "", "[]"),
        ]);
        assert_eq!(
            brands(&report),
            vec![Some("Salt N Pepper"), Some("Salt N Pepper"), Some("Zorba"), Some("Zorba"), None, None, Some("Roxy")]
        );
    }

    #[test]
    fn a_common_leading_word_is_never_a_brand() {
        let report = flipkart(&[
            // "Printed" follows the first word in three lines' titles: a common word here.
            ("acme printed mug", "['kitchen', 'mugs']", "acme", "[]"),
            ("zeta printed shirt", "['clothing', 'shirts']", "zeta", "[]"),
            ("orbo printed cap", "['clothing', 'caps']", "orbo", "[]"),
            ("printed cotton kurta", "['clothing', 'kurtas']", "", "[]"),
            ("printed silk kurta", "['clothing', 'kurtas']", "", "[]"),
            // Colours, audiences and materials, and the words of category names.
            ("black leather boots", "['footwear', 'boots']", "", "[]"),
            ("black suede boots", "['footwear', 'boots']", "", "[]"),
            ("women's solid top", "['clothing', 'tops']", "", "[]"),
            ("kurtas for festive wear", "['clothing', 'kurtas']", "", "[]"),
            // A shelf of an audience is not a brand's.
            ("kids printed t-shirt", "['clothing', 'kids clothing']", "", "[]"),
        ]);
        assert_eq!(brands(&report)[3..], [None; 7]);
    }

    #[test]
    fn title_case_keeps_small_words_and_codes() {
        assert_eq!(title_case("speedwav 240450 sun shade for maruti wagonr"), "Speedwav 240450 Sun Shade for Maruti Wagonr");
        assert_eq!(title_case("for men"), "For Men");
    }
}
