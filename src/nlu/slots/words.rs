//! Word lists that several extractors read, and the sets and maps built from them once
//! (`statics`): common and general English words (never typos; a brand made only of them is
//! restricted), title stop words, units (a number before one is a measure, never a price or a
//! quantity; for "in", the words after it that tell inches from the preposition), count nouns,
//! result nouns, function words, order words, demonstratives, single colours and shades, gender
//! words, and the keywords and short misspellings of typo correction.
//! A list that only one extractor reads lives in that extractor's file.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Common English and shopping words. A brand whose every word is here is "restricted" (see the
/// `brands` module docs), and none of these is ever treated as a typo.
#[rustfmt::skip]
const COMMON_WORDS: &[&str] = &[
    "a", "about", "above", "accessories", "active", "add", "after", "again", "air", "all", "also",
    "always", "am", "amazing", "an", "and", "any", "anything", "apple", "are", "art", "as",
    "asian", "at", "away", "baby", "back", "bag", "bags", "band", "bar", "base", "basic",
    "basics", "be", "beach", "beauty", "because", "bed", "been", "before", "being", "below",
    "best", "better", "between", "big", "bird", "black", "blue", "body", "bold", "book", "both",
    "bottle", "box", "boy", "boys", "brand", "bright", "bring", "brown", "buffet", "but", "buy",
    "by", "call", "campus", "can", "car", "care", "case", "cases", "casual", "catch", "center",
    "chair", "change", "cheap", "city", "class", "classic", "clean", "clear", "close", "club",
    "coffee", "cold", "color", "colors", "colour", "come", "comfort", "cool", "cotton", "could",
    "country", "cover", "craft", "cream", "crown", "cycle", "daily", "dark", "day", "days",
    "deal", "deals", "delivery", "design", "did", "diamond", "direct", "do", "does", "done",
    "door", "down", "dream", "dress", "drop", "duke", "each", "earth", "east", "eastern", "easy",
    "eat", "eco", "edge", "elegant", "elephant", "elite", "else", "empire", "energy", "engage",
    "even", "ever", "every", "everyday", "exclusive", "express", "extra", "eye", "fabric",
    "face", "family", "fashion", "fast", "feel", "few", "find", "fine", "finish", "fire",
    "first", "fit", "fix", "flair", "flat", "flex", "floral", "flower", "fly", "food", "for",
    "forever", "form", "fortune", "free", "fresh", "friend", "friends", "from", "fun", "future",
    "gala", "galaxy", "game", "garden", "gear", "generic", "genie", "get", "gift", "girl",
    "girls", "give", "glass", "glow", "go", "gold", "golden", "good", "got", "grace", "grand",
    "great", "green", "grey", "habit", "had", "hair", "half", "hand", "happy", "has", "have",
    "he", "health", "heart", "her", "here", "heritage", "high", "him", "his", "home", "hot",
    "house", "how", "i", "icon", "ideal", "if", "imported", "in", "india", "indian", "is", "it",
    "its", "jeans", "joy", "just", "keep", "kids", "king", "kitchen", "know", "lady", "large",
    "last", "leaf", "less", "let", "liberty", "life", "light", "like", "line", "link", "little",
    "live", "living", "local", "long", "look", "looks", "lord", "lot", "love", "low", "luxury",
    "made", "magic", "main", "make", "man", "many", "mark", "market", "master", "matrix", "max",
    "may", "me", "medium", "men", "metro", "might", "mini", "mirror", "mode", "modern", "moon",
    "more", "most", "mother", "much", "must", "my", "name", "native", "natural", "nature",
    "need", "new", "next", "nice", "night", "no", "north", "not", "nova", "now", "ocean", "of",
    "off", "office", "old", "on", "one", "only", "open", "or", "orange", "organic", "origami",
    "original", "other", "our", "out", "over", "own", "pack", "page", "paper", "park", "party",
    "pearl", "people", "perfect", "pet", "pick", "pink", "place", "plain", "planet", "play",
    "please", "plus", "point", "police", "power", "premium", "prime", "pro", "pure", "put",
    "quality", "queen", "quick", "rage", "rain", "real", "red", "regular", "rest", "rich",
    "right", "river", "road", "rock", "rose", "royal", "run", "safe", "sale", "same",
    "sapphire", "say", "school", "sea", "see", "select", "set", "shape", "she", "shine", "shoe",
    "shoes", "shop", "should", "show", "side", "silver", "simple", "size", "sky", "sleep",
    "slim", "small", "smart", "smile", "so", "soft", "some", "something", "sort", "soul",
    "south", "space", "special", "speed", "sport", "sports", "spring", "square", "standard",
    "star", "start", "still", "stop", "store", "story", "street", "strong", "studio", "style",
    "success", "such", "summer", "sun", "super", "sure", "sweet", "table", "take", "tape",
    "tea", "team", "tell", "than", "thank", "thanks", "that", "the", "their", "them", "then",
    "there", "these", "they", "thing", "think", "this", "those", "time", "to", "today", "too",
    "top", "total", "touch", "town", "trend", "trends", "true", "trust", "try", "twin", "two",
    "ultra", "under", "united", "up", "urban", "us", "use", "value", "very", "vibe", "view",
    "vision", "vogue", "want", "warm", "was", "watch", "water", "way", "we", "wear", "well",
    "went", "were", "west", "what", "when", "where", "which", "whisper", "white", "who", "why",
    "wild", "will", "win", "wish", "with", "women", "wonder", "wood", "work", "world", "would",
    "yes", "yet", "york", "you", "young", "your", "zone", "zero",
];

/// General English vocabulary (frequent words of everyday requests to an assistant), widening
/// [`COMMON_WORDS`] for two checks: a word here is never read as a typo of a brand or keyword,
/// and a brand made only of such words is restricted. Not used to stop product terms.
#[rustfmt::skip]
const ENGLISH_WORDS: &[&str] = &[
    "ab", "abc", "able", "about", "ac", "accept", "acceptable", "accepted", "access",
    "accomplish", "account", "accounts", "accrued", "acount", "acquire", "activities", "actually",
    "add", "added", "adding", "address", "adults", "affiliate", "affirmative", "afghanistan",
    "africa", "after", "afternoon", "again", "against", "age", "agent", "ago", "ahead", "ai",
    "aiken", "air", "airlines", "airport", "aj", "ajar", "al", "alarm", "alarms", "alert",
    "alerts", "alfredo", "alice", "alive", "all", "allow", "allowed", "almond", "already",
    "alternative", "altruism", "always", "am", "amazing", "america", "american", "amount", "an",
    "and", "andreas", "angeles", "animal", "animals", "ann", "anna", "anniversary", "another",
    "answer", "answering", "antipathy", "any", "anyone", "anything", "app", "apples",
    "application", "applied", "apply", "appointment", "appointments", "appreciate", "approval",
    "approved", "april", "are", "area", "argentina", "arizona", "around", "arrive", "arrived",
    "article", "articles", "as", "asia", "ask", "asked", "asking", "assist", "assistance",
    "assistant", "at", "ataraxy", "atlanta", "atm", "attractions", "august", "austin",
    "australia", "auto", "availability", "available", "average", "aware", "away", "awesome",
    "baby", "back", "bacon", "bad", "bag", "bags", "bake", "baking", "baltimore", "banana",
    "bangkok", "bangor", "bank", "bar", "barcelona", "bathroom", "battery", "be", "beach", "bear",
    "beatles", "because", "beef", "been", "before", "begin", "being", "believe", "bells", "ben",
    "best", "between", "beverly", "big", "bill", "bills", "bird", "birth", "birthday",
    "birthplace", "bit", "bjs", "black", "bloody", "blue", "board", "boarding", "bob", "boise",
    "book", "booked", "booking", "born", "boss", "boston", "bought", "bowl", "box", "brazil",
    "bread", "breast", "bride", "bring", "british", "broccoli", "broken", "brooklyn", "brother",
    "brown", "brownies", "buffalo", "building", "burger", "bus", "business", "busy", "but",
    "butter", "buy", "buying", "by", "bye", "cables", "cad", "cake", "calculate", "calendar",
    "cali", "call", "called", "calling", "caloric", "calorie", "calories", "came", "can",
    "canada", "canadian", "cancel", "canceling", "cancellation", "cancelling", "cancun", "cannot",
    "cant", "capitol", "car", "card", "care", "carl", "carrie", "carry", "cars", "case", "cases",
    "casserole", "cat", "catch", "cats", "cell", "cellphone", "centimeters", "central", "certain",
    "chance", "change", "changed", "changes", "changing", "character", "charge", "charges",
    "charlotte", "chase", "chat", "chatting", "cheapest", "check", "checked", "checking",
    "cheddar", "cheerios", "cheese", "chicago", "chicken", "chile", "chili", "chilis", "china",
    "chinese", "chipotle", "chips", "chocolate", "choose", "chores", "chow", "chris", "church",
    "circle", "city", "claim", "clean", "cleaning", "clear", "close", "closest", "closing",
    "code", "coffee", "coin", "cold", "college", "colorado", "columbus", "come", "comes",
    "coming", "comment", "commute", "company", "compensation", "compensations", "complaint",
    "complete", "conditions", "confirm", "consumer", "contact", "contain", "content",
    "conversation", "conversion", "convert", "converter", "cook", "cookie", "cookies", "cooking",
    "cool", "coordinates", "corporate", "correct", "correcting", "costa", "could", "count",
    "countries", "country", "craig", "cream", "create", "created", "creating", "creation",
    "credit", "cuba", "cuisine", "cup", "cups", "currency", "current", "currently", "customer",
    "dad", "dallas", "damn", "dan", "data", "date", "dates", "daughter", "dave", "david", "day",
    "days", "dc", "dead", "deal", "december", "decent", "decide", "declined", "define",
    "definitely", "definition", "delete", "deleting", "deletion", "deliver", "delivered",
    "delivery", "delta", "deltas", "demand", "denmark", "dentist", "denver", "describe",
    "dessert", "destination", "details", "detroit", "dial", "dice", "did", "didnt", "die", "died",
    "diego", "different", "dining", "dinner", "direct", "directions", "discover", "dish",
    "dishes", "divided", "dl", "do", "doctor", "doctors", "does", "dog", "dogs", "doing",
    "dollar", "dollars", "domestic", "done", "dont", "donut", "donuts", "doo", "door", "doors",
    "dough", "down", "download", "downtown", "drink", "drive", "driving", "dublin", "due",
    "during", "early", "earn", "earning", "earth", "eastern", "easy", "eat", "eating", "economy",
    "edit", "editing", "egg", "eggs", "ehlp", "eight", "el", "electrical", "elephants", "elvis",
    "empire", "end", "engine", "engineering", "england", "english", "enjoy", "enjoyed", "enough",
    "enter", "entering", "equal", "erase", "error", "errors", "eta", "euro", "europe", "euros",
    "evanescence", "evans", "evening", "event", "events", "every", "everything", "exact",
    "exactly", "exchange", "existence", "exit", "expect", "expected", "expiration", "expire",
    "explain", "express", "extent", "fact", "factory", "facts", "fair", "fake", "falls", "false",
    "familiar", "family", "famous", "fan", "far", "farm", "favorite", "february", "fee", "feed",
    "feedback", "feeding", "feel", "feeling", "fees", "feet", "few", "fiancee", "field",
    "fifteen", "figure", "file", "filing", "fill", "final", "find", "finding", "fine", "finland",
    "first", "fish", "fishing", "five", "fix", "fl", "flange", "flea", "flight", "flights",
    "flip", "floor", "florida", "flour", "fly", "flying", "folding", "follow", "following",
    "food", "foods", "foot", "for", "forecast", "forget", "form", "forms", "forward", "found",
    "four", "frame", "france", "francisco", "free", "freeman", "freemium", "freezer", "french",
    "friday", "fridge", "fried", "friend", "fries", "from", "frontier", "frozen", "fry", "ft",
    "fucking", "fuel", "full", "fun", "funniest", "funny", "furnace", "gallon", "gallons", "game",
    "garage", "garden", "garlic", "gas", "gasoline", "gatlinburg", "german", "germany", "get",
    "gets", "getting", "give", "given", "giving", "glad", "go", "goddamn", "goes", "going",
    "gold", "golden", "gone", "gonna", "good", "goodbye", "got", "gotta", "gps", "grams", "grand",
    "grapes", "grateful", "great", "greece", "green", "grill", "groceries", "grocery", "grub",
    "guide", "gumbo", "had", "half", "hall", "ham", "hamburger", "happened", "happening",
    "happiness", "happy", "harbor", "has", "have", "havent", "having", "hawaii", "hawkings", "he",
    "heading", "heads", "healthy", "hear", "heard", "hearing", "heavy", "hello", "help",
    "helpful", "helping", "her", "here", "hey", "hi", "high", "highway", "hills", "him",
    "history", "hit", "ho", "hobbies", "hold", "holiday", "holidays", "home", "honey", "hong",
    "hospital", "hot", "hotel", "hotels", "hour", "hours", "house", "houston", "how", "hows",
    "human", "hungary", "hut", "ice", "id", "idea", "ideas", "if", "ihop", "ill", "im",
    "immediately", "in", "inch", "inches", "include", "incorrect", "india", "indian", "info",
    "inform", "information", "informing", "ingredients", "initiate", "instead", "instructions",
    "interesting", "international", "internationally", "into", "invoice", "invoices", "involved",
    "ireland", "is", "isnt", "israel", "issue", "issues", "it", "italian", "italy", "item",
    "items", "its", "ive", "jamaica", "james", "jan", "january", "japan", "japanese", "jazz",
    "jerry", "jet", "jetblue", "jfk", "jim", "job", "joe", "john", "joke", "jokes", "jones",
    "jude", "juice", "july", "jump", "june", "just", "kaya", "keep", "kentucky", "kenya",
    "ketchup", "kevin", "key", "kids", "kilograms", "kilometers", "kilos", "kind", "kindly",
    "kinds", "king", "kitchen", "know", "kong", "korea", "korean", "la", "lakewood", "land",
    "landing", "lands", "large", "las", "lasagna", "last", "late", "later", "latest",
    "lauderdale", "laugh", "laundry", "lax", "learn", "leave", "leaving", "lebron", "left",
    "lemon", "length", "let", "lets", "level", "lexington", "liberty", "library", "life", "lifes",
    "light", "lights", "like", "limit", "limits", "line", "lisa", "list", "listed", "listen",
    "listening", "liters", "little", "live", "liverpool", "living", "lobster", "local", "locate",
    "located", "locating", "location", "lock", "locked", "lodge", "lodging", "london", "long",
    "longer", "look", "looked", "looking", "looks", "los", "lost", "lot", "love", "low",
    "luggage", "lunch", "mac", "macaroni", "made", "madison", "mail", "main", "maintenance",
    "make", "making", "malignant", "mall", "manhattan", "many", "map", "march", "mark",
    "marketing", "maroon", "mary", "mashed", "math", "may", "me", "meal", "meals", "mean",
    "meaning", "means", "meat", "meatloaf", "mechanic", "medicine", "meet", "meeting", "meetings",
    "mein", "mesa", "message", "meters", "method", "methods", "mexican", "mexico", "miami",
    "michaels", "microwave", "might", "mileage", "miles", "milk", "millimeters", "mind", "minus",
    "minute", "minutes", "misplaced", "missing", "mix", "modalities", "modify", "modifying",
    "mom", "moment", "moms", "monday", "money", "month", "months", "mop", "mopping", "more",
    "morning", "most", "mother", "motor", "mountain", "move", "movie", "movies", "mpg", "mr",
    "ms", "mt", "much", "muffins", "mug", "munich", "museum", "music", "must", "mustard", "my",
    "myself", "name", "nashville", "nd", "near", "nearby", "nearest", "neat", "necessary", "need",
    "needed", "needing", "needs", "negative", "new", "news", "newsletter", "next", "nice",
    "nigeria", "night", "no", "noel", "noodle", "noodles", "noon", "normal", "north", "not",
    "note", "notified", "notify", "notifying", "nov", "november", "now", "nuggets", "number",
    "nutrients", "nutrional", "nutrition", "nutritional", "ny", "nyc", "obtain", "obtaining",
    "ocean", "october", "of", "off", "offer", "office", "often", "oh", "ohare", "ohio", "oil",
    "ok", "okay", "okayed", "old", "olive", "olympia", "omelette", "on", "once", "one", "ones",
    "online", "only", "ons", "open", "opening", "operator", "opinion", "options", "or", "order",
    "ordered", "organization", "origin", "originate", "orlando", "orleans", "other", "ought",
    "ounces", "our", "out", "outback", "outlet", "outlets", "outside", "oven", "over", "own",
    "owner", "pacific", "package", "paid", "pancakes", "parcel", "park", "party", "paso", "pass",
    "passengers", "password", "past", "pasta", "pay", "payment", "payments", "penalties",
    "penalty", "people", "pepper", "per", "percent", "period", "person", "personal", "peruvian",
    "pesos", "pet", "pets", "philadelphia", "philly", "pho", "phoenix", "phone", "phrase", "pick",
    "pie", "piece", "pin", "pints", "pittsburgh", "pizza", "place", "placed", "places", "plan",
    "plane", "planned", "plants", "platinum", "play", "played", "playing", "playlist", "please",
    "plug", "plugs", "plus", "pm", "point", "policy", "popular", "pork", "portland", "positive",
    "possible", "post", "pot", "potato", "potatoes", "pounds", "power", "prefer", "premium",
    "prepare", "present", "pressure", "pro", "problem", "problems", "procedure", "process",
    "processed", "product", "products", "profile", "proper", "properly", "provide", "pto", "pull",
    "purchase", "purchases", "purpose", "put", "pwd", "qat", "qtips", "quarts", "question",
    "questions", "quick", "radio", "rain", "random", "rate", "rated", "ratings", "rb", "rd",
    "reach", "read", "really", "reason", "reasons", "rebate", "rebates", "receive", "received",
    "receiving", "recent", "recently", "recipe", "recipes", "reclamation", "recommend",
    "recommendations", "recommended", "recover", "recovering", "red", "redrobin", "refrigerator",
    "refund", "refunded", "refunding", "refunds", "regarding", "registration", "registrations",
    "regular", "reimburse", "reimbursed", "reimbursement", "reimbursements", "rejected",
    "remaining", "remember", "remind", "reminded", "reminder", "reminders", "removal", "remove",
    "removing", "reno", "rent", "rental", "repair", "repeat", "replace", "replaced", "report",
    "reported", "reporting", "request", "requesting", "require", "required", "rescind",
    "reservation", "reservations", "reserve", "reset", "response", "restaurant", "restaurants",
    "restitution", "restore", "restrictions", "result", "retrieve", "returning", "returns",
    "review", "reviewed", "reviews", "ribs", "rice", "rid", "ride", "right", "road", "roast",
    "robby", "rock", "roger", "roll", "rolled", "rome", "room", "rooms", "root", "round",
    "roundtrip", "route", "rubles", "ruby", "rules", "run", "running", "russia", "russian",
    "ruth", "sade", "safe", "safely", "safeway", "said", "sal", "salad", "salem", "salt", "sam",
    "san", "sarah", "saturday", "sauce", "sausage", "saved", "say", "saying", "says", "scampi",
    "schedule", "scheduled", "scoop", "scotland", "scratch", "seafood", "search", "seated",
    "seattle", "second", "secondary", "seconds", "section", "secure", "see", "seeing", "seems",
    "seen", "send", "sending", "sent", "serve", "service", "serviced", "services", "set",
    "setting", "seven", "several", "sfo", "share", "shark", "she", "shepherds", "ship",
    "shipment", "shipments", "shipped", "shipping", "shop", "shopping", "shot", "shots", "should",
    "show", "shower", "showing", "shows", "shrimp", "sick", "sided", "sides", "sign", "signed",
    "signup", "since", "singapore", "sioux", "siri", "sites", "situations", "six", "skins",
    "skip", "sky", "slow", "smith", "smooth", "snow", "so", "soccer", "socket", "soda", "solve",
    "solving", "some", "somebody", "someone", "something", "somewhere", "song", "songs", "soon",
    "sort", "sorts", "sound", "soup", "sour", "south", "southern", "southwest", "spaghetti",
    "spago", "spain", "spanish", "spare", "sparks", "speak", "speaker", "speakers", "speaking",
    "special", "specific", "spell", "spelled", "spelling", "spend", "spirit", "square", "st",
    "stadium", "staff", "standard", "star", "start", "started", "starting", "starts", "state",
    "statement", "states", "station", "statue", "status", "stay", "steak", "steakhouse", "steaks",
    "step", "steps", "steve", "steven", "stew", "still", "stole", "stolen", "stop", "store",
    "street", "stuff", "sub", "subjects", "submit", "submitted", "submitting", "subscribe",
    "subscribing", "subscription", "substitute", "subway", "sugar", "suggest", "suggestion",
    "suggestions", "sum", "sunday", "superficial", "support", "supports", "supposed", "sure",
    "sushi", "suv", "swap", "sweden", "swedish", "switch", "switching", "table", "tablespoons",
    "taco", "tacos", "tails", "take", "taken", "takes", "taking", "talk", "talking",
    "tallahassee", "tampa", "tank", "target", "tartine", "task", "tasks", "tax", "taxes", "teach",
    "teaspoons", "tell", "telling", "temp", "tempe", "temperature", "ten", "termination", "texas",
    "text", "tgi", "th", "thai", "thailand", "than", "thank", "thankful", "thanks", "that",
    "thats", "the", "theater", "their", "them", "there", "theres", "these", "they", "thing",
    "things", "think", "thirty", "this", "those", "three", "through", "throw", "thursday",
    "ticket", "till", "time", "timer", "times", "timezone", "tire", "tires", "title", "to",
    "today", "todays", "todo", "tokyo", "told", "tom", "tomato", "tommorow", "tomorrow",
    "tomorrows", "tonight", "took", "toronto", "toss", "total", "touch", "tourist", "tourists",
    "tower", "town", "track", "tracking", "trade", "traffic", "translate", "trash", "travel",
    "traveling", "travelling", "trenton", "tried", "trip", "trivia", "trouble", "troubles",
    "truck", "true", "try", "trying", "tuesday", "tuna", "tune", "turkey", "turn", "turned",
    "turns", "tv", "twelve", "twenty", "two", "tx", "type", "types", "typical", "typically",
    "udeliver", "uhelp", "uk", "umbrella", "under", "understand", "union", "united",
    "unsubscribe", "unsubscribing", "until", "up", "upcoming", "update", "updating", "ur",
    "uruguay", "us", "usa", "usd", "use", "used", "user", "uses", "using", "usually", "vacation",
    "vaccination", "vaccinations", "vaccines", "vacuuming", "valencia", "valid", "vegan", "vegas",
    "vehicle", "very", "via", "vietnam", "vietnamese", "village", "vinegar", "virgin", "virginia",
    "visit", "visiting", "wages", "wait", "waiting", "wake", "walk", "wanna", "want", "wanted",
    "wanting", "wants", "was", "wash", "washington", "water", "watering", "way", "ways", "we",
    "weather", "wednesday", "week", "weekend", "weeks", "well", "wendys", "went", "were", "what",
    "whats", "wheeler", "when", "whens", "where", "wheres", "whether", "which", "while", "white",
    "who", "whole", "why", "wife", "wild", "will", "win", "wine", "wings", "wish", "with",
    "withdrawal", "wonder", "wondering", "word", "work", "working", "workout", "worth", "would",
    "write", "writing", "wrong", "xenophobe", "ya", "yakamoto", "yardhouse", "yards", "yeah",
    "year", "years", "yen", "yens", "yes", "yesterday", "yet", "yogurt", "york", "you", "your",
    "youre", "youve", "zebee", "zesty", "zeus", "zone", "zoo",
];

/// Words that never identify a product and are left out of the title index.
#[rustfmt::skip]
const TITLE_STOP: &[&str] = &[
    "a", "an", "and", "the", "for", "with", "of", "in", "on", "to", "by", "at", "from", "or",
    "&", "is", "it", "my", "me", "i", "you", "this", "that", "one", "show", "want", "need",
    "please", "add", "remove", "cart", "buy", "get",
];

/// Units: a number followed by one of these is a measure, never a price or quantity.
#[rustfmt::skip]
const UNITS: &[&str] = &[
    "kg", "kgs", "g", "gm", "gms", "gram", "grams", "mg", "ml", "l", "ltr", "ltrs", "litre",
    "litres", "liter", "liters", "gb", "tb", "mb", "mp", "mah", "w", "watt", "watts", "v",
    "volt", "volts", "hz", "khz", "ghz", "inch", "inches", "in", "cm", "mm", "m", "ft", "feet",
    "foot", "meter", "meters", "metre", "metres", "ton", "tons", "tonne", "seater", "star",
    "stars", "rating", "rated", "year", "years", "yr", "yrs", "month", "months", "day", "days",
    "week", "weeks", "hour", "hours", "hrs", "minute", "minutes", "mins", "sec", "seconds",
    "percent", "pound", "pounds", "lbs", "lb", "oz", "people", "persons", "person", "k",
    "burner", "burners", "door", "doors", "speed", "speeds", "zoom", "core", "cores", "bit",
    "channel", "watt", "rpm", "dpi", "fps", "series", "generation", "gen", "th", "st", "nd",
    "rd", "ply", "layer", "layers", "step", "steps", "way", "ways", "pin", "pins", "port",
    "ports", "slice", "slices", "cup", "cups", "seats", "seat", "reviews", "review", "sided",
    "piece_set",
];

/// Words after "<number> in" that continue a measurement, so the "in" is inches: dimensions
/// ("15 in x 10 in", "6 in wide") and things sold by their size in inches ("a 32 in tv", "15 in
/// laptop", "12 in pan"). See [`Ctx::in_reading`](super::context::Ctx::in_reading).
#[rustfmt::skip]
pub(super) const INCH_CONTINUERS: &[&str] = &[
    "x", "×", "by", "wide", "long", "tall", "high", "thick", "diagonal", "width", "length",
    "height", "depth", "diameter", "dia", "screen", "screens", "display", "displays", "monitor",
    "monitors", "tv", "tvs", "television", "televisions", "led", "lcd", "oled", "qled", "hd",
    "fhd", "uhd", "laptop", "laptops", "notebook", "notebooks", "tablet", "tablets",
    "ipad", "macbook", "chromebook", "wheel", "wheels", "rim", "rims", "tyre", "tyres", "tire",
    "tires", "pan", "pans", "skillet", "wok", "tawa", "frame", "frames", "speaker", "speakers",
    "woofer", "subwoofer", "blade", "blades", "fan", "fans", "pizza", "mirror", "doll", "teddy",
    "trolley", "suitcase", "luggage", "pipe", "hose", "ruler", "scale",
];

/// Words after "<number> in" that make it the preposition: determiners and pronouns ("in the",
/// "in my"), "stock", "size", "colour", places, materials, a total. Colours, shades, gender words
/// and tokens an extractor already took as a size are read as such too.
#[rustfmt::skip]
pub(super) const IN_PREPOSITION_OBJECTS: &[&str] = &[
    "the", "a", "an", "my", "your", "his", "her", "our", "their", "this", "that", "these",
    "those", "it", "them", "each", "every", "all", "any", "both", "either", "total", "stock",
    "store", "stores", "shop", "size", "sizes", "colour", "colours", "color", "colors", "shade",
    "shades", "pattern", "print", "design", "style", "cash", "budget", "range", "rupees",
    "dollars", "cart", "sale", "offer", "time", "india", "usa", "us", "uk", "canada",
    "delhi", "mumbai", "bangalore", "bengaluru", "chennai", "kolkata", "hyderabad", "pune",
    "london", "town", "city", "cotton", "leather", "wool", "woolen", "woollen", "silk", "linen",
    "denim", "polyester", "nylon", "rayon", "velvet", "suede", "canvas", "jute", "khadi", "satin",
    "chiffon", "georgette", "steel", "stainless", "wood", "wooden", "plastic", "glass",
    "ceramic", "metal", "aluminium", "aluminum", "brass", "iron", "bamboo", "rubber", "silicone",
    "matte", "glossy", "plain", "printed", "solid", "floral", "checked", "striped",
];

/// Count nouns: a number before one of these counts items.
#[rustfmt::skip]
const COUNT_NOUNS: &[&str] = &[
    "pc", "pcs", "piece", "pieces", "unit", "units", "pair", "pairs", "pack", "packs", "set",
    "sets", "item", "items", "nos", "no", "qty", "box", "boxes", "bottle", "bottles", "packet",
    "packets", "dozen", "copies", "copy", "bag", "bags", "more", "each",
];

/// Nouns after "show me 5 …" that count results, not items.
#[rustfmt::skip]
pub(super) const RESULT_NOUNS: &[&str] = &[
    "options", "results", "choices", "suggestions", "ideas", "alternatives", "products",
    "models", "brands", "ones", "more", "others", "times", "minutes", "reviews", "colors",
    "colours", "sizes", "stars", "years", "days", "weeks", "months", "hours", "people", "kids",
    "members", "persons", "seconds", "percent",
];

/// Words before a number that make it a count or a feature rather than a model number.
#[rustfmt::skip]
pub(super) const FUNCTION_WORDS: &[&str] = &[
    "i", "me", "we", "us", "you", "please", "pls", "and", "or", "the", "just", "only", "also",
    "another", "like", "ill", "id", "im", "would", "could", "can", "to", "want", "need", "get",
    "add", "buy", "take", "order", "purchase", "put", "make", "grab", "show", "give", "send",
    "find", "of", "for", "about", "around", "maybe", "then", "now", "so", "ok", "okay", "yes",
    "hi", "hello", "hey", "thanks", "lets", "let", "actually", "instead", "keep", "change",
    "update", "set", "it", "them", "those", "these", "but", "than", "bought", "ordered",
    "purchased", "received", "got", "have", "had", "returned", "return", "need", "needs",
    "wanted", "buying", "adding", "ordering",
];

/// Words that announce an order id right after them.
#[rustfmt::skip]
pub(super) const ORDER_WORDS: &[&str] = &["order", "orders", "purchase", "ord", "orderid", "invoice"];

#[rustfmt::skip]
pub(super) const DEMONSTRATIVES: &[&str] = &["those", "these", "them"];

/// Single colour words and their normalized name.
#[rustfmt::skip]
const COLORS: &[(&str, &str)] = &[
    ("black", "black"), ("white", "white"), ("red", "red"), ("blue", "blue"), ("navy", "navy"),
    ("green", "green"), ("olive", "olive"), ("yellow", "yellow"), ("orange", "orange"),
    ("pink", "pink"), ("purple", "purple"), ("maroon", "maroon"), ("beige", "beige"),
    ("brown", "brown"), ("grey", "grey"), ("gray", "grey"), ("silver", "silver"),
    ("gold", "gold"), ("golden", "gold"), ("multicolor", "multicolor"),
    ("multicolour", "multicolor"), ("multicolored", "multicolor"),
    ("multicoloured", "multicolor"), ("teal", "teal"), ("turquoise", "turquoise"),
    ("cream", "cream"), ("khaki", "khaki"), ("magenta", "magenta"), ("lavender", "lavender"),
    ("peach", "peach"), ("mustard", "mustard"), ("coral", "coral"), ("burgundy", "burgundy"),
    ("tan", "tan"), ("copper", "copper"), ("bronze", "bronze"), ("violet", "violet"),
    ("indigo", "indigo"), ("aqua", "aqua"), ("mint", "mint"), ("nude", "nude"), ("rust", "rust"),
    ("charcoal", "charcoal"), ("camel", "camel"), ("fuchsia", "fuchsia"), ("mauve", "mauve"),
    ("taupe", "taupe"), ("ivory", "ivory"), ("cyan", "cyan"), ("lilac", "lilac"),
    ("transparent", "transparent"), ("offwhite", "off white"),
];

/// "light"/"dark"/… before a base colour make a compound colour ("light blue").
#[rustfmt::skip]
pub(super) const COLOR_SHADES: &[&str] = &["light", "dark", "pale", "deep", "bright"];

/// (words, gender). Matched on folded keys; "mens"/"men's" fold to `mens`.
#[rustfmt::skip]
const GENDER_WORDS: &[(&str, &str)] = &[
    ("men", "male"), ("man", "male"), ("mens", "male"), ("male", "male"), ("males", "male"),
    ("gents", "male"), ("gent", "male"), ("guys", "male"), ("guy", "male"),
    ("gentlemen", "male"), ("dad", "male"), ("father", "male"), ("husband", "male"),
    ("boyfriend", "male"), ("brother", "male"), ("grandpa", "male"), ("grandfather", "male"),
    ("uncle", "male"), ("fiance", "male"), ("women", "female"), ("woman", "female"),
    ("womens", "female"), ("female", "female"), ("females", "female"), ("ladies", "female"),
    ("lady", "female"), ("mom", "female"), ("mum", "female"), ("mother", "female"),
    ("wife", "female"), ("girlfriend", "female"), ("sister", "female"), ("grandma", "female"),
    ("grandmother", "female"), ("aunt", "female"), ("fiancee", "female"), ("girls", "girls"),
    ("girl", "girls"), ("daughter", "girls"), ("boys", "boys"), ("boy", "boys"),
    ("son", "boys"), ("nephew", "boys"), ("grandson", "boys"), ("niece", "girls"),
    ("granddaughter", "girls"), ("kids", "kids"), ("kid", "kids"), ("children", "kids"),
    ("childrens", "kids"), ("child", "kids"), ("toddler", "kids"), ("toddlers", "kids"),
    ("baby", "baby"), ("babies", "baby"), ("infant", "baby"), ("infants", "baby"),
    ("newborn", "baby"), ("unisex", "unisex"),
    // Hindi relatives, as Hinglish writes them
    ("beti", "girls"), ("bitiya", "girls"), ("beta", "boys"), ("bhai", "male"), ("bhaiya", "male"),
    ("papa", "male"), ("pati", "male"), ("behen", "female"), ("didi", "female"), ("mummy", "female"),
    ("maa", "female"), ("patni", "female"), ("bachche", "kids"), ("bacche", "kids"),
];

/// Keywords that typo correction may produce (a word one edit away from exactly one of these,
/// not itself a known word, is read as it).
#[rustfmt::skip]
const KEYWORDS: &[&str] = &[
    "under", "below", "above", "between", "within", "around", "about", "least", "maximum",
    "minimum", "budget", "cheap", "cheaper", "cheapest", "expensive", "pricier", "priciest",
    "premium", "affordable", "lighter", "lightest", "heavier", "heaviest", "bigger", "biggest",
    "larger", "largest", "smaller", "smallest", "faster", "fastest", "battery", "storage",
    "memory", "screen", "warranty", "capacity", "rated", "rating", "order", "purchase",
    "number", "black", "white", "green", "yellow", "orange", "purple", "maroon", "beige",
    "brown", "silver", "golden", "navy", "multicolor", "multicolour", "medium", "large",
    "small", "extra", "women", "womens", "female", "ladies", "unisex", "children", "infant",
    "second", "third", "fourth", "fifth", "dozen", "couple", "quantity", "pieces", "rupees",
    "dollars", "euros", "waist", "except", "without", "excluding", "compare", "quieter",
];

/// Common misspellings too short for one-edit correction.
#[rustfmt::skip]
const TYPOS: &[(&str, &str)] = &[
    ("undr", "under"), ("uner", "under"), ("belw", "below"), ("blw", "below"),
    ("abv", "above"), ("abve", "above"), ("ovr", "over"), ("upto", "upto"), ("btw", "between"),
    ("cheep", "cheap"), ("chep", "cheap"), ("ordr", "order"), ("oder", "order"),
    ("orde", "order"), ("sze", "size"), ("sise", "size"), ("siz", "size"), ("szie", "size"),
    ("wmns", "womens"), ("womans", "womens"), ("mans", "mens"), ("blk", "black"),
    ("wht", "white"), ("gry", "grey"), ("prple", "purple"), ("lite", "light"),
    ("chepest", "cheapest"), ("cheapist", "cheapest"), ("cheapst", "cheapest"),
    ("rs.", "rs"), ("qty.", "qty"), ("2nd", "2nd"), ("tshirt", "tshirt"),
];

pub(super) struct Statics {
    pub(super) common: HashSet<&'static str>,
    /// [`COMMON_WORDS`] and [`ENGLISH_WORDS`].
    pub(super) english: HashSet<&'static str>,
    pub(super) title_stop: HashSet<&'static str>,
    pub(super) units: HashSet<&'static str>,
    pub(super) count_nouns: HashSet<&'static str>,
    pub(super) colors: HashMap<&'static str, &'static str>,
    pub(super) genders: HashMap<&'static str, &'static str>,
    pub(super) typos: HashMap<&'static str, &'static str>,
    /// Keywords bucketed by first byte, for typo correction.
    pub(super) keywords: HashMap<u8, Vec<&'static str>>,
    pub(super) keyword_set: HashSet<&'static str>,
}

pub(super) fn statics() -> &'static Statics {
    static S: OnceLock<Statics> = OnceLock::new();
    S.get_or_init(|| {
        let mut keywords: HashMap<u8, Vec<&'static str>> = HashMap::new();
        for k in KEYWORDS {
            keywords.entry(k.as_bytes()[0]).or_default().push(k);
        }
        Statics {
            common: COMMON_WORDS.iter().copied().collect(),
            english: COMMON_WORDS.iter().chain(ENGLISH_WORDS).copied().collect(),
            title_stop: TITLE_STOP.iter().copied().collect(),
            units: UNITS.iter().copied().collect(),
            count_nouns: COUNT_NOUNS.iter().copied().collect(),
            colors: COLORS.iter().copied().collect(),
            genders: GENDER_WORDS.iter().copied().collect(),
            typos: TYPOS.iter().copied().collect(),
            keywords,
            keyword_set: KEYWORDS.iter().copied().collect(),
        }
    })
}
