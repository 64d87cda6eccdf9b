//! `--path-pattern`: what an archive's folder layout means.
//!
//! A pattern is a `/`-separated list of segments matched against a file's path relative to the
//! folder being indexed. A segment is literal text, `*` (any one folder), `**` (any number of
//! folders) or a mix of text and placeholders: `{source}`, `{section}`, `{yyyy}`, `{mm}`, `{dd}`,
//! `{any}`. Example: `{source}/{yyyy}/{mm}/{dd}/*` for `harbor-ledger/2018/10/25/story.txt`.
//!
//! What a pattern yields fills only what the file itself did not say: a header's outlet wins over
//! the folder name, and a date from the file wins over a date from the path.

use time::{Date, Month};

use crate::ingest::article::{Article, DateSource, Provenance, PubDate};
use crate::ingest::date::plausible;

/// A parsed `--path-pattern`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathPattern {
    text: String,
    segments: Vec<Segment>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    AnyDepth,
    Parts(Vec<Part>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Lit(String),
    Var(Var),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Var {
    Source,
    Section,
    Year,
    Month,
    Day,
    Any,
}

/// What a path said, by pattern.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathFacts {
    pub source: Option<String>,
    pub section: Option<String>,
    pub date: Option<Date>,
}

impl PathPattern {
    /// Parses a pattern; the error says what is wrong.
    pub fn parse(text: &str) -> Result<PathPattern, String> {
        let mut segments = Vec::new();
        for seg in text.trim_matches('/').split('/') {
            if seg == "**" {
                segments.push(Segment::AnyDepth);
                continue;
            }
            let mut parts = Vec::new();
            let mut rest = seg;
            while !rest.is_empty() {
                if let Some(after) = rest.strip_prefix('{') {
                    let end = after
                        .find('}')
                        .ok_or_else(|| format!("unclosed `{{` in path pattern segment `{seg}`"))?;
                    let var = match &after[..end] {
                        "source" | "outlet" => Var::Source,
                        "section" => Var::Section,
                        "yyyy" | "year" => Var::Year,
                        "mm" | "month" => Var::Month,
                        "dd" | "day" => Var::Day,
                        "any" | "*" => Var::Any,
                        other => {
                            return Err(format!(
                                "unknown placeholder `{{{other}}}` in path pattern: use {{source}}, {{section}}, {{yyyy}}, {{mm}}, {{dd}} or {{any}}"
                            ));
                        }
                    };
                    parts.push(Part::Var(var));
                    rest = &after[end + 1..];
                } else if let Some(after) = rest.strip_prefix('*') {
                    parts.push(Part::Var(Var::Any));
                    rest = after;
                } else {
                    let end = rest.find(['{', '*']).unwrap_or(rest.len());
                    parts.push(Part::Lit(rest[..end].to_string()));
                    rest = &rest[end..];
                }
            }
            if parts.is_empty() {
                return Err(format!("empty segment in path pattern `{text}`"));
            }
            segments.push(Segment::Parts(parts));
        }
        Ok(PathPattern {
            text: text.to_string(),
            segments,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Matches a relative path (`/`-separated segments). `None` when it does not fit the pattern.
    pub fn facts(&self, rel_segments: &[&str]) -> Option<PathFacts> {
        let mut vars = Vec::new();
        if !match_segments(&self.segments, rel_segments, &mut vars) {
            return None;
        }
        let mut f = PathFacts::default();
        let (mut y, mut m, mut d) = (None, None, None);
        for (var, value) in vars {
            match var {
                Var::Source => f.source = Some(value),
                Var::Section => f.section = Some(value),
                Var::Year => y = value.parse::<i32>().ok(),
                Var::Month => m = value.parse::<u8>().ok(),
                Var::Day => d = value.parse::<u8>().ok(),
                Var::Any => {}
            }
        }
        if let (Some(y), Some(m)) = (y, m) {
            f.date = Month::try_from(m)
                .ok()
                .and_then(|m| Date::from_calendar_date(y, m, d.unwrap_or(1)).ok())
                .filter(|date| plausible(date.midnight().assume_utc()));
            if d.is_none() {
                // A month folder says the month, not the day: not precise enough for a date.
                f.date = None;
            }
        }
        Some(f)
    }

    /// Fills what the file did not say from what its path says.
    pub fn apply(&self, rel_segments: &[&str], a: &mut Article) {
        let Some(f) = self.facts(rel_segments) else {
            return;
        };
        // The folder layout, which the user described, beats a guess from the URL.
        let guessed = |from: Option<Provenance>| from == Some(Provenance::Url);
        if (a.source.is_none() || guessed(a.source_from)) && f.source.is_some() {
            a.source = f.source;
            a.source_from = Some(Provenance::Path);
        }
        if (a.section.is_none() || guessed(a.section_from)) && f.section.is_some() {
            a.section = f.section;
            a.section_from = Some(Provenance::Path);
        }
        let weak_date = a.published.is_none() || a.date_source == Some(DateSource::Crawl);
        if weak_date && let Some(date) = f.date {
            a.published = Some(PubDate {
                utc: date.midnight().assume_utc(),
                local_day: date,
            });
            a.date_source = Some(DateSource::Path);
        }
    }
}

fn match_segments(pat: &[Segment], path: &[&str], vars: &mut Vec<(Var, String)>) -> bool {
    match pat.split_first() {
        None => path.is_empty(),
        Some((Segment::AnyDepth, rest)) => (0..=path.len()).any(|skip| {
            let mark = vars.len();
            let ok = match_segments(rest, &path[skip..], vars);
            if !ok {
                vars.truncate(mark);
            }
            ok
        }),
        Some((Segment::Parts(parts), rest)) => {
            let Some((first, others)) = path.split_first() else {
                return false;
            };
            let mark = vars.len();
            if match_parts(parts, first, vars) && match_segments(rest, others, vars) {
                return true;
            }
            vars.truncate(mark);
            false
        }
    }
}

/// Matches one path segment against literal/placeholder parts (placeholders are shortest-first,
/// except the last, which takes the rest).
fn match_parts(parts: &[Part], s: &str, vars: &mut Vec<(Var, String)>) -> bool {
    match parts.split_first() {
        None => s.is_empty(),
        Some((Part::Lit(l), rest)) => s
            .strip_prefix(l.as_str())
            .is_some_and(|r| match_parts(rest, r, vars)),
        Some((Part::Var(v), rest)) => {
            let widths: Vec<usize> = match v {
                Var::Year => vec![4],
                Var::Month | Var::Day => vec![2, 1],
                _ => s
                    .char_indices()
                    .map(|(i, _)| i)
                    .skip(1)
                    .chain([s.len()])
                    .collect(),
            };
            for w in widths {
                if w > s.len() || !s.is_char_boundary(w) {
                    continue;
                }
                let value = &s[..w];
                if matches!(v, Var::Year | Var::Month | Var::Day)
                    && !value.bytes().all(|b| b.is_ascii_digit())
                {
                    continue;
                }
                let mark = vars.len();
                vars.push((*v, value.to_string()));
                if match_parts(rest, &s[w..], vars) {
                    return true;
                }
                vars.truncate(mark);
            }
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(p: &str, path: &str) -> Option<PathFacts> {
        let segs: Vec<&str> = path.split('/').collect();
        PathPattern::parse(p).unwrap().facts(&segs)
    }

    #[test]
    fn outlet_and_day_folders() {
        let f = facts(
            "{source}/{yyyy}/{mm}/{dd}/*",
            "harbor-ledger/2018/10/25/story.txt",
        )
        .unwrap();
        assert_eq!(f.source.as_deref(), Some("harbor-ledger"));
        assert_eq!(f.date.unwrap().to_string(), "2018-10-25");
        assert_eq!(
            facts("{source}/{yyyy}/{mm}/{dd}/*", "x/2018/10/story.txt"),
            None
        );
    }

    #[test]
    fn any_depth_sections_and_file_name_dates() {
        let f = facts(
            "{source}/**/{section}/{yyyy}-{mm}-{dd}-*",
            "bbc/archive/old/sport/2004-05-01-cup.txt",
        )
        .unwrap();
        assert_eq!(f.source.as_deref(), Some("bbc"));
        assert_eq!(f.section.as_deref(), Some("sport"));
        assert_eq!(f.date.unwrap().to_string(), "2004-05-01");
        let f = facts("{section}/*", "business/001.txt").unwrap();
        assert_eq!(f.section.as_deref(), Some("business"));
        assert_eq!(f.date, None);
    }

    #[test]
    fn month_only_gives_no_date_and_bad_patterns_are_explained() {
        let f = facts("{source}/{yyyy}/{mm}/*", "a/2018/10/s.txt").unwrap();
        assert_eq!(f.date, None);
        assert!(
            PathPattern::parse("{outlett}/*")
                .unwrap_err()
                .contains("unknown placeholder")
        );
        assert!(
            PathPattern::parse("{source/*")
                .unwrap_err()
                .contains("unclosed")
        );
    }

    #[test]
    fn file_values_win_over_path_values() {
        let p = PathPattern::parse("{source}/{yyyy}/{mm}/{dd}/*").unwrap();
        let mut a = Article {
            source: Some("The Harbor Ledger".into()),
            ..Default::default()
        };
        p.apply(&["harbor-ledger", "2018", "10", "25", "s.txt"], &mut a);
        assert_eq!(a.source.as_deref(), Some("The Harbor Ledger"));
        assert_eq!(a.date_source, Some(DateSource::Path));
    }
}
