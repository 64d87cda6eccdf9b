//! Markdown articles (`.md`) with optional YAML front matter.
//!
//! Front matter is read with a small YAML subset (scalars, quoted strings, `[a, b]` lists and
//! `- item` lists), which is what front matter in news archives uses; nested maps are skipped.
//! The body is turned into plain text: heading marks, emphasis, link targets and images go.

use crate::ingest::Problem;
use crate::ingest::article::Article;
use crate::ingest::formats::text::join_paragraphs;
use crate::ingest::meta::{Meta, meta_key};

/// Parses one Markdown article. Returns `None` when the file holds no text.
pub fn parse(path: &str, text: &str, problems: &mut Vec<Problem>) -> Option<Article> {
    let text = text.trim_start_matches('\u{feff}');
    let mut meta = Meta::default();
    let body_md = match split_front_matter(text) {
        Some((fm, rest)) => {
            for (k, values) in parse_front_matter(fm) {
                if let Some(key) = meta_key(&k) {
                    for v in values {
                        meta.set(key, &v);
                    }
                }
            }
            rest
        }
        None => text,
    };

    let mut lines: Vec<String> = Vec::new();
    let mut in_fence = false;
    for raw in body_md.lines() {
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            lines.push(line.to_string());
            continue;
        }
        // The first level-one heading is the headline when the front matter gave none.
        if let Some(h) = trimmed.strip_prefix("# ") {
            let h = inline_to_text(h.trim());
            if meta.title.is_none() {
                meta.title = Some(h);
                continue;
            }
            if meta.title.as_deref() == Some(h.as_str()) {
                continue;
            }
        }
        lines.push(block_to_text(line));
    }
    // Setext or plain first line as headline when there is still none.
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let mut body_lines: &[&str] = &refs;
    if meta.title.is_none() {
        let is_rule = |l: &str| l.trim().chars().all(|c| matches!(c, '-' | '*' | '_' | '='));
        let first = refs.iter().position(|l| !is_rule(l))?;
        meta.title = Some(refs[first].trim().to_string());
        body_lines = &refs[first + 1..];
    }
    let body = join_paragraphs(body_lines);
    Some(meta.into_article(path, 0, "markdown", body, problems))
}

/// Splits `---\n...\n---\n rest` into front matter and the rest.
fn split_front_matter(text: &str) -> Option<(&str, &str)> {
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        let l = line.trim_end();
        if l == "---" || l == "..." {
            return Some((&rest[..offset], &rest[offset + line.len()..]));
        }
        offset += line.len();
    }
    None
}

/// Reads the YAML subset: `key: value`, `key: [a, b]`, `key:` followed by `- item` lines.
fn parse_front_matter(fm: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut list_key: Option<usize> = None;
    for line in fm.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indented = line.starts_with([' ', '\t']);
        let t = line.trim();
        if let Some(item) = t
            .strip_prefix("- ")
            .or(if t == "-" { Some("") } else { None })
        {
            if let Some(k) = list_key {
                out[k].1.push(unquote(item));
            }
            continue;
        }
        if indented {
            // Nested maps are not article metadata we know.
            continue;
        }
        list_key = None;
        let Some((k, v)) = t.split_once(':') else {
            continue;
        };
        let v = v.trim();
        let key = k.trim().to_string();
        if v.is_empty() {
            out.push((key, Vec::new()));
            list_key = Some(out.len() - 1);
        } else if let Some(inner) = v.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            out.push((
                key,
                inner
                    .split(',')
                    .map(unquote)
                    .filter(|s| !s.is_empty())
                    .collect(),
            ));
        } else {
            out.push((key, vec![unquote(v)]));
        }
    }
    out
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    let inner = s
        .strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| s.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')));
    match inner {
        Some(i) if s.starts_with('"') => i.replace("\\\"", "\"").replace("\\\\", "\\"),
        Some(i) => i.replace("''", "'"),
        None => s.to_string(),
    }
}

/// One Markdown line as text: heading marks, quote marks and list bullets go, inline markup goes.
fn block_to_text(line: &str) -> String {
    let t = line.trim_start();
    let t = t.trim_start_matches('#').trim_start();
    let t = t.strip_prefix("> ").unwrap_or(t);
    let t = t
        .strip_prefix("* ")
        .or_else(|| t.strip_prefix("- "))
        .or_else(|| t.strip_prefix("+ "))
        .unwrap_or(t);
    inline_to_text(t)
}

/// Inline Markdown to text: `[text](url)` → text, `![alt](src)` → nothing, `*`, `_`, `` ` `` removed
/// when they mark emphasis. Linear in the line's length: where the next `]` and `)` are is worked
/// out once, not searched for at every `[` (a line of 300,000 `[` took 25 s).
fn inline_to_text(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let next_bracket = next_positions(&chars, ']');
    let next_paren = next_positions(&chars, ')');
    // For `[text](target)` starting at `open`: (index of `]`, index just past `)`).
    let link = |open: usize| -> Option<(usize, usize)> {
        let close = next_bracket[open]?;
        if chars.get(close + 1) != Some(&'(') {
            return None;
        }
        Some((close, next_paren[close + 1]? + 1))
    };
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '!' if chars.get(i + 1) == Some(&'[') => {
                if let Some((_, end)) = link(i + 1) {
                    i = end;
                    continue;
                }
                out.push(c);
            }
            '[' => {
                if let Some((close, end)) = link(i) {
                    out.extend(&chars[i + 1..close]);
                    i = end;
                    continue;
                }
                out.push(c);
            }
            '*' | '`' => {}
            '_' => {
                // Keep underscores inside words (snake_case, URLs).
                let prev = i.checked_sub(1).map(|p| chars[p]);
                let next = chars.get(i + 1).copied();
                if prev.is_some_and(char::is_alphanumeric)
                    && next.is_some_and(char::is_alphanumeric)
                {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// For each index, the index of the first `target` at or after it.
fn next_positions(chars: &[char], target: char) -> Vec<Option<usize>> {
    let mut next = vec![None; chars.len() + 1];
    for i in (0..chars.len()).rev() {
        next[i] = if chars[i] == target {
            Some(i)
        } else {
            next[i + 1]
        };
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::article::DateSource;

    const SAMPLE: &str = "---\ntitle: \"Guard troops at border number about 2,100\"\n\
        date: 2018-10-26T09:30:00-05:00\nsource: Meridian Post\nauthors:\n  - Hannah Cole\n  - Omar Siddiqui\n\
        url: https://meridianpost.example/2018/10/26/guard\nsection: National\ntags: [border, military]\n---\n\n\
        The **Pentagon** said on *Friday* that [about 2,100](https://x.example) soldiers remain.\n\n\
        ## What comes next\n\nMore ![chart](c.png) text.\n";

    #[test]
    fn front_matter_fields() {
        let mut p = Vec::new();
        let a = parse("/m/x.md", SAMPLE, &mut p).unwrap();
        assert!(p.is_empty());
        assert_eq!(a.title, "Guard troops at border number about 2,100");
        assert_eq!(a.authors, ["Hannah Cole", "Omar Siddiqui"]);
        assert_eq!(a.source.as_deref(), Some("Meridian Post"));
        assert_eq!(a.section.as_deref(), Some("National"));
        assert_eq!(a.tags, ["border", "military"]);
        assert_eq!(a.date_source, Some(DateSource::Header));
        assert_eq!(a.published.unwrap().to_rfc3339(), "2018-10-26T14:30:00Z");
        assert_eq!(a.format, "markdown");
    }

    #[test]
    fn markup_is_removed_from_body() {
        let mut p = Vec::new();
        let a = parse("/m/x.md", SAMPLE, &mut p).unwrap();
        assert_eq!(
            a.body,
            "The Pentagon said on Friday that about 2,100 soldiers remain.\n\nWhat comes next\n\nMore  text."
        );
    }

    #[test]
    fn heading_is_title_without_front_matter() {
        let mut p = Vec::new();
        let a = parse(
            "/m/x.md",
            "# Storm hits coast\n\nWinds of 90 mph_per_hour.\n",
            &mut p,
        )
        .unwrap();
        assert_eq!(a.title, "Storm hits coast");
        assert_eq!(a.body, "Winds of 90 mph_per_hour.");
    }

    #[test]
    fn links_images_and_stray_brackets() {
        assert_eq!(
            inline_to_text("see [the report](https://x.example/a_(b)) now"),
            "see the report) now"
        );
        assert_eq!(inline_to_text("a ![chart](c.png) b"), "a  b");
        assert_eq!(inline_to_text("[x] (y) [z]"), "[x] (y) [z]");
        assert_eq!(
            inline_to_text("[unclosed (x) ] [a](b"),
            "[unclosed (x) ] [a](b"
        );
        assert_eq!(inline_to_text("x ![[a](b) y"), "x  y");
        assert_eq!(inline_to_text("[é](x)ü_ü"), "éü_ü");
    }

    #[test]
    fn unterminated_front_matter_is_body() {
        let mut p = Vec::new();
        let a = parse("/m/x.md", "---\ntitle: x\nno end\n", &mut p).unwrap();
        assert_eq!(a.title, "title: x");
    }
}
