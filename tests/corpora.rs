//! Tests on the real archives in ../shared/corpora. Skipped (with a message) when ../shared is
//! absent; under CI (CI set) its absence is a failure. `.ci/run` runs them.

mod common;

use common::{TestEnv, shared_corpus};
use predicates::prelude::*;

#[test]
fn bbc_all_articles_indexed_readme_skipped_pound_sign_intact() {
    let Some(bbc) = shared_corpus("bbc") else {
        return;
    };
    let env = TestEnv::new();
    let out = env
        .cmd()
        .arg("index")
        .arg("--json")
        .arg(&bbc)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["articles_total"], 2225);
    assert_eq!(summary["articles_by_format"]["text"], 2225);
    assert_eq!(summary["rejected_by_reason"]["not an article"], 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("README.TXT: not an article"));

    // sport/199.txt is ISO-8859-1: its pound sign must survive decoding.
    assert!(
        std::fs::read(bbc.join("sport/199.txt"))
            .unwrap()
            .contains(&0xA3)
    );
    let hits = env.search(&["signing Parma season"]);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].path.ends_with("sport/199.txt"));
    assert!(
        hits[0].snippet.contains("a £15.8m signing"),
        "{}",
        hits[0].snippet
    );
}

#[test]
fn bbc_yukos_ranks_a_business_article_first() {
    let Some(bbc) = shared_corpus("bbc") else {
        return;
    };
    let env = TestEnv::new();
    env.index(&bbc);
    let hits = env.search(&["Yukos"]);
    assert!(hits.len() >= 20, "{} hits", hits.len());
    assert!(
        hits[0].path.contains("/business/"),
        "first: {}",
        hits[0].path
    );
    env.cmd()
        .args(["search", "--format", "text", "Yukos"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Yukos"));
}
