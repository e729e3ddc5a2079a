//! CSV and TSV feeds with Merchant Center headers (`id`, `title`, `price`, …; `image link` and
//! `image_link` alike). Columns that are not product fields become `attributes`; a column named
//! `attributes` may hold a JSON object.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use super::{ImportOptions, ImportReport, CsvInput, NonUtf8, field, require_columns};
use crate::catalog::CatalogError;
use crate::catalog::product::{Availability, Money, Product, attributes_from_json};

/// Columns read into product fields; every other column is an attribute.
const FIELDS: &[&str] = &[
    "id", "title", "description", "link", "image_link", "availability", "price", "sale_price", "brand",
    "gtin", "mpn", "product_type", "color", "size", "gender", "material", "rating", "review_count",
    "attributes",
];

pub(super) fn read(input: impl Read, delimiter: u8, options: &ImportOptions) -> Result<ImportReport, CatalogError> {
    let csv = CsvInput::read(input, delimiter)?;
    let columns = csv.columns()?;
    require_columns(&columns, &["id", "title", "price"])?;
    let raw_headers = csv.raw_headers()?;
    let extra: Vec<(usize, String)> = columns
        .iter()
        .filter(|(name, _)| !FIELDS.contains(&name.as_str()))
        .map(|(_, &i)| (i, raw_headers[i].clone()))
        .collect();
    let mut report = ImportReport::default();
    csv.for_each_record(&mut report, NonUtf8::Reject, |line, record, report| {
        report.push(line, product(record, &columns, &extra, options));
    })?;
    Ok(report)
}

fn product(
    record: &csv::StringRecord,
    columns: &HashMap<String, usize>,
    extra: &[(usize, String)],
    options: &ImportOptions,
) -> Result<Product, String> {
    let get = |name: &str| field(record, columns, name);
    let currency = &options.default_currency;
    let price = Money::parse(get("price").ok_or("price is empty")?, currency)?;
    let mut product = Product::new(get("id").unwrap_or(""), get("title").unwrap_or(""), price);
    product.sale_price = get("sale_price").map(|s| Money::parse(s, currency)).transpose().map_err(|e| format!("sale_{e}"))?;
    product.description = get("description").unwrap_or("").to_string();
    product.availability = get("availability").map(Availability::parse).transpose()?.unwrap_or_default();
    let text = |name: &str| get(name).map(str::to_string);
    product.link = text("link");
    product.image_link = text("image_link");
    product.brand = text("brand");
    product.gtin = text("gtin");
    product.mpn = text("mpn");
    product.product_type = text("product_type");
    product.color = text("color");
    product.size = text("size");
    product.gender = text("gender");
    product.material = text("material");
    product.rating = get("rating")
        .map(|r| r.parse::<f32>().map_err(|_| format!("rating '{r}' is not a number")))
        .transpose()?;
    product.review_count = get("review_count")
        .map(|r| r.parse::<u32>().map_err(|_| format!("review_count '{r}' is not a whole number")))
        .transpose()?;
    if let Some(json) = get("attributes") {
        let map: BTreeMap<String, serde_json::Value> =
            serde_json::from_str(json).map_err(|e| format!("attributes is not a JSON object: {e}"))?;
        product.attributes.extend(attributes_from_json(map)?);
    }
    for (i, name) in extra {
        if let Some(value) = record.get(*i).map(str::trim).filter(|v| !v.is_empty()) {
            product.attributes.insert(name.clone(), value.to_string());
        }
    }
    product.validate(currency)
}
