//! XML files (`.xml`, `.rss`, `.atom`, `.nitf`): decodes the bytes, looks at the root element and
//! hands the text to the reader for that vocabulary — `rss` or `rdf:RDF` (RSS 2.0 / RSS 1.0) and
//! `feed` (Atom) to [`feed`](super::feed), `nitf` to [`nitf`](super::nitf).//!
//! The readers share [`xmlkit`](super::xmlkit) and never import this dispatcher back.

use quick_xml::events::Event;

use crate::ingest::formats::xmlkit::{Cursor, local};
use crate::ingest::formats::{feed, nitf};
use crate::ingest::{FileOutcome, Flush, ParseOptions, Problem, decode};

/// Parses one XML file of any vocabulary newsdex knows (a feed's items are handed to `flush` as
/// they are read).
pub fn parse(
    path: &str,
    bytes: &[u8],
    opts: &ParseOptions,
    out: &mut FileOutcome,
    flush: &mut Flush<'_>,
) {
    let _ = opts;
    let declared = decode::declared_charset(bytes);
    let text = decode::decode(bytes, declared.as_deref()).text;
    let root = match root_element(&text) {
        Ok(root) => root,
        Err(reason) => {
            out.problems.push(Problem::rejected(path, None, reason));
            return;
        }
    };
    match local(&root) {
        "rss" | "RDF" => feed::parse(path, &text, feed::FeedKind::Rss, &root, out, flush),
        "feed" => feed::parse(path, &text, feed::FeedKind::Atom, &root, out, flush),
        "nitf" => nitf::parse(path, &text, out),
        _ => out.problems.push(Problem::rejected(
            path,
            None,
            format!("unknown XML vocabulary <{root}>"),
        )),
    }
}

/// The qualified name of the document's root element.
fn root_element(text: &str) -> Result<String, String> {
    let mut cur = Cursor::new(text);
    loop {
        match cur.next() {
            Ok(Event::Start(e) | Event::Empty(e)) => return Ok(e.name().as_ref().to_string()),
            Ok(Event::Eof) => return Err("no XML root element".to_string()),
            Ok(_) => {}
            Err(e) => {
                let at = cur.describe(e.pos);
                return Err(format!("malformed XML at {at}: {}", e.message));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Severity;

    fn run(bytes: &[u8]) -> FileOutcome {
        let mut out = FileOutcome::default();
        let o = ParseOptions::default();
        parse(
            "/feeds/x.xml",
            bytes,
            &o,
            &mut out,
            &mut crate::ingest::keep_all,
        );
        out
    }

    #[test]
    fn parse_bytes_dispatches_xml_by_root() {
        let mut out = FileOutcome::default();
        crate::ingest::parse_bytes(
            "/feeds/wire.nitf",
            crate::ingest::Format::Xml,
            b"<nitf><body><body.content><p>Rain fell.</p></body.content></body></nitf>",
            &ParseOptions::default(),
            &mut out,
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.articles[0].format, "nitf");
        assert_eq!(out.articles[0].body, "Rain fell.");
    }

    #[test]
    fn unknown_root_is_rejected_once() {
        let out =
            run(b"<?xml version=\"1.0\"?>\n<!-- export -->\n<catalog><book>x</book></catalog>");
        assert!(out.articles.is_empty());
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].severity, Severity::Rejected);
        assert_eq!(out.problems[0].record, None);
        assert_eq!(out.problems[0].reason, "unknown XML vocabulary <catalog>");
    }

    #[test]
    fn no_root_or_broken_prolog_is_rejected() {
        let out = run(b"<?xml version=\"1.0\"?>\n<!-- nothing here -->\n");
        assert_eq!(out.problems[0].reason, "no XML root element");
        let out = run(b"<?xml version=\"1.0\"?>\n\n<rss version=\"2.0\"");
        assert_eq!(out.problems.len(), 1);
        assert!(
            out.problems[0]
                .reason
                .starts_with("malformed XML at line 3, byte 23"),
            "{}",
            out.problems[0].reason
        );
    }
}
