//! Web-archive crawls (`.warc`; `.warc.gz` arrives here already decompressed).
//!
//! A WARC file is a run of records, each a `WARC/1.0` (or 1.1) version line, header lines, a blank
//! line, `Content-Length` bytes of block, and `\r\n\r\n`. Only `response` records carrying a 2xx
//! HTTP response with an HTML payload become articles: the HTTP status line and headers are read
//! (the `Content-Type` charset becomes a decoding hint), chunked transfer encoding is undone,
//! gzip/deflate content encoding is inflated (at most 64 MB), and the page goes through
//! [`html::extract`] with the target URI and the crawl date as hints. Everything else (requests,
//! metadata, warcinfo, images, redirects, empty pages) is skipped without comment.
//!
//! Records are numbered from 0 among all records in the file. A corrupt header is reported with its
//! record number and byte offset, and reading resumes at the next `WARC/` line; a truncated last
//! record is reported and the records before it are kept.
//!
//! Hand-written on purpose (crates.io checked 2026-12, each crate run on hostile inputs): `warc`
//! 0.4 reads header lines and blocks with unbounded `read_until` (a 300 MB header line took 600 MB
//! and gave neither a record nor an error), wants `\r\n\r\n` exactly `Content-Length` bytes on (a
//! length off by two also lost the good record after it) and reads nothing of an LF-only file,
//! silently; `rust_warc` 1.2 allocates `Content-Length` bytes before reading (a forged length
//! aborts the process), needs UTF-8 headers and stops at the first error. Either
//! would replace only the record framing; the HTTP, chunked, gzip and HTML handling below stays
//! ours, and so would the guarantees tests/fuzz_props.rs checks (linear time, 1 MB header cap).

use std::io::Read;

use crate::ingest::formats::html::{self, Hints};
use crate::ingest::{FileOutcome, Flush, ParseOptions, Problem, decode};

/// Inflated pages larger than this are not read.
pub const MAX_PAYLOAD_BYTES: u64 = 64 * 1024 * 1024;

/// WARC header blocks longer than this are taken for garbage.
const MAX_HEADER_BYTES: usize = 1024 * 1024;

/// Reads every record of a WARC file.
pub fn parse(
    path: &str,
    bytes: &[u8],
    _opts: &ParseOptions,
    out: &mut FileOutcome,
    flush: &mut Flush<'_>,
) {
    let mut records = Records {
        path,
        bytes,
        record: 0,
        not_blank_before: 0,
    };
    let mut pos = 0usize;
    loop {
        while pos < bytes.len() && matches!(bytes[pos], b'\r' | b'\n') {
            pos += 1;
        }
        if pos >= bytes.len() {
            break;
        }
        match records.read_at(pos, out, flush) {
            Some(next) => pos = next,
            None => break,
        }
    }
}

/// A WARC file being read, its records numbered as they come.
struct Records<'b> {
    path: &'b str,
    bytes: &'b [u8],
    /// The number of the record being read.
    record: u64,
    /// Every line that starts before this offset is known not to be blank (an earlier header
    /// search went over it): a run of `WARC/` lines with no blank line is scanned once, not
    /// once per line for a megabyte each.
    not_blank_before: usize,
}

impl Records<'_> {
    /// Reads the record at `start` (not a line break); answers where the next one starts, or
    /// `None` when nothing more can be read. A corrupt header is reported and skipped; a
    /// truncated record ends the file.
    fn read_at(
        &mut self,
        start: usize,
        out: &mut FileOutcome,
        flush: &mut Flush<'_>,
    ) -> Option<usize> {
        let (path, bytes, record) = (self.path, self.bytes, self.record);
        let corrupt = |why: &str| {
            Problem::rejected(
                path,
                Some(record),
                format!("corrupt WARC record header at byte offset {start}: {why}"),
            )
        };
        let truncated = |why: String| {
            Problem::rejected(
                path,
                Some(record),
                format!("truncated WARC record at byte offset {start}: {why}"),
            )
        };
        if !bytes[start..].starts_with(b"WARC/") {
            out.problems
                .push(corrupt("expected a `WARC/1.0` version line"));
            return self.skip_to_next(start + 1);
        }
        let (header_end, block_start) = match header_block(bytes, start, self.not_blank_before) {
            Ok(found) => found,
            Err(seen) => {
                self.not_blank_before = seen;
                if bytes.len() - start <= MAX_HEADER_BYTES {
                    out.problems
                        .push(truncated("the file ends inside its header".into()));
                    return None;
                }
                out.problems.push(corrupt(&format!(
                    "no end of header within {} KB",
                    MAX_HEADER_BYTES / 1024
                )));
                return self.skip_to_next(start + 1);
            }
        };
        let headers = Headers::parse(&bytes[start..header_end], true);
        let Some(len) = headers
            .get("content-length")
            .and_then(|v| v.trim().parse::<usize>().ok())
        else {
            out.problems
                .push(corrupt("missing or invalid Content-Length"));
            return self.skip_to_next(block_start);
        };
        let available = bytes.len() - block_start;
        if len > available {
            out.problems.push(truncated(format!(
                "Content-Length is {len} bytes but only {available} remain"
            )));
            return None;
        }
        read_record(
            path,
            record,
            &headers,
            &bytes[block_start..block_start + len],
            out,
        );
        flush(out);
        self.record += 1;
        Some(block_start + len)
    }

    /// After a corrupt header: the next record's number and the next `WARC/` line from `from`.
    fn skip_to_next(&mut self, from: usize) -> Option<usize> {
        self.record += 1;
        next_record(self.bytes, from)
    }
}

/// The start of the next line that begins with `WARC/`, at or after `from`.
fn next_record(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    rest.windows(6)
        .position(|w| w == b"\nWARC/")
        .map(|i| from + i + 1)
}

/// Where the header block starting at `start` ends, and where the content after its blank line
/// begins (`\r\n\r\n` or bare `\n\n`). Lines starting before `not_blank_before` (past
/// `start`) are known not to be blank and are skipped. Without a blank line within
/// [`MAX_HEADER_BYTES`], the offset up to which every line start was looked at.
fn header_block(
    bytes: &[u8],
    start: usize,
    not_blank_before: usize,
) -> Result<(usize, usize), usize> {
    let mut line = start.max(not_blank_before);
    while line < bytes.len() && line - start <= MAX_HEADER_BYTES {
        let Some(nl) = bytes[line..].iter().position(|&b| b == b'\n') else {
            return Err(line);
        };
        let nl = line + nl;
        let content = &bytes[line..nl];
        if content.is_empty() || content == b"\r" {
            return Ok((line, nl + 1));
        }
        line = nl + 1;
    }
    Err(line)
}

/// Header lines (`Name: value`, folded continuation lines joined), names lowercased.
struct Headers(Vec<(String, String)>);

impl Headers {
    /// `skip_first`: the first line is a version or status line, not a header.
    fn parse(raw: &[u8], skip_first: bool) -> Headers {
        let text = String::from_utf8_lossy(raw);
        let mut fields: Vec<(String, String)> = Vec::new();
        for line in text.lines().skip(usize::from(skip_first)) {
            if line.starts_with([' ', '\t']) {
                if let Some((_, v)) = fields.last_mut() {
                    v.push(' ');
                    v.push_str(line.trim());
                }
                continue;
            }
            if let Some((name, value)) = line.split_once(':') {
                fields.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
            }
        }
        Headers(fields)
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Turns one record into an article when it is an HTML page fetched with success.
fn read_record(path: &str, record: u64, warc: &Headers, block: &[u8], out: &mut FileOutcome) {
    let is_response = warc
        .get("warc-type")
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("response"));
    if !is_response || !block.starts_with(b"HTTP/") {
        return;
    }
    let Ok((http_end, payload_start)) = header_block(block, 0, 0) else {
        return; // headers only: nothing to read
    };
    let status_line = block[..http_end]
        .split(|&b| b == b'\n')
        .next()
        .unwrap_or(b"");
    let status = String::from_utf8_lossy(status_line)
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok());
    if !status.is_some_and(|s| (200..300).contains(&s)) {
        return;
    }
    let http = Headers::parse(&block[..http_end], true);
    let content_type = http.get("content-type");
    let mut payload = std::borrow::Cow::Borrowed(&block[payload_start..]);
    if http
        .get("transfer-encoding")
        .is_some_and(|t| t.to_ascii_lowercase().contains("chunked"))
        && let Some(joined) = dechunk(&payload)
    {
        payload = joined.into();
    }
    if let Some(encoding) = http.get("content-encoding") {
        match inflate(&payload, encoding) {
            Ok(Some(inflated)) => payload = inflated.into(),
            Ok(None) => {}
            Err(reason) => {
                out.problems
                    .push(Problem::rejected(path, Some(record), reason));
                return;
            }
        }
    }
    let html = match content_type {
        Some(ct) => {
            let media = ct
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            media == "text/html" || media == "application/xhtml+xml"
        }
        None => sniff_html(&payload),
    };
    if !html || payload.iter().all(u8::is_ascii_whitespace) || decode::looks_binary(&payload) {
        return;
    }
    let hints = Hints {
        charset: content_type.and_then(decode::charset_from_content_type),
        url: warc
            .get("warc-target-uri")
            .map(|u| {
                u.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
            .filter(|u| !u.is_empty()),
        crawled: warc.get("warc-date").map(String::from),
    };
    if let Some(mut a) = html::extract(path, record, &payload, &hints, &mut out.problems) {
        a.format = "warc";
        out.articles.push(a);
    }
}

/// Undoes `Transfer-Encoding: chunked`. `None` when the payload does not start with a chunk
/// (some crawlers store the joined body but keep the header); a cut-off last chunk keeps what
/// arrived.
fn dechunk(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len());
    let mut pos = 0;
    let mut chunks = 0;
    while pos < data.len() {
        let Some(nl) = data[pos..].iter().position(|&b| b == b'\n') else {
            break;
        };
        let line = String::from_utf8_lossy(&data[pos..pos + nl]);
        let size = line.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size, 16) else {
            if chunks == 0 {
                return None;
            }
            break;
        };
        chunks += 1;
        pos += nl + 1;
        if size == 0 {
            break;
        }
        let end = pos.saturating_add(size).min(data.len());
        out.extend_from_slice(&data[pos..end]);
        pos = end;
        if data[pos..].starts_with(b"\r\n") {
            pos += 2;
        } else if data[pos..].starts_with(b"\n") {
            pos += 1;
        }
    }
    (chunks > 0).then_some(out)
}

/// Undoes `Content-Encoding`: `Ok(None)` for identity (or a payload that was stored already
/// inflated), `Err` for damaged data, oversized output or an encoding newsdex cannot undo.
fn inflate(data: &[u8], encoding: &str) -> Result<Option<Vec<u8>>, String> {
    let enc = encoding.trim().to_ascii_lowercase();
    let reader: Box<dyn Read + '_> = match enc.as_str() {
        "" | "identity" | "none" => return Ok(None),
        "gzip" | "x-gzip" => {
            if !data.starts_with(&[0x1f, 0x8b]) {
                return Ok(None);
            }
            Box::new(flate2::read::MultiGzDecoder::new(data))
        }
        "deflate" => {
            // Properly a zlib stream; some servers send raw deflate.
            if data.first().is_some_and(|b| b & 0x0f == 8) {
                Box::new(flate2::read::ZlibDecoder::new(data))
            } else {
                Box::new(flate2::read::DeflateDecoder::new(data))
            }
        }
        other => return Err(format!("unsupported Content-Encoding `{other}`")),
    };
    let mut out = Vec::new();
    match reader.take(MAX_PAYLOAD_BYTES + 1).read_to_end(&mut out) {
        Ok(_) if out.len() as u64 > MAX_PAYLOAD_BYTES => Err(format!(
            "page inflates to more than {} MB (a compression bomb?)",
            MAX_PAYLOAD_BYTES / 1_000_000
        )),
        Ok(_) => Ok(Some(out)),
        Err(e) => Err(format!("corrupt {enc} page payload: {e}")),
    }
}

/// An untyped payload that starts like an HTML document.
fn sniff_html(payload: &[u8]) -> bool {
    let start = payload
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(payload.len());
    let head = &payload[start..payload.len().min(start + 15)];
    let head = head.to_ascii_lowercase();
    head.starts_with(b"<!doctype html") || head.starts_with(b"<html")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Severity;
    use crate::ingest::article::DateSource;
    use std::io::Write;

    fn record(kind: &str, uri: &str, date: &str, block: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: {date}\r\n\
             WARC-Record-ID: <urn:uuid:0000>\r\nContent-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        r.extend_from_slice(block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    fn http(headers: &str, body: &[u8]) -> Vec<u8> {
        let mut b = format!("HTTP/1.1 200 OK\r\n{headers}\r\n").into_bytes();
        b.extend_from_slice(body);
        b
    }

    fn run(bytes: &[u8]) -> FileOutcome {
        let mut out = FileOutcome::default();
        parse(
            "/crawl/c.warc",
            bytes,
            &ParseOptions::default(),
            &mut out,
            &mut crate::ingest::keep_all,
        );
        out
    }

    const PAGE: &str = "<html><head><title>Tram line opens - Riverside Post</title></head>\
        <body><article><p>The new tram line carried its first passengers across the river on Sunday.</p>\
        <p>Fares will be free for the first week.</p></article></body></html>";

    fn four_records() -> Vec<u8> {
        let mut w = record(
            "warcinfo",
            "",
            "2022-05-02T10:00:00Z",
            b"software: test-crawler/1.0\r\nformat: WARC File Format 1.0\r\n",
        );
        w.extend(record(
            "request",
            "https://post.example/tram",
            "2022-05-02T10:00:01Z",
            b"GET /tram HTTP/1.1\r\nHost: post.example\r\n\r\n",
        ));
        // Latin-1 page, charset given only by the HTTP header.
        let latin1 = PAGE.replace("Fares", "Caf\u{e9} fares");
        let (body, _, _) = encoding_rs::WINDOWS_1252.encode(&latin1);
        w.extend(record(
            "response",
            "<https://post.example/tram>",
            "2022-05-02T10:00:02Z",
            &http("Content-Type: text/html; charset=ISO-8859-1\r\n", &body),
        ));
        w.extend(record(
            "response",
            "https://post.example/tram.jpg",
            "2022-05-02T10:00:03Z",
            &http(
                "Content-Type: image/jpeg\r\n",
                b"\xff\xd8\xff\xe0\0\x10JFIF\0",
            ),
        ));
        w
    }

    #[test]
    fn four_record_crawl_yields_the_html_response() {
        let out = run(&four_records());
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.articles.len(), 1);
        let a = &out.articles[0];
        assert_eq!(a.record, 2);
        assert_eq!(a.format, "warc");
        assert_eq!(a.title, "Tram line opens");
        assert_eq!(a.source.as_deref(), Some("Riverside Post"));
        assert_eq!(
            a.body,
            "The new tram line carried its first passengers across the river on Sunday.\n\n\
             Café fares will be free for the first week."
        );
        assert_eq!(a.url.as_deref(), Some("https://post.example/tram"));
        assert_eq!(a.date_source, Some(DateSource::Crawl));
        assert_eq!(a.crawled.unwrap().to_rfc3339(), "2022-05-02T10:00:02Z");
        assert_eq!(a.published, a.crawled);
    }

    #[test]
    fn chunked_gzip_payload_is_decoded() {
        let page = PAGE.replace(
            "<head>",
            "<head><meta property=\"article:published_time\" content=\"2022-04-30T08:00:00Z\">",
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(page.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        // Split into three chunks, one with an extension.
        let mut body = Vec::new();
        let (a, rest) = gz.split_at(10);
        let (b, c) = rest.split_at(rest.len() / 2);
        for (i, part) in [a, b, c].iter().enumerate() {
            let ext = if i == 1 { ";name=x" } else { "" };
            body.extend(format!("{:X}{ext}\r\n", part.len()).into_bytes());
            body.extend_from_slice(part);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"0\r\n\r\n");
        let w = record(
            "response",
            "https://post.example/2022/04/30/tram",
            "2022-05-02T10:00:00Z",
            &http(
                "Content-Type: text/html\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n",
                &body,
            ),
        );
        let out = run(&w);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let a = &out.articles[0];
        assert_eq!(a.record, 0);
        assert_eq!(a.title, "Tram line opens");
        assert!(a.body.starts_with("The new tram line carried"));
        assert_eq!(a.date_source, Some(DateSource::Meta));
        assert_eq!(a.published.unwrap().to_rfc3339(), "2022-04-30T08:00:00Z");
    }

    #[test]
    fn truncated_last_record_keeps_the_ones_before() {
        let mut w = four_records();
        let good_len = w.len();
        let full = record(
            "response",
            "https://post.example/other",
            "2022-05-02T10:00:04Z",
            &http("Content-Type: text/html\r\n", PAGE.as_bytes()),
        );
        w.extend_from_slice(&full[..full.len() / 2]);
        let out = run(&w);
        assert_eq!(out.articles.len(), 1);
        assert_eq!(out.articles[0].record, 2);
        assert_eq!(out.problems.len(), 1);
        let p = &out.problems[0];
        assert_eq!(p.record, Some(4));
        assert_eq!(p.severity, Severity::Rejected);
        assert!(
            p.reason
                .starts_with(&format!("truncated WARC record at byte offset {good_len}:")),
            "{}",
            p.reason
        );

        // Cut inside the header itself.
        let mut w = four_records();
        w.extend_from_slice(b"WARC/1.0\r\nWARC-Type: resp");
        let out = run(&w);
        assert_eq!(out.articles.len(), 1);
        assert!(out.problems[0].reason.contains("ends inside its header"));
    }

    #[test]
    fn corrupt_header_is_reported_and_reading_resumes() {
        let mut w = record(
            "response",
            "https://post.example/a",
            "2022-05-02T10:00:00Z",
            &http("Content-Type: text/html\r\n", PAGE.as_bytes()),
        );
        let bad_at = w.len();
        w.extend_from_slice(b"garbage that is not a record\r\nmore junk\r\n\r\n");
        w.extend(record(
            "response",
            "https://post.example/b",
            "2022-05-02T10:00:01Z",
            &http("Content-Type: application/xhtml+xml\r\n", PAGE.as_bytes()),
        ));
        let out = run(&w);
        assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
        assert_eq!(out.problems[0].record, Some(1));
        assert!(
            out.problems[0]
                .reason
                .contains(&format!("byte offset {bad_at}"))
        );
        let records: Vec<u64> = out.articles.iter().map(|a| a.record).collect();
        assert_eq!(records, [0, 2]);
        assert_eq!(
            out.articles[1].url.as_deref(),
            Some("https://post.example/b")
        );
    }

    #[test]
    fn redirects_empty_pages_and_missing_length_are_handled() {
        let redirect = b"HTTP/1.1 301 Moved Permanently\r\nLocation: /x\r\nContent-Type: text/html\r\n\r\n<html><body><p>Moved here.</p></body></html>".to_vec();
        let mut w = record(
            "response",
            "https://p.example/old",
            "2022-05-02T10:00:00Z",
            &redirect,
        );
        w.extend(record(
            "response",
            "https://p.example/empty",
            "2022-05-02T10:00:00Z",
            &http("Content-Type: text/html\r\n", b"<html><body></body></html>"),
        ));
        w.extend(record(
            "metadata",
            "https://p.example/old",
            "2022-05-02T10:00:00Z",
            b"fetchTimeMs: 12\r\n",
        ));
        let out = run(&w);
        assert!(out.articles.is_empty());
        assert!(out.problems.is_empty(), "{:?}", out.problems);

        let out = run(b"WARC/1.0\r\nWARC-Type: response\r\n\r\nHTTP/1.1 200 OK\r\n\r\n");
        assert_eq!(out.problems.len(), 1);
        assert!(out.problems[0].reason.contains("Content-Length"));
    }

    #[test]
    fn bad_gzip_payload_is_rejected_with_its_record() {
        let w = record(
            "response",
            "https://p.example/z",
            "2022-05-02T10:00:00Z",
            &http(
                "Content-Type: text/html\r\nContent-Encoding: gzip\r\n",
                b"\x1f\x8b\x08\x00garbage",
            ),
        );
        let out = run(&w);
        assert!(out.articles.is_empty());
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].record, Some(0));
        assert!(out.problems[0].reason.contains("corrupt gzip"));
    }

    #[test]
    fn every_cut_off_point_is_handled() {
        let w = four_records();
        for end in 1..w.len() {
            let out = run(&w[..end]);
            assert!(out.articles.len() <= 1);
            assert!(out.problems.len() <= 1, "{end}: {:?}", out.problems);
            for a in &out.articles {
                assert_eq!(a.record, 2);
            }
        }
    }

    #[test]
    fn dispatcher_reads_warc_files() {
        let mut out = FileOutcome::default();
        crate::ingest::parse_bytes(
            "/crawl/c.warc",
            crate::ingest::Format::Warc,
            &four_records(),
            &ParseOptions::default(),
            &mut out,
        );
        assert_eq!(out.articles.len(), 1, "{:?}", out.problems);
    }
}
