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

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{
    Language, RawTokenizer, Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

/// Distinct words remembered per analyzer before the map starts over, bounding its memory to a
/// few MB on text with unbounded vocabulary (numbers, names, typos).
const MAX_CACHED_WORDS: usize = 100_000;

/// Stems like tantivy's `Stemmer` for `language`, remembering every word it has seen.
#[derive(Clone)]
pub struct CachedStemmer {
    language: Language,
}

impl CachedStemmer {
    pub fn new(language: Language) -> CachedStemmer {
        CachedStemmer { language }
    }
}

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner,
            stem_one: TextAnalyzer::builder(RawTokenizer::default())
                .filter(Stemmer::new(self.language))
                .build(),
            cache: FxHashMap::default(),
        }
    }
}

/// The tokenizer [`CachedStemmer`] builds; each clone has its own (initially empty) memory.
#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    /// tantivy's own stemmer, run on one word at a time for words not seen before.
    stem_one: TextAnalyzer,
    cache: FxHashMap<String, String>,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stem_one: &mut self.stem_one,
            cache: &mut self.cache,
        }
    }
}

pub struct CachedStemmerStream<'a, T> {
    tail: T,
    stem_one: &'a mut TextAnalyzer,
    cache: &'a mut FxHashMap<String, String>,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = self.cache.get(&token.text) {
            token.text.clear();
            token.text.push_str(stem);
            return true;
        }
        let stem = {
            let mut one = self.stem_one.token_stream(&token.text);
            match one.next() {
                Some(t) => t.text.clone(),
                None => token.text.clone(),
            }
        };
        if self.cache.len() >= MAX_CACHED_WORDS {
            self.cache.clear();
        }
        let word = std::mem::replace(&mut token.text, stem.clone());
        self.cache.insert(word, stem);
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
    use tantivy::tokenizer::{AsciiFoldingFilter, LowerCaser, SimpleTokenizer};

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
}
