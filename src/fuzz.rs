//! Entry points for fuzzing: the cargo-fuzz targets under `fuzz/` and the property tests in
//! `tests/fuzz_props.rs` call these, so both exercise exactly the same code and invariants.
//!
//! Each function takes arbitrary input and panics only when newsdex breaks one of its promises:
//! a reader must never panic, every rejection must carry a reason, and every article it returns
//! must turn into an index document; a query must either run or come back as a clear error.

use std::sync::OnceLock;

use crate::ingest::article::Article;
use crate::ingest::{self, Compression, FileOutcome, Format, ParseOptions, Severity};
use crate::search::{LocalEngine, SearchEngine, SearchRequest, SortOrder};

/// Every format the indexer reads, for targets and tests that go over all of them.
pub const FORMATS: [Format; 11] = [
    Format::Text,
    Format::Markdown,
    Format::Html,
    Format::Json,
    Format::JsonLines,
    Format::Csv,
    Format::Tsv,
    Format::Sgml,
    Format::Xml,
    Format::Warc,
    Format::Smart,
];

/// Parses `data` as a file of `format` and checks the outcome's invariants, and that a read
/// that hands the articles on one at a time (as the indexer does in batches) gives the same
/// articles and problems.
pub fn ingest(format: Format, data: &[u8]) -> FileOutcome {
    let mut out = FileOutcome::default();
    let path = format!("/fuzz/input.{}", format.name());
    let opts = ParseOptions::default();
    ingest::parse_bytes(&path, format, data, &opts, &mut out);
    check_outcome(&out);
    let mut one_by_one = FileOutcome::default();
    let mut streamed = Vec::new();
    ingest::parse_bytes_in_batches(&path, format, data, &opts, &mut one_by_one, 1, &mut |b| {
        streamed.append(b)
    });
    let key = |a: &Article| (a.id(), a.title.clone(), a.body.clone(), a.source.clone());
    assert_eq!(
        streamed.iter().map(key).collect::<Vec<_>>(),
        out.articles.iter().map(key).collect::<Vec<_>>(),
        "a read in batches found other articles than a whole read"
    );
    let problems = |o: &FileOutcome| -> Vec<(Option<u64>, String)> {
        o.problems
            .iter()
            .map(|p| (p.record, p.reason.clone()))
            .collect()
    };
    assert_eq!(
        problems(&one_by_one),
        problems(&out),
        "a read in batches found other problems than a whole read"
    );
    out
}

/// Decompresses `data` (bounded) and, when anything came out, parses it as `format`.
pub fn compressed(compression: Compression, format: Format, data: &[u8]) {
    const LIMIT: u64 = 4 << 20;
    let bytes = match ingest::decompress(compression, data, LIMIT) {
        Ok(b) => b,
        Err((partial, reason)) => {
            assert!(!reason.is_empty());
            assert!(
                partial.len() as u64 <= LIMIT,
                "decompression overran its limit"
            );
            partial
        }
    };
    if !bytes.is_empty() {
        ingest(format, &bytes);
    }
}

fn check_outcome(out: &FileOutcome) {
    for p in &out.problems {
        assert!(!p.reason.trim().is_empty(), "a problem without a reason");
        assert!(!p.path.is_empty(), "a problem without a path");
    }
    let (_, fields) = crate::index::schema::build_schema();
    for a in &out.articles {
        // Only a multi-record reader may keep a record without text (a wire story that has
        // only its codes), and it must say so.
        assert!(
            !(a.title.trim().is_empty() && a.body.trim().is_empty())
                || out
                    .problems
                    .iter()
                    .any(|p| p.record == Some(a.record) && p.severity == Severity::Warning),
            "an article with no text was accepted silently"
        );
        assert!(
            !(a.title.chars().chain(a.body.chars())).any(crate::ingest::article::is_stray_control),
            "a control character in stored text"
        );
        if let Some(p) = a.published {
            let year = p.utc.year();
            assert!((1800..=2200).contains(&year), "implausible year {year}");
        }
        let _ = crate::index::to_document(&fields, a, crate::index::schema::DEFAULT_TITLE_WEIGHT);
    }
}

/// A small in-memory index the query target searches.
fn engine() -> &'static LocalEngine {
    static ENGINE: OnceLock<LocalEngine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut out = FileOutcome::default();
        let text = "Migrant caravan reaches the border\n\nBy Ana Ruiz\nPublished: 2018-10-25\n\n\
                    Thousands of migrants walked north on Thursday.\n";
        ingest::parse_bytes(
            "/fuzz/a.txt",
            Format::Text,
            text.as_bytes(),
            &ParseOptions::default(),
            &mut out,
        );
        let mut articles: Vec<Article> = out.articles;
        articles.push(Article {
            path: "/fuzz/b.txt".into(),
            title: "Harbour dredging resumes".into(),
            body:
                "Dredgers returned to the harbour after the storm; immigration officials watched."
                    .into(),
            source: Some("Coast Post".into()),
            format: "text",
            ..Article::default()
        });
        // Hostile text for snippets: multi-byte spaces beside matches, combining marks, bidi
        // controls, zero-width joiners, emoji, CJK without spaces, a word far longer than a
        // snippet window, and text that looks like markup.
        let hostile = [
            "12\u{a0}million migrants\u{2009}crossed; 3\u{3000}million\u{202f}more\u{a0}waited",
            "caf\u{e9} cafe\u{301} \u{202e}nargim\u{202c} migrant \u{200d}\u{1f469}\u{200d}\u{1f52c} caravan \u{feff}harbour",
            "\u{79fb}\u{6c11}\u{30ad}\u{30e3}\u{30e9}\u{30d0}\u{30f3}\u{304c}\u{56fd}\u{5883}\u{306b}\u{5230}\u{7740} caravan",
            "<b>caravan</b> &amp; &#x202E; **migrant** [link](x) \u{fffd}\u{fffd} caravan",
        ];
        // Long runs of words joined only by multi-byte spaces before a match, so a snippet
        // window's left edge falls among them.
        let runs = [
            format!("{}caravan migrant", "dredge\u{a0}".repeat(120)),
            format!("{}caravan\u{3000}migrant", "\u{6e2f}\u{3000}".repeat(150)),
        ];
        for (i, body) in hostile.iter().copied().chain(runs.iter().map(String::as_str)).enumerate() {
            articles.push(Article {
                path: format!("/fuzz/hostile{i}.txt"),
                title: format!("Hostile {i} caravan\u{a0}migrant"),
                body: format!("{body} {} {body}", "x".repeat(i * 300)),
                format: "text",
                ..Article::default()
            });
        }
        LocalEngine::in_memory(&articles).expect("in-memory index")
    })
}

/// Runs `query` as `newsdex search` would (ranked, then newest first, with snippets); it must
/// either answer or fail with a message, never panic.
pub fn query(query: &str, any: bool) {
    let engine = engine();
    for sort in [SortOrder::Relevance, SortOrder::Newest] {
        let mut req = SearchRequest::new(query);
        req.any = any;
        req.sort = sort;
        req.limit = 10;
        req.snippets = true;
        match engine.search(&req) {
            Ok(r) => {
                assert!(r.hits.len() <= r.total_hits);
                for h in &r.hits {
                    let s = &h.snippet;
                    for range in &s.highlights {
                        assert!(
                            range.start < range.end
                                && range.end <= s.text.len()
                                && s.text.is_char_boundary(range.start)
                                && s.text.is_char_boundary(range.end),
                            "highlight {range:?} is not a run of characters of {:?}",
                            s.text
                        );
                    }
                    assert!(
                        s.highlights.windows(2).all(|w| w[0].end <= w[1].start),
                        "overlapping highlights {:?}",
                        s.highlights
                    );
                }
            }
            Err(e) => assert!(
                !e.to_string().trim().is_empty(),
                "an error without a message"
            ),
        }
    }
}
