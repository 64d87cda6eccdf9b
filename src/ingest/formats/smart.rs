//! SMART-format test collections (Cranfield `cran.all.1400`, `CISI.ALL`, `MED.ALL`): records start
//! with `.I <id>`, followed by field markers `.T` (title), `.A` (authors, one per line), `.B`
//! (bibliographic source), `.W` (text), `.X` (citations) and others, each on a line of its own.
//! The `.I` value is kept as the article's `docno`, the id relevance judgments use.

use crate::ingest::meta::{Meta, MetaKey};
use crate::ingest::{FileOutcome, Flush, ParseOptions, Problem, decode};

/// True when the content is a SMART collection: its first non-blank line is a `.I <number>`
/// record marker. The file name (`*.all`) alone is no evidence.
pub fn looks_like_smart(bytes: &[u8]) -> bool {
    let Some(first) = bytes
        .split(|&b| b == b'\n')
        .map(|l| l.trim_ascii())
        .find(|l| !l.is_empty())
    else {
        return false;
    };
    first.strip_prefix(b".I").is_some_and(|rest| {
        let n = rest.trim_ascii();
        !n.is_empty()
            && rest.first().is_some_and(u8::is_ascii_whitespace)
            && n.iter().all(u8::is_ascii_digit)
    })
}

/// Parses every `.I` record in the file.
pub fn parse(
    path: &str,
    bytes: &[u8],
    _opts: &ParseOptions,
    out: &mut FileOutcome,
    flush: &mut Flush<'_>,
) {
    let text = decode::decode(bytes, None).text;
    let mut record: Option<Record> = None;
    let mut field = ' ';
    let mut count = 0u64;
    for (line_no, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if let Some(id) = line.strip_prefix(".I") {
            if let Some(r) = record.take() {
                r.finish(path, out);
                flush(out);
            }
            record = Some(Record {
                number: count,
                docno: id.trim().to_string(),
                line: line_no + 1,
                ..Record::default()
            });
            count += 1;
            field = ' ';
            continue;
        }
        let marker = line.len() == 2 && line.starts_with('.');
        if marker {
            field = line.as_bytes()[1] as char;
            continue;
        }
        let Some(r) = record.as_mut() else {
            if !line.trim().is_empty() {
                out.problems.push(Problem::rejected(
                    path,
                    None,
                    format!(
                        "not a SMART collection: line {} comes before any .I record",
                        line_no + 1
                    ),
                ));
                return;
            }
            continue;
        };
        match field {
            'T' => push_line(&mut r.title, line),
            'W' => push_line(&mut r.body, line),
            'A' if !line.trim().is_empty() => r.authors.push(line.trim().to_string()),
            'B' => push_line(&mut r.source, line),
            _ => {}
        }
    }
    if let Some(r) = record.take() {
        r.finish(path, out);
    }
    if count == 0 {
        out.problems
            .push(Problem::rejected(path, None, "no .I records in the file"));
    }
}

#[derive(Default)]
struct Record {
    number: u64,
    docno: String,
    line: usize,
    title: String,
    body: String,
    source: String,
    authors: Vec<String>,
}

impl Record {
    fn finish(self, path: &str, out: &mut FileOutcome) {
        if self.title.trim().is_empty() && self.body.trim().is_empty() {
            out.problems.push(Problem::rejected(
                path,
                Some(self.number),
                format!(
                    "record has no title or text: .I {} at line {}",
                    self.docno, self.line
                ),
            ));
            return;
        }
        let mut meta = Meta::default();
        meta.set(MetaKey::Title, &self.title);
        for a in &self.authors {
            // One author per line; `brenckman,m.` is a single name.
            if !meta.authors.contains(a) {
                meta.authors.push(a.clone());
            }
        }
        let mut a = meta.into_article(
            path,
            self.number,
            "smart",
            self.body.trim().to_string(),
            &mut out.problems,
        );
        a.docno = Some(self.docno).filter(|d| !d.is_empty());
        out.articles.push(a);
    }
}

/// Appends a line: a line starting with whitespace starts a new paragraph.
fn push_line(buf: &mut String, line: &str) {
    let t = line.trim();
    if t.is_empty() {
        return;
    }
    if !buf.is_empty() {
        buf.push_str(if line.starts_with([' ', '\t']) {
            "\n\n"
        } else {
            " "
        });
    }
    buf.push_str(t);
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = ".I 1\n.T\nexperimental investigation of the aerodynamics of a\nwing in a slipstream .\n.A\nbrenckman,m.\n.B\nj. ae. scs. 25, 1958, 324.\n.W\nexperimental investigation of the aerodynamics.\n  an experimental study of a wing\nin a propeller slipstream was made .\n.I 2\n.T\n.W\n.I 003\n.T\nshear flow\n.A\nComaromi, J.P.\nSmith, K.\n.X\n1\t5\t1\n";

    #[test]
    fn smart_is_told_from_the_content() {
        assert!(looks_like_smart(SAMPLE.as_bytes()));
        assert!(looks_like_smart(b"\r\n  \n.I 12\r\n.W\r\nx\r\n"));
        assert!(!looks_like_smart(b"Results of all matches\n\n.I 1\n"));
        assert!(!looks_like_smart(b".Is it news?\n"));
        assert!(!looks_like_smart(b".I\n"));
        assert!(!looks_like_smart(b""));
    }

    #[test]
    fn records_fields_and_docnos() {
        let mut out = FileOutcome::default();
        parse(
            "/c/cran.all.1400",
            SAMPLE.as_bytes(),
            &ParseOptions::default(),
            &mut out,
            &mut crate::ingest::keep_all,
        );
        assert_eq!(out.articles.len(), 2);
        let a = &out.articles[0];
        assert_eq!(
            a.title,
            "experimental investigation of the aerodynamics of a wing in a slipstream ."
        );
        assert_eq!(
            a.body,
            "experimental investigation of the aerodynamics.\n\nan experimental study of a wing in a propeller slipstream was made ."
        );
        assert_eq!(a.authors, ["brenckman,m."]);
        assert_eq!(a.docno.as_deref(), Some("1"));
        assert_eq!(a.record, 0);
        let c = &out.articles[1];
        assert_eq!(c.docno.as_deref(), Some("003"));
        assert_eq!(c.authors, ["Comaromi, J.P.", "Smith, K."]);
        assert_eq!(c.record, 2);
        // Record 2 is empty: rejected with its id, its neighbours kept.
        assert_eq!(out.problems.len(), 1);
        assert!(out.problems[0].reason.contains(".I 2"));
    }

    #[test]
    fn not_smart() {
        let mut out = FileOutcome::default();
        parse(
            "/c/x.all",
            b"hello\n.I 1\n.W\nx\n",
            &ParseOptions::default(),
            &mut out,
            &mut crate::ingest::keep_all,
        );
        assert!(out.articles.is_empty());
        assert!(out.problems[0].reason.starts_with("not a SMART collection"));
    }
}
