//! Reading one file: its [`Format`] from its name, the I/O with a size cap, decompression, and
//! the hand-over to the pure parser for its format ([`parse_bytes`], a dispatcher over
//! [`formats`](crate::ingest::formats)). A panic in a reader costs only its file.

use std::path::Path;

use serde::Serialize;

use crate::ingest::article::{Article, Provenance};
use crate::ingest::decompress::{Compression, decompress};
use crate::ingest::discover::FoundFile;
use crate::ingest::formats::{html, json, markdown, sgml, smart, table, text, warc, xml};
use crate::ingest::problem::{FileOutcome, Flush, Problem, keep_all};
use crate::ingest::{decode, layout, meta};

/// Files larger than this are rejected rather than read whole.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Largest article text (title + body) that is indexed; the rest of a longer one is left out,
/// with a warning. The longest real news articles and transcripts run to a few hundred KB; this
/// bounds the memory and time one document can take in the writer and in snippets.
pub const MAX_ARTICLE_BYTES: usize = 8 * 1024 * 1024;

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
    /// `--source`: the outlet of the articles under a folder (key prefix such as `/news/arch/`)
    /// whose files name none.
    pub folder_sources: Vec<(String, String)>,
    /// `--alias`: readable outlet names for URL hosts and for names spelt another way.
    pub aliases: crate::ingest::alias::Aliases,
    /// `--date-order`: how `03/04/2018` is read (month first, counted, when `None`).
    pub date_order: Option<crate::ingest::date::DateOrder>,
}

/// Largest slice of a JSON Lines file parsed at a time by [`read_file_in_parts`]: its articles
/// are handed on before the next slice is parsed, so the memory a file's articles take follows
/// the slice, not the file (1.5 million records are not held at once).
pub const PART_BYTES: usize = 4 << 20;

/// A multi-record reader's articles are handed on (finished, with the path's outlet and aliases
/// applied) once this many are gathered, or [`BATCH_TEXT_BYTES`] of text, whichever comes first.
pub const BATCH_ARTICLES: usize = 1000;

/// See [`BATCH_ARTICLES`].
pub const BATCH_TEXT_BYTES: usize = 4 << 20;

/// Receives a file's articles part by part: the file's content hash (known before the first
/// part) and the articles of one part.
pub type PartSink<'a> = dyn FnMut(u128, Vec<Article>) + 'a;

/// Reads one file and parses the articles in it. Never panics and never fails: every problem is
/// reported in the outcome.
pub fn read_file(file: &FoundFile, opts: &ParseOptions) -> FileOutcome {
    let mut articles = Vec::new();
    let mut out = read_file_in_parts(file, opts, &mut |_, mut part| articles.append(&mut part));
    out.articles = articles;
    out
}

/// [`read_file`], handing the articles to `sink` as they are parsed instead of returning them:
/// JSON Lines in slices of [`PART_BYTES`], other multi-record formats in batches of
/// [`BATCH_ARTICLES`] (or [`BATCH_TEXT_BYTES`]), so the memory a file's articles take follows
/// the batch, not the file's record count. `sink` is called at least once
/// when the file could be read and parsed (with no articles if it had none); the outcome's
/// `articles` stays empty.
pub fn read_file_in_parts(
    file: &FoundFile,
    opts: &ParseOptions,
    sink: &mut PartSink<'_>,
) -> FileOutcome {
    let (mut out, ambiguous) = crate::ingest::date::with_date_order(opts.date_order, || {
        read_file_in_parts_with_order(file, opts, sink)
    });
    out.ambiguous_dates = ambiguous;
    out
}

fn read_file_in_parts_with_order(
    file: &FoundFile,
    opts: &ParseOptions,
    sink: &mut PartSink<'_>,
) -> FileOutcome {
    let mut out = FileOutcome::default();
    let Some(bytes) = file_bytes(file, &mut out) else {
        return out;
    };
    if file.format == Format::JsonLines {
        parse_lines_in_parts(file, bytes, opts, &mut out, sink);
        return out;
    }
    let hash = out.content_hash;
    parse_bytes_in_batches(
        &file.key,
        file.format,
        &bytes,
        opts,
        &mut out,
        BATCH_ARTICLES,
        &mut |articles| {
            apply_path_pattern(file, opts, articles);
            sink(hash, std::mem::take(articles));
        },
    );
    out
}

/// The file's bytes to parse: read (its content hash goes into `out`), decompressed (what came
/// out before damage, for a multi-record format), and for a one-article format cut at the
/// article limit. `None`, with the reason in `out`, when there is nothing to parse.
fn file_bytes(file: &FoundFile, out: &mut FileOutcome) -> Option<Vec<u8>> {
    let path_str = &file.key;
    if file.size > MAX_FILE_BYTES {
        out.problems.push(Problem::rejected(
            path_str,
            None,
            format!(
                "file too large ({} MB; the limit is {} MB)",
                file.size / 1_000_000,
                MAX_FILE_BYTES / 1_000_000
            ),
        ));
        return None;
    }
    let raw = match read_regular_file(file.path(), MAX_FILE_BYTES) {
        Ok(b) => b,
        Err(reason) => {
            out.problems.push(Problem::rejected(path_str, None, reason));
            return None;
        }
    };
    out.content_hash = xxhash_rust::xxh3::xxh3_128(&raw);
    let mut bytes = match file.compression {
        None => raw,
        Some(c) => match decompress(c, &raw, MAX_FILE_BYTES) {
            Ok(b) => b,
            Err((partial, reason)) => {
                out.problems.push(Problem::rejected(path_str, None, reason));
                // What came out before the damage is still good for multi-record formats.
                if !file.format.is_multi_record() || partial.is_empty() {
                    return None;
                }
                partial
            }
        },
    };
    if matches!(file.format, Format::Text | Format::Markdown) && bytes.len() > MAX_ARTICLE_BYTES {
        // One article per file: what lies past the article limit would be cut anyway, so it is
        // not decoded and parsed at all (keeps a 200 MB "article" from costing 1 GB of memory).
        let mut end = MAX_ARTICLE_BYTES;
        while end > 0 && (bytes[end] & 0xC0) == 0x80 {
            end -= 1;
        }
        out.problems.push(Problem::warning(
            path_str,
            None,
            format!(
                "article is {} MB; only its first {} MB are indexed",
                bytes.len() / 1_000_000,
                MAX_ARTICLE_BYTES >> 20
            ),
        ));
        bytes.truncate(end);
    }
    Some(bytes)
}

/// [`parse_bytes`], handing the finished articles of a multi-record format to `sink` in batches
/// of at most `batch` articles (or about [`BATCH_TEXT_BYTES`] of text) as they are read. The
/// articles, ids and problems (in their order) are those of a whole read; `sink` is called at
/// least once, and what it leaves in the batch is dropped.
pub fn parse_bytes_in_batches(
    path: &str,
    format: Format,
    bytes: &[u8],
    opts: &ParseOptions,
    out: &mut FileOutcome,
    batch: usize,
    sink: &mut dyn FnMut(&mut Vec<Article>),
) {
    // Problems found while finishing articles are kept aside, to follow the reader's own as in a
    // whole read.
    let mut finished = Vec::new();
    let mut hand_on = |out: &mut FileOutcome| {
        let n = out.problems.len();
        finish_articles(path, format, out, 0);
        finished.extend(out.problems.drain(n..));
        sink(&mut out.articles);
        out.articles.clear();
    };
    let kept = std::mem::take(&mut out.articles);
    let (mut counted, mut text_bytes) = (0, 0);
    parse_format(path, format, bytes, opts, out, &mut |out| {
        text_bytes += out.articles[counted..]
            .iter()
            .map(|a| a.title.len() + a.body.len())
            .sum::<usize>();
        counted = out.articles.len();
        if counted >= batch || text_bytes >= BATCH_TEXT_BYTES {
            hand_on(out);
            (counted, text_bytes) = (0, 0);
        }
    });
    hand_on(out);
    out.problems.append(&mut finished);
    out.articles = kept;
}

fn apply_path_pattern(file: &FoundFile, opts: &ParseOptions, articles: &mut [Article]) {
    if let Some(pattern) = &opts.path_pattern {
        let segs = file.rel_segments();
        for a in articles.iter_mut() {
            pattern.apply(&segs, a);
        }
    }
    // The outlet the user named for the folder fills what neither the file nor its path said
    // (a guess from the URL gives way to it).
    let given = opts
        .folder_sources
        .iter()
        .filter(|(prefix, _)| file.key.starts_with(prefix.as_str()))
        .max_by_key(|(prefix, _)| prefix.len());
    if let Some((_, name)) = given {
        for a in articles.iter_mut() {
            if a.source.is_none() || a.source_from == Some(Provenance::Url) {
                a.source = Some(name.clone());
                a.source_from = Some(Provenance::Given);
            }
        }
    }
    for a in articles {
        opts.aliases.apply(a);
    }
}

/// JSON Lines, a slice of about [`PART_BYTES`] (cut after a line end) at a time, with the line
/// numbers (and so the article ids) of a whole-file read.
fn parse_lines_in_parts(
    file: &FoundFile,
    bytes: Vec<u8>,
    opts: &ParseOptions,
    out: &mut FileOutcome,
    sink: &mut PartSink<'_>,
) {
    let path = file.key.as_str();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        out.problems
            .push(Problem::rejected(path, None, "empty file"));
        return;
    }
    if decode::looks_binary(&bytes) {
        out.problems
            .push(Problem::rejected(path, None, "binary data, not text"));
        return;
    }
    let text = decode::decode(&bytes, None).text;
    drop(bytes);
    let mut start = 0;
    let mut first_line = 0;
    loop {
        let from = (start + PART_BYTES).min(text.len());
        // A line end is never inside a multi-byte character, so the cut is a char boundary.
        let end = text.as_bytes()[from..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |i| from + i + 1);
        let part = &text[start..end];
        json::parse_lines_from(path, part, first_line, opts, out, &mut keep_all);
        finish_articles(path, Format::JsonLines, out, 0);
        apply_path_pattern(file, opts, &mut out.articles);
        sink(out.content_hash, std::mem::take(&mut out.articles));
        first_line += part.bytes().filter(|&b| b == b'\n').count();
        start = end;
        if start >= text.len() {
            break;
        }
    }
}

/// Reads a file that the walk saw as a regular file, checking it again on the open handle: in
/// between it may have been replaced by a named pipe (whose open or read would wait forever), a
/// symbolic link to a device (`/dev/zero` never ends), or have grown past the size limit. The
/// read itself stops at `max` bytes whatever the file claims.
pub fn read_regular_file(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        // Opening a FIFO for reading waits for a writer unless non-blocking; on a regular file
        // the flag changes nothing.
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let file = opts.open(path).map_err(|e| format!("unreadable: {e}"))?;
    let meta = file.metadata().map_err(|e| format!("unreadable: {e}"))?;
    if !meta.is_file() {
        return Err(
            "not a regular file any more (it was replaced by a pipe, a device or a folder after \
             the folder was read)"
                .to_string(),
        );
    }
    let too_large = |n: u64| {
        format!(
            "file too large ({} MB; the limit is {} MB)",
            n / 1_000_000,
            max / 1_000_000
        )
    };
    if meta.len() > max {
        return Err(too_large(meta.len()));
    }
    let mut buf = Vec::with_capacity(meta.len() as usize);
    file.take(max + 1)
        .read_to_end(&mut buf)
        .map_err(|e| format!("unreadable: {e}"))?;
    if buf.len() as u64 > max {
        return Err(too_large(buf.len() as u64));
    }
    Ok(buf)
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
/// text panic, as a reader bug would. Read once per process. Only in builds with the
/// `fault-injection` feature (the tests' builds); elsewhere the variable is ignored.
fn fault_panic_on() -> Option<&'static str> {
    if !cfg!(feature = "fault-injection") {
        return None;
    }
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
    let mut articles = Vec::new();
    let mut out =
        read_file_in_parts_guarded(file, opts, &mut |_, mut part| articles.append(&mut part));
    if out.content_hash != 0 {
        out.articles = articles;
    }
    out
}

/// [`read_file_in_parts`] with the same containment as [`read_file_guarded`]. After a panic the
/// sink may already have had some parts: the outcome's hash is 0 all the same.
pub fn read_file_in_parts_guarded(
    file: &FoundFile,
    opts: &ParseOptions,
    sink: &mut PartSink<'_>,
) -> FileOutcome {
    READING.with(|r| r.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        if fault_panic_on().is_some_and(|needle| file.key.contains(needle)) {
            panic!("fault injected by NEWSDEX_FAULT_PANIC_ON");
        }
        read_file_in_parts(file, opts, sink)
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
/// Parses the bytes of one file of a known format (pure: no I/O).
pub fn parse_bytes(
    path: &str,
    format: Format,
    bytes: &[u8],
    opts: &ParseOptions,
    out: &mut FileOutcome,
) {
    let before = out.articles.len();
    parse_format(path, format, bytes, opts, out, &mut keep_all);
    finish_articles(path, format, out, before);
}

/// What applies to every article whatever the reader (those from index `before` on): no control
/// characters reach the index, an over-long text is cut, and no empty article is kept.
fn finish_articles(path: &str, format: Format, out: &mut FileOutcome, before: usize) {
    let mut kept = before;
    for i in before..out.articles.len() {
        let mut a = std::mem::take(&mut out.articles[i]);
        let had_text = !(a.title.trim().is_empty() && a.body.trim().is_empty());
        // Entities decoded, authors cleaned, outlet and section from the URL when unnamed; then
        // control characters go (a decoded reference never makes one, but the source may).
        crate::ingest::finish::finish(&mut a);
        a.scrub_controls();
        // The declared language as ISO 639-1, else the one the text is in.
        crate::ingest::language::resolve(&mut a);
        // A reader that set an outlet or section itself read it from the record.
        if a.source.is_some() && a.source_from.is_none() {
            a.source_from = Some(crate::ingest::article::Provenance::Record);
        }
        if a.section.is_some() && a.section_from.is_none() {
            a.section_from = Some(crate::ingest::article::Provenance::Record);
        }
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

/// Rejects an empty or binary file, else parses it, calling `flush` after each record of a
/// multi-record format. The articles are left unfinished (see [`finish_articles`]).
fn parse_format(
    path: &str,
    format: Format,
    bytes: &[u8],
    opts: &ParseOptions,
    out: &mut FileOutcome,
    flush: &mut Flush<'_>,
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
    if matches!(format, Format::Text | Format::Markdown)
        && crate::ingest::discover::is_project_word_name(Path::new(path))
        && !text::reads_as_prose(&decode::decode(bytes, None).text)
    {
        out.problems.push(Problem::skipped(
            path,
            "not an article: named like a project file (NOTICE, CHANGES, AUTHORS) and not prose",
        ));
        return;
    }
    let single = match format {
        Format::Text => text::parse(path, &decode::decode(bytes, None).text, &mut out.problems),
        Format::Markdown => {
            markdown::parse(path, &decode::decode(bytes, None).text, &mut out.problems)
        }
        Format::Sgml => return sgml::parse(path, bytes, opts, out, flush),
        Format::Smart if smart::looks_like_smart(bytes) => {
            return smart::parse(path, bytes, opts, out, flush);
        }
        // A `.all` file whose content is not SMART (`notes.all`, `results.all`): the name says
        // nothing, so it is read as the plain text it is.
        Format::Smart => text::parse(path, &decode::decode(bytes, None).text, &mut out.problems),
        Format::Json => return json::parse(path, bytes, opts, out, flush),
        Format::JsonLines => return json::parse_lines(path, bytes, opts, out, flush),
        Format::Csv => return table::parse_csv(path, bytes, opts, out, flush),
        Format::Tsv => return table::parse_tsv(path, bytes, opts, out, flush),
        Format::Html => return html::parse(path, bytes, opts, out),
        Format::Warc => return warc::parse(path, bytes, opts, out, flush),
        Format::Xml => return xml::parse(path, bytes, opts, out, flush),
    };
    match single {
        Some(a) if !(a.title.trim().is_empty() && a.body.trim().is_empty()) => out.articles.push(a),
        // The reader said why it left the file out (not an article).
        _ if out
            .problems
            .iter()
            .any(|p| p.severity == crate::ingest::Severity::Skipped && p.path == path) => {}
        _ => out
            .problems
            .push(Problem::rejected(path, None, "no article text")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path that is no regular file when it is opened (here a folder) is refused with one
    /// readable sentence.
    #[cfg(unix)]
    #[test]
    fn a_folder_in_place_of_a_file_is_refused_in_one_sentence() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_regular_file(dir.path(), MAX_FILE_BYTES).unwrap_err();
        assert_eq!(
            err,
            "not a regular file any more (it was replaced by a pipe, a device or a folder after \
             the folder was read)"
        );
        assert!(!err.contains("  "), "{err:?}");
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

    #[cfg(unix)]
    #[test]
    fn only_regular_files_are_read_and_never_past_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("swapped.txt");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        // Returns at once (no writer needed) with a reason.
        let err = read_regular_file(&fifo, 1000).unwrap_err();
        assert!(err.contains("not a regular file"), "{err}");
        let link = dir.path().join("zero.txt");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert!(read_regular_file(&link, 1000).is_err());
        let big = dir.path().join("big.txt");
        std::fs::write(&big, vec![b'a'; 5000]).unwrap();
        assert!(
            read_regular_file(&big, 1000)
                .unwrap_err()
                .contains("too large")
        );
        assert_eq!(read_regular_file(&big, 5000).unwrap().len(), 5000);
    }

    /// `text` written to `name` in a temp folder, as the walk would find it.
    fn found(dir: &tempfile::TempDir, name: &str, text: &str) -> FoundFile {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let (format, _) = Format::for_path(&path).unwrap();
        let rel_start = path.as_os_str().len();
        FoundFile::new(path, text.len() as u64, 0, (format, None), rel_start)
    }

    /// Reads `file` in parts and whole: the same articles (ids, records, text) and the same
    /// problems in the same order; returns the number of parts.
    fn parts_match_whole(file: &FoundFile, text: &str) -> usize {
        let opts = ParseOptions::default();
        let mut parts = 0;
        let mut streamed = Vec::new();
        let out = read_file_in_parts(file, &opts, &mut |_, mut part| {
            parts += 1;
            streamed.append(&mut part);
        });
        let mut whole = FileOutcome::default();
        parse_bytes(&file.key, file.format, text.as_bytes(), &opts, &mut whole);
        let fmt = file.format.name();
        assert_eq!(streamed.len(), whole.articles.len(), "{fmt}");
        for (a, b) in streamed.iter().zip(&whole.articles) {
            let key = |a: &Article| {
                (
                    a.id(),
                    a.record,
                    a.title.clone(),
                    a.body.clone(),
                    a.source.clone(),
                )
            };
            assert_eq!(key(a), key(b), "{fmt}");
        }
        let lines = |o: &FileOutcome| -> Vec<String> {
            o.problems
                .iter()
                .map(|p| format!("{:?} {:?} {}", p.severity, p.record, p.reason))
                .collect()
        };
        assert_eq!(lines(&out), lines(&whole), "{fmt}");
        parts
    }

    #[test]
    fn every_multi_record_format_read_in_batches_matches_a_whole_read() {
        let dir = tempfile::tempdir().unwrap();
        let n = BATCH_ARTICLES * 5 / 2;
        // Every 97th record is damaged in its format's way; every 89th has only control
        // characters for text (rejected after the reader, when articles are finished).
        let bad = |i: usize| i % 97 == 5;
        let blank = |i: usize| i % 89 == 7;
        let text = |i: usize| {
            if blank(i) {
                ("\u{1}".to_string(), "\u{2}".to_string())
            } else {
                (
                    format!("Record {i} \u{e9}t\u{e9}"),
                    format!("The dredger {i} worked the channel &amp; the quay."),
                )
            }
        };
        let mut csv = String::from("title,body,date\n");
        let mut tsv = String::from("title\tbody\n");
        let mut json = String::from("[");
        let mut sgml = String::new();
        let mut smart = String::new();
        let mut warc = String::new();
        let mut rss = String::from("<rss version=\"2.0\"><channel>");
        for i in 0..n {
            let (t, b) = text(i);
            let date = if bad(i) {
                "the day after"
            } else {
                "2019-05-01"
            };
            csv.push_str(&format!("\"{t}\",\"{b}\",{date}\n"));
            tsv.push_str(&format!("{t}\t{b}\n"));
            if i > 0 {
                json.push_str(",\n ");
            }
            if bad(i) {
                json.push_str("42");
            } else {
                json.push_str(&serde_json::json!({"title": t, "body": b}).to_string());
            }
            if bad(i) {
                sgml.push_str("<REUTERS NEWID=\"x\"><DATE>never</DATE></REUTERS>\n");
            } else {
                sgml.push_str(&format!(
                    "<REUTERS NEWID=\"{i}\"><TEXT><TITLE>{t}</TITLE><BODY>{b}</BODY></TEXT></REUTERS>\n"
                ));
            }
            if bad(i) {
                smart.push_str(&format!(".I {i}\n.T\n\n"));
            } else {
                smart.push_str(&format!(".I {i}\n.T\n{t}\n.W\n{b}\n"));
            }
            if bad(i) {
                warc.push_str("WARC/1.0\r\nWARC-Type: response\r\n\r\n\r\n\r\n");
            } else {
                let page = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><head><title>{t}</title></head><body><article><p>{b}</p></article></body></html>"
                );
                warc.push_str(&format!(
                    "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://quay.example/news/{i}\r\nContent-Length: {}\r\n\r\n{page}\r\n\r\n",
                    page.len()
                ));
            }
            if bad(i) {
                rss.push_str("<item><title>Broken <b></title></item>");
            } else {
                rss.push_str(&format!(
                    "<item><title>{}</title><description>{}</description></item>",
                    t.replace('\u{1}', ""),
                    b.replace('\u{2}', "&#2;")
                ));
            }
        }
        json.push(']');
        // The feed's title follows its items: every item still gets it.
        rss.push_str(&format!(
            "<title>Quay Ledger</title>{}</channel></rss>",
            "<!-- padding -->".repeat(70_000)
        ));
        for (name, text) in [
            ("t.csv", &csv),
            ("t.tsv", &tsv),
            ("a.json", &json),
            ("r.sgm", &sgml),
            ("c.all", &smart),
            ("crawl.warc", &warc),
            ("feed.rss", &rss),
        ] {
            let file = found(&dir, name, text);
            let parts = parts_match_whole(&file, text);
            assert!(parts >= 2, "{name}: {parts} parts");
        }
    }

    #[test]
    fn json_lines_read_in_parts_match_a_whole_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.jsonl");
        let mut text = String::new();
        let mut n = 0;
        while text.len() < PART_BYTES * 2 + 1000 {
            if n % 9_999 == 0 {
                text.push_str("{broken\n");
            } else {
                text.push_str(&format!(
                    "{{\"title\": \"Record {n} é\", \"body\": \"The dredger {n} worked the channel.\"}}\n"
                ));
            }
            n += 1;
        }
        std::fs::write(&path, &text).unwrap();
        let key = path.to_str().unwrap().to_string();
        let rel_start = key.len();
        let file = FoundFile::new(
            path.clone(),
            text.len() as u64,
            0,
            (Format::JsonLines, None),
            rel_start,
        );
        let opts = ParseOptions::default();
        let mut parts = 0;
        let mut streamed = Vec::new();
        let out = read_file_in_parts(&file, &opts, &mut |_, mut part| {
            parts += 1;
            streamed.append(&mut part);
        });
        assert!(parts >= 3, "{parts} parts");
        let mut whole = FileOutcome::default();
        parse_bytes(&key, Format::JsonLines, text.as_bytes(), &opts, &mut whole);
        assert_eq!(streamed.len(), whole.articles.len());
        for (a, b) in streamed.iter().zip(&whole.articles) {
            assert_eq!((a.id(), a.record, &a.title), (b.id(), b.record, &b.title));
        }
        let lines = |o: &FileOutcome| -> Vec<String> {
            o.problems.iter().map(|p| p.reason.clone()).collect()
        };
        assert_eq!(lines(&out), lines(&whole));
        assert!(out.problems.len() >= 3);
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
