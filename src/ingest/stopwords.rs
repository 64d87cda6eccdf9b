//! Stop words: function words ("the", "of", "what", "about") that a verbose query drops before
//! it is ranked. They are removed from the query only, never from the index, so a phrase or a
//! query made of nothing else ("The Who", "to be or not to be") still finds them.
//!
//! Lists are keyed by ISO 639-1 language code. English has its own list here ([`ENGLISH`]); Danish,
//! Dutch, Finnish, French, German, Hungarian, Italian, Norwegian, Portuguese, Russian, Spanish
//! and Swedish use the Snowball project's lists that tantivy ships (`StopWordFilter::new`). A
//! language without a list keeps every word.

/// The Snowball project's English stop-word list (snowballstem.org, `english/stop.txt`, BSD
/// licence): pronouns, auxiliaries, articles, conjunctions, prepositions, and the contracted
/// forms. "us" is left out (US, the United States), as Snowball does. tantivy's built-in
/// English list has 33 words; on the judged collections it gave a third of this list's gain.
pub const ENGLISH: &[&str] = &[
    // pronouns
    "i",
    "me",
    "my",
    "myself",
    "we",
    "our",
    "ours",
    "ourselves",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "he",
    "him",
    "his",
    "himself",
    "she",
    "her",
    "hers",
    "herself",
    "it",
    "its",
    "itself",
    "they",
    "them",
    "their",
    "theirs",
    "themselves",
    "what",
    "which",
    "who",
    "whom",
    "this",
    "that",
    "these",
    "those",
    // forms of to be, to have, to do; modals
    "am",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "have",
    "has",
    "had",
    "having",
    "do",
    "does",
    "did",
    "doing",
    "would",
    "should",
    "could",
    "ought",
    // contracted forms
    "i'm",
    "you're",
    "he's",
    "she's",
    "it's",
    "we're",
    "they're",
    "i've",
    "you've",
    "we've",
    "they've",
    "i'd",
    "you'd",
    "he'd",
    "she'd",
    "we'd",
    "they'd",
    "i'll",
    "you'll",
    "he'll",
    "she'll",
    "we'll",
    "they'll",
    "isn't",
    "aren't",
    "wasn't",
    "weren't",
    "hasn't",
    "haven't",
    "hadn't",
    "doesn't",
    "don't",
    "didn't",
    "won't",
    "wouldn't",
    "shan't",
    "shouldn't",
    "can't",
    "cannot",
    "couldn't",
    "mustn't",
    "let's",
    "that's",
    "who's",
    "what's",
    "here's",
    "there's",
    "when's",
    "where's",
    "why's",
    "how's",
    // articles, conjunctions, prepositions, adverbs
    "a",
    "an",
    "the",
    "and",
    "but",
    "if",
    "or",
    "because",
    "as",
    "until",
    "while",
    "of",
    "at",
    "by",
    "for",
    "with",
    "about",
    "against",
    "between",
    "into",
    "through",
    "during",
    "before",
    "after",
    "above",
    "below",
    "to",
    "from",
    "up",
    "down",
    "in",
    "out",
    "on",
    "off",
    "over",
    "under",
    "again",
    "further",
    "then",
    "once",
    "here",
    "there",
    "when",
    "where",
    "why",
    "how",
    "all",
    "any",
    "both",
    "each",
    "few",
    "more",
    "most",
    "other",
    "some",
    "such",
    "no",
    "nor",
    "not",
    "only",
    "own",
    "same",
    "so",
    "than",
    "too",
    "very",
];

/// The stop words of the language with ISO 639-1 code `lang` (any case; a region suffix such as
/// `en-GB` is ignored). Empty for a language without a list.
pub fn stop_words(lang: &str) -> &'static [&'static str] {
    let base = lang.split(['-', '_']).next().unwrap_or("");
    match base.to_ascii_lowercase().as_str() {
        "en" => ENGLISH,
        _ => &[],
    }
}

/// Whether `word` (as typed: any case, straight or curly apostrophe) is a stop word in `lang`.
pub fn is_stop_word(lang: &str, word: &str) -> bool {
    let w = word.to_lowercase().replace('’', "'");
    let list = stop_words(lang);
    if !list.is_empty() {
        return list.contains(&w.as_str());
    }
    let base = lang
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    SNOWBALL.with(|cell| {
        let mut filters = cell.borrow_mut();
        // Resolved once per language code and thread.
        let filter = filters
            .entry(base)
            .or_insert_with_key(|base| snowball_filter(base));
        match filter {
            Some(list) => on_snowball_list(list, &w),
            None => false,
        }
    })
}

/// The languages with a stop-word list, by ISO 639-1 code: what language detection votes among.
pub const VOTERS: [&str; 13] = [
    "en", "da", "nl", "fi", "fr", "de", "hu", "it", "no", "pt", "ru", "es", "sv",
];

/// The languages of [`VOTERS`] in whose list `word` (lower-case) stands, one bit each (bit `i`
/// for `VOTERS[i]`).
pub fn stop_word_languages(word: &str) -> u16 {
    VOTER_LISTS.with(|cell| {
        let mut lists = cell.borrow_mut();
        let lists = lists.get_or_insert_with(|| VOTERS.iter().map(|l| VoterList::of(l)).collect());
        let mut mask = 0;
        for (i, list) in lists.iter_mut().enumerate() {
            if list.contains(word) {
                mask |= 1 << i;
            }
        }
        mask
    })
}

/// The stop words of one voting language, built once per thread: language detection asks for
/// every new word of every article.
enum VoterList {
    Ours(rustc_hash::FxHashSet<&'static str>),
    Snowball(SnowballList),
    Empty,
}

impl VoterList {
    fn of(lang: &str) -> VoterList {
        let ours = stop_words(lang);
        if !ours.is_empty() {
            return VoterList::Ours(ours.iter().copied().collect());
        }
        match snowball_filter(lang) {
            Some(a) => VoterList::Snowball(a),
            None => VoterList::Empty,
        }
    }

    fn contains(&mut self, word: &str) -> bool {
        match self {
            VoterList::Ours(set) => set.contains(word),
            VoterList::Snowball(list) => on_snowball_list(list, word),
            VoterList::Empty => false,
        }
    }
}

/// tantivy's Snowball stop-word filter over a whole-text tokenizer: a word passes through unless
/// it is on the list. Held as its own type, not a `TextAnalyzer`, which boxes a token stream for
/// every word asked about (language detection asks each new word of each article, in 12 lists).
type SnowballList = <StopWordFilter as TokenFilter>::Tokenizer<RawTokenizer>;

/// Whether `word` (lower-case) is on a Snowball list.
fn on_snowball_list(list: &mut SnowballList, word: &str) -> bool {
    list.token_stream(word).next().is_none()
}

/// tantivy's Snowball stop-word list for a language code (the language table of
/// `ingest::language`, aliases such as `nb` included): tantivy has a list for 12 of its Snowball
/// languages and answers `None` for the others.
fn snowball_filter(base: &str) -> Option<SnowballList> {
    let language = crate::ingest::language::normalize_declared(base)
        .and_then(|code| crate::ingest::language::snowball(&code))?;
    StopWordFilter::new(language).map(|f| f.transform(RawTokenizer::default()))
}

thread_local! {
    /// tantivy's Snowball stop-word filter per language code (`None`: no list for it).
    static SNOWBALL: std::cell::RefCell<std::collections::HashMap<String, Option<SnowballList>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
    /// The lists of [`VOTERS`], in that order.
    static VOTER_LISTS: std::cell::RefCell<Option<Vec<VoterList>>> =
        const { std::cell::RefCell::new(None) };
}

use tantivy::tokenizer::{
    RawTokenizer, StopWordFilter, TokenFilter, TokenStream as _, Tokenizer as _,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_list() {
        assert!(is_stop_word("en", "The"));
        assert!(is_stop_word("EN-gb", "about"));
        assert!(is_stop_word("en", "Don’t"));
        assert!(!is_stop_word("en", "us"), "US is a country");
        assert!(!is_stop_word("en", "caravan"));
        assert!(
            !is_stop_word("xx", "the"),
            "an unknown language keeps every word"
        );
        assert!(is_stop_word("de", "Die"));
        assert!(is_stop_word("de-AT", "über"));
        assert!(!is_stop_word("de", "Flüchtling"));
        assert!(is_stop_word("es", "los"));
        assert!(is_stop_word("fr", "les"));
        assert!(!is_stop_word("en", "die"), "die is an English word");
        assert!(!is_stop_word("el", "και"), "no Greek list");
        assert!(is_stop_word("nb", "og"), "Bokmål is Norwegian");
        assert!(is_stop_word("NO", "og"));
        assert!(!is_stop_word("tr", "ve"), "no Turkish list");
        let de = VOTERS.iter().position(|l| *l == "de").unwrap();
        let en = VOTERS.iter().position(|l| *l == "en").unwrap();
        assert_eq!(stop_word_languages("und"), 1 << de);
        assert_eq!(
            stop_word_languages("in") & (1 << de | 1 << en),
            1 << de | 1 << en
        );
        assert_eq!(stop_word_languages("caravan"), 0);
        let mut sorted = ENGLISH.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), ENGLISH.len(), "no word listed twice");
    }
}
