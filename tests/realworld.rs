//! Archives as they come from the real world: headerless CSV, entity debris, JSON crawls with
//! site suffixes and boilerplate, crawl dates, placeholder authors; and reading one article whole
//! (`newsdex show`).

mod common;

use common::{TestEnv, succeeded};

fn stdout_of(env: &TestEnv, args: &[&str]) -> String {
    String::from_utf8(env.stdout(args)).unwrap()
}

#[test]
fn show_prints_one_record_of_a_many_article_file_whole() {
    let env = TestEnv::new();
    env.write(
        "wire.csv",
        "title,body,source,published\n\
         Harbour cranes idle,Dock workers stopped the cranes at dawn.,Port Gazette,2020-03-01\n\
         Ferry strike ends,The ferry crews went back to work after a week of talks about pay.,Port Gazette,2020-03-02\n",
    );
    env.index(&env.archive());
    let hits = env.search(&["ferry"]);
    assert_eq!(hits.len(), 1);
    let h = &hits[0];
    assert_eq!(h.record, 1, "the second data row (0-based)");

    let text = stdout_of(&env, &["show", &h.id]);
    assert!(text.starts_with("Ferry strike ends\n"), "{text}");
    assert!(text.contains("wire.csv, record 1"), "{text}");
    assert!(
        text.contains("outlet     Port Gazette (from record)"),
        "{text}"
    );
    assert!(text.contains("published  2020-03-02"), "{text}");
    assert!(text.contains("after a week of talks about pay."), "{text}");
    assert!(
        !text.contains("Dock workers"),
        "only the one article: {text}"
    );

    let json: serde_json::Value =
        serde_json::from_slice(&env.stdout(&["show", "--format", "json", &h.id])).unwrap();
    assert_eq!(json["id"], h.id.as_str());
    assert_eq!(json["record"], 1);
    assert_eq!(json["title"], "Ferry strike ends");
    assert_eq!(json["source_from"], "record");
    assert_eq!(json["format"], "csv");
    assert!(json["body"].as_str().unwrap().contains("talks about pay"));

    // Text output names the id of each hit, so a reader can go from a hit to the article.
    let listing = stdout_of(&env, &["search", "--format", "text", "ferry"]);
    assert!(
        listing.contains(&format!("record 1  id {}", h.id)),
        "{listing}"
    );

    // `id:` finds the same article in a query.
    let by_id = env.search(&[&format!("id:{}", h.id)]);
    assert_eq!(by_id.len(), 1);
    assert_eq!(by_id[0].title, "Ferry strike ends");

    let out = env
        .cmd()
        .args(["show", "0123456789abcdef"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no article with id"), "{err}");
}

#[test]
fn show_finds_an_article_by_the_collections_own_id() {
    let env = TestEnv::new();
    env.write(
        "reut.sgm",
        "<REUTERS NEWID=\"4711\"><DATE>26-FEB-1987 15:01:01.79</DATE><TEXT><TITLE>COCOA CROP UP</TITLE>\
         <BODY>Cocoa harvest grew this year in Bahia.</BODY></TEXT></REUTERS>\n",
    );
    env.index(&env.archive());
    let out = succeeded(env.cmd().args(["show", "4711"]).output().unwrap());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("COCOA CROP UP"), "{text}");
    assert!(text.contains("docno      4711"), "{text}");
}

#[test]
fn count_by_outlet_section_author_has_a_none_row_so_rows_sum_to_the_total() {
    let env = TestEnv::new();
    env.write(
        "a.txt",
        "Title: Dredging starts\nSource: Port Gazette\nSection: Harbour\nAuthor: Ann Lee\n\nThe dredging of the harbour started.\n",
    );
    env.write(
        "b.txt",
        "Title: Dredging stops\nSource: Port Gazette\n\nThe dredging of the harbour stopped.\n",
    );
    env.write("c.txt", "Dredging again\n\nThe dredging resumed today.\n");
    env.index(&env.archive());
    for (by, named, none) in [("source", 2, 1), ("section", 1, 2), ("author", 1, 2)] {
        let v: serde_json::Value = serde_json::from_slice(
            &env.stdout(&["count", "dredging", "--by", by, "--format", "json"]),
        )
        .unwrap();
        let rows = v["rows"].as_array().unwrap();
        let last = rows.last().unwrap();
        assert_eq!(last["bucket"], "(none)", "--by {by}: {v}");
        assert_eq!(last["counts"][0], none, "--by {by}: {v}");
        assert_eq!(rows[0]["counts"][0], named, "--by {by}: {v}");
        let sum: u64 = rows.iter().map(|r| r["counts"][0].as_u64().unwrap()).sum();
        assert_eq!(sum, 3, "--by {by}: rows sum to the total: {v}");
        let csv = stdout_of(&env, &["count", "dredging", "--by", by, "--format", "csv"]);
        assert!(csv.contains(&format!("(none),{none}")), "{csv}");
        let table = stdout_of(&env, &["count", "dredging", "--by", by]);
        assert!(table.contains("(none)"), "{table}");
    }
    let stats = stdout_of(&env, &["stats"]);
    assert!(stats.contains("1  (none: no outlet known)"), "{stats}");
}

#[test]
fn headerless_csv_with_semicolons_quotes_and_entity_debris_is_indexed_clean() {
    let env = TestEnv::new();
    env.write(
        "ag/train.csv",
        "3;'Fed #39;s rate call &amp; markets';'The Fed #39;s decision quot;surprised quot; traders, who paid #36;5 more.'\n\
         4;'Chipmaker &lt;b&gt;beats&lt;/b&gt; forecast';'Profits rose as caf&eacute; chains bought more chips; shares jumped.'\n\
         2;'Storm closes harbour';'The harbour closed for two days after the storm, officials said.'\n",
    );
    let summary = env.index_json(&env.archive(), &[]);
    assert_eq!(summary["articles_total"], 3, "{summary}");
    // Debris is not indexed as words.
    assert!(env.search(&["39"]).is_empty());
    assert!(env.search(&["quot"]).is_empty());
    let hits = env.search(&["fed"]);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].title, "Fed's rate call & markets");
    let v: serde_json::Value =
        serde_json::from_slice(&env.stdout(&["show", "-f", "json", &hits[0].id])).unwrap();
    assert_eq!(
        v["body"],
        "The Fed's decision \"surprised \" traders, who paid $5 more."
    );
    let chip = env.search(&["chipmaker"]);
    assert_eq!(chip[0].title, "Chipmaker <b>beats</b> forecast");
    assert_eq!(env.search(&["café"]).len(), 1);

    // Column numbers in --map with --no-header; an unknown column is an error naming the columns.
    let env2 = TestEnv::new();
    env2.write(
        "t.csv",
        "1;'Title one';'Body one is here'\n2;'Title two';'Body two is here'\n",
    );
    let s = env2.index_json(
        &env2.archive(),
        &["--no-header", "--map", "title=3,body=2,section=1"],
    );
    assert_eq!(s["articles_total"], 2, "{s}");
    let hits = env2.search(&["title"]);
    assert_eq!(hits.len(), 2);
    assert!(
        hits.iter()
            .any(|h| h.title == "Body one is here" && h.section.as_deref() == Some("1"))
    );
    let out = env2
        .cmd()
        .args(["index", "--full", "--map", "body=body_text"])
        .arg(env2.archive())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "--map names body_text, not a column here (columns: 1, 2, 3; or a column number 1-3)"
        ),
        "{err}"
    );
}

#[test]
fn placeholder_authors_and_role_prefixes_are_cleaned() {
    let env = TestEnv::new();
    env.write(
        "crawl/a.json",
        r#"{"title": "Budget vote delayed", "text": "The budget vote was delayed again.", "authors": ["Analysis by Jane Roe", "Unknown"]}"#,
    );
    env.write(
        "crawl/b.json",
        r#"{"title": "Budget passes", "text": "The budget passed at last.", "authors": ["Staff", "By John Poe"]}"#,
    );
    env.index(&env.archive());
    let v: serde_json::Value = serde_json::from_slice(
        &env.stdout(&["count", "budget", "--by", "author", "--format", "json"]),
    )
    .unwrap();
    let buckets: Vec<&str> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["bucket"].as_str().unwrap())
        .collect();
    assert_eq!(buckets.len(), 2, "{v}");
    assert!(
        buckets.contains(&"jane roe") || buckets.contains(&"Jane Roe"),
        "{v}"
    );
    assert!(
        !buckets.iter().any(|b| b.to_lowercase().contains("unknown")
            || b.to_lowercase().contains("staff")
            || b.to_lowercase().contains("analysis")),
        "{v}"
    );
}

/// A crawl of one JSON file per article, as a scraper leaves it: crawl time in `date`, the
/// site's name only in title suffixes and a "Source:" line, the section only in the URL, the
/// same opening and closing line in every body.
fn write_crawl(env: &TestEnv) {
    let stories = [
        (
            "politics",
            "09",
            "Senate passes the budget",
            "Politics",
            "The senate passed the budget after a long night of votes.",
        ),
        (
            "politics",
            "08",
            "Governor vetoes transit bill",
            "Politics",
            "The governor vetoed the transit bill, citing its cost to taxpayers.",
        ),
        (
            "sport",
            "07",
            "Harbour club wins the cup",
            "Sport",
            "The harbour club won the cup with a late goal in extra time.",
        ),
        (
            "sport",
            "06",
            "Marathon route changes",
            "Sport",
            "The marathon will run along the river this year, organisers said.",
        ),
        (
            "politics",
            "05",
            "Mayor opens new library",
            "Politics",
            "The mayor opened the new library on the east side on Sunday.",
        ),
        (
            "business",
            "04",
            "Port traffic rises",
            "Business",
            "Container traffic at the port rose by a tenth in the first quarter.",
        ),
    ];
    for (i, (section, day, title, label, text)) in stories.iter().enumerate() {
        let author = if i % 2 == 0 {
            "Unknown"
        } else {
            "Analysis by Ann Lee"
        };
        let json = serde_json::json!({
            "url": format!("https://lite.planet.com/2026/04/{day}/{section}/story-{i}"),
            "title": format!("{title} | Planet {label}"),
            "date": "2026-04-10T06:00:00Z",
            "authors": [author],
            "text": format!("Source: Planet\n\n{text}\n\nSee Full Web Article"),
        });
        env.write(&format!("crawl/{i}.json"), json.to_string());
    }
}

/// One more article of the crawl's site, for a later run.
fn write_late_crawl_story(env: &TestEnv) {
    env.write(
        "crawl/new.json",
        serde_json::json!({
            "url": "https://lite.planet.com/2026/04/03/politics/late",
            "title": "Council delays the vote | Planet Politics",
            "date": "2026-04-10T06:00:00Z",
            "text": "Source: Planet\n\nThe council delayed the zoning vote.\n\nSee Full Web Article",
        })
        .to_string(),
    );
}

#[test]
fn json_crawl_gets_outlet_section_clean_titles_bodies_and_url_days() {
    let env = TestEnv::new();
    write_crawl(&env);
    let summary = env.index_json(&env.archive(), &[]);
    assert_eq!(summary["articles_total"], 6, "{summary}");
    assert_eq!(summary["articles_cleaned"], 6, "{summary}");

    let hits = env.search(&["budget"]);
    assert_eq!(hits.len(), 1);
    let h = &hits[0];
    assert_eq!(h.title, "Senate passes the budget", "site suffix stripped");
    assert_eq!(
        h.source.as_deref(),
        Some("Planet"),
        "outlet from the shared title suffix"
    );
    assert_eq!(
        h.section.as_deref(),
        Some("politics"),
        "section from the URL"
    );
    assert_eq!(h.date_source.as_deref(), Some("url"));
    assert!(
        h.published.as_deref().unwrap().starts_with("2026-04-09"),
        "{h:?}"
    );
    assert!(!h.snippet.contains("Source: Planet"), "{}", h.snippet);
    assert!(
        h.authors.is_empty(),
        "Unknown is no author: {:?}",
        h.authors
    );

    let v: serde_json::Value =
        serde_json::from_slice(&env.stdout(&["show", "-f", "json", &h.id])).unwrap();
    assert_eq!(v["source_from"], "title");
    assert_eq!(v["section_from"], "url");
    assert_eq!(
        v["crawled"], "2026-04-10T06:00:00Z",
        "the crawl time is kept: {v}"
    );
    assert_eq!(
        v["body"],
        "The senate passed the budget after a long night of votes."
    );

    // Boilerplate is out of the ranking too: no article matches its words.
    assert!(env.search(&["\"full web article\""]).is_empty());
    // The second article has an author once "Analysis by" is gone.
    assert_eq!(env.search(&["author:\"ann lee\""]).len(), 3);

    // Every article is in an outlet bucket.
    let v: serde_json::Value =
        serde_json::from_slice(&env.stdout(&["count", "*", "--by", "source", "-f", "json"]))
            .unwrap();
    assert_eq!(v["rows"].as_array().unwrap().len(), 1, "{v}");

    // A later run with one new article of the same site strips it with what was learned.
    write_late_crawl_story(&env);
    env.index(&env.archive());
    let late = env.search(&["zoning"]);
    assert_eq!(late[0].title, "Council delays the vote");
    assert_eq!(late[0].source.as_deref(), Some("Planet"));
    assert!(!late[0].snippet.contains("See Full"), "{}", late[0].snippet);
}

#[test]
fn alias_renames_an_outlet_learned_from_title_suffixes() {
    let env = TestEnv::new();
    write_crawl(&env);
    let summary = env.index_json(&env.archive(), &["--alias", "planet=Planet Media Group"]);
    assert_eq!(summary["articles_cleaned"], 6, "{summary}");
    let hits = env.search(&["budget"]);
    assert_eq!(hits[0].title, "Senate passes the budget");
    assert_eq!(
        hits[0].source.as_deref(),
        Some("Planet Media Group"),
        "the name the suffixes share goes through --alias"
    );
    let v: serde_json::Value =
        serde_json::from_slice(&env.stdout(&["show", "-f", "json", &hits[0].id])).unwrap();
    assert_eq!(v["source_from"], "option", "{v}");
    let counts = stdout_of(&env, &["count", "--by", "source", "--format", "csv", "*"]);
    assert_eq!(counts, "bucket,*\nPlanet Media Group,6\n");

    // A later run's article of the same site, stripped with what was learned, is renamed too.
    write_late_crawl_story(&env);
    let summary = env.index_json(&env.archive(), &[]);
    assert_eq!(summary["files_read"], 1, "{summary}");
    let late = env.search(&["zoning"]);
    assert_eq!(late[0].title, "Council delays the vote");
    assert_eq!(late[0].source.as_deref(), Some("Planet Media Group"));

    // An alias for the host names the outlet when the files are read: the suffix does not
    // overrule it.
    let summary = env.index_json(
        &env.archive(),
        &["--alias", "planet=", "--alias", "planet.com=Planet Dot Com"],
    );
    assert_eq!(summary["files_read"], 7, "{summary}");
    let counts = stdout_of(&env, &["count", "--by", "source", "--format", "csv", "*"]);
    assert_eq!(counts, "bucket,*\nPlanet Dot Com,7\n");
}

#[test]
fn word_lists_readmes_and_unreadable_types_are_named_but_never_fail_strict() {
    let env = TestEnv::new();
    env.write(
        "news/story.txt",
        "Harbour reopens\n\nThe harbour reopened on Monday after a week of repairs to the quay.\n",
    );
    let places: String = ["afghanistan", "albania", "algeria", "andorra", "angola"]
        .iter()
        .cycle()
        .take(60)
        .enumerate()
        .map(|(i, p)| format!("{p}-{i}\n"))
        .collect();
    env.write("news/all-places-strings.lc.txt", places);
    env.write(
        "news/README.md",
        "# About this archive\n\nStories from the harbour desk.\n",
    );
    env.write("news/scan.pdf", "%PDF-1.4");
    env.write("news/a.pdf", "%PDF-1.4");
    env.write("news/memo.docx", "PK");
    let out = succeeded(
        env.cmd()
            .args(["index", "--strict"])
            .arg(env.archive())
            .output()
            .unwrap(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("ignored: 2 pdf, 1 docx"), "{stdout}");
    assert!(stdout.contains("left out: not an article 2"), "{stdout}");
    assert!(
        stderr.contains("all-places-strings.lc.txt: not an article: a list or table"),
        "{stderr}"
    );
    let s = env.index_json(&env.archive(), &["--full"]);
    assert_eq!(s["articles_total"], 1, "{s}");
    assert_eq!(s["ignored_by_type"]["pdf"], 2, "{s}");
    assert_eq!(s["skipped_by_reason"]["not an article"], 2, "{s}");
    assert_eq!(s["rejected_by_reason"].as_object().unwrap().len(), 0, "{s}");
}

fn write_outlets(env: &TestEnv) {
    env.write(
        "outlets.csv",
        "title,body,source,authors,published\n\
         Harbour cranes idle,Dock workers stopped the harbour cranes at dawn.,Planet Politics,Jane Okafor,2020-03-01\n\
         Ferry strike ends,The ferry crews went back to the harbour after talks.,Planet Politics,Jane Okafor,2020-03-02\n\
         Harbour fees rise,The port raised harbour fees for ferries.,Port Gazette,Tom Reyes,2020-03-03\n\
         Bad name,A harbour story from an outlet whose name hides a terminal escape.,Evil\x1b[31m Post,Tom Reyes,2020-03-04\n",
    );
    env.index(&env.archive());
}

#[test]
fn no_hits_echo_the_filters_and_suggest_close_names_on_stderr() {
    let env = TestEnv::new();
    write_outlets(&env);
    for cmd in [
        &["search", "--format", "jsonl"][..],
        &["count", "--format", "csv"][..],
        &["export", "--format", "csv"][..],
    ] {
        let out = env
            .cmd()
            .args(cmd)
            .args([
                "--source",
                "planet poltics",
                "--author",
                "okafor",
                "--since",
                "2021-01",
                "harbour",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{cmd:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(
                "no hits with the filters --since 2021-01-01 --source \"planet poltics\" --author okafor"
            ),
            "{cmd:?}: {err}"
        );
        assert!(
            err.contains(
                "--source \"planet poltics\": no article has this outlet; did you mean \"Planet Politics\" (2 articles)?"
            ),
            "{cmd:?}: {err}"
        );
        assert!(
            err.contains("--author okafor: no article has this author; did you mean \"Jane Okafor\" (2 articles)?"),
            "{cmd:?}: {err}"
        );
        assert!(
            err.contains("the index holds articles dated 2020-03-01 to 2020-03-04"),
            "{cmd:?}: {err}"
        );
        assert!(
            err.contains("without the filters, harbour matches 4 articles"),
            "{cmd:?}: {err}"
        );
    }

    // What the user typed and the names from the archive reach the terminal escaped, never raw.
    let out = env
        .cmd()
        .args([
            "search",
            "--format",
            "jsonl",
            "--source",
            "evil",
            "--section",
            "x\x1b[2J",
            "dawn",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains('\x1b'), "{err:?}");
    assert!(err.contains("--section \"x\\x1B[2J\""), "{err}");
    assert!(
        err.contains("did you mean \"Evil[31m Post\" (1 article)?"),
        "{err}"
    );
    assert!(
        err.contains("without the filters, dawn matches 1 article\n"),
        "{err}"
    );

    // Nothing close: say so and where to look; a query that matches nothing anyway says that.
    let out = env
        .cmd()
        .args([
            "search",
            "--format",
            "jsonl",
            "--source",
            "Herald Tribune",
            "zeppelin",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--source \"Herald Tribune\": no article has this outlet and no name in the index is close (`newsdex count --by source` lists them)"),
        "{err}"
    );
    assert!(
        err.contains("zeppelin matches nothing even without the filters"),
        "{err}"
    );

    // No filters: no advice; hits: no advice.
    let out = env
        .cmd()
        .args(["search", "--format", "jsonl", "zeppelin"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("filters"));
    let out = env
        .cmd()
        .args([
            "search",
            "--format",
            "jsonl",
            "--source",
            "port gazette",
            "harbour",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("filters"));
}

fn source_counts(env: &TestEnv) -> String {
    stdout_of(
        env,
        &["count", "--by", "source", "--format", "csv", "council"],
    )
}

#[test]
fn alias_names_outlets_from_hosts_and_spellings_and_is_remembered() {
    let env = TestEnv::new();
    let story = |url: &str, title: &str, source: Option<&str>| {
        let mut j = serde_json::json!({
            "url": url,
            "title": title,
            "date": "2020-01-02",
            "text": format!("{title}. The council met on Tuesday to discuss it."),
        });
        if let Some(s) = source {
            j["source"] = serde_json::json!(s);
        }
        j.to_string()
    };
    env.write(
        "a.json",
        story(
            "https://lite.swsentinel.example/2020/01/02/a",
            "Dam opens",
            None,
        ),
    );
    env.write(
        "b.json",
        story("https://www.swsentinel.example/b", "Road closes", None),
    );
    env.write(
        "c.json",
        story(
            "https://elsewhere.example/c",
            "Bridge repaired",
            Some("SW  sentinel"),
        ),
    );
    env.write(
        "d.json",
        story(
            "https://swsentinel.example/d",
            "Wire story",
            Some("Wire Service"),
        ),
    );
    // Before any alias: the outlet is the URL's site, or what the record says.
    env.index(&env.archive());
    let before = source_counts(&env);
    assert!(before.contains("swsentinel.example,2\n"), "{before}");
    assert!(before.contains("SW  sentinel,1\n"), "{before}");

    let summary = env.index_json(
        &env.archive(),
        &[
            "--alias",
            "swsentinel.example=Southwest Sentinel",
            "--alias",
            "SW Sentinel=Southwest Sentinel",
        ],
    );
    assert_eq!(
        summary["files_read"], 4,
        "a new alias re-reads every file: {summary}"
    );
    let counts = source_counts(&env);
    assert!(counts.contains("Southwest Sentinel,3\n"), "{counts}");
    assert!(
        counts.contains("Wire Service,1\n"),
        "an outlet the record names is not overruled by its URL's host: {counts}"
    );
    let hits = env.search(&["dam"]);
    assert_eq!(hits[0].source.as_deref(), Some("Southwest Sentinel"));

    // A later run without the option keeps the aliases, for new files too, and reads only those.
    env.write(
        "e.json",
        story("https://swsentinel.example/e", "Ferry returns", None),
    );
    let summary = env.index_json(&env.archive(), &[]);
    assert_eq!(summary["files_read"], 1, "{summary}");
    let counts = source_counts(&env);
    assert!(counts.contains("Southwest Sentinel,4\n"), "{counts}");
    let json: serde_json::Value = serde_json::from_slice(&env.stdout(&[
        "show",
        "--format",
        "json",
        &env.search(&["ferry"])[0].id,
    ]))
    .unwrap();
    assert_eq!(json["source"], "Southwest Sentinel");
    assert_eq!(json["source_from"], "option");

    // `KEY=` forgets one alias; every file is read again.
    let summary = env.index_json(&env.archive(), &["--alias", "sw sentinel="]);
    assert_eq!(summary["files_read"], 5, "{summary}");
    let counts = source_counts(&env);
    assert!(counts.contains("Southwest Sentinel,3\n"), "{counts}");
    assert!(counts.contains("SW  sentinel,1\n"), "{counts}");

    // A malformed alias is a usage error that shows the form.
    let out = env
        .cmd()
        .args([
            "index",
            "--alias",
            "swsentinel.example",
            &env.archive().to_string_lossy(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not HOST-OR-NAME=OUTLET"), "{err}");
}

#[test]
fn ambiguous_numeric_dates_follow_date_order_and_warn_once() {
    let env = TestEnv::new();
    env.write(
        "a.csv",
        "title,body,published\n\
         Dam opens,The new dam opened to visitors.,03/04/2018\n\
         Road closes,The coast road closed for repairs.,25/10/2018\n",
    );
    env.write(
        "b.csv",
        "title,body,published\nBridge repaired,The old bridge was repaired at last.,05/06/2018\n",
    );
    let index = |extra: &[&str]| {
        let out = env
            .cmd()
            .args(["index", "--json"])
            .args(extra)
            .arg(env.archive())
            .output()
            .unwrap();
        let out = succeeded(out);
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (summary, String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let published = |q: &str| env.search(&[q])[0].published.clone().unwrap();

    let (summary, err) = index(&[]);
    assert_eq!(summary["ambiguous_dates"], 2, "{summary}");
    assert_eq!(
        err.matches("like 03/04/2018").count(),
        1,
        "one warning for the run, not one per date or file: {err}"
    );
    assert!(
        err.contains("warning: 2 dates like 03/04/2018 could be month or day first"),
        "{err}"
    );
    assert!(err.contains("--date-order dmy"), "{err}");
    assert!(published("dam").starts_with("2018-03-04"));
    assert!(
        published("road").starts_with("2018-10-25"),
        "25 can only be a day"
    );

    let (summary, err) = index(&["--date-order", "dmy"]);
    assert_eq!(
        summary["files_read"], 2,
        "a new order re-reads every file: {summary}"
    );
    assert_eq!(summary["ambiguous_dates"], 0);
    assert!(!err.contains("03/04/2018"), "{err}");
    assert!(published("dam").starts_with("2018-04-03"));
    assert!(published("bridge").starts_with("2018-06-05"));
    assert!(published("road").starts_with("2018-10-25"));

    // Remembered: a later run without the option reads new files day first too, silently.
    env.write(
        "c.csv",
        "title,body,published\nFerry returns,The ferry returned to the island.,07/08/2019\n",
    );
    let (summary, err) = index(&[]);
    assert_eq!(summary["files_read"], 1, "{summary}");
    assert!(!err.contains("03/04/2018"), "{err}");
    assert!(published("ferry").starts_with("2019-08-07"));

    let out = env
        .cmd()
        .args(["index", "--date-order", "ymd"])
        .arg(env.archive())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("mdy"));
}

#[test]
fn export_with_no_hits_writes_the_header_and_quiet_is_silent() {
    let env = TestEnv::new();
    env.write(
        "a.csv",
        "title,body,source\nDam opens,The new dam opened to visitors.,Port Gazette\n",
    );
    env.index(&env.archive());
    let out_path = env.dir.path().join("none.csv");
    let out = env
        .cmd()
        .args([
            "export",
            "--format",
            "csv",
            "--fields",
            "id,title,source",
            "-o",
        ])
        .arg(&out_path)
        .arg("zeppelin")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(&out_path).unwrap(),
        "id,title,source\n"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("0 hits exported"));

    // Markdown too; a batch of labelled queries has its `query` column.
    let md = env
        .cmd()
        .args(["export", "--format", "md", "--fields", "title", "zeppelin"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&md.stdout), "| title |\n|---|\n");

    // One hit: singular. -q: nothing at all on stderr, not even the no-hits advice.
    let one = env
        .cmd()
        .args(["export", "--format", "csv", "dam"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&one.stderr).contains("1 hit exported"),
        "{one:?}"
    );
    for q in ["dam", "zeppelin"] {
        let quiet = env
            .cmd()
            .args([
                "export",
                "-q",
                "--format",
                "csv",
                "--source",
                "Port Gazete",
                q,
            ])
            .output()
            .unwrap();
        assert!(
            quiet.stderr.is_empty(),
            "{:?}",
            String::from_utf8_lossy(&quiet.stderr)
        );
    }
}

#[cfg(unix)]
#[test]
fn export_progress_shows_its_total_on_a_terminal_only() {
    let env = TestEnv::new();
    for i in 0..7 {
        env.write(
            &format!("s{i}.txt"),
            format!("Harbour strike day {i}\n\nThe harbour cranes stood idle on day {i} of the strike.\n"),
        );
    }
    env.write(
        "ferry.txt",
        "Ferry runs late\n\nThe ferry ran an hour late on Monday.\n",
    );
    env.index(&env.archive());
    let target = |name: &str| env.dir.path().join(name).to_string_lossy().into_owned();

    // On a terminal: the bar counts hits out of the 7 the query has, known before the export.
    let (code, _, term) =
        common::run_on_terminal(&env, &["export", "harbour", "-o", &target("a.csv")]);
    assert_eq!(code, Some(0), "{term:?}");
    assert!(term.contains("0/7 hits"), "{term:?}");
    assert!(term.contains("7 hits exported"), "{term:?}");
    let csv = std::fs::read_to_string(target("a.csv")).unwrap();
    assert_eq!(csv.lines().count(), 8, "{csv}");

    // Not on a terminal: no bar, only the summary line.
    let out = env
        .cmd()
        .args(["export", "harbour", "-o", &target("b.csv")])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stderr), "7 hits exported\n");

    // Quiet on a terminal: nothing at all.
    let (code, _, term) =
        common::run_on_terminal(&env, &["export", "-q", "harbour", "-o", &target("c.csv")]);
    assert_eq!(code, Some(0));
    assert_eq!(term, "");
}

#[test]
fn stats_lists_the_folders_the_index_was_built_from() {
    let env = TestEnv::new();
    env.write("east/a.txt", "Dam opens\n\nThe new dam opened on Monday.\n");
    env.write(
        "east/wire.csv",
        "title,body\nRoad closes,The coast road closed for repairs.\nBridge reopens,The old bridge reopened to traffic.\n",
    );
    env.write(
        "west/c.txt",
        "Ferry returns\n\nThe ferry returned to service.\n",
    );
    let canon = |rel: &str| {
        std::fs::canonicalize(env.archive().join(rel))
            .unwrap()
            .to_string_lossy()
            .into_owned()
    };
    let folders = |env: &TestEnv| -> serde_json::Value {
        let v: serde_json::Value =
            serde_json::from_slice(&env.stdout(&["stats", "--format", "json"])).unwrap();
        v["folders"].clone()
    };
    env.index(&env.archive().join("east"));
    env.index(&env.archive().join("west"));
    assert_eq!(
        folders(&env),
        serde_json::json!([
            { "path": canon("east"), "files": 2, "articles": 3 },
            { "path": canon("west"), "files": 1, "articles": 1 },
        ])
    );
    let text = stdout_of(&env, &["stats"]);
    assert!(text.contains("folders    2\n"), "{text}");
    assert!(
        text.contains(&format!("         3  {} (2 files)\n", canon("east"))),
        "{text}"
    );
    assert!(
        text.contains(&format!("         1  {} (1 file)\n", canon("west"))),
        "{text}"
    );

    // A removed file leaves the count; a folder that holds both is one folder.
    std::fs::remove_file(env.archive().join("east/a.txt")).unwrap();
    env.index(&env.archive());
    assert_eq!(
        folders(&env),
        serde_json::json!([{ "path": canon(""), "files": 2, "articles": 3 }])
    );

    // A rebuild from one folder holds only that folder.
    env.cmd()
        .args(["index", "--full"])
        .arg(env.archive().join("west"))
        .assert()
        .success();
    assert_eq!(
        folders(&env),
        serde_json::json!([{ "path": canon("west"), "files": 1, "articles": 1 }])
    );
}
