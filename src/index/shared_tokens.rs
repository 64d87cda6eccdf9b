//! One analysis per text of a document, shared by the fields that index it.
//!
//! An article's title and body are indexed in two fields: `exact` (plain: lower-cased and
//! folded words, the title `title_weight` times, then the body) and `title` (stemmed in the
//! article's language). tantivy analyses every value of every field on its own, so each title
//! would go through the tokenizer `title_weight` + 1 times. The analyzers the index registers
//! for writing ([`crate::index::forms::FormsTokenizer`] and [`PlainTokenizer`] through [`plain`],
//! [`crate::index::analysis::NewsTokenizer`] through [`stemmed`]) ask a small memory of the texts
//! this thread analysed last instead: a text met again is replayed from its tokens, a new one is
//! split into plain tokens once and stemmed once per language asked for. tantivy indexes one
//! document's fields one after another on one thread, so the title and the body of a document are
//! each analysed once.
//!
//! The tokens are exactly those of [`crate::index::schema::plain_analyzer`] and of the language's
//! [`crate::index::analysis::analyzer_for`]: same text, offsets and positions (tested below; the
//! stemmed analysis is the plain one followed by the stemmer and the tag).

use std::cell::RefCell;
use std::rc::Rc;

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

use crate::index::analysis::{TAG_SEP, stemmer_language};
use crate::index::schema::MAX_TOKEN_LEN;
use crate::index::stem_cache::StemMemory;
use crate::ingest::words::each_run;

/// How many texts a thread remembers: a document's title and body, and room for a short field
/// (a URL) analysed between them.
const RECENT: usize = 4;

/// The plain analyzer of the index, answered from this thread's memory of recent texts.
#[derive(Clone, Default)]
pub struct PlainTokenizer;

impl Tokenizer for PlainTokenizer {
    type TokenStream<'a> = SharedStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> SharedStream {
        plain(text)
    }
}

/// The plain tokens of `text` (lower-cased, folded words).
pub fn plain(text: &str) -> SharedStream {
    SharedStream::new(MEMO.with(|m| m.borrow_mut().analysed(text, None)), false)
}

/// The tokens of `text` analysed in `tag`'s language (`None`: English), tagged as the index tags
/// them.
pub fn stemmed(tag: Option<&str>, text: &str) -> SharedStream {
    SharedStream::new(
        MEMO.with(|m| m.borrow_mut().analysed(text, Some(tag))),
        true,
    )
}

/// Hands `f` each word of a plain stream, in order (what the stream gives, without building
/// tokens).
pub fn each_word(stream: &SharedStream, mut f: impl FnMut(&str)) {
    let a = stream.entry.borrow();
    let mut start = 0;
    for span in &a.spans {
        f(&a.plain[start..span.end]);
        start = span.end;
    }
}

/// Hands `f` the stem of `word` (a plain token) in `tag`'s analysis (`None`: English), from
/// this thread's stem memory; a language without a stemmer leaves the word as it is.
pub fn with_stem<R>(tag: Option<&str>, word: &str, f: impl FnOnce(&str) -> R) -> R {
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        match m.stemmer(tag) {
            Some(s) => s.with_stem(word, f),
            None => f(word),
        }
    })
}

/// One text, analysed.
#[derive(Default)]
struct Analysed {
    text: String,
    /// The plain tokens' texts, one after another; `spans` says where each ends.
    plain: String,
    spans: Vec<Span>,
    /// The analysis `stems` holds (`Some(None)`: English); `None` before any.
    stemmed_as: Option<Option<String>>,
    /// The stemmed, tagged tokens' texts, one after another; `stem_ends` says where each ends.
    stems: String,
    stem_ends: Vec<usize>,
}

/// Where a plain token ends in [`Analysed::plain`], and where it stands in the text.
#[derive(Clone, Copy)]
struct Span {
    end: usize,
    offset_from: usize,
    offset_to: usize,
    position: usize,
    position_length: usize,
}

/// A thread's recent texts and stemmers.
struct Memo {
    /// Most recently used first.
    recent: Vec<Rc<RefCell<Analysed>>>,
    plain: TextAnalyzer,
    /// Per analysis (`None`: English); `None` for a language without a stemmer.
    stemmers: FxHashMap<Option<String>, Option<StemMemory>>,
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo {
        recent: Vec::with_capacity(RECENT),
        plain: crate::index::schema::plain_analyzer(),
        stemmers: FxHashMap::default(),
    });
}

impl Memo {
    /// `text` analysed, and stemmed in `stem_as` when given. An entry a live stream still reads
    /// is never changed: a new one is made instead.
    fn analysed(&mut self, text: &str, stem_as: Option<Option<&str>>) -> Rc<RefCell<Analysed>> {
        let found = self.recent.iter().position(|e| e.borrow().text == text);
        let entry = match found {
            Some(i) if stem_as.is_none_or(|tag| is_stemmed_as(&self.recent[i].borrow(), tag)) => {
                self.recent.remove(i)
            }
            Some(i) if Rc::strong_count(&self.recent[i]) == 1 => self.recent.remove(i),
            _ => self.fresh(text),
        };
        if let Some(tag) = stem_as
            && !is_stemmed_as(&entry.borrow(), tag)
        {
            self.stem(&mut entry.borrow_mut(), tag);
        }
        self.recent.insert(0, entry.clone());
        self.recent.truncate(RECENT);
        entry
    }

    /// A new entry for `text`, reusing the buffers of the oldest one when no stream reads it.
    fn fresh(&mut self, text: &str) -> Rc<RefCell<Analysed>> {
        let entry = match self.recent.len() {
            RECENT if Rc::strong_count(&self.recent[RECENT - 1]) == 1 => {
                self.recent.pop().unwrap_or_default()
            }
            _ => Rc::default(),
        };
        {
            let mut a = entry.borrow_mut();
            a.text.clear();
            a.text.push_str(text);
            a.plain.clear();
            a.spans.clear();
            a.stemmed_as = None;
            let Analysed { plain, spans, .. } = &mut *a;
            plain_tokens(
                text,
                &mut self.plain,
                |word, offset_from, offset_to, position| {
                    plain.push_str(word);
                    spans.push(Span {
                        end: plain.len(),
                        offset_from,
                        offset_to,
                        position,
                        position_length: 1,
                    });
                },
            );
        }
        entry
    }

    /// Stems every plain token of `a` in `tag`'s analysis and tags it.
    /// The stem memory of `tag`'s analysis; `None` for a language without a stemmer.
    fn stemmer(&mut self, tag: Option<&str>) -> Option<&mut StemMemory> {
        self.stemmers
            .entry(tag.map(str::to_string))
            .or_insert_with(|| stemmer_language(tag).map(StemMemory::new))
            .as_mut()
    }

    fn stem(&mut self, a: &mut Analysed, tag: Option<&str>) {
        let mut stemmer = self.stemmer(tag);
        let Analysed {
            plain,
            spans,
            stems,
            stem_ends,
            ..
        } = a;
        stems.clear();
        stem_ends.clear();
        let mut start = 0;
        for span in spans.iter() {
            let word = &plain[start..span.end];
            start = span.end;
            if let Some(t) = tag {
                stems.push_str(t);
                stems.push(TAG_SEP);
            }
            match stemmer.as_deref_mut() {
                Some(s) => s.with_stem(word, |stem| stems.push_str(stem)),
                None => stems.push_str(word),
            }
            stem_ends.push(stems.len());
        }
        a.stemmed_as = Some(tag.map(str::to_string));
    }
}

/// Hands `f` each token of the plain analyzer (`plain`) over `text`, with its offsets and
/// position, as that analyzer would: words are the runs of alphanumeric characters (tantivy's
/// `SimpleTokenizer`), each counts a position, words of [`MAX_TOKEN_LEN`] bytes or more are
/// dropped, the rest lower-cased and folded to ASCII. Words of ASCII letters and digits, nearly
/// all of them in most archives, are found and lower-cased byte by byte here; any other word is
/// handed to `plain` alone (it is one token there too), so the folding is tantivy's own.
fn plain_tokens(
    text: &str,
    plain: &mut TextAnalyzer,
    mut f: impl FnMut(&str, usize, usize, usize),
) {
    let mut lower = String::new();
    let mut position = 0;
    each_run(text, |start, end, ascii| {
        let here = position;
        position += 1;
        if end - start >= MAX_TOKEN_LEN {
            return;
        }
        if ascii {
            lower.clear();
            lower.push_str(&text[start..end]);
            lower.make_ascii_lowercase();
            f(&lower, start, end, here);
        } else {
            let mut stream = plain.token_stream(&text[start..end]);
            if let Some(t) = stream.next() {
                f(&t.text, start, end, here);
            }
        }
    });
}

fn is_stemmed_as(a: &Analysed, tag: Option<&str>) -> bool {
    a.stemmed_as.as_ref().is_some_and(|s| s.as_deref() == tag)
}

/// The tokens of one analysed text, plain or stemmed.
pub struct SharedStream {
    entry: Rc<RefCell<Analysed>>,
    stemmed: bool,
    next: usize,
    token: Token,
}

impl SharedStream {
    fn new(entry: Rc<RefCell<Analysed>>, stemmed: bool) -> SharedStream {
        SharedStream {
            entry,
            stemmed,
            next: 0,
            token: Token::default(),
        }
    }
}

impl TokenStream for SharedStream {
    fn advance(&mut self) -> bool {
        let a = self.entry.borrow();
        let i = self.next;
        let Some(span) = a.spans.get(i) else {
            return false;
        };
        let (texts, start, end) = if self.stemmed {
            let start = i.checked_sub(1).map_or(0, |p| a.stem_ends[p]);
            (&a.stems, start, a.stem_ends[i])
        } else {
            let start = i.checked_sub(1).map_or(0, |p| a.spans[p].end);
            (&a.plain, start, span.end)
        };
        let t = &mut self.token;
        t.text.clear();
        t.text.push_str(&texts[start..end]);
        t.offset_from = span.offset_from;
        t.offset_to = span.offset_to;
        t.position = span.position;
        t.position_length = span.position_length;
        self.next += 1;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::analysis::analyzer_for;
    use crate::index::schema::plain_analyzer;

    type Tokens = Vec<(String, usize, usize, usize)>;

    fn collect(mut s: impl TokenStream) -> Tokens {
        let mut out = Vec::new();
        while s.advance() {
            let t = s.token();
            out.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        }
        out
    }

    fn want_plain(text: &str) -> Tokens {
        collect(plain_analyzer().token_stream(text))
    }

    fn want_stemmed(tag: Option<&str>, text: &str) -> Tokens {
        collect(analyzer_for(tag).token_stream(text))
    }

    /// Every order a document's fields can ask in, texts met again and evicted, several
    /// languages for one text, and two streams of one text read at once: always the tokens of the
    /// analyzers themselves.
    #[test]
    fn the_same_tokens_as_the_analyzers_in_any_order() {
        let long = format!("{} tail", "x".repeat(80));
        // Words just under and at the length limit, in ASCII and not.
        let long_ascii = format!("{} {} end", "a".repeat(63), "b".repeat(64));
        let long_other = format!("{}é {}é Ü", "c".repeat(61), "d".repeat(62));
        let texts = [
            "Migrants' caravans reached the border; running, ran, runs.",
            "Flüchtlinge, Flüchtlingen; des Flüchtlings",
            "caravanas migrantes, tercer país seguro",
            "https://example.org/news/2018/10/caravan?id=7",
            "",
            "  ...  ",
            long.as_str(),
            "Uchodźcy 1987 NATO",
            "ÀÉÜ Straße ǅemal e\u{301}tude İstanbul ΟΔΟΣ 東京 ٣٤ x²y ½ Ⅻ naïve's",
            long_ascii.as_str(),
            long_other.as_str(),
        ];
        let tags = [None, Some("de"), Some("es"), Some("pl")];
        let mut checked = 0;
        for round in 0..3 {
            for (i, text) in texts.iter().enumerate() {
                let tag = tags[(i + round) % tags.len()];
                let other = tags[(i + round + 1) % tags.len()];
                assert_eq!(collect(plain(text)), want_plain(text), "{text}");
                assert_eq!(collect(stemmed(tag, text)), want_stemmed(tag, text));
                // Two streams alive at once, the second in another language.
                let first = stemmed(tag, text);
                let second = stemmed(other, text);
                assert_eq!(collect(second), want_stemmed(other, text));
                assert_eq!(collect(first), want_stemmed(tag, text), "{text} {tag:?}");
                assert_eq!(collect(plain(text)), want_plain(text));
                checked += 1;
            }
        }
        assert_eq!(checked, 33);
        assert_eq!(
            collect(stemmed(Some("de"), "Flüchtlinge"))[0].0,
            "de:fluchtling"
        );
    }

    /// Every file of the sample corpus (English, German, Spanish, French; HTML, XML, JSON,
    /// mail), read as text: the plain tokens are the plain analyzer's.
    #[test]
    fn the_same_plain_tokens_over_the_sample_corpus() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_corpus");
        let mut tokens = 0;
        for entry in walkdir::WalkDir::new(root).into_iter().flatten() {
            let Ok(text) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            let want = want_plain(&text);
            tokens += want.len();
            assert_eq!(collect(plain(&text)), want, "{}", entry.path().display());
        }
        assert!(tokens > 20_000, "only {tokens} tokens");
    }
}
