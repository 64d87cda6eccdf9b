//! Wire copies: exact and near copies share a cluster, `--collapse`, `count --unique`, export
//! columns, and clusters kept right when copies are deleted and re-added.

mod common;

use std::collections::BTreeMap;

use common::{JsonHit, TestEnv, json_lines, succeeded};

const STORY: [&str; 8] = [
    "The harbour authority said on Tuesday that the new container terminal would open in March, two months later than planned, after winter storms damaged three of its cranes.",
    "Officials expect the delay to cost shipping lines about four million dollars in extra fees and waiting time.",
    "The port handled a record number of containers last year, and the terminal was meant to ease the congestion that has left ships waiting offshore for days.",
    "Unions welcomed the decision to repair rather than replace the cranes, which they said would protect around two hundred jobs at the docks.",
    "A spokesman for the authority said engineers from the manufacturer had arrived to inspect the damaged booms and the rails they run on.",
    "Local businesses near the waterfront said the delay would hurt trade over the spring, when cruise ships also begin to call at the port.",
    "The terminal, built on land reclaimed from the bay, cost more than three hundred million dollars and took four years to complete.",
    "The authority will publish a revised timetable for the opening once the engineers have finished their report, expected later this month.",
];

fn article(title: &str, date: &str, source: &str, sentences: &[&str]) -> String {
    format!(
        "Title: {title}\nDate: {date}\nSource: {source}\n\n{}\n",
        sentences.join(" ")
    )
}

/// The original, an exact copy in another folder, a near copy (headline changed, a sentence
/// dropped, two sentences swapped) at another outlet a day later, and an unrelated article with
/// the original's headline.
fn write_archive(env: &TestEnv) {
    env.write(
        "coast-wire/2024/03/terminal.txt",
        article(
            "Terminal opening delayed",
            "2024-03-05",
            "Coast Wire",
            &STORY,
        ),
    );
    env.write(
        "mirror/coast-wire-terminal.txt",
        article(
            "Terminal opening delayed",
            "2024-03-05",
            "Coast Wire",
            &STORY,
        ),
    );
    let mut edited: Vec<&str> = STORY.to_vec();
    edited.remove(5);
    edited.swap(2, 3);
    env.write(
        "bay-herald/2024/03/port.txt",
        article(
            "Storm-hit cranes push back port terminal",
            "2024-03-06",
            "Bay Herald",
            &edited,
        ),
    );
    env.write(
        "city-times/2024/03/bus.txt",
        article(
            "Terminal opening delayed",
            "2024-03-07",
            "City Times",
            &[
                "The city council voted on Wednesday to delay the opening of the new bus terminal on Market Street until the autumn, citing a shortage of drivers.",
                "Councillors said the electric buses ordered for the routes had also arrived late, and that the charging points were not yet connected to the grid.",
                "Residents of the northern suburbs had asked for more evening services, which the council said would start when the terminal opens.",
            ],
        ),
    );
}

fn by_source(hits: &[JsonHit]) -> BTreeMap<String, Vec<&JsonHit>> {
    let mut m: BTreeMap<String, Vec<&JsonHit>> = BTreeMap::new();
    for h in hits {
        m.entry(h.source.clone().unwrap_or_default())
            .or_default()
            .push(h);
    }
    m
}

#[test]
fn exact_and_near_copies_share_a_cluster_but_a_same_headline_story_does_not() {
    let env = TestEnv::new();
    write_archive(&env);
    env.index(&env.archive());
    let hits = env.search(&["terminal"]);
    assert_eq!(hits.len(), 4);
    let m = by_source(&hits);
    let wire = &m["Coast Wire"];
    let herald = m["Bay Herald"][0];
    let city = m["City Times"][0];
    assert_eq!(wire.len(), 2);
    // One story of three articles: its id is the earliest article's.
    assert_eq!(wire[0].cluster, wire[1].cluster);
    assert_eq!(herald.cluster, wire[0].cluster);
    assert!(wire.iter().any(|h| h.id == h.cluster));
    for h in [wire[0], wire[1], herald] {
        assert_eq!(h.copies, 3, "{h:?}");
        assert_eq!(h.first_seen.as_deref(), Some("2024-03-05T00:00:00Z"));
    }
    // Same headline, different story.
    assert_eq!(city.copies, 1);
    assert_eq!(city.cluster, city.id);
    assert_ne!(city.cluster, herald.cluster);
    assert_eq!(city.first_seen, city.published);
}

#[test]
fn collapse_shows_one_row_per_story_with_its_copies() {
    let env = TestEnv::new();
    write_archive(&env);
    env.index(&env.archive());
    let hits = env.search(&["--collapse", "terminal"]);
    assert_eq!(hits.len(), 2, "{hits:?}");
    assert!(hits.iter().all(|h| h.total_hits == 2));
    assert_eq!(hits.iter().map(|h| h.copies).sum::<u32>(), 4);
    assert_eq!(hits[0].rank, 1);
    assert_eq!(hits[1].rank, 2);
    // Paging runs over stories.
    let second = env.search(&["--collapse", "--limit", "1", "terminal"]);
    assert_eq!(second.len(), 1);

    let out = env
        .cmd()
        .args(["search", "--format", "text", "--collapse", "terminal"])
        .output()
        .unwrap();
    let text = String::from_utf8(succeeded(out).stdout).unwrap();
    assert!(text.starts_with("2 stories for terminal"), "{text}");
    assert!(text.contains("+2 copies"), "{text}");
    // Piped text without --collapse lists every article.
    let out = env
        .cmd()
        .args(["search", "--format", "text", "terminal"])
        .output()
        .unwrap();
    let text = String::from_utf8(succeeded(out).stdout).unwrap();
    assert!(text.starts_with("4 hits for terminal"), "{text}");
}

#[test]
fn a_copy_deleted_leaves_its_cluster_and_rejoins_when_added_again() {
    let env = TestEnv::new();
    write_archive(&env);
    env.index(&env.archive());
    let before = env.search(&["cranes"]);
    let cluster = before[0].cluster.clone();
    assert!(before.iter().all(|h| h.copies == 3));

    let near = env.archive().join("bay-herald/2024/03/port.txt");
    let saved = std::fs::read(&near).unwrap();
    std::fs::remove_file(&near).unwrap();
    env.index(&env.archive());
    let after = env.search(&["cranes"]);
    assert_eq!(after.len(), 2);
    assert!(after.iter().all(|h| h.copies == 2 && h.cluster == cluster));

    // The earliest copy leaves too: the story is now a single article with its own id.
    let mirror = env.archive().join("mirror/coast-wire-terminal.txt");
    let mirror_saved = std::fs::read(&mirror).unwrap();
    std::fs::remove_file(&mirror).unwrap();
    env.index(&env.archive());
    let alone = env.search(&["cranes"]);
    assert_eq!(alone.len(), 1);
    assert_eq!(alone[0].copies, 1);
    assert_eq!(alone[0].cluster, alone[0].id);

    std::fs::write(&near, saved).unwrap();
    std::fs::write(&mirror, mirror_saved).unwrap();
    env.index(&env.archive());
    let again = env.search(&["cranes"]);
    assert_eq!(again.len(), 3);
    assert!(again.iter().all(|h| h.copies == 3 && h.cluster == cluster));
}

#[test]
fn a_changed_file_is_placed_again() {
    let env = TestEnv::new();
    write_archive(&env);
    env.index(&env.archive());
    // The near copy is rewritten into another story: it leaves the cluster.
    env.write(
        "bay-herald/2024/03/port.txt",
        article(
            "Storm-hit cranes to be scrapped",
            "2024-03-06",
            "Bay Herald",
            &[
                "Storm-hit cranes at the old quay will be scrapped rather than repaired, the owners of the private wharf said, ending a long dispute with their insurers over the bill.",
                "The wharf, which handles timber and grain, will lease two mobile cranes until new ones are delivered next year.",
            ],
        ),
    );
    env.index(&env.archive());
    let hits = env.search(&["cranes"]);
    let m = by_source(&hits);
    assert_eq!(m["Bay Herald"][0].copies, 1);
    assert!(m["Coast Wire"].iter().all(|h| h.copies == 2));
}

#[test]
fn count_unique_counts_stories_and_shares_of_stories() {
    let env = TestEnv::new();
    write_archive(&env);
    env.index(&env.archive());
    let count = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["count", "--format", "json"];
        args.extend_from_slice(extra);
        args.push("terminal");
        serde_json::from_slice(&env.stdout(&args)).unwrap()
    };
    let all = count(&["--by", "day"]);
    assert_eq!(all["totals"][0], 4);
    assert_eq!(all["unique"], false);
    let unique = count(&["--by", "day", "--unique"]);
    assert_eq!(unique["totals"][0], 2);
    assert_eq!(unique["unique"], true);
    // The story counts on the day of its earliest article.
    let day = |v: &serde_json::Value, d: &str| -> u64 {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["bucket"] == d)
            .map_or(0, |r| r["counts"][0].as_u64().unwrap())
    };
    assert_eq!(day(&all, "2024-03-05"), 2);
    assert_eq!(day(&all, "2024-03-06"), 1);
    assert_eq!(day(&unique, "2024-03-05"), 1);
    assert_eq!(day(&unique, "2024-03-06"), 0);
    assert_eq!(day(&unique, "2024-03-07"), 1);
    // By outlet: a story once per outlet it ran in (the exact copy is not a second story).
    let src = count(&["--by", "source", "--unique"]);
    let row = |name: &str| {
        src["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["bucket"] == name)
            .unwrap()["counts"][0]
            .as_u64()
            .unwrap()
    };
    assert_eq!(row("Coast Wire"), 1);
    assert_eq!(row("Bay Herald"), 1);
    // Shares of stories: every story in these buckets matches.
    let share = count(&["--by", "year", "--unique", "--share"]);
    let r = &share["rows"][0];
    assert_eq!(r["counts"][0], 2);
    assert_eq!(r["total"], 2);
    let share_all = count(&["--by", "year", "--share"]);
    assert_eq!(share_all["rows"][0]["total"], 4);
}

#[test]
fn export_collapse_and_cluster_columns() {
    let env = TestEnv::new();
    write_archive(&env);
    env.index(&env.archive());
    let out = env.stdout(&[
        "export",
        "--quiet",
        "--format",
        "jsonl",
        "--fields",
        "id,source,cluster,copies,first_seen",
        "terminal",
    ]);
    let rows = json_lines(&out);
    assert_eq!(rows.len(), 4);
    assert!(
        rows.iter()
            .filter(|r| r["source"] == "Coast Wire")
            .all(|r| r["copies"] == 3 && r["first_seen"] == "2024-03-05T00:00:00Z")
    );
    let out = env.stdout(&[
        "export",
        "--quiet",
        "--collapse",
        "--format",
        "csv",
        "--fields",
        "rank,cluster,copies",
        "terminal",
    ]);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "rank,cluster,copies");
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1].starts_with("1,") && lines[2].starts_with("2,"));

    // The threshold is in the provenance.
    let file = env.dir.path().join("out.csv");
    env.stdout(&[
        "export",
        "--quiet",
        "--collapse",
        "-o",
        file.to_str().unwrap(),
        "terminal",
    ]);
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(env.dir.path().join("out.csv.meta.json")).unwrap())
            .unwrap();
    assert_eq!(meta["request"]["collapse"], true);
    assert!((meta["index"]["near_copy_threshold"].as_f64().unwrap() - 0.6).abs() < 1e-6);
}

#[test]
fn clusters_do_not_depend_on_threads_and_the_threshold_is_remembered() {
    let one = TestEnv::new();
    write_archive(&one);
    one.index_json(&one.archive(), &["--threads", "1"]);
    let two = TestEnv::new();
    write_archive(&two);
    two.index_json(&two.archive(), &["--threads", "4"]);
    let clusters = |env: &TestEnv| -> Vec<(String, u32)> {
        let mut v: Vec<(String, u32)> = env
            .search(&["terminal"])
            .into_iter()
            .map(|h| {
                (
                    h.path.rsplit_once("archive").unwrap().1.to_string(),
                    h.copies,
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(clusters(&one), clusters(&two));

    // A strict threshold keeps only the exact copy; it is remembered by later runs.
    one.index_json(&one.archive(), &["--near-copy-threshold", "0.99"]);
    let mut strict: Vec<u32> = one.search(&["cranes"]).iter().map(|h| h.copies).collect();
    strict.sort();
    assert_eq!(strict, [1, 2, 2]);
    one.index(&one.archive());
    assert_eq!(
        one.search(&["cranes"])
            .iter()
            .filter(|h| h.copies == 2)
            .count(),
        2
    );
    let out = one
        .cmd()
        .args(["index", "--near-copy-threshold", "7"])
        .arg(one.archive())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("between 0.05 and 1"));
}
