//! What the XML readers (RSS/Atom in [`feed`](super::feed), [`nitf`](super::nitf)) share: a
//! [`Cursor`] over quick-xml's streaming reader that can
//! resume after a syntax error, entity handling that never expands DTD-defined entities, and a
//! [`Capture`] that turns an element's content into plain text or HTML source.
//!
//! Security: the DTD (`<!DOCTYPE ... [<!ENTITY ...>]>`) is skipped unread. Only the five XML
//! entities and character references are resolved; any other `&name;` is kept as written (HTML
//! content then resolves the HTML entities among them), so "billion laughs" files cost nothing
//! and external entities are never fetched. Nesting depth is tracked with explicit stacks.

use std::borrow::Cow;
use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::ingest::formats::markup::fragment_to_text;

/// The local part of a qualified name (`dc:creator` → `creator`).
pub(crate) fn local(qname: &str) -> &str {
    qname.rsplit_once(':').map_or(qname, |(_, l)| l)
}

/// The prefix of a qualified name (`dc:creator` → `dc`), if it has one.
pub(crate) fn prefix(qname: &str) -> Option<&str> {
    qname.split_once(':').map(|(p, _)| p)
}

/// A syntax error, at a byte offset into the decoded text.
#[derive(Debug, Clone)]
pub(crate) struct XmlError {
    pub pos: usize,
    pub message: String,
}

/// quick-xml's streaming reader over the whole decoded text, restartable at a later offset after
/// an error (quick-xml stops for good at its first error).
pub(crate) struct Cursor<'a> {
    text: &'a str,
    reader: Reader<&'a [u8]>,
    /// Offset of the reader's input within `text`.
    base: usize,
    /// Line-number cache: the line (1-based) at byte `line_at.0`.
    line_at: (usize, usize),
}

impl<'a> Cursor<'a> {
    pub fn new(text: &'a str) -> Cursor<'a> {
        Cursor {
            text,
            reader: make_reader(text, false),
            base: 0,
            line_at: (0, 1),
        }
    }

    /// The next event. Entity references come as `Event::GeneralRef` and are never expanded.
    pub fn next(&mut self) -> Result<Event<'a>, XmlError> {
        self.reader.read_event().map_err(|e| XmlError {
            pos: (self.base + self.reader.error_position() as usize).min(self.text.len()),
            message: e.to_string(),
        })
    }

    /// Byte offset just past the last event.
    pub fn position(&self) -> usize {
        (self.base + self.reader.buffer_position() as usize).min(self.text.len())
    }

    /// Continues reading at byte `pos` (which must start a tag), with a fresh reader that accepts
    /// end tags whose start it never saw.
    pub fn resume_at(&mut self, pos: usize) {
        let pos = pos.min(self.text.len());
        let rest = self.text.get(pos..).unwrap_or("");
        self.reader = make_reader(rest, true);
        self.base = pos;
    }

    /// The offset of the next start tag `<qname` (followed by whitespace, `>` or `/`) at or after
    /// `from`.
    pub fn find_start_tag(&self, from: usize, qname: &str) -> Option<usize> {
        let needle = format!("<{qname}");
        let bytes = self.text.as_bytes();
        let mut at = from;
        while at < bytes.len() {
            let i = at + find_bytes(&bytes[at..], needle.as_bytes())?;
            match bytes.get(i + needle.len()) {
                Some(b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/') => return Some(i),
                _ => at = i + 1,
            }
        }
        None
    }

    /// `line 14, byte 612` for an offset into the text.
    pub fn describe(&mut self, pos: usize) -> String {
        let pos = pos.min(self.text.len());
        let (from, mut line) = if pos >= self.line_at.0 {
            self.line_at
        } else {
            (0, 1)
        };
        line += self.text.as_bytes()[from..pos]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.line_at = (pos, line);
        format!("line {line}, byte {pos}")
    }
}

fn make_reader(text: &str, resumed: bool) -> Reader<&[u8]> {
    let mut r = Reader::from_str(text);
    let c = r.config_mut();
    c.allow_dangling_amp = true;
    c.check_end_names = true;
    c.allow_unmatched_ends = resumed;
    c.expand_empty_elements = false;
    r
}

fn find_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Where an end tag that does not close the innermost element closes an outer one (after
/// recovery, or in a reader that allows unmatched ends). Only the innermost 256 levels are
/// searched, so a run of stray end tags stays linear.
/// Closes element `name` on an open-element stack, also closing any unclosed children inside it.
/// Returns false (and changes nothing) for a stray end tag with no matching open element.
pub(crate) fn close_element(stack: &mut Vec<String>, name: &str) -> bool {
    if stack.last().is_some_and(|s| s == name) {
        stack.pop();
    } else if let Some(i) = find_open(stack, name) {
        stack.truncate(i);
    } else {
        return false;
    }
    true
}

fn find_open(stack: &[String], name: &str) -> Option<usize> {
    let floor = stack.len().saturating_sub(256);
    stack[floor..]
        .iter()
        .rposition(|s| s == name)
        .map(|i| floor + i)
}

/// The five XML entities and character references.
pub(crate) fn predefined_entity(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code).filter(|&c| c != '\0')
        }
    }
}

/// Resolves entity references for plain text: XML entities and character references, then the
/// HTML named entities (`&nbsp;`, `&mdash;`: common in feeds and NITF, which declare them in a
/// DTD newsdex does not read). Anything else is kept as written. Never expands DTD entities.
#[derive(Default)]
pub(crate) struct Entities {
    html: HashMap<String, Option<String>>,
}

impl Entities {
    /// The text an entity reference stands for in plain text.
    pub fn plain(&mut self, name: &str) -> Cow<'static, str> {
        if let Some(c) = predefined_entity(name) {
            return Cow::Owned(c.to_string());
        }
        if let Some(found) = self.html_entity(name) {
            return Cow::Owned(found);
        }
        Cow::Owned(format!("&{name};"))
    }

    fn html_entity(&mut self, name: &str) -> Option<String> {
        if name.is_empty() || name.len() > 32 || !name.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        if let Some(known) = self.html.get(name) {
            return known.clone();
        }
        if self.html.len() > 4096 {
            return None;
        }
        // Let the HTML parser resolve it: `[&eacute;]` → `[é]`; unknown names come back as is.
        let probe = fragment_to_text(&format!("[&{name};]"));
        let resolved = probe
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .filter(|s| *s != format!("&{name};") && s.chars().count() <= 2)
            .map(|s| {
                if s.is_empty() {
                    " ".to_string()
                } else {
                    s.to_string()
                }
            });
        self.html.insert(name.to_string(), resolved.clone());
        resolved
    }

    /// Resolves the references in raw text (an attribute value).
    pub fn unescape(&mut self, raw: &str) -> String {
        let mut out = String::with_capacity(raw.len());
        let mut rest = raw;
        while let Some(i) = rest.find('&') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            match after.find(';') {
                Some(j) if j > 0 && j <= 40 && !after[..j].contains([' ', '&', '<']) => {
                    out.push_str(&self.plain(&after[..j]));
                    rest = &after[j + 1..];
                }
                _ => {
                    out.push('&');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// The value of the attribute with qualified name `name`, entities resolved.
pub(crate) fn attr(e: &BytesStart<'_>, name: &str, ents: &mut Entities) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| ents.unescape(&a.value))
}

/// How captured content is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The characters of the content, markup dropped, entities resolved.
    Plain,
    /// HTML source: the element's text unescaped once (escaped or CDATA HTML, as feeds carry it),
    /// and child elements (inline XHTML) re-serialised as markup.
    Html,
}

/// Collects the content of one element, from just after its start tag up to its end tag.
pub(crate) struct Capture {
    pub mode: Mode,
    depth: usize,
    pub buf: String,
}

impl Capture {
    pub fn new(mode: Mode) -> Capture {
        Capture {
            mode,
            depth: 0,
            buf: String::new(),
        }
    }

    /// Takes one event from inside the element. Returns true at the element's own end tag.
    pub fn feed(&mut self, ev: &Event<'_>, ents: &mut Entities) -> bool {
        let html = self.mode == Mode::Html;
        let nested = self.depth > 0;
        match ev {
            Event::Start(e) => {
                self.depth += 1;
                if html {
                    self.buf.push('<');
                    self.buf.push_str(e);
                    self.buf.push('>');
                }
            }
            Event::Empty(e) if html => {
                self.buf.push('<');
                self.buf.push_str(e.trim_end_matches('/'));
                self.buf.push_str("/>");
            }
            Event::End(e) => {
                if self.depth == 0 {
                    return true;
                }
                self.depth -= 1;
                if html {
                    self.buf.push_str("</");
                    self.buf.push_str(e);
                    self.buf.push('>');
                }
            }
            Event::Text(t) => {
                let t = t.xml10_content();
                if html && nested {
                    push_escaped(&mut self.buf, &t);
                } else {
                    self.buf.push_str(&t);
                }
            }
            Event::CData(t) => {
                if html && nested {
                    push_escaped(&mut self.buf, t);
                } else {
                    self.buf.push_str(t);
                }
            }
            Event::GeneralRef(r) => {
                let name: &str = r;
                if !html {
                    self.buf.push_str(&ents.plain(name));
                } else if !nested && let Some(c) = predefined_entity(name) {
                    // Escaped HTML: `&lt;p&gt;` is the markup `<p>`.
                    self.buf.push(c);
                } else {
                    // Inside markup, or an HTML entity: the HTML parser resolves it.
                    self.buf.push('&');
                    self.buf.push_str(name);
                    self.buf.push(';');
                }
            }
            _ => {}
        }
        false
    }
}

fn push_escaped(buf: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => buf.push_str("&amp;"),
            '<' => buf.push_str("&lt;"),
            '>' => buf.push_str("&gt;"),
            c => buf.push(c),
        }
    }
}

/// Whitespace runs collapsed to single spaces, trimmed.
pub(crate) fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Plain text kept as paragraphs: blank lines separate them, other whitespace is collapsed.
pub(crate) fn plain_paragraphs(s: &str) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in s.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(collapse(&current.join(" ")));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(collapse(&current.join(" ")));
    }
    paragraphs.retain(|p| !p.is_empty());
    paragraphs.join("\n\n")
}

/// One line of text from something that may hold HTML (feed titles often carry escaped markup
/// or doubly escaped entities).
pub(crate) fn inline_text(s: &str) -> String {
    if s.contains(['<', '&']) {
        collapse(&fragment_to_text(s))
    } else {
        collapse(s)
    }
}

/// The primary language subtag, lowercased: `en-US` → `en`.
pub(crate) fn primary_language(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?.trim();
    (!primary.is_empty() && primary.len() <= 8 && primary.chars().all(|c| c.is_ascii_alphabetic()))
        .then(|| primary.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_resolve_without_expanding_dtd_ones() {
        let mut e = Entities::default();
        assert_eq!(e.plain("amp"), "&");
        assert_eq!(e.plain("#233"), "é");
        assert_eq!(e.plain("#x2014"), "—");
        assert_eq!(e.plain("mdash"), "—");
        assert_eq!(e.plain("nbsp"), " ");
        assert_eq!(e.plain("lol9"), "&lol9;");
        assert_eq!(e.plain("#0"), "&#0;");
        assert_eq!(e.plain("#xFFFFFFFF"), "&#xFFFFFFFF;");
        assert_eq!(
            e.unescape("Q&amp;A &bogus; & more &#38;"),
            "Q&A &bogus; & more &"
        );
    }

    #[test]
    fn helpers() {
        assert_eq!(primary_language(" en-US "), Some("en".into()));
        assert_eq!(primary_language("DE"), Some("de".into()));
        assert_eq!(primary_language("12"), None);
        assert_eq!(
            inline_text("Fish &amp; chips\n  tonight"),
            "Fish & chips tonight"
        );
        assert_eq!(inline_text("<b>Bold</b> move"), "Bold move");
        assert_eq!(plain_paragraphs("a\n b\n\n\n c "), "a b\n\nc");
        assert_eq!(local("dc:creator"), "creator");
        assert_eq!(prefix("dc:creator"), Some("dc"));
        assert_eq!(prefix("title"), None);
    }

    #[test]
    fn cursor_resumes_after_an_error() {
        let text = "<a><b>one</c><b>two</b></a>";
        let mut cur = Cursor::new(text);
        let mut err = None;
        loop {
            match cur.next() {
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(e) => {
                    err = Some(e);
                    break;
                }
            }
        }
        let err = err.expect("mismatched end tag");
        let at = cur.find_start_tag(err.pos + 1, "b").expect("next <b>");
        assert_eq!(at, 13);
        cur.resume_at(at);
        let mut texts = Vec::new();
        loop {
            match cur.next() {
                Ok(Event::Text(t)) => texts.push(t.xml10_content().into_owned()),
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{}", e.message),
            }
        }
        assert_eq!(texts, ["two"]);
        assert_eq!(cur.find_start_tag(0, "bb"), None);
    }
}
