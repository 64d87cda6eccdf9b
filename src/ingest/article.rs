//! The article: what every reader produces and the indexer consumes, independent of the input format.

use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::ingest::decode::count_bytes;

/// When an article was published: the instant in UTC, plus the calendar day as the article itself
/// gave it (its local day), which is what day-level counting uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PubDate {
    pub utc: OffsetDateTime,
    pub local_day: Date,
}

impl PubDate {
    /// RFC 3339 in UTC (`2018-10-25T18:03:00Z`).
    pub fn to_rfc3339(&self) -> String {
        format_rfc3339(self.utc)
    }
}

/// Formats a UTC instant as RFC 3339 with a `Z` suffix.
pub fn format_rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

/// Where an article's publication date came from, most trustworthy first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DateSource {
    /// A header line or front-matter key in the file itself.
    Header,
    /// Markup metadata (HTML meta tags, JSON-LD, feed or wire fields).
    Meta,
    /// A `/YYYY/MM/DD/` segment of the article's URL.
    Url,
    /// A `/YYYY/MM/DD/` segment (or `YYYY-MM-DD` prefix) of the file's path.
    Path,
    /// The crawl date of a web archive record.
    Crawl,
}

impl DateSource {
    pub fn as_str(self) -> &'static str {
        match self {
            DateSource::Header => "header",
            DateSource::Meta => "meta",
            DateSource::Url => "url",
            DateSource::Path => "path",
            DateSource::Crawl => "crawl",
        }
    }
}

/// Where an article's outlet or section came from (`source_from`, `section_from`), most
/// trustworthy first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provenance {
    /// The file or record names it (a header line, a JSON key, a CSV column, a wire field).
    Record,
    /// A site-name key in the markup or record (`og:site_name`, `site_name`, `publisher`).
    Meta,
    /// A suffix of the title shared by the same host's articles (" | Planet Politics").
    Title,
    /// The URL: its host (outlet) or a path segment its host's URLs share (section).
    Url,
    /// The folder layout (`--path-pattern`).
    Path,
    /// The user named it for the folder (`newsdex index --source NAME DIR`).
    Given,
}

impl Provenance {
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Record => "record",
            Provenance::Meta => "meta",
            Provenance::Title => "title",
            Provenance::Url => "url",
            Provenance::Path => "path",
            Provenance::Given => "option",
        }
    }
}

/// One news article, as read from an archive file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Article {
    /// The file the article came from (absolute).
    pub path: String,
    /// Position of the article inside its file, for files that hold many (0 for single-article files).
    pub record: u64,
    /// Name of the reader that produced it (`text`, `markdown`, `sgml`, ...).
    pub format: &'static str,
    pub title: String,
    pub body: String,
    pub published: Option<PubDate>,
    pub date_source: Option<DateSource>,
    /// When a web crawler fetched the page (WARC records), kept apart from `published`.
    pub crawled: Option<PubDate>,
    pub source: Option<String>,
    /// Where `source` came from.
    pub source_from: Option<Provenance>,
    pub authors: Vec<String>,
    pub url: Option<String>,
    pub section: Option<String>,
    /// Where `section` came from.
    pub section_from: Option<Provenance>,
    /// ISO 639-1 (`ingest::language`), declared by the file or detected.
    pub language: Option<String>,
    /// Where `language` came from.
    pub language_source: Option<crate::ingest::language::LanguageSource>,
    /// The collection's own id for the article (SMART `.I`, Reuters `NEWID`), used in TREC runs
    /// and relevance judgments.
    pub docno: Option<String>,
    /// Subject codes and similar labels (wire TOPICS, PLACES, feed categories, front-matter tags).
    pub tags: Vec<String>,
}

impl Article {
    /// A stable identifier: 16 hex digits hashed from the file path and record number, so
    /// re-indexing the same file yields the same ids and never doubles an article.
    pub fn id(&self) -> String {
        article_id(&self.path, self.record)
    }

    /// Removes control characters (NUL, escapes, C1 codes; not tab or line breaks) from every
    /// text field: they are never part of an article, break terminals and CSV consumers, and
    /// come only from damaged or mis-decoded files.
    pub fn scrub_controls(&mut self) {
        fn scrub(s: &mut String) {
            if may_hold_controls(s.as_bytes()) && s.chars().any(is_stray_control) {
                s.retain(|c| !is_stray_control(c));
            }
        }
        scrub(&mut self.title);
        scrub(&mut self.body);
        for v in [
            &mut self.source,
            &mut self.url,
            &mut self.section,
            &mut self.language,
            &mut self.docno,
        ]
        .into_iter()
        .flatten()
        {
            scrub(v);
        }
        self.authors
            .iter_mut()
            .chain(&mut self.tags)
            .for_each(scrub);
    }

    /// Number of words in title and body (whitespace-separated runs containing a letter or digit).
    pub fn word_count(&self) -> u64 {
        count_words(&self.title) + count_words(&self.body)
    }
}

/// False when `bytes` (UTF-8) cannot hold a [`is_stray_control`] character: none of them is a
/// byte below 0x20 other than tab and line breaks, 0x7f, or 0xc2 (which starts the C1 codes).
/// Nearly every text has none, and decoding each character to find that out was 2% of indexing.
fn may_hold_controls(bytes: &[u8]) -> bool {
    count_bytes(bytes, |b| {
        let low = (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r');
        low | (b == 0x7f) | (b == 0xc2)
    }) > 0
}

/// A control character that has no place in article text (tab and line breaks do).
pub fn is_stray_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// The id of record `record` of the file at `path`.
pub fn article_id(path: &str, record: u64) -> String {
    let mut key = Vec::with_capacity(path.len() + 9);
    key.extend_from_slice(path.as_bytes());
    key.push(0);
    key.extend_from_slice(&record.to_le_bytes());
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&key))
}

/// Words of `s`: runs of non-space characters holding a letter or digit.
fn count_words(s: &str) -> u64 {
    if s.is_ascii() {
        return count_ascii_words(s.as_bytes());
    }
    s.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count() as u64
}

/// [`count_words`] for ASCII text, byte by byte (most bodies; `split_whitespace` decodes every
/// character): in ASCII, the white space it splits at is tab, line feed, vertical tab, form feed,
/// carriage return and space.
fn count_ascii_words(bytes: &[u8]) -> u64 {
    /// Per byte: 1 for a letter or digit, 2 for white space, 0 for anything else.
    const CLASS: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut b = 0;
        while b < 256 {
            let c = b as u8;
            t[b] = if c.is_ascii_alphanumeric() {
                1
            } else if matches!(c, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ') {
                2
            } else {
                0
            };
            b += 1;
        }
        t
    };
    let mut words = 0;
    let mut alphanumeric = false;
    for &b in bytes {
        let class = CLASS[usize::from(b)];
        let space = class == 2;
        words += u64::from(space & alphanumeric);
        alphanumeric = (alphanumeric | (class == 1)) & !space;
    }
    words + u64::from(alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quick check never passes over a text holding a control character.
    #[test]
    fn the_quick_control_check_finds_every_control_character() {
        for c in (0u32..0x250).filter_map(char::from_u32) {
            let text = format!("Oil prices rose{c}on Tuesday é £ —");
            assert_eq!(
                text.chars().any(is_stray_control),
                is_stray_control(c),
                "{c:?}"
            );
            if is_stray_control(c) {
                assert!(may_hold_controls(text.as_bytes()), "{c:?}");
            }
        }
        assert!(!may_hold_controls(
            "Peña Nieto said — “no” é\tœ\r\n".as_bytes()
        ));
    }

    #[test]
    fn ascii_word_count_is_the_general_count() {
        let texts = [
            "",
            "   ",
            "Oil prices rose 3.5% -- to $18.20 a barrel.",
            "a\tb\nc\x0bd\x0ce\rf g",
            "--- ... *** 1987 x",
            "end-of-line\r\n\r\nNEW YORK, March 3 - ",
            "\x00\x01 ctl\x7fchars",
        ];
        for t in texts {
            let general = t
                .split_whitespace()
                .filter(|w| w.chars().any(char::is_alphanumeric))
                .count() as u64;
            assert_eq!(count_ascii_words(t.as_bytes()), general, "{t:?}");
            assert_eq!(count_words(t), general, "{t:?}");
        }
        assert_eq!(
            count_words("Peña Nieto\u{a0}dijo"),
            3,
            "no-break space splits outside ASCII"
        );
    }

    #[test]
    fn ids_are_stable_and_distinct_per_record() {
        // Pinned values: ids are stored in indexes, exports and users' notes, so the function
        // may never change (a new hash or key layout would orphan every saved id).
        let ids = [
            article_id("/news/a.sgm", 0),
            article_id("/news/a.sgm", 1),
            article_id("/news/caf\\xE9.txt", 0),
        ];
        assert_eq!(
            ids,
            ["7441e3a7709c99fb", "4848f2cec13144e2", "d3addc9c7163b79e"]
        );
    }

    #[test]
    fn word_count_ignores_punctuation_runs() {
        let a = Article {
            title: "Troops sent".into(),
            body: "The Pentagon — as expected — sent 800 troops.".into(),
            ..Default::default()
        };
        assert_eq!(a.word_count(), 9);
    }
}
