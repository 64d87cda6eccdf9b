//! The ingest layer: where a file on disk becomes [`Article`]s.
//!
//! [`discover`] walks the archive and decides which files are articles; [`read_file`] reads one
//! file (I/O, decoding) and hands its text to the pure parser for its format (one module each).
//! Nothing here touches the index, so every reader is testable on its own.

pub mod date;
pub mod decode;
pub mod feed;
pub mod html;
pub mod json;
pub mod layout;
pub mod markdown;
pub mod markup;
pub mod meta;
pub mod nitf;
pub mod record;
pub mod sgml;
pub mod smart;
pub mod table;
pub mod text;
pub mod warc;
pub mod xml;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::Serialize;
use walkdir::WalkDir;

use crate::article::Article;

/// Files larger than this are rejected rather than read whole.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Largest article text (title + body) that is indexed; the rest of a longer one is left out,
/// with a warning. The longest real news articles and transcripts run to a few hundred KB; this
/// bounds the memory and time one document can take in the writer and in snippets.
pub const MAX_ARTICLE_BYTES: usize = 8 * 1024 * 1024;

/// How serious a [`Problem`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The article was indexed, but a value in it was not usable (e.g. an implausible date).
    Warning,
    /// The file or record was not indexed.
    Rejected,
}

/// Something that went wrong with one file or record, with enough to find it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub path: String,
    /// Record number within the file, for multi-article formats.
    pub record: Option<u64>,
    pub severity: Severity,
    pub reason: String,
}

impl Problem {
    pub fn warning(path: &str, record: Option<u64>, reason: impl Into<String>) -> Problem {
        Problem {
            path: path.to_string(),
            record,
            severity: Severity::Warning,
            reason: reason.into(),
        }
    }

    pub fn rejected(path: &str, record: Option<u64>, reason: impl Into<String>) -> Problem {
        Problem {
            path: path.to_string(),
            record,
            severity: Severity::Rejected,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.severity {
            Severity::Warning => "warning",
            Severity::Rejected => "skipped",
        };
        match self.record {
            Some(r) => write!(f, "{what}: {} (record {r}): {}", self.path, self.reason),
            None => write!(f, "{what}: {}: {}", self.path, self.reason),
        }
    }
}

/// The input formats newsdex reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `.txt`: headline, optional header block and byline, body.
    Text,
    /// `.md`: YAML front matter and Markdown.
    Markdown,
    /// `.html`, `.htm`: a page saved from a news site.
    Html,
    /// `.json`: one article object, or an array of them.
    Json,
    /// `.jsonl`, `.ndjson`: one article object per line.
    JsonLines,
    /// `.csv` with a header row.
    Csv,
    /// `.tsv` with a header row.
    Tsv,
    /// `.sgm`, `.sgml`: Reuters-21578-style newswire SGML.
    Sgml,
    /// `.xml`, `.rss`, `.atom`, `.nitf`: RSS 2.0, Atom or NITF, told apart by the root element.
    Xml,
    /// `.warc`: web-archive crawl records.
    Warc,
    /// SMART-format test collections (`cran.all.1400`, `CISI.ALL`, `MED.ALL`).
    Smart,
}

/// Compression wrapped around a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    Gzip,
    Bzip2,
    Zstd,
}

impl Format {
    /// The format (and compression) of a file, from its name; `None` for files newsdex does not
    /// read. `story.json.gz` is gzip-compressed JSON.
    pub fn for_path(path: &Path) -> Option<(Format, Option<Compression>)> {
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        let (inner, compression) = match name.rsplit_once('.') {
            Some((rest, "gz" | "gzip")) => (rest, Some(Compression::Gzip)),
            Some((rest, "bz2")) => (rest, Some(Compression::Bzip2)),
            Some((rest, "zst" | "zstd")) => (rest, Some(Compression::Zstd)),
            _ => (name.as_str(), None),
        };
        let ext = inner.rsplit_once('.').map(|(_, e)| e)?;
        let format = match ext {
            "txt" | "text" => Format::Text,
            "md" | "markdown" => Format::Markdown,
            "html" | "htm" | "xhtml" | "shtml" => Format::Html,
            "json" => Format::Json,
            "jsonl" | "ndjson" => Format::JsonLines,
            "csv" => Format::Csv,
            "tsv" | "tab" => Format::Tsv,
            "sgm" | "sgml" => Format::Sgml,
            "xml" | "rss" | "atom" | "nitf" => Format::Xml,
            "warc" => Format::Warc,
            "all" => Format::Smart,
            // `cran.all.1400`: SMART collections name the document file `<name>.all.<count>`.
            n if n.bytes().all(|b| b.is_ascii_digit()) && inner.contains(".all.") => Format::Smart,
            _ => return None,
        };
        Some((format, compression))
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Json => "json",
            Format::JsonLines => "jsonl",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Sgml => "sgml",
            Format::Xml => "xml",
            Format::Warc => "warc",
            Format::Smart => "smart",
        }
    }

    /// Formats that hold many articles per file; a damaged tail costs only the records in it.
    pub fn is_multi_record(self) -> bool {
        !matches!(self, Format::Text | Format::Markdown | Format::Html)
    }
}

/// Options that shape how files are parsed (from the command line, remembered by the index).
#[derive(Clone, Debug, Default)]
pub struct ParseOptions {
    /// `--map`: which JSON keys / CSV columns feed which article fields.
    pub field_map: meta::FieldMap,
    /// `--path-pattern`: what the folder layout means (outlet, section, date).
    pub path_pattern: Option<layout::PathPattern>,
}

/// A file found by [`discover`] that newsdex will read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundFile {
    /// Absolute path.
    pub path: PathBuf,
    pub size: u64,
    /// Modification time in nanoseconds since the epoch (0 when unknown). Used only to notice
    /// changed files, never as a publication date.
    pub mtime_ns: i128,
    pub format: Format,
    pub compression: Option<Compression>,
    /// The path as text ([`path_string`]): how the index, the manifest and reports name the file.
    pub key: String,
    /// Byte offset in `key` where the part relative to the indexed folder begins.
    pub rel_start: usize,
}

impl FoundFile {
    /// The path's segments below the indexed folder.
    pub fn rel_segments(&self) -> Vec<&str> {
        let s = self.key.as_str();
        s.get(self.rel_start.min(s.len())..)
            .unwrap_or("")
            .split(['/', '\\'])
            .filter(|x| !x.is_empty())
            .collect()
    }
}

/// A path as text, one-to-one: a name that is not valid UTF-8 (an old Latin-1 file name on a Unix
/// disk) keeps each invalid byte as `\xNN` instead of a lossy U+FFFD, so two such files never
/// share an index key and the name still says which file it is.
pub fn path_string(path: &Path) -> String {
    if let Some(s) = path.to_str() {
        return s.to_owned();
    }
    #[cfg(unix)]
    {
        use std::fmt::Write;
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in path.as_os_str().as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                let _ = write!(out, "\\x{b:02X}");
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        path.to_string_lossy().into_owned()
    }
}

/// What the walk found: the files to read, and why others were passed over.
#[derive(Debug, Default)]
pub struct Discovery {
    pub files: Vec<FoundFile>,
    /// Files that look like articles by name but are not (README, LICENSE, ...), and walk errors.
    pub problems: Vec<Problem>,
    /// Files skipped silently because newsdex has no reader for their type.
    pub unsupported: u64,
    /// Folders and files the walk could not look into (permission denied, I/O error). What the
    /// index holds from them is kept: unreadable is not deleted.
    pub unreadable: Vec<String>,
}

/// Names of files that sit beside articles but are not articles.
const NOT_ARTICLES: &[&str] = &[
    "readme",
    "license",
    "licence",
    "copying",
    "changelog",
    "changes",
    "contributing",
    "authors",
    "notice",
    "install",
    "todo",
    "manifest",
    "code_of_conduct",
];

/// True for README, LICENSE and the like (any case, any extension).
pub fn is_not_article_name(path: &Path) -> bool {
    let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
        return false;
    };
    let shouting = !stem.chars().any(|c| c.is_lowercase());
    let stem = stem.to_ascii_lowercase();
    // `README`, `README-fr`, `LICENSE-APACHE`: the name alone, or with one tag that is short or
    // written in capitals like the name. A slug that merely starts with the word
    // (`licence-of-futures-trader-suspended`, `manifest-destiny`) is an article.
    NOT_ARTICLES.iter().any(|n| {
        stem == *n
            || stem.strip_prefix(n).is_some_and(|r| {
                let tag = r.get(1..).unwrap_or("");
                r.starts_with(['.', '-', '_'])
                    && !tag.is_empty()
                    && !tag.contains(['.', '-', '_', ' '])
                    && (tag.len() <= 3 || (shouting && tag.len() <= 10))
            })
    })
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|s| s.starts_with('.') && s != "." && s != "..")
}

/// Walks `roots` and lists the article files in them, in a stable (sorted) order.
/// `exclude` (the index's own folder) is never entered.
pub fn discover(roots: &[PathBuf], exclude: Option<&Path>) -> Discovery {
    let mut d = Discovery::default();
    let exclude = exclude.and_then(|p| std::fs::canonicalize(p).ok());
    for root in roots {
        // Canonical roots give every file one absolute path however the folder was named
        // (`./archive`, `../x/archive`), so ids and incremental updates stay stable.
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
        let root = &root;
        // Where the part below the indexed folder starts in each file's key.
        let rel_start = path_string(root).len() + 1;
        let walker = WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                if e.depth() > 0 && is_hidden(e.file_name()) {
                    return false;
                }
                // The walk starts from a canonical root, so a folder's path is canonical unless a
                // symbolic link led to it: only then is it worth resolving (a realpath for each of
                // 100,000 day folders took most of an unchanged re-index).
                match (&exclude, e.file_type().is_dir()) {
                    (Some(ex), true) if e.path_is_symlink() => {
                        std::fs::canonicalize(e.path()).map_or(true, |p| &p != ex)
                    }
                    (Some(ex), true) => e.path() != ex.as_path(),
                    _ => true,
                }
            });
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    let path = path_string(err.path().unwrap_or(root));
                    let reason = if err.loop_ancestor().is_some() {
                        "symbolic link loop (not followed)".to_string()
                    } else {
                        d.unreadable.push(path.clone());
                        err.io_error()
                            .map_or_else(|| err.to_string(), |e| e.to_string())
                    };
                    d.problems.push(Problem::rejected(&path, None, reason));
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let path = entry.path();
            let Some((format, compression)) = Format::for_path(path) else {
                d.unsupported += 1;
                continue;
            };
            if is_not_article_name(path) {
                d.problems.push(Problem::rejected(
                    &path_string(path),
                    None,
                    "not an article (README, LICENSE or similar)",
                ));
                continue;
            }
            let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
            let (size, mtime_ns) = match entry.metadata() {
                Ok(m) => (
                    m.len(),
                    m.modified()
                        .ok()
                        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                        .map_or(0, |d| d.as_nanos() as i128),
                ),
                Err(e) => {
                    let key = path_string(&abs);
                    d.problems
                        .push(Problem::rejected(&key, None, e.to_string()));
                    d.unreadable.push(key);
                    continue;
                }
            };
            d.files.push(FoundFile {
                key: path_string(&abs),
                path: abs,
                size,
                mtime_ns,
                format,
                compression,
                rel_start,
            });
        }
    }
    d
}

/// What reading one file produced.
#[derive(Debug, Default)]
pub struct FileOutcome {
    pub articles: Vec<Article>,
    pub problems: Vec<Problem>,
    /// 128-bit hash of the file's bytes, to tell real changes from touched files.
    pub content_hash: u128,
}

/// Reads one file and parses the articles in it. Never panics and never fails: every problem is
/// reported in the outcome.
pub fn read_file(file: &FoundFile, opts: &ParseOptions) -> FileOutcome {
    let path_str = file.key.clone();
    let mut out = FileOutcome::default();
    if file.size > MAX_FILE_BYTES {
        out.problems.push(Problem::rejected(
            &path_str,
            None,
            format!(
                "file too large ({} MB; the limit is {} MB)",
                file.size / 1_000_000,
                MAX_FILE_BYTES / 1_000_000
            ),
        ));
        return out;
    }
    let raw = match std::fs::read(&file.path) {
        Ok(b) => b,
        Err(e) => {
            out.problems.push(Problem::rejected(
                &path_str,
                None,
                format!("unreadable: {e}"),
            ));
            return out;
        }
    };
    out.content_hash = xxhash_rust::xxh3::xxh3_128(&raw);
    let bytes = match file.compression {
        None => raw,
        Some(c) => match decompress(c, &raw, MAX_FILE_BYTES) {
            Ok(b) => b,
            Err((partial, reason)) => {
                out.problems
                    .push(Problem::rejected(&path_str, None, reason));
                // What came out before the damage is still good for multi-record formats.
                if !file.format.is_multi_record() || partial.is_empty() {
                    return out;
                }
                partial
            }
        },
    };
    let mut bytes = bytes;
    if matches!(file.format, Format::Text | Format::Markdown) && bytes.len() > MAX_ARTICLE_BYTES {
        // One article per file: what lies past the article limit would be cut anyway, so it is
        // not decoded and parsed at all (keeps a 200 MB "article" from costing 1 GB of memory).
        let mut end = MAX_ARTICLE_BYTES;
        while end > 0 && (bytes[end] & 0xC0) == 0x80 {
            end -= 1;
        }
        out.problems.push(Problem::warning(
            &path_str,
            None,
            format!(
                "article is {} MB; only its first {} MB are indexed",
                bytes.len() / 1_000_000,
                MAX_ARTICLE_BYTES >> 20
            ),
        ));
        bytes.truncate(end);
    }
    parse_bytes(&path_str, file.format, &bytes, opts, &mut out);
    if let Some(pattern) = &opts.path_pattern {
        let segs = file.rel_segments();
        for a in &mut out.articles {
            pattern.apply(&segs, a);
        }
    }
    out
}

thread_local! {
    /// Set while [`read_file_guarded`] runs a reader on this thread.
    static READING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// True on a thread that is inside [`read_file_guarded`]: a panic hook can stay quiet there,
/// because the panic becomes a reported problem for that one file.
pub fn is_reading_a_file() -> bool {
    READING.with(|r| r.get())
}

/// Testing aid: `NEWSDEX_FAULT_PANIC_ON=<text>` makes reading any file whose path contains the
/// text panic, as a reader bug would. Read once per process. Not for normal use.
fn fault_panic_on() -> Option<&'static str> {
    static NEEDLE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    NEEDLE
        .get_or_init(|| {
            std::env::var("NEWSDEX_FAULT_PANIC_ON")
                .ok()
                .filter(|s| !s.is_empty())
        })
        .as_deref()
}

/// [`read_file`], with a bug in a reader contained to the file that triggered it: a panic becomes
/// a rejection of that file (with the panic message), and the run goes on. The outcome's hash is
/// 0, so the index keeps what it held from the file and the next run tries it again.
pub fn read_file_guarded(file: &FoundFile, opts: &ParseOptions) -> FileOutcome {
    READING.with(|r| r.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        if fault_panic_on().is_some_and(|needle| file.key.contains(needle)) {
            panic!("fault injected by NEWSDEX_FAULT_PANIC_ON");
        }
        read_file(file, opts)
    }));
    READING.with(|r| r.set(false));
    result.unwrap_or_else(|payload| {
        let msg = crate::error::panic_message(&*payload);
        FileOutcome {
            problems: vec![Problem::rejected(
                &file.key,
                None,
                format!(
                    "newsdex failed on this file (internal error: {msg}); it was skipped and the \
                     rest indexed. Please report it with the file"
                ),
            )],
            ..FileOutcome::default()
        }
    })
}

/// Decompresses at most `limit` bytes. On damage or overflow, returns what was decoded so far
/// and the reason.
pub fn decompress(c: Compression, raw: &[u8], limit: u64) -> Result<Vec<u8>, (Vec<u8>, String)> {
    use std::io::Read;
    let reader: Box<dyn Read + '_> = match c {
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(raw)),
        Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(raw)),
        Compression::Zstd => match zstd::stream::read::Decoder::new(raw) {
            Ok(d) => Box::new(d),
            Err(e) => return Err((Vec::new(), format!("corrupt zstd data: {e}"))),
        },
    };
    let mut out = Vec::new();
    let mut limited = reader.take(limit + 1);
    let name = match c {
        Compression::Gzip => "gzip",
        Compression::Bzip2 => "bzip2",
        Compression::Zstd => "zstd",
    };
    match limited.read_to_end(&mut out) {
        Ok(_) if out.len() as u64 > limit => {
            out.truncate(limit as usize);
            Err((
                out,
                format!(
                    "decompressed data exceeds the {} MB limit (a compression bomb?)",
                    limit / 1_000_000
                ),
            ))
        }
        Ok(_) => Ok(out),
        Err(e) => {
            let reason = format!(
                "truncated or corrupt {name} data after {} bytes: {e}",
                out.len()
            );
            Err((out, reason))
        }
    }
}

/// Parses the bytes of one file of a known format (pure: no I/O).
pub fn parse_bytes(
    path: &str,
    format: Format,
    bytes: &[u8],
    opts: &ParseOptions,
    out: &mut FileOutcome,
) {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        out.problems
            .push(Problem::rejected(path, None, "empty file"));
        return;
    }
    if format != Format::Warc && decode::looks_binary(bytes) {
        out.problems
            .push(Problem::rejected(path, None, "binary data, not text"));
        return;
    }
    let before = out.articles.len();
    parse_format(path, format, bytes, opts, out);
    // Whatever the reader, no control characters reach the index and no empty article does.
    let mut kept = before;
    for i in before..out.articles.len() {
        let mut a = std::mem::take(&mut out.articles[i]);
        let had_text = !(a.title.trim().is_empty() && a.body.trim().is_empty());
        a.scrub_controls();
        let size = a.title.len() + a.body.len();
        if size > MAX_ARTICLE_BYTES {
            let keep = MAX_ARTICLE_BYTES.saturating_sub(a.title.len().min(MAX_ARTICLE_BYTES / 2));
            truncate_at_char(&mut a.title, MAX_ARTICLE_BYTES / 2);
            truncate_at_char(&mut a.body, keep);
            let record = format.is_multi_record().then_some(a.record);
            out.problems.push(Problem::warning(
                path,
                record,
                format!(
                    "article text is {} MB; only its first {} MB are indexed",
                    size / 1_000_000,
                    MAX_ARTICLE_BYTES >> 20
                ),
            ));
        }
        // A record that a reader keeps without text (a wire story with only its codes) stays;
        // one whose only text was control characters goes.
        if had_text && a.title.trim().is_empty() && a.body.trim().is_empty() {
            let record = format.is_multi_record().then_some(a.record);
            out.problems
                .push(Problem::rejected(path, record, "no article text"));
        } else {
            out.articles[kept] = a;
            kept += 1;
        }
    }
    out.articles.truncate(kept);
}

/// Cuts `s` to at most `max` bytes, at a character boundary.
fn truncate_at_char(s: &mut String, max: usize) {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}

fn parse_format(
    path: &str,
    format: Format,
    bytes: &[u8],
    opts: &ParseOptions,
    out: &mut FileOutcome,
) {
    let single = match format {
        Format::Text => text::parse(path, &decode::decode(bytes, None).text, &mut out.problems),
        Format::Markdown => {
            markdown::parse(path, &decode::decode(bytes, None).text, &mut out.problems)
        }
        Format::Sgml => return sgml::parse(path, bytes, opts, out),
        Format::Smart => return smart::parse(path, bytes, opts, out),
        Format::Json => return json::parse(path, bytes, opts, out),
        Format::JsonLines => return json::parse_lines(path, bytes, opts, out),
        Format::Csv => return table::parse_csv(path, bytes, opts, out),
        Format::Tsv => return table::parse_tsv(path, bytes, opts, out),
        Format::Html => return html::parse(path, bytes, opts, out),
        Format::Warc => return warc::parse(path, bytes, opts, out),
        Format::Xml => return xml::parse(path, bytes, opts, out),
    };
    match single {
        Some(a) if !(a.title.trim().is_empty() && a.body.trim().is_empty()) => out.articles.push(a),
        _ => out
            .problems
            .push(Problem::rejected(path, None, "no article text")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn path_strings_are_one_to_one_for_names_that_are_not_utf8() {
        use std::os::unix::ffi::OsStrExt;
        let a = Path::new(std::ffi::OsStr::from_bytes(b"/news/caf\xe9.txt"));
        let b = Path::new(std::ffi::OsStr::from_bytes(b"/news/caf\xe8.txt"));
        assert_eq!(path_string(a), "/news/caf\\xE9.txt");
        assert_ne!(path_string(a), path_string(b));
        assert_eq!(path_string(Path::new("/news/café.txt")), "/news/café.txt");
        assert_eq!(
            Format::for_path(a),
            Some((Format::Text, None)),
            "a non-UTF-8 name still has an extension"
        );
    }

    #[test]
    fn gzip_round_trip_truncation_and_bomb_limit() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&vec![b'a'; 100_000]).unwrap();
        let gz = enc.finish().unwrap();
        assert_eq!(
            decompress(Compression::Gzip, &gz, 1 << 20).unwrap().len(),
            100_000
        );
        let (partial, reason) =
            decompress(Compression::Gzip, &gz[..gz.len() / 2], 1 << 20).unwrap_err();
        assert!(reason.contains("truncated"), "{reason}");
        assert!(partial.len() < 100_000);
        let (_, reason) = decompress(Compression::Gzip, &gz, 1000).unwrap_err();
        assert!(reason.contains("exceeds"), "{reason}");
    }

    #[test]
    fn readme_and_license_are_not_articles() {
        for n in [
            "README.TXT",
            "readme.md",
            "LICENSE",
            "License.txt",
            "CHANGELOG.md",
            "README-fr.txt",
            "LICENSE-MIT.txt",
            "LICENSE-APACHE",
        ] {
            assert!(is_not_article_name(Path::new(n)), "{n}");
        }
        for n in [
            "readers-react.txt",
            "authority.txt",
            "001.txt",
            "licensed-to-kill.md",
            "licence-of-australian-futures-trader-suspended-7128.md",
            "notice-to-quit-served.txt",
            "manifest-destiny.md",
            "authors-guild.txt",
        ] {
            assert!(!is_not_article_name(Path::new(n)), "{n}");
        }
    }

    #[test]
    fn formats_by_extension() {
        let f = |p: &str| Format::for_path(Path::new(p));
        assert_eq!(f("a/b.TXT"), Some((Format::Text, None)));
        assert_eq!(f("a/b.md"), Some((Format::Markdown, None)));
        assert_eq!(f("a/b.jpg"), None);
        assert_eq!(
            f("a/feed.xml.gz"),
            Some((Format::Xml, Some(Compression::Gzip)))
        );
        assert_eq!(
            f("crawl/CC-NEWS-1.warc.gz"),
            Some((Format::Warc, Some(Compression::Gzip)))
        );
        assert_eq!(f("x/reut2-000.sgm"), Some((Format::Sgml, None)));
        assert_eq!(f("cran/cran.all.1400"), Some((Format::Smart, None)));
        assert_eq!(f("cisi/CISI.ALL"), Some((Format::Smart, None)));
        assert_eq!(
            f("dump.jsonl.zst"),
            Some((Format::JsonLines, Some(Compression::Zstd)))
        );
        assert_eq!(f("archive.gz"), None);
    }

    #[test]
    fn empty_and_binary_files_are_rejected_with_reason() {
        let mut out = FileOutcome::default();
        let o = ParseOptions::default();
        parse_bytes("/x/empty.txt", Format::Text, b"  \n\n", &o, &mut out);
        parse_bytes(
            "/x/bin.txt",
            Format::Text,
            b"\x7fELF\0\0\0\x01\x02",
            &o,
            &mut out,
        );
        let reasons: Vec<_> = out.problems.iter().map(|p| p.reason.as_str()).collect();
        assert_eq!(reasons, ["empty file", "binary data, not text"]);
        assert!(out.articles.is_empty());
    }
}
