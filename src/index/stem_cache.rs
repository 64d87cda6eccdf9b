//! A Snowball stemmer with a memory of the words it has stemmed.
//!
//! Stemming is the most expensive step of indexing: on Reuters it was 52% of all instructions of
//! `newsdex index` (callgrind, 1,999 stories, one thread), because every token of every title and
//! body goes through the Snowball algorithm, although news text repeats the same few thousand
//! words. [`CachedStemmer`] is a drop-in replacement for tantivy's `Stemmer` filter that keeps
//! each analyzer's word -> stem pairs in a map, so a word is stemmed once per analyzer instance.
//! The output is exactly the same tokens (tested below). The map hashes with `rustc-hash`'s Fx
//! hash (already in the build through tantivy): keys are short words, where SipHash would cost
//! more than the lookup saves.

use std::sync::Arc;

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{Language, Token, TokenFilter, TokenStream, Tokenizer};

use crate::ingest::short_words::{ShortKey, ShortWords};

/// Distinct words remembered per analyzer before the memory starts over, bounding it on text
/// with unbounded vocabulary (numbers, names, typos) to about 8 MB of table (2^18 slots of 32
/// bytes) plus the rare words longer than 15 bytes.
const MAX_CACHED_WORDS: usize = 100_000;

/// Stems like tantivy's `Stemmer` for `language`, remembering every word it has seen.
///
/// [`CachedStemmer::for_initials`] makes the one-shot variant used to mark query words in a
/// few bodies (snippets, KWIC): no memory, and only words that can stem to a query word are
/// stemmed at all.
#[derive(Clone)]
pub struct CachedStemmer {
    language: Language,
    /// When set, words whose first letter is not in this list pass through unstemmed.
    only_initials: Option<Arc<[char]>>,
}

impl CachedStemmer {
    pub fn new(language: Language) -> CachedStemmer {
        CachedStemmer {
            language,
            only_initials: None,
        }
    }

    /// A stemmer for finding the words whose stems are `stems` in a text: it stems only words
    /// that begin with the first letter of one of them and remembers nothing. Every Snowball
    /// stemmer of a Latin- or Cyrillic-script language removes or rewrites endings only, so a
    /// word keeps its first letter and a word with another first letter cannot stem to any of
    /// `stems` (checked on a corpus in the tests below); where a stemmer also changes the start of
    /// a word (Arabic prefixes, Greek and Tamil), every word is stemmed as usual.
    pub fn for_initials<'a>(
        language: Language,
        stems: impl IntoIterator<Item = &'a str>,
    ) -> CachedStemmer {
        let mut initials: Vec<char> = stems.into_iter().filter_map(|s| s.chars().next()).collect();
        initials.sort_unstable();
        initials.dedup();
        CachedStemmer {
            language,
            only_initials: keeps_first_letter(language).then(|| initials.into()),
        }
    }
}

/// Whether every stem of `language`'s Snowball stemmer starts with its word's first letter
/// (Latin and Cyrillic scripts: only endings are removed or rewritten; checked below), so that a
/// word can only stem to a term with its own first letter.
pub fn keeps_first_letter(language: Language) -> bool {
    !matches!(
        language,
        Language::Arabic | Language::Greek | Language::Tamil
    )
}

/// The Snowball algorithm tantivy uses for `language` (tantivy keeps its own mapping private;
/// the Snowball names are the languages' English names in lower case).
fn snowball(language: Language) -> frostem::Stemmer {
    let name = format!("{language:?}").to_lowercase();
    frostem::Stemmer::try_from_name(&name)
        .unwrap_or_else(|_| frostem::Stemmer::new(frostem::Algorithm::English))
}

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner,
            stemmer: snowball(self.language),
            only_initials: self.only_initials,
            memory: StemMemory::new(self.language),
        }
    }
}

/// A Snowball stemmer of one language with the word -> stem pairs it has already computed:
/// short words and their stems side by side in one table slot (see [`ShortWords`]), the rare
/// longer ones in a map.
#[derive(Clone)]
pub struct StemMemory {
    stemmer: frostem::Stemmer,
    short: ShortWords<ShortKey>,
    long: FxHashMap<String, String>,
}

impl StemMemory {
    pub fn new(language: Language) -> StemMemory {
        StemMemory {
            stemmer: snowball(language),
            short: ShortWords::new(MAX_CACHED_WORDS, ShortKey::NONE),
            long: FxHashMap::default(),
        }
    }

    /// Hands `f` the stem of `word` (already lower-cased and folded), computed once per
    /// distinct word until [`MAX_CACHED_WORDS`] words are remembered, when the memory starts over.
    #[inline]
    pub fn with_stem<R>(&mut self, word: &str, f: impl FnOnce(&str) -> R) -> R {
        let key = ShortKey::new(word);
        if let Some(stem) = self.known(key, word, &mut [0; 16]) {
            return f(stem);
        }
        let stem = self.stemmer.stem(word);
        let r = f(&stem);
        let stem = stem.into_owned();
        self.remember(key, word, stem);
        r
    }

    /// Replaces `word` by its stem (see [`StemMemory::with_stem`]).
    pub fn stem_in_place(&mut self, word: &mut String) {
        let key = ShortKey::new(word);
        if let Some(stem) = self.known(key, word, &mut [0; 16]) {
            if stem != word.as_str() {
                word.clear();
                word.push_str(stem);
            }
            return;
        }
        let stem = self.stemmer.stem(word).into_owned();
        let word = std::mem::replace(word, stem.clone());
        self.remember(key, &word, stem);
    }

    /// The remembered stem of `word` (`key`: its packed form, if short), unpacked into `buf`
    /// when it comes from the table of short words.
    #[inline]
    fn known<'a>(
        &'a self,
        key: Option<ShortKey>,
        word: &str,
        buf: &'a mut [u8; 16],
    ) -> Option<&'a str> {
        match key.and_then(|k| self.short.get(k)) {
            Some(stem) => Some(stem.unpack(buf)),
            None => self.long.get(word).map(String::as_str),
        }
    }

    fn remember(&mut self, key: Option<ShortKey>, word: &str, stem: String) {
        match (key, ShortKey::new(&stem)) {
            (Some(key), Some(stem)) => self.short.insert(key, stem),
            _ => {
                if self.long.len() >= MAX_CACHED_WORDS {
                    self.long.clear();
                }
                self.long.insert(word.to_string(), stem);
            }
        }
    }
}

/// The tokenizer [`CachedStemmer`] builds; each clone has its own (initially empty) memory.
#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    stemmer: frostem::Stemmer,
    only_initials: Option<Arc<[char]>>,
    memory: StemMemory,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: self.stemmer,
            only_initials: self.only_initials.as_deref(),
            memory: &mut self.memory,
        }
    }
}

pub struct CachedStemmerStream<'a, T> {
    tail: T,
    stemmer: frostem::Stemmer,
    only_initials: Option<&'a [char]>,
    memory: &'a mut StemMemory,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(initials) = self.only_initials {
            let first = token.text.chars().next();
            if first.is_some_and(|c| initials.binary_search(&c).is_ok())
                && let std::borrow::Cow::Owned(stem) = self.stemmer.stem(&token.text)
            {
                token.text = stem;
            }
            return true;
        }
        self.memory.stem_in_place(&mut token.text);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{
        AsciiFoldingFilter, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer,
    };

    use super::*;

    fn tokens(a: &mut TextAnalyzer, text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut s = a.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = s.next() {
            out.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        }
        out
    }

    #[test]
    fn same_tokens_as_tantivys_stemmer_in_every_language() {
        let text = "Running runners ran; the caravans' migrants crossed borders. Running again, \
                    Flüchtlinge und Flüchtlingen; caravanas migrantes, tercer país seguro; \
                    nationalisation nationalisations NATIONAL 1987 1987";
        for lang in [
            Language::English,
            Language::German,
            Language::Spanish,
            Language::French,
        ] {
            let build = || {
                TextAnalyzer::builder(SimpleTokenizer::default())
                    .filter(LowerCaser)
                    .filter(AsciiFoldingFilter)
            };
            let mut plain = build().filter(Stemmer::new(lang)).build();
            let mut cached = build().filter(CachedStemmer::new(lang)).build();
            let want = tokens(&mut plain, text);
            assert!(want.len() > 20);
            // Twice: the second pass is answered from the memory.
            assert_eq!(tokens(&mut cached, text), want, "{lang:?}");
            assert_eq!(tokens(&mut cached, text), want, "{lang:?} (cached)");
        }
    }

    #[test]
    fn the_memory_is_bounded() {
        let mut a = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(CachedStemmer::new(Language::English))
            .build();
        let text: String = (0..MAX_CACHED_WORDS + 10)
            .map(|i| format!("w{i} "))
            .collect();
        assert_eq!(tokens(&mut a, &text).len(), MAX_CACHED_WORDS + 10);
        assert_eq!(tokens(&mut a, "running")[0].0, "run");
    }

    fn folded(text: &str) -> Vec<String> {
        let mut a = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build();
        tokens(&mut a, text).into_iter().map(|t| t.0).collect()
    }

    /// The assumption `for_initials` rests on: a Snowball stem keeps its word's first letter.
    /// Checked on every word of the sample corpus (English) and on inflected words of the other
    /// languages it is used for.
    #[test]
    fn stems_keep_the_first_letter_of_their_word() {
        let mut english = String::new();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_corpus");
        for entry in walkdir::WalkDir::new(root).into_iter().flatten() {
            if entry
                .path()
                .extension()
                .is_some_and(|e| e == "txt" || e == "md")
            {
                english.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
            }
        }
        let others = [
            (
                Language::German,
                "Flüchtlinge Flüchtlingen Flüchtlings Ärzte Übergänge Häuser",
            ),
            (
                Language::Spanish,
                "caravanas migrantes países árboles ésta últimas yendo",
            ),
            (
                Language::French,
                "caravanes étudiants élections hôpitaux yeux était",
            ),
            (Language::Italian, "elezioni città università ospedali"),
            (Language::Portuguese, "eleições cidades ônibus ações"),
            (Language::Dutch, "verkiezingen vluchtelingen ijzeren"),
            (Language::Swedish, "flyktingar valen ökningen"),
            (Language::Russian, "беженцы беженцев выборы"),
            (Language::Turkish, "mülteciler seçimlerde ışıklar"),
            (Language::Hungarian, "menekültek választások"),
            (Language::Finnish, "pakolaiset vaaleissa äänestäjät"),
        ];
        let mut checked = 0;
        for (language, text) in [(Language::English, english.as_str())]
            .into_iter()
            .chain(others)
        {
            let stemmer = snowball(language);
            for word in folded(text) {
                let stem = stemmer.stem(&word);
                assert_eq!(
                    stem.chars().next(),
                    word.chars().next(),
                    "{language:?}: {word} -> {stem}"
                );
                checked += 1;
            }
        }
        assert!(checked > 10_000, "only {checked} words checked");
    }

    #[test]
    fn the_gated_stemmer_finds_the_same_query_words() {
        let text = "Oil prices rose as the pricing of crude oils and other commodities moved; \
                    OPEC's output and outputs were priced higher.";
        let build = || {
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
        };
        let mut full = build()
            .filter(CachedStemmer::new(Language::English))
            .build();
        let want = tokens(&mut full, text);
        let stems = ["oil", "price"];
        let mut gated = build()
            .filter(CachedStemmer::for_initials(Language::English, stems))
            .build();
        let got = tokens(&mut gated, text);
        assert_eq!(got.len(), want.len());
        let mut hits = 0;
        for (g, w) in got.iter().zip(&want) {
            // Offsets and positions never change; a query word is found exactly where the full
            // analyzer finds it, and words of other initials are left alone.
            assert_eq!((g.1, g.2, g.3), (w.1, w.2, w.3));
            assert_eq!(stems.contains(&g.0.as_str()), stems.contains(&w.0.as_str()));
            hits += usize::from(stems.contains(&g.0.as_str()));
        }
        assert_eq!(hits, 5); // Oil, prices, pricing, oils, priced
        assert!(got.iter().any(|t| t.0 == "commodities"), "{got:?}");
    }
}
