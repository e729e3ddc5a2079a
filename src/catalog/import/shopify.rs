//! Shopify's product CSV export. Rows share a `Handle`: the first carries the product (title,
//! body, vendor, option names), every row with a price is a variant, rows with only an image
//! add images. One product per handle, with its variants; the product's price is its cheapest
//! variant's, and it is in stock when any variant is.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use super::{ImportOptions, ImportReport, CsvInput, NonUtf8, field, require_columns};
use crate::catalog::CatalogError;
use crate::catalog::product::{Availability, Money, Product, Variant};

struct Group {
    line: u64,
    product: Option<Product>,
    option_names: [Option<String>; 3],
    variants: Vec<Variant>,
    images: Vec<String>,
    rejected: Option<String>,
}

pub(super) fn read(input: impl Read, options: &ImportOptions) -> Result<ImportReport, CatalogError> {
    let csv = CsvInput::read(input, b',')?;
    let columns = csv.columns()?;
    require_columns(&columns, &["handle", "title", "variant_price"])?;
    let mut report = ImportReport::default();
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, Group> = HashMap::new();
    csv.for_each_record(&mut report, NonUtf8::Reject, |line, record, report| {
        let get = |name: &str| field(record, &columns, name);
        let Some(handle) = get("handle") else {
            report.reject(line, "Handle is empty");
            return;
        };
        let group = groups.entry(handle.to_string()).or_insert_with(|| {
            order.push(handle.to_string());
            Group { line, product: None, option_names: [None, None, None], variants: Vec::new(), images: Vec::new(), rejected: None }
        });
        if group.product.is_none() && get("title").is_some() {
            match head(handle, &get, options) {
                Ok(product) => group.product = Some(product),
                Err(reason) => group.rejected = Some(reason),
            }
            for (i, name) in group.option_names.iter_mut().enumerate() {
                *name = get(&format!("option{}_name", i + 1)).map(str::to_string);
            }
            group.line = line;
        }
        if let Some(src) = get("image_src") {
            group.images.push(src.to_string());
        }
        if get("variant_price").is_some() {
            match variant(handle, group.variants.len(), &group.option_names, &get, options) {
                Ok(v) => group.variants.push(v),
                Err(reason) => report.reject(line, reason),
            }
        }
    })?;
    for handle in order {
        let group = groups.remove(&handle).expect("every handle in order has a group");
        report.push(group.line, finish(&handle, group, options));
    }
    report.errors.sort_by_key(|e| e.line);
    Ok(report)
}

fn head<'a>(handle: &str, get: &impl Fn(&str) -> Option<&'a str>, options: &ImportOptions) -> Result<Product, String> {
    if let Some(status) = get("status") {
        if !status.eq_ignore_ascii_case("active") {
            return Err(format!("product '{handle}' has status {status}; only active products are imported"));
        }
    } else if get("published").is_some_and(|p| p.eq_ignore_ascii_case("false")) {
        return Err(format!("product '{handle}' is not published"));
    }
    let mut product = Product::new(handle, get("title").unwrap_or(""), Money::new(0.0, options.default_currency.clone()));
    product.description = strip_html(get("body_(html)").unwrap_or(""));
    product.brand = get("vendor").map(str::to_string);
    product.product_type = get("product_category").or_else(|| get("type")).map(str::to_string);
    if let Some(tags) = get("tags") {
        product.attributes.insert("Tags".into(), tags.to_string());
    }
    if let Some(kind) = get("type") {
        product.attributes.insert("Type".into(), kind.to_string());
    }
    product.gender = get("google_shopping_/_gender").map(str::to_string);
    product.color = get("google_shopping_/_color").map(str::to_string);
    Ok(product)
}

fn variant<'a>(
    handle: &str,
    index: usize,
    option_names: &[Option<String>; 3],
    get: &impl Fn(&str) -> Option<&'a str>,
    options: &ImportOptions,
) -> Result<Variant, String> {
    let currency = &options.default_currency;
    let price = Money::parse(get("variant_price").unwrap_or(""), currency).map_err(|e| format!("Variant Price: {e}"))?;
    let compare_at = get("variant_compare_at_price")
        .map(|p| Money::parse(p, currency))
        .transpose()
        .map_err(|e| format!("Variant Compare At Price: {e}"))?;
    // Shopify's compare-at price is the list price and the variant price what is charged.
    let (price, sale_price) = match compare_at {
        Some(list) if list.amount > price.amount => (list, Some(price)),
        _ => (price, None),
    };
    let mut opts = BTreeMap::new();
    for (i, name) in option_names.iter().enumerate() {
        if let (Some(name), Some(value)) = (name, get(&format!("option{}_value", i + 1))) {
            if !(name == "Title" && value == "Default Title") {
                opts.insert(name.clone(), value.to_string());
            }
        }
    }
    let qty = get("variant_inventory_qty").map(|q| q.parse::<i64>().map_err(|_| format!("Variant Inventory Qty '{q}' is not a whole number"))).transpose()?;
    let tracked = get("variant_inventory_tracker").is_some();
    let availability = match (tracked, qty) {
        (true, Some(q)) if q <= 0 => match get("variant_inventory_policy") {
            Some(p) if p.eq_ignore_ascii_case("continue") => Availability::Backorder,
            _ => Availability::OutOfStock,
        },
        _ => Availability::InStock,
    };
    Ok(Variant {
        id: get("variant_sku").map(str::to_string).unwrap_or_else(|| format!("{handle}-{}", index + 1)),
        options: opts,
        price,
        sale_price,
        availability,
        gtin: get("variant_barcode").map(str::to_string),
    })
}

fn finish(handle: &str, group: Group, options: &ImportOptions) -> Result<Product, String> {
    if let Some(reason) = group.rejected {
        return Err(reason);
    }
    let mut product = group.product.ok_or_else(|| format!("product '{handle}' has no row with a Title"))?;
    if group.variants.is_empty() {
        return Err(format!("product '{handle}' has no variant with a valid price"));
    }
    // The cheapest variant in stock sets the price; when none is in stock, the cheapest.
    let cheapest_of = |in_stock_only: bool| {
        group
            .variants
            .iter()
            .filter(|v| !in_stock_only || v.availability.is_in_stock())
            .min_by(|a, b| effective(a).total_cmp(&effective(b)))
    };
    let cheapest = cheapest_of(true).or_else(|| cheapest_of(false)).expect("at least one variant");
    product.price = cheapest.price.clone();
    product.sale_price = cheapest.sale_price.clone();
    product.availability = if group.variants.iter().any(|v| v.availability.is_in_stock()) {
        Availability::InStock
    } else {
        group.variants[0].availability
    };
    if group.variants.len() == 1 {
        product.gtin = group.variants[0].gtin.clone();
    }
    for (key, slot) in [("color", &mut product.color), ("size", &mut product.size)] {
        let values: Vec<&String> = group
            .variants
            .iter()
            .filter_map(|v| v.options.iter().find(|(k, _)| k.eq_ignore_ascii_case(key) || (key == "color" && k.eq_ignore_ascii_case("colour"))).map(|(_, v)| v))
            .collect();
        if slot.is_none() && !values.is_empty() && values.iter().all(|v| *v == values[0]) {
            *slot = Some(values[0].clone());
        }
    }
    product.image_link = group.images.into_iter().next();
    product.variants = group.variants;
    product.validate(&options.default_currency)
}

fn effective(v: &Variant) -> f64 {
    v.sale_price.as_ref().unwrap_or(&v.price).amount
}

/// Text of an HTML fragment: tags dropped (block tags become spaces), common entities decoded.
pub(crate) fn strip_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        match rest[open..].find('>') {
            Some(close) => {
                out.push(' ');
                rest = &rest[open + close + 1..];
            }
            None => {
                rest = &rest[open..];
                break;
            }
        }
    }
    out.push_str(rest);
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    crate::catalog::product::clean(&decoded)
}

#[cfg(test)]
mod tests {
    use super::strip_html;

    #[test]
    fn strip_html_keeps_text() {
        assert_eq!(strip_html("<p>Soft &amp; warm</p><ul><li>wool</li></ul>"), "Soft & warm wool");
        assert_eq!(strip_html("a < b"), "a < b");
    }
}
