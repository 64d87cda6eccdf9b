//! An article's language: the one its file declares, normalised to ISO 639-1, or else the one its
//! text is in.
//!
//! A declared language (a `Language:` header, a record's `language` key, `<html lang>`, a feed's
//! `<language>`, NITF's `xml:lang`) wins when it can be read as a language (`en-US`, `EN`, `eng`,
//! `German`, `español` all can); the article's `language_source` is then `declared`. Otherwise
//! the text decides (`detected`), in two steps:
//!
//! 1. **Stop-word vote** over the first [`VOTE_WORDS`] words of headline and body (words of two
//!    letters or more): each distinct word votes once for every language whose stop-word list
//!    holds it (newsdex's English list
//!    and the 12 lists tantivy ships; a word's languages are looked up once per thread and
//!    remembered). A language wins with at least [`MIN_VOTES`] votes, one per [`MIN_SHARE`]
//!    of the words and [`MIN_LEAD`] times the runner-up's votes. Function words are what tells languages apart
//!    in a few words, and this costs one hash lookup per word.
//! 2. **whatlang** (character trigram profiles), limited to the 18 languages newsdex stems, only
//!    where the vote could not decide: prose of at least [`MIN_PROSE_WORDS`] words, or a
//!    non-Latin script (Greek, Arabic, Tamil have no stop-word list). A text is prose when at
//!    most a fifth of its tokens hold digits and either at least [`MIN_PROSE_STOP_SHARE`] of its
//!    words are function words of some language or three in five words start in lower case
//!    (Romanian, Turkish: languages without a list): earnings tables ("Shr 1.05 dlrs vs 87
//!    cts") and lists of names are not, and trigram models call them French or Danish at random.
//!
//! Texts under [`MIN_WORDS`] words are never given a language (a headline-only brief, a
//! caption): a few words are too few to tell.

use std::cell::RefCell;

use rustc_hash::FxHashMap;
use serde::Serialize;
use tantivy::tokenizer::Language;
use whatlang::Lang;

use crate::ingest::article::Article;
use crate::ingest::short_words::{ShortKey, ShortWords};
use crate::ingest::stopwords::{VOTERS, stop_word_languages};

/// Words of an article the stop-word vote reads.
pub const VOTE_WORDS: usize = 40;
/// Fewer words than this: no language.
pub const MIN_WORDS: usize = 8;
/// Share of the words read that the winning language's distinct stop words must make up.
pub const MIN_SHARE: f32 = 0.1;
/// Distinct stop words the winning language needs at least.
pub const MIN_VOTES: u16 = 2;
/// How many times the runner-up's votes the winner needs.
pub const MIN_LEAD: f32 = 2.5;
/// Words of prose below which whatlang is not asked (a Latin-script text the vote left open).
pub const MIN_PROSE_WORDS: usize = 20;
/// Share of a text's words that must be function words of some language for it to be prose.
pub const MIN_PROSE_STOP_SHARE: f32 = 0.2;
/// Bytes of text whatlang reads.
const WHATLANG_BYTES: usize = 400;

/// Where an article's `language` came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LanguageSource {
    /// The file or record said so.
    Declared,
    /// Read from the text.
    Detected,
}

impl LanguageSource {
    pub fn as_str(self) -> &'static str {
        match self {
            LanguageSource::Declared => "declared",
            LanguageSource::Detected => "detected",
        }
    }
}

/// A language newsdex stems: its ISO 639-1 code, tantivy's Snowball stemmer, whatlang's name for
/// it, its ISO 639-2 codes and names (English and its own) a file may declare it by.
pub struct Stemmed {
    pub code: &'static str,
    pub snowball: Language,
    whatlang: Lang,
    aliases: &'static [&'static str],
}

/// The 18 languages tantivy ships a Snowball stemmer for.
pub const STEMMED: [Stemmed; 18] = [
    lang(
        "ar",
        Language::Arabic,
        Lang::Ara,
        &["ara", "arabic", "العربية"],
    ),
    lang(
        "da",
        Language::Danish,
        Lang::Dan,
        &["dan", "danish", "dansk"],
    ),
    lang(
        "nl",
        Language::Dutch,
        Lang::Nld,
        &["nld", "dut", "dutch", "nederlands", "flemish"],
    ),
    lang("en", Language::English, Lang::Eng, &["eng", "english"]),
    lang(
        "fi",
        Language::Finnish,
        Lang::Fin,
        &["fin", "finnish", "suomi"],
    ),
    lang(
        "fr",
        Language::French,
        Lang::Fra,
        &["fra", "fre", "french", "français", "francais"],
    ),
    lang(
        "de",
        Language::German,
        Lang::Deu,
        &["deu", "ger", "german", "deutsch"],
    ),
    lang(
        "el",
        Language::Greek,
        Lang::Ell,
        &["ell", "gre", "greek", "ελληνικά"],
    ),
    lang(
        "hu",
        Language::Hungarian,
        Lang::Hun,
        &["hun", "hungarian", "magyar"],
    ),
    lang(
        "it",
        Language::Italian,
        Lang::Ita,
        &["ita", "italian", "italiano"],
    ),
    lang(
        "no",
        Language::Norwegian,
        Lang::Nob,
        &[
            "nb",
            "nn",
            "nor",
            "nob",
            "nno",
            "norwegian",
            "norsk",
            "bokmål",
            "bokmal",
            "nynorsk",
        ],
    ),
    lang(
        "pt",
        Language::Portuguese,
        Lang::Por,
        &["por", "portuguese", "português", "portugues"],
    ),
    lang(
        "ro",
        Language::Romanian,
        Lang::Ron,
        &["ron", "rum", "mo", "romanian", "română", "romana"],
    ),
    lang(
        "ru",
        Language::Russian,
        Lang::Rus,
        &["rus", "russian", "русский"],
    ),
    lang(
        "es",
        Language::Spanish,
        Lang::Spa,
        &["spa", "spanish", "español", "espanol", "castellano"],
    ),
    lang(
        "sv",
        Language::Swedish,
        Lang::Swe,
        &["swe", "swedish", "svenska"],
    ),
    lang("ta", Language::Tamil, Lang::Tam, &["tam", "tamil", "தமிழ்"]),
    lang(
        "tr",
        Language::Turkish,
        Lang::Tur,
        &["tur", "turkish", "türkçe", "turkce"],
    ),
];

const fn lang(
    code: &'static str,
    snowball: Language,
    whatlang: Lang,
    aliases: &'static [&'static str],
) -> Stemmed {
    Stemmed {
        code,
        snowball,
        whatlang,
        aliases,
    }
}

/// The Snowball stemmer for an ISO 639-1 code (as [`normalize_declared`] gives it).
pub fn snowball(code: &str) -> Option<Language> {
    STEMMED.iter().find(|s| s.code == code).map(|s| s.snowball)
}

/// Sets `language` and `language_source`: the declared language when it reads as one, else the
/// detected one, else none.
pub fn resolve(a: &mut Article) {
    if let Some(code) = a.language.as_deref().and_then(normalize_declared) {
        a.language = Some(code);
        a.language_source = Some(LanguageSource::Declared);
        return;
    }
    a.language = detect(&a.title, &a.body).map(String::from);
    a.language_source = a.language.as_ref().map(|_| LanguageSource::Detected);
}

/// A declared language as an ISO 639-1 code: `en-US` → `en`, `DE_at` → `de`, `eng` → `en`,
/// `Deutsch` → `de`. Any other two-letter code is taken as it is; an unknown three-letter code
/// (a language without a two-letter one) too. `None` for what is no language (`und`, `mul`,
/// `zxx`, `x`, `12`).
pub fn normalize_declared(tag: &str) -> Option<String> {
    let primary = tag
        .trim()
        .split(['-', '_', ';', ','])
        .next()?
        .trim()
        .to_lowercase();
    if let Some(s) = STEMMED
        .iter()
        .find(|s| s.code == primary || s.aliases.contains(&primary.as_str()))
    {
        return Some(s.code.to_string());
    }
    let ascii_letters = primary.bytes().all(|b| b.is_ascii_lowercase());
    match primary.len() {
        2 if ascii_letters => Some(primary),
        3 if ascii_letters && !matches!(primary.as_str(), "und" | "mul" | "zxx" | "mis") => {
            Some(primary)
        }
        _ => None,
    }
}

/// The language of a text, by the stop-word vote, else whatlang where the text is prose or in a
/// non-Latin script; `None` when it cannot be told.
pub fn detect(title: &str, body: &str) -> Option<&'static str> {
    let sample = Sample::read(title, body);
    if sample.words < MIN_WORDS {
        return None;
    }
    if let Some(code) = sample.vote() {
        return Some(code);
    }
    let latin = sample.letters_latin * 2 >= sample.letters;
    let prose = sample.words >= MIN_PROSE_WORDS
        && sample.digit_tokens * 5 <= sample.words + sample.digit_tokens
        && (sample.any_stop as f32 >= MIN_PROSE_STOP_SHARE * sample.words as f32
            || sample.lower_initial * 5 >= sample.words * 3);
    if latin && !prose {
        return None;
    }
    let text = head(title, body, WHATLANG_BYTES);
    let info = detector().detect(&text)?;
    let code = STEMMED
        .iter()
        .find(|s| s.whatlang == info.lang())
        .map(|s| s.code)?;
    sample.agrees_with(code).then_some(code)
}

fn detector() -> &'static whatlang::Detector {
    static DETECTOR: std::sync::OnceLock<whatlang::Detector> = std::sync::OnceLock::new();
    DETECTOR.get_or_init(|| {
        whatlang::Detector::with_allowlist(STEMMED.iter().map(|s| s.whatlang).collect())
    })
}

/// The headline and the start of the body, at most about `max` bytes, cut at a character.
fn head(title: &str, body: &str, max: usize) -> String {
    let mut out = String::with_capacity(max + 4);
    for part in [title, body] {
        if out.len() >= max {
            break;
        }
        let mut end = (max - out.len()).min(part.len());
        while !part.is_char_boundary(end) {
            end -= 1;
        }
        out.push_str(&part[..end]);
        out.push_str(". ");
    }
    out
}

/// What the vote reads from the first words of a text.
struct Sample {
    /// Words read (at most [`VOTE_WORDS`]).
    words: usize,
    /// Tokens read that hold a digit.
    digit_tokens: usize,
    /// Words that are a stop word of some language.
    any_stop: usize,
    /// Words that start with a lower-case letter.
    lower_initial: usize,
    /// Votes per language of [`VOTERS`].
    votes: [u16; VOTERS.len()],
    letters: usize,
    letters_latin: usize,
}

impl Sample {
    fn read(title: &str, body: &str) -> Sample {
        let mut s = Sample {
            words: 0,
            digit_tokens: 0,
            any_stop: 0,
            lower_initial: 0,
            votes: [0; VOTERS.len()],
            letters: 0,
            letters_latin: 0,
        };
        let mut word = String::new();
        // Each distinct word votes once: a table repeats its few words ("end", "nil").
        // Ids of the stop words that have voted (compared as numbers, not as strings).
        let mut voted: Vec<u32> = Vec::new();
        MEMO.with(|memo| {
            let mut memo = memo.borrow_mut();
            'text: for part in [title, body] {
                for token in part.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
                {
                    let token = token.trim_matches(|c| c == '\'' || c == '’');
                    if token.is_empty() {
                        continue;
                    }
                    if !s.take_word(token, &mut word) {
                        continue;
                    }
                    let (mask, id) = memo.languages(&word);
                    s.words += 1;
                    if mask != 0 {
                        s.any_stop += 1;
                        if !voted.contains(&id) {
                            voted.push(id);
                            for (i, v) in s.votes.iter_mut().enumerate() {
                                *v += mask >> i & 1;
                            }
                        }
                    }
                    if s.words == VOTE_WORDS {
                        break 'text;
                    }
                }
            }
        });
        s
    }

    /// Counts a token of the vote's sample and puts its lower-case form (straight apostrophes) in
    /// `word`; false for a token that is not a word (a number, a single letter). ASCII tokens,
    /// most of them, take a byte-wise path with the same result.
    fn take_word(&mut self, token: &str, word: &mut String) -> bool {
        if token.is_ascii() {
            if token.bytes().any(|b| b.is_ascii_digit()) {
                self.digit_tokens += 1;
                return false;
            }
            if token.len() < 2 {
                return false;
            }
            self.lower_initial += usize::from(token.as_bytes()[0].is_ascii_lowercase());
            self.letters += token.len();
            self.letters_latin += token.len();
            word.clear();
            word.push_str(token);
            word.make_ascii_lowercase();
            return true;
        }
        self.take_any_word(token, word)
    }

    /// [`Sample::take_word`] for any token.
    fn take_any_word(&mut self, token: &str, word: &mut String) -> bool {
        if token.chars().any(|c| c.is_numeric()) {
            self.digit_tokens += 1;
            return false;
        }
        // One letter is an initial or an abbreviation as often as a word (N.Y., U.S., "o" and
        // "y" are stop words in Spanish): it does not count.
        if token.chars().nth(1).is_none() {
            return false;
        }
        word.clear();
        if token.starts_with(char::is_lowercase) {
            self.lower_initial += 1;
        }
        for c in token.chars() {
            self.letters += 1;
            if c.is_ascii() || ('\u{c0}'..='\u{24f}').contains(&c) {
                self.letters_latin += 1;
            }
            if c == '’' {
                word.push('\'');
            } else {
                word.extend(c.to_lowercase());
            }
        }
        true
    }

    /// False when the stop words speak against `code`: another language leads the vote and
    /// `code` has no more than half its votes. Letter trigrams can be swayed on short prose by a few
    /// words of another language (an English abstract on "Gilles de la Tourette syndrome" reads
    /// as French to them), function words much less. A language without a stop-word list cannot
    /// be checked and is believed.
    fn agrees_with(&self, code: &str) -> bool {
        let Some(i) = VOTERS.iter().position(|&v| v == code) else {
            return true;
        };
        let best = self.votes.iter().copied().max().unwrap_or(0);
        best < MIN_VOTES || self.votes[i] * 2 > best
    }

    /// The language whose stop words clearly dominate, if one does.
    fn vote(&self) -> Option<&'static str> {
        let mut order: Vec<usize> = (0..VOTERS.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(self.votes[i]));
        let (best, second) = (self.votes[order[0]] as f32, self.votes[order[1]] as f32);
        (best >= f32::from(MIN_VOTES)
            && best >= MIN_SHARE * self.words as f32
            && best >= MIN_LEAD * second)
            .then(|| VOTERS[order[0]])
    }
}

/// Distinct words whose stop-word languages a thread remembers before it starts over.
const MAX_MEMO_WORDS: usize = 50_000;

/// A thread's memory of words' stop-word languages (a bit per [`VOTERS`] entry), each word with
/// an id. Ids are given in sequence and a word is forgotten within [`MAX_MEMO_WORDS`] new words,
/// so the words of one sample (at most [`VOTE_WORDS`] lookups) never share an id, even across a
/// start-over of the memory. Short words, nearly all of them, sit in a [`ShortWords`] table.
struct WordMemo {
    short: ShortWords<(u16, u32)>,
    long: FxHashMap<String, (u16, u32)>,
    next_id: u32,
}

impl WordMemo {
    /// The stop-word languages of `word` and its id.
    fn languages(&mut self, word: &str) -> (u16, u32) {
        let key = ShortKey::new(word);
        let known = match key {
            Some(key) => self.short.get(key),
            None => self.long.get(word).copied(),
        };
        if let Some(found) = known {
            return found;
        }
        let found = (stop_word_languages(word), self.next_id);
        self.next_id = self.next_id.wrapping_add(1);
        match key {
            Some(key) => self.short.insert(key, found),
            None => {
                if self.long.len() >= MAX_MEMO_WORDS {
                    self.long.clear();
                }
                self.long.insert(word.to_string(), found);
            }
        }
        found
    }
}

thread_local! {
    static MEMO: RefCell<WordMemo> = RefCell::new(WordMemo {
        short: ShortWords::new(MAX_MEMO_WORDS, (0, 0)),
        long: FxHashMap::default(),
        next_id: 0,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The memory answers what the lists answer, for short words (the table) and long ones (the
    /// map), first and again; one word keeps its id, two words never share one.
    #[test]
    fn the_word_memory_answers_like_the_lists_with_one_id_per_word() {
        let words = [
            "the",
            "und",
            "les",
            "который", // 14 bytes: the table
            "internationalisation",
            "непосредственно", // 30 bytes: the map
            "the",
            "internationalisation",
        ];
        let mut memo = WordMemo {
            short: ShortWords::new(MAX_MEMO_WORDS, (0, 0)),
            long: FxHashMap::default(),
            next_id: 0,
        };
        let mut ids: std::collections::HashMap<&str, u32> = Default::default();
        for w in words {
            let (mask, id) = memo.languages(w);
            assert_eq!(mask, stop_word_languages(w), "{w}");
            assert_eq!(*ids.entry(w).or_insert(id), id, "{w} changed id");
        }
        assert_ne!(memo.languages("the").0, 0);
        let mut distinct: Vec<u32> = ids.values().copied().collect();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), ids.len());
        assert_eq!(memo.long.len(), 2);
    }

    /// whatlang is asked when the vote is open (here English 4 votes, Dutch 3, French 2), but not believed
    /// against it: a short English abstract whose subject is a French name is not French.
    #[test]
    fn a_french_name_does_not_make_english_prose_french() {
        let title = "pierre de la salle syndrome";
        let body = "a case of pierre de la salle syndrome presenting an infantile autism is \
                    described. the treatment applied is outlined.";
        assert_ne!(detect(title, body), Some("fr"));
        let fr = "Le syndrome de Gilles de la Tourette chez un enfant autiste: le cas d'un garçon \
                  de neuf ans dont les tics ont commencé à trois ans est décrit, avec l'évolution \
                  sous halopéridol.";
        assert_eq!(detect("Un cas clinique", fr), Some("fr"));
    }

    #[test]
    fn ascii_words_are_read_as_any_word() {
        let fresh = || Sample::read("", "");
        for token in [
            "The", "caravan", "a", "I", "1987", "3rd", "don't", "NATO", "x'", "Ab", "zz",
        ] {
            let (mut fast, mut any) = (fresh(), fresh());
            let (mut w1, mut w2) = (String::from("old"), String::from("old"));
            let took = fast.take_word(token, &mut w1);
            assert_eq!(took, any.take_any_word(token, &mut w2), "{token}");
            if took {
                assert_eq!(w1, w2, "{token}");
            }
            let counts = |s: &Sample| (s.digit_tokens, s.lower_initial, s.letters, s.letters_latin);
            assert_eq!(counts(&fast), counts(&any), "{token}");
        }
    }

    #[test]
    fn declared_languages_normalise_to_iso_639_1() {
        for (tag, want) in [
            ("en-US", Some("en")),
            (" DE_at ", Some("de")),
            ("eng", Some("en")),
            ("ger", Some("de")),
            ("Deutsch", Some("de")),
            ("español", Some("es")),
            ("French", Some("fr")),
            ("nb", Some("no")),
            ("pl", Some("pl")),
            ("haw", Some("haw")),
            ("und", None),
            ("x", None),
            ("12", None),
            ("", None),
            ("en;q=0.8", Some("en")),
        ] {
            assert_eq!(normalize_declared(tag).as_deref(), want, "{tag:?}");
        }
        for s in &STEMMED {
            assert_eq!(snowball(s.code), Some(s.snowball));
        }
        assert_eq!(snowball("pl"), None);
    }

    #[test]
    fn resolve_keeps_a_declared_language_and_says_so() {
        let mut a = Article {
            title: "Die Flüchtlinge kommen an".into(),
            body: "Es ist eine lange Reise, und die Menschen sind müde von dem Weg.".into(),
            language: Some("EN-gb".into()),
            ..Default::default()
        };
        resolve(&mut a);
        assert_eq!(a.language.as_deref(), Some("en"));
        assert_eq!(a.language_source, Some(LanguageSource::Declared));
        a.language = Some("und".into());
        resolve(&mut a);
        assert_eq!(a.language.as_deref(), Some("de"));
        assert_eq!(a.language_source, Some(LanguageSource::Detected));
        a.title = "Kurz".into();
        a.body = "Drei Worte nur".into();
        a.language = None;
        resolve(&mut a);
        assert_eq!((a.language, a.language_source), (None, None));
    }

    #[test]
    fn detects_prose_in_many_languages() {
        for (text, want) in [
            (
                "The caravan of migrants reached the border on Thursday, and officials said that \
                 they would process the asylum claims of those who had walked for weeks.",
                "en",
            ),
            (
                "La caravana de migrantes llegó a la frontera el jueves y las autoridades dijeron \
                 que revisarán las solicitudes de asilo de quienes caminaron durante semanas.",
                "es",
            ),
            (
                "Die Flüchtlinge erreichten am Donnerstag die Grenze, und die Behörden sagten, \
                 dass sie die Asylanträge der Menschen prüfen würden, die wochenlang gelaufen waren.",
                "de",
            ),
            (
                "Les migrants sont arrivés à la frontière jeudi et les autorités ont dit qu'elles \
                 examineraient les demandes d'asile de ceux qui ont marché pendant des semaines.",
                "fr",
            ),
            (
                "I migranti sono arrivati al confine giovedì e le autorità hanno detto che \
                 esamineranno le richieste di asilo di chi ha camminato per settimane.",
                "it",
            ),
            (
                "Οι μετανάστες έφτασαν στα σύνορα την Πέμπτη και οι αρχές δήλωσαν ότι θα εξετάσουν \
                 τις αιτήσεις ασύλου όσων περπάτησαν για εβδομάδες.",
                "el",
            ),
            (
                "Göçmenler perşembe günü sınıra ulaştı ve yetkililer haftalarca yürüyen insanların \
                 sığınma başvurularını inceleyeceklerini söyledi, ancak bu süreç uzun sürebilir \
                 ve birçok aile sınırda bekliyor.",
                "tr",
            ),
        ] {
            assert_eq!(detect("", text), Some(want), "{text}");
        }
    }

    #[test]
    fn tables_lists_and_short_texts_get_no_language() {
        // A Reuters earnings table: numbers and abbreviations, no prose.
        let table = "Shr 1.05 dlrs vs 87 cts Net 10.2 mln vs 8.7 mln Revs 96.1 mln vs 89.4 mln \
                     Nine mths Shr 2.91 dlrs vs 2.40 dlrs Net 28.4 mln vs 23.9 mln Revs 281.2 mln \
                     vs 260.3 mln";
        assert_eq!(detect("ACME CORP 3RD QTR NET", table), None);
        let names = "Alvarez Brennan Castellanos Dubois Eriksen Fontaine Gallagher Horvath \
                     Ibarra Jansen Kowalski Lindqvist Moreau Novak Okafor Petrov Quintero \
                     Rasmussen Schmidt Tanaka";
        assert_eq!(detect("", names), None);
        assert_eq!(
            detect("Troops sent", "to the border"),
            None,
            "under 8 words"
        );
    }
}
