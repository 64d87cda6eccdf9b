//! Crash safety and concurrency: an indexer killed at any moment leaves an index that opens, and a
//! re-run converges to exactly the full article set; Ctrl-C commits and stops; a second writer
//! gets a clear error while searches keep working.

mod common;

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::TestEnv;
use predicates::prelude::*;

const FILES: usize = 240;

fn archive(env: &TestEnv) -> BTreeSet<String> {
    let mut titles = BTreeSet::new();
    for i in 0..FILES {
        let title = format!("Story number {i:04}");
        env.write(
            &format!("d{}/s{i:04}.txt", i % 7),
            format!("{title}\n\nBody of story {i} about harbour dredging.\n"),
        );
        titles.insert(title);
    }
    titles
}

fn spawn_index(env: &TestEnv, delay_ms: u64) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("newsdex"))
        .arg("--index")
        .arg(env.index_dir())
        .args(["index", "--commit-every", "0.1", "--threads", "2"])
        .arg(env.archive())
        .env("NEWSDEX_FAULT_DELAY_MS", delay_ms.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn indexed_titles(env: &TestEnv) -> Vec<String> {
    env.search(&["--limit", "100000", "dredging"])
        .into_iter()
        .map(|h| h.title)
        .collect()
}

fn article_count(env: &TestEnv) -> u64 {
    let out = env
        .cmd()
        .args(["stats", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "index does not open: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["articles"].as_u64().unwrap()
}

#[test]
fn sigkill_at_any_moment_loses_nothing_committed_and_rerun_converges() {
    let env = TestEnv::new();
    let expected = archive(&env);
    let mut seen_partial = false;
    // Kill at different moments; every time the index must open, hold no duplicate, and only grow.
    let mut last = 0;
    for (round, wait_ms) in [150u64, 400, 250, 700, 90, 500].into_iter().enumerate() {
        let mut child = spawn_index(&env, 8);
        std::thread::sleep(Duration::from_millis(wait_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        if env.index_dir().join("meta.json").exists() {
            let n = article_count(&env);
            let titles = indexed_titles(&env);
            let unique: BTreeSet<_> = titles.iter().cloned().collect();
            assert_eq!(
                unique.len(),
                titles.len(),
                "round {round}: an article is doubled"
            );
            assert_eq!(n as usize, titles.len());
            assert!(
                n >= last,
                "round {round}: committed articles were lost ({n} < {last})"
            );
            seen_partial |= n > 0 && (n as usize) < FILES;
            last = n;
        }
    }
    assert!(
        seen_partial,
        "no kill landed part-way; the test did not test anything"
    );
    env.index(&env.archive());
    let titles: BTreeSet<String> = indexed_titles(&env).into_iter().collect();
    assert_eq!(titles, expected);
    assert_eq!(article_count(&env) as usize, FILES);
}

#[test]
fn sigint_commits_what_is_done_and_says_how_to_finish() {
    let env = TestEnv::new();
    let expected = archive(&env);
    let child = spawn_index(&env, 10);
    std::thread::sleep(Duration::from_millis(600));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    let n = article_count(&env) as usize;
    assert!(n > 0 && n < FILES, "{n} articles after Ctrl-C");
    env.index(&env.archive());
    let titles: BTreeSet<String> = indexed_titles(&env).into_iter().collect();
    assert_eq!(titles, expected);
}

#[test]
fn second_writer_gets_a_clear_error_and_search_keeps_working() {
    let env = TestEnv::new();
    env.write("a.txt", "Harbour story\n\nDredging begins.\n");
    env.index(&env.archive());
    // Hold the index's writer lock, as a running `newsdex index` does.
    let index = tantivy::Index::open_in_dir(env.index_dir()).unwrap();
    let _writer: tantivy::IndexWriter = index.writer(50_000_000).unwrap();
    env.cmd()
        .arg("index")
        .arg(env.archive())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is being written by another newsdex process",
        ));
    assert_eq!(indexed_titles(&env), ["Harbour story"]);
}
