//! `newsdex count`: how many articles match, per day, ISO week, month or year (on the articles'
//! own calendar days), or per outlet, section or author — read from fast fields by a collector,
//! never from stored documents. Several queries side by side; `--share` divides by all articles
//! in the bucket; the table can be drawn as an SVG timeline.

use std::fmt::Write as _;

use serde::Serialize;
use time::{Date, Duration, Month};

use crate::error::Result;
use crate::report::stats::day_to_date;
use crate::search::{SearchEngine, SearchRequest, Tally, TallyBy};

/// What to count by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bucketing {
    Day,
    Week,
    Month,
    Year,
    Source,
    Section,
    Author,
    Language,
}

impl Bucketing {
    fn is_time(self) -> bool {
        matches!(
            self,
            Bucketing::Day | Bucketing::Week | Bucketing::Month | Bucketing::Year
        )
    }

    fn tally_by(self) -> TallyBy {
        match self {
            Bucketing::Source => TallyBy::Keyword("source"),
            Bucketing::Section => TallyBy::Keyword("section"),
            Bucketing::Author => TallyBy::Keyword("authors"),
            Bucketing::Language => TallyBy::Keyword("language"),
            _ => TallyBy::Day,
        }
    }

    /// The first day of the bucket holding `d`.
    fn start(self, d: Date) -> Date {
        match self {
            Bucketing::Day => d,
            Bucketing::Week => d - Duration::days(i64::from(d.weekday().number_days_from_monday())),
            Bucketing::Month => d.replace_day(1).expect("day 1 exists"),
            _ => Date::from_calendar_date(d.year(), Month::January, 1).expect("Jan 1 exists"),
        }
    }

    /// The first day of the next bucket.
    fn next(self, d: Date) -> Date {
        match self {
            Bucketing::Day => d + Duration::days(1),
            Bucketing::Week => d + Duration::days(7),
            Bucketing::Month => {
                let (y, m) = if d.month() == Month::December {
                    (d.year() + 1, Month::January)
                } else {
                    (d.year(), d.month().next())
                };
                Date::from_calendar_date(y, m, 1).expect("day 1 exists")
            }
            _ => Date::from_calendar_date(d.year() + 1, Month::January, 1).expect("Jan 1 exists"),
        }
    }

    /// How a bucket is labelled: `2018-10-25`, `2018-W43`, `2018-10`, `2018`.
    fn label(self, d: Date) -> String {
        match self {
            Bucketing::Day => d.to_string(),
            Bucketing::Week => {
                let (y, w, _) = d.to_iso_week_date();
                format!("{y}-W{w:02}")
            }
            Bucketing::Month => format!("{}-{:02}", d.year(), d.month() as u8),
            _ => d.year().to_string(),
        }
    }
}

/// The bucket of articles with no value for an outlet, section or author count.
pub const NONE_BUCKET: &str = "(none)";

/// One row of a count table.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub bucket: String,
    /// One count per query, in query order.
    pub counts: Vec<u64>,
    /// All articles in the bucket (with `share`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// counts / total (with `share`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shares: Option<Vec<f64>>,
}

/// Counts for several queries side by side.
#[derive(Clone, Debug, Serialize)]
pub struct CountTable {
    pub by: Bucketing,
    /// Stories counted, not articles: each cluster of copies once (`--unique`).
    pub unique: bool,
    pub queries: Vec<String>,
    pub rows: Vec<Row>,
    /// Matching articles with no known date (time bucketing only), per query.
    pub undated: Vec<u64>,
    /// Matching articles per query (an article with two authors is in two author buckets but
    /// counts once here; articles without a date or a value for `by` count here too).
    pub totals: Vec<u64>,
}

/// Counts every query of `requests` by `by`. Time buckets run from the first to the last bucket
/// any query has, with empty buckets as zero.
pub fn count(
    engine: &dyn SearchEngine,
    requests: &[SearchRequest],
    by: Bucketing,
    share: bool,
) -> Result<CountTable> {
    let mut tallies = Vec::new();
    let mut totals = Vec::new();
    for req in requests {
        let (n, tally) = engine.tally(Some(req), by.tally_by())?;
        totals.push(n);
        tallies.push(tally);
    }
    // Stories, not copies (`count --unique`): the share is of all stories in the bucket too.
    let stories = requests.iter().any(|r| r.collapse);
    let all = match (share, stories) {
        (false, _) => None,
        (true, false) => Some(engine.tally(None, by.tally_by())?.1),
        (true, true) => {
            let mut every = SearchRequest::new("*");
            every.collapse = true;
            Some(engine.tally(Some(&every), by.tally_by())?.1)
        }
    };
    let mut rows = Vec::new();
    if by.is_time() {
        let days = tallies.iter().flat_map(|t| t.days.keys().copied());
        let (lo, hi) = (days.clone().min(), days.max());
        if let (Some(lo), Some(hi)) = (lo.and_then(day_to_date), hi.and_then(day_to_date)) {
            let mut start = by.start(lo);
            while start <= hi {
                let end = by.next(start);
                let range = |t: &Tally| -> u64 {
                    let a = i64::from(start.to_julian_day() - crate::index::UNIX_EPOCH_JULIAN_DAY);
                    let b = i64::from(end.to_julian_day() - crate::index::UNIX_EPOCH_JULIAN_DAY);
                    t.days.range(a..b).map(|(_, n)| n).sum()
                };
                let counts: Vec<u64> = tallies.iter().map(range).collect();
                let total = all.as_ref().map(range);
                rows.push(row(by.label(start), counts, total));
                start = end;
            }
        }
    } else {
        let mut keys: Vec<&String> = tallies.iter().flat_map(|t| t.keywords.keys()).collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            let counts = tallies
                .iter()
                .map(|t| t.keywords.get(k).copied().unwrap_or(0))
                .collect();
            let total = all
                .as_ref()
                .map(|t| t.keywords.get(k).copied().unwrap_or(0));
            rows.push(row(k.clone(), counts, total));
        }
        // Biggest first.
        rows.sort_by(|a, b| {
            b.counts
                .iter()
                .sum::<u64>()
                .cmp(&a.counts.iter().sum::<u64>())
                .then(a.bucket.cmp(&b.bucket))
        });
        // Articles without an outlet (section, author) are a bucket too, last, so the rows
        // account for every match.
        if tallies.iter().any(|t| t.missing > 0) {
            let counts = tallies.iter().map(|t| t.missing).collect();
            rows.push(row(
                NONE_BUCKET.to_string(),
                counts,
                all.as_ref().map(|t| t.missing),
            ));
        }
    }
    Ok(CountTable {
        by,
        unique: stories,
        queries: requests.iter().map(|r| r.query.clone()).collect(),
        undated: tallies.iter().map(|t| t.undated).collect(),
        totals,
        rows,
    })
}

fn row(bucket: String, counts: Vec<u64>, total: Option<u64>) -> Row {
    let shares = total.map(|t| {
        counts
            .iter()
            .map(|&c| if t == 0 { 0.0 } else { c as f64 / t as f64 })
            .collect()
    });
    Row {
        bucket,
        counts,
        total,
        shares,
    }
}

/// A line chart of the table (one line per query, share or count on the y axis), as SVG.
pub fn svg(table: &CountTable) -> String {
    const W: f64 = 900.0;
    const H: f64 = 420.0;
    const L: f64 = 80.0;
    const R: f64 = 20.0;
    const T: f64 = 40.0;
    const B: f64 = 80.0;
    const COLORS: [&str; 6] = [
        "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
    ];
    let share = table.rows.first().is_some_and(|r| r.shares.is_some());
    let value = |r: &Row, q: usize| -> f64 {
        match &r.shares {
            Some(s) => s[q],
            None => r.counts[q] as f64,
        }
    };
    let max = table
        .rows
        .iter()
        .flat_map(|r| (0..table.queries.len()).map(move |q| (r, q)))
        .map(|(r, q)| value(r, q))
        .fold(0.0_f64, f64::max)
        .max(if share { 0.01 } else { 1.0 });
    let n = table.rows.len().max(1);
    let x = |i: usize| {
        L + (W - L - R)
            * if n == 1 {
                0.5
            } else {
                i as f64 / (n - 1) as f64
            }
    };
    let y = |v: f64| T + (H - T - B) * (1.0 - v / max);
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">
<rect width="{W}" height="{H}" fill="white"/>
<text x="{}" y="22" text-anchor="middle" font-size="15">{} per {:?}</text>
<line x1="{L}" y1="{}" x2="{}" y2="{}" stroke="black"/>
<line x1="{L}" y1="{T}" x2="{L}" y2="{}" stroke="black"/>
"#,
        W / 2.0,
        if share {
            "Share of articles"
        } else {
            "Articles"
        },
        table.by,
        H - B,
        W - R,
        H - B,
        H - B
    );
    // Y axis: five ticks.
    for k in 0..=4 {
        let v = max * k as f64 / 4.0;
        let label = if share {
            format!("{:.1}%", v * 100.0)
        } else {
            format!("{v:.0}")
        };
        let _ = writeln!(
            s,
            r##"<line x1="{}" y1="{y:.1}" x2="{L}" y2="{y:.1}" stroke="black"/><text x="{}" y="{:.1}" text-anchor="end">{label}</text><line x1="{L}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#ddd"/>"##,
            L - 5.0,
            L - 8.0,
            y(v) + 4.0,
            W - R,
            y = y(v)
        );
    }
    // X axis: at most 12 labels.
    let step = n.div_ceil(12).max(1);
    for (i, r) in table.rows.iter().enumerate().filter(|(i, _)| i % step == 0) {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end" transform="rotate(-45 {:.1} {:.1})">{}</text>"#,
            x(i),
            H - B + 16.0,
            x(i),
            H - B + 16.0,
            esc(&r.bucket)
        );
    }
    for (q, query) in table.queries.iter().enumerate() {
        let color = COLORS[q % COLORS.len()];
        let points: Vec<String> = table
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| format!("{:.1},{:.1}", x(i), y(value(r, q))))
            .collect();
        let _ = writeln!(
            s,
            r#"<polyline class="series" data-query="{}" fill="none" stroke="{color}" stroke-width="2" points="{}"/>"#,
            esc(query),
            points.join(" ")
        );
        let ly = T + 16.0 * q as f64;
        let _ = writeln!(
            s,
            r#"<rect x="{}" y="{:.1}" width="12" height="12" fill="{color}"/><text x="{}" y="{:.1}">{}</text>"#,
            W - R - 230.0,
            ly,
            W - R - 212.0,
            ly + 10.0,
            esc(query)
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn calendar_buckets() {
        assert_eq!(
            Bucketing::Month.start(date!(2018 - 02 - 28)),
            date!(2018 - 02 - 01)
        );
        assert_eq!(
            Bucketing::Month.next(date!(2018 - 12 - 01)),
            date!(2019 - 01 - 01)
        );
        assert_eq!(
            Bucketing::Week.start(date!(2018 - 10 - 25)),
            date!(2018 - 10 - 22)
        );
        assert_eq!(Bucketing::Week.label(date!(2018 - 12 - 31)), "2019-W01");
        assert_eq!(Bucketing::Year.label(date!(2018 - 12 - 31)), "2018");
        assert_eq!(Bucketing::Month.label(date!(2018 - 03 - 31)), "2018-03");
    }
}
