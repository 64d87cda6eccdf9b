//! `newsdex trace` (first appearances of a quotation, in order) and `newsdex watch` (only new
//! hits on each run, checkpoint per queries file, feeds).

mod common;

use common::{TestEnv, json_lines, succeeded};

fn article(title: &str, date: &str, source: &str, body: &str) -> String {
    format!("Title: {title}\nDate: {date}\nSource: {source}\n\n{body}\n")
}

const SPEECH: &str = "The mayor spoke to reporters outside the flooded station on Monday morning. \
    \"The pumps must be running day and night until the water is gone,\" she said, adding that \
    crews from three counties had been called in. Residents of the lower town were told to stay \
    away from the river bank, where the current had already swept away two footbridges and a \
    row of parked cars. The council will meet on Thursday to decide how to pay for the repairs.";

fn write_trace_archive(env: &TestEnv) {
    // The earliest: Valley Post, day 1.
    env.write(
        "valley-post/a.txt",
        article(
            "Mayor orders pumps to run",
            "2024-05-06",
            "Valley Post",
            SPEECH,
        ),
    );
    // A wire copy a day later, another outlet, lightly edited.
    env.write(
        "river-news/b.txt",
        article(
            "Pumps to run day and night, mayor says",
            "2024-05-07",
            "River News",
            &SPEECH.replace("on Monday morning", "on Monday"),
        ),
    );
    // Another outlet, own story, the quotation in other word forms.
    env.write(
        "hill-times/c.txt",
        article(
            "Flood: what the mayor said",
            "2024-05-08",
            "Hill Times",
            "In a short statement the mayor repeated that the pump must be run day and night until the water was gone. \
             Engineers disagree about how long that will take.",
        ),
    );
    // The first outlet again, later: not a first appearance.
    env.write(
        "valley-post/d.txt",
        article(
            "Water falling at last",
            "2024-05-10",
            "Valley Post",
            "Four days after the mayor said the pumps must be running day and night until the water is gone, \
             the level at the station fell below the platform.",
        ),
    );
}

#[test]
fn trace_lists_the_earliest_then_each_outlets_first_appearance() {
    let env = TestEnv::new();
    write_trace_archive(&env);
    env.index(&env.archive());
    let out = env.stdout(&[
        "trace",
        "--format",
        "jsonl",
        "pumps must be running day and night",
    ]);
    let chain = json_lines(&out);
    let order: Vec<(&str, &str, &str)> = chain
        .iter()
        .map(|a| {
            (
                a["source"].as_str().unwrap(),
                &a["published"].as_str().unwrap()[..10],
                a["role"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            ("Valley Post", "2024-05-06", "first"),
            ("River News", "2024-05-07", "outlet-first"),
            ("Hill Times", "2024-05-08", "outlet-first"),
        ]
    );
    assert_eq!(chain[0]["step"], 1);
    assert_eq!(chain[0]["wording"], "exact");
    assert!(
        chain[0]["sentence"]
            .as_str()
            .unwrap()
            .starts_with("\"The pumps must be running day and night until the water is gone,\"")
    );
    // The wire copy is the first article's story; the third outlet's is its own, with the
    // quotation in other word forms.
    assert_eq!(chain[1]["same_story_as_first"], true);
    assert_eq!(chain[1]["cluster"], chain[0]["id"]);
    assert_eq!(chain[1]["wording"], "exact");
    assert_eq!(chain[2]["same_story_as_first"], false);
    assert_eq!(chain[2]["wording"], "stemmed");
    assert!(
        chain[2]["sentence"]
            .as_str()
            .unwrap()
            .contains("pump must be run")
    );

    // The other formats carry the same chain.
    let csv = String::from_utf8(env.stdout(&[
        "trace",
        "--format",
        "csv",
        "pumps must be running day and night",
    ]))
    .unwrap();
    assert_eq!(csv.lines().count(), 4);
    assert!(csv.starts_with("step,role,published,source,title,cluster,copies"));
    let md = String::from_utf8(env.stdout(&[
        "trace",
        "--format",
        "md",
        "pumps must be running day and night",
    ]))
    .unwrap();
    assert_eq!(md.lines().count(), 5);
    let text =
        String::from_utf8(env.stdout(&["trace", "pumps must be running day and night"])).unwrap();
    assert!(text.contains("same story as #1"), "{text}");
    assert!(text.contains("stemmed wording"), "{text}");

    // Nothing found: exit 1.
    let out = env
        .cmd()
        .args(["trace", "no such quotation anywhere"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn watch_prints_only_new_hits_on_later_runs() {
    let env = TestEnv::new();
    write_trace_archive(&env);
    env.index(&env.archive());
    let queries = env.dir.path().join("queries.txt");
    std::fs::write(&queries, "# flood desk\npumps\tpumps\nmayor\tmayor\n").unwrap();
    let run = |extra: &[&str]| -> (Option<i32>, Vec<serde_json::Value>) {
        let out = env
            .cmd()
            .args(["watch", "--format", "jsonl"])
            .args(extra)
            .arg(&queries)
            .output()
            .unwrap();
        (out.status.code(), json_lines(&out.stdout))
    };
    let (code, first) = run(&[]);
    assert_eq!(code, Some(0));
    let pumps = first.iter().filter(|h| h["query"] == "pumps").count();
    assert!(pumps >= 3, "{first:?}");
    assert!(first.iter().any(|h| h["query"] == "mayor"));

    // Nothing new since: nothing printed, exit 1.
    let (code, second) = run(&[]);
    assert_eq!(code, Some(1));
    assert!(second.is_empty(), "{second:?}");

    // A new article: only it is reported, under each query it matches.
    env.write(
        "river-news/e.txt",
        article(
            "Pumps fail overnight",
            "2024-05-11",
            "River News",
            "Two of the pumps at the station failed overnight, the water company said.",
        ),
    );
    env.index(&env.archive());
    let (_, dry) = run(&["--dry-run"]);
    assert_eq!(dry.len(), 1);
    let (code, third) = run(&[]);
    assert_eq!(code, Some(0));
    assert_eq!(third.len(), 1, "{third:?}");
    assert_eq!(third[0]["query"], "pumps");
    assert_eq!(third[0]["title"], "Pumps fail overnight");
    let (code, _) = run(&[]);
    assert_eq!(code, Some(1));

    // The checkpoint is per queries file: another file starts afresh.
    let other = env.dir.path().join("other.txt");
    std::fs::write(&other, "pumps\n").unwrap();
    let out = env
        .cmd()
        .args(["watch", "--format", "csv"])
        .arg(&other)
        .output()
        .unwrap();
    let csv = String::from_utf8(succeeded(out).stdout).unwrap();
    assert_eq!(csv.lines().count(), 1 + pumps + 1);
}

#[test]
fn watch_writes_a_feed_of_the_latest_new_hits() {
    let env = TestEnv::new();
    write_trace_archive(&env);
    env.index(&env.archive());
    let queries = env.dir.path().join("q.txt");
    std::fs::write(&queries, "pumps\n").unwrap();
    let feed = env.dir.path().join("feed.xml");
    for format in ["rss", "atom"] {
        env.cmd()
            .args(["watch", "--format", format, "-o"])
            .arg(&feed)
            .arg(&queries)
            .output()
            .unwrap();
        let xml = std::fs::read_to_string(&feed).unwrap();
        let items = if format == "rss" { "<item>" } else { "<entry>" };
        // The feed keeps the latest new hits, so the second run (nothing new) still lists them.
        assert!(xml.matches(items).count() >= 3, "{xml}");
        assert!(xml.contains("[pumps] Mayor orders pumps to run"));
        let mut reader = quick_xml::Reader::from_str(&xml);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{format} feed is not well-formed XML: {e}\n{xml}"),
            }
        }
    }
}
