//! The passage of a body a snippet shows: where the query's words weigh most.
//!
//! The choice is tantivy's snippet algorithm (`tantivy::snippet`): the body is cut, token by
//! token, into fragments of at most `max_chars` bytes, each scored by the weights of the query
//! words it holds; the best fragment wins, the earliest of equal ones. [`Finder`] gives exactly
//! that passage and those highlights (tested against tantivy below) for a fraction of the work,
//! because snippets are most of an in-process search (53% of `examples/bench_search`'s
//! instructions): tantivy lower-cases every token into a new string to look it up and runs the
//! whole analysis (lower-casing, folding, stemming) on every word, while a word can only be one
//! of the query's terms when it starts with the first letter of one of them
//! ([`crate::index::stem_cache::keeps_first_letter`]). Every word still bounds fragments by its
//! offsets; only candidates are analysed, one word at a time with the language's marking
//! analyzer ([`marking_analyzer`]), which yields the same term as analysing the whole text.

use std::collections::BTreeMap;
use std::ops::Range;

use rustc_hash::FxHashMap;
use tantivy::tokenizer::TextAnalyzer;

use crate::index::analysis::{marking_analyzer, stemmer_language, word_of};
use crate::index::schema::MAX_TOKEN_LEN;
use crate::index::stem_cache::keeps_first_letter;

/// The best passage of a text: its byte range, and the query words in it (ranges in the text).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Passage {
    pub range: Range<usize>,
    pub highlighted: Vec<Range<usize>>,
}

/// Finds passages with the terms of one analysis (`tag`, as [`crate::index::analysis`] tags
/// them) and their weights.
pub(crate) struct Finder {
    terms: BTreeMap<String, f32>,
    marking: TextAnalyzer,
    /// Lower-case first letters a word must start with to be analysed; `None`: every word is.
    initials: Option<Vec<char>>,
    /// The weight of each candidate word met so far (`None`: not a query term): the bodies of
    /// one page of hits repeat their words.
    seen: FxHashMap<String, Option<f32>>,
    max_chars: usize,
}

/// Words [`Finder::seen`] holds before it starts over.
const MAX_SEEN: usize = 10_000;

impl Finder {
    pub(crate) fn new(tag: Option<&str>, terms: BTreeMap<String, f32>, max_chars: usize) -> Finder {
        let marking = marking_analyzer(tag, terms.keys().map(String::as_str));
        let initials = stemmer_language(tag)
            .is_none_or(keeps_first_letter)
            .then(|| {
                let mut v: Vec<char> = terms
                    .keys()
                    .filter_map(|t| word_of(t).chars().next())
                    .collect();
                v.sort_unstable();
                v.dedup();
                v
            });
        Finder {
            terms,
            marking,
            initials,
            seen: FxHashMap::default(),
            max_chars,
        }
    }

    /// The best passage of `text`, `None` when no query word is in it.
    pub(crate) fn passage(&mut self, text: &str) -> Option<Passage> {
        let mut best: Option<Fragment> = None;
        let mut fragment = Fragment::new(0);
        for word in words(text) {
            let (from, to) = (word.start, word.end);
            if to - fragment.start > self.max_chars {
                fragment.offer_to(&mut best);
                fragment = Fragment::new(from);
            }
            fragment.stop = to;
            let word = &text[word];
            let candidate = match (&self.initials, word.chars().next()) {
                (Some(initials), Some(c)) if c.is_ascii() => {
                    initials.binary_search(&c.to_ascii_lowercase()).is_ok()
                }
                _ => true,
            };
            if !candidate {
                continue;
            }
            let weight = match self.seen.get(word) {
                Some(&w) => w,
                None => {
                    let w = self
                        .marking
                        .token_stream(word)
                        .next()
                        .and_then(|term| lookup(&self.terms, &term.text).copied());
                    if self.seen.len() >= MAX_SEEN {
                        self.seen.clear();
                    }
                    self.seen.insert(word.to_string(), w);
                    w
                }
            };
            if let Some(weight) = weight {
                fragment.score += weight;
                fragment.highlighted.push(from..to);
            }
        }
        fragment.offer_to(&mut best);
        best.map(|f| Passage {
            range: f.start..f.stop,
            highlighted: f.highlighted,
        })
    }
}

/// The words of `text` as the index's tokenizer cuts them (maximal runs of letters and digits,
/// those of [`MAX_TOKEN_LEN`] bytes or more dropped), as byte ranges; ASCII is read byte by byte.
fn words(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let bytes = text.as_bytes();
    // Whether the character at `i` is a letter or digit, and its length.
    let at = move |i: usize| -> (bool, usize) {
        let b = bytes[i];
        if b.is_ascii() {
            (b.is_ascii_alphanumeric(), 1)
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            (c.is_alphanumeric(), c.len_utf8())
        }
    };
    let mut i = 0;
    std::iter::from_fn(move || {
        loop {
            while i < bytes.len() {
                let (alnum, len) = at(i);
                if alnum {
                    break;
                }
                i += len;
            }
            if i >= bytes.len() {
                return None;
            }
            let start = i;
            while i < bytes.len() {
                let (alnum, len) = at(i);
                if !alnum {
                    break;
                }
                i += len;
            }
            if i - start < MAX_TOKEN_LEN {
                return Some(start..i);
            }
        }
    })
}

/// A term's weight; tantivy looks terms up lower-cased (analysed terms already are).
fn lookup<'t>(terms: &'t BTreeMap<String, f32>, term: &str) -> Option<&'t f32> {
    if term.chars().any(char::is_uppercase) {
        terms.get(&term.to_lowercase())
    } else {
        terms.get(term)
    }
}

struct Fragment {
    score: f32,
    start: usize,
    stop: usize,
    highlighted: Vec<Range<usize>>,
}

impl Fragment {
    fn new(start: usize) -> Fragment {
        Fragment {
            score: 0.0,
            start,
            stop: start,
            highlighted: Vec::new(),
        }
    }

    /// Keeps this fragment as `best` when it scores higher (the earlier one wins a tie).
    fn offer_to(self, best: &mut Option<Fragment>) {
        if self.score > 0.0 && best.as_ref().is_none_or(|b| self.score > b.score) {
            *best = Some(self);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::snippet::SnippetGenerator;

    /// tantivy's snippet generator with the same analysis is the oracle.
    fn tantivys(tag: Option<&str>, terms: &BTreeMap<String, f32>, text: &str) -> Option<Passage> {
        let mut schema = Schema::builder();
        let field = schema.add_text_field("body", TEXT);
        let analyzer = marking_analyzer(tag, terms.keys().map(String::as_str));
        let g = SnippetGenerator::new(terms.clone(), analyzer, field, 60);
        let s = g.snippet(text);
        let r = s.fragment_range();
        (!s.highlighted().is_empty()).then(|| Passage {
            highlighted: s
                .highlighted()
                .iter()
                .map(|h| h.start + r.start..h.end + r.start)
                .collect(),
            range: r,
        })
    }

    #[test]
    fn the_same_passage_as_tantivy() {
        let text = "Oil prices rose on Monday. OPEC said the pricing of crude oils would hold; \
                    Oil-exporting states priced output higher. Élan and ÉTATS-UNIS: the oil \
                    price (\u{a0}$20\u{a0}) held. Nothing here. Prices, prices, PRICES and oil \
                    again at the end of a long paragraph about oil.";
        // Words of 63 and 64 bytes (the second is not indexed), digits, non-Latin letters and
        // marks between words.
        let long_words = format!(
            "oil {} oil {} oil. Ölpreis 12oil oil₂ oil\u{301}s 油 oil",
            "a".repeat(63),
            "b".repeat(64)
        );
        let de = "Die Flüchtlinge erreichten die Grenze. Viele Flüchtlingen warteten; \
                  der Flüchtling sprach. Danach: Ruhe. Flüchtlings-Hilfe kam spät.";
        type Case<'a> = (Option<&'a str>, Vec<(&'a str, f32)>, &'a str);
        let cases: Vec<Case> = vec![
            (None, vec![("oil", 0.5), ("price", 0.25)], text),
            (None, vec![("etat", 1.0), ("elan", 0.1)], text),
            (None, vec![("nothing", 0.3)], text),
            (None, vec![("absent", 0.3)], text),
            (
                None,
                vec![("oil", 0.2), ("price", 0.2)],
                "oil price. oil price. oil price.",
            ),
            (Some("de"), vec![("de:fluchtling", 0.4)], de),
            (Some("de"), vec![("de:grenz", 0.4), ("de:ruh", 0.9)], de),
            (None, vec![("oil", 1.0)], ""),
            (None, vec![("oil", 1.0)], &long_words),
        ];
        for (tag, terms, text) in cases {
            let terms: BTreeMap<String, f32> =
                terms.iter().map(|(t, w)| (t.to_string(), *w)).collect();
            let want = tantivys(tag, &terms, text);
            let got = Finder::new(tag, terms.clone(), 60).passage(text);
            assert_eq!(got, want, "{terms:?} in {text:?}");
        }
        let terms: BTreeMap<String, f32> = [("oil".to_string(), 1.0)].into();
        let got = Finder::new(None, terms, 60).passage(text).unwrap();
        let marked: Vec<&str> = got.highlighted.iter().map(|h| &text[h.clone()]).collect();
        assert_eq!(marked, ["oils", "Oil"], "the first passage with two");
    }
}
