//! JSON Lines: one product object a line, Merchant Center field names.

use std::io::BufRead;

use super::{ImportOptions, ImportReport};
use crate::catalog::CatalogError;
use crate::catalog::product::Product;

pub(super) fn read(mut input: impl BufRead, options: &ImportOptions) -> Result<ImportReport, CatalogError> {
    let mut report = ImportReport::default();
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf).map_err(CatalogError::Read)? == 0 {
            break;
        }
        line_no += 1;
        let Ok(line) = std::str::from_utf8(&buf) else {
            report.reject(line_no, "the line is not valid UTF-8");
            continue;
        };
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        let product = serde_json::from_str::<Product>(line)
            .map_err(|e| format!("invalid product JSON: {}", without_position(&e)))
            .and_then(|p| p.validate(&options.default_currency));
        report.push(line_no, product);
    }
    Ok(report)
}

/// serde_json appends "at line 1 column 7"; the line is ours to report, the column is kept.
fn without_position(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(at) => format!("{} (column {})", &text[..at], err.column()),
        None => text,
    }
}
