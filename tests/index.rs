//! Indexing through the real binary: fields from each file style, skipped files, encodings, and
//! incremental updates (add, modify, delete) with the exact article set checked after each run.

mod common;

use std::collections::BTreeSet;

use common::TestEnv;
use predicates::prelude::*;

fn titles(env: &TestEnv) -> BTreeSet<String> {
    common::distinct_titles(
        env.search(&[
            "--any",
            "--limit",
            "1000",
            "article OR story OR body OR text",
        ])
        .into_iter()
        .map(|h| h.title),
    )
}

#[test]
fn fields_from_each_header_style() {
    let env = TestEnv::new();
    env.write(
        "ledger/2018/10/h.txt",
        "Title: Pentagon readies troops\nDate: October 25, 2018\nSource: The Harbor Ledger\n\
         Author: Maria Okafor\nURL: https://h.example/2018/10/25/p\nSection: Politics\n\nThe body text.\n",
    );
    env.write(
        "dispatch/2018/10/h2.txt",
        "Date: Thu, 25 Oct 2018 14:03:00 -0400\nPublication: Capital Dispatch\nBy: Daniel Reyes and Aisha Grant\n\n\
         Senators press for fair process\n\nThe body text.\n",
    );
    env.write(
        "gazette/2018/10/18/b.txt",
        "Mexico asks United Nations for help\n\nBy Lucia Fernandez\n\nThe body text.\n",
    );
    env.write(
        "post/m.md",
        "---\ntitle: \"Guard troops number 2,100\"\ndate: 2018-10-26T09:30:00-05:00\nsource: Meridian Post\n\
         authors:\n  - Hannah Cole\n  - Omar Siddiqui\nurl: https://m.example/g\nsection: National\nlanguage: en\n---\n\nThe body text.\n",
    );
    env.write(
        "wire/undated/p.txt",
        "Sea stars recover\n\nThe body text.\n",
    );
    env.index(&env.archive());

    let hits = env.search(&["body"]);
    assert_eq!(hits.len(), 5);
    let by_title = |t: &str| {
        hits.iter()
            .find(|h| h.title == t)
            .unwrap_or_else(|| panic!("{t}"))
    };

    let h = by_title("Pentagon readies troops");
    assert_eq!(h.source.as_deref(), Some("The Harbor Ledger"));
    assert_eq!(h.authors, ["Maria Okafor"]);
    assert_eq!(h.url.as_deref(), Some("https://h.example/2018/10/25/p"));
    assert_eq!(h.section.as_deref(), Some("Politics"));
    assert_eq!(h.published.as_deref(), Some("2018-10-25T00:00:00Z"));
    assert_eq!(h.date_source.as_deref(), Some("header"));

    let h = by_title("Senators press for fair process");
    assert_eq!(h.source.as_deref(), Some("Capital Dispatch"));
    assert_eq!(h.authors, ["Daniel Reyes", "Aisha Grant"]);
    assert_eq!(h.published.as_deref(), Some("2018-10-25T18:03:00Z"));

    let h = by_title("Mexico asks United Nations for help");
    assert_eq!(h.authors, ["Lucia Fernandez"]);
    assert_eq!(h.published.as_deref(), Some("2018-10-18T00:00:00Z"));
    assert_eq!(h.date_source.as_deref(), Some("path"));
    assert_eq!(h.source, None);

    let h = by_title("Guard troops number 2,100");
    assert_eq!(h.authors, ["Hannah Cole", "Omar Siddiqui"]);
    assert_eq!(h.source.as_deref(), Some("Meridian Post"));
    assert_eq!(h.language.as_deref(), Some("en"));
    assert_eq!(h.published.as_deref(), Some("2018-10-26T14:30:00Z"));

    let h = by_title("Sea stars recover");
    assert_eq!(h.published, None);
    assert_eq!(h.date_source, None);
    // A file's modification time is never a publication date.
}

#[test]
fn non_articles_hidden_files_and_bad_files_are_skipped_and_reported() {
    let env = TestEnv::new();
    env.write("a/story.txt", "Real story\n\nBody words here.\n");
    env.write("README.md", "# About this archive\n\nNot an article.\n");
    env.write("a/LICENSE.txt", "Public domain.\n");
    env.write(".hidden/secret.txt", "Hidden\n\nBody words here.\n");
    env.write("a/.draft.txt", "Draft\n\nBody words here.\n");
    env.write("a/empty.txt", "\n\n");
    env.write("a/binary.txt", b"\x00\x01\x02\x03ELF\x00\x00");
    env.write("a/photo.jpg", b"\xff\xd8\xff");
    env.cmd()
        .arg("index")
        .arg(env.archive())
        .assert()
        .success()
        .stderr(predicate::str::contains("README.md: not an article"))
        .stderr(predicate::str::contains("empty.txt: empty file"))
        .stderr(predicate::str::contains("binary.txt: binary data"))
        .stderr(predicate::str::contains("secret").not())
        .stdout(predicate::str::contains(
            "indexed 1 article from 3 files in",
        ));
    assert_eq!(titles(&env), BTreeSet::from(["Real story".to_string()]));
    // The empty and binary files are rejections (read again by --full); README is left out
    // on purpose and alone never fails --strict (the unchanged run reads nothing new).
    env.cmd()
        .args(["index", "--strict", "--full"])
        .arg(env.archive())
        .assert()
        .code(1);
    env.cmd()
        .args(["index", "--strict"])
        .arg(env.archive())
        .assert()
        .code(0);
}

#[test]
fn a_wire_table_with_a_headline_is_an_article_and_a_word_list_is_not() {
    let env = TestEnv::new();
    let mut rates = String::from("N.Y. MONEY OPENING - APR 7\n\n");
    let mut words = String::new();
    for i in 0..40 {
        rates.push_str(&format!(" Federal funds {i}  6-1/8\n"));
        words.push_str(&format!("name{i}\n"));
    }
    env.write("wire/rates.txt", &rates);
    env.write("lists/names.txt", &words);
    env.cmd()
        .arg("index")
        .arg(env.archive())
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "names.txt: not an article: a list or table",
        ))
        .stderr(predicate::str::contains("rates.txt").not());
    let hits = env.search(&["--any", "federal OR name0"]);
    let found: Vec<&str> = hits.iter().map(|h| h.title.as_str()).collect();
    assert_eq!(found, ["N.Y. MONEY OPENING - APR 7"]);
}

#[test]
fn index_timings_name_each_step_and_json_carries_them() {
    let env = TestEnv::new();
    env.write(
        "a.txt",
        "Harbour reopens\n\nThe harbour reopened on Monday.\n",
    );
    env.cmd()
        .args(["index", "--timings"])
        .arg(env.archive())
        .assert()
        .success()
        .stdout(predicate::str::contains("time by step:"))
        .stdout(predicate::str::is_match(r"(?m)^ +walk +\d+\.\d{3}s +\d+\.\d%$").unwrap())
        .stdout(predicate::str::contains("read, parse and index"))
        .stdout(predicate::str::contains("commit"));
    env.write("b.txt", "Ferry returns\n\nThe ferry returned on Tuesday.\n");
    let out = env
        .cmd()
        .args(["index", "--json"])
        .arg(env.archive())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let steps: Vec<&str> = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s[0].as_str().unwrap())
        .collect();
    assert_eq!(&steps[..3], ["open", "walk", "compare with the last run"]);
    assert!(steps.contains(&"clusters"), "{steps:?}");
}

#[test]
fn index_folder_inside_the_archive_is_not_indexed() {
    let env = TestEnv::new();
    env.write("s.txt", "Story\n\nBody words.\n");
    // The index sits inside the archive under a visible name; its own files are never read.
    let index = env.archive().join("idx");
    let mut c = assert_cmd::Command::cargo_bin("newsdex").unwrap();
    c.arg("--index")
        .arg(&index)
        .arg("index")
        .arg(env.archive())
        .assert()
        .success();
    let mut c = assert_cmd::Command::cargo_bin("newsdex").unwrap();
    c.arg("--index")
        .arg(&index)
        .arg("index")
        .arg(env.archive())
        .assert()
        .success()
        .stdout(predicate::str::contains("1 found"));
}

#[test]
fn encodings_are_decoded_not_mangled() {
    let env = TestEnv::new();
    env.write(
        "latin1.txt",
        b"Caf\xe9 prices rise\n\nA coffee now costs \xa33 in Z\xfcrich.\n",
    );
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(
        "Señora wins\n\nThe race was close.\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    env.write("utf16.txt", utf16);
    env.write("crlf.txt", "Tides rise\r\n\r\nWater in the streets.\r\n");
    env.index(&env.archive());
    let h = env.search(&["coffee"]);
    assert_eq!(h[0].title, "Café prices rise");
    assert!(h[0].snippet.contains("£3 in Zürich"), "{}", h[0].snippet);
    assert_eq!(env.search(&["race"])[0].title, "Señora wins");
    assert_eq!(env.search(&["streets"])[0].title, "Tides rise");
}

#[test]
fn reindexing_tracks_added_changed_and_deleted_files() {
    let env = TestEnv::new();
    env.write("a.txt", "Alpha article\n\nFirst body.\n");
    env.write("b.txt", "Bravo article\n\nSecond body.\n");
    env.write("sub/c.txt", "Charlie article\n\nThird body.\n");
    env.index(&env.archive());
    let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        titles(&env),
        set(&["Alpha article", "Bravo article", "Charlie article"])
    );

    // Unchanged: nothing read.
    env.cmd()
        .arg("index")
        .arg(env.archive())
        .assert()
        .success()
        .stdout(predicate::str::contains("0 read, 3 unchanged"));

    // Modify one, delete one, add one.
    std::thread::sleep(std::time::Duration::from_millis(20));
    env.write(
        "a.txt",
        "Alpha article revised\n\nFirst body, longer now.\n",
    );
    std::fs::remove_file(env.archive().join("b.txt")).unwrap();
    env.write("sub/d.md", "# Delta article\n\nFourth body.\n");
    env.cmd()
        .arg("index")
        .arg(env.archive())
        .assert()
        .success()
        .stdout(predicate::str::contains("2 read, 1 unchanged, 1 removed"));
    assert_eq!(
        titles(&env),
        set(&["Alpha article revised", "Charlie article", "Delta article"])
    );

    // Deleting a whole folder removes its articles; --full rebuilds the same set.
    std::fs::remove_dir_all(env.archive().join("sub")).unwrap();
    env.index(&env.archive());
    assert_eq!(titles(&env), set(&["Alpha article revised"]));
    env.cmd()
        .arg("index")
        .arg("--full")
        .arg(env.archive())
        .assert()
        .success();
    assert_eq!(titles(&env), set(&["Alpha article revised"]));
}

#[test]
fn indexing_another_folder_keeps_the_first() {
    let env = TestEnv::new();
    env.write("one/a.txt", "Alpha article\n\nBody.\n");
    env.write("two/b.txt", "Bravo article\n\nBody.\n");
    env.index(&env.archive().join("one"));
    env.index(&env.archive().join("two"));
    assert_eq!(titles(&env).len(), 2);
}

#[test]
fn summary_as_json() {
    let env = TestEnv::new();
    env.write("a.txt", "Alpha\n\nBody.\n");
    env.write("b.md", "---\ntitle: Bravo\n---\nBody.\n");
    let out = env
        .cmd()
        .arg("index")
        .arg("--json")
        .arg(env.archive())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["articles_indexed"], 2);
    assert_eq!(v["articles_by_format"]["text"], 1);
    assert_eq!(v["articles_by_format"]["markdown"], 1);
    assert_eq!(v["articles_total"], 2);
}

#[test]
fn map_and_path_pattern_are_remembered_by_the_index() {
    let env = TestEnv::new();
    env.write(
        "feeds/2019/05/10/dump.jsonl",
        "{\"hed\": \"Tariffs rise\", \"story_text\": \"Duties went up on Friday.\", \"ts\": 1557495000}\n",
    );
    env.write(
        "lakeshore-tribune/2019/03/14/vote.txt",
        "Council passes budget\n\nThe vote was close.\n",
    );
    // `story_text` and `ts` are not keys newsdex would guess: the map names them.
    env.cmd()
        .args(["index", "--map", "body=story_text,published=ts"])
        .args(["--path-pattern", "{source}/{yyyy}/{mm}/{dd}/*"])
        .arg(env.archive())
        .assert()
        .success();
    let h = env.search(&["duties"]);
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].title, "Tariffs rise");
    assert_eq!(h[0].published.as_deref(), Some("2019-05-10T13:30:00Z"));
    assert_eq!(h[0].source.as_deref(), Some("feeds"));
    let v = env.search(&["vote"]);
    assert_eq!(v[0].source.as_deref(), Some("lakeshore-tribune"));
    assert_eq!(v[0].published.as_deref(), Some("2019-03-14T00:00:00Z"));

    // A later run without the options reads new files the same way.
    env.write(
        "feeds/2019/05/11/more.jsonl",
        "{\"hed\": \"Markets calm\", \"story_text\": \"Shares steadied after the duties.\", \"ts\": 1557581400}\n",
    );
    env.index(&env.archive());
    let h = env.search(&["steadied"]);
    assert_eq!(h[0].published.as_deref(), Some("2019-05-11T13:30:00Z"));
    assert_eq!(h[0].source.as_deref(), Some("feeds"));
}

#[test]
fn report_lists_every_rejection_as_json_lines() {
    let env = TestEnv::new();
    env.write("ok.txt", "Fine story\n\nBody.\n");
    env.write("empty.txt", "");
    env.write("bad.jsonl", "{\"title\": \"One\", \"body\": \"x\"}\n{\"title\": \"Tw\n{\"title\": \"Three\", \"body\": \"y\"}\n");
    let report = env.dir.path().join("report.jsonl");
    env.cmd()
        .arg("index")
        .arg("--report")
        .arg(&report)
        .arg(env.archive())
        .assert()
        .success();
    let lines: Vec<serde_json::Value> = common::json_lines(&std::fs::read(&report).unwrap());
    assert_eq!(lines.len(), 2, "{lines:?}");
    let empty = lines
        .iter()
        .find(|l| l["path"].as_str().unwrap().ends_with("empty.txt"))
        .unwrap();
    assert_eq!(empty["reason"], "empty file");
    assert_eq!(empty["severity"], "rejected");
    let bad = lines
        .iter()
        .find(|l| l["path"].as_str().unwrap().ends_with("bad.jsonl"))
        .unwrap();
    assert_eq!(bad["record"], 1);
    assert!(bad["reason"].as_str().unwrap().contains("line 2"));
    // The neighbours of the broken line are indexed.
    assert_eq!(env.search(&["--any", "one three"]).len(), 2);
}

#[test]
fn bad_index_options_are_explained() {
    let env = TestEnv::new();
    env.write("a.txt", "A\n\nB.\n");
    env.cmd()
        .args(["index", "--map", "bodyy=x"])
        .arg(env.archive())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown field `bodyy`"));
    env.cmd()
        .args(["index", "--path-pattern", "{outlet}/{yy}/*"])
        .arg(env.archive())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown placeholder `{yy}`"));
}

#[test]
fn a_lost_manifest_costs_a_reread_not_an_article() {
    // As after a crash between a commit and the manifest write: the index must still notice
    // deleted files (from its own path terms) and must not double re-read ones.
    let env = TestEnv::new();
    env.write("a.txt", "Alpha article\n\nFirst body.\n");
    env.write("b.txt", "Bravo article\n\nSecond body.\n");
    env.index(&env.archive());
    std::fs::remove_file(env.index_dir().join("newsdex-manifest.json")).unwrap();
    std::fs::remove_file(env.archive().join("b.txt")).unwrap();
    env.cmd()
        .arg("index")
        .arg(env.archive())
        .assert()
        .success()
        .stdout(predicate::str::contains("1 read, 0 unchanged, 1 removed"));
    let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(titles(&env), set(&["Alpha article"]));
    assert_eq!(env.search(&["alpha"]).len(), 1);
}
