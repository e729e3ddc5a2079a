//! Tests of the whole pipeline: a table of utterances and every slot expected of each (grouped
//! by the extractor they aim at), an empty lexicon, bounded input, random input that must not
//! panic, and the serialized form.

use super::*;
use Direction::{Asc, Desc};

fn owned(list: &[(&str, u64)]) -> Vec<(String, u64)> {
    list.iter().map(|(n, c)| ((*n).to_string(), *c)).collect()
}

#[rustfmt::skip]
const TITLES: &[(&str, &str)] = &[
    ("p1", "Dyson V15 Detect Cordless Vacuum"),
    ("p2", "Dyson V8 Absolute Cordless Vacuum"),
    ("p3", "Sony WH-1000XM5 Wireless Headphones"),
    ("p4", "Sony WH-1000XM4 Wireless Headphones"),
    ("p5", "Bose QuietComfort 45 Headphones"),
    ("p6", "Akup Love-music Ceramic Mug"),
    ("p7", "Akup Coffee Lover Ceramic Mug"),
    ("p8", "Plain White Ceramic Mug 350 ml"),
    ("p9", "Borosil Glass Coffee Mug"),
    ("p10", "Speedwav 240450 Sun Shade for Maruti Wagonr"),
    ("p11", "Speedwav 212543 Car Body Cover for Hyundai i20"),
    ("p12", "Philips HL7756 Mixer Grinder"),
    ("p13", "Prestige Blender PB 01"),
    ("p14", "Nike Air Zoom Pegasus 40 Running Shoes"),
    ("p15", "Nike Revolution 6 Running Shoes"),
    ("p16", "Adidas Ultraboost 22 Running Shoes"),
    ("p17", "Pepe Jeans Slim Fit Men's Jeans"),
    ("p18", "Only Women's Floral Midi Dress"),
    ("p19", "Tetley Green Tea Lemon & Honey"),
    ("p20", "Red Tape Men's Leather Sneakers"),
    ("p21", "Puma Men's Regular Fit T-shirt"),
    ("p22", "Apple iPhone 15 128GB Black"),
    ("p23", "Google Pixel 8 128GB Obsidian"),
    ("p24", "Samsung Galaxy S24 256GB Onyx Black"),
    ("p25", "Puma Essentials Logo Polo Shirt"),
    ("p26", "Pepe Jeans Men's Slim Fit Casual Shirt"),
    ("p27", "Nike Dri-FIT Men's Running T-Shirt"),
    // brands taken from titles; the brand column of some jeans holds their fit ("Regular")
    ("p28", "Lee Men's Jeans"),
    ("p29", "Wrangler Regular Fit Men's Jeans"),
    ("p30", "Wrangler Skanders Fit Men's Jeans"),
    ("p31", "Ne Regular Fit Men's Jeans"),
    ("p32", "Lee Solid V-neck Casual, Party Men's Sweater"),
];

#[rustfmt::skip]
fn lexicon() -> Lexicon {
    let brands = owned(&[
        ("Speedwav", 28), ("Akup", 22), ("Pepe Jeans", 40), ("Nike", 120), ("Adidas", 90),
        ("Puma", 80), ("Only", 35), ("Dyson", 12), ("Sony", 60), ("Bose", 15),
        ("Philips", 45), ("Prestige", 30), ("Slim", 5), ("Prime", 7), ("Red Tape", 18),
        ("United Colors of Benetton", 25), ("Tetley", 10), ("Apple", 20), ("Google", 12),
        ("Samsung", 50), ("W", 9), ("Borosil", 14), ("Lee", 2), ("Wrangler", 1),
        ("Regular", 2), ("Skanders", 1),
    ]);
    let categories = owned(&[
        ("Footwear", 121), ("Footwear > Womens Footwear", 60), ("Footwear > Mens Footwear", 55),
        ("Footwear > Mens Footwear > Sports Shoes", 30), ("Kitchen & Dining", 80),
        ("Kitchen & Dining > Coffee Mugs", 25), ("Home Appliances > Vacuum Cleaners", 12),
        ("Home Appliances > Mixer Grinders", 18), ("Electronics > Headphones", 40),
        ("Automotive > Car Sun Shades", 9), ("Clothing > Mens Clothing > T-Shirts", 70),
        ("Clothing > Womens Clothing > Dresses", 45), ("Beverages > Tea > Green Tea", 20),
        ("Clothing > Mens Clothing > Jeans", 33), ("Electronics > Mobiles", 50),
    ]);
    Lexicon::new(&brands, &categories, TITLES.iter().copied())
}

/// Expected slots: a full [`Slots`] (products compared by id only).
#[derive(Default)]
struct E {
    s: Slots,
    products: Vec<&'static str>,
}

fn e() -> E {
    E::default()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_string()).collect()
}

fn comp(attribute: &str, direction: Direction) -> Comparative {
    Comparative {
        attribute: attribute.to_string(),
        direction,
    }
}

impl E {
    fn order(mut self, v: &str) -> Self {
        self.s.order_id = Some(v.into());
        self
    }
    fn qty(mut self, q: u32) -> Self {
        self.s.quantity = Some(q);
        self
    }
    fn min(mut self, v: f64) -> Self {
        self.s.price_min = Some(v);
        self
    }
    fn max(mut self, v: f64) -> Self {
        self.s.price_max = Some(v);
        self
    }
    fn cur(mut self, c: &str) -> Self {
        self.s.currency = Some(c.into());
        self
    }
    fn sort(mut self, s: SortSlot) -> Self {
        self.s.sort = Some(s);
        self
    }
    fn brands(mut self, b: &[&str]) -> Self {
        self.s.brands = strings(b);
        self
    }
    fn excl(mut self, b: &[&str]) -> Self {
        self.s.excluded_brands = strings(b);
        self
    }
    fn cats(mut self, c: &[&str]) -> Self {
        self.s.categories = strings(c);
        self
    }
    fn colors(mut self, c: &[&str]) -> Self {
        self.s.colors = strings(c);
        self
    }
    fn sizes(mut self, s: &[&str]) -> Self {
        self.s.sizes = strings(s);
        self
    }
    fn gender(mut self, g: &str) -> Self {
        self.s.gender = Some(g.into());
        self
    }
    fn prods(mut self, p: &[&'static str]) -> Self {
        self.products = p.to_vec();
        self
    }
    fn refs(mut self, r: Vec<Reference>) -> Self {
        self.s.references = r;
        self
    }
    fn comp(mut self, attribute: &str, direction: Direction) -> Self {
        self.s.comparative = Some(comp(attribute, direction));
        self
    }
    fn email(mut self, m: &str) -> Self {
        self.s.email = Some(m.into());
        self
    }
}

fn ord(position: u32) -> Reference {
    Reference::Ordinal { position }
}

fn by(attribute: &str, direction: Direction) -> Reference {
    Reference::ByComparative {
        comparative: comp(attribute, direction),
    }
}

const FOCUSED: Reference = Reference::Focused;

/// (text, expected). The adversarial cases are grouped at the end.
#[rustfmt::skip]
fn cases() -> Vec<(&'static str, E)> {
    use SortSlot::{PriceAsc, PriceDesc, Rating};
    vec![
        // ---- order ids
        ("where's my order 48213 at?", e().order("48213")),
        ("order #48213", e().order("48213")),
        ("order no. 48213 status", e().order("48213")),
        ("order number 00004587345", e().order("00004587345")),
        ("cancel purchase 00004587345", e().order("00004587345")),
        ("i need help to cancel order 113542617735902", e().order("113542617735902")),
        ("my order number is ORD-48213-X", e().order("ORD-48213-X")),
        ("#48213 hasn't arrived", e().order("48213")),
        ("where is my package 73220", e().order("73220")),
        ("order id: AB12C345", e().order("AB12C345")),
        ("track ord-99812-b please", e().order("ord-99812-b")),
        ("I want to order 2 shirts", e().qty(2)),
        ("I bought 2 mugs for 500 rupees, order 77812, refund please", e().qty(2).max(500.0).cur("INR").order("77812")),
        ("email me at jane.doe+shop@mail.example.co.uk about order 99812", e().email("jane.doe+shop@mail.example.co.uk").order("99812")),
        // ---- quantity
        ("add two of those please", e().qty(2).refs(vec![FOCUSED])),
        ("x2", e().qty(2)),
        ("also 2 Prestige cookers", e().qty(2).brands(&["Prestige"])),
        ("3 Philips", e().qty(3).brands(&["Philips"])),
        ("2 pcs", e().qty(2)),
        ("a dozen eggs", e().qty(12)),
        ("half a dozen", e().qty(6)),
        ("a couple of mugs", e().qty(2)),
        ("buy three", e().qty(3)),
        ("add 2 more", e().qty(2)),
        ("qty: 4", e().qty(4)),
        ("I want 3 t-shirts", e().qty(3).cats(&["Clothing > Mens Clothing > T-Shirts"])),
        ("add just one more", e().qty(1)),
        ("make it 2x", e().qty(2).refs(vec![FOCUSED])),
        ("remove 1 item", e().qty(1)),
        ("get me twenty five pieces", e().qty(25)),
        // ---- prices
        ("under $120", e().max(120.0).cur("USD")),
        ("below 500", e().max(500.0)),
        ("less than 2k", e().max(2000.0)),
        ("up to ₹1,500", e().max(1500.0).cur("INR")),
        ("max 300", e().max(300.0)),
        ("within 800", e().max(800.0)),
        ("over 50", e().min(50.0)),
        ("above €30", e().min(30.0).cur("EUR")),
        ("at least 100", e().min(100.0)),
        ("more than 1.5k", e().min(1500.0)),
        ("between 50 and 100 please", e().min(50.0).max(100.0)),
        ("from 50 to 100", e().min(50.0).max(100.0)),
        ("50-100", e().min(50.0).max(100.0)),
        ("€30-€40", e().min(30.0).max(40.0).cur("EUR")),
        ("$1,299.99", e().max(1299.99).cur("USD")),
        ("shoes ₹499", e().max(499.0).cur("INR")),
        ("rs 499", e().max(499.0).cur("INR")),
        ("shoes under rs.999", e().max(999.0).cur("INR")),
        ("499 rupees", e().max(499.0).cur("INR")),
        ("usd 50", e().max(50.0).cur("USD")),
        ("under 20 euros", e().max(20.0).cur("EUR")),
        ("under £20", e().max(20.0).cur("GBP")),
        ("2 lakh budget", e().max(200000.0)),
        ("around 200", e().min(160.0).max(240.0)),
        ("about $50", e().min(40.0).max(60.0).cur("USD")),
        ("not under 100", e().min(100.0)),
        ("not more than 50", e().max(50.0)),
        ("under a hundred", e().max(100.0)),
        ("under 2000 rs", e().max(2000.0).cur("INR")),
        ("500/-", e().max(500.0).cur("INR")),
        ("₹ 1,50,000 budget", e().max(150000.0).cur("INR")),
        ("over 50 and under 100 dollars", e().min(50.0).max(100.0).cur("USD")),
        ("500 or less", e()),
        ("price 500 or less", e().max(500.0)),
        // "in" after an amount: the preposition unless it reads as inches
        ("running shoes under 500 in black", e().max(500.0).colors(&["black"])),
        ("tv under 50000 in india", e().max(50000.0)),
        ("under 500 in mumbai", e().max(500.0)),
        ("max 999 in stock", e().max(999.0)),
        ("budget of 1500 in cotton", e().max(1500.0)),
        ("less than 700 in the sale", e().max(700.0)),
        ("upto 800 in size M", e().max(800.0).sizes(&["M"])),
        ("below 300 in light blue", e().max(300.0).colors(&["light blue"])),
        ("between 100 and 500 in delhi", e().min(100.0).max(500.0)),
        ("€30-€40 in red", e().min(30.0).max(40.0).cur("EUR").colors(&["red"])),
        ("under 2k in leather", e().max(2000.0)),
        ("add 2 in black", e().qty(2).colors(&["black"])),
        ("uk 8 in white", e().sizes(&["UK 8"]).colors(&["white"])),
        ("15 in laptop", e()),
        ("a 32 in tv", e()),
        ("15 in. laptop bag", e()),
        ("laptop sleeve for 15 in", e()),
        ("under 15 in screen", e()),
        ("6 in x 4 in photo frame", e()),
        ("2 in 1 laptop", e()),
        ("get me a 12 in pan under 800", e().max(800.0)),
        ("a 55 in tv under $600 in black", e().max(600.0).cur("USD").colors(&["black"])),
        // ---- sort and comparatives
        ("the cheapest 4k tv you have", e().sort(PriceAsc).comp("price", Asc)),
        ("most expensive watch", e().sort(PriceDesc).comp("price", Desc)),
        ("best rated headphones", e().sort(Rating).comp("rating", Desc).cats(&["Electronics > Headphones"])),
        ("top-rated", e().sort(Rating).comp("rating", Desc)),
        ("premium headphones", e().sort(PriceDesc).cats(&["Electronics > Headphones"])),
        ("cheap mugs", e().sort(PriceAsc)),
        ("price low to high", e().sort(PriceAsc)),
        ("sort by rating please", e().sort(Rating)),
        ("not too expensive", e().sort(PriceAsc)),
        ("priciest", e().sort(PriceDesc).comp("price", Desc)),
        ("lowest price", e().sort(PriceAsc).comp("price", Asc)),
        ("which one is lighter then?", e().comp("weight", Asc)),
        ("heavier", e().comp("weight", Desc)),
        ("show me cheaper ones", e().comp("price", Asc)),
        ("less expensive", e().comp("price", Asc)),
        ("more affordable", e().comp("price", Asc)),
        ("more expensive", e().comp("price", Desc)),
        ("pricier", e().comp("price", Desc)),
        ("better rated", e().comp("rating", Desc)),
        ("higher rated", e().comp("rating", Desc)),
        ("bigger battery", e().comp("battery", Desc)),
        ("longer battery life", e().comp("battery", Desc)),
        ("bigger", e().comp("size", Desc)),
        ("smaller", e().comp("size", Asc)),
        ("more compact", e().comp("size", Asc)),
        ("more storage", e().comp("storage", Desc)),
        ("more ram", e().comp("memory", Desc)),
        ("bigger screen", e().comp("screen", Desc)),
        ("faster", e().comp("speed", Desc)),
        ("longer warranty", e().comp("warranty", Desc)),
        ("holds more", e().comp("capacity", Desc)),
        ("lightest", e().comp("weight", Asc)),
        ("cheaper than $50", e().max(50.0).cur("USD")),
        // ---- colours
        ("navy blue shirt", e().colors(&["navy blue"])),
        ("off-white sneakers", e().colors(&["off white"]).prods(&["p20"])),
        ("rose gold watch", e().colors(&["rose gold"])),
        ("grey or gray", e().colors(&["grey"])),
        ("light blue jeans", e().colors(&["light blue"]).cats(&["Clothing > Mens Clothing > Jeans"])),
        ("black and white", e().colors(&["black", "white"])),
        ("green tea", e().cats(&["Beverages > Tea > Green Tea"])),
        ("black pepper and white rice", e()),
        ("orange juice", e()),
        ("red wine glasses", e()),
        ("not red, maybe blue", e().colors(&["blue"])),
        ("multi-colour rug", e().colors(&["multicolor"])),
        ("blakc shoes", e().colors(&["black"])),
        ("olive chinos", e().colors(&["olive"])),
        // ---- sizes
        ("size 10 please", e().sizes(&["10"])),
        ("sz 9.5", e().sizes(&["9.5"])),
        ("uk 8 sneakers", e().sizes(&["UK 8"]).prods(&["p20"])),
        ("eu 42 please", e().sizes(&["EU 42"])),
        ("us 10 running shoes", e().sizes(&["US 10"])),
        ("XL", e().sizes(&["XL"])),
        ("2XL hoodie", e().sizes(&["2XL"])),
        ("in medium", e().sizes(&["M"])),
        ("size M or L", e().sizes(&["M", "L"])),
        ("do you have it in M", e().sizes(&["M"]).refs(vec![FOCUSED])),
        ("a large t-shirt", e().sizes(&["L"]).cats(&["Clothing > Mens Clothing > T-Shirts"])),
        ("extra large hoodie", e().sizes(&["XL"])),
        ("a large bowl", e()),
        ("32 waist jeans", e().sizes(&["32"]).cats(&["Clothing > Mens Clothing > Jeans"])),
        ("32x34", e().sizes(&["32x34"])),
        ("size10", e().sizes(&["10"])),
        // ---- gender
        ("for my dad", e().gender("male")),
        ("for my daughter", e().gender("girls")),
        ("for my son", e().gender("boys")),
        ("gift for my wife", e().gender("female")),
        ("mens shoes", e().gender("male")),
        ("gents watch", e().gender("male")),
        ("ladies handbag", e().gender("female")),
        ("men's shoes", e().gender("male")),
        ("a gift for her", e().gender("female")),
        ("girls' dresses", e().gender("girls").cats(&["Clothing > Womens Clothing > Dresses"])),
        ("kids shoes", e().gender("kids")),
        ("baby blanket", e().gender("baby")),
        ("unisex hoodie", e().gender("unisex")),
        // ---- brands
        ("nike running shoes", e().brands(&["Nike"])),
        ("pepe jeans slim fit", e().brands(&["Pepe Jeans"])),
        ("pepejeans", e().brands(&["Pepe Jeans"])),
        ("adiddas sneakers", e().brands(&["Adidas"])),
        ("dysen vacuum", e().brands(&["Dyson"])),
        ("united colors of benetton tshirt", e().brands(&["United Colors of Benetton"]).cats(&["Clothing > Mens Clothing > T-Shirts"])),
        ("looking for Red Tape sneakers", e().brands(&["Red Tape"]).prods(&["p20"])),
        ("only nike please", e().brands(&["Nike"])),
        ("Show me Only dresses", e().brands(&["Only"]).cats(&["Clothing > Womens Clothing > Dresses"])),
        ("dresses by only", e().brands(&["Only"]).cats(&["Clothing > Womens Clothing > Dresses"])),
        ("slim fit jeans", e().cats(&["Clothing > Mens Clothing > Jeans"])),
        ("prime delivery", e()),
        ("size 10 but not nike", e().sizes(&["10"]).excl(&["Nike"])),
        ("no adidas please", e().excl(&["Adidas"])),
        ("except puma", e().excl(&["Puma"])),
        ("anything but Only", e().excl(&["Only"])),
        ("not nike or adidas", e().excl(&["Nike", "Adidas"])),
        ("nike but not adidas", e().brands(&["Nike"]).excl(&["Adidas"])),
        ("w brand kurtas", e().brands(&["W"])),
        // ---- categories
        ("womens footwear", e().cats(&["Footwear > Womens Footwear"]).gender("female")),
        ("footwear", e().cats(&["Footwear"])),
        ("footwear for women", e().cats(&["Footwear > Womens Footwear"]).gender("female")),
        ("coffee mugs", e().cats(&["Kitchen & Dining > Coffee Mugs"])),
        ("vacuum cleaner", e().cats(&["Home Appliances > Vacuum Cleaners"])),
        ("mixer grinder", e().cats(&["Home Appliances > Mixer Grinders"]).prods(&["p12"])),
        ("sports shoes for men", e().cats(&["Footwear > Mens Footwear > Sports Shoes"]).gender("male")),
        // ---- products
        ("the speedwav 240450", e().brands(&["Speedwav"]).prods(&["p10"])),
        ("sun shade for wagonr", e().prods(&["p10"])),
        ("car sun shade", e().cats(&["Automotive > Car Sun Shades"])),
        ("akup love-music ceramic mug", e().brands(&["Akup"]).prods(&["p6"])),
        ("love-music mug", e().prods(&["p6"])),
        ("ceramic mug", e()),
        ("remove the blender please", e().prods(&["p13"])),
        ("remove the toaster", e()),
        ("the dyson v15", e().brands(&["Dyson"]).prods(&["p1"])),
        ("is the dyson v15 in stock now", e().brands(&["Dyson"]).prods(&["p1"])),
        ("compare the xm5 with the qc45", e().prods(&["p3"])),
        ("sony wh-1000xm4", e().brands(&["Sony"]).prods(&["p4"])),
        ("philips hl7756", e().brands(&["Philips"]).prods(&["p12"])),
        ("iphone 15", e().prods(&["p22"])),
        ("pixel 8 vs galaxy s24", e().prods(&["p23", "p24"])),
        // a named brand and the product's other words: a mention when no other product of the
        // brand has those words and they are most of its title
        ("is the Lee men's jeans cheaper than the Wrangler regular fit jeans?", e().brands(&["Lee", "Wrangler"]).cats(&["Clothing > Mens Clothing > Jeans"]).gender("male").comp("price", Asc).prods(&["p28", "p29"])),
        ("compare the Lee jeans and the Wrangler Skanders jeans", e().brands(&["Lee", "Wrangler", "Skanders"]).cats(&["Clothing > Mens Clothing > Jeans"]).prods(&["p28", "p30"])),
        ("lee jeans", e().brands(&["Lee"]).cats(&["Clothing > Mens Clothing > Jeans"]).prods(&["p28"])),
        ("Wrangler regular fit jeans", e().brands(&["Wrangler"]).cats(&["Clothing > Mens Clothing > Jeans"]).prods(&["p29"])),
        ("wrangler jeans", e().brands(&["Wrangler"]).cats(&["Clothing > Mens Clothing > Jeans"])),
        ("wrangler men's jeans", e().brands(&["Wrangler"]).cats(&["Clothing > Mens Clothing > Jeans"]).gender("male")),
        ("regular fit jeans", e().cats(&["Clothing > Mens Clothing > Jeans"])),
        ("Regular fit jeans for men", e().cats(&["Clothing > Mens Clothing > Jeans"]).gender("male")),
        ("lee", e().brands(&["Lee"])),
        ("lee sweater", e().brands(&["Lee"])),
        ("jeans but not lee", e().excl(&["Lee"]).cats(&["Clothing > Mens Clothing > Jeans"])),
        ("sony wireless headphones", e().brands(&["Sony"]).cats(&["Electronics > Headphones"])),
        // ---- references
        ("the second one", e().refs(vec![ord(2)])),
        ("what about the second one?", e().refs(vec![ord(2)])),
        ("the 2nd", e().refs(vec![ord(2)])),
        ("number two", e().refs(vec![ord(2)])),
        ("option 3", e().refs(vec![ord(3)])),
        ("add #2 to cart", e().refs(vec![ord(2)])),
        ("#2 or #3?", e().refs(vec![ord(2), ord(3)])),
        ("the former", e().refs(vec![ord(1)])),
        ("the first two", e().refs(vec![Reference::First { count: 2 }])),
        ("the last one", e().refs(vec![Reference::Last { count: 1 }])),
        ("i'll take the last two", e().refs(vec![Reference::Last { count: 2 }])),
        ("that one", e().refs(vec![FOCUSED])),
        ("this one", e().refs(vec![FOCUSED])),
        ("the one you showed", e().refs(vec![FOCUSED])),
        ("add it to my cart", e().refs(vec![FOCUSED])),
        ("is it waterproof at all?", e().refs(vec![FOCUSED])),
        ("does it come in blue", e().refs(vec![FOCUSED]).colors(&["blue"])),
        ("how much is it", e().refs(vec![FOCUSED])),
        ("both", e().refs(vec![Reference::Both])),
        ("these two", e().refs(vec![Reference::Both])),
        ("compare both of them", e().refs(vec![Reference::Both])),
        ("all of them", e().refs(vec![Reference::All])),
        ("show all three", e().refs(vec![Reference::All])),
        ("the cheaper one", e().refs(vec![by("price", Asc)])),
        ("the lighter one please", e().refs(vec![by("weight", Asc)])),
        ("the best rated one", e().refs(vec![by("rating", Desc)])),
        ("which is better, the first or the second?", e().refs(vec![ord(1), ord(2)])),
        // ---- email
        ("mail me at a.b@c.io.", e().email("a.b@c.io")),
        ("foo@bar", e()),
        // ---- adversarial
        ("", e()),
        ("   \t\n ", e()),
        ("👟 size 9 under $80 🔥", e().sizes(&["9"]).max(80.0).cur("USD")),
        ("'; DROP TABLE orders; --", e()),
        ("Robert'); DROP TABLE students;-- order 48213", e().order("48213")),
        ("chaussures rouges taille 42 sous 50€", e().max(50.0).cur("EUR")),
        ("我想买鞋 under $50", e().max(50.0).cur("USD")),
        ("मुझे जूते चाहिए under ₹500", e().max(500.0).cur("INR")),
        ("café crème mug", e()),
        ("4k tv", e()),
        ("32gb", e()),
        ("1.5 ton ac", e()),
        ("500 ml", e()),
        ("under 5 kg", e()),
        ("over 4 stars", e()),
        ("50% off", e()),
        ("iphone 15 pro max", e()),
        ("2020 model", e()),
        ("between 100 and 50", e()),
        ("sonny headphones", e().cats(&["Electronics > Headphones"])),
        ("Only dresses", e().cats(&["Clothing > Womens Clothing > Dresses"])),
        // lower-case "red tape" is neither the restricted brand nor a colour filter
        ("red tape shoes", e()),
        ("mug", e()),
        ("my first order", e()),
        ("#1 best seller", e()),
        ("dial the last number", e()),
        ("first time buyer", e()),
        ("is it possible to cancel my order", e()),
        ("it is raining", e()),
        ("shoes that fit wide feet", e()),
        ("show us 10 options", e()),
        ("can x's music be played", e()),
        ("$$$", e()),
        ("under", e()),
        ("size", e()),
        ("order #", e()),
        ("###", e()),
        ("1,2,3", e()),
        ("@@@ a@b", e()),
        ("order 2020", e().order("2020")),
        ("pixel 8 under $500", e().max(500.0).cur("USD").prods(&["p23"])),
        ("SHOW ME ONLY NIKE UNDER $50", e().brands(&["Nike"]).max(50.0).cur("USD")),
        ("add 2 of the dyson v15 under 500 dollars in black", e().qty(2).brands(&["Dyson"]).prods(&["p1"]).max(500.0).cur("USD").colors(&["black"])),
    ]
}

fn check(text: &str, want: &E, lex: &Lexicon) -> Result<(), String> {
    let mut got = extract(text, lex);
    got.query.clear(); // the words left over have their own tests
    for p in &got.products {
        if !(0.0..=1.0).contains(&p.score) {
            return Err(format!("{text:?}: score {} out of range", p.score));
        }
    }
    if got.products.windows(2).any(|w| w[0].score < w[1].score) {
        return Err(format!("{text:?}: products not best first"));
    }
    let ids: Vec<String> = got.products.drain(..).map(|p| p.id).collect();
    if got != want.s || ids != want.products {
        return Err(format!(
            "{text:?}\n   got  {got:?} products {ids:?}\n   want {:?} products {:?}",
            want.s, want.products
        ));
    }
    Ok(())
}

#[test]
fn table() {
    let lex = lexicon();
    let cases = cases();
    assert!(cases.len() >= 130, "only {} cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(text, want)| check(text, want, &lex).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn empty_lexicon_still_extracts_text_slots() {
    let lex = Lexicon::default();
    let got = extract("2 red nike shoes size 9 under $80 for order 48213", &lex);
    assert_eq!(got.quantity, Some(2));
    assert_eq!(got.colors, vec!["red"]);
    assert_eq!(got.sizes, vec!["9"]);
    assert_eq!(got.price_max, Some(80.0));
    assert_eq!(got.order_id.as_deref(), Some("48213"));
    assert!(got.brands.is_empty() && got.products.is_empty() && got.categories.is_empty());
}

#[test]
fn long_repeated_text_is_bounded_and_reads_its_start() {
    let lex = lexicon();
    let text = "👟 size 9 under $80 🔥 ".repeat(500);
    assert!(text.len() > 10_000);
    let got = extract(&text, &lex);
    assert_eq!(got.sizes, vec!["9"]);
    assert_eq!(got.price_max, Some(80.0));
    assert_eq!(got.currency.as_deref(), Some("USD"));
    // a cut in the middle of a multi-byte char must not panic
    let cjk = "鞋".repeat(5000);
    let got = extract(&cjk, &lex);
    assert_eq!(Slots { query: String::new(), ..got }, Slots::default());
}

/// A small xorshift generator: deterministic pseudo-random input without a dependency.
pub(super) struct Rng(pub(super) u64);
impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn random_bytes_never_panic() {
    let lex = lexicon();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..3000 {
        let len = rng.below(80);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        let got = extract(&text, &lex);
        assert!(got.products.len() <= MAX_PRODUCTS);
    }
}

#[test]
fn random_token_soup_never_panics() {
    const SOUP: &[&str] = &[
        "order",
        "#",
        "48213",
        "under",
        "$",
        "₹",
        "1,299.99",
        "-",
        "to",
        "between",
        "and",
        "not",
        "no",
        "size",
        "uk",
        "us",
        "x",
        "2",
        "two",
        "dozen",
        "half",
        "a",
        "the",
        "first",
        "last",
        "one",
        "it",
        "that",
        "of",
        "those",
        "both",
        "all",
        "cheaper",
        "than",
        "nike",
        "Only",
        "pepe",
        "jeans",
        "red",
        "tape",
        "navy",
        "blue",
        "in",
        "medium",
        "xl",
        "32",
        "waist",
        "k",
        "lakh",
        "/",
        "@",
        ".",
        "com",
        "mug",
        "dyson",
        "v15",
        "🔥",
        "é",
        "鞋",
        "?",
        "'",
        "’s",
        "for",
        "her",
        "son",
        "0",
        "99999999999999999999",
    ];
    let lex = lexicon();
    let mut rng = Rng(42);
    for _ in 0..5000 {
        let n = rng.below(14);
        let words: Vec<&str> = (0..n).map(|_| SOUP[rng.below(SOUP.len())]).collect();
        let sep = if rng.below(2) == 0 { " " } else { "" };
        let text = words.join(sep);
        let got = extract(&text, &lex);
        if let (Some(lo), Some(hi)) = (got.price_min, got.price_max) {
            assert!(lo <= hi, "{text:?}: {lo} > {hi}");
        }
    }
}

#[test]
fn serializes_compactly() {
    let lex = lexicon();
    let got = extract("the cheaper one under $50", &lex);
    let json = serde_json::to_value(&got).unwrap_or_default();
    assert_eq!(
        json,
        serde_json::json!({
            "price_max": 50.0,
            "currency": "USD",
            "references": [{"kind": "by_comparative", "comparative": {"attribute": "price", "direction": "asc"}}]
        })
    );
}

#[test]
fn helpers() {
    assert_eq!(truncate("ab鞋", 3), "ab");
}
