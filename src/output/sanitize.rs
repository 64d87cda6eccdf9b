//! One sanitiser for every string from the data (file names, titles, outlet names, rejection
//! reasons that quote a file's bytes) on its way to a terminal.
//!
//! Archive text is hostile: an ESC byte in a file name can recolour or rewrite the screen, a
//! newline in a path can fake a result line, a CR can overwrite the start of one, and a bidi
//! override (U+202E) can make `evil.txt` read as something else. Every such character is shown as
//! a visible escape (`\x1B`, `\n`, `\u{202E}`) instead, and over-long text is cut.

use std::borrow::Cow;
use std::fmt::Write;

/// Longest text [`for_terminal_capped`] lets through by default, in characters: long enough for
/// any real path or message, short enough that a 5 MB CSV header is not echoed whole.
pub const MESSAGE_CHARS: usize = 2000;

/// True for characters that must not reach a terminal raw: C0 and C1 controls, DEL, and the
/// invisible characters that reorder or hide text (bidi embeddings, overrides and isolates, the
/// directional marks). Zero-width joiners are harmless and kept.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{FEFF}'
        )
}

/// `s` with every unsafe character shown as an escape. Borrowed when nothing needed escaping.
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_safe(&mut out, c);
    }
    Cow::Owned(out)
}

/// [`for_terminal`] for running text: line breaks and tabs are kept (an article body has
/// paragraphs), a CR that is not part of a CRLF is escaped (it would overwrite the line).
pub fn for_terminal_text(s: &str) -> Cow<'_, str> {
    let keep = |c: char| c == '\n' || c == '\t';
    if !s.chars().any(|c| is_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            continue;
        }
        if keep(c) {
            out.push(c);
        } else {
            push_safe(&mut out, c);
        }
    }
    Cow::Owned(out)
}

/// [`for_terminal`], cut to `max` characters (with the number of characters left out).
pub fn for_terminal_capped(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => for_terminal(s),
        Some((cut, _)) => {
            let rest = s[cut..].chars().count();
            let mut out = for_terminal(&s[..cut]).into_owned();
            let _ = write!(out, "... ({rest} more characters)");
            Cow::Owned(out)
        }
    }
}

fn push_safe(out: &mut String, c: char) {
    if !is_unsafe(c) {
        out.push(c);
        return;
    }
    let _ = match c {
        '\n' => write!(out, "\\n"),
        '\r' => write!(out, "\\r"),
        '\t' => write!(out, "\\t"),
        c if (c as u32) < 0x100 => write!(out, "\\x{:02X}", c as u32),
        c => write!(out, "\\u{{{:04X}}}", c as u32),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_become_visible_escapes() {
        assert_eq!(for_terminal("plain/path.txt"), "plain/path.txt");
        assert!(matches!(for_terminal("plain"), Cow::Borrowed(_)));
        assert_eq!(
            for_terminal("a\u{1b}[31mred\nfake line\r\u{7f}\u{9b}"),
            "a\\x1B[31mred\\nfake line\\r\\x7F\\x9B"
        );
        assert_eq!(for_terminal("evil\u{202E}txt.exe"), "evil\\u{202E}txt.exe");
        assert_eq!(for_terminal("café – “quoted”"), "café – “quoted”");
        for s in ["\u{1b}]0;title\u{7}", "x\u{2066}y\u{2069}", "\u{85}"] {
            assert!(!for_terminal(s).chars().any(is_unsafe), "{s:?}");
        }
    }

    #[test]
    fn running_text_keeps_its_paragraphs() {
        assert_eq!(for_terminal_text("one\n\ntwo\tthree"), "one\n\ntwo\tthree");
        assert_eq!(for_terminal_text("a\r\nb\rc\u{1b}[2J"), "a\nb\\rc\\x1B[2J");
    }

    #[test]
    fn long_text_is_cut_with_a_count() {
        let long = "x".repeat(5000);
        let cut = for_terminal_capped(&long, 100);
        assert!(cut.starts_with(&"x".repeat(100)));
        assert!(cut.ends_with("... (4900 more characters)"), "{cut}");
        assert_eq!(for_terminal_capped("short\n", 100), "short\\n");
    }
}
