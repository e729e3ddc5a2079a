//! Catalog importers: JSON Lines, Merchant Center CSV/TSV, Shopify's product CSV export, and
//! the public Kaggle datasets used for the demo and benchmark catalogs.
//!
//! Every importer reads the whole input and returns an [`ImportReport`]: the products that
//! passed validation and, for every row that did not, its line number and the reason. Nothing
//! here touches the index; the caller decides what to do with a report.

mod datasets;
mod jsonl;
mod merchant;
mod shopify;
mod title_brands;

use std::collections::HashMap;
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde::Serialize;

use super::CatalogError;
use super::product::Product;

/// The formats the importers read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// JSON Lines, one Merchant Center product object a line.
    Jsonl,
    /// Comma-separated with Merchant Center headers.
    Csv,
    /// Tab-separated with Merchant Center headers.
    Tsv,
    /// Shopify's product CSV export (variants grouped under their handle).
    Shopify,
    /// The PromptCloud Flipkart product sample.
    Flipkart,
    /// The Myntra apparel catalog.
    Myntra,
    /// The BigBasket product list.
    Bigbasket,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = clap::ValueEnum::to_possible_value(self).expect("no skipped variants");
        f.write_str(name.get_name())
    }
}

/// A row that was skipped, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowError {
    /// 1-based line of the input where the row starts.
    pub line: u64,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// What one import produced.
#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    #[serde(skip)]
    pub products: Vec<Product>,
    /// Rows skipped with their line numbers and reasons, in input order.
    pub errors: Vec<RowError>,
    /// Products whose id appeared again later in the input: the later row wins.
    pub duplicates: usize,
}

impl ImportReport {
    /// Adds a validated product or records why the row was skipped.
    pub(crate) fn push(&mut self, line: u64, product: Result<Product, String>) {
        match product {
            Ok(product) => self.products.push(product),
            Err(reason) => self.errors.push(RowError { line, reason }),
        }
    }

    pub(crate) fn reject(&mut self, line: u64, reason: impl Into<String>) {
        self.errors.push(RowError { line, reason: reason.into() });
    }

    /// Keeps the last row for each id, in first-seen order.
    fn dedup(&mut self) {
        let mut position: HashMap<String, usize> = HashMap::with_capacity(self.products.len());
        let mut kept: Vec<Product> = Vec::with_capacity(self.products.len());
        for product in self.products.drain(..) {
            match position.get(&product.id) {
                Some(&at) => {
                    kept[at] = product;
                    self.duplicates += 1;
                }
                None => {
                    position.insert(product.id.clone(), kept.len());
                    kept.push(product);
                }
            }
        }
        self.products = kept;
    }

    /// Adds another file's report to this one.
    pub fn merge(&mut self, other: ImportReport) {
        self.products.extend(other.products);
        self.errors.extend(other.errors);
        self.duplicates += other.duplicates;
        self.dedup();
    }

    /// One line for logs and the CLI: `1002 products, 3 rows skipped, 0 duplicate ids`.
    pub fn summary(&self) -> String {
        format!(
            "{} products, {} rows skipped, {} duplicate ids",
            self.products.len(),
            self.errors.len(),
            self.duplicates
        )
    }
}

/// Options every importer shares.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Currency for prices given as bare numbers.
    pub default_currency: String,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self { default_currency: "USD".into() }
    }
}

/// Reads `input` in `format`.
pub fn read(input: impl Read, format: Format, options: &ImportOptions) -> Result<ImportReport, CatalogError> {
    let mut report = match format {
        Format::Jsonl => jsonl::read(BufReader::new(input), options)?,
        Format::Csv => merchant::read(input, b',', options)?,
        Format::Tsv => merchant::read(input, b'\t', options)?,
        Format::Shopify => shopify::read(input, options)?,
        Format::Flipkart => datasets::read_flipkart(input)?,
        Format::Myntra => datasets::read_myntra(input)?,
        Format::Bigbasket => datasets::read_bigbasket(input)?,
    };
    report.dedup();
    Ok(report)
}

/// Reads a file, detecting its format from the name and first line unless one is given.
pub fn read_path(path: &Path, format: Option<Format>, options: &ImportOptions) -> Result<ImportReport, CatalogError> {
    let io_err = |source| CatalogError::Io { path: path.to_path_buf(), source };
    let file = std::fs::File::open(path).map_err(io_err)?;
    let mut reader = BufReader::new(file);
    let format = match format {
        Some(format) => format,
        None => detect(path, reader.fill_buf().map_err(io_err)?)?,
    };
    read(reader, format, options).map_err(|e| e.in_file(path))
}

/// Guesses the format from the file name and the start of its content.
pub fn detect(path: &Path, head: &[u8]) -> Result<Format, CatalogError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let head = String::from_utf8_lossy(head);
    let first_line = head.trim_start_matches('\u{feff}').lines().next().unwrap_or("").to_string();
    if matches!(ext.as_str(), "jsonl" | "ndjson" | "json") || first_line.trim_start().starts_with('{') {
        return Ok(Format::Jsonl);
    }
    let header = first_line.to_ascii_lowercase();
    let has = |names: &[&str]| names.iter().all(|n| header.contains(n));
    let format = if has(&["handle", "variant price"]) {
        Format::Shopify
    } else if has(&["uniq_id", "product_category_tree", "discounted_price"]) {
        Format::Flipkart
    } else if has(&["productid", "productname", "productbrand"]) {
        Format::Myntra
    } else if has(&["product", "sub_category", "market_price"]) {
        Format::Bigbasket
    } else if ext == "tsv" || (first_line.contains('\t') && !first_line.contains(',')) {
        Format::Tsv
    } else if ext == "csv" || first_line.contains(',') {
        Format::Csv
    } else {
        return Err(CatalogError::UnknownFormat { path: path.to_path_buf() });
    };
    Ok(format)
}

/// Header names normalized for lookup: trimmed, lower case, spaces as underscores, BOM dropped.
pub(crate) fn header_index(headers: &csv::StringRecord) -> HashMap<String, usize> {
    headers
        .iter()
        .enumerate()
        .map(|(i, h)| (normalize_header(h), i))
        .collect()
}

pub(crate) fn normalize_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase().replace([' ', '-'], "_")
}

/// How to read a row that is not valid UTF-8.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum NonUtf8 {
    /// Report it and skip it: a shop's feed must be UTF-8.
    Reject,
    /// Read its invalid fields as Latin-1 (public datasets with stray non-UTF-8 bytes; bytes
    /// 0x80–0x9F become control characters, which cleaning removes).
    Latin1,
}

/// A CSV input read whole, so that every row is reported by its true line number (the csv
/// crate's own line count is off for CRLF files and after blank lines).
pub(crate) struct CsvInput {
    bytes: Vec<u8>,
    /// Byte offsets of every `\n`.
    newlines: Vec<usize>,
    delimiter: u8,
}

impl CsvInput {
    pub(crate) fn read(mut input: impl Read, delimiter: u8) -> Result<CsvInput, CatalogError> {
        let mut bytes = Vec::new();
        input.read_to_end(&mut bytes).map_err(CatalogError::Read)?;
        let newlines = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i).collect();
        Ok(CsvInput { bytes, newlines, delimiter })
    }

    /// A reader that tolerates ragged rows.
    fn reader(&self) -> csv::Reader<&[u8]> {
        csv::ReaderBuilder::new().delimiter(self.delimiter).flexible(true).has_headers(true).from_reader(&self.bytes[..])
    }

    /// The 1-based line of the first content byte at or after `byte`.
    fn line_at(&self, byte: u64) -> u64 {
        let mut at = byte as usize;
        while at < self.bytes.len() && matches!(self.bytes[at], b'\r' | b'\n') {
            at += 1;
        }
        self.newlines.partition_point(|&n| n < at) as u64 + 1
    }

    /// The header as written (trimmed).
    pub(crate) fn raw_headers(&self) -> Result<Vec<String>, CatalogError> {
        let mut reader = self.reader();
        let headers = reader.headers().map_err(CatalogError::Csv)?;
        Ok(headers.iter().map(|h| h.trim_start_matches('\u{feff}').trim().to_string()).collect())
    }

    /// Normalized column names, with a clear error when there is no header.
    pub(crate) fn columns(&self) -> Result<HashMap<String, usize>, CatalogError> {
        let mut reader = self.reader();
        let headers = reader.headers().map_err(CatalogError::Csv)?;
        if headers.is_empty() || headers.iter().all(|h| h.trim().is_empty()) {
            return Err(CatalogError::BadHeader("the file is empty or has no header row".into()));
        }
        Ok(header_index(headers))
    }

    /// Hands every record after the header to `row` with its line number. A record that is
    /// not parseable (or not UTF-8, unless `non_utf8` says otherwise) is reported in `report`
    /// and skipped.
    pub(crate) fn for_each_record(
        &self,
        report: &mut ImportReport,
        non_utf8: NonUtf8,
        mut row: impl FnMut(u64, &csv::StringRecord, &mut ImportReport),
    ) -> Result<(), CatalogError> {
        let mut reader = self.reader();
        for record in reader.byte_records() {
            let record = match record {
                Ok(record) => record,
                Err(err) if matches!(err.kind(), csv::ErrorKind::Io(_)) => return Err(CatalogError::Csv(err)),
                Err(err) => {
                    let line = err.position().map(|p| self.line_at(p.byte())).unwrap_or(0);
                    report.reject(line, format!("unreadable row: {err}"));
                    continue;
                }
            };
            let line = record.position().map(|p| self.line_at(p.byte())).unwrap_or(0);
            let record = match csv::StringRecord::from_byte_record(record) {
                Ok(record) => record,
                Err(err) if non_utf8 == NonUtf8::Latin1 => err
                    .into_byte_record()
                    .iter()
                    .map(|f| String::from_utf8(f.to_vec()).unwrap_or_else(|_| f.iter().map(|&b| b as char).collect()))
                    .collect(),
                Err(_) => {
                    report.reject(line, "the row is not valid UTF-8");
                    continue;
                }
            };
            if !record.iter().all(|f| f.trim().is_empty()) {
                row(line, &record, report);
            }
        }
        Ok(())
    }
}

/// Fails with the names of the required columns the header lacks.
pub(crate) fn require_columns(columns: &HashMap<String, usize>, required: &[&str]) -> Result<(), CatalogError> {
    let missing: Vec<&str> = required.iter().copied().filter(|c| !columns.contains_key(*c)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut found: Vec<&str> = columns.keys().map(String::as_str).collect();
    found.sort_unstable();
    Err(CatalogError::BadHeader(format!(
        "missing required column(s) {}; the header has {}",
        missing.join(", "),
        found.join(", ")
    )))
}

/// A field of a record by normalized column name: trimmed, `None` when absent or empty.
pub(crate) fn field<'r>(record: &'r csv::StringRecord, columns: &HashMap<String, usize>, name: &str) -> Option<&'r str> {
    columns
        .get(name)
        .and_then(|&i| record.get(i))
        .map(str::trim)
        .filter(|v| !v.is_empty())
}
