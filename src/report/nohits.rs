//! Why a search found nothing: the active filters echoed back, outlet/section/author/language
//! values the index does not hold with the close names it does hold, the index's date range
//! when a date filter is set, and how many articles the query finds without the filters.
//!
//! Everything goes through [`SearchEngine`], so the advice is the same for a local index and a
//! remote one; every string that comes from the data is escaped for a terminal.

use std::collections::BTreeMap;

use crate::error::Result;
use crate::index::schema::normalize_keyword;
use crate::output::sanitize::for_terminal;
use crate::report::stats::day_to_date;
use crate::search::{Filters, SearchEngine, SearchRequest, TallyBy};

/// At most this many close names are suggested per unknown value.
const MAX_SUGGESTIONS: usize = 5;

/// `n article(s)` with the right plural.
fn articles(n: u64) -> String {
    format!("{n} {}", if n == 1 { "article" } else { "articles" })
}

/// A value as it would be typed back on a command line, escaped for a terminal.
fn quoted(v: &str) -> String {
    let safe = for_terminal(v);
    if !safe.is_empty()
        && safe
            .chars()
            .all(|c| c.is_alphanumeric() || "-_.:/".contains(c))
    {
        safe.into_owned()
    } else {
        format!("\"{}\"", safe.replace('"', "\\\""))
    }
}

/// The filters of `f` as command-line options (`--since 2020-01-01 --source "Planet Post"`).
pub fn describe_filters(f: &Filters) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(d) = f.since {
        out.push(format!("--since {d}"));
    }
    if let Some(d) = f.until {
        out.push(format!("--until {d}"));
    }
    for (flag, values) in keyword_filters(f) {
        for v in values {
            out.push(format!("{flag} {}", quoted(v)));
        }
    }
    out
}

/// Each keyword filter: its option, its values, the keyword field it restricts, what a value is.
fn keyword_filters(f: &Filters) -> [(&'static str, &[String]); 4] {
    [
        ("--source", &f.sources),
        ("--section", &f.sections),
        ("--author", &f.authors),
        ("--lang", &f.languages),
    ]
}

fn field_of(flag: &str) -> (&'static str, &'static str) {
    match flag {
        "--source" => ("source", "outlet"),
        "--section" => ("section", "section"),
        "--author" => ("authors", "author"),
        _ => ("language", "language"),
    }
}

/// Names in `known` (folded keyword -> articles) close to `given`: a folded prefix of the name or
/// of one of its words, or within a small edit distance (a typo, a missing letter). Best first:
/// prefixes, then fewer edits, then more articles.
pub fn close_names(given: &str, known: &BTreeMap<String, u64>) -> Vec<(String, u64)> {
    let g = normalize_keyword(given);
    if g.is_empty() {
        return Vec::new();
    }
    let g_len = g.chars().count();
    let mut scored: Vec<(usize, u64, &String)> = known
        .iter()
        .filter_map(|(shown, &n)| {
            // Engines may hand back names as written or already folded: compare folded.
            let folded = normalize_keyword(shown);
            let name = &folded;
            let prefix = g_len >= 2
                && (name.starts_with(&g)
                    || name
                        .split(|c: char| !c.is_alphanumeric())
                        .any(|w| w.starts_with(&g))
                    || (g.starts_with(name.as_str()) && name.chars().count() >= 3));
            if prefix {
                return Some((0, n, shown));
            }
            let d = strsim::damerau_levenshtein(&g, name);
            let shorter = g_len.min(name.chars().count());
            (d <= (shorter / 3).clamp(1, 3)).then_some((d, n, shown))
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2)));
    scored
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(_, n, name)| (name.clone(), n))
        .collect()
}

/// Lines (safe for a terminal, without a trailing newline) that tell a user whose `requests`
/// all found nothing what the filters were and what to try instead. Empty when no filter is set.
/// The requests share their filters (they come from one command line); each query's count
/// without the filters is given.
pub fn no_hits_advice(
    engine: &dyn SearchEngine,
    requests: &[&SearchRequest],
) -> Result<Vec<String>> {
    let Some(first) = requests.first() else {
        return Ok(Vec::new());
    };
    let f = &first.filters;
    let active = describe_filters(f);
    if active.is_empty() {
        return Ok(Vec::new());
    }
    let mut lines = vec![format!("no hits with the filters {}", active.join(" "))];
    unknown_names(engine, f, &mut lines)?;
    if f.since.is_some() || f.until.is_some() {
        lines.push(date_range_line(engine)?);
    }
    unfiltered_counts(engine, requests, &mut lines)?;
    Ok(lines)
}

/// A line for each outlet (section, author, ...) filter value no article has, with the close
/// names the index does have.
fn unknown_names(engine: &dyn SearchEngine, f: &Filters, lines: &mut Vec<String>) -> Result<()> {
    for (flag, values) in keyword_filters(f) {
        if values.is_empty() {
            continue;
        }
        let (field, what) = field_of(flag);
        let known = engine.tally(None, TallyBy::Keyword(field))?.1.keywords;
        for v in values {
            let wanted = normalize_keyword(v);
            if known.keys().any(|k| normalize_keyword(k) == wanted) {
                continue;
            }
            let close = close_names(v, &known);
            if close.is_empty() {
                lines.push(format!(
                    "  {flag} {}: no article has this {what} and no name in the index is close (`newsdex count --by {}` lists them)",
                    quoted(v),
                    field.trim_end_matches('s'),
                ));
            } else {
                let names: Vec<String> = close
                    .iter()
                    .map(|(name, n)| format!("{} ({})", quoted(name), articles(*n)))
                    .collect();
                lines.push(format!(
                    "  {flag} {}: no article has this {what}; did you mean {}?",
                    quoted(v),
                    names.join(", ")
                ));
            }
        }
    }
    Ok(())
}

/// The dates the index holds (for a user whose --since/--until matched nothing).
fn date_range_line(engine: &dyn SearchEngine) -> Result<String> {
    let days = engine.tally(None, TallyBy::Day)?.1;
    let first_day = days.days.keys().next().and_then(|&d| day_to_date(d));
    let last_day = days.days.keys().next_back().and_then(|&d| day_to_date(d));
    let (Some(a), Some(b)) = (first_day, last_day) else {
        return Ok("  no article in the index has a date: --since/--until match none".into());
    };
    let mut line = format!("  the index holds articles dated {a} to {b}");
    if days.undated > 0 {
        line.push_str(&format!(
            " ({} undated, never matched by --since/--until)",
            articles(days.undated)
        ));
    }
    Ok(line)
}

/// A line per query (not `--like`) with its count without any filter.
fn unfiltered_counts(
    engine: &dyn SearchEngine,
    requests: &[&SearchRequest],
    lines: &mut Vec<String>,
) -> Result<()> {
    for req in requests {
        if req.like.is_some() {
            continue;
        }
        let mut open = (*req).clone();
        open.filters = Filters::default();
        let n = engine.tally(Some(&open), TallyBy::Day)?.0;
        lines.push(if n > 0 {
            format!(
                "  without the filters, {} matches {}",
                quoted(&req.query),
                articles(n)
            )
        } else {
            format!(
                "  {} matches nothing even without the filters",
                quoted(&req.query)
            )
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(names: &[(&str, u64)]) -> BTreeMap<String, u64> {
        names.iter().map(|(k, n)| (k.to_string(), *n)).collect()
    }

    #[test]
    fn close_names_fold_case_and_accents_and_allow_typos() {
        let k = known(&[
            ("Planet Politics", 12),
            ("Le Mondé", 3),
            ("port gazette", 7),
            ("Jane Okafor", 4),
        ]);
        let names =
            |g: &str| -> Vec<String> { close_names(g, &k).into_iter().map(|x| x.0).collect() };
        assert_eq!(names("Planet Poltics"), ["Planet Politics"]);
        assert_eq!(names("PLANET"), ["Planet Politics"]);
        assert_eq!(names("le mond"), ["Le Mondé"], "accents and case folded");
        assert_eq!(names("okafor"), ["Jane Okafor"], "a word prefix");
        assert_eq!(names("Port Gazete"), ["port gazette"]);
        assert!(names("Herald Tribune").is_empty());
        assert!(names("").is_empty());
    }

    #[test]
    fn filters_are_echoed_as_options_and_escaped() {
        let f = Filters {
            since: Some(time::macros::date!(2020 - 01 - 01)),
            sources: vec!["Planet \x1b[31mPost".into()],
            languages: vec!["en".into()],
            ..Filters::default()
        };
        let d = describe_filters(&f).join(" ");
        assert_eq!(
            d,
            "--since 2020-01-01 --source \"Planet \\x1B[31mPost\" --lang en"
        );
    }
}
