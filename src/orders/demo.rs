//! The demo customers and orders (`data/demo/customers.jsonl`, `data/demo/orders.jsonl`),
//! loaded once into a database that has no orders yet. Their times are shifted so that the
//! newest event in the file is the moment of loading: a demo always has orders in flight,
//! some of them late (see `data/demo/README.md`).

use std::path::Path;

use super::import::{CustomerRecord, OrderRecord, Record, newest_event, read_file};
use super::store::{OrderStore, StoreError};
use super::Seconds;

/// Where the demo files are, from the repository's root.
pub const DIR: &str = "data/demo";

/// Settings key recording that the demo data was loaded (deleting the orders later does not
/// bring it back).
const LOADED: &str = "demo_loaded";

/// What was loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoReport {
    pub customers: usize,
    pub orders: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot read {}: {source}", path.display())]
    Read { path: std::path::PathBuf, source: std::io::Error },
    #[error("{}: {message}", path.display())]
    Invalid { path: std::path::PathBuf, message: String },
}

/// Loads the demo files of `dir` when this database never had them and has no orders;
/// `None` when it did nothing.
pub async fn load_once(store: &OrderStore, dir: &Path, now: Seconds) -> Result<Option<DemoReport>, DemoError> {
    if store.setting(LOADED).await?.is_some() || store.count_orders().await? > 0 {
        return Ok(None);
    }
    let customers = read_all::<CustomerRecord>(&dir.join("customers.jsonl"))?;
    let mut orders = read_all::<OrderRecord>(&dir.join("orders.jsonl"))?;
    let shift = newest_event(&orders).map_or(0, |newest| now - newest);
    for order in &mut orders {
        order.shift(shift);
    }
    for customer in &customers {
        store.upsert_customer(customer, now).await?;
    }
    for order in &orders {
        store.upsert_order(order, now).await?;
    }
    store.setting_or_init(LOADED, &now.to_string()).await?;
    Ok(Some(DemoReport { customers: customers.len(), orders: orders.len() }))
}

/// The demo customers (id and name), as the demo shop's sign-in offers them.
pub fn customers(dir: &Path) -> Result<Vec<(String, String)>, DemoError> {
    Ok(read_all::<CustomerRecord>(&dir.join("customers.jsonl"))?.into_iter().map(|c| (c.id, c.name)).collect())
}

/// Every row of a demo file, checked: the shipped files have no bad rows, so one is an error.
fn read_all<R: Record>(path: &Path) -> Result<Vec<R::Checked>, DemoError> {
    let parsed = read_file(path, R::check).map_err(|source| DemoError::Read { path: path.to_path_buf(), source })?;
    match parsed.errors.first() {
        Some(first) => Err(DemoError::Invalid { path: path.to_path_buf(), message: first.to_string() }),
        None => Ok(parsed.rows),
    }
}

