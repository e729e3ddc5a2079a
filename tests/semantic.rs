//! Semantic search over the demo index with the real encoder: product vectors built with the
//! index and reused by text across builds, need-style queries finding the kind of product they
//! describe, exact model numbers kept first, filters holding on both retrievers, a damaged
//! vectors file never served, and product questions on a fresh server answered without
//! embedding any description.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use aisle::catalog::index::{self, BuildOptions, IndexSource};
use aisle::catalog::synonyms::Synonyms;
use aisle::catalog::vectors::{self, Vectors};
use aisle::catalog::{Catalog, Filters, Product, Retrieval, SearchRequest, SearchResults};
use aisle::client::Connection;
use aisle::protocol::Channel;
use common::{ServerOptions, TestServer, demo_catalog, demo_products, encoder, repo_path};

fn embed(text: &str) -> Vec<f32> {
    encoder().embed(&[text]).unwrap().remove(0)
}

fn search(catalog: &Catalog, text: &str, retrieval: Retrieval, filters: Filters) -> SearchResults {
    let request = SearchRequest { vector: Some(embed(text)), retrieval, filters, limit: 10, ..SearchRequest::new(text) };
    catalog.search(&request).unwrap()
}

fn department(product: &Product) -> String {
    product.category_path().first().map(|s| s.to_string()).unwrap_or_default()
}

/// How many of the first `n` hits are in the department.
fn in_department(results: &SearchResults, name: &str, n: usize) -> usize {
    results.hits.iter().take(n).filter(|h| department(&h.product) == name).count()
}

#[test]
fn need_style_queries_find_the_kind_of_product_they_describe() {
    let catalog = demo_catalog();
    // (need, the department whose products meet it, read from the data)
    let needs = [
        ("something to wash my dog with", "Pet Supplies"),
        ("keep my car interior clean", "Automotive"),
        ("tell the time on my wrist", "Watches"),
    ];
    for (need, wanted) in needs {
        assert!(demo_products().iter().any(|p| department(p) == wanted), "the demo catalog has {wanted}");
        let hybrid = search(&catalog, need, Retrieval::Hybrid, Filters::default());
        assert!(hybrid.retrievers.contains(&"semantic"), "{need}: {:?}", hybrid.retrievers);
        assert!(in_department(&hybrid, wanted, 3) >= 2, "{need}: {:?}", hybrid.hits.iter().map(|h| &h.product.title).collect::<Vec<_>>());
    }
    // The kind of product the need implies is the first filter suggested.
    let dog = search(&catalog, needs[0].0, Retrieval::Hybrid, Filters::default());
    match dog.suggested_filters.first() {
        Some(aisle::catalog::smart_filters::SuggestedFilter::Category { value, count }) => {
            assert!(value.starts_with("Pet Supplies") && *count >= 1, "{value} ({count})");
        }
        other => panic!("{other:?}"),
    }
    // Where the words alone find the wrong kind, meaning finds the right one.
    let need = needs[0].0;
    let lexical = search(&catalog, need, Retrieval::Lexical, Filters::default());
    let hybrid = search(&catalog, need, Retrieval::Hybrid, Filters::default());
    assert!(in_department(&hybrid, "Pet Supplies", 5) > in_department(&lexical, "Pet Supplies", 5), "{need}");
}

#[test]
fn a_need_implies_a_property_as_a_filter_that_holds() {
    use aisle::catalog::smart_filters::SuggestedFilter;
    let catalog = demo_catalog();
    // Read from the data: the products whose occasions include weddings.
    let for_weddings = |p: &Product| p.attributes.get("Occasion").is_some_and(|o| o.split(',').any(|v| v.trim() == "Wedding"));
    assert!(demo_products().iter().filter(|p| for_weddings(p)).count() >= 3);
    let need = "a dress for a wedding";
    let results = search(&catalog, need, Retrieval::Hybrid, Filters::default());
    let implied: Vec<(&str, u64)> = results
        .suggested_filters
        .iter()
        .filter_map(|f| match f {
            SuggestedFilter::Attribute { value, count } => Some((value.as_str(), *count)),
            _ => None,
        })
        .collect();
    assert_eq!(implied.first().map(|(label, _)| *label), Some("Occasion: Wedding"), "{:?}", results.suggested_filters);
    assert!(implied[0].1 >= 1 && (implied[0].1 as usize) < results.total);
    // Applied (in any case), it keeps only such products, on both retrievers.
    for retrieval in [Retrieval::Hybrid, Retrieval::Lexical] {
        let filters = Filters { attributes: vec!["occasion: WEDDING".into()], ..Filters::default() };
        let narrowed = search(&catalog, need, retrieval, filters);
        assert!(narrowed.total >= 1, "{retrieval:?}");
        assert!(narrowed.hits.iter().all(|h| for_weddings(&h.product)), "{retrieval:?}");
    }
    // A query that names no property implies none.
    let plain = search(&catalog, "coffee mug", Retrieval::Hybrid, Filters::default());
    assert!(!plain.suggested_filters.iter().any(|f| matches!(f, SuggestedFilter::Attribute { .. })), "{:?}", plain.suggested_filters);
}

#[test]
fn made_up_words_find_nothing_by_meaning() {
    let catalog = demo_catalog();
    for nonsense in ["zorblax", "florbix", "vexquor"] {
        let results = search(&catalog, nonsense, Retrieval::Hybrid, Filters::default());
        assert_eq!(results.total, 0, "{nonsense}: {:?}", results.hits.iter().map(|h| &h.product.title).collect::<Vec<_>>());
    }
}

#[test]
fn a_model_number_keeps_its_product_first() {
    let catalog = demo_catalog();
    let mut checked = 0;
    for product in demo_products().iter().filter(|p| p.mpn.as_deref().is_some_and(|m| m.len() >= 6 && m.chars().any(|c| c.is_ascii_digit()))).take(5) {
        let mpn = product.mpn.as_deref().unwrap();
        // Only model numbers that name one product (some are shared by a product's variants).
        if demo_products().iter().filter(|p| p.mpn.as_deref() == Some(mpn)).count() > 1 {
            continue;
        }
        for retrieval in [Retrieval::Lexical, Retrieval::Hybrid] {
            let results = search(&catalog, mpn, retrieval, Filters::default());
            assert_eq!(results.hits.first().map(|h| h.product.id.as_str()), Some(product.id.as_str()), "{mpn} ({retrieval:?})");
        }
        checked += 1;
    }
    assert!(checked >= 3, "the demo catalog has model numbers to check ({checked})");
}

#[test]
fn filters_hold_on_both_retrievers() {
    let catalog = demo_catalog();
    let cap = 500.0;
    let filters = Filters { max_price: Some(cap), categories: vec!["Watches".into()], ..Filters::default() };
    for retrieval in [Retrieval::Semantic, Retrieval::Hybrid] {
        let results = search(&catalog, "a sporty wrist watch for my son", retrieval, filters.clone());
        assert!(!results.hits.is_empty(), "{retrieval:?}");
        for hit in &results.hits {
            assert!(hit.product.effective_price().amount <= cap, "{retrieval:?}: {} costs more", hit.product.title);
            assert_eq!(department(&hit.product), "Watches", "{retrieval:?}: {}", hit.product.title);
        }
    }
    let hybrid = search(&catalog, "a sporty wrist watch for my son", Retrieval::Hybrid, filters);
    assert!(hybrid.retrievers.contains(&"semantic"), "{:?}", hybrid.retrievers);
    // Facets and the total are counted over the fused set: every hit is in it.
    assert!(hybrid.total >= hybrid.hits.len());
}

/// The ids of the first `n` hits.
fn top(results: &SearchResults, n: usize) -> Vec<String> {
    results.hits.iter().take(n).map(|h| h.product.id.clone()).collect()
}

#[test]
fn a_large_catalogs_graph_finds_what_the_scan_finds_and_a_damaged_one_is_passed_over() {
    // The demo catalog with the graph a large catalog gets, walked even under filters.
    let dir = tempfile::tempdir().unwrap();
    let options = BuildOptions { ann_min_products: Some(0), ..common::vector_options() };
    index::build(dir.path(), demo_products(), IndexSource::Import { files: vec![] }, &options).unwrap();
    let mut walked = Catalog::open(dir.path(), Synonyms::load(&repo_path("data/synonyms.txt")).unwrap()).unwrap();
    walked.set_graph_scan_below(0);
    assert!(walked.has_graph());
    let scanned = demo_catalog();
    assert!(!scanned.has_graph(), "a thousand products are scanned");

    let queries = ["something to wash my dog with", "tell the time on my wrist", "a gift for a gardener", "running shoes"];
    for query in queries {
        let recall = walked.graph_recall(&embed(query)).unwrap();
        assert!(recall.is_some_and(|r| r >= 0.9), "{query}: recall {recall:?}");
        for retrieval in [Retrieval::Semantic, Retrieval::Hybrid] {
            let (a, b) = (search(&walked, query, retrieval, Filters::default()), search(&scanned, query, retrieval, Filters::default()));
            assert_eq!(top(&a, 5), top(&b, 5), "{query} ({retrieval:?})");
        }
    }
    let cap = 500.0;
    let filters = Filters { max_price: Some(cap), categories: vec!["Watches".into()], ..Filters::default() };
    let results = search(&walked, "a sporty wrist watch for my son", Retrieval::Semantic, filters.clone());
    assert!(!results.hits.is_empty());
    for hit in &results.hits {
        assert!(hit.product.effective_price().amount <= cap && department(&hit.product) == "Watches", "the walk keeps to the filters: {}", hit.product.title);
    }
    assert_eq!(top(&results, 5), top(&search(&scanned, "a sporty wrist watch for my son", Retrieval::Semantic, filters), 5));

    // Damage is found by the checksum, logged, and the vectors are scanned instead.
    let generation = index::current_generation(dir.path()).unwrap().unwrap();
    let graph = generation.join("ann.hnsw.graph");
    let mut bytes = std::fs::read(&graph).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x40;
    std::fs::write(&graph, &bytes).unwrap();
    let damaged = Catalog::open(dir.path(), Synonyms::default()).unwrap();
    assert!(!damaged.has_graph() && damaged.vectors().is_some(), "a damaged graph is not walked; the vectors still serve");
    let query = "tell the time on my wrist";
    assert_eq!(top(&search(&damaged, query, Retrieval::Semantic, Filters::default()), 5), top(&search(&scanned, query, Retrieval::Semantic, Filters::default()), 5));
}

#[test]
fn vectors_are_reused_across_rebuilds_and_only_changed_texts_are_encoded() {
    let products: Vec<Product> = demo_products()[..40].to_vec();
    let dir = tempfile::tempdir().unwrap();
    let options = BuildOptions { embedder: Some(encoder()), ..BuildOptions::default() };
    let first = index::build(dir.path(), &products, IndexSource::Import { files: vec![] }, &options).unwrap();
    let first = first.vectors.unwrap();
    let meta = Catalog::open(dir.path(), Synonyms::default()).unwrap().meta().clone();
    assert!(!meta.attributes.is_empty(), "forty demo products share some attribute values");
    let texts = products.iter().map(|p| 1 + vectors::description_sentences(p).len()).sum::<usize>();
    let labels = meta.categories.len() + meta.attributes.len();
    assert_eq!(first.rows, texts + labels, "a row per product, description sentence, category path and attribute value");
    assert_eq!(first.reused, 0, "nothing to reuse in a new directory without a cache");
    assert!(first.encoded > 0 && first.encoded <= first.rows, "each distinct text once");

    let mut changed = products.clone();
    changed[7].title = format!("{} Special Edition", changed[7].title);
    let second = index::build(dir.path(), &changed, IndexSource::Import { files: vec![] }, &options).unwrap();
    let second = second.vectors.unwrap();
    assert_eq!(second.encoded, 1, "one product of forty changed: its text alone is encoded again");
    assert_eq!(second.reused, second.rows - 1);
    let catalog = Catalog::open(dir.path(), Synonyms::default()).unwrap();
    assert_eq!(catalog.vectors().map(Vectors::products), Some(40));
}

/// Runs the binary over the demo catalog in `index_dir`.
fn aisle(index_dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_aisle"))
        .arg("--index-dir")
        .arg(index_dir)
        .arg("--catalog")
        .arg(repo_path("data/demo/products.jsonl"))
        .args(args)
        .env("AISLE_LOG", "info")
        .output()
        .unwrap()
}

#[test]
fn a_damaged_or_missing_vectors_file_is_rebuilt_and_never_served() {
    let dir = tempfile::tempdir().unwrap();
    let out = aisle(dir.path(), &["index"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let generation = index::current_generation(dir.path()).unwrap().unwrap();
    let file = generation.join(vectors::FILE);
    let good = std::fs::read(&file).unwrap();

    let mut bad = good.clone();
    let at = bad.len() / 3;
    bad[at] ^= 0xff;
    std::fs::write(&file, &bad).unwrap();
    let catalog = Catalog::open(dir.path(), Synonyms::default()).unwrap();
    assert!(catalog.vectors().is_none(), "a damaged file is not served");
    let request = SearchRequest { vector: Some(embed("tell the time on my wrist")), ..SearchRequest::new("tell the time on my wrist") };
    assert_eq!(catalog.search(&request).unwrap().retrievers, vec!["lexical"], "without vectors the search is by words");

    for damage in ["flip", "remove"] {
        if damage == "remove" {
            std::fs::remove_file(&file).unwrap();
        } else {
            std::fs::write(&file, &bad).unwrap();
        }
        let out = aisle(dir.path(), &["search", "tell the time on my wrist", "--json"]);
        let log = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{log}");
        assert!(log.contains("computing the product vectors of the served index"), "{damage}: the log says so: {log}");
        let results: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(results["retrievers"].as_array().unwrap().iter().any(|r| r == "semantic"), "{damage}: {results}");
        assert_eq!(std::fs::read(&file).unwrap(), good, "{damage}: the rebuilt file is the one the build wrote");
    }
}

#[tokio::test]
async fn product_questions_on_a_fresh_server_embed_no_description() {
    // A product whose description answers what its record's fields do not.
    let question = "will the first one help with dark spots?";
    for (catalog, embeds_descriptions) in [(demo_catalog(), false), (lexical_demo_catalog(), true)] {
        let nlu = common::nlu_with(aisle::nlu::encoder::BatchOptions::default());
        let assistant = common::assistant_for(catalog.clone(), nlu.clone());
        let server = TestServer::start_with(ServerOptions { assistant: Some(assistant), catalog: Some(catalog), ..ServerOptions::default() }).await;
        let mut chat = Connection::connect(&server.ws_url()).await.unwrap();
        chat.hello(Channel::Web, None, 0).await.unwrap();
        let before = nlu.encoder().texts_submitted();
        let shown = chat.turn("show me face wash").await.unwrap();
        assert!(!shown.products.is_empty(), "{shown:?}");
        let answer = chat.turn(question).await.unwrap();
        assert!(!answer.text.is_empty());
        let encoded = nlu.encoder().texts_submitted() - before;
        if embeds_descriptions {
            assert!(encoded > 2, "without vectors the description is embedded on the turn ({encoded} texts)");
        } else {
            assert_eq!(encoded, 2, "one text per message, nothing else");
        }
    }
}

/// The demo catalog indexed without vectors.
fn lexical_demo_catalog() -> Arc<Catalog> {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        index::build(dir.path(), demo_products(), IndexSource::Import { files: vec![] }, &BuildOptions::default()).unwrap();
        dir
    });
    Arc::new(Catalog::open(dir.path(), Synonyms::load(&repo_path("data/synonyms.txt")).unwrap()).unwrap())
}

#[tokio::test]
async fn the_search_api_says_which_retrievers_found_the_products() {
    let server = TestServer::start().await;
    let client = reqwest::Client::new();
    let get = |query: &'static str| {
        let client = client.clone();
        let url = server.url(&format!("/v1/search?{query}"));
        async move { client.get(url).send().await.unwrap().json::<serde_json::Value>().await.unwrap() }
    };
    let hybrid = get("q=something+to+wash+my+dog+with").await;
    let names: Vec<&str> = hybrid["retrievers"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(names.contains(&"semantic"), "{hybrid}");
    let lexical = get("q=something+to+wash+my+dog+with&semantic=false").await;
    assert_eq!(lexical["retrievers"], serde_json::json!(["lexical"]), "{lexical}");
    let bad = client.get(server.url("/v1/search?q=dog&semantic=maybe")).send().await.unwrap();
    assert_eq!(bad.status(), 400);
}
