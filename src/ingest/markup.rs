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

/// The text of an HTML fragment (a feed item's `content:encoded`, an article body), with block
/// elements as paragraphs separated by a blank line and whitespace collapsed inside them.
pub fn fragment_to_text(html: &str) -> String {
    let doc = Html::parse_fragment(html);
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
}
