#!/usr/bin/env python3
"""Generate aisle's demo customers and orders.

Writes data/demo/customers.jsonl (50 customers) and data/demo/orders.jsonl (200 orders,
sorted by placed_at). Products come from data/demo/products.jsonl; order lifecycles
(statuses and the time gaps between them) come from real Olist orders
(../shared/data/orders/olist_orders_sample.csv, Olist Brazilian e-commerce, CC BY-NC-SA 4.0).
Only Olist's statuses and time gaps are used: no Olist ids, names, places or prices.

Deterministic: a fixed seed and a fixed ANCHOR ("now" of the demo, 2026-01-01T00:00:00Z),
so running it twice writes byte-identical files. Standard library only.

    python3 scripts/demo_orders.py [--olist-dir DIR] [--out-dir DIR]
"""

import argparse
import csv
import json
import os
import random
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone

SEED = 20260101
ANCHOR = datetime(2026, 1, 1, 0, 0, 0, tzinfo=timezone.utc)

N_CUSTOMERS = 50
N_ORDERS = 200
N_GUEST = 30  # 15 % guest orders
MAX_ORDERS_PER_CUSTOMER = 10
MAX_LINES = 4
RETURN_WINDOW_DAYS = 30

# Number of demo orders drawn from each group of Olist rows (171 + 5 + 12 + 6 + 6 = 200).
MIX = [
    # delivered/shipped: 88 %. Olist "shipped" rows (handed to the carrier, never delivered)
    # are 1 % of the sample; 5 of them (2.5 %) make sure the demo has a few late parcels.
    ("delivered", ("delivered",), 171),
    ("shipped", ("shipped",), 5),
    ("canceled", ("canceled",), 12),  # 6 %
    ("unavailable", ("unavailable",), 6),  # 3 %
    ("processing/invoiced", ("processing", "invoiced"), 6),  # 3 %
]

# Order ages (ANCHOR - placed_at): a quarter in the last 10 days, the rest 10-120 days.
N_RECENT = 50
RECENT_MAX_S = 10 * 86400
OLD_MIN_S, OLD_MAX_S = 10 * 86400, 120 * 86400
NEWEST_AGE_S = (20 * 60, 50 * 60)  # the newest order: placed 20-50 minutes before ANCHOR

INFLIGHT = ("placed", "approved", "invoiced", "shipped")

FIRST_NAMES = [
    "Aarav", "Aditi", "Ananya", "Arjun", "Asha", "Deepa", "Divya", "Farhan", "Gaurav", "Ishaan",
    "Kavya", "Kiran", "Lakshmi", "Meera", "Neha", "Nikhil", "Pooja", "Priya", "Rahul", "Ravi",
    "Rohan", "Sanjay", "Shreya", "Siddharth", "Sneha", "Suresh", "Tanvi", "Varun", "Vikram", "Zoya",
    "Amelia", "Carlos", "Chen", "Daniel", "Elena", "Fatima", "Hannah", "James", "Kenji", "Lucas",
    "Maria", "Noah", "Olivia", "Omar", "Sofia", "Thomas", "Yuki", "Grace", "Mateo", "Leila",
]
LAST_NAMES = [
    "Agarwal", "Bhat", "Chatterjee", "Das", "Desai", "Ghosh", "Gupta", "Iyer", "Joshi", "Kapoor",
    "Khan", "Kulkarni", "Kumar", "Menon", "Mehta", "Mishra", "Nair", "Patel", "Pillai", "Rao",
    "Reddy", "Shah", "Sharma", "Singh", "Verma", "Banerjee", "Fernandes", "Hegde", "Saxena", "Thomas",
    "Anderson", "Garcia", "Kim", "Martin", "Müller", "Nakamura", "Novak", "Okafor", "Rossi", "Silva",
    "Smith", "Tanaka", "Wang", "Wilson", "Haddad", "Lopez", "Brown", "Costa", "Ahmed", "Murphy",
]
EMAIL_DOMAINS = ["example.com", "example.org", "example.net"]  # reserved for documentation

# (streets, city, state, PIN)
PLACES = [
    (["MG Road", "Brigade Road", "Residency Road"], "Bengaluru", "Karnataka", "560001"),
    (["100 Feet Road, Indiranagar", "CMH Road, Indiranagar"], "Bengaluru", "Karnataka", "560038"),
    (["80 Feet Road, Koramangala", "Sarjapur Road, Koramangala"], "Bengaluru", "Karnataka", "560034"),
    (["Hill Road, Bandra West", "Linking Road, Bandra West"], "Mumbai", "Maharashtra", "400050"),
    (["SV Road, Andheri West", "Lokhandwala Complex, Andheri West"], "Mumbai", "Maharashtra", "400053"),
    (["Senapati Bapat Marg, Dadar West", "Ranade Road, Dadar West"], "Mumbai", "Maharashtra", "400028"),
    (["Janpath", "Barakhamba Road", "Kasturba Gandhi Marg"], "New Delhi", "Delhi", "110001"),
    (["Malviya Nagar Main Road", "Shivalik Road, Malviya Nagar"], "New Delhi", "Delhi", "110017"),
    (["Usman Road, T. Nagar", "Pondy Bazaar, T. Nagar"], "Chennai", "Tamil Nadu", "600017"),
    (["Road No. 12, Banjara Hills", "Road No. 2, Banjara Hills"], "Hyderabad", "Telangana", "500034"),
    (["FC Road, Deccan Gymkhana", "Prabhat Road, Deccan Gymkhana"], "Pune", "Maharashtra", "411004"),
    (["Rash Behari Avenue", "Hindustan Park, Gariahat"], "Kolkata", "West Bengal", "700029"),
    (["CG Road, Navrangpura", "Swastik Char Rasta, Navrangpura"], "Ahmedabad", "Gujarat", "380009"),
    (["MI Road", "Station Road"], "Jaipur", "Rajasthan", "302001"),
    (["Hazratganj", "Ashok Marg"], "Lucknow", "Uttar Pradesh", "226001"),
    (["MG Road, Ernakulam", "Shanmugham Road, Ernakulam"], "Kochi", "Kerala", "682031"),
    (["Sector 17", "Madhya Marg, Sector 17"], "Chandigarh", "Chandigarh", "160017"),
    (["Atlantis, Sector 18", "Sector 18 Market"], "Noida", "Uttar Pradesh", "201301"),
    (["MG Road, Sector 28", "DLF Phase 1"], "Gurugram", "Haryana", "122002"),
    (["AB Road, Vijay Nagar", "Scheme No. 54, Vijay Nagar"], "Indore", "Madhya Pradesh", "452010"),
]

CARRIERS = ["Delhivery", "Blue Dart", "Ekart", "DTDC", "India Post"]


def parse_olist_time(text):
    text = text.strip()
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)


def rfc3339(t):
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def rupees(text):
    amount, currency = text.split()
    if currency != "INR":
        raise ValueError(f"unexpected currency {currency!r}")
    return float(amount)


def load_products(path):
    products = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = json.loads(line)
            price = rupees(p["sale_price"]) if p.get("sale_price") else rupees(p["price"])
            products.append({"id": p["id"], "title": p["title"], "price": price})
    return products


def load_olist(path):
    """Olist rows as gaps in seconds from purchase; drops rows that cannot give a lifecycle."""
    pool = {}
    dropped = Counter()
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            status = row["order_status"].strip()
            purchase = parse_olist_time(row["order_purchase_timestamp"])
            approved = parse_olist_time(row["order_approved_at"])
            carrier = parse_olist_time(row["order_delivered_carrier_date"])
            delivered = parse_olist_time(row["order_delivered_customer_date"])
            estimated = parse_olist_time(row["order_estimated_delivery_date"])
            if purchase is None or estimated is None:
                dropped["no purchase or estimated date"] += 1
                continue
            if status == "delivered" and delivered is None:
                dropped["delivered without a delivery date"] += 1
                continue
            if status in ("delivered", "shipped") and (approved is None or carrier is None):
                dropped["delivered/shipped without approval or carrier date"] += 1
                continue
            # Olist sometimes records the carrier hand-over before the payment approval (or
            # even before the purchase); such a row has no consistent order of events.
            chain = [t for t in (purchase, approved, carrier, delivered) if t is not None]
            if status in ("delivered", "shipped") and chain != sorted(chain):
                dropped["events out of order (carrier before approval)"] += 1
                continue

            def gap(t):
                return None if t is None else int((t - purchase).total_seconds())

            pool.setdefault(status, []).append({
                "status": status,
                "approved": gap(approved),
                "carrier": gap(carrier),
                "delivered": gap(delivered),
                # Olist estimates are dates (midnight): keep them as a number of calendar days.
                "estimated_days": (estimated.date() - purchase.date()).days,
            })
    return pool, dropped


def lines_distribution(path):
    per_order = Counter()
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            per_order[row["order_id"]] += 1
    counts = Counter(min(n, MAX_LINES) for n in per_order.values())
    sizes = sorted(counts)
    return sizes, [counts[s] for s in sizes]


def make_customers(rng):
    """Indian first names with Indian surnames, the others with the others; each name once."""
    split = 30  # the first 30 names of each list are Indian
    pairs = []
    for firsts, lasts in ((FIRST_NAMES[:split], LAST_NAMES[:split]),
                          (FIRST_NAMES[split:], LAST_NAMES[split:])):
        lasts = lasts[:]
        rng.shuffle(lasts)
        pairs += zip(firsts, lasts)
    rng.shuffle(pairs)
    customers, used_emails = [], set()
    for first, last in pairs[:N_CUSTOMERS]:
        local = f"{first}.{last}".lower().replace("ü", "ue")
        email = f"{local}@{rng.choice(EMAIL_DOMAINS)}"
        assert email not in used_emails, email
        used_emails.add(email)
        customers.append({
            "id": f"C{1001 + len(customers)}",
            "name": f"{first} {last}",
            "email": email,
        })
    return customers


def make_address(rng):
    streets, city, state, pin = rng.choice(PLACES)
    return f"{rng.randint(1, 220)} {rng.choice(streets)}, {city}, {state} {pin}"


def tracking_number(rng, carrier):
    digits = lambda n: "".join(rng.choice("0123456789") for _ in range(n))
    if carrier == "Delhivery":
        return digits(13)
    if carrier == "Blue Dart":
        return digits(11)
    if carrier == "Ekart":
        return "FMPC" + digits(10)
    if carrier == "DTDC":
        return rng.choice("DZ") + digits(8)
    return "EE" + digits(9) + "IN"  # India Post speed post


def orders_per_customer(rng, total):
    """1-10 orders each, summing to total, skewed: a few customers order a lot."""
    weights = [rng.paretovariate(1.1) for _ in range(N_CUSTOMERS)]
    counts = [1] * N_CUSTOMERS
    while sum(counts) < total:
        open_ = [i for i in range(N_CUSTOMERS) if counts[i] < MAX_ORDERS_PER_CUSTOMER]
        i = rng.choices(open_, weights=[weights[j] for j in open_])[0]
        counts[i] += 1
    return counts


def lifecycle(rng, row):
    """Events as (status, seconds after placement) and the estimated delivery (days) or None."""
    status = row["status"]
    events = [("placed", 0)]
    a, c, d = row["approved"], row["carrier"], row["delivered"]
    if status in ("delivered", "shipped"):
        events.append(("approved", a))
        # Olist has no invoice time: 30 % of the way from approval to the carrier hand-over.
        events.append(("invoiced", a + (c - a) * 3 // 10))
        events.append(("shipped", c))
        if status == "delivered":
            events.append(("delivered", d))
    elif status in ("processing", "invoiced"):
        events.append(("approved", a))
        if status == "invoiced":
            events.append(("invoiced", a + 6 * 3600))  # no carrier date: approval + 6 h
    elif status == "canceled":
        if a is not None:
            events.append(("approved", a))
        if c is not None:
            # stopped at the carrier hand-over (the row's last step before canceling)
            at = max(c, a or 0)
        elif a is not None:
            at = a + rng.randint(2 * 3600, 48 * 3600)  # a few hours to 2 days after approval
        else:
            at = rng.randint(2 * 3600, 72 * 3600)  # no step recorded: a few hours to 3 days
        events.append(("canceled", at))
    elif status == "unavailable":
        events.append(("approved", a))
        events.append(("unavailable", a + rng.randint(2 * 3600, 72 * 3600)))
    else:
        raise ValueError(f"unknown Olist status {status!r}")
    return events, row["estimated_days"]


def write_bench_script(orders, path):
    """Guest order conversations over every fourth demo order, for `aisle loadtest --script`."""
    lines = [
        "# Order conversations for `aisle loadtest --script` (the order-status benchmark, BENCHMARKS.md).",
        "# Each asks about one demo order (data/demo/orders.jsonl) as a guest: the number, then the",
        "# email on it, then status questions. Written by scripts/demo_orders.py.",
        "",
    ]
    for o in orders[::4][:50]:
        i, email = o["order_id"], o["email"]
        lines += [f"where is my order {i}?", f"my email is {email}", f"has order {i} shipped yet?",
                  f"when will order {i} arrive", f"what's the status of order {i}", ""]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--olist-dir", default=os.path.join(root, "..", "shared", "data", "orders"))
    parser.add_argument("--out-dir", default=os.path.join(root, "data", "demo"))
    args = parser.parse_args()

    rng = random.Random(SEED)
    products = load_products(os.path.join(root, "data", "demo", "products.jsonl"))
    pool, dropped = load_olist(os.path.join(args.olist_dir, "olist_orders_sample.csv"))
    sizes, size_weights = lines_distribution(
        os.path.join(args.olist_dir, "olist_order_items_sample.csv"))

    customers = make_customers(rng)
    home = {c["id"]: [make_address(rng) for _ in range(rng.choice((1, 1, 1, 2)))]
            for c in customers}

    # Who places each order: customers (skewed counts) and guests, in random order.
    buyers = []
    for c, n in zip(customers, orders_per_customer(rng, N_ORDERS - N_GUEST)):
        buyers += [c] * n
    buyers += [None] * N_GUEST
    rng.shuffle(buyers)

    # Which Olist row each order follows.
    rows = []
    for _, statuses, n in MIX:
        group = [r for s in statuses for r in pool.get(s, [])]
        rows += rng.sample(group, n)
    rng.shuffle(rows)

    # Ages: processing/invoiced rows never reached the carrier in Olist, so they go in the
    # recent bucket (an order "being prepared" for four months is not a useful demo).
    stuck = [i for i, r in enumerate(rows) if r["status"] in ("processing", "invoiced")]
    others = [i for i in range(N_ORDERS) if i not in stuck]
    recent = set(stuck) | set(rng.sample(others, N_RECENT - len(stuck)))
    ages = {}
    newest = rng.choice(sorted(recent - set(stuck)))
    for i in range(N_ORDERS):
        if i == newest:
            ages[i] = rng.randint(*NEWEST_AGE_S)
        elif i in recent:
            ages[i] = rng.randint(NEWEST_AGE_S[1], RECENT_MAX_S)
        else:
            ages[i] = rng.randint(OLD_MIN_S, OLD_MAX_S)

    order_ids = rng.sample(range(10000, 100000), N_ORDERS)
    guest_emails = set()
    orders = []
    for i in range(N_ORDERS):
        oid = str(order_ids[i])
        row = rows[i]
        placed = ANCHOR - timedelta(seconds=ages[i])
        steps, est_days = lifecycle(rng, row)
        events = []
        for status, offset in steps:
            at = placed + timedelta(seconds=offset)
            if at > ANCHOR:
                break  # not happened yet as of ANCHOR
            events.append({"event_id": f"{oid}-{len(events) + 1}", "status": status,
                           "at": rfc3339(at)})
        last = events[-1]["status"]

        buyer = buyers[i]
        if buyer is None:
            while True:
                email = "guest.{}@example.net".format(
                    "".join(rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(6)))
                if email not in guest_emails:
                    guest_emails.add(email)
                    break
            address = make_address(rng)
        else:
            email = buyer["email"]
            address = rng.choice(home[buyer["id"]])

        n_lines = rng.choices(sizes, weights=size_weights)[0]
        lines = [{"product_id": p["id"], "title": p["title"],
                  "quantity": rng.choices((1, 2, 3), weights=(85, 11, 4))[0], "price": p["price"]}
                 for p in rng.sample(products, n_lines)]

        carrier = rng.choice(CARRIERS)
        tracking = tracking_number(rng, carrier)
        if last in ("canceled", "unavailable"):
            shipment = None
        else:
            est = datetime.combine((placed + timedelta(days=est_days)).date(),
                                   datetime.min.time(), tzinfo=timezone.utc)
            shipped = any(e["status"] == "shipped" for e in events)
            shipment = {"carrier": carrier if shipped else None,
                        "tracking": tracking if shipped else None,
                        "estimated_delivery": rfc3339(est)}

        orders.append({
            "order_id": oid,
            "customer_id": buyer["id"] if buyer else None,
            "email": email,
            "placed_at": rfc3339(placed),
            "currency": "INR",
            "lines": lines,
            "events": events,
            "shipment": shipment,
            "shipping_address": address,
            "_olist_status": row["status"],
        })

    orders.sort(key=lambda o: (o["placed_at"], o["order_id"]))

    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "customers.jsonl"), "w", encoding="utf-8",
              newline="\n") as f:
        for c in customers:
            f.write(json.dumps(c, ensure_ascii=False, separators=(",", ":")) + "\n")
    with open(os.path.join(args.out_dir, "orders.jsonl"), "w", encoding="utf-8",
              newline="\n") as f:
        for o in orders:
            out = {k: v for k, v in o.items() if not k.startswith("_")}
            f.write(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n")

    write_bench_script(orders, os.path.join(root, "data", "bench", "order_conversations.txt"))

    # Summary as of ANCHOR.
    anchor = rfc3339(ANCHOR)
    now_status = Counter(o["events"][-1]["status"] for o in orders)
    inflight = [o for o in orders if o["events"][-1]["status"] in INFLIGHT]
    late = [o for o in inflight if o["shipment"] and o["shipment"]["estimated_delivery"] < anchor]
    late_delivered = [o for o in orders if o["events"][-1]["status"] == "delivered"
                      and o["events"][-1]["at"] > o["shipment"]["estimated_delivery"]]
    window = rfc3339(ANCHOR - timedelta(days=RETURN_WINDOW_DAYS))
    recent_delivered = [o for o in orders if o["events"][-1]["status"] == "delivered"
                        and o["events"][-1]["at"] >= window]
    per_customer = Counter(o["customer_id"] for o in orders if o["customer_id"])
    newest_event = max(e["at"] for o in orders for e in o["events"])

    print(f"customers: {len(customers)}")
    print(f"orders: {len(orders)} ({sum(1 for o in orders if o['customer_id'])} by customers, "
          f"{sum(1 for o in orders if o['customer_id'] is None)} guest); orders per customer "
          f"{min(per_customer.values())}-{max(per_customer.values())}")
    print("olist rows dropped: " + (", ".join(f"{n} {why}" for why, n in sorted(dropped.items()))
                                    or "none"))
    print("olist lifecycles used: " + ", ".join(
        f"{s} {n}" for s, n in sorted(Counter(o["_olist_status"] for o in orders).items())))
    print(f"status as of {anchor}: " + ", ".join(
        f"{s} {now_status[s]}" for s in ("placed", "approved", "invoiced", "shipped", "delivered",
                                         "canceled", "unavailable") if now_status[s]))
    print(f"in flight: {len(inflight)}; late (in flight, past estimated delivery): {len(late)}")
    print(f"delivered after the estimate: {len(late_delivered)}")
    print(f"delivered within {RETURN_WINDOW_DAYS} days of ANCHOR: {len(recent_delivered)}")
    print(f"newest event: {newest_event}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
