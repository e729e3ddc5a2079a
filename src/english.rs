//! English word forms, applied alike to what shoppers type and to catalog words: a light
//! singularizer and the plural forms of a word.

/// A light English singularizer, applied alike to text and catalog words (so it only has to be
/// consistent, not right): "mugs" → "mug", "watches" → "watch", "accessories" → "accessory",
/// "women"/"womens" → "woman", "men"/"mens" → "man".
pub fn singular(w: &str) -> String {
    match w {
        "women" | "womens" | "woman" => return "woman".into(),
        "men" | "mens" | "man" => return "man".into(),
        "children" | "childrens" => return "child".into(),
        "feet" => return "foot".into(),
        "knives" => return "knife".into(),
        "wives" => return "wife".into(),
        "shelves" => return "shelf".into(),
        "scarves" => return "scarf".into(),
        "leaves" => return "leaf".into(),
        "halves" => return "half".into(),
        "jeans" | "pants" | "shorts" | "trousers" | "glasses" | "scissors" | "leggings"
        | "series" | "news" | "species" | "headphones" | "earphones" => {
            return w.trim_end_matches('s').into();
        }
        _ => {}
    }
    let n = w.len();
    if n <= 3 || !w.is_ascii() || w.bytes().any(|b| b.is_ascii_digit()) {
        return w.into();
    }
    if let Some(stem) = w.strip_suffix("ies") {
        if n > 4 {
            return format!("{stem}y");
        }
    }
    for suffix in ["sses", "shes", "ches", "xes", "zes"] {
        if w.ends_with(suffix) {
            return w[..n - 2].into();
        }
    }
    if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        return w[..n - 1].into();
    }
    w.into()
}

/// A word in its singular and plural forms ("bat", "bats"; "knife", "knives"; "battery",
/// "batteries"; "box", "boxes").
pub fn word_forms(word: &str) -> Vec<String> {
    let one = singular(word);
    let mut forms = vec![word.to_string(), format!("{one}s"), format!("{one}es")];
    if let Some(stem) = one.strip_suffix('y') {
        forms.push(format!("{stem}ies"));
    }
    if let Some(stem) = one.strip_suffix("fe").or_else(|| one.strip_suffix('f')) {
        forms.push(format!("{stem}ves"));
    }
    forms.push(one);
    forms.sort();
    forms.dedup();
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singulars_and_plurals() {
        for (word, one) in [("mugs", "mug"), ("watches", "watch"), ("accessories", "accessory"), ("knives", "knife"), ("glass", "glass"), ("kurtis", "kurtis")] {
            assert_eq!(singular(word), one, "{word}");
        }
        assert_eq!(word_forms("bat"), ["bat", "bates", "bats"]);
        assert!(word_forms("knife").contains(&"knives".to_string()));
        assert!(word_forms("battery").contains(&"batteries".to_string()));
        assert!(word_forms("boxes").contains(&"box".to_string()));
    }
}
