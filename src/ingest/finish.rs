//! What happens to every article, whatever its format, once its reader is done: HTML entities
//! decoded in every text field (also the ampersand-less debris `#39;`, `quot;` that some
//! exports leave), authors cleaned of placeholders and role prefixes, and an outlet and section
//! read from the URL when the record names none (with provenance).
//!
//! Corpus-level clean-up (site suffixes of titles, boilerplate lines) needs many articles of one
//! outlet and happens in the index layer (`index::boilerplate`).

use std::borrow::Cow;

use crate::ingest::article::{Article, Provenance};

/// Applies the format-independent clean-up to one article.
pub fn finish(a: &mut Article) {
    decode_in_place(&mut a.title);
    decode_in_place(&mut a.body);
    for v in [&mut a.source, &mut a.section].into_iter().flatten() {
        decode_in_place(v);
    }
    for v in a.authors.iter_mut().chain(&mut a.tags) {
        decode_in_place(v);
    }
    a.authors = clean_authors(std::mem::take(&mut a.authors));
    if a.source.is_none()
        && let Some(host) = a.url.as_deref().and_then(url_host)
    {
        a.source = Some(site_of_host(&host));
        a.source_from = Some(Provenance::Url);
    }
    if a.section.is_none()
        && let Some(section) = a.url.as_deref().and_then(section_in_url)
    {
        a.section = Some(section);
        a.section_from = Some(Provenance::Url);
    }
}

fn decode_in_place(s: &mut String) {
    if let Cow::Owned(d) = decode_entities(s) {
        *s = d;
    }
}

/// Entity names that also occur as debris without their `&` (`quot;Hello quot;`), decoded only
/// where a word starts.
const DEBRIS_NAMES: &[(&str, &str)] = &[
    ("quot;", "\""),
    ("amp;", "&"),
    ("lt;", "<"),
    ("gt;", ">"),
    ("apos;", "'"),
    ("nbsp;", " "),
];

/// Decodes HTML character references: named (`&eacute;`, the HTML5 table via quick-xml),
/// numeric (`&#39;`, `&#x27;`), and the debris left when an export dropped the ampersand
/// (`#39;`, `#36;`, `quot;`) where it is clearly that: `#` and 2 to 5 digits and `;`, or one of
/// a few entity names right after a space or punctuation. A double-encoded reference
/// (`&amp;#39;`) is decoded twice. Anything else (a lone `&`, `&unknown;`) stays as it is.
pub fn decode_entities(s: &str) -> Cow<'_, str> {
    if !s.contains(';') {
        return Cow::Borrowed(s);
    }
    let mut out = match decode_once(s) {
        Cow::Borrowed(_) => return Cow::Borrowed(s),
        Cow::Owned(o) => o,
    };
    // `&amp;#39;` becomes `&#39;` on the first pass.
    if out.contains('&')
        && let Cow::Owned(again) = decode_once(&out)
    {
        out = again;
    }
    Cow::Owned(out)
}

fn decode_once(s: &str) -> Cow<'_, str> {
    let bytes = s.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0; // bytes of `s` already in `out`
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let found = match b {
            b'&' => reference_at(s, i + 1).map(|(text, len)| (i, len + 1, text)),
            b'#' if debris_may_start(s, i) => numeric_at(s, i + 1)
                .filter(|(_, len)| (3..=6).contains(len))
                .map(|(c, len)| (i, len + 1, Cow::Owned(c.to_string()))),
            b'a' | b'q' | b'l' | b'g' | b'n' if debris_may_start(s, i) => DEBRIS_NAMES
                .iter()
                .find(|(name, _)| s[i..].starts_with(name))
                .map(|(name, text)| (i, name.len(), Cow::Borrowed(*text))),
            _ => None,
        };
        match found {
            Some((start, len, text)) => {
                let o = out.get_or_insert_with(|| String::with_capacity(s.len()));
                let mut keep = &s[copied..start];
                // `Fed #39;s` (the `&` became a space): the apostrophe joins its word again.
                if b == b'#'
                    && (text == "'" || text == "\u{2019}")
                    && keep.ends_with(' ')
                    && keep[..keep.len() - 1]
                        .chars()
                        .next_back()
                        .is_some_and(char::is_alphanumeric)
                    && s[start + len..]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphanumeric)
                {
                    keep = &keep[..keep.len() - 1];
                }
                o.push_str(keep);
                o.push_str(&text);
                i = start + len;
                copied = i;
            }
            None => i += 1,
        }
    }
    match out {
        None => Cow::Borrowed(s),
        Some(mut o) => {
            o.push_str(&s[copied..]);
            Cow::Owned(o)
        }
    }
}

/// True when ampersand-less debris may start at byte `i`: at the start, or after a space or
/// an opening bracket or quote (never inside a word, nor right after another reference).
fn debris_may_start(s: &str, i: usize) -> bool {
    s[..i]
        .chars()
        .next_back()
        .is_none_or(|c| c.is_whitespace() || "([{\"'-/".contains(c))
}

/// The reference after an `&` at `start`: its text and length (up to and including `;`).
fn reference_at(s: &str, start: usize) -> Option<(Cow<'static, str>, usize)> {
    let rest = s.get(start..)?;
    if rest.starts_with('#') {
        let (c, len) = numeric_at(s, start + 1)?;
        return Some((Cow::Owned(c.to_string()), len + 1));
    }
    let end = rest.bytes().take(32).position(|b| b == b';')?;
    let name = &rest[..end];
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let text = quick_xml::escape::resolve_html5_entity(name)?;
    Some((Cow::Borrowed(text), end + 1))
}

/// A numeric reference body at `start` (`39;` or `x27;`): the character and the length read.
fn numeric_at(s: &str, start: usize) -> Option<(char, usize)> {
    let rest = s.get(start..)?;
    let (digits, radix, skip) = match rest.as_bytes().first()? {
        b'x' | b'X' => (&rest[1..], 16, 1),
        _ => (rest, 10, 0),
    };
    let end = digits.bytes().take(8).position(|b| b == b';')?;
    let num = &digits[..end];
    if num.is_empty() || !num.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let code = u32::from_str_radix(num, radix).ok()?;
    let c = match code {
        // Windows-1252 quotes and dashes, as old CMSs wrote them.
        0x91 | 0x92 => '\u{2019}',
        0x93 | 0x94 => '"',
        0x96 => '\u{2013}',
        0x97 => '\u{2014}',
        _ => char::from_u32(code)?,
    };
    if c.is_control() && !matches!(c, '\t' | '\n') {
        return None;
    }
    Some((c, skip + end + 1))
}

/// Names that stand where no author is known.
const PLACEHOLDER_AUTHORS: &[&str] = &[
    "unknown",
    "unknown author",
    "staff",
    "staff writer",
    "staff reporter",
    "staff report",
    "our staff",
    "admin",
    "administrator",
    "anonymous",
    "n/a",
    "na",
    "none",
    "null",
    "undefined",
    "author",
    "editor",
    "reporter",
    "guest",
    "web desk",
    "news desk",
    "newsdesk",
];

/// Words that open a byline before ` by `: "Analysis by", "Opinion by", "Reporting by".
const ROLE_WORDS: &[&str] = &[
    "analysis",
    "opinion",
    "commentary",
    "comment",
    "review",
    "reviewed",
    "reporting",
    "reported",
    "additional reporting",
    "written",
    "story",
    "words",
    "text",
    "interview",
    "column",
    "essay",
    "perspective",
    "editorial",
    "edited",
    "posted",
    "published",
    "updated",
    "news analysis",
    "a column",
    "an opinion",
];

/// Authors without placeholders ("Unknown", "Staff"), role prefixes ("Analysis by X" -> "X",
/// "By X" -> "X") or repeats.
pub fn clean_authors(authors: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(authors.len());
    for a in authors {
        let name = strip_role(a.trim())
            .trim()
            .trim_end_matches(['.', ','])
            .trim();
        let lower = name.to_lowercase();
        if name.is_empty()
            || !name.chars().any(char::is_alphabetic)
            || PLACEHOLDER_AUTHORS.contains(&lower.as_str())
        {
            continue;
        }
        if !out.iter().any(|o| o.to_lowercase() == lower) {
            out.push(name.to_string());
        }
    }
    out
}

fn strip_role(name: &str) -> &str {
    let lower = name.to_lowercase();
    if let Some(rest) = lower
        .strip_prefix("by ")
        .or_else(|| lower.strip_prefix("by:"))
    {
        return &name[name.len() - rest.len()..];
    }
    for sep in [" by ", " by:"] {
        if let Some(pos) = lower.find(sep) {
            let role = lower[..pos].trim_end_matches(':').trim();
            if ROLE_WORDS.contains(&role) {
                return &name[pos + sep.len()..];
            }
        }
    }
    if let Some((role, rest)) = lower.split_once(':')
        && ROLE_WORDS.contains(&role.trim())
    {
        return &name[name.len() - rest.len()..];
    }
    name
}

/// The host of an `http(s)` URL, lower-cased, without a port.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url
        .trim()
        .strip_prefix("https://")
        .or_else(|| url.trim().strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?.split(':').next()?;
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    (host.contains('.')
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'))
    .then_some(host)
}

/// The registrable site of a host, as a readable outlet name: `lite.planet.com` -> `planet.com`,
/// `www.bbc.co.uk` -> `bbc.co.uk`.
pub fn site_of_host(host: &str) -> String {
    let labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    if labels.len() <= 2 {
        return labels.join(".");
    }
    let n = labels.len();
    // `co.uk`, `com.au`, `org.br`: a country code under a short generic label.
    let second = labels[n - 2];
    let keep = if labels[n - 1].len() == 2
        && matches!(
            second,
            "co" | "com" | "org" | "net" | "ac" | "gov" | "edu" | "ne" | "or" | "go" | "gob"
        ) {
        3
    } else {
        2
    };
    labels[n - keep..].join(".")
}

/// A section named in a news URL next to its `/YYYY/MM/DD/` date: `/2026/04/09/politics/slug`
/// or `/politics/2026/04/09/slug`. Only a short word (letters and hyphens), never the article's
/// own slug (the last segment).
pub fn section_in_url(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.split(['?', '#']).next()?;
    let segs: Vec<&str> = path.split('/').skip(1).filter(|s| !s.is_empty()).collect();
    let is_num = |s: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    let word = |s: &str| {
        (2..=24).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
            && !s.starts_with('-')
    };
    let date_at = (0..segs.len().saturating_sub(2)).find(|&i| {
        is_num(segs[i], 4..=4) && is_num(segs[i + 1], 1..=2) && is_num(segs[i + 2], 1..=2)
    })?;
    let last = segs.len() - 1;
    let after = date_at + 3;
    if after < last && word(segs[after]) {
        return Some(segs[after].to_string());
    }
    if date_at > 0 && word(segs[date_at - 1]) {
        return Some(segs[date_at - 1].to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_named_numeric_and_debris() {
        assert_eq!(decode_entities("caf&eacute; &amp; bar"), "café & bar");
        assert_eq!(decode_entities("it&#39;s &#x27;x&#X27;"), "it's 'x'");
        assert_eq!(decode_entities("Fed #39;s rate"), "Fed's rate");
        assert_eq!(decode_entities("costs #36;5"), "costs $5");
        assert_eq!(
            decode_entities("he said quot;no quot; and &lt;b&gt;"),
            "he said \"no \" and <b>"
        );
        assert_eq!(decode_entities("&amp;#39;double&amp;quot;"), "'double\"");
    }

    #[test]
    fn entities_leave_ordinary_text_alone() {
        for s in [
            "AT&T; Q&A",
            "issue #1; item #2345678;",
            "tag#39; stays",
            "&unknownname; &;",
            "frequent; lots; of; semicolons",
            "a #hashtag;",
        ] {
            assert_eq!(decode_entities(s), s, "{s}");
            assert!(matches!(decode_entities(s), Cow::Borrowed(_)));
        }
        // A control character is never produced.
        assert_eq!(decode_entities("x&#27;y"), "x&#27;y");
    }

    #[test]
    fn authors_lose_placeholders_and_roles() {
        let a = |v: &[&str]| clean_authors(v.iter().map(|s| s.to_string()).collect());
        assert_eq!(
            a(&[
                "Analysis by Jane Roe",
                "Unknown",
                "STAFF",
                "By John Poe",
                "jane roe"
            ]),
            ["Jane Roe", "John Poe"]
        );
        assert_eq!(a(&["Opinion by Al Bee"]), ["Al Bee"]);
        assert_eq!(a(&["Reporting by: Ca Dee"]), ["Ca Dee"]);
        // A name that merely contains "by" stays.
        assert_eq!(
            a(&["Derby Stone", "Ruby Bybee"]),
            ["Derby Stone", "Ruby Bybee"]
        );
    }

    #[test]
    fn outlet_and_section_from_the_url() {
        assert_eq!(
            url_host("https://lite.planet.com:443/2026/04/09/politics/x").as_deref(),
            Some("lite.planet.com")
        );
        assert_eq!(site_of_host("lite.planet.com"), "planet.com");
        assert_eq!(site_of_host("www.bbc.co.uk"), "bbc.co.uk");
        assert_eq!(site_of_host("example.org"), "example.org");
        assert_eq!(url_host("file:///a/b"), None);
        assert_eq!(
            section_in_url("https://p.com/2026/04/09/politics/vote-count").as_deref(),
            Some("politics")
        );
        assert_eq!(
            section_in_url("https://p.com/world/2026/04/09/vote-count").as_deref(),
            Some("world")
        );
        assert_eq!(section_in_url("https://p.com/2026/04/09/vote-count"), None);
        assert_eq!(section_in_url("https://p.com/politics/vote-count"), None);
    }

    #[test]
    fn finish_fills_outlet_and_section_with_provenance() {
        let mut a = Article {
            title: "Vote &amp; count".into(),
            url: Some("https://lite.planet.com/2026/04/09/politics/vote".into()),
            authors: vec!["Analysis by Ann Lee".into(), "Unknown".into()],
            ..Default::default()
        };
        finish(&mut a);
        assert_eq!(a.title, "Vote & count");
        assert_eq!(a.source.as_deref(), Some("planet.com"));
        assert_eq!(a.source_from, Some(Provenance::Url));
        assert_eq!(a.section.as_deref(), Some("politics"));
        assert_eq!(a.section_from, Some(Provenance::Url));
        assert_eq!(a.authors, ["Ann Lee"]);
    }
}
