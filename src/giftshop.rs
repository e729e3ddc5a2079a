//! `aisle demo giftshop`: a second demo shop with real behaviour, built from the UCI Online
//! Retail invoices (a UK gift wholesaler, 2010–2011): its items become the catalog and its
//! customers' invoice lines become their purchases, so recommendations and personalization can
//! be seen on what real customers bought together.
//!
//! - Catalog (`products.jsonl`): one product per stock code; the title is its most frequent
//!   description in title case, the price its median unit price in GBP, the kind of product a
//!   department and kind read from the description's words ([`KINDS`]), else "Gifts > Other".
//! - Purchases: every kept invoice line (a customer, not a cancellation, quantity and price
//!   above 0) is a `purchase` event of that customer, source `orders`, id `or:<invoice>:<line>`
//!   (so building twice changes nothing). Invoice times are shifted so that the last invoice is
//!   today: trending and recency then mean what they would in a running shop.
//! - `aisle.toml` beside them: the catalog, its own index folder and database, currency GBP, no
//!   demo orders. `aisle serve --config <dir>/aisle.toml` serves it.

use std::collections::HashMap;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::catalog::Product;
use crate::catalog::product::Money;
use crate::events::store::EventStore;
use crate::events::{Event, Kind, Source};

/// The default dataset.
pub const ONLINE_RETAIL: &str = "../shared/data/interactions/online_retail_2010-2011.csv.gz";

/// Words of a description that say what kind of product it is: (word, department, kind). The
/// first listed that the description contains wins, so the more telling words come first.
const KINDS: &[(&str, &str, &str)] = &[
    ("CHRISTMAS", "Seasonal", "Christmas Decorations"),
    ("EASTER", "Seasonal", "Easter Decorations"),
    ("HOT WATER BOTTLE", "Home", "Hot Water Bottles"),
    ("LUNCH BOX", "Kitchen", "Lunch Boxes"),
    ("LUNCH BAG", "Bags", "Lunch Bags"),
    ("CAKE CASES", "Party", "Cake Cases"),
    ("CAKE STAND", "Kitchen", "Cake Stands"),
    ("TEA TOWEL", "Kitchen", "Tea Towels"),
    ("T-LIGHT", "Home Decor", "Candle Holders"),
    ("CANDLE", "Home Decor", "Candles"),
    ("LANTERN", "Home Decor", "Lanterns"),
    ("LIGHTS", "Home Decor", "Lights"),
    ("FRAME", "Home Decor", "Frames"),
    ("CLOCK", "Home Decor", "Clocks"),
    ("SIGN", "Home Decor", "Signs"),
    ("CUSHION", "Home Decor", "Cushions"),
    ("DOORMAT", "Home Decor", "Doormats"),
    ("BUNTING", "Party", "Bunting"),
    ("GARLAND", "Home Decor", "Garlands"),
    ("ORNAMENT", "Home Decor", "Ornaments"),
    ("DECORATION", "Home Decor", "Decorations"),
    ("HOOK", "Home Decor", "Hooks"),
    ("MUG", "Kitchen", "Mugs"),
    ("CUP", "Kitchen", "Cups"),
    ("TEAPOT", "Kitchen", "Teapots"),
    ("PLATE", "Kitchen", "Plates"),
    ("BOWL", "Kitchen", "Bowls"),
    ("JAR", "Kitchen", "Jars"),
    ("TIN", "Kitchen", "Tins"),
    ("BAKING", "Kitchen", "Baking"),
    ("CUTLERY", "Kitchen", "Cutlery"),
    ("APRON", "Kitchen", "Aprons"),
    ("BOTTLE", "Kitchen", "Bottles"),
    ("NAPKINS", "Party", "Napkins"),
    ("PARTY", "Party", "Party Supplies"),
    ("BALLOON", "Party", "Balloons"),
    ("CARD", "Stationery", "Cards"),
    ("WRAP", "Stationery", "Gift Wrap"),
    ("RIBBON", "Stationery", "Ribbons"),
    ("STICKER", "Stationery", "Stickers"),
    ("NOTEBOOK", "Stationery", "Notebooks"),
    ("PENCIL", "Stationery", "Pencils"),
    ("PEN", "Stationery", "Pens"),
    ("TAPE", "Stationery", "Tape"),
    ("BAG", "Bags", "Bags"),
    ("PURSE", "Bags", "Purses"),
    ("NECKLACE", "Jewellery", "Necklaces"),
    ("EARRINGS", "Jewellery", "Earrings"),
    ("BRACELET", "Jewellery", "Bracelets"),
    ("RING", "Jewellery", "Rings"),
    ("UMBRELLA", "Accessories", "Umbrellas"),
    ("GLOVES", "Accessories", "Gloves"),
    ("TOY", "Toys", "Toys"),
    ("GAME", "Toys", "Games"),
    ("DOLL", "Toys", "Dolls"),
    ("PUZZLE", "Toys", "Puzzles"),
    ("GARDEN", "Garden", "Garden"),
    ("BIRD", "Garden", "Bird Feeders"),
    ("CANDLEHOLDER", "Home Decor", "Candle Holders"),
    ("CANDLESTICK", "Home Decor", "Candle Holders"),
    ("LAMPSHADE", "Home Decor", "Lamps"),
    ("LAMP", "Home Decor", "Lamps"),
    ("MIRROR", "Home Decor", "Mirrors"),
    ("WREATH", "Home Decor", "Wreaths"),
    ("CURTAIN", "Home Decor", "Curtains"),
    ("DOORSTOP", "Home Decor", "Doorstops"),
    ("KNOB", "Home Decor", "Knobs"),
    ("HANGER", "Home Decor", "Hooks"),
    ("INCENSE", "Home Decor", "Incense"),
    ("MAGNET", "Home Decor", "Magnets"),
    ("CABINET", "Storage", "Cabinets"),
    ("RACK", "Storage", "Racks"),
    ("ORGANISER", "Storage", "Organisers"),
    ("TRAY", "Kitchen", "Trays"),
    ("DISH", "Kitchen", "Dishes"),
    ("BEAKER", "Kitchen", "Cups"),
    ("GLASS", "Kitchen", "Glasses"),
    ("JUG", "Kitchen", "Jugs"),
    ("COASTER", "Kitchen", "Coasters"),
    ("PLACEMAT", "Kitchen", "Placemats"),
    ("POT", "Garden", "Pots"),
    ("PARASOL", "Accessories", "Parasols"),
    ("TISSUES", "Accessories", "Tissues"),
    ("HANDBAG", "Bags", "Handbags"),
    ("WASHBAG", "Bags", "Wash Bags"),
    ("CHARM", "Jewellery", "Charms"),
    ("DOILIES", "Party", "Doilies"),
    ("STRAWS", "Party", "Straws"),
    ("TAG", "Stationery", "Gift Tags"),
    ("JOURNAL", "Stationery", "Notebooks"),
    ("SKETCHBOOK", "Stationery", "Notebooks"),
    ("BOOK", "Stationery", "Books"),
    ("KIT", "Toys", "Craft Kits"),
    ("HOLDER", "Home Decor", "Holders"),
    ("BOX", "Storage", "Boxes"),
    ("BASKET", "Storage", "Baskets"),
];

/// One kept invoice line.
struct Line {
    invoice: String,
    code: String,
    description: String,
    price: f64,
    customer: String,
    /// Unix ms.
    at: i64,
}

/// What was built.
#[derive(Debug)]
pub struct Built {
    pub products: usize,
    pub customers: usize,
    pub purchases: usize,
    pub stored: usize,
    pub config: PathBuf,
}

/// Builds the shop in `dir` from the Online Retail file at `data`.
pub async fn build(data: &Path, dir: &Path) -> anyhow::Result<Built> {
    let lines = read(data)?;
    anyhow::ensure!(!lines.is_empty(), "{} has no invoice line with a customer", data.display());
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let products = catalog(&lines);
    let catalog_path = dir.join("products.jsonl");
    let mut out = BufWriter::new(std::fs::File::create(&catalog_path).with_context(|| format!("cannot write {}", catalog_path.display()))?);
    for p in &products {
        serde_json::to_writer(&mut out, p)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;

    let last = lines.iter().map(|l| l.at).max().unwrap_or(0);
    let shift = jiff::Timestamp::now().as_millisecond() - last;
    let events: Vec<Event> = lines
        .iter()
        .enumerate()
        .map(|(n, l)| Event {
            id: format!("or:{}:{n}", l.invoice),
            kind: Kind::Purchase,
            session_id: None,
            customer_id: Some(l.customer.clone()),
            product_id: Some(l.code.clone()),
            list: None,
            query: None,
            quantity: None,
            price: Some(l.price),
            order_id: Some(l.invoice.clone()),
            source: Source::Orders,
            arm: None,
            at: l.at + shift,
        })
        .collect();
    let database = dir.join("aisle.db");
    let store = crate::session::store::Store::open(&database).await?;
    let store = EventStore::new(store.pool().clone());
    let mut stored = 0;
    let now = jiff::Timestamp::now().as_millisecond();
    for batch in events.chunks(5_000) {
        stored += store.record(batch, now).await?.accepted;
    }
    let config = dir.join("aisle.toml");
    let text = format!(
        "# The giftshop demo (`aisle demo giftshop`): UCI Online Retail's items and invoices.\ncatalog = [{:?}]\nindex_dir = {:?}\ndatabase = {:?}\ncurrency = \"GBP\"\ndemo_orders = false\n",
        catalog_path.display().to_string(),
        dir.join("index").display().to_string(),
        database.display().to_string(),
    );
    std::fs::write(&config, text).with_context(|| format!("cannot write {}", config.display()))?;
    let customers = lines.iter().map(|l| l.customer.as_str()).collect::<std::collections::HashSet<_>>().len();
    Ok(Built { products: products.len(), customers, purchases: events.len(), stored, config })
}

/// The kept lines of the dataset.
fn read(path: &Path) -> anyhow::Result<Vec<Line>> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") { Box::new(flate2::read::GzDecoder::new(file)) } else { Box::new(file) };
    let mut csv = csv::Reader::from_reader(reader);
    let headers = csv.headers().with_context(|| path.display().to_string())?.clone();
    let column = |name: &str| headers.iter().position(|h| h == name).with_context(|| format!("{} has no {name} column", path.display()));
    let (invoice, code, description, quantity, date, price, customer) =
        (column("InvoiceNo")?, column("StockCode")?, column("Description")?, column("Quantity")?, column("InvoiceDate")?, column("UnitPrice")?, column("CustomerID")?);
    let mut lines = Vec::new();
    for (n, record) in csv.records().enumerate() {
        let record = record.with_context(|| format!("{} line {}", path.display(), n + 2))?;
        let customer_id = record[customer].trim().trim_end_matches(".0");
        let q: f64 = record[quantity].trim().parse().unwrap_or(0.0);
        let p: f64 = record[price].trim().parse().unwrap_or(0.0);
        let text = record[description].trim();
        if customer_id.is_empty() || record[invoice].starts_with('C') || q <= 0.0 || p <= 0.0 || text.is_empty() {
            continue;
        }
        let at = record[date].trim().parse::<jiff::civil::DateTime>().with_context(|| format!("{} line {}: date {:?}", path.display(), n + 2, &record[date]))?;
        let at = jiff::tz::Offset::UTC.to_timestamp(at)?.as_millisecond();
        lines.push(Line { invoice: record[invoice].trim().to_string(), code: record[code].trim().to_string(), description: text.to_string(), price: p, customer: customer_id.to_string(), at });
    }
    Ok(lines)
}

/// One product per stock code, in order of first sale.
fn catalog(lines: &[Line]) -> Vec<Product> {
    let mut order: Vec<&str> = Vec::new();
    let mut seen: HashMap<&str, (HashMap<&str, usize>, Vec<f64>)> = HashMap::new();
    for l in lines {
        let entry = seen.entry(l.code.as_str()).or_insert_with(|| {
            order.push(l.code.as_str());
            Default::default()
        });
        *entry.0.entry(l.description.as_str()).or_default() += 1;
        entry.1.push(l.price);
    }
    order
        .into_iter()
        .map(|code| {
            let (descriptions, prices) = seen.remove(code).expect("seen");
            let description = descriptions.into_iter().max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0))).map(|(d, _)| d).unwrap_or(code);
            let mut prices = prices;
            prices.sort_by(f64::total_cmp);
            let price = ((prices[prices.len() / 2] * 100.0).round() / 100.0).max(0.01);
            let mut p = Product::new(code, title_case(description), Money::new(price, "GBP"));
            let (department, kind) = kind_of(description);
            p.product_type = Some(format!("Gifts > {department} > {kind}"));
            p.description = format!("{}. Sold by the piece at wholesale.", title_case(description));
            p
        })
        .collect()
}

/// The department and kind of a description ([`KINDS`]: whole words, a plural "S" allowed),
/// else ("Other", "Gifts").
fn kind_of(description: &str) -> (&'static str, &'static str) {
    let padded = format!(" {} ", description.to_uppercase().replace(|c: char| !c.is_alphanumeric() && c != '-', " "));
    KINDS
        .iter()
        .find(|(word, _, _)| padded.contains(&format!(" {word} ")) || padded.contains(&format!(" {word}S ")))
        .map_or(("Other", "Gifts"), |(_, d, k)| (*d, *k))
}

/// "WHITE HANGING HEART T-LIGHT HOLDER" → "White Hanging Heart T-Light Holder".
fn title_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut start = true;
    for c in text.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = !c.is_alphanumeric() && c != '\'';
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_become_titles_and_kinds() {
        assert_eq!(title_case("WHITE HANGING HEART T-LIGHT HOLDER"), "White Hanging Heart T-Light Holder");
        assert_eq!(title_case("60 CAKE CASES VINTAGE CHRISTMAS"), "60 Cake Cases Vintage Christmas");
        assert_eq!(kind_of("WHITE HANGING HEART T-LIGHT HOLDER"), ("Home Decor", "Candle Holders"));
        assert_eq!(kind_of("60 CAKE CASES VINTAGE CHRISTMAS"), ("Seasonal", "Christmas Decorations"));
        assert_eq!(kind_of("JUMBO BAG RED RETROSPOT"), ("Bags", "Bags"));
        assert_eq!(kind_of("ASSORTED COLOUR BIRD ORNAMENT"), ("Home Decor", "Ornaments"));
        assert_eq!(kind_of("PACK OF 72 RETROSPOT PEN"), ("Stationery", "Pens"));
        assert_eq!(kind_of("SPACEBOY"), ("Other", "Gifts"));
        assert_eq!(kind_of("GREETING CARD, LOVE"), ("Stationery", "Cards"), "not 'TIN' inside 'GREETING'");
    }

    #[test]
    fn a_stock_code_is_one_product_at_its_median_price_and_commonest_title() {
        let line = |code: &str, description: &str, price: f64| Line { invoice: "1".into(), code: code.into(), description: description.into(), price, customer: "c".into(), at: 0 };
        let products = catalog(&[line("A", "RED MUG", 2.0), line("B", "TIN", 1.0), line("A", "RED MUG", 3.0), line("A", "MUG RED", 10.0)]);
        assert_eq!(products.len(), 2);
        assert_eq!((products[0].id.as_str(), products[0].title.as_str(), products[0].price.amount), ("A", "Red Mug", 3.0));
        assert_eq!(products[0].product_type.as_deref(), Some("Gifts > Kitchen > Mugs"));
    }
}
