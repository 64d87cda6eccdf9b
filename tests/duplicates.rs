//! No article twice, on any path: an interrupted run that started without a trusted file list,
//! the same folder given twice or nested, a moved archive, and a folder that is suddenly empty
//! (an unmounted drive). `newsdex check` finds an id indexed twice.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::TestEnv;

const FILES: usize = 120;

fn archive(env: &TestEnv) -> BTreeSet<String> {
    common::story_archive(env, FILES, 5)
}

/// Every hit for the word every article has: (title, path), duplicates kept.
fn hits(env: &TestEnv) -> Vec<(String, String)> {
    env.search(&["--limit", "100000", "dredging"])
        .into_iter()
        .map(|h| (h.title, h.path))
        .collect()
}

/// The index holds each expected title exactly once, every path exists, and `check` agrees.
fn assert_each_once(env: &TestEnv, expected: &BTreeSet<String>, what: &str) {
    let hits = hits(env);
    let titles: BTreeSet<String> = hits.iter().map(|(t, _)| t.clone()).collect();
    assert_eq!(
        hits.len(),
        titles.len(),
        "{what}: some article is indexed twice"
    );
    assert_eq!(&titles, expected, "{what}: wrong article set");
    for (_, path) in &hits {
        assert!(Path::new(path).is_file(), "{what}: stale path {path}");
    }
    let out = env
        .cmd()
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["duplicate_ids"], 0, "{what}: {report}");
    assert!(out.status.success(), "{what}: check failed: {report}");
}

fn spawn_index(env: &TestEnv, extra: &[&str]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("newsdex"))
        .arg("--index")
        .arg(env.index_dir())
        .args(["index", "--commit-every", "0.1", "--threads", "2"])
        .args(extra)
        .arg(env.archive())
        .env("NEWSDEX_FAULT_DELAY_MS", "25")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn signal(child: Child, sig: &str) -> std::process::Output {
    std::thread::sleep(Duration::from_millis(700));
    assert!(
        Command::new("kill")
            .args([sig, &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().unwrap();
    assert!(
        !out.status.success(),
        "{sig}: the run finished before the signal"
    );
    out
}

#[test]
fn an_interrupted_run_without_a_trusted_file_list_never_duplicates() {
    let env = TestEnv::new();
    let expected = archive(&env);
    env.index(&env.archive());
    // A change of settings makes every file be read again; Ctrl-C part-way, then the same
    // command again: the second run must replace, not add, what the first had not reached.
    let out = signal(spawn_index(&env, &["--title-weight", "3"]), "-INT");
    assert_eq!(out.status.code(), Some(130));
    assert_each_once(&env, &expected, "after Ctrl-C of a settings change");
    env.cmd()
        .args(["index", "--title-weight", "3"])
        .arg(env.archive())
        .assert()
        .success();
    assert_each_once(&env, &expected, "after finishing the settings change");

    // No file list at all (deleted), and the recovery run killed part-way.
    std::fs::remove_file(env.index_dir().join("newsdex-manifest.json")).unwrap();
    signal(spawn_index(&env, &[]), "-KILL");
    assert_each_once(&env, &expected, "after SIGKILL of a recovery run");
    let summary = env.index_json(&env.archive(), &[]);
    assert_each_once(&env, &expected, "after the next run");
    assert!(summary["files_read"].as_u64().unwrap() > 0, "{summary}");
    let summary = env.index_json(&env.archive(), &[]);
    assert_eq!(
        summary["files_read"], 0,
        "a third run reads nothing: {summary}"
    );
}

#[test]
fn the_same_folder_twice_or_nested_indexes_each_file_once() {
    let env = TestEnv::new();
    let expected = archive(&env);
    let arch = env.archive();
    let nested = arch.join("d1");
    let dotted = arch.join("d1").join("..");
    for (n, extra) in [
        vec![arch.clone(), arch.clone()],
        vec![arch.clone(), nested.clone()],
        vec![nested.clone(), arch.clone(), dotted],
    ]
    .into_iter()
    .enumerate()
    {
        for full in [false, true] {
            let mut cmd = env.cmd();
            cmd.arg("index");
            if full {
                cmd.arg("--full");
            }
            cmd.args(&extra).assert().success();
            assert_each_once(&env, &expected, &format!("roots #{n}, full={full}"));
        }
    }
}

#[test]
fn a_moved_archive_replaces_its_old_paths() {
    let env = TestEnv::new();
    let expected = archive(&env);
    env.index(&env.archive());
    let moved = env.dir.path().join("moved-archive");
    std::fs::rename(env.archive(), &moved).unwrap();
    let summary = env.index_json(&moved, &[]);
    assert_eq!(summary["files_moved"], FILES, "{summary}");
    assert_each_once(&env, &expected, "after the move");
    for (_, path) in hits(&env) {
        assert!(path.contains("moved-archive"), "{path}");
    }
    // A copy is not a move: the original still exists, so both stay.
    let copy = env.dir.path().join("copy");
    std::fs::create_dir_all(&copy).unwrap();
    std::fs::copy(moved.join("d0/s0000.txt"), copy.join("s0000.txt")).unwrap();
    let summary = env.index_json(&copy, &[]);
    assert_eq!(summary["files_moved"], 0, "{summary}");
    assert_eq!(hits(&env).len(), FILES + 1);
}

#[test]
fn an_empty_folder_that_held_articles_is_refused_not_emptied() {
    let env = TestEnv::new();
    let expected = archive(&env);
    env.index(&env.archive());
    // As an unmounted drive looks: the folder is there, and empty.
    let away = env.dir.path().join("away");
    std::fs::rename(env.archive(), &away).unwrap();
    std::fs::create_dir(env.archive()).unwrap();
    let out = env.cmd().arg("index").arg(env.archive()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("holds no article files") && stderr.contains("mount"),
        "{stderr}"
    );
    std::fs::remove_dir(env.archive()).unwrap();
    std::fs::rename(&away, env.archive()).unwrap();
    assert_each_once(&env, &expected, "after the refused run");
    // Emptied on purpose: --full rebuilds from what is there.
    std::fs::rename(env.archive(), &away).unwrap();
    std::fs::create_dir(env.archive()).unwrap();
    let summary = env.index_json(&env.archive(), &["--full"]);
    assert_eq!(summary["articles_total"], 0, "{summary}");
}

#[test]
fn check_finds_an_article_indexed_twice() {
    let env = TestEnv::new();
    env.write("a.txt", "Harbour story\n\nDredging begins.\n");
    env.index(&env.archive());
    {
        let (index, _) = newsdex::index::open_index(&env.index_dir()).unwrap();
        let reader = index.reader().unwrap();
        let searcher = reader.searcher();
        let doc: tantivy::TantivyDocument = searcher.doc(tantivy::DocAddress::new(0, 0)).unwrap();
        let mut writer: tantivy::IndexWriter = index.writer(50_000_000).unwrap();
        writer.add_document(doc).unwrap();
        writer.commit().unwrap();
    }
    let out = env.cmd().args(["check"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert!(stdout.contains("indexed more than once"), "{stdout}");
}
