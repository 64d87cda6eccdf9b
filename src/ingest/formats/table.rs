//! CSV (`.csv`) and TSV (`.tsv`, `.tab`) tables of articles, one row each, under a header row.
//!
//! Columns are recognised by name exactly as JSON keys are ([`record::build`]), or named with
//! `--map`. Quoted fields may span lines (in TSV too). Rows with too few or too many fields are
//! still read by column name (extra fields are reported); a row that cannot be read costs only
//! itself. The record number is the 0-based data row; reasons give the 1-based line number.

use serde_json::Value;

use crate::ingest::formats::record::{self, has_text_key};
use crate::ingest::{FileOutcome, Flush, ParseOptions, Problem, decode};

/// Parses a comma-separated file (the delimiter and quote character are sniffed: `;`, `|` and
/// tab-separated files named `.csv` and `'`-quoted ones are common in real exports).
pub fn parse_csv(
    path: &str,
    bytes: &[u8],
    opts: &ParseOptions,
    out: &mut FileOutcome,
    flush: &mut Flush<'_>,
) {
    let text = decode::decode(bytes, None).text;
    let dialect = sniff(&text, b",;\t|");
    parse(path, &text, dialect, "csv", opts, out, flush);
}

/// Parses a tab-separated file (the quote character is sniffed).
pub fn parse_tsv(
    path: &str,
    bytes: &[u8],
    opts: &ParseOptions,
    out: &mut FileOutcome,
    flush: &mut Flush<'_>,
) {
    let text = decode::decode(bytes, None).text;
    let dialect = sniff(&text, b"\t");
    parse(path, &text, dialect, "tsv", opts, out, flush);
}

/// A table's delimiter and quote character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Dialect {
    delimiter: u8,
    quote: u8,
}

/// Rows of the sample read to sniff a dialect or judge a header.
const SAMPLE_ROWS: usize = 50;

fn reader(text: &str, d: Dialect) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(d.delimiter)
        .quote(d.quote)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// The first rows of `text` read with `d` (blank rows and unreadable ones left out).
fn sample(text: &str, d: Dialect) -> Vec<Vec<String>> {
    reader(text, d)
        .records()
        .take(SAMPLE_ROWS)
        .filter_map(|r| r.ok())
        .filter(|r| !r.iter().all(|c| c.trim().is_empty()))
        .map(|r| r.iter().map(str::to_string).collect())
        .collect()
}

/// The dialect under which the first rows agree best on a number of fields above one: each
/// candidate delimiter with `"` and with `'` as the quote. Ties keep the earlier candidate
/// (`,` and `"` first), so ordinary files read as before.
fn sniff(text: &str, delimiters: &[u8]) -> Dialect {
    let mut head = text;
    // A sample is enough: up to 64 KB, cut at a line end.
    if head.len() > 65_536 {
        let cut = head[..65_536]
            .rfind('\n')
            .unwrap_or(head.floor_char_boundary(65_536));
        head = &head[..cut];
    }
    let mut best = (
        Dialect {
            delimiter: delimiters[0],
            quote: b'"',
        },
        (0usize, 0usize, std::cmp::Reverse(usize::MAX)),
    );
    for &delimiter in delimiters {
        for quote in [b'"', b'\''] {
            let d = Dialect { delimiter, quote };
            let rows = sample(head, d);
            let mut counts: std::collections::BTreeMap<usize, usize> = Default::default();
            for r in &rows {
                *counts.entry(r.len()).or_default() += 1;
            }
            // The most common width, among widths of two or more fields.
            let Some((&width, &agree)) = counts
                .iter()
                .filter(|(w, _)| **w >= 2)
                .max_by_key(|(w, n)| (**n, **w))
            else {
                continue;
            };
            // Cells still wrapped in the other quote character were not unquoted: this quote
            // is the wrong one.
            let other = if quote == b'"' { '\'' } else { '"' };
            let wrapped = rows
                .iter()
                .flatten()
                .filter(|c| c.len() >= 2 && c.starts_with(other) && c.ends_with(other))
                .count();
            // Rows that agree, then wider rows (more columns found), then fewer cells left
            // quoted break ties.
            let score = (
                agree * 1000 / rows.len().max(1),
                width.min(64),
                std::cmp::Reverse(wrapped),
            );
            if score > best.1 {
                best = (d, score);
            }
        }
    }
    best.0
}

/// True when a cell reads as a number (an id, a class label, a count).
fn numeric(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty() && s.parse::<f64>().is_ok()
}

/// Decides whether the first row names the columns. Yes when it holds a column name newsdex
/// knows (or one `--map` names); no when it holds a number where the column below holds
/// numbers, a long passage, or repeats a value; otherwise by comparing each cell with its
/// column: a short label over long text, or text over numbers, is a header.
fn first_row_is_header(rows: &[Vec<String>], opts: &ParseOptions) -> bool {
    let Some(first) = rows.first() else {
        return false;
    };
    if opts.field_map.no_header {
        return false;
    }
    if has_text_key(first.iter().map(String::as_str), &opts.field_map) {
        return true;
    }
    let rest = &rows[1..];
    let mut seen = std::collections::HashSet::new();
    if first
        .iter()
        .any(|c| c.chars().count() > 60 || (!c.trim().is_empty() && !seen.insert(c.trim())))
    {
        return false;
    }
    if rest.is_empty() {
        // One row alone: names are short and not numbers.
        return first.iter().all(|c| !numeric(c) && c.chars().count() <= 30);
    }
    let (mut header, mut data) = (0, 0);
    for (col, cell) in first.iter().enumerate() {
        let below: Vec<&str> = rest
            .iter()
            .filter_map(|r| r.get(col).map(String::as_str))
            .filter(|c| !c.trim().is_empty())
            .collect();
        if below.is_empty() {
            continue;
        }
        let all_numeric = below.iter().all(|c| numeric(c));
        if all_numeric {
            if numeric(cell) {
                data += 1;
            } else {
                header += 1;
            }
            continue;
        }
        if numeric(cell) {
            data += 1;
            continue;
        }
        let mut lens: Vec<usize> = below.iter().map(|c| c.chars().count()).collect();
        lens.sort_unstable();
        let median = lens[lens.len() / 2];
        let len = cell.chars().count();
        if median >= 2 * len + 10 {
            header += 1;
        } else {
            data += 1;
        }
    }
    header > data
}

/// For a table without a header: which numbered column is the body (the longest prose) and
/// which the title (shorter prose), when `--map` names neither.
fn guess_columns(rows: &[Vec<String>]) -> Option<(Option<usize>, usize)> {
    let width = rows.iter().map(Vec::len).max()?;
    let mut prose: Vec<(usize, usize)> = (0..width)
        .filter_map(|col| {
            let cells: Vec<&str> = rows
                .iter()
                .filter_map(|r| r.get(col).map(|c| c.trim()))
                .filter(|c| !c.is_empty())
                .collect();
            if cells.is_empty() || cells.iter().any(|c| numeric(c)) {
                return None;
            }
            let words = cells.iter().filter(|c| c.contains(' ')).count();
            if words * 2 < cells.len() {
                return None;
            }
            let mean = cells.iter().map(|c| c.chars().count()).sum::<usize>() / cells.len();
            Some((col, mean))
        })
        .collect();
    prose.sort_by_key(|(col, mean)| (std::cmp::Reverse(*mean), *col));
    let (body, body_len) = *prose.first()?;
    if body_len < 20 {
        return None;
    }
    let title = prose
        .get(1)
        .filter(|(_, mean)| *mean >= 8 && *mean < body_len)
        .map(|(col, _)| *col);
    Some((title, body))
}

/// The `--map` for this file: column numbers (`body=3`) become the names of those columns, so
/// they work with and without a header.
fn map_for(
    header: &[String],
    map: &crate::ingest::meta::FieldMap,
) -> crate::ingest::meta::FieldMap {
    let mut m = map.clone();
    for (_, key) in &mut m.entries {
        if header.iter().any(|h| h == key) {
            continue;
        }
        if let Ok(n) = key.trim().parse::<usize>()
            && n >= 1
            && let Some(name) = header.get(n - 1)
        {
            *key = name.clone();
        }
    }
    m
}

/// Mapped keys that are neither a column of `header` nor a column number.
fn unknown_mapped<'m>(header: &[String], map: &'m crate::ingest::meta::FieldMap) -> Vec<&'m str> {
    let norm: Vec<String> = header.iter().map(|h| record::norm_key(h)).collect();
    map.entries
        .iter()
        .map(|(_, k)| k.as_str())
        .filter(|k| {
            !header.iter().any(|h| h == k)
                && !norm.contains(&record::norm_key(k))
                && !k
                    .trim()
                    .parse::<usize>()
                    .is_ok_and(|n| n >= 1 && n <= header.len())
        })
        .collect()
}

fn parse(
    path: &str,
    text: &str,
    dialect: Dialect,
    format: &'static str,
    opts: &ParseOptions,
    out: &mut FileOutcome,
    flush: &mut Flush<'_>,
) {
    let head = sample(text, dialect);
    if head.is_empty() {
        out.problems
            .push(Problem::rejected(path, None, "no readable rows"));
        return;
    }
    let has_header = first_row_is_header(&head, opts);
    let header: Vec<String> = if has_header {
        head[0].iter().map(|c| c.trim().to_string()).collect()
    } else {
        let width = head.iter().map(Vec::len).max().unwrap_or(0);
        (1..=width).map(|n| n.to_string()).collect()
    };
    let Some(field_map) = file_map(path, &head, &header, has_header, dialect, opts, out) else {
        return;
    };
    let table = Table {
        path,
        format,
        header,
        field_map,
    };
    table.read_rows(text, dialect, has_header, out, flush);
}

/// The `--map` this file is read with: column numbers turned into column names, and without a
/// header row (and no title or body mapped) the title and body columns guessed, with a warning.
/// `None`, with the reason in `out`, when the file has no column to read articles from.
fn file_map(
    path: &str,
    head: &[Vec<String>],
    header: &[String],
    has_header: bool,
    dialect: Dialect,
    opts: &ParseOptions,
    out: &mut FileOutcome,
) -> Option<crate::ingest::meta::FieldMap> {
    use crate::ingest::meta::Target;
    let unknown = unknown_mapped(header, &opts.field_map);
    if !unknown.is_empty() {
        out.problems.push(Problem::rejected(
            path,
            None,
            format!(
                "--map names {}, not a column here (columns: {}; or a column number 1-{})",
                unknown.join(", "),
                shown_columns(header),
                header.len()
            ),
        ));
        return None;
    }
    let mut map = map_for(header, &opts.field_map);
    if has_header {
        if !has_text_key(header.iter().map(String::as_str), &map) {
            out.problems
                .push(Problem::rejected(path, None, header_reason(header, opts)));
            return None;
        }
        return Some(map);
    }
    if map.key_for(Target::Body).is_some() || map.key_for(Target::Title).is_some() {
        return Some(map);
    }
    let Some((title, body)) = guess_columns(head) else {
        out.problems.push(Problem::rejected(
            path,
            None,
            format!(
                "no header row and no column of prose to index ({} columns); use --map title=N,body=M with column numbers",
                header.len()
            ),
        ));
        return None;
    };
    map.entries.push((Target::Body, header[body].clone()));
    let mut said = format!("column {} as the body", body + 1);
    if let Some(t) = title {
        map.entries.push((Target::Title, header[t].clone()));
        said = format!("column {} as the title and {said}", t + 1);
    }
    out.problems.push(Problem::warning(
        path,
        None,
        format!(
            "no header row (delimiter {:?}): read {said}; --map title=N,body=M chooses others",
            dialect.delimiter as char
        ),
    ));
    Some(map)
}

/// A file's rows as articles: its name and format, its column names and the field map every row
/// is read with.
struct Table<'a> {
    path: &'a str,
    format: &'static str,
    header: Vec<String>,
    field_map: crate::ingest::meta::FieldMap,
}

impl Table<'_> {
    /// Reads every row after the header (if any); blank rows count as records only after it, and
    /// an unreadable row is reported and skipped.
    fn read_rows(
        &self,
        text: &str,
        dialect: Dialect,
        has_header: bool,
        out: &mut FileOutcome,
        flush: &mut Flush<'_>,
    ) {
        let mut reader = reader(text, dialect);
        let mut row = csv::StringRecord::new();
        let mut index: u64 = 0;
        let mut skip_header = has_header;
        let mut cells: Vec<Value> = Vec::with_capacity(self.header.len());
        loop {
            let before = reader.position().byte();
            let line = reader.position().line();
            match reader.read_record(&mut row) {
                Ok(false) => break,
                Ok(true) => {
                    if row.iter().all(|c| c.trim().is_empty()) {
                        if !skip_header {
                            index += 1;
                        }
                        continue;
                    }
                    if std::mem::take(&mut skip_header) {
                        continue;
                    }
                    let line = row.position().map_or(line, |p| p.line());
                    self.read_row(index, line, &row, &mut cells, out);
                    index += 1;
                    flush(out);
                }
                Err(e) => {
                    let n = index;
                    index += 1;
                    skip_header = false;
                    out.problems.push(Problem::rejected(
                        self.path,
                        Some(n),
                        format!("line {line}: unreadable row: {e}"),
                    ));
                    // Never loop on an error that consumes nothing.
                    if reader.position().byte() == before || reader.is_done() {
                        break;
                    }
                }
            }
        }
    }

    /// Row `n` (on `line`) as an article, or the reason it is not one.
    fn read_row(
        &self,
        n: u64,
        line: u64,
        row: &csv::StringRecord,
        cells: &mut Vec<Value>,
        out: &mut FileOutcome,
    ) {
        let path = self.path;
        if row.len() > self.header.len() {
            out.problems.push(Problem::warning(
                path,
                Some(n),
                format!(
                    "line {line}: {} fields but the header has {}; the extra fields were ignored",
                    row.len(),
                    self.header.len()
                ),
            ));
        }
        cells.clear();
        cells.extend(row.iter().map(|c| Value::String(c.to_string())));
        let items: Vec<(&str, &Value)> = self
            .header
            .iter()
            .map(String::as_str)
            .zip(cells.iter())
            .collect();
        match record::build(
            path,
            n,
            self.format,
            &items,
            &self.field_map,
            &mut out.problems,
        ) {
            Ok(a) => out.articles.push(a),
            Err(reason) => out.problems.push(Problem::rejected(
                path,
                Some(n),
                format!("line {line}: {reason}"),
            )),
        }
    }
}

/// The first columns of a header, for messages.
fn shown_columns(header: &[String]) -> String {
    let mut cols = header
        .iter()
        .take(12)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if header.len() > 12 {
        cols.push_str(", ...");
    }
    cols
}

/// Why a header row gives nothing to index, naming its columns (and the missing mapped ones).
fn header_reason(header: &[String], opts: &ParseOptions) -> String {
    let cols = shown_columns(header);
    let mut reason = format!("no title or body column in header (columns: {cols})");
    let missing: Vec<&str> = opts
        .field_map
        .entries
        .iter()
        .filter(|(t, _)| {
            matches!(
                t,
                crate::ingest::meta::Target::Title | crate::ingest::meta::Target::Body
            )
        })
        .map(|(_, k)| k.as_str())
        .collect();
    if missing.is_empty() {
        reason.push_str("; use --map body=<column>");
    } else {
        reason.push_str(&format!(
            "; --map names {}, not a column here",
            missing.join(", ")
        ));
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::article::DateSource;
    use crate::ingest::meta::FieldMap;
    use crate::ingest::{Severity, keep_all};

    fn run_csv(src: &[u8], opts: &ParseOptions) -> FileOutcome {
        let mut out = FileOutcome::default();
        parse_csv("/arch/t.csv", src, opts, &mut out, &mut keep_all);
        out
    }

    #[test]
    fn csv_with_bom_multiline_body_and_authors() {
        let mut src = b"\xEF\xBB\xBF".to_vec();
        src.extend_from_slice(
            b"id,Title,Published,Authors,Outlet,Text,Tags\r\n\
              1,Port expands,2018-10-25 14:03:00,\"Maria Okafor; Daniel Reyes\",Harbor Ledger,\"Cranes arrive on Monday.\r\n\r\nThe union said \"\"fine\"\".\",\"port, trade\"\r\n\
              2,Market day,25 October 2018,Lena Park and Tom Ruiz,Harbor Ledger,Stalls return.,\r\n",
        );
        let out = run_csv(&src, &ParseOptions::default());
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let [a, b] = &out.articles[..] else {
            panic!("{:?}", out.articles)
        };
        assert_eq!(a.record, 0);
        assert_eq!(a.format, "csv");
        assert_eq!(a.title, "Port expands");
        assert_eq!(
            a.body,
            "Cranes arrive on Monday.\n\nThe union said \"fine\"."
        );
        assert_eq!(a.authors, ["Maria Okafor", "Daniel Reyes"]);
        assert_eq!(a.source.as_deref(), Some("Harbor Ledger"));
        assert_eq!(a.tags, ["port", "trade"]);
        assert_eq!(a.published.unwrap().to_rfc3339(), "2018-10-25T14:03:00Z");
        assert_eq!(a.date_source, Some(DateSource::Meta));
        assert_eq!(b.record, 1);
        assert_eq!(b.authors, ["Lena Park", "Tom Ruiz"]);
        assert_eq!(b.published.unwrap().local_day.to_string(), "2018-10-25");
        assert!(b.tags.is_empty());
    }

    #[test]
    fn tsv_with_quoted_field() {
        let mut out = FileOutcome::default();
        parse_tsv(
            "/arch/t.tsv",
            b"headline\tbody\tdate\tsection\n\
              Rail link delayed\t\"Work stops for winter,\n\tsays the board.\"\t2019-01-04\tTransport\n\
              Park opens\tA new park, with a lake.\t2019-01-05\tCity\n",
            &ParseOptions::default(),
            &mut out,
            &mut keep_all,
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let got: Vec<(u64, &str, &str, Option<&str>)> = out
            .articles
            .iter()
            .map(|a| {
                (
                    a.record,
                    a.title.as_str(),
                    a.body.as_str(),
                    a.section.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    0,
                    "Rail link delayed",
                    "Work stops for winter,\n\tsays the board.",
                    Some("Transport")
                ),
                (1, "Park opens", "A new park, with a lake.", Some("City"))
            ]
        );
        assert_eq!(out.articles[0].format, "tsv");
    }

    #[test]
    fn no_usable_columns_is_one_rejection() {
        let out = run_csv(
            b"id,ts,story_text\n1,1540476180,Night buses return.\n",
            &ParseOptions::default(),
        );
        assert!(out.articles.is_empty());
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].record, None);
        assert_eq!(
            out.problems[0].reason,
            "no title or body column in header (columns: id, ts, story_text); use --map body=<column>"
        );
        // A map naming a column that is not there says so.
        let opts = ParseOptions {
            field_map: FieldMap::parse("body=story").unwrap(),
            ..Default::default()
        };
        let out = run_csv(b"id,ts,story_text\n1,2,x\n", &opts);
        assert_eq!(
            out.problems[0].reason,
            "--map names story, not a column here (columns: id, ts, story_text; or a column number 1-3)"
        );
    }

    #[test]
    fn field_map_on_csv() {
        let opts = ParseOptions {
            field_map: FieldMap::parse("body=story_text,published=ts").unwrap(),
            ..Default::default()
        };
        let out = run_csv(
            b"id,ts,story_text\n1,1540476180000,Night buses return to the east side.\n2,,\n",
            &opts,
        );
        assert_eq!(out.articles.len(), 1);
        let a = &out.articles[0];
        assert_eq!(a.body, "Night buses return to the east side.");
        assert_eq!(a.published.unwrap().to_rfc3339(), "2018-10-25T14:03:00Z");
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].record, Some(1));
        assert_eq!(
            out.problems[0].reason,
            "line 3: no title or body (keys: id, ts, story_text)"
        );
    }

    #[test]
    fn ragged_rows_are_read_by_name() {
        let out = run_csv(
            b"title,text,url,section\n\
              Short row,Only two fields here\n\
              Long row,Body text,https://x.example/a,Sport,EXTRA,MORE\n\
              ,,,\n\
              Normal,Fine body,https://x.example/b,News\n",
            &ParseOptions::default(),
        );
        let got: Vec<(u64, &str, &str, Option<&str>)> = out
            .articles
            .iter()
            .map(|a| {
                (
                    a.record,
                    a.title.as_str(),
                    a.body.as_str(),
                    a.url.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (0, "Short row", "Only two fields here", None),
                (1, "Long row", "Body text", Some("https://x.example/a")),
                (3, "Normal", "Fine body", Some("https://x.example/b"))
            ]
        );
        assert_eq!(out.articles[1].section.as_deref(), Some("Sport"));
        assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
        assert_eq!(out.problems[0].severity, Severity::Warning);
        assert_eq!(out.problems[0].record, Some(1));
        assert_eq!(
            out.problems[0].reason,
            "line 3: 6 fields but the header has 4; the extra fields were ignored"
        );
    }

    #[test]
    fn rejected_row_keeps_neighbours_and_names_its_line() {
        let out = run_csv(
            b"id,title,body\n1,First,\"One\ntwo\"\n2,,\n3,Third,Three\n,\"\",\"   \"\n",
            &ParseOptions::default(),
        );
        let titles: Vec<&str> = out.articles.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(titles, ["First", "Third"]);
        assert_eq!(out.articles[1].record, 2);
        // Wholly blank rows are not records worth a complaint; a row with only an id is.
        assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
        assert_eq!(out.problems[0].record, Some(1));
        assert_eq!(
            out.problems[0].reason,
            "line 4: no title or body (keys: id, title, body); use --map body=<key>"
        );
    }

    #[test]
    fn headerless_semicolon_table_with_single_quotes() {
        let src = "3;'Wall St. Bears Claw Back; Into the Black';'Short-sellers, Wall Street''s dwindling band, are seeing green again.'\n\
                   3;'Carlyle Looks Toward Commercial Aerospace';'Private investment firm Carlyle Group has quietly placed its bets.'\n\
                   4;'Oil prices soar to all-time record';'Soaring crude prices plus worries about the economy threaten earnings.'\n";
        let out = run_csv(src.as_bytes(), &ParseOptions::default());
        let titles: Vec<&str> = out.articles.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Wall St. Bears Claw Back; Into the Black",
                "Carlyle Looks Toward Commercial Aerospace",
                "Oil prices soar to all-time record"
            ]
        );
        assert_eq!(out.articles[0].record, 0, "the first row is data");
        assert_eq!(
            out.articles[0].body,
            "Short-sellers, Wall Street's dwindling band, are seeing green again."
        );
        // One warning says how the columns were read.
        assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
        assert!(out.problems[0].reason.contains("no header row"));
        assert!(
            out.problems[0]
                .reason
                .contains("column 2 as the title and column 3 as the body")
        );

        // Column numbers in --map, with --no-header.
        let opts = ParseOptions {
            field_map: FieldMap {
                no_header: true,
                ..FieldMap::parse("title=3,body=2,section=1").unwrap()
            },
            ..Default::default()
        };
        let out = run_csv(src.as_bytes(), &opts);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.articles.len(), 3);
        assert_eq!(out.articles[2].body, "Oil prices soar to all-time record");
        assert_eq!(out.articles[2].section.as_deref(), Some("4"));

        // A number past the last column is an error naming the columns.
        let opts = ParseOptions {
            field_map: FieldMap::parse("body=7").unwrap(),
            ..Default::default()
        };
        let out = run_csv(src.as_bytes(), &opts);
        assert!(out.articles.is_empty());
        assert_eq!(
            out.problems[0].reason,
            "--map names 7, not a column here (columns: 1, 2, 3; or a column number 1-3)"
        );
    }

    #[test]
    fn header_detection_and_dialects() {
        let rows = |t: &str| sample(t, sniff(t, b",;\t|"));
        let o = ParseOptions::default();
        // Unknown names over prose and numbers: a header.
        assert!(first_row_is_header(
            &rows(
                "klass,kop,tekst\n1,Short title here,A much longer passage of text that goes on\n2,Another title,Another long passage of prose that goes on\n"
            ),
            &o
        ));
        // Numbers over numbers: data.
        assert!(!first_row_is_header(
            &rows(
                "1,Short title here,A much longer passage of text that goes on\n2,Another title,Another long passage of prose that goes on\n"
            ),
            &o
        ));
        assert_eq!(sniff("a|b|c\n1|2|3\n", b",;\t|").delimiter, b'|');
        assert_eq!(
            sniff("title,body\nA,\"x, y\"\n", b",;"),
            Dialect {
                delimiter: b',',
                quote: b'"'
            }
        );
        // A header-named column on its own still counts by number.
        let opts = ParseOptions {
            field_map: FieldMap::parse("body=2").unwrap(),
            ..Default::default()
        };
        let out = run_csv(b"id,story\n1,Buses return tonight.\n", &opts);
        assert_eq!(out.articles[0].body, "Buses return tonight.");
    }

    #[test]
    fn odd_input_never_panics() {
        for src in [
            &b"title,body\nA,\"unterminated\nB,x\n"[..],
            b"title\r\rA\r",
            b"\"\"\"\n\"",
            b"title,body\n\xff\xfe,\xc3\n",
            b",,,\n,,,\n",
        ] {
            let mut out = FileOutcome::default();
            let o = ParseOptions::default();
            parse_csv("/arch/odd.csv", src, &o, &mut out, &mut keep_all);
            parse_tsv("/arch/odd.tsv", src, &o, &mut out, &mut keep_all);
        }
    }
}
