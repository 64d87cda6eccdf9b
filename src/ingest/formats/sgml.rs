//! Newswire SGML (`.sgm`): a series of story elements with no root, each one article (record =
//! its position in the file). Two layouts are read, told apart by the first story element:
//!
//! - Reuters-21578 (`<REUTERS NEWID="..">`): `<DATE>`, `<TITLE>`, `<AUTHOR>`, `<BODY>` and the
//!   category lists (`<TOPICS><D>..</D></TOPICS>` and PLACES, PEOPLE, ORGS, EXCHANGES, kept as
//!   tags). `TYPE="BRIEF"` stories (title only) and `TYPE="UNPROC"` stories (raw text, no title)
//!   are indexed too.
//! - TREC (`<DOC>`): `<DOCNO>`, the headline from `<HEADLINE>`, `<HL>`, `<TITLE>` or `<HEAD>`,
//!   the date from `<DATE>` or `<DATE_TIME>` (or a `<DATELINE>` that is a date), the byline from
//!   `<BYLINE>` or `<AUTHOR>`, the outlet from `<SOURCE>`, `<PUB>` or `<PUBLISHER>`, and the text
//!   of every `<TEXT>` (inner tags such as `<P>` end paragraphs).
//!
//! Neither layout is assumed to come from one outlet or in one language: the outlet is what the
//! story says (an outlet element, or a byline `By Name, Outlet`), else nothing (`newsdex index
//! --source NAME DIR` names it for a folder); the language is left to detection.
//!
//! It is SGML, not XML, so it is read with a tolerant tag scanner. Control-character references
//! (`&#3;`) are removed and entities (`&lt;`, `&amp;`) decoded, so no markup junk reaches the index.

use crate::ingest::article::{Article, DateSource};
use crate::ingest::date::parse_date;
use crate::ingest::meta::{Meta, MetaKey, split_authors, strip_by};
use crate::ingest::{FileOutcome, Flush, ParseOptions, Problem, decode};

const CATEGORY_LISTS: &[&str] = &["TOPICS", "PLACES", "PEOPLE", "ORGS", "EXCHANGES"];

/// Parses every story (`<REUTERS>` or `<DOC>`) in the file.
pub fn parse(
    path: &str,
    bytes: &[u8],
    _opts: &ParseOptions,
    out: &mut FileOutcome,
    flush: &mut Flush<'_>,
) {
    let text = decode::decode(bytes, None).text;
    // The layout is that of the first story element in the file.
    let tag = match (find_open(&text, "REUTERS"), find_open(&text, "DOC")) {
        (Some(r), Some(d)) if d < r => "DOC",
        (Some(_), _) => "REUTERS",
        (None, Some(_)) => "DOC",
        (None, None) => {
            out.problems.push(Problem::rejected(
                path,
                None,
                "no <REUTERS> or <DOC> stories in the file",
            ));
            return;
        }
    };
    let close = format!("</{tag}>");
    let mut record = 0u64;
    let mut pos = 0;
    let mut line = 1usize;
    let mut counted_to = 0;
    while let Some(start) = find_open(&text[pos..], tag).map(|i| pos + i) {
        line += text[counted_to..start].matches('\n').count();
        counted_to = start;
        let after_open = start + tag.len() + 1;
        let next_story = find_open(&text[after_open..], tag).map_or(text.len(), |i| after_open + i);
        let end = find_ci(&text[start..next_story], &close).map(|i| start + i);
        let (block, next) = match end {
            Some(e) => (&text[start..e], e + close.len()),
            None => {
                // An unterminated story: read to the next story or the end of the file.
                let stop = next_story;
                out.problems.push(Problem::warning(
                    path,
                    Some(record),
                    format!(
                        "unterminated story: line {line} has no {close}; read up to the next story"
                    ),
                ));
                (&text[start..stop], stop)
            }
        };
        let a = if tag == "DOC" {
            trec_story(path, record, block, &mut out.problems)
        } else {
            story(path, record, block, &mut out.problems)
        };
        if a.title.is_empty() && a.body.is_empty() {
            // The collection counts it as a story, so it is indexed (dates and tags still count).
            out.problems.push(Problem::warning(
                path,
                Some(record),
                format!("story has no text: line {line}"),
            ));
        }
        out.articles.push(a);
        flush(out);
        record += 1;
        pos = next;
    }
}

/// Where the first `<NAME>` or `<NAME attr..>` opening tag is (not `<NAMEMORE>`).
fn find_open(s: &str, name: &str) -> Option<usize> {
    let open = format!("<{name}");
    let mut from = 0;
    loop {
        let i = from + find_ci(&s[from..], &open)?;
        let after = s.as_bytes().get(i + open.len()).copied();
        if matches!(after, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r')) {
            return Some(i);
        }
        from = i + open.len();
    }
}

/// A byline's people, and the outlet when it ends in one: `By Janie Gabbett, Reuters` gives
/// `Janie Gabbett` and `Reuters` (a one-word part after the last comma is not a person's name).
fn byline(meta: &mut Meta, text: &str) {
    let text = clean(&strip_tags(text))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let names = strip_by(&text).unwrap_or(&text);
    let names = match names.rsplit_once(',') {
        Some((people, outlet))
            if !people.trim().is_empty()
                && outlet.split_whitespace().count() == 1
                && outlet.trim().starts_with(char::is_uppercase) =>
        {
            meta.set(MetaKey::Source, outlet.trim().trim_end_matches('.'));
            people
        }
        _ => names,
    };
    meta.authors.extend(split_authors(names));
}

fn trec_story(path: &str, record: u64, block: &str, problems: &mut Vec<Problem>) -> Article {
    let mut meta = Meta {
        date_kind: Some(DateSource::Meta),
        ..Meta::default()
    };
    let field = |names: &[&str]| {
        names.iter().find_map(|n| {
            let v = element(block, n).map(|v| one_line(&clean(&strip_tags(v))))?;
            (!v.is_empty()).then_some(v)
        })
    };
    if let Some(t) = field(&["HEADLINE", "HL", "TITLE", "HEAD"]) {
        meta.title = Some(t);
    }
    let dateline = field(&["DATELINE"]).filter(|d| parse_date(d).is_ok());
    if let Some(d) = field(&["DATE", "DATE_TIME"]).or(dateline) {
        meta.set(MetaKey::Date, &d);
    }
    if let Some(s) = field(&["SOURCE", "PUB", "PUBLISHER"]) {
        meta.set(MetaKey::Source, &s);
    }
    if let Some(b) = ["BYLINE", "AUTHOR"].iter().find_map(|n| element(block, n)) {
        byline(&mut meta, b);
    }
    // Every <TEXT> of the story, in order.
    let mut body = Vec::new();
    let mut rest = block;
    while let Some(t) = element(rest, "TEXT") {
        let text = unwrap_lines(&clean(&paragraph_tags(t)));
        if !text.is_empty() {
            body.push(text);
        }
        let end = find_ci(rest, "</TEXT>").map_or(rest.len(), |i| i + "</TEXT>".len());
        if end == rest.len() {
            break;
        }
        rest = &rest[end..];
    }
    let mut a = meta.into_article(path, record, "sgml", body.join("\n\n"), problems);
    a.docno = element(block, "DOCNO")
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty());
    a
}

/// Text without its tags.
fn strip_tags(s: &str) -> String {
    replace_tags(s, " ")
}

/// Text with its tags turned into paragraph breaks (`<P>` in TREC text).
fn paragraph_tags(s: &str) -> String {
    replace_tags(s, "\n\n")
}

/// Text with each `<...>` tag replaced by `with` (an unclosed `<` is kept as text).
fn replace_tags(s: &str, with: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        match rest[i..].find('>') {
            Some(j) => {
                out.push_str(with);
                rest = &rest[i + j + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn story(path: &str, record: u64, block: &str, problems: &mut Vec<Problem>) -> Article {
    let mut meta = Meta {
        date_kind: Some(DateSource::Meta),
        ..Meta::default()
    };
    if let Some(d) = element(block, "DATE") {
        meta.set(MetaKey::Date, &clean(d));
    }
    for list in CATEGORY_LISTS {
        if let Some(inner) = element(block, list) {
            let mut rest = inner;
            while let Some(v) = element(rest, "D") {
                let v = clean(v);
                if !v.is_empty() && !meta.tags.contains(&v) {
                    meta.tags.push(v);
                }
                let after = find_ci(rest, "</D>").map_or(rest.len(), |i| i + 4);
                rest = &rest[after..];
            }
        }
    }
    let text_el = element(block, "TEXT").unwrap_or("");
    let open_tag = find_ci(block, "<TEXT")
        .map(|i| &block[i..i + block[i..].find('>').unwrap_or(0)])
        .unwrap_or("");
    let unproc = open_tag.to_ascii_uppercase().contains("UNPROC");

    if let Some(t) = element(text_el, "TITLE") {
        meta.title = Some(clean(t).split_whitespace().collect::<Vec<_>>().join(" "));
    }
    if let Some(a) = element(text_el, "AUTHOR") {
        byline(&mut meta, a);
    }
    let body = if unproc {
        let raw = clean(text_el);
        if meta.title.is_none() {
            meta.title = raw
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .map(|l| l.chars().take(150).collect());
        }
        unwrap_lines(&raw)
    } else {
        element(text_el, "BODY")
            .map(|b| unwrap_lines(&strip_signoff(&clean(b))))
            .unwrap_or_default()
    };
    let mut a = meta.into_article(path, record, "sgml", body, problems);
    a.docno = attribute(block, "NEWID");
    a
}

/// The value of `NAME="..."` in the story's opening tag.
fn attribute(block: &str, name: &str) -> Option<String> {
    let tag = &block[..block.find('>')?];
    let i = find_ci(tag, &format!("{name}=\""))? + name.len() + 2;
    let end = tag[i..].find('"')? + i;
    Some(tag[i..end].to_string())
}

/// The content of the first `<NAME ...>...</NAME>` in `s` (tag names are case-insensitive; `<D>`
/// does not match `<DATE>`, see [`find_open`]).
fn element<'a>(s: &'a str, name: &str) -> Option<&'a str> {
    let i = find_open(s, name)?;
    let content_start = i + s[i..].find('>')? + 1;
    let close = format!("</{name}>");
    let end = find_ci(&s[content_start..], &close).map_or(s.len(), |j| content_start + j);
    Some(&s[content_start..end])
}

/// ASCII case-insensitive find.
fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let n = needle.as_bytes();
    hay.as_bytes()
        .windows(n.len())
        .position(|w| w.eq_ignore_ascii_case(n))
}

/// Removes control-character references and decodes entities. Leaves other markup alone.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        // Bytes, not a str slice: byte 12 may fall inside a character.
        let end = rest.as_bytes()[..rest.len().min(12)]
            .iter()
            .position(|&b| b == b';');
        let Some(end) = end else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let replacement = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with('#') => {
                let n = if let Some(hex) = e[1..].strip_prefix(['x', 'X']) {
                    u32::from_str_radix(hex, 16).ok()
                } else {
                    e[1..].parse().ok()
                };
                match n.and_then(char::from_u32) {
                    // Control characters (wire framing bytes) are dropped entirely.
                    Some(c) if c.is_control() && c != '\n' && c != '\t' => Some('\0'),
                    other => other,
                }
            }
            _ => None,
        };
        match replacement {
            Some('\0') => {}
            Some(c) => out.push(c),
            None => out.push_str(&rest[..=end]),
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out.retain(|c| !c.is_control() || c == '\n' || c == '\t');
    out
}

/// Drops the closing `Reuter` / `REUTER` sign-off line.
fn strip_signoff(body: &str) -> String {
    let trimmed = body.trim_end();
    if let Some(i) = trimmed.rfind('\n') {
        let last = trimmed[i + 1..].trim();
        if last.eq_ignore_ascii_case("reuter") || last.eq_ignore_ascii_case("reuters") {
            return trimmed[..i].to_string();
        }
    }
    if trimmed.trim().eq_ignore_ascii_case("reuter") {
        return String::new();
    }
    trimmed.to_string()
}

/// Joins hard-wrapped lines into paragraphs: an indented line (two spaces or a tab) starts a new
/// paragraph.
fn unwrap_lines(text: &str) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        let starts_para =
            line.starts_with("  ") || line.starts_with('\t') || line.trim().is_empty();
        let l = line.trim();
        if starts_para && !cur.is_empty() {
            paragraphs.push(std::mem::take(&mut cur));
        }
        if l.is_empty() {
            continue;
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(l);
    }
    if !cur.is_empty() {
        paragraphs.push(cur);
    }
    paragraphs.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "<!DOCTYPE lewis SYSTEM \"lewis.dtd\">\n\
<REUTERS TOPICS=\"YES\" LEWISSPLIT=\"TRAIN\" CGISPLIT=\"TRAINING-SET\" OLDID=\"5544\" NEWID=\"1\">\n\
<DATE>26-FEB-1987 15:01:01.79</DATE>\n\
<TOPICS><D>cocoa</D></TOPICS>\n<PLACES><D>el-salvador</D><D>usa</D></PLACES>\n<PEOPLE></PEOPLE>\n\
<ORGS></ORGS>\n<EXCHANGES></EXCHANGES>\n<COMPANIES></COMPANIES>\n<UNKNOWN> \n&#5;&#5;&#5;C T\n</UNKNOWN>\n\
<TEXT>&#2;\n<TITLE>BAHIA COCOA REVIEW</TITLE>\n<DATELINE>    SALVADOR, Feb 26 - </DATELINE><BODY>Showers continued in\n\
the Bahia cocoa zone, said &lt;Comissaria Smith>.\n    Arrivals rose &amp; prices held.\n Reuter\n&#3;</BODY></TEXT>\n</REUTERS>\n\
<REUTERS TOPICS=\"NO\" NEWID=\"2\">\n<DATE> 2-MAR-1987 09:14:22.33&#5;&#5;&#5;RM</DATE>\n\
<TEXT TYPE=\"BRIEF\">&#2;\n******<TITLE>CHRYSLER SEES HIGHER OUTPUT\n</TITLE>\n&#3;\n</TEXT>\n</REUTERS>\n\
<REUTERS TOPICS=\"NO\" NEWID=\"3\">\n<DATE>3-MAR-1987 10:00:00.00</DATE>\n\
<TEXT TYPE=\"UNPROC\">&#2;\nf0001 reute\nu f BC-RAW-STORY 03-03 0050\nRaw wire text about grain exports.\n&#3;</TEXT>\n</REUTERS>\n\
<REUTERS NEWID=\"4\"><DATE>4-MAR-1987 10:00:00.00</DATE><TEXT>&#2;&#3;</TEXT></REUTERS>\n\
<REUTERS NEWID=\"5\"><DATE>5-MAR-1987 10:00:00.00</DATE><TEXT><TITLE>AFTER A BAD ONE</TITLE><AUTHOR>    By Janie Gabbett, Reuters</AUTHOR><BODY>Fine.</BODY></TEXT></REUTERS>\n";

    fn run(s: &str) -> FileOutcome {
        let mut out = FileOutcome::default();
        parse(
            "/r/reut2-000.sgm",
            s.as_bytes(),
            &ParseOptions::default(),
            &mut out,
            &mut crate::ingest::keep_all,
        );
        out
    }

    #[test]
    fn normal_story_fields() {
        let out = run(SAMPLE);
        let a = &out.articles[0];
        assert_eq!(a.title, "BAHIA COCOA REVIEW");
        assert_eq!(
            a.body,
            "Showers continued in the Bahia cocoa zone, said <Comissaria Smith>.\n\nArrivals rose & prices held."
        );
        assert_eq!(a.published.unwrap().to_rfc3339(), "1987-02-26T15:01:01Z");
        assert_eq!(a.date_source, Some(DateSource::Meta));
        assert_eq!(a.tags, ["cocoa", "el-salvador", "usa"]);
        // The collection's name is no outlet: nothing in this story names one.
        assert_eq!(a.source, None);
        assert_eq!(a.language, None);
        assert_eq!(a.record, 0);
        assert_eq!(a.format, "sgml");
        assert_eq!(a.docno.as_deref(), Some("1"));
    }

    #[test]
    fn brief_unproc_empty_and_author() {
        let out = run(SAMPLE);
        assert_eq!(out.articles.len(), 5);
        let brief = &out.articles[1];
        assert_eq!(brief.title, "CHRYSLER SEES HIGHER OUTPUT");
        assert_eq!(brief.body, "");
        assert_eq!(
            brief.published.unwrap().to_rfc3339(),
            "1987-03-02T09:14:22Z"
        );
        let raw = &out.articles[2];
        assert_eq!(raw.title, "f0001 reute");
        assert!(raw.body.contains("Raw wire text about grain exports."));
        assert!(!raw.body.contains("&#"));
        // Story 4 has no text at all: kept (it is a story of the collection) with a warning.
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].record, Some(3));
        assert_eq!(out.problems[0].severity, crate::ingest::Severity::Warning);
        assert_eq!(out.articles[3].title, "");
        assert_eq!(out.articles[4].authors, ["Janie Gabbett"]);
        // Its byline names the outlet.
        assert_eq!(out.articles[4].source.as_deref(), Some("Reuters"));
        assert_eq!(out.articles[4].record, 4);
    }

    #[test]
    fn control_references_and_stray_bytes_never_reach_text() {
        assert_eq!(clean("a&#3;b&#127;c &lt;VIA> &amp;&#x41;"), "abc <VIA> &A");
        assert_eq!(clean("AT&T earns & more"), "AT&T earns & more");
        let mut bytes = SAMPLE.replace("Showers", "Sch\u{fc}ers").into_bytes();
        // Latin-1 byte in an otherwise ASCII file, as in reut2-017.sgm.
        let i = bytes
            .windows(2)
            .position(|w| w == "\u{fc}".as_bytes())
            .unwrap();
        bytes.splice(i..i + 2, [0xFC]);
        let mut out = FileOutcome::default();
        parse(
            "/r/x.sgm",
            &bytes,
            &ParseOptions::default(),
            &mut out,
            &mut crate::ingest::keep_all,
        );
        assert_eq!(out.articles.len(), 5);
        assert!(out.articles[0].body.starts_with("Schüers continued"));
    }

    #[test]
    fn unterminated_story_is_kept_and_reported() {
        let s = "<REUTERS NEWID=\"1\"><TEXT><TITLE>ONE</TITLE><BODY>First.</BODY></TEXT>\n\
                 <REUTERS NEWID=\"2\"><TEXT><TITLE>TWO</TITLE><BODY>Second.</BODY></TEXT></REUTERS>";
        let out = run(s);
        let titles: Vec<_> = out.articles.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(titles, ["ONE", "TWO"]);
        assert_eq!(out.problems.len(), 1);
    }

    #[test]
    fn not_sgml_at_all() {
        let out = run("just some text");
        assert!(out.articles.is_empty());
        assert_eq!(
            out.problems[0].reason,
            "no <REUTERS> or <DOC> stories in the file"
        );
    }

    #[test]
    fn trec_documents() {
        let s = "<DOC>\n<DOCNO> LA010189-0001 </DOCNO>\n<DOCID>1</DOCID>\n\
<DATE><P>January 1, 1989, Sunday, Home Edition</P></DATE>\n<SECTION><P>Metro</P></SECTION>\n\
<HEADLINE><P>HARBOR &amp; PORT</P><P>Ships wait off the breakwater</P></HEADLINE>\n\
<BYLINE><P>By MARIA OKAFOR, Times Staff Writer</P></BYLINE>\n\
<TEXT><P>Forty ships waited off the\nbreakwater on Saturday.</P><P>The port said it would clear them.</P></TEXT>\n</DOC>\n\
<DOC><DOCNO>AP880212-0001</DOCNO><HEAD>Second story</HEAD><DATELINE>WASHINGTON (AP)</DATELINE>\n\
<TEXT>\n   First paragraph of the wire text.\n   Second paragraph.\n</TEXT></DOC>\n\
<DOC><DOCNO>X-3</DOCNO><HL>Third</HL><DATELINE>March 3, 1990</DATELINE><PUB>Evening Courier</PUB><TEXT>Body.</TEXT></DOC>\n";
        let out = run(s);
        assert_eq!(out.articles.len(), 3, "{:?}", out.problems);
        let a = &out.articles[0];
        assert_eq!(a.docno.as_deref(), Some("LA010189-0001"));
        assert_eq!(a.title, "HARBOR & PORT Ships wait off the breakwater");
        assert_eq!(
            a.body,
            "Forty ships waited off the breakwater on Saturday.\n\nThe port said it would clear them."
        );
        assert_eq!(
            a.published.map(|p| p.local_day.to_string()).as_deref(),
            Some("1989-01-01")
        );
        assert_eq!(a.source, None);
        let b = &out.articles[1];
        assert_eq!(b.title, "Second story");
        assert_eq!(
            b.body,
            "First paragraph of the wire text.\n\nSecond paragraph."
        );
        // A dateline that is a place is not a date.
        assert_eq!(b.published, None);
        let c = &out.articles[2];
        assert_eq!(c.source.as_deref(), Some("Evening Courier"));
        assert_eq!(
            c.published.map(|p| p.local_day.to_string()).as_deref(),
            Some("1990-03-03")
        );
        assert_eq!(c.record, 2);
        // `<DOCNO>` and `<DOCID>` are not stories.
        assert!(
            out.problems
                .iter()
                .all(|p| p.severity != crate::ingest::Severity::Rejected)
        );
    }
}
