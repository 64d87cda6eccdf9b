//! A count table (`newsdex count`, `/api/count`) as a terminal table, CSV, JSON or an SVG line
//! chart. The table itself is built by [`report::count`](crate::report::count); this module only
//! knows its shape.

use std::io::{self, Write};

use serde::Serialize;

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
    /// Every bucketing, in the order `--by` lists them.
    pub const ALL: [Bucketing; 8] = [
        Bucketing::Day,
        Bucketing::Week,
        Bucketing::Month,
        Bucketing::Year,
        Bucketing::Source,
        Bucketing::Section,
        Bucketing::Author,
        Bucketing::Language,
    ];

    /// Its name for `count --by`, the API's `by=` and JSON (`month`).
    pub fn name(self) -> &'static str {
        match self {
            Bucketing::Day => "day",
            Bucketing::Week => "week",
            Bucketing::Month => "month",
            Bucketing::Year => "year",
            Bucketing::Source => "source",
            Bucketing::Section => "section",
            Bucketing::Author => "author",
            Bucketing::Language => "language",
        }
    }
}

impl std::str::FromStr for Bucketing {
    type Err = String;

    /// A bucketing by its [`Bucketing::name`]; the error lists the names.
    fn from_str(s: &str) -> Result<Bucketing, String> {
        Bucketing::ALL
            .into_iter()
            .find(|b| b.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Bucketing::ALL.iter().map(|b| b.name()).collect();
                format!("`{s}` is not a bucketing: use one of {}", names.join(", "))
            })
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

impl Row {
    /// What the row shows for query `q`: its share of the bucket with `share`, else its count.
    fn value(&self, q: usize) -> f64 {
        match &self.shares {
            Some(s) => s[q],
            None => self.counts[q] as f64,
        }
    }
}

/// Counts for several queries side by side.
#[derive(Clone, Debug, Serialize)]
pub struct CountTable {
    pub by: Bucketing,
    /// Stories counted, not articles: each cluster of copies once (`--unique`).
    pub unique: bool,
    /// Each bucket's counts are also given as a share of all its articles (`--share`).
    #[serde(skip)]
    pub share: bool,
    pub queries: Vec<String>,
    pub rows: Vec<Row>,
    /// Matching articles with no known date (time bucketing only), per query.
    pub undated: Vec<u64>,
    /// Matching articles per query (an article with two authors is in two author buckets but
    /// counts once here; articles without a date or a value for `by` count here too).
    pub totals: Vec<u64>,
}

/// How a count table is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CountFormat {
    /// For people: aligned columns with a bar for the first query.
    Table,
    /// A header row (`bucket`, one column per query, with `share` the bucket's article count and
    /// one share column per query), then one row per bucket.
    Csv,
    /// The table as one pretty-printed JSON document (what `/api/count` answers).
    Json,
}

/// Writes `table` in `format`.
pub fn write(out: &mut dyn Write, table: &CountTable, format: CountFormat) -> io::Result<()> {
    match format {
        CountFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, table)?;
            writeln!(out)
        }
        CountFormat::Csv => write_csv(out, table),
        CountFormat::Table => write_table(out, table),
    }
}

fn write_csv(out: &mut dyn Write, table: &CountTable) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["bucket".to_string()];
    header.extend(table.queries.iter().cloned());
    if table.share {
        header.push("all_articles".into());
        header.extend(table.queries.iter().map(|q| format!("share: {q}")));
    }
    w.write_record(&header)?;
    for r in &table.rows {
        let mut rec = vec![r.bucket.clone()];
        rec.extend(r.counts.iter().map(u64::to_string));
        if let (Some(t), Some(sh)) = (r.total, &r.shares) {
            rec.push(t.to_string());
            rec.extend(sh.iter().map(|x| format!("{x:.6}")));
        }
        w.write_record(&rec)?;
    }
    w.flush()
}

fn write_table(out: &mut dyn Write, table: &CountTable) -> io::Result<()> {
    let width = table
        .rows
        .iter()
        .map(|r| r.bucket.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    let max = table
        .rows
        .iter()
        .map(|r| r.value(0))
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE);
    write!(out, "{:<width$}", "bucket")?;
    for q in &table.queries {
        write!(out, "  {:>12}", truncate(q, 12))?;
    }
    writeln!(out)?;
    for r in &table.rows {
        write!(out, "{:<width$}", r.bucket)?;
        for (q, c) in r.counts.iter().enumerate() {
            match &r.shares {
                Some(sh) => write!(out, "  {:>5} {:>5.1}%", c, sh[q] * 100.0)?,
                None => write!(out, "  {c:>12}")?,
            }
        }
        let bar = ((r.value(0) / max) * 40.0).round() as usize;
        writeln!(out, "  {}", "█".repeat(bar))?;
    }
    let totals: Vec<String> = table.totals.iter().map(u64::to_string).collect();
    writeln!(
        out,
        "total{}  {}",
        " ".repeat(width.saturating_sub(5)),
        totals.join("  ")
    )?;
    if table.undated.iter().any(|&u| u > 0) {
        let u: Vec<String> = table.undated.iter().map(u64::to_string).collect();
        writeln!(out, "undated matches (not in any bucket): {}", u.join(", "))?;
    }
    Ok(())
}

/// `s` cut to `n` characters, the last one an ellipsis when it was longer.
fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

/// A line chart of the table (one line per query, share or count on the y axis), as SVG.
pub fn svg(table: &CountTable) -> String {
    let chart = chart::Chart::new(table);
    let mut s = String::new();
    chart.frame(&mut s);
    chart.y_axis(&mut s);
    chart.x_axis(&mut s);
    chart.series(&mut s);
    s.push_str("</svg>\n");
    s
}

/// The pieces of [`svg`], on one page geometry (in pixels: width, height, and the left, right,
/// top and bottom margins).
mod chart {
    use std::fmt::Write;

    use super::CountTable;

    const W: f64 = 900.0;
    const H: f64 = 420.0;
    const L: f64 = 80.0;
    const R: f64 = 20.0;
    const T: f64 = 40.0;
    const B: f64 = 80.0;
    const COLORS: [&str; 6] = [
        "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
    ];

    /// A table and its scales.
    pub(super) struct Chart<'t> {
        table: &'t CountTable,
        /// Shares (not counts) on the y axis.
        share: bool,
        /// The top of the y axis.
        max: f64,
        /// Points per line (at least 1).
        n: usize,
    }

    fn esc(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }

    impl Chart<'_> {
        pub(super) fn new(table: &CountTable) -> Chart<'_> {
            let share = table.rows.first().is_some_and(|r| r.shares.is_some());
            let max = table
                .rows
                .iter()
                .flat_map(|r| (0..table.queries.len()).map(move |q| r.value(q)))
                .fold(0.0_f64, f64::max)
                .max(if share { 0.01 } else { 1.0 });
            Chart {
                table,
                share,
                max,
                n: table.rows.len().max(1),
            }
        }

        fn x(&self, i: usize) -> f64 {
            let n = self.n;
            L + (W - L - R)
                * if n == 1 {
                    0.5
                } else {
                    i as f64 / (n - 1) as f64
                }
        }

        fn y(&self, v: f64) -> f64 {
            T + (H - T - B) * (1.0 - v / self.max)
        }

        /// The `<svg>` element, background, title and the two axis lines.
        pub(super) fn frame(&self, s: &mut String) {
            let _ = write!(
                s,
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">
<rect width="{W}" height="{H}" fill="white"/>
<text x="{}" y="22" text-anchor="middle" font-size="15">{} per {:?}</text>
<line x1="{L}" y1="{}" x2="{}" y2="{}" stroke="black"/>
<line x1="{L}" y1="{T}" x2="{L}" y2="{}" stroke="black"/>
"#,
                W / 2.0,
                if self.share {
                    "Share of articles"
                } else {
                    "Articles"
                },
                self.table.by,
                H - B,
                W - R,
                H - B,
                H - B
            );
        }

        /// Five ticks with labels and grid lines.
        pub(super) fn y_axis(&self, s: &mut String) {
            for k in 0..=4 {
                let v = self.max * k as f64 / 4.0;
                let label = if self.share {
                    format!("{:.1}%", v * 100.0)
                } else {
                    format!("{v:.0}")
                };
                let _ = writeln!(
                    s,
                    r##"<line x1="{}" y1="{y:.1}" x2="{L}" y2="{y:.1}" stroke="black"/><text x="{}" y="{:.1}" text-anchor="end">{label}</text><line x1="{L}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#ddd"/>"##,
                    L - 5.0,
                    L - 8.0,
                    self.y(v) + 4.0,
                    W - R,
                    y = self.y(v)
                );
            }
        }

        /// At most 12 bucket labels, slanted.
        pub(super) fn x_axis(&self, s: &mut String) {
            let step = self.n.div_ceil(12).max(1);
            for (i, r) in self
                .table
                .rows
                .iter()
                .enumerate()
                .filter(|(i, _)| i % step == 0)
            {
                let _ = writeln!(
                    s,
                    r#"<text x="{:.1}" y="{:.1}" text-anchor="end" transform="rotate(-45 {:.1} {:.1})">{}</text>"#,
                    self.x(i),
                    H - B + 16.0,
                    self.x(i),
                    H - B + 16.0,
                    esc(&r.bucket)
                );
            }
        }

        /// One line per query, and its legend entry.
        pub(super) fn series(&self, s: &mut String) {
            for (q, query) in self.table.queries.iter().enumerate() {
                let color = COLORS[q % COLORS.len()];
                let points: Vec<String> = self
                    .table
                    .rows
                    .iter()
                    .enumerate()
                    .map(|(i, r)| format!("{:.1},{:.1}", self.x(i), self.y(r.value(q))))
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(share: bool) -> CountTable {
        let row = |bucket: &str, counts: Vec<u64>, total: Option<u64>| Row {
            bucket: bucket.to_string(),
            shares: total.map(|t| counts.iter().map(|&c| c as f64 / t as f64).collect()),
            counts,
            total,
        };
        CountTable {
            by: Bucketing::Year,
            unique: false,
            share,
            queries: vec!["caravan".into(), "a very long query indeed".into()],
            rows: vec![
                row("2018", vec![4, 1], share.then_some(8)),
                row("2019", vec![2, 0], share.then_some(10)),
            ],
            undated: vec![1, 0],
            totals: vec![7, 1],
        }
    }

    fn text(t: &CountTable, f: CountFormat) -> String {
        let mut out = Vec::new();
        write(&mut out, t, f).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn table_aligns_cuts_long_queries_and_draws_bars() {
        let out = text(&table(false), CountFormat::Table);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "bucket       caravan  a very long…");
        assert_eq!(
            lines[1],
            format!("2018               4             1  {}", "█".repeat(40))
        );
        assert_eq!(
            lines[2],
            format!("2019               2             0  {}", "█".repeat(20))
        );
        assert_eq!(lines[3], "total   7  1");
        assert_eq!(lines[4], "undated matches (not in any bucket): 1, 0");
    }

    #[test]
    fn csv_has_share_columns_only_with_share() {
        assert_eq!(
            text(&table(false), CountFormat::Csv),
            "bucket,caravan,a very long query indeed\n2018,4,1\n2019,2,0\n"
        );
        let with_share = text(&table(true), CountFormat::Csv);
        assert_eq!(
            with_share.lines().next(),
            Some(
                "bucket,caravan,a very long query indeed,all_articles,share: caravan,share: a very long query indeed"
            )
        );
        assert_eq!(
            with_share.lines().nth(1),
            Some("2018,4,1,8,0.500000,0.125000")
        );
    }

    #[test]
    fn svg_escapes_queries_and_draws_one_line_per_query() {
        let mut t = table(false);
        t.queries[1] = "<b>&\"x\"".into();
        let s = svg(&t);
        assert_eq!(s.matches("<polyline").count(), 2);
        assert!(
            s.contains(r#"data-query="&lt;b&gt;&amp;&quot;x&quot;""#),
            "{s}"
        );
        assert!(!s.contains("<b>"));
        assert!(s.contains("Articles per Year"));
    }
}
