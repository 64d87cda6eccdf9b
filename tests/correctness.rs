//! Regression tests for the correctness review (issue 20): each test writes the input that broke
//! newsdex and checks the output, through the real binary.

mod common;

use common::{TestEnv, json_lines, succeeded};

/// 50 JSON Lines articles whose numbers are written with U+00A0, U+2009 and U+3000 spaces, as
/// scraped news writes them (`12&nbsp;million`).
fn multibyte_space_archive(env: &TestEnv) {
    let spaces = ['\u{a0}', '\u{2009}', '\u{3000}'];
    let mut lines = String::new();
    for i in 0..50 {
        let s = spaces[i % 3];
        // Long enough that the snippet window is cut on both sides of the match, with the
        // wide space at every distance from the cut, and no sentence end to cut at instead.
        let filler = |n: usize| format!("council{s}").repeat(n);
        let body = format!(
            "{}spending{s}rose{s}to{s}{n}{s}million{s}pounds{s}{}and{s}then{s}9{s}million{s}more",
            filler(20 + i % 13),
            filler(30),
            n = 10 + i
        );
        let line = serde_json::json!({
            "title": format!("Budget report {i}"),
            "date": "2019-05-01",
            "body": body,
        });
        lines.push_str(&line.to_string());
        lines.push('\n');
    }
    env.write("feed.jsonl", lines);
}

#[test]
fn search_and_export_survive_multibyte_spaces_in_snippets() {
    let env = TestEnv::new();
    multibyte_space_archive(&env);
    env.index(&env.archive());

    let hits = env.search(&["million"]);
    assert_eq!(hits.len(), 50);
    for h in &hits {
        assert!(h.snippet.contains("million"), "{:?}", h.snippet);
        assert!(!h.highlights.is_empty());
        for [a, b] in &h.highlights {
            // Character offsets (README, JSON Lines).
            let marked: String = h.snippet.chars().skip(*a).take(b - a).collect();
            assert_eq!(marked.to_lowercase(), "million", "{:?}", h.snippet);
        }
    }
    // The text output draws the same snippets.
    let text = String::from_utf8(env.stdout(&["search", "million", "--limit", "50"])).unwrap();
    assert!(text.contains("million"));

    // Export with snippets and with keyword-in-context rows, each to a file: no crash, and no
    // `.partial` left behind.
    let snippets = env.dir.path().join("snippets.jsonl");
    let kwic = env.dir.path().join("kwic.jsonl");
    for (file, extra) in [
        (&snippets, ["--fields", "id,snippet"]),
        (&kwic, ["--kwic", "3"]),
    ] {
        let out = env
            .cmd()
            .args(["export", "million", "--format", "jsonl"])
            .args(extra)
            .arg("-o")
            .arg(file)
            .output()
            .unwrap();
        succeeded(out);
    }
    let leftovers: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let rows = json_lines(&std::fs::read(&snippets).unwrap());
    assert_eq!(rows.len(), 50);
    assert!(
        rows.iter()
            .all(|r| r["snippet"].as_str().unwrap().contains("million"))
    );
    let rows = json_lines(&std::fs::read(&kwic).unwrap());
    // Two occurrences of "million" in each article.
    assert_eq!(rows.len(), 100);
    assert!(rows.iter().all(|r| r["match"] == "million"));
    assert!(rows.iter().any(|r| r["left"] == "rose to 10"));
}

#[test]
fn numeric_options_refuse_nan_and_infinity_with_a_clear_message() {
    let env = TestEnv::new();
    env.write("a.txt", "Harbour plan\n\nThe harbour plan passed.\n");
    let s = env.index_json(&env.archive(), &["--commit-every", "0.5"]);
    assert_eq!(s["articles_indexed"], 1, "{s}");
    let cases: &[(&[&str], &str)] = &[
        (&["index", "--commit-every", "NaN"], "--commit-every"),
        (&["index", "--commit-every=-3"], "--commit-every"),
        (&["search", "harbour", "--recency", "NaN"], "--recency"),
        (&["search", "harbour", "--recency", "inf"], "--recency"),
        (
            &["search", "harbour", "--proximity-weight", "NaN"],
            "--proximity-weight",
        ),
        (
            &["export", "harbour", "--proximity-weight=-1"],
            "--proximity-weight",
        ),
        (
            &[
                "eval",
                "--queries",
                "q",
                "--qrels",
                "r",
                "--proximity-weight",
                "nan",
            ],
            "--proximity-weight",
        ),
    ];
    for (args, flag) in cases {
        let mut cmd = env.cmd();
        cmd.args(*args);
        if args[0] == "index" {
            cmd.arg(env.archive());
        }
        let out = cmd.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(flag), "{args:?}: {err}");
        assert!(
            err.contains("not a finite number")
                || err.contains("not a positive")
                || err.contains("0 or more"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("internal error"), "{args:?}: {err}");
    }
    // Sane values work.
    let hits = env.search(&["harbour", "--recency", "30", "--proximity-weight", "0.5"]);
    assert_eq!(hits.len(), 1);
    assert!(hits[0].score.is_finite());
}

/// The date each title was given, by title.
fn dates_by_title(
    env: &TestEnv,
) -> std::collections::BTreeMap<String, (Option<String>, Option<String>)> {
    env.search(&["--any", "harbour quay"])
        .into_iter()
        .map(|h| (h.title, (h.published, h.date_source)))
        .collect()
}

#[test]
fn a_bare_year_or_short_number_never_becomes_a_1970_date() {
    let env = TestEnv::new();
    env.write(
        "a.txt",
        "Title: Harbour year\nDate: 2018\n\nThe harbour opened.\n",
    );
    // The path's day wins over a header that gives only the year.
    env.write(
        "2018/10/25/b.txt",
        "Title: Harbour path\nDate: 2018\n\nThe harbour closed.\n",
    );
    env.write(
        "c.jsonl",
        concat!(
            r#"{"title": "Harbour month", "date": 201810, "body": "harbour"}"#,
            "\n",
            r#"{"title": "Harbour short", "date": "338", "body": "harbour"}"#,
            "\n",
            r#"{"title": "Harbour epoch", "date": 1540476180, "body": "harbour"}"#,
            "\n",
            r#"{"title": "Harbour midnight", "date": "2018-10-25 24:00", "body": "harbour"}"#,
            "\n",
        ),
    );
    env.write(
        "d.csv",
        "title,year,text\nQuay year,1996,the quay\nQuay day,1996-05-02,the quay\n",
    );
    let out = env
        .cmd()
        .args(["index", "--map", "published=year"])
        .arg(env.archive())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&succeeded(out).stderr).into_owned();
    let got = dates_by_title(&env);
    let day = |t: &str| got[t].0.as_deref().map(|d| d[..10].to_string());
    assert_eq!(day("Harbour year"), None, "{got:?}");
    assert_eq!(day("Harbour path").as_deref(), Some("2018-10-25"));
    assert_eq!(got["Harbour path"].1.as_deref(), Some("path"));
    assert_eq!(day("Harbour month"), None);
    assert_eq!(day("Harbour short"), None);
    assert_eq!(day("Harbour epoch").as_deref(), Some("2018-10-25"));
    assert_eq!(
        got["Harbour midnight"].0.as_deref(),
        Some("2018-10-26T00:00:00Z")
    );
    assert_eq!(day("Quay year"), None);
    assert_eq!(day("Quay day").as_deref(), Some("1996-05-02"));
    assert!(
        got.values()
            .all(|(d, _)| !d.as_deref().unwrap_or("").starts_with("1970")),
        "{got:?}"
    );
    // Each undated article is explained.
    assert!(err.contains("\"2018\" gives only a year"), "{err}");
    assert!(err.contains("\"201810\" gives only a month"), "{err}");
    assert!(err.contains("\"1996\" gives only a year"), "{err}");
    assert!(err.contains("unrecognised date \"338\""), "{err}");
}

#[cfg(unix)]
#[test]
fn a_name_with_a_backslash_and_a_latin1_name_are_two_articles() {
    use std::os::unix::ffi::OsStrExt;
    let env = TestEnv::new();
    let dir = env.archive();
    std::fs::create_dir_all(&dir).unwrap();
    // `caf\xE9.txt` spelled out, and `caf<E9>.txt` in Latin-1: the old keys were equal.
    std::fs::write(
        dir.join("caf\\xE9.txt"),
        "Cafe spelled out\n\nThe espresso was cold.\n",
    )
    .unwrap();
    std::fs::write(
        dir.join(std::ffi::OsStr::from_bytes(b"caf\xe9.txt")),
        "Cafe in Latin-1\n\nThe espresso was hot.\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("a\\b.txt"),
        "Back slash\n\nThe espresso was fine.\n",
    )
    .unwrap();
    let s = env.index_json(&dir, &[]);
    assert_eq!(s["articles_total"], 3, "{s}");
    let hits = env.search(&["espresso"]);
    let mut paths: Vec<&str> = hits.iter().map(|h| h.path.as_str()).collect();
    paths.sort();
    let names: Vec<&str> = paths
        .iter()
        .map(|p| p.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(names, ["a\\\\b.txt", "caf\\\\xE9.txt", "caf\\xE9.txt"]);
    let ids: std::collections::BTreeSet<&str> = hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids.len(), 3);

    // Re-indexing finds nothing new and duplicates nothing.
    let s = env.index_json(&dir, &[]);
    assert_eq!(s["files_unchanged"], 3, "{s}");
    assert_eq!(s["articles_total"], 3, "{s}");
    // A key that no longer names a file (as the old, unescaped keys do not) leaves the index.
    std::fs::rename(dir.join("a\\b.txt"), dir.join("ab.txt")).unwrap();
    let s = env.index_json(&dir, &[]);
    assert_eq!(s["files_removed"], 1, "{s}");
    assert_eq!(s["articles_total"], 3, "{s}");
    assert_eq!(env.search(&["espresso"]).len(), 3);
}

/// Inputs that were quadratic, with a time budget far above linear time and far below what the
/// quadratic code took (a 300 KB line of `[` took 25 s to index; this one is 1 MB).
#[test]
fn pathological_markdown_and_kwic_run_in_linear_time() {
    // Generous: the machine may be busy; linear time is well under a second here.
    let budget = std::time::Duration::from_secs(30);
    let env = TestEnv::new();
    let mut md = String::from("# Brackets everywhere\n\n");
    md.push_str(&"[".repeat(1 << 20));
    md.push_str("\n\nThe ledger [closes](https://x.example) today.\n");
    env.write("brackets.md", md);
    let mut half = String::from("# Half links\n\n");
    half.push_str(&"[a](".repeat(1 << 18));
    half.push('\n');
    env.write("half.md", half);
    // One article with 100,000 occurrences of the query word, for --kwic.
    let mut body = String::from("Title: Ledger ledger\n\n");
    body.push_str(&"ledger word ".repeat(100_000));
    env.write("many.txt", body);

    let t = std::time::Instant::now();
    let s = env.index_json(&env.archive(), &[]);
    eprintln!("indexing took {:?}", t.elapsed());
    assert!(t.elapsed() < budget, "indexing took {:?}", t.elapsed());
    assert_eq!(s["articles_total"], 3, "{s}");
    let hits = env.search(&["closes"]);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].title, "Brackets everywhere");

    let file = env.dir.path().join("kwic.jsonl");
    let t = std::time::Instant::now();
    let out = env
        .cmd()
        .args(["export", "ledger", "--format", "jsonl", "--kwic", "2", "-o"])
        .arg(&file)
        .output()
        .unwrap();
    succeeded(out);
    eprintln!("--kwic took {:?}", t.elapsed());
    assert!(t.elapsed() < budget, "--kwic took {:?}", t.elapsed());
    let rows = json_lines(&std::fs::read(&file).unwrap());
    // 100,000 in the body, plus the brackets article's "ledger".
    assert_eq!(rows.len(), 100_001);
    let last = rows
        .iter()
        .filter(|r| r["offset"].as_u64().is_some())
        .max_by_key(|r| r["offset"].as_u64())
        .unwrap();
    assert_eq!(last["left"], "ledger word");
    assert_eq!(last["right"], "word");
    assert_eq!(last["offset"], 12 * 99_999);
}

/// A hit's outlet and its declared language (one detected from the text is no assumption).
fn by_title(hits: &[common::JsonHit], title: &str) -> (Option<String>, Option<String>) {
    let h = hits
        .iter()
        .find(|h| h.title == title)
        .unwrap_or_else(|| panic!("no hit titled {title}: {hits:?}"));
    let declared = h.language_source.as_deref() == Some("declared");
    (h.source.clone(), h.language.clone().filter(|_| declared))
}

/// Bug 5a: `.sgm` stories were all given source "Reuters" and language "en", and a TREC `<DOC>`
/// file was rejected. The outlet now comes from the story (an outlet element, a byline
/// `By Name, Outlet`) or from `--source` for the folder; TREC documents are read.
#[test]
fn sgml_outlet_comes_from_the_story_or_the_user_and_trec_docs_are_read() {
    let env = TestEnv::new();
    env.write(
        "wire/reut2-000.sgm",
        "<!DOCTYPE lewis SYSTEM \"lewis.dtd\">\n\
         <REUTERS NEWID=\"1\"><DATE>26-FEB-1987 15:01:01.79</DATE><TEXT><TITLE>COCOA CROP UP</TITLE>\
         <BODY>Cocoa harvest grew this year in Bahia.\n Reuter\n&#3;</BODY></TEXT></REUTERS>\n\
         <REUTERS NEWID=\"2\"><DATE>27-FEB-1987 10:00:00.00</DATE><TEXT><TITLE>COCOA TALKS</TITLE>\
         <AUTHOR>    By Janie Gabbett, Reuters</AUTHOR><BODY>Cocoa producers met in London.</BODY></TEXT></REUTERS>\n",
    );
    env.write(
        "trec/la010189.sgm",
        "<DOC>\n<DOCNO> LA010189-0001 </DOCNO>\n<DATE><P>January 1, 1989, Sunday</P></DATE>\n\
         <HEADLINE><P>Harbor cocoa ships wait</P></HEADLINE>\n<BYLINE><P>By Maria Okafor</P></BYLINE>\n\
         <TEXT><P>Forty cocoa ships waited off the\nbreakwater on Saturday.</P>\n<P>The port said it would clear them.</P></TEXT>\n</DOC>\n\
         <DOC>\n<DOCNO>LA010189-0002</DOCNO>\n<HL>Cocoa futures slip</HL>\n<SOURCE>Evening Courier</SOURCE>\n\
         <TEXT>Cocoa futures slipped in late trading.</TEXT>\n</DOC>\n",
    );
    let s = env.index_json(&env.archive(), &[]);
    assert_eq!(s["articles_by_format"]["sgml"], 4, "{s}");
    assert_eq!(s["articles_total"], 4, "{s}");
    let hits = env.search(&["cocoa"]);
    // Nothing in the first story names an outlet or a language.
    assert_eq!(by_title(&hits, "COCOA CROP UP"), (None, None));
    assert_eq!(
        by_title(&hits, "COCOA TALKS"),
        (Some("Reuters".into()), None)
    );
    let talks = hits.iter().find(|h| h.title == "COCOA TALKS").unwrap();
    assert_eq!(talks.authors, ["Janie Gabbett"]);
    let la = hits
        .iter()
        .find(|h| h.title == "Harbor cocoa ships wait")
        .unwrap();
    assert_eq!(la.source, None);
    assert_eq!(la.authors, ["Maria Okafor"]);
    assert_eq!(la.published.as_deref(), Some("1989-01-01T00:00:00Z"));
    assert_eq!(
        by_title(&hits, "Cocoa futures slip"),
        (Some("Evening Courier".into()), None)
    );
    let shown = String::from_utf8(env.stdout(&["show", "LA010189-0001"])).unwrap();
    assert!(
        shown.contains("Forty cocoa ships waited off the breakwater on Saturday.\n\nThe port said"),
        "{shown}"
    );

    // The user names the outlet of a folder: it fills what the stories do not say, is
    // remembered for that folder only, and never overrides a story's own outlet.
    let wire = env.archive().join("wire");
    env.index_json(&wire, &["--source", "Reuters Wire"]);
    env.index_json(&env.archive(), &[]);
    let hits = env.search(&["cocoa"]);
    assert_eq!(
        by_title(&hits, "COCOA CROP UP").0.as_deref(),
        Some("Reuters Wire")
    );
    assert_eq!(by_title(&hits, "COCOA TALKS").0.as_deref(), Some("Reuters"));
    assert_eq!(by_title(&hits, "Harbor cocoa ships wait").0, None);
    let json: serde_json::Value =
        serde_json::from_slice(&env.stdout(&["show", "1", "--format", "json"])).unwrap();
    assert_eq!(json["source_from"], "option", "{json}");
    // `--source ''` forgets it.
    env.index_json(&wire, &["--source", ""]);
    let hits = env.search(&["cocoa"]);
    assert_eq!(by_title(&hits, "COCOA CROP UP").0, None);
}

/// Bug 5b: the tail of any `<title>` after ` - ` became the outlet ("Budget passes - what it means
/// for you" -> source "what it means for you"). It is the outlet only when the page names its
/// site so elsewhere (site name, publisher, URL).
#[test]
fn a_title_tail_is_the_outlet_only_when_the_page_names_that_site() {
    let env = TestEnv::new();
    let body = "<body><article><p>The council passed the budget on Tuesday night after a long debate about parks.</p></article></body></html>";
    env.write(
        "budget.html",
        format!("<html><head><title>Budget passes - what it means for you</title></head>{body}"),
    );
    env.write(
        "bridge.html",
        format!(
            "<html><head><title>Budget bridge reopens - Eastside Gazette</title>\
             <link rel=\"canonical\" href=\"https://www.eastsidegazette.example/2024/05/02/bridge\"></head>{body}"
        ),
    );
    env.write(
        "ferry.html",
        format!(
            "<html><head><title>Budget ferry | The Courier</title>\
             <meta property=\"og:site_name\" content=\"The Courier\"></head>{body}"
        ),
    );
    env.write(
        "slogan.html",
        format!(
            "<html><head><title>Budget cuts - a view from the harbour</title>\
             <link rel=\"canonical\" href=\"https://www.eastsidegazette.example/2024/05/03/cuts\"></head>{body}"
        ),
    );
    env.index(&env.archive());
    let hits = env.search(&["budget"]);
    let get = |t: &str| by_title(&hits, t).0;
    assert_eq!(get("Budget passes - what it means for you"), None);
    assert_eq!(
        get("Budget bridge reopens").as_deref(),
        Some("Eastside Gazette")
    );
    assert_eq!(get("Budget ferry").as_deref(), Some("The Courier"));
    // A tail that is not the URL's site stays in the headline; the outlet is the URL's site.
    assert_eq!(
        get("Budget cuts - a view from the harbour").as_deref(),
        Some("eastsidegazette.example")
    );
    assert_eq!(hits.len(), 4, "{hits:?}");
}

/// Bug 5c and 5d: any `*.all` file was read as SMART, and a news file named `notice.txt` or
/// `changes.md` was skipped as a README. The content decides now.
#[test]
fn smart_and_project_file_names_are_judged_by_content() {
    let env = TestEnv::new();
    let story = "Harbour tender awarded\n\nThe harbour board awarded the dredging tender to a local firm on Monday.\n\
                 The work will start in the spring and last for most of the year, the board said.\n";
    env.write(
        "results.all",
        story.replace("Harbour tender", "Harbour results"),
    );
    env.write(
        "cran.all.1400",
        ".I 1\n.T\nharbour flow over a wing\n.A\nsmith,j.\n.W\nexperimental harbour flow study .\n",
    );
    env.write(
        "notice.txt",
        story.replace("Harbour tender", "Harbour notice"),
    );
    env.write(
        "changes.md",
        "# Harbour changes\n\nThe harbour board changed its dredging plans after a long meeting on Monday night.\n\
         Residents had asked the board to keep the old channel open for the fishing boats.\n",
    );
    // Project files by content: a list of changes, and the names of people.
    env.write(
        "docs/CHANGES.md",
        "# Changes\n\n- 1.2: harbour fix\n- 1.1: dredging\n- 1.0: first\n",
    );
    env.write(
        "docs/AUTHORS.txt",
        "Jane Doe <jane@example.org>\nJohn Roe\n",
    );
    env.write(
        "docs/README.txt",
        story.replace("Harbour tender", "Harbour readme"),
    );
    let s = env.index_json(&env.archive(), &[]);
    assert_eq!(s["articles_by_format"]["smart"], 1, "{s}");
    assert_eq!(s["articles_by_format"]["text"], 2, "{s}");
    assert_eq!(s["articles_by_format"]["markdown"], 1, "{s}");
    assert_eq!(s["articles_total"], 4, "{s}");
    let mut titles: Vec<String> = env
        .search(&["harbour"])
        .into_iter()
        .map(|h| h.title)
        .collect();
    titles.sort();
    assert_eq!(
        titles,
        [
            "Harbour changes",
            "Harbour notice awarded",
            "Harbour results awarded",
            "harbour flow over a wing"
        ]
    );
    assert_eq!(s["skipped_by_reason"]["not an article"], 3, "{s}");
}

/// Bug 5e: qrels with four columns and a non-zero second column were read as "every pair
/// relevant". As trec_eval reads them: the second column is ignored, the fourth is the grade,
/// 0 is not relevant.
#[test]
fn four_column_qrels_are_read_as_trec_eval_reads_them() {
    let env = TestEnv::new();
    let mut docs = String::new();
    for (i, text) in [
        "ferry strike ends in the harbour",
        "ferry timetable for the winter",
        "harbour dredging starts",
        "ferry fares rise",
    ]
    .iter()
    .enumerate()
    {
        docs.push_str(&format!(".I {}\n.T\n{text}\n.W\n{text} .\n", i + 1));
    }
    env.write("col/docs.all", docs);
    env.index(&env.archive());
    let queries = env.dir.path().join("q.tsv");
    std::fs::write(&queries, "7\tferry\n").unwrap();
    let eval = |qrels: &str| -> serde_json::Value {
        let path = env.dir.path().join("qrels.txt");
        std::fs::write(&path, qrels).unwrap();
        let out = env
            .cmd()
            .args(["eval", "--format", "json", "--per-query", "--queries"])
            .arg(&queries)
            .arg("--qrels")
            .arg(&path)
            .output()
            .unwrap();
        serde_json::from_slice(&succeeded(out).stdout).unwrap()
    };
    // Iteration column 3; only document 2 is relevant (grade 2); 1 and 4 are judged not relevant.
    let v = eval("7 3 1 0\n7 3 2 2\n7 3 4 0\n");
    assert_eq!(v["queries"], 1, "{v}");
    // The three ferry documents are ranked; the one relevant document is somewhere in the top 3,
    // so P@10 is 1/10 (it was 3/10 when every listed pair counted as relevant).
    assert_eq!(v["mean"]["p10"].as_f64().unwrap(), 0.1, "{v}");
    assert_eq!(v["mean"]["recall100"].as_f64().unwrap(), 1.0, "{v}");
    // Every judgment 0: no relevant document, the query is not scored.
    let v = eval("7 3 1 0\n7 3 2 0\n");
    assert_eq!(v["queries"], 0, "{v}");
    // SMART's CISI layout (`qid docno 0 0.000000`) is still every pair relevant.
    let v = eval("7 1 0 0.000000\n7 2 0 0.000000\n7 4 0 0.000000\n");
    assert_eq!(v["mean"]["p10"].as_f64().unwrap(), 0.3, "{v}");
}

/// Bug 5f: text with under 2% non-ASCII bytes was forced to Windows-1252 whatever the detector
/// said, so a Central European name in an English story came out as `Wa³êsa`.
#[test]
fn a_central_european_name_in_english_text_decodes_right() {
    let env = TestEnv::new();
    let text = format!(
        "Shipyard strike remembered\n\n{} Lech Wałęsa spoke, and the orchestra played Dvořák.\n",
        "The shipyard workers gathered in the square on Sunday to remember the strike. ".repeat(6)
    );
    let (latin2, _, _) = encoding_rs::ISO_8859_2.encode(&text);
    let (cp1250, _, _) = encoding_rs::WINDOWS_1250.encode(&text);
    let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode(
        "Ferry fares\n\nA ticket on the shipyard ferry costs £5 from Monday, the caf\u{e9} said.\n",
    );
    assert!(latin2.iter().filter(|b| !b.is_ascii()).count() * 50 < latin2.len());
    env.write("latin2.txt", &latin2);
    env.write("cp1250.txt", &cp1250);
    env.write("utf8.txt", text.replace("remembered", "recalled"));
    env.write("cp1252.txt", &cp1252);
    env.index(&env.archive());
    let bodies = |q: &str| -> Vec<String> {
        env.search(&[q])
            .iter()
            .map(|h| String::from_utf8(env.stdout(&["show", &h.id])).unwrap())
            .collect()
    };
    let found = bodies("shipyard");
    assert_eq!(found.len(), 4);
    let strikes: Vec<&String> = found.iter().filter(|b| b.contains("strike")).collect();
    assert_eq!(strikes.len(), 3);
    for b in strikes {
        assert!(b.contains("Lech Wałęsa spoke"), "{b}");
        assert!(b.contains("played Dvořák."), "{b}");
    }
    let fares: Vec<&String> = found.iter().filter(|b| b.contains("ticket")).collect();
    assert!(
        fares[0].contains("costs £5 from Monday, the café said"),
        "{}",
        fares[0]
    );
    // The name is found as it is written.
    assert_eq!(env.search(&["Wałęsa"]).len(), 3);
}
