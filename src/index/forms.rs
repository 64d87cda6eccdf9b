//! The forms of every stemmed word: how one positional field answers stemmed searches.
//!
//! An article's words are indexed once, as written (lower-cased and folded: the `exact` field,
//! the title `title_weight` times and then the body, with positions). A stemmed search word
//! (`text:price`, what "prices" means to ranking) is answered from the union of the postings of
//! its forms (`price`, `prices`, `priced`, `pricing`), scored as one term
//! ([`crate::search::forms`]): the same documents, frequencies, positions and BM25 scores a
//! second positional field of stems gave, for half the indexing work.
//!
//! What a stem's forms are is written at index time, beside the commit, in [`FORMS_FILE`]: a set
//! of `term \0 form` keys (an FST), `term` being the `text` term as the `news` analyzer makes it
//! (`price`, `de:fluchtling`). The indexing threads hand every new (analysis, form) they meet to
//! a [`FormsSink`] ([`FormsTokenizer`], the `exact` field's tokenizer when writing); each commit
//! stems what it met ([`stem_met`]) and merges it into the file ([`save`]) before tantivy's commit
//! makes the documents visible. The file only grows: a form whose articles were deleted stays,
//! and matches nothing. A language without a stemmer needs no entries: its term's only form is
//! the word itself.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::tokenizer::Tokenizer;
use tantivy_fst::{Automaton, IntoStreamer, Map, MapBuilder, Streamer};

use crate::error::{Error, Result};
use tantivy::Index;

use crate::index::analysis::{
    TAG_SEP, analysis_of, split_marker, stemmer_language, tag_of, word_of,
};
use crate::index::shared_tokens::{self, SharedStream};
use crate::index::stem_cache::StemMemory;
use crate::ingest::short_words::{ShortKey, ShortWords};

/// The file beside `meta.json` that holds the forms of every stem.
pub const FORMS_FILE: &str = "newsdex-forms.fst";

/// Separates a term from one of its forms in a key. No token holds it.
const SEP: u8 = 0;

/// Most short words one tokenizer remembers having met before it starts over (a word met again
/// after that is handed to the sink again: harmless, the commit removes duplicates).
const MAX_SEEN: usize = 1 << 18;

/// A word form in a text of one analysis (`None`: English).
pub type Met = (Option<Box<str>>, Box<str>);

/// The keys (`term \0 form`) of the forms the indexing threads met since the last commit.
#[derive(Default)]
pub struct FormsSink {
    met: Mutex<FxHashSet<Vec<u8>>>,
}

impl FormsSink {
    fn add(&self, key: Vec<u8>) {
        self.met
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key);
    }

    /// What was met since the last call, sorted (the keys [`save`] takes).
    pub fn take(&self) -> Vec<Vec<u8>> {
        let met = std::mem::take(&mut *self.met.lock().unwrap_or_else(|e| e.into_inner()));
        let mut keys: Vec<Vec<u8>> = met.into_iter().collect();
        keys.par_sort_unstable();
        keys
    }
}

/// The words one tokenizer has handed to the sink, for one analysis.
struct Seen {
    tag: Option<Box<str>>,
    /// The analysis has a stemmer (else its words need no keys).
    stemmed: bool,
    short: ShortWords<()>,
    /// The short word last met in each of [`RECENT`] buckets: most tokens are frequent words,
    /// found here without probing the larger table (whose slots miss the caches).
    recent: Box<[ShortKey]>,
    long: FxHashSet<Box<str>>,
}

/// Buckets of [`Seen::recent`] (as bits of a word's hash): 64 KB.
const RECENT_BITS: u32 = 12;

impl Seen {
    fn new(tag: Option<&str>) -> Seen {
        Seen {
            tag: tag.map(Box::from),
            stemmed: stemmer_language(tag).is_some(),
            short: ShortWords::new(MAX_SEEN, ()),
            recent: vec![ShortKey::NONE; 1 << RECENT_BITS].into_boxed_slice(),
            long: FxHashSet::default(),
        }
    }

    /// Whether `word` is met for the first time (it is remembered then).
    #[inline]
    fn first(&mut self, word: &str) -> bool {
        match ShortKey::new(word) {
            Some(key) => {
                let bucket = key.slot(RECENT_BITS);
                if self.recent[bucket] == key {
                    return false;
                }
                // Every word in `recent` was handed to the sink before.
                self.recent[bucket] = key;
                if self.short.get(key).is_some() {
                    return false;
                }
                self.short.insert(key, ());
                true
            }
            None => !self.long.contains(word) && self.long.insert(Box::from(word)),
        }
    }
}

/// The tokenizer of the `exact` field: the plain tokens of the text, its language marker
/// ([`crate::index::analysis::marked`]) read and left out. When writing, it stems every word it
/// has not met before in the text's analysis (with the indexing thread's stem memory, as the
/// `news` analyzer stems it) and hands the key to a [`FormsSink`]. tantivy clones it for each
/// segment it writes; each clone starts with an empty memory.
#[derive(Default)]
pub struct FormsTokenizer {
    sink: Option<Arc<FormsSink>>,
    /// Per analysis met.
    seen: Vec<Seen>,
}

impl FormsTokenizer {
    pub fn recording(sink: Arc<FormsSink>) -> FormsTokenizer {
        FormsTokenizer {
            sink: Some(sink),
            seen: Vec::new(),
        }
    }

    fn record(&mut self, tag: Option<&str>, stream: &SharedStream) {
        let Some(sink) = &self.sink else {
            return;
        };
        let i = match self.seen.iter().position(|s| s.tag.as_deref() == tag) {
            Some(i) => i,
            None => {
                self.seen.push(Seen::new(tag));
                self.seen.len() - 1
            }
        };
        let seen = &mut self.seen[i];
        // A language without a stemmer needs no forms (see the module's documentation).
        if !seen.stemmed {
            return;
        }
        shared_tokens::each_word(stream, |word| {
            if seen.first(word) {
                sink.add(shared_tokens::with_stem(tag, word, |stem| {
                    key(tag, stem, word)
                }));
            }
        });
    }
}

impl Clone for FormsTokenizer {
    fn clone(&self) -> FormsTokenizer {
        FormsTokenizer {
            sink: self.sink.clone(),
            seen: Vec::new(),
        }
    }
}

impl Tokenizer for FormsTokenizer {
    type TokenStream<'a> = SharedStream;

    fn token_stream<'a>(&'a mut self, value: &'a str) -> SharedStream {
        let (tag, text) = split_marker(value);
        let stream = shared_tokens::plain(text);
        self.record(tag, &stream);
        stream
    }
}

/// Keys for every form the index holds, stemmed in every analysis the index holds: a superset
/// of what indexing met (a form is listed under a stem of each language; searching reads only
/// the articles of the stem's own language), which repairs a missing or damaged forms file
/// without reading the archive again.
pub fn from_index(index: &Index) -> Result<Vec<Vec<u8>>> {
    let searcher = index.reader()?.searcher();
    let exact = index.schema().get_field("exact")?;
    let tags = analyses(index, &searcher)?;
    let mut met = Vec::new();
    for seg in searcher.segment_readers() {
        let words = seg.inverted_index(exact)?;
        let mut stream = words.terms().stream()?;
        while stream.advance() {
            if let Ok(form) = std::str::from_utf8(stream.key()) {
                met.extend(tags.iter().map(|t| (t.clone(), Box::from(form))));
            }
        }
    }
    Ok(stem_met(met))
}

/// The analyses of the articles of an index: English (`None`, also every language without a
/// tag) first, then each language tag its `language` field holds.
pub fn analyses(index: &Index, searcher: &tantivy::Searcher) -> Result<Vec<Option<Box<str>>>> {
    let language = index.schema().get_field("language")?;
    let mut tags: Vec<Option<Box<str>>> = vec![None];
    for seg in searcher.segment_readers() {
        let languages = seg.inverted_index(language)?;
        let mut stream = languages.terms().stream()?;
        while stream.advance() {
            let tag = std::str::from_utf8(stream.key())
                .ok()
                .and_then(|l| analysis_of(Some(l)))
                .map(Box::from);
            if tag.is_some() && !tags.contains(&tag) {
                tags.push(tag);
            }
        }
    }
    Ok(tags)
}

/// Whether the index at `dir` has articles but no whole forms file (deleted, cut short,
/// damaged): [`from_index`] rebuilds it.
pub fn needs_repair(dir: &Path, index: &Index) -> Result<bool> {
    // From meta.json's segment list: opening a reader maps every segment.
    let articles: u64 = index
        .searchable_segment_metas()?
        .iter()
        .map(|m| u64::from(m.num_docs()))
        .sum();
    if articles == 0 {
        return Ok(false);
    }
    match FormsMap::open(dir) {
        Ok(_) if dir.join(FORMS_FILE).is_file() => Ok(false),
        Ok(_) | Err(Error::Corrupt { .. }) => Ok(true),
        Err(e) => Err(e),
    }
}

/// The keys (`term \0 form`) of the pairs `met`, sorted and without duplicates: each form
/// stemmed in its analysis as the `news` analyzer stems it.
pub fn stem_met(met: Vec<Met>) -> Vec<Vec<u8>> {
    let mut by_tag: FxHashMap<Option<Box<str>>, Vec<Box<str>>> = FxHashMap::default();
    for (tag, form) in met {
        by_tag.entry(tag).or_default().push(form);
    }
    let mut keys: Vec<Vec<u8>> = by_tag
        .into_par_iter()
        .flat_map(|(tag, mut forms)| {
            forms.sort_unstable();
            forms.dedup();
            let Some(language) = stemmer_language(tag.as_deref()) else {
                return Vec::new();
            };
            forms
                .par_chunks(4096)
                .flat_map_iter(|chunk| {
                    let mut stems = StemMemory::new(language);
                    let tag = tag.as_deref();
                    chunk
                        .iter()
                        .map(|form| stems.with_stem(form, |stem| key(tag, stem, form)))
                        .collect::<Vec<_>>()
                })
                .collect()
        })
        .collect();
    keys.par_sort_unstable();
    keys.dedup();
    keys
}

/// The key of `form` under `stem` in the analysis `tag`: the `text` term (`de:fluchtling`, as
/// [`crate::index::analysis::tagged`] spells it), [`SEP`], the form.
fn key(tag: Option<&str>, stem: &str, form: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(4 + stem.len() + form.len());
    if let Some(t) = tag {
        k.extend_from_slice(t.as_bytes());
        k.push(TAG_SEP as u8);
    }
    k.extend_from_slice(stem.as_bytes());
    k.push(SEP);
    k.extend_from_slice(form.as_bytes());
    k
}

/// Writes the index's forms file: `old` (the file as it was, [`FormsMap::open`], or what
/// replaces it) with `keys` (sorted, from [`stem_met`]) merged in, beside it, synced, then
/// renamed over it, so the file is always whole. Nothing is written when `old` is the file and
/// holds every key already.
pub fn save(dir: &Path, old: &FormsMap, keys: &[Vec<u8>]) -> Result<()> {
    if old.from_file && keys.iter().all(|k| old.map.contains_key(k)) {
        return Ok(());
    }
    let tmp = dir.join(format!("{FORMS_FILE}.tmp"));
    let mut builder = MapBuilder::memory();
    let mut stream = old.map.stream();
    let mut new = keys.iter().peekable();
    let fst_err = |e: tantivy_fst::Error| Error::io(&tmp, std::io::Error::other(e));
    while let Some((k, _)) = stream.next() {
        while let Some(n) = new.next_if(|n| n.as_slice() < k) {
            builder.insert(n, 0).map_err(fst_err)?;
        }
        new.next_if(|n| n.as_slice() == k);
        builder.insert(k, 0).map_err(fst_err)?;
    }
    for n in new {
        builder.insert(n, 0).map_err(fst_err)?;
    }
    let mut bytes = builder.into_inner().map_err(fst_err)?;
    let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
    bytes.extend_from_slice(&hash.to_le_bytes());
    bytes.extend_from_slice(MAGIC);
    let mut file = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    file.write_all(&bytes).map_err(|e| Error::io(&tmp, e))?;
    file.sync_all().map_err(|e| Error::io(&tmp, e))?;
    drop(file);
    let path = dir.join(FORMS_FILE);
    std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))?;
    if let Ok(d) = std::fs::File::open(dir) {
        // Makes the rename itself durable; a filesystem that cannot sync a folder still has it.
        let _ = d.sync_all();
    }
    Ok(())
}

/// The distinct terms of the keys `stream` gives, while `more` holds for them.
fn distinct_terms<S>(mut stream: S, max: usize, more: impl Fn(&[u8]) -> bool) -> Vec<String>
where
    S: for<'a> Streamer<'a, Item = (&'a [u8], u64)>,
{
    let mut out: Vec<String> = Vec::new();
    while out.len() < max
        && let Some((k, _)) = stream.next()
    {
        let term = k.split(|&b| b == SEP).next().unwrap_or(k);
        if !more(term) {
            break;
        }
        if out.last().is_some_and(|l| l.as_bytes() == term) {
            continue;
        }
        if let Ok(t) = std::str::from_utf8(term) {
            out.push(t.to_string());
        }
    }
    out
}

/// An automaton over terms run over keys: a key matches when its term does (whatever forms
/// follow the separator).
struct ThenForms<A>(A);

#[derive(Clone)]
enum Then<S> {
    Term(S),
    Forms,
    Dead,
}

impl<A: Automaton> Automaton for ThenForms<A>
where
    A::State: Clone,
{
    type State = Then<A::State>;

    fn start(&self) -> Self::State {
        Then::Term(self.0.start())
    }

    fn is_match(&self, state: &Self::State) -> bool {
        matches!(state, Then::Forms)
    }

    fn can_match(&self, state: &Self::State) -> bool {
        match state {
            Then::Term(s) => self.0.can_match(s),
            Then::Forms => true,
            Then::Dead => false,
        }
    }

    fn accept(&self, state: &Self::State, byte: u8) -> Self::State {
        match state {
            Then::Term(s) if byte == SEP => match self.0.is_match(s) {
                true => Then::Forms,
                false => Then::Dead,
            },
            Then::Term(s) => Then::Term(self.0.accept(s, byte)),
            Then::Forms => Then::Forms,
            Then::Dead => Then::Dead,
        }
    }
}

/// The end of a forms file: the FST's bytes are followed by their xxh3 hash (8 bytes, little
/// endian) and this.
const MAGIC: &[u8; 8] = b"nxforms1";
const TRAILER: usize = 16;

/// The FST of a forms file: mapped from disk (without the trailer), or built in memory.
enum Bytes {
    Mapped(memmap2::Mmap),
    Memory(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => &m[..m.len() - TRAILER],
            Bytes::Memory(v) => v,
        }
    }
}

/// Whether `file` (a whole forms file) ends with the trailer and the hash of what precedes it.
fn is_whole(file: &[u8]) -> bool {
    let Some(fst_len) = file.len().checked_sub(TRAILER) else {
        return false;
    };
    let (fst, trailer) = file.split_at(fst_len);
    let hash = xxhash_rust::xxh3::xxh3_64(fst).to_le_bytes();
    trailer[..8] == hash && &trailer[8..] == MAGIC
}

/// The forms of every stem of an index (see the module's documentation).
pub struct FormsMap {
    map: Map<Bytes>,
    /// Read from the index's file (not built in memory).
    from_file: bool,
}

impl FormsMap {
    /// The index's forms file; an index without one (nothing indexed yet) has no forms.
    /// Its checksum is verified (for `newsdex check` and the indexer).
    pub fn open(dir: &Path) -> Result<FormsMap> {
        FormsMap::open_checking(dir, true)
    }

    /// [`FormsMap::open`] for searching: the checksum is verified only when the file was changed
    /// after the commit that wrote it (its time is later than `meta.json`'s), as segment files
    /// are ([`crate::index::open`]). The indexer writes the file before each commit, so a file it
    /// wrote is only checked for its trailer, and opening it costs nothing however large the
    /// archive's vocabulary; damage by anything else changes the file's time.
    pub fn open_for_search(dir: &Path) -> Result<FormsMap> {
        let modified = std::fs::metadata(dir.join(FORMS_FILE)).and_then(|m| m.modified());
        let changed = match (modified, crate::index::open::commit_time(dir)) {
            (Ok(forms), Some(commit)) => forms > commit,
            _ => true,
        };
        FormsMap::open_checking(dir, changed)
    }

    fn open_checking(dir: &Path, verify: bool) -> Result<FormsMap> {
        let path = dir.join(FORMS_FILE);
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(FormsMap::from_keys(&[]));
            }
            Err(e) => return Err(Error::io(&path, e)),
        };
        // SAFETY: the file is never written in place (see `save`): a new one is renamed over it.
        let mapped = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io(&path, e))?;
        let damaged = |what: String| Error::Corrupt {
            path: dir.to_path_buf(),
            detail: format!("{FORMS_FILE} (the forms of its stems) {what}"),
        };
        let whole = match verify {
            true => is_whole(&mapped),
            false => mapped.len() >= TRAILER && mapped.ends_with(MAGIC),
        };
        if !whole {
            return Err(damaged("was cut short or changed".to_string()));
        }
        let fst = tantivy_fst::raw::Fst::new(Bytes::Mapped(mapped))
            .map_err(|e| damaged(format!("cannot be read: {e}")))?;
        Ok(FormsMap {
            map: Map::from(fst),
            from_file: true,
        })
    }

    /// A map of `keys` (sorted, from [`stem_met`]), held in memory.
    pub fn from_keys(keys: &[Vec<u8>]) -> FormsMap {
        let mut b = MapBuilder::memory();
        for k in keys {
            b.insert(k, 0).expect("sorted, distinct keys");
        }
        let bytes = b.into_inner().expect("an in-memory map");
        let fst = tantivy_fst::raw::Fst::new(Bytes::Memory(bytes)).expect("a map just built");
        FormsMap {
            map: Map::from(fst),
            from_file: false,
        }
    }

    /// The forms of `term` (a `text` term: `price`, `de:fluchtling`), as `exact` terms, in
    /// byte order; a language without a stemmer has only the word itself.
    pub fn forms(&self, term: &str) -> Vec<String> {
        if stemmer_language(tag_of(term)).is_none() {
            return vec![word_of(term).to_string()];
        }
        let mut from = term.as_bytes().to_vec();
        from.push(SEP);
        let mut to = term.as_bytes().to_vec();
        to.push(SEP + 1);
        let mut out = Vec::new();
        let mut stream = self.map.range().ge(&from).lt(&to).into_stream();
        while let Some((k, _)) = stream.next() {
            if let Ok(form) = std::str::from_utf8(&k[from.len()..]) {
                out.push(form.to_string());
            }
        }
        out
    }

    /// The terms (stems) that begin with `prefix`, in byte order, at most `max`.
    pub fn terms_beginning(&self, prefix: &str, max: usize) -> Vec<String> {
        let stream = self.map.range().ge(prefix.as_bytes()).into_stream();
        distinct_terms(stream, max, |t| t.starts_with(prefix.as_bytes()))
    }

    /// The terms (stems) that `automaton` accepts, in byte order, at most `max`.
    pub fn terms_matching<A: Automaton>(&self, automaton: A, max: usize) -> Vec<String>
    where
        A::State: Clone,
    {
        let stream = self.map.search(ThenForms(automaton)).into_stream();
        distinct_terms(stream, max, |_| true)
    }

    /// Whether `form` is listed under `stem` in the analysis `tag`.
    pub fn holds(&self, tag: Option<&str>, stem: &str, form: &str) -> bool {
        self.map.contains_key(key(tag, stem, form))
    }

    /// How many `term \0 form` keys the map holds.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::TokenStream;

    fn tokens(t: &mut FormsTokenizer, value: &str) -> Vec<String> {
        let mut s = t.token_stream(value);
        let mut out = Vec::new();
        while s.advance() {
            out.push(s.token().text.clone());
        }
        out
    }

    #[test]
    fn the_tokenizer_reads_past_the_marker_and_meets_each_form_once() {
        let sink = Arc::new(FormsSink::default());
        let mut t = FormsTokenizer::recording(sink.clone());
        assert_eq!(
            tokens(&mut t, "Prices rose; prices fell"),
            ["prices", "rose", "prices", "fell"]
        );
        assert_eq!(
            tokens(&mut t, "de\u{1}Die Flüchtlinge"),
            ["die", "fluchtlinge"]
        );
        // Unstemmed languages need no keys.
        assert_eq!(tokens(&mut t, "xx\u{1}Mots"), ["mots"]);
        let met: Vec<String> = sink
            .take()
            .into_iter()
            .map(|k| String::from_utf8(k).unwrap().replace('\0', "|"))
            .collect();
        assert_eq!(
            met,
            [
                "de:die|die",
                "de:fluchtling|fluchtlinge",
                "fell|fell",
                "price|prices",
                "rose|rose"
            ]
        );
        assert!(sink.take().is_empty());
    }

    /// A search verifies the checksum of a forms file changed after the commit (later than
    /// `meta.json`), and only its trailer otherwise; `open` always verifies it.
    #[test]
    fn searching_verifies_a_forms_file_changed_after_the_commit() {
        let dir = tempfile::tempdir().unwrap();
        let keys = stem_met(vec![(None, "prices".into()), (None, "harbour".into())]);
        save(dir.path(), &FormsMap::from_keys(&[]), &keys).unwrap();
        let forms = dir.path().join(FORMS_FILE);
        let meta = dir.path().join("meta.json");
        std::fs::write(&meta, "{}").unwrap();
        let at = |p: &Path, secs: u64| {
            let t = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs);
            std::fs::File::options()
                .write(true)
                .open(p)
                .unwrap()
                .set_modified(t)
                .unwrap();
        };
        at(&meta, 2_000_000_000);
        at(&forms, 1_999_999_999);
        assert_eq!(FormsMap::open_for_search(dir.path()).unwrap().len(), 2);
        // Damage that keeps the file's time is left to `check`; damage that changes it is found.
        let mut b = std::fs::read(&forms).unwrap();
        let middle = b.len() / 2;
        b[middle] ^= 0xff;
        std::fs::write(&forms, &b).unwrap();
        at(&forms, 2_000_000_001);
        assert!(matches!(
            FormsMap::open(dir.path()),
            Err(Error::Corrupt { .. })
        ));
        assert!(matches!(
            FormsMap::open_for_search(dir.path()),
            Err(Error::Corrupt { .. })
        ));
        at(&forms, 1_999_999_999);
        assert!(FormsMap::open_for_search(dir.path()).is_ok());
        // A cut file loses its trailer.
        std::fs::write(&forms, &b[..b.len() - 1]).unwrap();
        at(&forms, 1_999_999_999);
        assert!(FormsMap::open_for_search(dir.path()).is_err());
    }

    #[test]
    fn stems_map_to_their_forms_per_language() {
        let met = vec![
            (None, "prices".into()),
            (None, "priced".into()),
            (None, "price".into()),
            (None, "prices".into()),
            (Some("de".into()), "fluchtlinge".into()),
            (Some("de".into()), "prices".into()),
            // No stemmer: no entry, the word is its own form.
            (Some("xx".into()), "mots".into()),
        ];
        let keys = stem_met(met);
        let dir = tempfile::tempdir().unwrap();
        save(dir.path(), &FormsMap::open(dir.path()).unwrap(), &keys[..2]).unwrap();
        save(dir.path(), &FormsMap::open(dir.path()).unwrap(), &keys).unwrap();
        let map = FormsMap::open(dir.path()).unwrap();
        assert_eq!(map.forms("price"), ["price", "priced", "prices"]);
        assert_eq!(map.forms("de:fluchtling"), ["fluchtlinge"]);
        assert_eq!(map.forms("de:pric"), ["prices"]);
        assert_eq!(map.forms("xx:mots"), ["mots"]);
        assert!(map.forms("pric").is_empty());
        assert_eq!(map.len(), 5);
        assert_eq!(map.terms_beginning("pr", 10), ["price"]);
        assert_eq!(map.terms_beginning("", 2), ["de:fluchtling", "de:pric"]);
        let regex = tantivy_fst::Regex::new("pri.e|de:.*").unwrap();
        assert_eq!(
            map.terms_matching(regex, 10),
            ["de:fluchtling", "de:pric", "price"]
        );
        let empty = tempfile::tempdir().unwrap();
        assert!(FormsMap::open(empty.path()).unwrap().is_empty());
    }
}
