//! Plain-text articles (`.txt`).
//!
//! ```text
//! Date: October 25, 2018          <- optional header block of `Key: value` lines
//! Source: The Harbor Ledger          (Title, Date, Source/Publication, Author/By, URL, Section, ...)
//!                                  <- a blank line ends the header
//! Pentagon readies troops          <- first non-empty line: the headline (unless the header had Title)
//! By Maria Okafor                  <- optional byline right under the headline
//!
//! Body paragraphs...
//! ```

use crate::ingest::Problem;
use crate::ingest::article::Article;
use crate::ingest::meta::{Meta, meta_key, strip_by};

/// Parses one plain-text article. Returns `None` when the file holds no text at all.
pub fn parse(path: &str, text: &str, problems: &mut Vec<Problem>) -> Option<Article> {
    if let Some(reason) = not_prose(text) {
        problems.push(Problem::skipped(path, reason));
        return None;
    }
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let mut meta = Meta::default();
    let mut i = skip_blank(&lines, 0);

    // Header block: consecutive `Key: value` lines with recognised keys, ended by a blank line.
    let header_end = header_block_end(&lines, i);
    if let Some(end) = header_end {
        for line in &lines[i..end] {
            let (k, v) = line.split_once(':').expect("checked by header_block_end");
            meta.set(meta_key(k).expect("checked by header_block_end"), v);
        }
        i = skip_blank(&lines, end);
    }

    if meta.title.is_none() {
        let headline = lines.get(i)?;
        meta.title = Some(headline.trim().to_string());
        i = skip_blank(&lines, i + 1);
    }

    // A `By ...` line right under the headline is a byline when what follows reads like names
    // ("By Maria Okafor and Daniel Reyes"), not when it is the body's first sentence ("By the
    // time the caravan reached Tijuana, ...").
    if let Some(line) = lines.get(i)
        && line.len() < 120
        && let Some(names) = strip_by(line)
        && reads_like_names(names)
    {
        meta.set(crate::ingest::meta::MetaKey::Author, names);
        i = skip_blank(&lines, i + 1);
    }

    let body = join_paragraphs(&lines[i.min(lines.len())..]);
    if meta.title.as_deref().unwrap_or("").is_empty() && body.is_empty() {
        return None;
    }
    Some(meta.into_article(path, 0, "text", body, problems))
}

/// Whether the text after "By" reads like a list of names: a few words, each capitalised (or an
/// initial, or a particle such as "de", "van", "and"), with no digits and no sentence ending.
fn reads_like_names(s: &str) -> bool {
    const PARTICLES: &[&str] = &[
        "and", "&", "de", "da", "das", "del", "della", "der", "den", "di", "do", "dos", "du", "la",
        "le", "van", "von", "bin", "ibn", "al", "el", "y", "ter", "ten", "st",
    ];
    let s = s.trim();
    if s.is_empty() || s.chars().any(|c| c.is_ascii_digit()) || s.ends_with(['!', '?', ':', ';']) {
        return false;
    }
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() || words.len() > 10 {
        return false;
    }
    // A full stop ends a sentence unless it ends an initial or a short title ("J.", "Jr.").
    let last = words[words.len() - 1];
    if last.ends_with('.') && last.trim_end_matches('.').chars().count() > 2 {
        return false;
    }
    let mut capitalised = 0;
    for w in &words {
        let bare = w.trim_matches(|c: char| !c.is_alphanumeric());
        if PARTICLES.contains(&bare.to_lowercase().as_str())
            && !bare.chars().next().is_some_and(char::is_uppercase)
        {
            continue;
        }
        if w == &"&" {
            continue;
        }
        match bare.chars().next() {
            Some(c) if c.is_uppercase() => capitalised += 1,
            _ => return false,
        }
    }
    capitalised > 0
}

/// Lines a file needs before it can be judged a list or table rather than an article.
const MIN_LINES_TO_JUDGE: usize = 30;
/// Below this share of its characters in sentences, a long file is a list or table.
const MIN_PROSE_SHARE: f64 = 0.5;

/// Why a text file is not an article, when it is a list or a table rather than prose: at least
/// [`MIN_LINES_TO_JUDGE`] non-empty lines, and less than [`MIN_PROSE_SHARE`] of its characters in
/// lines that read as sentences (six words or more, nearly all letters). Word lists (one name a
/// line), code tables and data dumps fall below; news stories, even with a results table or a
/// list of fixtures under their text, stay well above. A file in the shape of an article (a
/// headline set apart by a blank line) is always an article, however much of it is a table: wires
/// send tables of rates, prices, supply figures and results as stories.
pub fn not_prose(text: &str) -> Option<String> {
    // The headline first: it settles most files at the cost of two lines, where the share of
    // prose reads every line four times (4.6% of a Reuters index's instructions).
    if has_headline(text) {
        return None;
    }
    let (lines, share) = prose_share(text);
    if lines < MIN_LINES_TO_JUDGE {
        return None;
    }
    (share < MIN_PROSE_SHARE).then(|| {
        format!(
            "not an article: a list or table, not prose ({} lines, {:.0}% of the text in sentences)",
            lines,
            share * 100.0
        )
    })
}

/// True when a text of any length reads as an article: at least two lines that read as
/// sentences, holding at least [`MIN_PROSE_SHARE`] of its characters. For a file whose name
/// (`notice.txt`, `changes.md`) is also that of a project file, where the content decides.
pub fn reads_as_prose(text: &str) -> bool {
    let sentences = text.lines().filter(|l| is_sentence(l.trim())).count();
    sentences >= 2 && prose_share(text).1 >= MIN_PROSE_SHARE
}

/// Six words or more, nearly all letters.
fn is_sentence(l: &str) -> bool {
    let n = l.chars().count();
    let letters = l.chars().filter(|c| c.is_alphabetic() || *c == ' ').count();
    l.split_whitespace().count() >= 6 && letters * 100 >= n * 85
}

/// The non-empty lines of a text, and the share of their characters in lines that read as
/// sentences.
fn prose_share(text: &str) -> (usize, f64) {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let total: usize = lines.iter().map(|l| l.chars().count()).sum();
    let prose: usize = lines
        .iter()
        .filter(|l| is_sentence(l))
        .map(|l| l.chars().count())
        .sum();
    (lines.len(), prose as f64 / total.max(1) as f64)
}

/// Whether the text opens like an article: its first non-empty line is a headline (2 to 40 words,
/// not cut off at a comma or semicolon; a title may end with a full stop, as abstracts' do)
/// followed by a blank line.
fn has_headline(text: &str) -> bool {
    let mut lines = text.lines().map(str::trim).skip_while(|l| l.is_empty());
    let (Some(first), Some(next)) = (lines.next(), lines.next()) else {
        return false;
    };
    let words = first.split_whitespace().count();
    next.is_empty() && (2..=40).contains(&words) && !first.ends_with([';', ','])
}

fn skip_blank(lines: &[&str], mut i: usize) -> usize {
    while i < lines.len() && lines[i].trim().is_empty() {
        i += 1;
    }
    i
}

/// The index of the blank line that ends a header block starting at `start`, if there is one.
fn header_block_end(lines: &[&str], start: usize) -> Option<usize> {
    let mut i = start;
    while i < lines.len() && !lines[i].trim().is_empty() {
        let (k, v) = lines[i].split_once(':')?;
        if k.len() > 24 || v.trim().is_empty() || meta_key(k.trim()).is_none() {
            return None;
        }
        i += 1;
    }
    // A header needs at least one line and must be followed by something.
    (i > start && i < lines.len()).then_some(i)
}

/// Joins lines into paragraphs: lines within a paragraph are kept, runs of blank lines become one.
pub fn join_paragraphs(lines: &[&str]) -> String {
    let mut out = String::new();
    let mut blank = false;
    for line in lines {
        let l = line.trim_end();
        if l.trim().is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        out.push_str(l);
        blank = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::article::DateSource;

    fn parse_ok(path: &str, text: &str) -> Article {
        let mut p = Vec::new();
        let a = parse(path, text, &mut p).expect("an article");
        assert!(p.is_empty(), "{p:?}");
        a
    }

    #[test]
    fn plain_headline_then_body() {
        let a = parse_ok(
            "/w/2018/10/25/x.txt",
            "President to deploy troops\n\nThe Pentagon is preparing.\n\nMore text.\n",
        );
        assert_eq!(a.title, "President to deploy troops");
        assert_eq!(a.body, "The Pentagon is preparing.\n\nMore text.");
        assert_eq!(a.date_source, Some(DateSource::Path));
        assert!(a.authors.is_empty());
    }

    #[test]
    fn header_block_with_title() {
        let a = parse_ok(
            "/w/x.txt",
            "Title: Pentagon readies troops\nDate: October 25, 2018\nSource: The Harbor Ledger\n\
             Author: Maria Okafor\nURL: https://h.example/2018/10/25/p\nSection: Politics\n\nBody one.\n",
        );
        assert_eq!(a.title, "Pentagon readies troops");
        assert_eq!(a.body, "Body one.");
        assert_eq!(a.source.as_deref(), Some("The Harbor Ledger"));
        assert_eq!(a.authors, ["Maria Okafor"]);
        assert_eq!(a.section.as_deref(), Some("Politics"));
        assert_eq!(a.url.as_deref(), Some("https://h.example/2018/10/25/p"));
        assert_eq!(a.date_source, Some(DateSource::Header));
        assert_eq!(a.published.unwrap().local_day.to_string(), "2018-10-25");
    }

    #[test]
    fn header_block_without_title_then_headline_and_byline() {
        let a = parse_ok(
            "/w/x.txt",
            "Date: Thu, 25 Oct 2018 14:03:00 -0400\nPublication: Capital Dispatch\n\n\
             Senators press for fair asylum process\n\nBy Daniel Reyes and Aisha Grant\n\nBody.\n",
        );
        assert_eq!(a.title, "Senators press for fair asylum process");
        assert_eq!(a.authors, ["Daniel Reyes", "Aisha Grant"]);
        assert_eq!(a.source.as_deref(), Some("Capital Dispatch"));
        assert_eq!(a.body, "Body.");
    }

    #[test]
    fn a_by_line_is_a_byline_only_when_it_reads_like_names() {
        let a = parse_ok(
            "/w/x.txt",
            "Caravan reaches the border\n\nBy the time the caravan reached Tijuana, shelters were full.\n\nMore.\n",
        );
        assert!(a.authors.is_empty());
        assert!(
            a.body
                .starts_with("By the time the caravan reached Tijuana")
        );
        for (line, names) in [
            ("By Maria Okafor", vec!["Maria Okafor"]),
            ("BY JOHN SMITH", vec!["JOHN SMITH"]),
            (
                "By Ana de la Cruz and J. R. Ewing",
                vec!["Ana de la Cruz", "J. R. Ewing"],
            ),
            (
                "By Daniel Reyes, Aisha Grant & Li Wei",
                vec!["Daniel Reyes", "Aisha Grant", "Li Wei"],
            ),
        ] {
            let a = parse_ok("/w/x.txt", &format!("Headline\n\n{line}\n\nBody.\n"));
            assert_eq!(a.authors, names, "{line}");
            assert_eq!(a.body, "Body.");
        }
        for line in [
            "By Monday the troops had left.",
            "By 2020, sales had doubled",
            "by then it was over",
            "By Far The Largest Caravan Yet.",
            "By Whom? Nobody knows",
        ] {
            let a = parse_ok("/w/x.txt", &format!("Headline\n\n{line}\n\nBody.\n"));
            assert!(a.authors.is_empty(), "{line}: {:?}", a.authors);
            assert!(a.body.starts_with(line), "{line}");
        }
    }

    #[test]
    fn headline_with_colon_is_not_a_header() {
        let a = parse_ok("/w/x.txt", "Trump: They will be stopped\n\nBody text.\n");
        assert_eq!(a.title, "Trump: They will be stopped");
        assert_eq!(a.body, "Body text.");
    }

    #[test]
    fn crlf_lines_are_clean() {
        let a = parse_ok(
            "/w/x.txt",
            "Title: A\r\nSource: B\r\n\r\nLine one\r\nline two\r\n",
        );
        assert_eq!(a.title, "A");
        assert_eq!(a.source.as_deref(), Some("B"));
        assert_eq!(a.body, "Line one\nline two");
    }

    #[test]
    fn empty_text_is_no_article() {
        let mut p = Vec::new();
        assert!(parse("/w/x.txt", " \n\n \n", &mut p).is_none());
    }

    #[test]
    fn lists_and_tables_are_not_articles_but_stories_with_a_table_are() {
        let list: String = (0..40).map(|i| format!("name-{i}\n")).collect();
        assert!(
            not_prose(&list)
                .unwrap()
                .starts_with("not an article: a list or table")
        );
        let facts: String = (0..40)
            .map(|i| format!("fact(\"Land{i}\",\"Capital\",[\"City\",\"Port\"]).\n"))
            .collect();
        assert!(not_prose(&facts).is_some());
        let mut story = String::from("Cup draw made\n\n");
        for _ in 0..4 {
            story.push_str("The draw for the third round was made on Sunday, and the holders face a long trip north in January. Smaller clubs hope for a money-spinning tie at home against a big side.\n\n");
        }
        for i in 0..30 {
            story.push_str(&format!("Team {i} v Team {}\n", i + 30));
        }
        assert_eq!(not_prose(&story), None);
        // Short files are never judged.
        assert_eq!(not_prose("a\nb\nc\n"), None);
        // A wire table sent as a story: headline, blank line, one sentence, then figures.
        let mut table = String::from("CORN SUPPLY/DEMAND BY COUNTRY -- USDA\n\n");
        table.push_str(
            "The Agriculture Department gave supply and demand data for corn, as follows\n",
        );
        for i in 0..40 {
            table.push_str(&format!(" Production   {i}.50   12.50    14.40   14.40\n"));
        }
        assert_eq!(not_prose(&table), None);
        // Without a sentence too (a rate sheet), but not without its headline set apart.
        let bare = table.replace(
            "The Agriculture Department gave supply and demand data for corn, as follows\n",
            "",
        );
        assert_eq!(not_prose(&bare), None);
        assert!(not_prose(&table.replacen("\n\n", "\n", 1)).is_some());
        // A title with a full stop over prose wrapped at a few words a line (medical abstracts).
        let mut wrapped = String::from("670. steroid aerosol spray in contact dermatitis.\n\n");
        for _ in 0..40 {
            wrapped.push_str("prophylactic use with\nparticular reference to nickel\n");
        }
        assert_eq!(not_prose(&wrapped), None);
        // A word list whose first entry is followed by a blank line is still a list.
        let list: String = std::iter::once("amex\n\n".to_string())
            .chain((0..40).map(|i| format!("name-{i}\n")))
            .collect();
        assert!(not_prose(&list).is_some());
    }
}
