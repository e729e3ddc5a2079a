//! From query text to a plan: words, synonym alternatives, and how much typo each word may
//! have. Pure, so the rules are tested without an index; `search` turns a plan into tantivy
//! queries.

use super::schema;
use super::synonyms::{MAX_PHRASE_WORDS, Synonyms};

/// Words that carry no product meaning in a shopping query; dropped unless the query is
/// nothing else.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "any", "are", "at", "be", "by", "do", "does", "for", "from", "have", "i", "in", "is", "it",
    "me", "my", "of", "on", "or", "please", "show", "some", "that", "the", "this", "to", "want", "with", "you",
];

/// Most query words planned; the rest of a longer query is ignored (it would only make
/// matching slower, not better).
pub(crate) const MAX_WORDS: usize = 16;

/// Typo allowance for a word: none under 4 characters or with digits (model numbers must match
/// exactly), 1 edit from 4 characters, 2 from 8.
pub(crate) fn typo_distance(word: &str) -> u8 {
    if word.chars().any(|c| c.is_ascii_digit()) {
        return 0;
    }
    match word.chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// One way a group of query words may match.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Alternative {
    /// A single word: its stemmed form for BM25 fields, its plain form for fuzzy matching.
    Word { stemmed: String, plain: String, typos: u8 },
    /// Several words in order (a synonym like "t shirt"), stemmed.
    Phrase(Vec<String>),
}

/// Query words that must match together, in any of several ways.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Group {
    /// The words as typed (folded), for reports.
    pub words: String,
    pub alternatives: Vec<Alternative>,
}

/// Plans `text`: one group per word or synonym phrase found.
pub(crate) fn plan(text: &str, synonyms: &Synonyms) -> Vec<Group> {
    let mut plain = schema::plain();
    let mut stemmer = schema::stemmed();
    let all: Vec<String> = schema::tokens(&mut plain, text);
    let content: Vec<String> = all.iter().filter(|w| !STOP_WORDS.contains(&w.as_str())).cloned().collect();
    let mut words = if content.is_empty() { all } else { content };
    words.truncate(MAX_WORDS);
    let mut stem = |words: &[String]| schema::tokens(&mut stemmer, &words.join(" "));
    let mut groups = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let longest = (1..=MAX_PHRASE_WORDS.min(words.len() - i))
            .rev()
            .find_map(|n| synonyms.lookup(&words[i..i + n]).map(|members| (n, members)));
        let (n, members) = match longest {
            Some((n, members)) => (n, members.to_vec()),
            None => (1, vec![words[i..i + 1].to_vec()]),
        };
        let typed = &words[i..i + n];
        let mut alternatives = Vec::new();
        for member in &members {
            let alternative = if member.len() == 1 {
                let stemmed = stem(member).into_iter().next().unwrap_or_else(|| member[0].clone());
                // Typo tolerance only for what the shopper typed, not for synonyms of it.
                let typos = if member.as_slice() == typed { typo_distance(&member[0]) } else { 0 };
                Alternative::Word { stemmed, plain: member[0].clone(), typos }
            } else {
                Alternative::Phrase(stem(member))
            };
            if !alternatives.contains(&alternative) {
                alternatives.push(alternative);
            }
        }
        groups.push(Group { words: typed.join(" "), alternatives });
        i += n;
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(stemmed: &str, plain: &str, typos: u8) -> Alternative {
        Alternative::Word { stemmed: stemmed.into(), plain: plain.into(), typos }
    }

    #[test]
    fn typo_distance_follows_word_length() {
        assert_eq!(typo_distance("mug"), 0);
        assert_eq!(typo_distance("mugg"), 1);
        assert_eq!(typo_distance("ceramc"), 1);
        assert_eq!(typo_distance("televisn"), 2);
        assert_eq!(typo_distance("240450"), 0);
        assert_eq!(typo_distance("xm5s"), 0);
    }

    #[test]
    fn words_are_folded_stemmed_and_stop_words_dropped() {
        let groups = plan("Ceramic MUGS for the Kitchen", &Synonyms::default());
        let words: Vec<&str> = groups.iter().map(|g| g.words.as_str()).collect();
        assert_eq!(words, ["ceramic", "mugs", "kitchen"]);
        assert_eq!(groups[1].alternatives, vec![word("mug", "mugs", 1)]);
    }

    #[test]
    fn a_query_of_only_stop_words_is_kept() {
        assert_eq!(plan("the it", &Synonyms::default()).len(), 2);
        assert!(plan("  !! ", &Synonyms::default()).is_empty());
    }

    #[test]
    fn synonyms_widen_a_word_and_match_phrases() {
        let synonyms = Synonyms::parse("tv, television\ntee, t-shirt").unwrap();
        let groups = plan("sony tv", &synonyms);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[1].alternatives, vec![word("tv", "tv", 0), word("televis", "television", 0)]);
        let groups = plan("black t-shirt", &synonyms);
        assert_eq!(groups.len(), 2, "the phrase is one group: {groups:?}");
        assert!(groups[1].alternatives.contains(&Alternative::Phrase(vec!["t".into(), "shirt".into()])));
        assert!(groups[1].alternatives.contains(&word("tee", "tee", 0)));
    }

    #[test]
    fn long_queries_are_cut_to_the_first_words() {
        let text = (0..100).map(|i| format!("word{i}")).collect::<Vec<_>>().join(" ");
        let groups = plan(&text, &Synonyms::default());
        assert_eq!(groups.len(), MAX_WORDS);
        assert_eq!(groups[0].words, "word0");
    }

    #[test]
    fn accents_fold() {
        assert_eq!(plan("Crème brûlée", &Synonyms::default())[0].alternatives, vec![word("creme", "creme", 1)]);
    }
}
