//! Newswire SGML in the Reuters-21578 style (`.sgm`): a DOCTYPE, then a series of `<REUTERS>`
//! elements with no root. Each element is one article (record = its position in the file).
//!
//! It is SGML, not XML, so it is read with a tolerant tag scanner: `<DATE>`, `<TITLE>`,
//! `<AUTHOR>`, `<BODY>` and the category lists (`<TOPICS><D>..</D></TOPICS>` and PLACES, PEOPLE,
//! ORGS, EXCHANGES, kept as tags). `TYPE="BRIEF"` stories (title only) and `TYPE="UNPROC"` stories
//! (raw text, no title) are indexed too. Control-character references (`&#3;`) are removed and
//! entities (`&lt;`, `&amp;`) decoded, so no markup junk reaches the index.

use crate::ingest::article::DateSource;
use crate::ingest::meta::{Meta, MetaKey, split_authors};
use crate::ingest::{FileOutcome, ParseOptions, Problem, decode};

const CATEGORY_LISTS: &[&str] = &["TOPICS", "PLACES", "PEOPLE", "ORGS", "EXCHANGES"];

/// Parses every `<REUTERS>` story in the file.
pub fn parse(path: &str, bytes: &[u8], _opts: &ParseOptions, out: &mut FileOutcome) {
    let text = decode::decode(bytes, None).text;
    let mut record = 0u64;
    let mut pos = 0;
    let mut line = 1usize;
    let mut counted_to = 0;
    while let Some(start) = find_ci(&text[pos..], "<REUTERS").map(|i| pos + i) {
        line += text[counted_to..start].matches('\n').count();
        counted_to = start;
        let next_story =
            find_ci(&text[start + 8..], "<REUTERS").map_or(text.len(), |i| start + 8 + i);
        let end = find_ci(&text[start..next_story], "</REUTERS>").map(|i| start + i);
        let (block, next) = match end {
            Some(e) => (&text[start..e], e + "</REUTERS>".len()),
            None => {
                // An unterminated story: read to the next story or the end of the file.
                let stop = next_story;
                out.problems.push(Problem::warning(
                    path,
                    Some(record),
                    format!("unterminated story: line {line} has no </REUTERS>; read up to the next story"),
                ));
                (&text[start..stop], stop)
            }
        };
        let a = story(path, record, block, &mut out.problems);
        if a.title.is_empty() && a.body.is_empty() {
            // The collection counts it as a story, so it is indexed (dates and tags still count).
            out.problems.push(Problem::warning(
                path,
                Some(record),
                format!("story has no text: line {line}"),
            ));
        }
        out.articles.push(a);
        record += 1;
        pos = next;
    }
    if record == 0 {
        out.problems.push(Problem::rejected(
            path,
            None,
            "no <REUTERS> stories in the file",
        ));
    }
}

fn story(
    path: &str,
    record: u64,
    block: &str,
    problems: &mut Vec<Problem>,
) -> crate::ingest::article::Article {
    let mut meta = Meta {
        date_kind: Some(DateSource::Meta),
        ..Meta::default()
    };
    meta.set(MetaKey::Source, "Reuters");
    meta.set(MetaKey::Language, "en");
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
        let a = clean(a);
        let a = a
            .trim()
            .trim_end_matches(", Reuters")
            .trim_end_matches(", REUTERS");
        meta.authors.extend(split_authors(a));
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

/// The content of the first `<NAME ...>...</NAME>` in `s` (tag names are case-insensitive).
fn element<'a>(s: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}");
    let mut from = 0;
    loop {
        let i = from + find_ci(&s[from..], &open)?;
        let after = s.as_bytes().get(i + open.len()).copied();
        // `<D>` must not match `<DATE>`.
        if matches!(after, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r')) {
            let content_start = i + s[i..].find('>')? + 1;
            let close = format!("</{name}>");
            let end = find_ci(&s[content_start..], &close).map_or(s.len(), |j| content_start + j);
            return Some(&s[content_start..end]);
        }
        from = i + open.len();
    }
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

/// Joins hard-wrapped lines into paragraphs: an indented line starts a new paragraph.
fn unwrap_lines(text: &str) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        let starts_para =
            line.starts_with("    ") || line.starts_with('\t') || line.trim().is_empty();
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
        assert_eq!(a.source.as_deref(), Some("Reuters"));
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
        parse("/r/x.sgm", &bytes, &ParseOptions::default(), &mut out);
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
        assert_eq!(out.problems[0].reason, "no <REUTERS> stories in the file");
    }
}
