//! Query-time synonyms from a text file: one group of equivalent words or phrases a line,
//! separated by commas (`tv, television`); `#` starts a comment.
//!
//! Synonyms only widen queries, so editing the file needs no index rebuild.

use std::collections::HashMap;
use std::path::Path;

use super::CatalogError;
use super::schema;

/// Longest phrase, in words, that a synonym may be.
pub(crate) const MAX_PHRASE_WORDS: usize = 4;

/// Equivalence groups keyed by every member (as folded words).
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    groups: Vec<Vec<Vec<String>>>,
    by_phrase: HashMap<Vec<String>, usize>,
}

impl Synonyms {
    pub fn load(path: &Path) -> Result<Synonyms, CatalogError> {
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Io { path: path.to_path_buf(), source })?;
        Synonyms::parse(&text).map_err(|(line, message)| CatalogError::Synonyms { path: path.to_path_buf(), line, message })
    }

    /// Parses the file format; an error carries the 1-based line and what is wrong.
    pub fn parse(text: &str) -> Result<Synonyms, (usize, String)> {
        let mut synonyms = Synonyms::default();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let members: Vec<Vec<String>> = line
                .split(',')
                .map(|m| schema::tokens(&mut schema::plain(), m))
                .filter(|words| !words.is_empty())
                .collect();
            if members.len() < 2 {
                return Err((i + 1, format!("'{line}' needs at least two comma-separated words or phrases")));
            }
            if let Some(long) = members.iter().find(|m| m.len() > MAX_PHRASE_WORDS) {
                return Err((i + 1, format!("'{}' is longer than {MAX_PHRASE_WORDS} words", long.join(" "))));
            }
            let id = synonyms.groups.len();
            for member in &members {
                synonyms.by_phrase.insert(member.clone(), id);
            }
            synonyms.groups.push(members);
        }
        Ok(synonyms)
    }

    /// The group `words` belongs to, if any (every member, `words` included).
    pub fn lookup(&self, words: &[String]) -> Option<&[Vec<String>]> {
        self.by_phrase.get(words).map(|&id| self.groups[id].as_slice())
    }

    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_groups_and_phrases() {
        let s = Synonyms::parse("# comment\ntv, Television\n\ntee, t-shirt , tshirt # shirts\n").unwrap();
        assert_eq!(s.len(), 2);
        let words = |t: &str| t.split(' ').map(String::from).collect::<Vec<_>>();
        assert_eq!(s.lookup(&words("television")).unwrap().len(), 2);
        assert!(s.lookup(&words("t shirt")).unwrap().contains(&words("tee")));
        assert!(s.lookup(&words("shirt")).is_none());
    }

    #[test]
    fn rejects_lone_words_with_line_number() {
        assert_eq!(Synonyms::parse("tv, television\nlaptop\n").unwrap_err().0, 2);
    }
}
