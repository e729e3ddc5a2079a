-- What identified shoppers told the assistant about themselves, with consent ("I'm a size
-- 10", "I don't like Nike", "I'm vegan"): remembered across their sessions until they say
-- "forget that". Times are unix milliseconds (UTC).

CREATE TABLE stated_preferences (
    customer_id TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('size', 'avoid_brand', 'diet')),
    value       TEXT NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (customer_id, kind, value)
);
