//! CSV (`.csv`) and TSV (`.tsv`, `.tab`) tables of articles, one row each, under a header row.
//!
//! Columns are recognised by name exactly as JSON keys are ([`record::build`]), or named with
//! `--map`. Quoted fields may span lines (in TSV too). Rows with too few or too many fields are
//! still read by column name (extra fields are reported); a row that cannot be read costs only
//! itself. The record number is the 0-based data row; reasons give the 1-based line number.

use serde_json::Value;

use crate::ingest::formats::record::{self, has_text_key};
use crate::ingest::{FileOutcome, ParseOptions, Problem, decode};

/// Parses a comma-separated file.
pub fn parse_csv(path: &str, bytes: &[u8], opts: &ParseOptions, out: &mut FileOutcome) {
    parse(path, bytes, b',', "csv", opts, out);
}

/// Parses a tab-separated file.
pub fn parse_tsv(path: &str, bytes: &[u8], opts: &ParseOptions, out: &mut FileOutcome) {
    parse(path, bytes, b'\t', "tsv", opts, out);
}

fn parse(
    path: &str,
    bytes: &[u8],
    delimiter: u8,
    format: &'static str,
    opts: &ParseOptions,
    out: &mut FileOutcome,
) {
    let text = decode::decode(bytes, None).text;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_string()).collect(),
        Err(e) => {
            out.problems.push(Problem::rejected(
                path,
                None,
                format!("unreadable header row: {e}"),
            ));
            return;
        }
    };
    if !has_text_key(header.iter().map(String::as_str), &opts.field_map) {
        out.problems
            .push(Problem::rejected(path, None, header_reason(&header, opts)));
        return;
    }

    let mut row = csv::StringRecord::new();
    let mut index: u64 = 0;
    let mut cells: Vec<Value> = Vec::with_capacity(header.len());
    loop {
        let before = reader.position().byte();
        let line = reader.position().line();
        match reader.read_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {
                let n = index;
                index += 1;
                let line = row.position().map_or(line, |p| p.line());
                if row.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                if row.len() > header.len() {
                    out.problems.push(Problem::warning(
                        path,
                        Some(n),
                        format!(
                            "line {line}: {} fields but the header has {}; the extra fields were ignored",
                            row.len(),
                            header.len()
                        ),
                    ));
                }
                cells.clear();
                cells.extend(row.iter().map(|c| Value::String(c.to_string())));
                let items: Vec<(&str, &Value)> = header
                    .iter()
                    .map(String::as_str)
                    .zip(cells.iter())
                    .collect();
                match record::build(path, n, format, &items, &opts.field_map, &mut out.problems) {
                    Ok(a) => out.articles.push(a),
                    Err(reason) => out.problems.push(Problem::rejected(
                        path,
                        Some(n),
                        format!("line {line}: {reason}"),
                    )),
                }
            }
            Err(e) => {
                let n = index;
                index += 1;
                out.problems.push(Problem::rejected(
                    path,
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

/// Why a header row gives nothing to index, naming its columns (and the missing mapped ones).
fn header_reason(header: &[String], opts: &ParseOptions) -> String {
    let mut cols = header
        .iter()
        .take(12)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if header.len() > 12 {
        cols.push_str(", ...");
    }
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
    use crate::ingest::Severity;
    use crate::ingest::article::DateSource;
    use crate::ingest::meta::FieldMap;

    fn run_csv(src: &[u8], opts: &ParseOptions) -> FileOutcome {
        let mut out = FileOutcome::default();
        parse_csv("/arch/t.csv", src, opts, &mut out);
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
            "no title or body column in header (columns: id, ts, story_text); --map names story, not a column here"
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
    fn odd_input_never_panics() {
        for src in [
            &b"title,body\nA,\"unterminated\nB,x\n"[..],
            b"title\r\rA\r",
            b"\"\"\"\n\"",
            b"title,body\n\xff\xfe,\xc3\n",
            b",,,\n,,,\n",
        ] {
            let mut out = FileOutcome::default();
            parse_csv("/arch/odd.csv", src, &ParseOptions::default(), &mut out);
            parse_tsv("/arch/odd.tsv", src, &ParseOptions::default(), &mut out);
        }
    }
}
