//! End-to-end search behaviour on the sample corpus, through the real binary.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{TestEnv, sample_corpus};
use predicates::prelude::*;

/// The lower-cased words of a file as stored on disk (gzip files decompressed).
fn words(path: &Path) -> Vec<String> {
    let mut bytes = std::fs::read(path).unwrap();
    if path.extension().is_some_and(|e| e == "gz") {
        use std::io::Read;
        let mut out = Vec::new();
        // Truncated samples decode as far as they go.
        let _ = flate2::read::MultiGzDecoder::new(bytes.as_slice()).read_to_end(&mut out);
        bytes = out;
    }
    String::from_utf8_lossy(&bytes)
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

fn sample_env() -> TestEnv {
    let env = TestEnv::new();
    env.index(&sample_corpus());
    env
}

/// The near-miss articles of the sample corpus. Of them only the warbler study has both
/// "migrant" and "caravan" (far apart); the others must not match the query at all.
const DISTRACTORS: &[&str] = &[
    "migrant-warblers",
    "vintage-car-caravan",
    "orchard-worker-housing",
    "safe-harbour",
    "eu-japan-trade",
];

fn is_distractor(path: &str) -> bool {
    DISTRACTORS.iter().any(|d| path.contains(d))
}

#[test]
fn migrant_caravan_ranks_caravan_stories_above_every_distractor() {
    let env = sample_env();
    let hits = env.search(&["migrant caravan"]);
    assert!(hits.len() >= 25, "only {} hits", hits.len());
    // Every hit's file contains both words, in some inflection.
    for h in &hits {
        let w = words(Path::new(&h.path));
        assert!(
            w.iter().any(|x| x.starts_with("migrant")),
            "{} lacks migrant",
            h.path
        );
        assert!(
            w.iter().any(|x| x.starts_with("caravan")),
            "{} lacks caravan",
            h.path
        );
    }
    // No distractor outranks a real caravan article in the query's language: the only one that
    // matches comes last of them. (A French caravan story matches through its own analysis,
    // scored with French statistics, `search::languages`: in an archive whose few French stories
    // are mostly about migrants, "migr" says little among them, so it ranks low.)
    let english: Vec<&common::JsonHit> = hits
        .iter()
        .filter(|h| h.language.as_deref() == Some("en"))
        .collect();
    let distractors: Vec<usize> = (0..english.len())
        .filter(|&i| is_distractor(&english[i].path))
        .collect();
    assert_eq!(
        distractors,
        [english.len() - 1],
        "distractor ranks among English hits: {distractors:?}"
    );
    assert!(english.last().unwrap().path.contains("migrant-warblers"));
    assert!(
        english.len() + 2 >= hits.len(),
        "{} English hits",
        english.len()
    );
    // The first hit is a caravan story from the caravan series.
    assert!(
        hits[0].path.contains("caravan"),
        "first hit {}",
        hits[0].path
    );
    // Stories from every kind of file take part: feeds, JSON, HTML and plain text.
    for kind in ["rss.xml", "atom.xml", ".json", ".html", ".txt", ".md"] {
        assert!(
            hits.iter()
                .any(|h| h.path.ends_with(kind) || h.path.contains(kind)),
            "no {kind} hit"
        );
    }
}

#[test]
fn phrase_search_returns_exactly_the_articles_with_the_phrase_headlines_first() {
    let env = sample_env();
    let hits = env.search(&["\"safe third country\""]);
    let got: BTreeSet<String> = hits.iter().map(|h| h.path.clone()).collect();

    let mut expected = BTreeSet::new();
    for entry in walkdir::WalkDir::new(sample_corpus()) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() || entry.file_name() == "README.md" {
            continue;
        }
        let w = words(entry.path());
        let found = w.windows(3).any(|t| {
            t[0] == "safe" && t[1] == "third" && (t[2] == "country" || t[2] == "countries")
        });
        if found {
            expected.insert(
                std::path::absolute(entry.path())
                    .unwrap()
                    .display()
                    .to_string(),
            );
        }
    }
    assert!(
        expected.len() >= 6,
        "corpus should have several phrase articles"
    );
    assert_eq!(got, expected);
    // The "third country" trade clause is a near miss and must not be found.
    assert!(!got.iter().any(|p| p.contains("eu-japan-trade")));

    let in_title: Vec<bool> = hits
        .iter()
        .map(|h| h.title.to_lowercase().contains("safe third country"))
        .collect();
    let n_title = in_title.iter().filter(|&&b| b).count();
    assert_eq!(n_title, 3);
    assert!(
        in_title[..n_title].iter().all(|&b| b),
        "headline matches first: {in_title:?}"
    );
}

#[test]
fn all_words_are_required_by_default_and_any_relaxes_it() {
    let env = sample_env();
    let all = env.search(&["--all", "warblers quantum"]);
    assert!(all.is_empty());
    // No article has both: by default the query is relaxed to any word, and says so.
    let relaxed = env.search(&["warblers quantum"]);
    assert_eq!(relaxed.len(), 2);
    assert!(relaxed.iter().all(|h| h.relaxed));
    let any = env.search(&["--any", "warblers quantum"]);
    let paths: Vec<&str> = any.iter().map(|h| h.path.as_str()).collect();
    assert_eq!(any.len(), 2, "{paths:?}");
    assert!(paths.iter().any(|p| p.contains("warblers")));
    assert!(paths.iter().any(|p| p.contains("quantum")));
}

#[test]
fn exclusion_and_queries_starting_with_a_dash() {
    let env = sample_env();
    let with = env.search(&["caravan"]);
    assert!(with.iter().any(|h| h.path.contains("vintage-car-caravan")));
    let without = env.search(&["--", "-vintage caravan"]);
    assert!(
        !without
            .iter()
            .any(|h| h.path.contains("vintage-car-caravan"))
    );
    assert_eq!(without.len(), with.len() - 1);
}

#[test]
fn field_queries_and_filters() {
    let env = sample_env();
    let hits = env.search(&["title:caravan"]);
    assert!(!hits.is_empty());
    assert!(
        hits.iter()
            .all(|h| h.title.to_lowercase().contains("caravan"))
    );

    let ledger = env.search(&["--source", "the harbor ledger", "caravan"]);
    assert!(!ledger.is_empty());
    assert!(
        ledger
            .iter()
            .all(|h| h.source.as_deref() == Some("The Harbor Ledger"))
    );

    let source_q = env.search(&["source:\"Capital Dispatch\" caravan"]);
    assert!(!source_q.is_empty());
    assert!(
        source_q
            .iter()
            .all(|h| h.source.as_deref() == Some("Capital Dispatch"))
    );

    let nov = env.search(&["--since", "2018-11", "--until", "2018-11", "caravan"]);
    assert!(!nov.is_empty());
    assert!(
        nov.iter()
            .all(|h| h.published.as_deref().unwrap().starts_with("2018-11"))
    );
}

#[test]
fn accents_fold_and_latin1_text_is_decoded() {
    let env = sample_env();
    let hits = env.search(&["Pena Nieto"]);
    assert!(hits.len() >= 3);
    let zurich = env.search(&["Zurich"]);
    let latin1 = zurich
        .iter()
        .find(|h| h.path.contains("zurich-photography"))
        .expect("Latin-1 article found");
    assert!(latin1.title.contains("Zürich"), "title {:?}", latin1.title);
}

#[test]
fn sort_by_date() {
    let env = sample_env();
    let newest = env.search(&["--sort", "newest", "caravan"]);
    let dates: Vec<&str> = newest
        .iter()
        .filter_map(|h| h.published.as_deref())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    let oldest = env.search(&["--sort", "oldest", "caravan"]);
    assert_eq!(oldest.first().unwrap().path, newest.last().unwrap().path);
}

#[test]
fn text_output_reports_total_and_highlights() {
    let env = sample_env();
    env.cmd()
        .args([
            "search",
            "--format",
            "text",
            "--limit",
            "2",
            "migrant caravan",
        ])
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"(?m)^\d+ hits for migrant caravan").unwrap())
        .stdout(predicate::str::contains("**caravan**").or(predicate::str::contains("**Caravan**")))
        .stdout(predicate::str::contains("\x1b[").not());
    env.cmd()
        .args(["search", "--format", "text", "--color", "always", "caravan"])
        .assert()
        .stdout(predicate::str::contains("\x1b[1;31m"));
}

#[test]
fn csv_output_parses_back() {
    let env = sample_env();
    let out = env
        .cmd()
        .args(["search", "--format", "csv", "--limit", "100", "caravan"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = r.headers().unwrap().clone();
    assert_eq!(&headers[0], "rank");
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    let jsonl = env.search(&["caravan"]);
    assert_eq!(rows.len(), jsonl.len());
    assert_eq!(&rows[0][2], jsonl[0].id.as_str());
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("{} hits", jsonl.len())));
}

#[test]
fn exit_codes_and_messages() {
    let env = sample_env();
    env.cmd().args(["search", "zzyzx"]).assert().code(1);
    env.cmd()
        .args(["search", "\"unclosed"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("never closed"));
    env.cmd()
        .args(["search", "title:("])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad query"));
    env.cmd()
        .args(["search", "--", "-caravan"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("only excludes"));
    env.cmd()
        .args(["search", "--since", "last week", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("YYYY-MM-DD"));

    let empty = TestEnv::new();
    empty
        .cmd()
        .args(["search", "caravan"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("run `newsdex index <DIR>` first"));
    empty
        .cmd()
        .args(["index", "/definitely/not/here"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/definitely/not/here"));
}

#[test]
fn stats_reports_articles_outlets_and_dates() {
    let env = sample_env();
    let out = env
        .cmd()
        .args(["stats", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["articles"], 107);
    assert_eq!(v["undated"], 1);
    assert_eq!(v["first_day"], "2018-04-10");
    assert!(v["sources"].as_array().unwrap().len() >= 5);
}

#[test]
fn trec_run_format() {
    let env = sample_env();
    let out = env
        .cmd()
        .args([
            "search",
            "--format",
            "trec",
            "--qid",
            "7",
            "--run-name",
            "nd",
            "--limit",
            "3",
        ])
        .arg("caravan")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split(' ').collect()).collect();
    assert_eq!(lines.len(), 3);
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l[0], "7");
        assert_eq!(l[1], "Q0");
        assert_eq!(l[2].len(), 16, "docno falls back to the article id");
        assert_eq!(l[3], (i + 1).to_string());
        assert!(l[4].parse::<f32>().unwrap() > 0.0);
        assert_eq!(l[5], "nd");
    }
}

fn ids(env: &TestEnv, args: &[&str]) -> BTreeSet<String> {
    env.search(args).into_iter().map(|h| h.id).collect()
}

#[test]
fn query_forms_mean_what_the_readme_says() {
    let env = sample_env();
    // a AND NOT b is a -b (tantivy alone returns nothing for the first form).
    let not = ids(&env, &["caravan AND NOT vintage"]);
    assert!(!not.is_empty());
    assert_eq!(not, ids(&env, &["caravan -vintage"]));
    // OR, parentheses and +required.
    assert_eq!(
        ids(&env, &["(warblers OR quantum) -vintage"]),
        ids(&env, &["--any", "warblers quantum"])
    );
    assert_eq!(
        ids(&env, &["+caravan +troops"]),
        ids(&env, &["caravan troops"])
    );
    // Accents fold both ways.
    assert_eq!(ids(&env, &["Pena Nieto"]), ids(&env, &["Peña Nieto"]));
    // Proximity: a looser phrase finds at least what the exact phrase finds.
    let exact_phrase = ids(&env, &["\"migrant caravan\""]);
    let near = ids(&env, &["\"migrant caravan\"~5"]);
    assert!(exact_phrase.is_subset(&near) && near.len() > exact_phrase.len());
    // Fuzzy: a typo within one edit finds the word; more than two edits is refused.
    assert_eq!(
        ids(&env, &["carvan~1"]),
        ids(&env, &["=caravan OR =caravans"])
    );
    env.cmd().args(["search", "caravan~5"]).assert().code(2);
    // Date ranges with plain dates equal the --since/--until filters.
    assert_eq!(
        ids(&env, &["caravan published:[2018-11-01 TO 2018-11-30]"]),
        ids(
            &env,
            &["--since", "2018-11", "--until", "2018-11", "caravan"]
        )
    );
    // Field scoping on wire tags.
    assert!(!ids(&env, &["topics:border"]).is_empty());
    // A lone * is every article.
    assert_eq!(env.search(&["*"]).len(), 107);
}

#[test]
fn exact_word_forms_and_prefixes_use_unstemmed_words() {
    let env = sample_env();
    let stemmed = env.search(&["migrants"]);
    let exact = env.search(&["=migrants"]);
    let singular = env.search(&["=migrant"]);
    assert!(exact.len() < stemmed.len() && singular.len() < stemmed.len());
    let stem_ids: BTreeSet<_> = stemmed.iter().map(|h| h.id.clone()).collect();
    let union: BTreeSet<_> = exact
        .iter()
        .chain(&singular)
        .map(|h| h.id.clone())
        .collect();
    assert!(union.is_subset(&stem_ids));
    // Every =migrants hit's file has the word "migrants" itself.
    for h in &exact {
        let w = words(Path::new(&h.path));
        assert!(
            w.iter().any(|x| x == "migrants"),
            "{} lacks migrants",
            h.path
        );
    }
    // --exact makes a phrase match word for word.
    let phrase = ids(&env, &["--exact", "\"safe third country\""]);
    assert_eq!(phrase, ids(&env, &["=\"safe third country\""]));
    assert!(!phrase.is_empty());
    // A prefix matches word forms whose common stem is shorter than the prefix.
    let prefix = ids(&env, &["immigra*"]);
    let forms = ids(
        &env,
        &["=immigration OR =immigrants OR =immigrant OR =immigrated"],
    );
    assert!(!prefix.is_empty());
    assert_eq!(prefix, forms);
}

#[test]
fn recency_lifts_newer_articles_without_changing_the_hit_set() {
    let env = sample_env();
    let plain = env.search(&["caravan"]);
    let recent = env.search(&["--recency", "7", "caravan"]);
    let set = |v: &[common::JsonHit]| v.iter().map(|h| h.id.clone()).collect::<BTreeSet<_>>();
    assert_eq!(set(&plain), set(&recent));
    let mean_year = |v: &[common::JsonHit]| {
        let top: Vec<f64> = v
            .iter()
            .take(5)
            .filter_map(|h| h.published.as_deref())
            .map(|p| p[..4].parse::<f64>().unwrap() + p[5..7].parse::<f64>().unwrap() / 12.0)
            .collect();
        top.iter().sum::<f64>() / top.len() as f64
    };
    assert!(
        mean_year(&recent) > mean_year(&plain),
        "recency should favour later articles"
    );
}

#[test]
fn abusive_queries_get_an_answer_or_a_clear_error() {
    let env = sample_env();
    // 1,000 terms, OR-ed: answered.
    let many: Vec<String> = (0..1000).map(|i| format!("w{i}")).collect();
    env.cmd()
        .args([
            "search",
            "--any",
            "--format",
            "json",
            &format!("caravan {}", many.join(" ")),
        ])
        .assert()
        .success();
    // 10 KB of text: answered (no hits needed).
    let long = "caravan ".repeat(1300);
    env.cmd()
        .args(["search", "--format", "json", &long])
        .assert()
        .success();
    // Deep nesting: refused with a message, not a stack overflow.
    let deep = "(".repeat(5000) + "caravan" + &")".repeat(5000);
    env.cmd()
        .args(["search", &deep])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nest more than"));
    // A huge --limit is clamped to the index size.
    let hits = env.search(&["--limit", "18446744073709551615", "caravan"]);
    assert_eq!(hits.len(), env.search(&["caravan"]).len());
    // A lone `*` is every article.
    let all = env.search(&["--limit", "100000", "*"]);
    assert_eq!(all.len(), all[0].total_hits);
    assert!(all.len() > 90);
    // Only exclusions, control characters, too many fuzzy words: refused with a reason.
    for (q, reason) in [
        ("-caravan", "only excludes"),
        ("NOT caravan", "only excludes"),
        ("caravan\u{7}", "control character"),
        ("caravan\u{1b}[31mborder", "control character"),
    ] {
        env.cmd()
            .args(["search", "--", q])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(reason));
    }
    let fuzzy: Vec<String> = (0..1000).map(|i| format!("w{i}x~2")).collect();
    env.cmd()
        .args(["search", "--any", &fuzzy.join(" ")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("prefix (word*) or fuzzy"));
    // 100 of them are fine.
    env.cmd()
        .args([
            "search",
            "--any",
            &format!("caravan~1 {}", fuzzy[..99].join(" ")),
        ])
        .assert()
        .success();
}
