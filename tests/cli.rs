//! The `aisle` binary end to end: index, search, import (upsert, bad rows, dry run, nothing
//! valid), convert, and `serve` building a missing index, answering, and stopping on SIGTERM.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{demo_products, repo_path};

fn aisle(index_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aisle"))
        .arg("--index-dir")
        .arg(index_dir)
        .arg("--catalog")
        .arg(repo_path("data/demo/products.jsonl"))
        .arg("--synonyms")
        .arg(repo_path("data/synonyms.txt"))
        .args(args)
        .env("AISLE_LOG", "info")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A search by words only: these tests check what the index holds, and counts of matches
/// (`tests/semantic.rs` covers search by meaning).
fn search_json(index_dir: &Path, query: &str) -> serde_json::Value {
    let out = aisle(index_dir, &["search", query, "--json", "--limit", "5", "--retrieval", "lexical"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn index_then_search() {
    let dir = tempfile::tempdir().unwrap();
    let out = aisle(dir.path(), &["index"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(&format!("indexed {} products", demo_products().len())), "{}", text(&out.stdout));
    let results = search_json(dir.path(), "ceramc mugg");
    assert!(results["hits"][0]["product"]["title"].as_str().unwrap().contains("Mug"), "{results}");
}

#[test]
fn import_adds_updates_and_reports_bad_rows() {
    let dir = tempfile::tempdir().unwrap();
    assert!(aisle(dir.path(), &["index"]).status.success());
    let existing = &demo_products()[0];
    let feed = dir.path().join("feed.jsonl");
    let mut updated = existing.clone();
    updated.title = "Aw Bellies Limited Edition".into();
    std::fs::write(
        &feed,
        format!(
            "{}\n{{\"id\":\"NEW-1\",\"title\":\"Zorblax Travel Kettle\",\"price\":\"1299 INR\"}}\n{{\"id\":\"BAD-1\",\"title\":\"No price\"}}\n",
            serde_json::to_string(&updated).unwrap()
        ),
    )
    .unwrap();

    let out = aisle(dir.path(), &["import", "products", feed.to_str().unwrap(), "--dry-run"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("nothing was changed"));
    assert_eq!(search_json(dir.path(), "zorblax")["total"], 0, "a dry run changes nothing");

    let out = aisle(dir.path(), &["import", "products", feed.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let total = demo_products().len() + 1;
    assert!(stdout.contains("2 products read (1 new, 1 updated), 1 rows skipped"), "{stdout}");
    assert!(stdout.contains(&format!("will hold {total} products")), "{stdout}");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("feed.jsonl:3: skipped: invalid product JSON: missing field `price`"), "{stderr}");

    let results = search_json(dir.path(), "zorblax kettle");
    assert_eq!(results["total"], 1);
    assert_eq!(results["hits"][0]["product"]["id"], "NEW-1");
    let results = search_json(dir.path(), "limited edition bellies");
    assert_eq!(results["hits"][0]["product"]["id"], existing.id.as_str());
    assert_eq!(search_json(dir.path(), "")["total"], total);

    // Commands that check the index for staleness (search, serve) keep the imported catalog.
    let results = search_json(dir.path(), "zorblax");
    assert_eq!(results["total"], 1);
}

#[test]
fn an_import_with_nothing_valid_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    assert!(aisle(dir.path(), &["index"]).status.success());
    let current = std::fs::read_to_string(dir.path().join("CURRENT")).unwrap();
    let feed = dir.path().join("bad.csv");
    std::fs::write(&feed, "id,title,price\n,Nameless,10\nX,,10\nY,Thing,ten\n").unwrap();
    let out = aisle(dir.path(), &["import", "products", feed.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    for expected in ["bad.csv:2: skipped: id is empty", "bad.csv:3: skipped: title is empty", "bad.csv:4: skipped: price 'ten'"] {
        assert!(stderr.contains(expected), "missing '{expected}' in {stderr}");
    }
    assert!(stderr.contains("nothing was changed"), "{stderr}");
    assert_eq!(std::fs::read_to_string(dir.path().join("CURRENT")).unwrap(), current);
    let missing_column = dir.path().join("nocol.csv");
    std::fs::write(&missing_column, "sku,name\n1,a\n").unwrap();
    let out = aisle(dir.path(), &["import", "products", missing_column.to_str().unwrap(), "--format", "csv"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("missing required column(s) id, title, price"), "{}", text(&out.stderr));
}

#[test]
fn orders_and_customers_import_with_bad_rows_skipped_and_tokens_verify() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("aisle.db");
    let db = database.to_str().unwrap();
    let customers = dir.path().join("customers.jsonl");
    std::fs::write(&customers, "{\"id\":\"C9\",\"name\":\"Mira\",\"email\":\"mira@example.com\"}\n{\"id\":\"C10\",\"name\":\"x\",\"email\":\"not an email\"}\n").unwrap();
    let out = aisle(dir.path(), &["--database", db, "import", "customers", customers.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("imported 1 rows"), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("customers.jsonl: line 2: email"), "{}", text(&out.stderr));

    let orders = dir.path().join("orders.jsonl");
    let good = r#"{"order_id":"70001","customer_id":"C9","email":"mira@example.com","placed_at":"2026-11-20T10:00:00Z","currency":"INR","lines":[{"product_id":"P1","title":"Mug","quantity":1,"price":299.0}],"events":[{"event_id":"e1","status":"shipped","at":"2026-11-21T10:00:00Z"}]}"#;
    let bad = good.replace("\"70001\"", "\"70002\"").replace("shipped", "lost in space");
    std::fs::write(&orders, format!("{good}\n{bad}\n{{broken\n")).unwrap();
    let args = ["--database", db, "import", "orders", orders.to_str().unwrap()];
    let out = aisle(dir.path(), &[&args[..], &["--dry-run"]].concat());
    assert!(text(&out.stdout).contains("1 good rows, 2 bad rows; nothing was changed"), "{}", text(&out.stdout));
    for _ in 0..2 {
        // Twice: importing again changes nothing more.
        let out = aisle(dir.path(), &args);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains("imported 1 rows") && text(&out.stdout).contains("2 bad rows skipped"), "{}", text(&out.stdout));
        let stderr = text(&out.stderr);
        assert!(stderr.contains("orders.jsonl: line 2: status \"lost in space\""), "{stderr}");
        assert!(stderr.contains("orders.jsonl: line 3:"), "{stderr}");
    }

    // A token printed by `aisle token` verifies with the secret kept in the same database.
    let out = aisle(dir.path(), &["--database", db, "token", "--customer", "C9", "--ttl", "2h"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = text(&out.stdout).trim().to_string();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let store = aisle::session::store::Store::open(&database).await.unwrap();
        let orders = aisle::orders::Orders::open(aisle::orders::OrderStore::new(store.pool().clone()), None).await.unwrap();
        let claims = orders.authenticate(&token, aisle::orders::now()).unwrap();
        assert_eq!(claims.customer_id, "C9");
        assert!(claims.expires_at > aisle::orders::now() + 3600);
        let order = orders.store().order("70001").await.unwrap().unwrap();
        assert_eq!(order.status, aisle::orders::OrderStatus::Shipped);
        assert_eq!(order.events.len(), 2, "placed is added, the event is stored once");
    });
    let out = aisle(dir.path(), &["--database", db, "token", "--customer", "C9", "--ttl", "soon"]);
    assert!(!out.status.success());
}

#[test]
fn convert_writes_a_catalog_that_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("demo.jsonl");
    let source = repo_path("../shared/data/catalog/flipkart_1k.csv");
    let out = aisle(dir.path(), &["catalog", "convert", source.to_str().unwrap(), "--out", out_file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(&out_file).unwrap();
    let committed = std::fs::read_to_string(repo_path("data/demo/products.jsonl")).unwrap();
    assert!(written == committed, "data/demo/products.jsonl is what `aisle catalog convert` makes of the Flipkart sample");
}

#[tokio::test]
async fn serve_builds_a_missing_index_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_aisle"))
        .arg("--index-dir")
        .arg(dir.path().join("index"))
        .arg("--catalog")
        .arg(repo_path("data/demo/products.jsonl"))
        .args(["--addr", "127.0.0.1:0", "serve"])
        .env("AISLE_LOG", "info")
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut log = String::new();
    let addr = loop {
        let line = lines.next().expect("the server exits before listening").unwrap();
        log.push_str(&line);
        log.push('\n');
        if let Some(at) = line.find("addr=") {
            break line[at + 5..].split_whitespace().next().unwrap().to_string();
        }
    };
    assert!(log.contains("building the index"), "{log}");
    assert!(log.contains("index built"), "{log}");
    let body: serde_json::Value = reqwest::get(format!("http://{addr}/healthz")).await.unwrap().json().await.unwrap();
    assert_eq!(body["status"], "ok");
    let body: serde_json::Value = reqwest::get(format!("http://{addr}/v1/search?q=mug")).await.unwrap().json().await.unwrap();
    assert!(body["total"].as_u64().unwrap() > 0);

    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful exit on SIGTERM: {status:?}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l.contains("SIGTERM")), "{rest:?}");
}

#[test]
fn no_phrase_here_is_training_data() {
    common::assert_source_unseen(include_str!("cli.rs"));
}
