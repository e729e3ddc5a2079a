#!/usr/bin/env python3
"""Facts the conversation suite (tests/conversations/*.yaml) is written from, computed from the
demo data only (data/demo/*.jsonl, prompts/faq.yaml), never from aisle's replies.

    python3 scripts/conversations_facts.py           # print the facts
    python3 scripts/conversations_facts.py --check   # also: no shopper text of the suite is a
                                                     # training example word for word

Each fact is printed with the product ids and prices a conversation names; the YAML comments
say which fact a conversation uses.
"""
import collections
import glob
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_jsonl(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


PRODUCTS = read_jsonl("data/demo/products.jsonl")
ORDERS = read_jsonl("data/demo/orders.jsonl")
BY_ID = {p["id"]: p for p in PRODUCTS}


def pays(p):
    """What the shopper pays: the sale price when there is one."""
    return float((p.get("sale_price") or p["price"]).split()[0])


def kind(p):
    return (p["title"] + " " + p.get("product_type", "")).lower()


def where(pattern, cond=lambda p: True):
    rx = re.compile(pattern)
    return sorted((p for p in PRODUCTS if rx.search(kind(p)) and cond(p)), key=lambda p: (pays(p), p["id"]))


def show(label, products, n=6):
    print(f"{label}: {len(products)}")
    for p in products[:n]:
        print(f"    {p['id']} {pays(p):>9.2f} {p.get('gender') or '-':<14} r={p.get('rating')} {p['title'][:70]}")


def facts():
    show("cheapest products with 'watch' (title or category)", where(r"\bwatch"))
    show("rings (the Rings category), cheapest first", where(r"jewellery > rings"))
    show("watches for men (gender has Men) at most 600", where(r"\bwatch", lambda p: pays(p) <= 600 and re.search(r"\bmen\b", (p.get("gender") or "").lower())))
    show("footwear for boys", where(r"footwear", lambda p: "boy" in (p.get("gender") or "").lower()))
    show("backpacks, cheapest first", where(r"backpack"))
    show("sunglasses at most 300", where(r"sunglass", lambda p: pays(p) <= 300))
    show("clutches at most 250", where(r"clutch", lambda p: pays(p) <= 250))
    show("mugs at most 250", where(r"\bmugs?\b", lambda p: pays(p) <= 250))
    show("Tag Heuer / Breitling / microwave / sofa bed", where(r"tag heuer|breitling|microwave|sofa bed"))
    show("men's jeans", where(r"jeans", lambda p: "men's" == (p.get("gender") or "").lower()))
    show("art & craft / painting", where(r"art & craft|paint"))
    show("gardening", where(r"garden"))
    for pid in ["CNSEH4JEFRFBFYZV", "MUGEGZUMGYAPVSZH", "MUGEGZUMNZCKBZYS", "BKPECSXKNFNASYRN", "BKPEHDNGPAUZZXHZ", "BKPEHTGBH5GGWENP",
                "WATE6Y6D2MZHWGBZ", "SNMEHEYXQCEW3JCQ", "SUDEJFBRVYEUZUDH", "BELEG6KUK6ZBFTZJ", "CGNEDFY77SGZTEQ2",
                "WATDZDGRQBXTKHPW", "WATDG487YZTHEJZZ", "WATE9CFHPAEU3G4B", "WATDZDGRQBXTKHPW", "JEAE6YUTDBH6DCPK", "JEAE9PP49AH6PQCW",
                "BOTEJT4YZXKRPDTY", "BOTEH2PJRPBTGXMB", "WATEA6UGFGKZKDJC", "SHOEH4GRSUBJGZXE", "PWTEB7H2E4KCYUE3", "SUDEHYGUHDGKVZVS"]:
        p = BY_ID[pid]
        print(f"{pid} pays {pays(p):.2f}, rating {p.get('rating')}, material {p.get('material')}: {p['title']}")
        for k, v in sorted(p.get("attributes", {}).items()):
            print(f"    {k}: {v}")
    print("cart totals: 3 x BOTEJT4YZXKRPDTY + 1 x BOTEH2PJRPBTGXMB =", 3 * pays(BY_ID["BOTEJT4YZXKRPDTY"]) + pays(BY_ID["BOTEH2PJRPBTGXMB"]))
    print("             2 x MUGEGZUMNZCKBZYS + 1 x BKPEHDNGPAUZZXHZ =", 2 * pays(BY_ID["MUGEGZUMNZCKBZYS"]) + pays(BY_ID["BKPEHDNGPAUZZXHZ"]))
    latest = {}
    for o in ORDERS:  # sorted by placed_at: the last one of a customer is their latest
        if o["customer_id"]:
            latest[o["customer_id"]] = o
    counts = collections.Counter(o["customer_id"] for o in ORDERS)
    for cid in ["C1001", "C1011", "C1033", "C1042"]:
        o = latest[cid]
        print(f"customer {cid}: {counts[cid]} orders, latest {o['order_id']} {o['events'][-1]['status']} ({o['lines'][0]['title'][:40]})")
    for oid in ["94547", "23270", "68621", "28013"]:
        o = next(o for o in ORDERS if o["order_id"] == oid)
        print(f"order {oid}: customer {o['customer_id']}, email {o['email']}, {o['events'][-1]['status']}")


def normalize(text):
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def training_texts():
    """Every training utterance, normalized: intents, templates, FAQ questions, shared NLU data."""
    texts = set()
    files = glob.glob(os.path.join(ROOT, "prompts/intents/*.yaml")) + glob.glob(os.path.join(ROOT, "prompts/templates/*.yaml")) + [os.path.join(ROOT, "prompts/faq.yaml")]
    for path in files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = re.match(r'\s*-\s+(?:text:\s*)?"?(.+?)"?\s*$', line)
                if m:
                    texts.add(normalize(m.group(1)))
    for path in glob.glob(os.path.join(ROOT, "../shared/data/nlu/*.jsonl")):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    texts.add(normalize(json.loads(line).get("text", "")))
    return texts


def check():
    """Prints the suite's shopper texts that are training examples word for word; exits 1 if any."""
    known = training_texts()
    copied = []
    for path in sorted(glob.glob(os.path.join(ROOT, "tests/conversations/*.yaml")) + glob.glob(os.path.join(ROOT, "tests/conversations/held_out/*.yaml"))):
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = re.match(r'\s*-?\s*say:\s*"?(.*?)"?\s*$', line)
                if m and normalize(m.group(1)) in known:
                    copied.append((os.path.basename(path), m.group(1)))
    for file, text in copied:
        print(f"{file}: a training example word for word: {text!r}")
    print(f"{len(copied)} copied shopper texts")
    return not copied


if __name__ == "__main__":
    facts()
    if "--check" in sys.argv and not check():
        sys.exit(1)
