//! The Quickwit engine against the local one: a one-node cluster from
//! `../shared/tools/quickwit/start-local.sh` on a free loopback port, the archive pushed to it,
//! and the same commands run both ways. The tests that need `../shared` (or `$NEWSDEX_SHARED`)
//! are `#[ignore]`d, so `cargo test` lists them as ignored; `cargo test -- --include-ignored`
//! (what `.ci/run` runs) runs them, and there a missing `../shared` is a failure.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{TestEnv, parse_jsonl, succeeded};

/// A one-node Quickwit cluster, stopped when dropped.
struct Cluster {
    child: Child,
    port: u16,
    _data: tempfile::TempDir,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn shared_dir() -> PathBuf {
    std::env::var_os("NEWSDEX_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("shared")
        })
}

/// `../shared/<rel>`; a test that asks for it was run on purpose, so it must be there.
fn shared(rel: &str) -> PathBuf {
    let p = shared_dir().join(rel);
    assert!(
        p.exists(),
        "{} is missing: the Quickwit tests need ../shared (or $NEWSDEX_SHARED)",
        p.display()
    );
    p
}

/// A loopback port that is free, with the next one (Quickwit's gRPC port) free too.
fn free_port_pair() -> u16 {
    for _ in 0..100 {
        let a = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = a.local_addr().unwrap().port();
        if port < 65_000 && std::net::TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
            return port;
        }
    }
    panic!("no free pair of loopback ports");
}

impl Cluster {
    fn start() -> Cluster {
        let script = shared("tools/quickwit/start-local.sh");
        let data = tempfile::tempdir().unwrap();
        let port = free_port_pair();
        let child = Command::new(script)
            .arg(data.path())
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Quickwit");
        let cluster = Cluster {
            child,
            port,
            _data: data,
        };
        let ready = format!("http://127.0.0.1:{port}/health/readyz");
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(120) {
            if ureq::get(&ready).call().is_ok_and(|r| r.status() == 200) {
                return cluster;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        panic!("Quickwit did not become ready on port {port} within 120 s");
    }

    /// The cluster's description of an index (`num_published_splits`, `num_published_docs`).
    fn describe(&self, index: &str) -> serde_json::Value {
        let url = format!(
            "http://127.0.0.1:{}/api/v1/indexes/{index}/describe",
            self.port
        );
        let body = ureq::get(&url)
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        serde_json::from_str(&body).unwrap()
    }

    /// How many splits the cluster index is made of.
    fn splits(&self, index: &str) -> u64 {
        self.describe(index)["num_published_splits"]
            .as_u64()
            .unwrap()
    }

    /// How many documents the cluster's searchers see in the index now.
    fn published_docs(&self, index: &str) -> u64 {
        self.describe(index)["num_published_docs"].as_u64().unwrap()
    }

    fn url(&self, index: &str) -> String {
        format!("quickwit://127.0.0.1:{}/{index}", self.port)
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// `newsdex [--engine URL] <args>`: exit code and standard output.
fn run(env: &TestEnv, engine: Option<&str>, args: &[&str]) -> (i32, Vec<u8>) {
    let mut c = env.cmd();
    c.env_remove("NEWSDEX_ENGINE");
    if let Some(e) = engine {
        c.args(["--engine", e]);
    }
    let out = c.args(args).output().unwrap();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "{engine:?} {args:?}: exit {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, out.stdout)
}

/// The queries compared (terms, phrases, boolean, exclusions, field filters, dates, prefixes).
const QUERIES: &[&[&str]] = &[
    &["caravan"],
    &["border"],
    &["asylum"],
    &["frost"],
    &["the"],
    &["migrants"],
    &["said"],
    &["\"migrant caravan\""],
    &["\"safe third country\""],
    &["\"border wall\"~2"],
    &["caravan AND border"],
    &["caravan OR asylum"],
    &["(caravan OR asylum) AND mexico"],
    &["caravan AND NOT mexico"],
    &["caravan -vintage"],
    &["asylum -caravan"],
    &["+caravan +border -wall"],
    &["title:caravan"],
    &["source:\"The Harbor Ledger\""],
    &["--source", "Valley Courier", "frost"],
    &[
        "--source",
        "The Harbor Ledger",
        "--source",
        "Meridian Post",
        "border",
    ],
    &["lang:en caravan"],
    &["published:[2018-10-01 TO 2018-11-30] caravan"],
    &["published:[2019 TO *]"],
    &["--since", "2019", "border"],
    &["--until", "2018-10", "caravan"],
    &[
        "--since",
        "2018-11",
        "--until",
        "2019-06",
        "asylum OR caravan",
    ],
    &["=migrants"],
    &["--exact", "caravans"],
    &["--any", "caravan frost orchard"],
    &["caravan^2 border"],
    &["--sort", "newest", "caravan"],
    &["--sort", "oldest", "border"],
];

/// Prefix words: the local engine ranks a prefix by the BM25 of the words it stands for, read
/// from its own term dictionary; the remote engine has no dictionary to expand from (Quickwit 0.8
/// does not expose one cheaply), so it finds the same articles with a constant score. Their hit
/// sets and totals are compared, not their scores or order.
///
/// `body:` likewise: a local index has no body postings and scores body words with BM25 over the
/// `text` field's statistics (title and body) at the body's positions; the cluster has a `body`
/// field of its own, with its own statistics. The articles found are the same.
const PREFIX_QUERIES: &[&[&str]] = &[
    &["immigra*"],
    &["carav*"],
    &["title:migra*"],
    &["body:asylum"],
    &["body:\"migrant caravan\""],
    &["body:\"border wall\"~2"],
];

/// Runs every query locally and remotely; `scores`: compare scores and the full order too.
fn compare_searches(env: &TestEnv, remote: &str, scores: bool) {
    let all = QUERIES
        .iter()
        .map(|q| (q, scores))
        .chain(PREFIX_QUERIES.iter().map(|q| (q, false)));
    for (q, scores) in all {
        let mut args = vec!["search", "--format", "jsonl", "--limit", "1000"];
        args.extend_from_slice(q);
        let (lc, lout) = run(env, None, &args);
        let (rc, rout) = run(env, Some(remote), &args);
        assert_eq!(lc, rc, "{q:?}: exit codes differ");
        let local = parse_jsonl(&lout);
        let remote_hits = parse_jsonl(&rout);
        let ids = |h: &[common::JsonHit]| h.iter().map(|h| h.id.clone()).collect::<BTreeSet<_>>();
        assert_eq!(ids(&local), ids(&remote_hits), "{q:?}: hit sets differ");
        if let (Some(l), Some(r)) = (local.first(), remote_hits.first()) {
            assert_eq!(l.total_hits, r.total_hits, "{q:?}");
        }
        if scores {
            for (i, (l, r)) in local.iter().zip(&remote_hits).enumerate() {
                if i < 10 {
                    assert_eq!(l.id, r.id, "{q:?}: rank {} differs", i + 1);
                    assert_eq!(l.snippet, r.snippet, "{q:?}: snippet of {}", l.id);
                    assert_eq!(l.highlights, r.highlights, "{q:?}: highlights of {}", l.id);
                    assert_eq!(l.title, r.title);
                    assert_eq!(l.published, r.published);
                    assert_eq!(l.source, r.source);
                    assert_eq!(l.authors, r.authors);
                    assert_eq!(l.word_count, r.word_count);
                }
                assert!(
                    (l.score - r.score).abs() <= 1e-4,
                    "{q:?}: score of {} {} locally, {} remotely",
                    l.id,
                    l.score,
                    r.score
                );
            }
        }
    }
    // Counts over time and by outlet, and the export of every hit.
    for args in [
        &[
            "count", "--by", "month", "--format", "json", "caravan", "border", "the",
        ][..],
        &[
            "count",
            "--by",
            "source",
            "--format",
            "json",
            "caravan OR asylum",
        ][..],
        &[
            "count", "--by", "day", "--format", "json", "--since", "2018-10", "asylum",
        ][..],
    ] {
        let (_, l) = run(env, None, args);
        let (_, r) = run(env, Some(remote), args);
        assert_eq!(
            String::from_utf8_lossy(&l),
            String::from_utf8_lossy(&r),
            "{args:?}"
        );
    }
    let export = |engine: Option<&str>| {
        let (_, out) = run(
            env,
            engine,
            &[
                "export",
                "--format",
                "jsonl",
                "--kwic",
                "5",
                "-q",
                "caravan OR border",
            ],
        );
        common::json_lines(&out)
            .into_iter()
            .map(|v| {
                (
                    v["id"].as_str().unwrap_or_default().to_string(),
                    v.to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    let (l, r) = (export(None), export(Some(remote)));
    assert!(l.len() > 10);
    let set = |v: &[(String, String)]| v.iter().map(|x| x.0.clone()).collect::<BTreeSet<_>>();
    assert_eq!(set(&l), set(&r), "export ids differ");
    if scores {
        // Same rows, same order, same KWIC.
        assert_eq!(l, r, "export rows differ");
        // `show` finds the same article, whole, by id.
        for (id, _) in l.iter().take(3) {
            let (_, lo) = run(env, None, &["show", "--format", "json", id]);
            let (_, ro) = run(env, Some(remote), &["show", "--format", "json", id]);
            assert_eq!(
                String::from_utf8_lossy(&lo),
                String::from_utf8_lossy(&ro),
                "show {id}"
            );
        }
    }
}

/// Waits until the cluster answers `expected` articles (deletions are applied in the background).
fn wait_for_articles(env: &TestEnv, remote: &str, expected: u64) {
    let started = Instant::now();
    loop {
        let (_, out) = run(
            env,
            Some(remote),
            &["count", "--by", "year", "--format", "json", "*"],
        );
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let n = v["totals"][0].as_u64().unwrap_or(0);
        if n == expected {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "the cluster still holds {n} articles, not {expected}, after 300 s"
        );
        std::thread::sleep(Duration::from_secs(2));
    }
}

fn push(env: &TestEnv, remote: &str) -> serde_json::Value {
    let out = env
        .cmd()
        .args(["push", "--json", "--to", remote])
        .output()
        .unwrap();
    serde_json::from_slice(&succeeded(out).stdout).unwrap()
}

#[test]
#[ignore = "needs ../shared/tools/quickwit (cargo test -- --include-ignored)"]
fn the_sample_corpus_answers_the_same_on_a_cluster_and_after_changes() {
    let cluster = Cluster::start();
    let env = TestEnv::new();
    copy_dir(&common::sample_corpus(), &env.archive());
    env.index(&env.archive());
    let remote = cluster.url("sample");

    let first = push(&env, &remote);
    assert_eq!(first["created"], true);
    assert!(first["sent"].as_u64().unwrap() > 50, "{first}");
    assert_eq!(first["sent"], first["articles"]);
    // Searchable when the push returns, as the push says and as the cluster itself says.
    assert_eq!(first["searchable"], first["sent"]);
    assert_eq!(
        cluster.published_docs("sample"),
        first["sent"].as_u64().unwrap()
    );
    // One push, one split: Quickwit's BM25 statistics are then the local index's, so scores and
    // the order of every hit must be equal too.
    assert_eq!(cluster.splits("sample"), 1);
    compare_searches(&env, &remote, true);

    // Nothing changed: nothing is sent.
    let again = push(&env, &remote);
    assert_eq!(again["sent"], 0, "{again}");
    assert_eq!(again["deleted"], 0, "{again}");

    // Change one article, add one, delete a file; index and push again.
    let files: Vec<PathBuf> = walkdir::WalkDir::new(env.archive().join("harbor-ledger"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().to_path_buf())
        .collect();
    assert!(files.len() >= 2);
    let changed = &files[0];
    let text = std::fs::read_to_string(changed).unwrap();
    std::fs::write(
        changed,
        format!("{text}\n\nA zephyrcaravan of border asylum news.\n"),
    )
    .unwrap();
    std::fs::remove_file(&files[1]).unwrap();
    env.write(
        "new/2019-05-01-zephyr.txt",
        "Title: Zephyr caravan reaches the border\nDate: 2019-05-01\n\nThe zephyrcaravan of asylum seekers reached the border.\n",
    );
    env.index(&env.archive());
    let second = push(&env, &remote);
    assert_eq!(second["created"], false);
    assert!(second["sent"].as_u64().unwrap() >= 2, "{second}");
    assert!(second["deleted"].as_u64().unwrap() >= 1, "{second}");
    let (_, stats) = run(&env, None, &["stats", "--format", "json"]);
    let local_articles = serde_json::from_slice::<serde_json::Value>(&stats).unwrap()["articles"]
        .as_u64()
        .unwrap();
    wait_for_articles(&env, &remote, local_articles);
    let z = env.search(&["zephyrcaravan"]);
    assert_eq!(z.len(), 2);
    // Scores now differ a little: the cluster holds two splits, and Quickwit computes BM25
    // statistics per split (the local index counts deleted articles until a merge). Same hits.
    compare_searches(&env, &remote, false);
}

#[test]
fn a_missing_cluster_is_a_clear_error() {
    let env = TestEnv::new();
    env.write("a.txt", "Title: A\n\nCaravan news.\n");
    env.index(&env.archive());
    let port = free_port_pair();
    let out = env
        .cmd()
        .args(["--engine", &format!("quickwit://127.0.0.1:{port}/news")])
        .args(["search", "caravan"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot reach Quickwit"), "{err}");
    let out = env
        .cmd()
        .args(["--engine", "quickwit://127.0.0.1/x"])
        .args(["search", "caravan"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("INDEX"));
    // A retry budget that is not a number of seconds is a usage error, before any request.
    let out = env
        .cmd()
        .env("NEWSDEX_REMOTE_RETRY_SECS", "a minute")
        .args(["--engine", &format!("quickwit://127.0.0.1:{port}/news")])
        .args(["search", "caravan"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("NEWSDEX_REMOTE_RETRY_SECS=\"a minute\" is not a number of seconds"),
        "{err}"
    );
}

#[test]
#[ignore = "needs ../shared/tools/quickwit (cargo test -- --include-ignored)"]
fn a_missing_index_on_a_cluster_is_a_clear_error() {
    let env = TestEnv::new();
    env.write("a.txt", "Title: A\n\nCaravan news.\n");
    env.index(&env.archive());
    let cluster = Cluster::start();
    let out = env
        .cmd()
        .args(["--engine", &cluster.url("nothing-here")])
        .args(["search", "caravan"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no index `nothing-here`") && err.contains("newsdex push"),
        "{err}"
    );
}

#[test]
fn a_dry_run_writes_the_config_and_every_article() {
    let env = TestEnv::new();
    env.index(&common::sample_corpus());
    let out_dir = env.dir.path().join("out");
    let out = env
        .cmd()
        .args(["push", "--json", "--dry-run"])
        .arg(&out_dir)
        .output()
        .unwrap();
    let summary: serde_json::Value = serde_json::from_slice(&succeeded(out).stdout).unwrap();
    let yaml = std::fs::read_to_string(out_dir.join("index-config.yaml")).unwrap();
    assert!(yaml.contains("index_id: newsdex") && yaml.contains("tokenizer: whitespace"));
    let lines = common::json_lines(&std::fs::read(out_dir.join("articles.ndjson")).unwrap());
    assert_eq!(lines.len() as u64, summary["articles"].as_u64().unwrap());
    assert!(lines.len() > 50);
    let caravan = lines
        .iter()
        .find(|l| {
            l["stored_title"]
                .as_str()
                .is_some_and(|t| t.contains("aravan"))
        })
        .expect("an article about a caravan");
    assert!(caravan["text"][0].as_str().unwrap().contains("caravan"));
    assert!(!env.index_dir().join("quickwit-push.json").exists());
}

#[test]
#[ignore = "needs ../shared/tools/quickwit and corpora (cargo test -- --include-ignored)"]
fn reuters_said_exports_the_same_ids_past_ten_thousand_hits() {
    let reuters = shared("corpora/reuters21578");
    let cluster = Cluster::start();
    let env = TestEnv::new();
    env.index(&reuters);
    let remote = cluster.url("reuters");
    let pushed = push(&env, &remote);
    let sent = pushed["sent"].as_u64().unwrap();
    assert!(sent > 20_000, "{pushed}");
    // Several batches (8 MB each) over several ingest shards: every article sent must be
    // searchable when the push returns, not when Quickwit's commit timer fires (an export right
    // after a push once missed 1,184 ids).
    assert!(pushed["batches"].as_u64().unwrap() > 1, "{pushed}");
    assert_eq!(pushed["searchable"], sent, "{pushed}");
    assert_eq!(cluster.published_docs("reuters"), sent);
    let export = |engine: Option<&str>| -> Vec<String> {
        let (_, out) = run(&env, engine, &["export", "--format", "jsonl", "-q", "said"]);
        common::json_lines(&out)
            .into_iter()
            .map(|v| v["id"].as_str().unwrap().to_string())
            .collect()
    };
    let local = export(None);
    let remote_ids = export(Some(&remote));
    assert!(local.len() > 10_000, "{}", local.len());
    assert_eq!(local.len(), remote_ids.len());
    assert_eq!(
        local.iter().collect::<BTreeSet<_>>(),
        remote_ids.iter().collect::<BTreeSet<_>>()
    );
    for args in [
        &[
            "count",
            "--by",
            "month",
            "--format",
            "json",
            "said",
            "oil",
            "\"interest rates\"",
        ][..],
        &[
            "count",
            "--by",
            "week",
            "--format",
            "json",
            "cocoa OR coffee",
        ][..],
    ] {
        let (_, l) = run(&env, None, args);
        let (_, r) = run(&env, Some(&remote), args);
        assert_eq!(l, r, "{args:?}");
    }
}
