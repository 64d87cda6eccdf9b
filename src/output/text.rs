//! Human-readable output: a ranked list with highlighted snippets.

use std::io::{self, Write};

use crate::output::sanitize::for_terminal as safe;
use crate::search::{SearchRequest, SearchResults, Snippet};

/// Terminal styling choices, resolved by the caller (`--color`, `NO_COLOR`, is-a-terminal).
#[derive(Clone, Copy, Debug, Default)]
pub struct TextStyle {
    pub color: bool,
}

const BOLD: &str = "\x1b[1m";
const MATCH: &str = "\x1b[1;31m";
const DIM: &str = "\x1b[2m";
const CYAN: &str = "\x1b[36m";
const RESET: &str = "\x1b[0m";

impl TextStyle {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("{code}{s}{RESET}")
        } else {
            s.to_string()
        }
    }
}

/// The snippet with matches marked: colour on a terminal, `**bold**` Markdown-style otherwise.
pub fn highlight(snippet: &Snippet, style: &TextStyle) -> String {
    let (open, close) = if style.color {
        (MATCH, RESET)
    } else {
        ("**", "**")
    };
    let text = &snippet.text;
    let mut out = String::with_capacity(text.len() + snippet.highlights.len() * 8);
    let mut last = 0;
    for r in &snippet.highlights {
        if r.start < last || r.end > text.len() {
            continue;
        }
        out.push_str(&safe(&text[last..r.start]));
        out.push_str(open);
        out.push_str(&safe(&text[r.start..r.end]));
        out.push_str(close);
        last = r.end;
    }
    out.push_str(&safe(&text[last..]));
    out
}

pub fn write(
    out: &mut dyn Write,
    req: &SearchRequest,
    results: &SearchResults,
    style: &TextStyle,
) -> io::Result<()> {
    let n = results.total_hits;
    let shown = results.hits.len();
    let noun = match (req.collapse, n == 1) {
        (true, true) => "story",
        (true, false) => "stories",
        (false, true) => "hit",
        (false, false) => "hits",
    };
    if shown < n && shown > 0 {
        writeln!(
            out,
            "{n} {noun} for {} (showing {}–{}; use --limit for more)",
            style.paint(BOLD, &safe(&req.query)),
            req.offset + 1,
            req.offset + shown
        )?;
    } else {
        writeln!(
            out,
            "{n} {noun} for {}",
            style.paint(BOLD, &safe(&req.query))
        )?;
    }
    for h in &results.hits {
        writeln!(out)?;
        let date = h
            .published
            .as_deref()
            .map_or("undated", |p| &p[..10.min(p.len())]);
        let source = h.source.as_deref().unwrap_or("unknown outlet");
        let copies = match h.copies {
            0 | 1 => String::new(),
            2 => format!("  {}", style.paint(DIM, "+1 copy")),
            n => format!("  {}", style.paint(DIM, &format!("+{} copies", n - 1))),
        };
        writeln!(
            out,
            "{:>3}. {}  {}{copies}",
            h.rank,
            style.paint(CYAN, &safe(date)),
            style.paint(CYAN, &safe(source))
        )?;
        let title = if h.title.is_empty() {
            "(untitled)"
        } else {
            &h.title
        };
        writeln!(out, "     {}", style.paint(BOLD, &safe(title)))?;
        let place = if h.record > 0 {
            format!("{}, record {}  id {}", h.path, h.record, h.id)
        } else {
            format!("{}  id {}", h.path, h.id)
        };
        writeln!(out, "     {}", style.paint(DIM, &safe(&place)))?;
        if !h.snippet.text.is_empty() {
            writeln!(out, "     {}", highlight(&h.snippet, style))?;
        }
        if let Some(e) = &h.explanation {
            writeln!(out, "     score {:.4} explained:", h.score)?;
            for line in e.lines() {
                writeln!(out, "       {}", safe(line))?;
            }
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_marks_ranges() {
        let s = Snippet {
            text: "the migrant caravan moved".into(),
            highlights: vec![4..11, 12..19],
        };
        assert_eq!(
            highlight(&s, &TextStyle { color: false }),
            "the **migrant** **caravan** moved"
        );
        assert!(highlight(&s, &TextStyle { color: true }).contains("\x1b[1;31mmigrant\x1b[0m"));
    }

    #[test]
    fn text_from_the_archive_reaches_the_terminal_escaped() {
        let s = Snippet {
            text: "a\u{1b}[2Jmigrant\r\nfake".into(),
            highlights: vec![1..2, 5..12],
        };
        let shown = highlight(&s, &TextStyle { color: true });
        assert_eq!(
            shown,
            "a\x1b[1;31m\\x1B\x1b[0m[2J\x1b[1;31mmigrant\x1b[0m\\r\\nfake"
        );
    }
}
