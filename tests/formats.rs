//! Every input format of the sample corpus, through the real binary: how many articles each file
//! yields, the fields taken from it, and the reason each broken sample is rejected.

mod common;

use std::collections::BTreeMap;

use common::{JsonHit, TestEnv, sample_corpus};

fn indexed() -> (TestEnv, serde_json::Value, Vec<serde_json::Value>) {
    let env = TestEnv::new();
    let report = env.dir.path().join("report.jsonl");
    let summary = env.index_json(&sample_corpus(), &["--report", report.to_str().unwrap()]);
    let problems = common::json_lines(&std::fs::read(&report).unwrap());
    (env, summary, problems)
}

fn all_hits(env: &TestEnv) -> Vec<JsonHit> {
    // Every article has at least one of these very common words.
    env.search(&["--any", "the a of and to in"])
}

fn by_title<'a>(hits: &'a [JsonHit], title: &str) -> &'a JsonHit {
    hits.iter()
        .find(|h| h.title == title)
        .unwrap_or_else(|| panic!("no article titled {title:?}"))
}

#[test]
fn articles_per_format_and_per_file() {
    let (env, summary, _) = indexed();
    let want: BTreeMap<&str, u64> = [
        ("atom", 3),
        ("csv", 4),
        ("html", 5),
        ("json", 5),
        ("jsonl", 7),
        ("markdown", 22),
        ("nitf", 1),
        ("rss", 4),
        ("text", 51),
        ("tsv", 3),
        ("warc", 2),
    ]
    .into_iter()
    .collect();
    let got: BTreeMap<&str, u64> = summary["articles_by_format"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_u64().unwrap()))
        .collect();
    assert_eq!(got, want);

    let hits = all_hits(&env);
    let per_file = |suffix: &str| hits.iter().filter(|h| h.path.ends_with(suffix)).count();
    assert_eq!(per_file("json/stream/wire-2019-05.jsonl"), 5);
    assert_eq!(per_file("compressed/broken/truncated-wire.jsonl.gz"), 2);
    assert_eq!(per_file("warc/crawl-2019-02.warc.gz"), 2);
    assert_eq!(per_file("json/export/tech-roundup.json"), 3);
    assert_eq!(per_file("feeds/harbor-ledger-rss.xml"), 4);
    // Ids are unique even for the records of one file.
    let ids: std::collections::BTreeSet<_> = hits.iter().map(|h| h.id.clone()).collect();
    assert_eq!(ids.len(), hits.len());
}

#[test]
fn broken_samples_are_rejected_with_reasons() {
    let (_, _, problems) = indexed();
    let reason = |suffix: &str| -> Vec<String> {
        problems
            .iter()
            .filter(|p| p["path"].as_str().unwrap().ends_with(suffix))
            .map(|p| p["reason"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        reason("web/broken/empty-shell.html"),
        ["no article text found"]
    );
    assert_eq!(reason("feeds/broken/empty-feed.rss"), ["feed has no items"]);
    let jsonl = reason("json/stream/wire-2019-05.jsonl");
    assert_eq!(jsonl.len(), 1);
    assert!(jsonl[0].starts_with("line 4: invalid JSON"), "{jsonl:?}");
    let gz = reason("compressed/broken/truncated-wire.jsonl.gz");
    assert!(
        gz.iter()
            .any(|r| r.starts_with("truncated or corrupt gzip data")),
        "{gz:?}"
    );
    assert!(reason("README.md")[0].contains("not an article"));
    // The mis-declared page and the Latin-1 page are read, not rejected.
    assert!(reason("misdeclared.html").is_empty());
    assert!(reason("caravan-day-ten.html").is_empty());
}

#[test]
fn fields_from_pages_feeds_wires_and_crawls() {
    let (env, _, _) = indexed();
    let hits = all_hits(&env);

    let page = by_title(
        &hits,
        "Council passes $318 million budget after late push for road repairs",
    );
    assert_eq!(page.source.as_deref(), Some("Lakeshore Tribune"));
    assert_eq!(page.authors, ["Marisa Okafor", "Daniel Brandt"]);
    assert_eq!(page.published.as_deref(), Some("2019-03-14T11:30:00Z"));
    assert_eq!(page.language.as_deref(), Some("en"));
    assert_eq!(
        page.url.as_deref(),
        Some("https://lakeshoretribune.example/2019/03/14/city-budget-vote")
    );

    let shrimp = by_title(
        &hits,
        "Shrimpers head out as fall season opens in inside waters",
    );
    assert_eq!(shrimp.source.as_deref(), Some("Gulf Coast Herald"));
    assert_eq!(shrimp.published.as_deref(), Some("2018-11-03T00:00:00Z"));

    let latin1 = by_title(
        &hits,
        "Caravan presses north through Chiapas as Mexico weighs its response",
    );
    assert_eq!(latin1.authors, ["Sofía Ibáñez"]);

    let cafe = by_title(
        &hits,
        "Northfield’s oldest café trades its booths for a communal table",
    );
    assert_eq!(cafe.authors, ["Colette Varga"]);

    let np = by_title(
        &hits,
        "Tijuana shelter strains as caravan arrivals pass 5,000",
    );
    assert_eq!(np.published.as_deref(), Some("2018-11-20T09:15:00Z"));
    assert_eq!(np.authors, ["Elena Marquez", "Jonah Whitfield"]);

    let wire = by_title(&hits, "Uber shares slip in long-awaited market debut");
    assert_eq!(wire.published.as_deref(), Some("2019-05-10T20:45:00Z"));

    let csv = by_title(
        &hits,
        "School board approves later start times for high schools",
    );
    assert_eq!(csv.authors, ["Ana Ruiz", "Tom Beck"]);

    let rss = by_title(&hits, "Dredging of outer harbor channel to begin in spring");
    assert_eq!(rss.source.as_deref(), Some("The Harbor Ledger"));
    assert_eq!(rss.authors, ["Peter Vance"]);
    assert_eq!(rss.published.as_deref(), Some("2019-01-15T14:00:00Z"));

    let atom = by_title(
        &hits,
        "Pentagon to send 5,200 troops to southern border as migrant caravan moves north",
    );
    assert_eq!(atom.authors, ["Harold Kim", "Nadia Ferraro"]);
    assert_eq!(atom.source.as_deref(), Some("Pacific Wire Service"));

    let nitf = by_title(
        &hits,
        "County crews rehearse a Category 3 landfall as hurricane season begins",
    );
    assert_eq!(nitf.authors, ["Rosa Delgado"]);
    assert_eq!(nitf.published.as_deref(), Some("2019-06-12T14:00:00Z"));
    assert_eq!(nitf.source.as_deref(), Some("Gulf Coast Herald"));

    let gz = by_title(
        &hits,
        "Citrus growers fight a hard freeze with wind machines and water",
    );
    assert_eq!(gz.source.as_deref(), Some("Valley Courier"));
    assert_eq!(gz.date_source.as_deref(), Some("header"));

    let crawled = by_title(
        &hits,
        "Port commissioners back plan to expand container terminal",
    );
    assert_eq!(crawled.date_source.as_deref(), Some("crawl"));
    assert_eq!(
        crawled.published.as_deref().map(|d| &d[..10]),
        Some("2019-02-08")
    );
    assert_eq!(
        crawled.url.as_deref(),
        Some("https://gulfcoastherald.example/news/port-expansion")
    );
    let derby = by_title(
        &hits,
        "Ice fishing derby returns Saturday after deep freeze thickens the bay",
    );
    assert_eq!(derby.date_source.as_deref(), Some("meta"));
}
