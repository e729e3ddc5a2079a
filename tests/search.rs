//! Search behaviour on a real tantivy index of the real demo catalog (and, where a property
//! needs products the demo lacks, of a few hand-made ones).

mod common;

use std::collections::HashSet;

use aisle::catalog::index::{self, BuildOptions, IndexSource, IndexState, SourceFile};
use aisle::catalog::synonyms::Synonyms;
use aisle::catalog::{Availability, Catalog, CatalogError, Filters, Money, Product, SearchRequest, Sort};
use common::{build_index, demo_catalog, demo_products};

fn search(request: SearchRequest) -> aisle::catalog::SearchResults {
    demo_catalog().search(&request).unwrap()
}

fn with_filters(text: &str, filters: Filters) -> SearchRequest {
    SearchRequest { text: text.into(), filters, limit: 100, ..SearchRequest::default() }
}

/// Every result of a request, paging through with the API's maximum page size.
fn all_hits(mut request: SearchRequest) -> Vec<Product> {
    request.limit = 100;
    let mut out = Vec::new();
    loop {
        let page = demo_catalog().search(&request).unwrap();
        let n = page.hits.len();
        out.extend(page.hits.into_iter().map(|h| h.product));
        if n < request.limit {
            assert_eq!(out.len(), page.total, "paging returns every match once");
            return out;
        }
        request.offset += n;
    }
}

#[test]
fn a_typo_still_finds_mugs_at_the_top() {
    let results = search(SearchRequest::new("ceramc mugg"));
    assert!(results.total >= 5, "{}", results.total);
    for hit in results.hits.iter().take(5) {
        assert!(hit.product.title.to_lowercase().contains("mug"), "{}", hit.product.title);
    }
    assert!(results.dropped_words.is_empty());
}

#[test]
fn exact_matches_rank_above_fuzzy_ones() {
    let products: Vec<Product> = ["Cotton Skirt", "Cotton Shirt", "Linen Skirt"]
        .iter()
        .enumerate()
        .map(|(i, t)| Product::new(format!("p{i}"), *t, Money::new(10.0, "USD")))
        .collect();
    let dir = build_index(&products);
    let catalog = Catalog::open(dir.path(), Synonyms::default()).unwrap();
    let results = catalog.search(&SearchRequest::new("shrit")).unwrap();
    let titles: Vec<&str> = results.hits.iter().map(|h| h.product.title.as_str()).collect();
    assert_eq!(titles[0], "Cotton Shirt", "{titles:?}");
    assert_eq!(results.total, 1, "one typo away from shirt only: {titles:?}");
    let results = catalog.search(&SearchRequest::new("skirt linen")).unwrap();
    let titles: Vec<&str> = results.hits.iter().map(|h| h.product.title.as_str()).collect();
    assert_eq!(titles, vec!["Linen Skirt"], "words the catalog has are not typos of others");
    let results = catalog.search(&SearchRequest::new("skrit")).unwrap();
    assert_eq!(results.total, 2, "a word the catalog lacks matches within one typo (a transposition): both skirts");
    // Two typos are allowed only from eight letters on.
    assert_eq!(catalog.search(&SearchRequest::new("shrts")).unwrap().total, 0);
}

#[test]
fn a_price_filter_excludes_every_product_out_of_range() {
    let filters = Filters { min_price: Some(300.0), max_price: Some(800.0), ..Filters::default() };
    let hits = all_hits(with_filters("", filters));
    let expected = demo_products().iter().filter(|p| (300.0..=800.0).contains(&p.effective_price().amount)).count();
    assert_eq!(hits.len(), expected);
    assert!(expected > 50, "the range is not trivially empty");
    for p in &hits {
        let price = p.effective_price().amount;
        assert!((300.0..=800.0).contains(&price), "{} costs {price}", p.id);
    }
    // With text, and only a maximum.
    let filters = Filters { max_price: Some(300.0), ..Filters::default() };
    let cheap_mugs = all_hits(with_filters("ceramic mug", filters));
    let expected = demo_products()
        .iter()
        .filter(|p| p.title.to_lowercase().contains("mug") && p.effective_price().amount <= 300.0)
        .count();
    assert!(expected > 0, "the demo has mugs up to 300");
    assert!(cheap_mugs.len() >= expected, "{} of {expected} mugs up to 300", cheap_mugs.len());
    for p in &cheap_mugs {
        assert!(p.effective_price().amount <= 300.0, "{} costs {}", p.id, p.effective_price().amount);
    }
}

#[test]
fn the_price_filter_uses_the_sale_price() {
    let on_sale = demo_products().iter().find(|p| p.sale_price.is_some()).unwrap();
    let (sale, list) = (on_sale.effective_price().amount, on_sale.price.amount);
    let filters = Filters { min_price: Some(sale), max_price: Some(sale), ..Filters::default() };
    let ids: Vec<String> = all_hits(with_filters("", filters)).into_iter().map(|p| p.id).collect();
    assert!(ids.contains(&on_sale.id));
    let filters = Filters { min_price: Some(list), max_price: Some(list), ..Filters::default() };
    let ids: Vec<String> = all_hits(with_filters("", filters)).into_iter().map(|p| p.id).collect();
    assert!(!ids.contains(&on_sale.id));
}

#[test]
fn facet_counts_equal_the_matching_products() {
    for text in ["shirt", "", "women"] {
        let results = search(SearchRequest::new(text));
        assert!(!results.facets.brand.is_empty() && !results.facets.category.is_empty(), "{text}");
        for facet in results.facets.brand.iter().take(8) {
            let filtered = search(with_filters(text, Filters { brands: vec![facet.value.clone()], ..Filters::default() }));
            assert_eq!(filtered.total as u64, facet.count, "brand {} for '{text}'", facet.value);
        }
        let mut category_sum = 0;
        for facet in &results.facets.category {
            let filtered = search(with_filters(text, Filters { categories: vec![facet.value.clone()], ..Filters::default() }));
            assert_eq!(filtered.total as u64, facet.count, "category {} for '{text}'", facet.value);
            category_sum += facet.count;
        }
        assert!(category_sum as usize <= results.total);
    }
}

#[test]
fn category_facets_drill_down_into_the_filtered_category() {
    let results = search(with_filters("", Filters { categories: vec!["Footwear".into()], ..Filters::default() }));
    let expected = demo_products().iter().filter(|p| p.category_path().first() == Some(&"Footwear")).count();
    assert!(expected > 100, "{expected}");
    assert_eq!(results.total, expected);
    assert!(results.facets.category.iter().all(|f| f.value.starts_with("Footwear > ")), "{:?}", results.facets.category);
    let children: u64 = results.facets.category.iter().map(|f| f.count).sum();
    assert!(children > 0 && children as usize <= expected);
}

#[test]
fn category_filters_take_a_path_or_a_node_name_in_any_case() {
    let by_path = search(with_filters("", Filters { categories: vec!["footwear > womens footwear".into()], ..Filters::default() }));
    let expected = demo_products().iter().filter(|p| p.category_path().starts_with(&["Footwear", "Womens Footwear"])).count();
    assert!(expected > 10, "{expected}");
    assert_eq!(by_path.total, expected);
    let by_name = search(with_filters("", Filters { categories: vec!["WOMENS FOOTWEAR".into()], ..Filters::default() }));
    assert_eq!(by_name.total, expected);
    let unknown = search(with_filters("", Filters { categories: vec!["No Such Aisle".into()], ..Filters::default() }));
    assert_eq!(unknown.total, 0);
}

#[test]
fn brand_filters_are_case_insensitive_and_exact() {
    let lower = search(with_filters("", Filters { brands: vec!["speedwav".into()], ..Filters::default() }));
    let upper = search(with_filters("", Filters { brands: vec!["SPEEDWAV".into()], ..Filters::default() }));
    let expected = demo_products().iter().filter(|p| p.brand.as_deref() == Some("Speedwav")).count();
    assert_eq!(lower.total, expected);
    assert_eq!(upper.total, expected);
    assert!(lower.hits.iter().all(|h| h.product.brand.as_deref() == Some("Speedwav")));
    let two = search(with_filters("", Filters { brands: vec!["speedwav".into(), "akup".into()], ..Filters::default() }));
    let akup = demo_products().iter().filter(|p| p.brand.as_deref() == Some("Akup")).count();
    assert_eq!(two.total, expected + akup);
}

#[test]
fn sorting_by_price_and_rating_orders_the_results() {
    let prices = |sort| -> Vec<f64> {
        search(SearchRequest { text: "shirt".into(), sort, limit: 50, ..SearchRequest::default() })
            .hits
            .iter()
            .map(|h| h.product.effective_price().amount)
            .collect()
    };
    let asc = prices(Sort::PriceAsc);
    assert!(asc.len() > 5 && asc.windows(2).all(|w| w[0] <= w[1]), "{asc:?}");
    let desc = prices(Sort::PriceDesc);
    assert!(desc.windows(2).all(|w| w[0] >= w[1]), "{desc:?}");
    let cheapest = demo_products()
        .iter()
        .filter(|p| p.title.to_lowercase().contains("shirt"))
        .map(|p| p.effective_price().amount)
        .fold(f64::MAX, f64::min);
    assert!(asc[0] <= cheapest);
    let rated: Vec<f32> = search(SearchRequest { sort: Sort::Rating, limit: 30, ..SearchRequest::default() })
        .hits
        .iter()
        .map(|h| h.product.rating.unwrap_or(0.0))
        .collect();
    assert!(rated.windows(2).all(|w| w[0] >= w[1]), "{rated:?}");
    assert_eq!(rated[0], 5.0);
}

#[test]
fn paging_returns_disjoint_pages() {
    let first = search(SearchRequest { text: "women".into(), limit: 10, ..SearchRequest::default() });
    let second = search(SearchRequest { text: "women".into(), limit: 10, offset: 10, ..SearchRequest::default() });
    assert!(first.total > 20);
    assert_eq!((first.hits.len(), second.hits.len()), (10, 10), "two full pages");
    let a: HashSet<_> = first.hits.iter().map(|h| &h.product.id).collect();
    assert!(second.hits.iter().all(|h| !a.contains(&h.product.id)));
}

#[test]
fn words_that_match_nothing_are_dropped_and_reported() {
    let results = search(SearchRequest::new("ceramic mug qwxzvb"));
    assert!(results.total > 0);
    assert_eq!(results.dropped_words, vec!["qwxzvb".to_string()]);
    assert!(results.hits[0].product.title.contains("Mug"));
    assert_eq!(search(SearchRequest::new("qwxzvb")).total, 0);
}

#[test]
fn synonyms_widen_the_query() {
    let dir = build_index(demo_products());
    let plain = Catalog::open(dir.path(), Synonyms::default()).unwrap();
    let without = plain.search(&SearchRequest::new("cup")).unwrap().total;
    let with = Catalog::open(dir.path(), Synonyms::parse("mug, cup").unwrap()).unwrap();
    let results = with.search(&SearchRequest::new("cup")).unwrap();
    let mugs = demo_products().iter().filter(|p| p.title.contains("Mug")).count();
    assert!(mugs >= 20 && results.total >= without + mugs - 1, "{without} + {mugs} vs {}", results.total);
    assert!(results.hits.iter().take(10).all(|h| h.product.title.contains("Mug") || h.product.title.to_lowercase().contains("cup")));
}

#[test]
fn stock_colour_size_and_gender_filters() {
    let mk = |id: &str, title: &str, availability, color: &str, size: &str, gender: &str| {
        let mut p = Product::new(id, title, Money::new(20.0, "USD"));
        p.availability = availability;
        p.color = Some(color.into());
        p.size = Some(size.into());
        p.gender = Some(gender.into());
        p
    };
    let products = vec![
        mk("a", "Running Shoe", Availability::InStock, "Red/Black", "10", "Men"),
        mk("b", "Running Shoe", Availability::OutOfStock, "Blue", "9.5", "Women"),
        mk("c", "Running Shoe", Availability::Preorder, "Red", "XL", "Unisex"),
    ];
    let dir = build_index(&products);
    let catalog = Catalog::open(dir.path(), Synonyms::default()).unwrap();
    let ids = |filters: Filters| -> Vec<String> {
        let mut ids: Vec<String> =
            catalog.search(&with_filters("shoe", filters)).unwrap().hits.into_iter().map(|h| h.product.id).collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(Filters { in_stock: Some(true), ..Filters::default() }), ["a"]);
    assert_eq!(ids(Filters { in_stock: Some(false), ..Filters::default() }), ["b", "c"]);
    assert_eq!(ids(Filters { colors: vec!["RED".into()], ..Filters::default() }), ["a", "c"]);
    assert_eq!(ids(Filters { colors: vec!["black".into()], ..Filters::default() }), ["a"]);
    assert_eq!(ids(Filters { sizes: vec!["9.5".into()], ..Filters::default() }), ["b"]);
    assert_eq!(ids(Filters { sizes: vec!["xl".into()], ..Filters::default() }), ["c"]);
    assert_eq!(ids(Filters { genders: vec!["women".into()], ..Filters::default() }), ["b", "c"], "unisex fits women");
    assert_eq!(ids(Filters { genders: vec!["male".into()], ..Filters::default() }), ["a", "c"]);
    assert_eq!(ids(Filters { genders: vec!["unisex".into()], ..Filters::default() }), ["c"]);
}

#[test]
fn suggest_offers_brands_categories_and_titles() {
    let catalog = demo_catalog();
    let speed: Vec<String> = catalog.suggest("speed", 8).into_iter().map(|s| s.text).collect();
    assert_eq!(speed.first().map(String::as_str), Some("Speedwav"), "{speed:?}");
    let mugs = catalog.suggest("ceramic m", 8);
    assert!(!mugs.is_empty() && mugs.iter().all(|s| s.text.to_lowercase().contains("ceramic m")), "{mugs:?}");
    assert!(catalog.suggest("Foot", 8).iter().any(|s| s.text == "Footwear"));
    assert!(catalog.suggest("", 8).is_empty());
    assert!(catalog.suggest("zzzzqqq", 8).is_empty());
    assert!(catalog.suggest("s", 3).len() == 3);
}

#[test]
fn similar_items_share_the_products_kind_and_never_include_it() {
    let catalog = demo_catalog();
    let mug = demo_products().iter().find(|p| p.title.contains("Ceramic Mug")).unwrap();
    let similar = catalog.similar(&mug.id, 8, &Filters::default()).unwrap();
    assert_eq!(similar.len(), 8);
    assert!(similar.iter().all(|h| h.product.id != mug.id));
    let mugs = similar.iter().filter(|h| h.product.title.contains("Mug")).count();
    assert!(mugs >= 6, "{:?}", similar.iter().map(|h| &h.product.title).collect::<Vec<_>>());
    assert!(matches!(catalog.similar("no-such-id", 8, &Filters::default()), Err(CatalogError::UnknownProduct(_))));
}

#[test]
fn product_lookup_returns_the_record() {
    let catalog = demo_catalog();
    let original = &demo_products()[17];
    assert_eq!(catalog.product(&original.id).unwrap().as_ref(), Some(original));
    assert_eq!(catalog.product("nope").unwrap(), None);
}

#[test]
fn bad_requests_are_refused_with_a_reason() {
    let catalog = demo_catalog();
    let err = catalog.search(&SearchRequest { limit: 101, ..SearchRequest::default() }).unwrap_err();
    assert!(err.to_string().contains("limit"), "{err}");
    let filters = Filters { min_price: Some(50.0), max_price: Some(10.0), ..Filters::default() };
    let err = catalog.search(&with_filters("", filters)).unwrap_err();
    assert!(matches!(err, CatalogError::BadQuery(_)) && err.to_string().contains("min_price"), "{err}");
    let filters = Filters { min_price: Some(f64::NAN), ..Filters::default() };
    assert!(catalog.search(&with_filters("", filters)).is_err());
    // Hostile text is just text.
    for text in ["\" OR 1=1 --", "title:mug AND", "*", "🙂🙂🙂", &"mug ".repeat(200), "\u{0}\u{1}"] {
        catalog.search(&SearchRequest::new(text)).unwrap();
    }
}

#[test]
fn a_failed_or_interrupted_build_leaves_the_served_index_alone() {
    let products = &demo_products()[..50];
    let dir = build_index(products);
    let served = index::current_generation(dir.path()).unwrap().unwrap();
    let catalog = Catalog::open(dir.path(), Synonyms::default()).unwrap();

    let err = index::build(dir.path(), &[], IndexSource::Import { files: vec![] }, &BuildOptions::default()).unwrap_err();
    assert!(matches!(err, CatalogError::Empty));
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let options = BuildOptions { cancel: Some(cancel), ..BuildOptions::default() };
    let err = index::build(dir.path(), demo_products(), IndexSource::Import { files: vec![] }, &options).unwrap_err();
    assert!(matches!(err, CatalogError::Interrupted), "{err}");

    assert_eq!(index::current_generation(dir.path()).unwrap().unwrap(), served);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(catalog.search(&SearchRequest::default()).unwrap().total, 50, "the open catalog still serves");
    assert_eq!(Catalog::open(dir.path(), Synonyms::default()).unwrap().len(), 50);

    // An abandoned build (a crash) leaves a .tmp directory; the next build clears it.
    std::fs::create_dir(dir.path().join(".tmp-gen-crashed")).unwrap();
    index::build(dir.path(), products, IndexSource::Import { files: vec![] }, &BuildOptions::default()).unwrap();
    assert!(!dir.path().join(".tmp-gen-crashed").exists());
    // The generation being replaced is kept for readers that still hold it.
    assert!(served.exists());
}

#[test]
fn the_index_is_stale_when_the_catalog_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    let catalog_file = dir.path().join("catalog.jsonl");
    std::fs::copy(common::repo_path("data/demo/products.jsonl"), &catalog_file).unwrap();
    let index_dir = dir.path().join("index");
    let files = vec![catalog_file.clone()];
    assert_eq!(index::state(&index_dir, &files).unwrap(), IndexState::Missing);
    let source = IndexSource::Catalog { files: vec![SourceFile::hash(&catalog_file).unwrap()] };
    index::build(&index_dir, &demo_products()[..10], source, &BuildOptions::default()).unwrap();
    assert_eq!(index::state(&index_dir, &files).unwrap(), IndexState::Fresh);
    std::fs::write(&catalog_file, "{\"id\":\"x\",\"title\":\"X\",\"price\":\"1 USD\"}\n").unwrap();
    assert!(matches!(index::state(&index_dir, &files).unwrap(), IndexState::Stale(_)));
}

#[test]
fn suggested_filters_narrow_the_results_by_what_they_say() {
    use aisle::catalog::smart_filters::SuggestedFilter;
    let catalog = demo_catalog();
    let request = SearchRequest { limit: 5, ..SearchRequest::new("watch") };
    let results = catalog.search(&request).unwrap();
    assert!(!results.suggested_filters.is_empty() && results.suggested_filters.len() <= 5, "{:?}", results.suggested_filters);
    assert!(results.suggested_filters.iter().any(|f| matches!(f, SuggestedFilter::Price { .. })), "watch prices spread widely");
    for filter in &results.suggested_filters {
        let filters = match filter {
            SuggestedFilter::Category { value, .. } => Filters { categories: vec![value.clone()], ..Filters::default() },
            SuggestedFilter::Brand { value, .. } => Filters { brands: vec![value.clone()], ..Filters::default() },
            SuggestedFilter::Price { max_price, .. } => Filters { max_price: Some(*max_price), ..Filters::default() },
            SuggestedFilter::Attribute { value, .. } => Filters { attributes: vec![value.clone()], ..Filters::default() },
        };
        let narrowed = catalog.search(&SearchRequest { filters, ..request.clone() }).unwrap();
        assert_eq!(narrowed.total as u64, filter.count(), "{filter:?} keeps what it says");
        assert!(narrowed.total < results.total && narrowed.total >= 2, "{filter:?} narrows");
    }
    let capped = catalog.search(&SearchRequest { filters: Filters { max_price: Some(1e9), ..Filters::default() }, ..request }).unwrap();
    assert!(capped.suggested_filters.iter().all(|f| !matches!(f, SuggestedFilter::Price { .. })), "no cap where the shopper set one");
}
