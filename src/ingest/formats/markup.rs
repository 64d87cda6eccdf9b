//! HTML to plain text, shared by every reader that meets HTML (pages, feed items, WARC payloads).

use scraper::{ElementRef, Html, Node};

/// Elements whose text is never article text.
const SKIP: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "head",
    "button", "select", "form", "canvas",
];

/// Elements that start a new paragraph.
const BLOCK: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "blockquote",
    "pre",
    "table",
    "tr",
    "figure",
    "figcaption",
    "header",
    "footer",
    "aside",
    "nav",
    "main",
    "dd",
    "dt",
    "dl",
    "address",
    "hr",
    "br",
];

/// Deepest element nesting handed to the HTML parser. html5ever checks the stack of open
/// elements for each new tag, so a page nested 100,000 levels deep costs it minutes; real pages
/// stay far below this.
pub const MAX_HTML_DEPTH: usize = 4096;

/// Elements that never hold content, and elements whose end tag is optional (a parser closes
/// them implicitly), so neither deepens the nesting count.
const NO_NESTING: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "tbody", "thead", "tfoot",
    "colgroup", "rb", "rt", "rp",
];

/// Elements whose content is raw text, not markup.
const RAW_TEXT: &[&str] = &["script", "style", "textarea", "title", "xmp", "plaintext"];

/// When `html` nests elements deeper than `max`, a copy without the tags below that depth (their
/// text stays, in order); `None` when the page is within bounds. One linear pass over the text.
pub fn limit_nesting(html: &str, max: usize) -> Option<String> {
    if scan_tags(html, max, None) <= max {
        return None;
    }
    let mut out = String::with_capacity(html.len());
    scan_tags(html, max, Some(&mut out));
    Some(out)
}

/// Walks the tags of `html` and returns the deepest nesting seen. With `out`, copies the page
/// into it, leaving out start and end tags that lie deeper than `max`.
fn scan_tags(html: &str, max: usize, mut out: Option<&mut String>) -> usize {
    let b = html.as_bytes();
    let (mut depth, mut deepest, mut i, mut copied) = (0usize, 0usize, 0usize, 0usize);
    while let Some(off) = memchr_lt(&b[i..]) {
        let start = i + off;
        let rest = &html[start..];
        // Where this piece of markup ends, and how it changes the depth.
        let (end, change): (usize, i8) = if rest.starts_with("<!--") {
            (rest.find("-->").map_or(html.len(), |e| start + e + 3), 0)
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            (rest.find('>').map_or(html.len(), |e| start + e + 1), 0)
        } else if let Some(name) = tag_name(&rest[1..]) {
            let close = rest.find('>').map_or(html.len(), |e| start + e + 1);
            let lower = name.to_ascii_lowercase();
            if html[start..close].ends_with("/>") || NO_NESTING.contains(&lower.as_str()) {
                (close, 0)
            } else if RAW_TEXT.contains(&lower.as_str()) {
                (find_end_tag(html, close, &lower), 0)
            } else {
                (close, 1)
            }
        } else if rest.starts_with("</") && tag_name(&rest[2..]).is_some() {
            let name = tag_name(&rest[2..])
                .unwrap_or_default()
                .to_ascii_lowercase();
            let close = rest.find('>').map_or(html.len(), |e| start + e + 1);
            (
                close,
                if NO_NESTING.contains(&name.as_str()) {
                    0
                } else {
                    -1
                },
            )
        } else {
            (start + 1, 0)
        };
        let keep = match change {
            1 => {
                depth += 1;
                deepest = deepest.max(depth);
                depth <= max
            }
            -1 => {
                let keep = depth <= max;
                depth = depth.saturating_sub(1);
                keep
            }
            _ => true,
        };
        if let Some(out) = out.as_deref_mut()
            && !keep
        {
            out.push_str(&html[copied..start]);
            copied = end;
        }
        i = end.max(start + 1);
        if i >= html.len() {
            break;
        }
    }
    if let Some(out) = out {
        out.push_str(&html[copied.min(html.len())..]);
    }
    deepest
}

/// Where the end tag `</name` (any case) starts at or after `from`; the end of `html` if never.
fn find_end_tag(html: &str, from: usize, name: &str) -> usize {
    let b = html.as_bytes();
    let mut i = from;
    while let Some(off) = html[i..].find("</") {
        let at = i + off;
        let tag = &b[at + 2..(at + 2 + name.len()).min(b.len())];
        if tag.eq_ignore_ascii_case(name.as_bytes()) {
            return at;
        }
        i = at + 2;
    }
    html.len()
}

fn memchr_lt(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'<')
}

/// The tag name at the start of `s` (letters, digits, `-`, `:`), if `s` starts with a letter.
fn tag_name(s: &str) -> Option<&str> {
    if !s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':'))
        .unwrap_or(s.len());
    Some(&s[..end])
}

/// The text of an HTML fragment (a feed item's `content:encoded`, an article body), with block
/// elements as paragraphs separated by a blank line and whitespace collapsed inside them.
pub fn fragment_to_text(html: &str) -> String {
    let flat = limit_nesting(html, MAX_HTML_DEPTH);
    let doc = Html::parse_fragment(flat.as_deref().unwrap_or(html));
    element_text(doc.root_element())
}

/// The text under one element, as [`fragment_to_text`] renders it.
pub fn element_text(el: ElementRef<'_>) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    // Iterative walk: deeply nested documents must not overflow the stack.
    let mut stack = vec![(*el, false)];
    while let Some((node, closing)) = stack.pop() {
        if closing {
            flush(&mut current, &mut paragraphs);
            continue;
        }
        match node.value() {
            Node::Text(t) => push_text(&mut current, t),
            Node::Element(e) => {
                let name = e.name();
                if SKIP.contains(&name) {
                    continue;
                }
                let block = BLOCK.contains(&name);
                if block {
                    flush(&mut current, &mut paragraphs);
                    stack.push((node, true));
                }
                let children: Vec<_> = node.children().collect();
                for child in children.into_iter().rev() {
                    stack.push((child, false));
                }
            }
            _ => {
                let children: Vec<_> = node.children().collect();
                for child in children.into_iter().rev() {
                    stack.push((child, false));
                }
            }
        }
    }
    flush(&mut current, &mut paragraphs);
    paragraphs.join("\n\n")
}

/// Appends text to a paragraph, collapsing whitespace but keeping the space between runs.
pub(crate) fn push_text(current: &mut String, t: &str) {
    let space = |c: &mut String| {
        if !c.is_empty() && !c.ends_with(' ') {
            c.push(' ');
        }
    };
    if t.starts_with(char::is_whitespace) {
        space(current);
    }
    for (i, word) in t.split_whitespace().enumerate() {
        if i > 0 {
            current.push(' ');
        }
        current.push_str(word);
    }
    if t.ends_with(char::is_whitespace) {
        space(current);
    }
}

fn flush(current: &mut String, paragraphs: &mut Vec<String>) {
    let p = current.trim();
    if !p.is_empty() {
        paragraphs.push(p.to_string());
    }
    current.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_inline_markup() {
        let t = fragment_to_text(
            "<p>Troops <b>arrived</b> on <a href='x'>Friday</a>.</p><script>var x=1;</script>\
             <p>Second   paragraph<br>with a break.</p>",
        );
        assert_eq!(
            t,
            "Troops arrived on Friday.\n\nSecond paragraph\n\nwith a break."
        );
    }

    #[test]
    fn entities_are_decoded_and_plain_text_passes() {
        assert_eq!(
            fragment_to_text("Fish &amp; chips &lt;3"),
            "Fish & chips <3"
        );
        assert_eq!(fragment_to_text("no markup at all"), "no markup at all");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = "<div>".repeat(2_000) + "deep" + &"</div>".repeat(2_000);
        assert_eq!(fragment_to_text(&html), "deep");
    }

    #[test]
    fn deep_nesting_is_cut_to_the_limit_and_text_kept() {
        let deep = format!("{}<b>core</b>{}", "<div>".repeat(10), "</div>".repeat(10));
        let flat = limit_nesting(&deep, 4).unwrap();
        assert_eq!(
            flat,
            format!("{}core{}", "<div>".repeat(4), "</div>".repeat(4))
        );
        assert_eq!(limit_nesting(&deep, 11), None);
        // Void and optional-end elements, comments, raw text and attributes do not count.
        let page = "<div><p>a<p>b<br><img src='x>y'><!-- <div><div> --><script>if (a<b) {}</script>\
                    <input/></div>";
        assert_eq!(scan_tags(page, 100, None), 1);
    }
}
