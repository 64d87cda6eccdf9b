//! Hostile input: every strange file an archive can hold, generated at test time. For each, the
//! run completes, the article set is exactly what it should be, every rejection names the path
//! and the reason, and (where a child's heap can be capped) memory stays within a set bound.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::TestEnv;
use serde_json::Value;

/// `newsdex index --json --report R <archive>`: the summary and every reported problem.
fn index_with_report(env: &TestEnv, extra: &[&str]) -> (Value, Vec<Value>) {
    let report = env.dir.path().join("report.jsonl");
    let report_arg = report.to_str().unwrap();
    let summary = env.index_json(&env.archive(), &[&["--report", report_arg], extra].concat());
    let problems = common::json_lines(&std::fs::read(&report).unwrap_or_default());
    (summary, problems)
}

/// The problem reported for the file whose path ends with `name`.
fn problem_for<'a>(problems: &'a [Value], name: &str) -> &'a Value {
    problems
        .iter()
        .find(|p| p["path"].as_str().is_some_and(|s| s.ends_with(name)))
        .unwrap_or_else(|| panic!("no problem reported for {name}: {problems:#?}"))
}

fn titles(env: &TestEnv, query: &str) -> BTreeSet<String> {
    common::distinct_titles(
        env.search(&["--limit", "200000", query])
            .into_iter()
            .map(|h| h.title),
    )
}

fn article_count(env: &TestEnv) -> u64 {
    let v: Value = serde_json::from_slice(&env.stdout(&["stats", "--format", "json"])).unwrap();
    v["articles"].as_u64().unwrap()
}

/// Runs `newsdex index` with its heap (RLIMIT_DATA) capped at `mb` MB by `prlimit`, so a reader
/// that tries to hold too much fails the test instead of passing slowly. Without `prlimit`
/// (util-linux) the bound could not be enforced, and the test fails rather than pass unchecked.
fn index_with_heap_cap(env: &TestEnv, mb: u64) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("newsdex");
    let has_prlimit = Command::new("prlimit")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        has_prlimit,
        "prlimit (util-linux) is needed to cap the heap of `newsdex index` in this test"
    );
    let mut cmd = Command::new("prlimit");
    cmd.arg(format!("--data={}", mb << 20)).arg(bin);
    cmd.arg("--index")
        .arg(env.index_dir())
        .args(["index", "--json", "--threads", "2"])
        .arg(env.archive())
        .output()
        .unwrap()
}

#[test]
fn empty_binary_and_damaged_text_files_are_reported_and_the_rest_indexed() {
    let env = TestEnv::new();
    env.write("empty.txt", "");
    env.write("blank.html", "  \n\t\n");
    env.write("empty.json", "");
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend((0..4000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    env.write("photo.txt", &png);
    // Binary without a single NUL: mostly control bytes.
    let controls: Vec<u8> = (0..3000u32).map(|i| (i % 31 + 1) as u8).collect();
    env.write("controls.md", &controls);
    // UTF-8 with a damaged byte in the middle: the accents on both sides survive.
    env.write(
        "damaged-utf8.txt",
        b"Pe\xc3\xb1a meets Mu\xc3\xb1oz\n\nThe talks in Bogot\xc3\xa1 \xff\xfe ran late; Mu\xc3\xb1oz left at dawn.\n",
    );
    let utf16 = |s: &str, le: bool, bom: bool| {
        let mut out = Vec::new();
        if bom {
            out.extend(if le { [0xFF, 0xFE] } else { [0xFE, 0xFF] });
        }
        for u in s.encode_utf16() {
            out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        out
    };
    let story =
        |w: &str| format!("Ferry strike {w}\n\nThe {w} ferry crews walked out on Monday.\n");
    env.write("utf16le-bom.txt", utf16(&story("quaywardens"), true, true));
    env.write("utf16be-bom.txt", utf16(&story("tidewaiters"), false, true));
    env.write(
        "utf16le-nobom.txt",
        utf16(&story("bargemasters"), true, false),
    );
    env.write(
        "utf16be-nobom.txt",
        utf16(&story("lockkeepers"), false, false),
    );
    // A NUL and an escape sequence inside otherwise good text.
    env.write(
        "stray-controls.txt",
        [
            &b"Council \x1b[31mvotes\0 on budget\n\nThe council voted\0 on the budget late on Tuesday.\n"[..],
            "The session ran past midnight as members argued over the library fund.\n".repeat(8).as_bytes(),
        ]
        .concat(),
    );

    let (summary, problems) = index_with_report(&env, &[]);
    assert_eq!(summary["articles_total"], 6, "{summary:#} {problems:#?}");
    for (name, reason) in [
        ("empty.txt", "empty"),
        ("blank.html", "empty"),
        ("empty.json", "empty"),
        ("photo.txt", "binary"),
        ("controls.md", "binary"),
    ] {
        let p = problem_for(&problems, name);
        assert!(
            p["reason"].as_str().unwrap().contains(reason),
            "{name}: {p}"
        );
    }
    assert_eq!(
        titles(&env, "Muñoz"),
        BTreeSet::from(["Peña meets Muñoz".to_string()])
    );
    for w in ["quaywardens", "tidewaiters", "bargemasters", "lockkeepers"] {
        assert_eq!(
            titles(&env, w),
            BTreeSet::from([format!("Ferry strike {w}")])
        );
    }
    let hit = &env.search(&["budget"])[0];
    assert_eq!(hit.title, "Council [31mvotes on budget");
}

#[test]
fn a_100_mb_article_is_indexed_up_to_the_article_limit_in_bounded_memory() {
    let env = TestEnv::new();
    let path = env.write("giant.txt", "");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(f, "Title: Endless report on the ledger\nDate: 2020-03-04\n").unwrap();
    writeln!(f, "The zebrafinch clause opens the report.\n").unwrap();
    let para = "Clerks copied the ledger line by line through the night, and the auditors \
                checked every column twice before the vote.\n\n";
    for _ in 0..(100_000_000 / para.len()) {
        f.write_all(para.as_bytes()).unwrap();
    }
    writeln!(f, "The closing quokkaword sits past the limit.").unwrap();
    drop(f);
    env.write("small.txt", "Small story\n\nA normal ledger story.\n");

    let out = index_with_heap_cap(&env, 1200);
    let out = common::succeeded(out);
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["articles_total"], 2);
    assert_eq!(summary["warnings"], 1, "{summary:#}");
    let hits = env.search(&["zebrafinch"]);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].title, "Endless report on the ledger");
    assert!(
        hits[0]
            .published
            .as_deref()
            .unwrap()
            .starts_with("2020-03-04")
    );
    // The tail beyond the limit is documented as not indexed.
    assert!(titles(&env, "quokkaword").is_empty());
}

#[test]
fn a_50_mb_single_line_json_array_is_read_whole() {
    let env = TestEnv::new();
    let path = env.write("export.json", "");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let filler = "Port authorities reported steady container traffic this week. ".repeat(32);
    let n = 25_000;
    f.write_all(b"[").unwrap();
    for i in 0..n {
        if i > 0 {
            f.write_all(b",").unwrap();
        }
        let a = serde_json::json!({
            "title": format!("Port bulletin {i}"),
            "text": format!("{filler} Reference code pb{i}x."),
            "date_publish": "2019-05-01 08:00:00",
            "source_domain": "portnews.example",
        });
        serde_json::to_writer(&mut f, &a).unwrap();
    }
    f.write_all(b"]").unwrap();
    drop(f);
    assert!(std::fs::metadata(&path).unwrap().len() > 50_000_000);
    let out = index_with_heap_cap(&env, 1500);
    common::succeeded(out);
    assert_eq!(article_count(&env), n);
    assert_eq!(
        titles(&env, "pb24999x"),
        BTreeSet::from(["Port bulletin 24999".to_string()])
    );
}

#[test]
fn a_json_array_of_600000_records_is_indexed_in_bounded_memory() {
    let env = TestEnv::new();
    let path = env.write("wire.json", "");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let n = 600_000;
    f.write_all(b"[").unwrap();
    for i in 0..n {
        if i > 0 {
            f.write_all(b",\n").unwrap();
        }
        write!(
            f,
            "{{\"title\": \"Wire note {i}\", \"body\": \"The quay {i} opened at dawn, code wn{i}x.\"}}"
        )
        .unwrap();
    }
    f.write_all(b"]").unwrap();
    drop(f);
    // Held whole (every element as a JSON value, then every article) this file took more than
    // 900 MB of heap; read element by element and handed on in batches, it fits in 800.
    let out = index_with_heap_cap(&env, 800);
    common::succeeded(out);
    assert_eq!(article_count(&env), n);
    assert_eq!(
        titles(&env, "wn599999x"),
        BTreeSet::from(["Wire note 599999".to_string()])
    );
}

#[test]
fn html_nested_100000_levels_deep_is_read_without_hanging() {
    let env = TestEnv::new();
    let depth = 100_000;
    let mut page = String::from("<html><head><title>Nesting doll exhibition</title></head><body>");
    page.push_str(&"<div>".repeat(depth));
    page.push_str("<p>The matryoshka exhibition opened in the town hall.</p>");
    page.push_str(&"</div>".repeat(depth));
    page.push_str("</body></html>");
    env.write("deep.html", &page);
    // Deep, and never closed at all.
    env.write(
        "unclosed.html",
        format!(
            "<html><body>{}<p>Unclosed tags surround the lighthouse keeper's diary.",
            "<div><span><b>".repeat(depth / 3) + "<div>"
        ),
    );
    env.write("normal.html", "<html><head><title>Plain page</title></head><body><article><p>A plain page about the lighthouse.</p></article></body></html>");
    let (summary, problems) = index_with_report(&env, &[]);
    assert_eq!(summary["articles_total"], 3, "{summary:#} {problems:#?}");
    assert_eq!(
        titles(&env, "matryoshka"),
        BTreeSet::from(["Nesting doll exhibition".to_string()])
    );
    assert_eq!(titles(&env, "diary").len(), 1);
    let p = problem_for(&problems, "deep.html");
    assert!(p["reason"].as_str().unwrap().contains("nested"), "{p}");
}

#[test]
fn xml_entity_expansion_and_external_entities_are_never_followed() {
    let env = TestEnv::new();
    let secret = env.dir.path().join("secret.txt");
    std::fs::write(&secret, "topsecretpassphrase").unwrap();
    let mut dtd = String::from("<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n");
    dtd.push_str("<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
    for i in 2..=9 {
        let prev = format!("&lol{};", i - 1);
        dtd.push_str(&format!("<!ENTITY lol{i} \"{}\">\n", prev.repeat(10)));
    }
    dtd.push_str(&format!(
        "<!ENTITY xxe SYSTEM \"file://{}\">\n]>\n",
        secret.display()
    ));
    env.write(
        "laughs.rss",
        format!(
            "<?xml version=\"1.0\"?>\n{dtd}<rss version=\"2.0\"><channel><title>Laugh Gazette</title>\
             <item><title>Comedy festival &lol9; opens</title><link>https://laugh.example/a</link>\
             <description>The comedy festival opened with &lol9; and &xxe; in the old theatre.</description>\
             <pubDate>Tue, 02 Apr 2019 10:00:00 GMT</pubDate></item></channel></rss>"
        ),
    );
    env.write(
        "external.nitf",
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE nitf [<!ENTITY xxe SYSTEM \"file://{}\">]>\n\
             <nitf><head><title>Harbour pilots &xxe; retire</title></head><body><body.head>\
             <hedline><hl1>Harbour pilots retire</hl1></hedline></body.head><body.content>\
             <p>Two harbour pilots retired &xxe; after forty years.</p></body.content></body></nitf>",
            secret.display()
        ),
    );
    let (summary, _) = index_with_report(&env, &[]);
    assert_eq!(summary["articles_total"], 2, "{summary:#}");
    assert!(titles(&env, "topsecretpassphrase").is_empty());
    let body = env.stdout(&[
        "export",
        "--fields",
        "title,body",
        "--format",
        "jsonl",
        "comedy",
    ]);
    let rows = common::json_lines(&body);
    assert_eq!(rows.len(), 1);
    let text = format!("{}{}", rows[0]["title"], rows[0]["body"]);
    assert!(
        text.len() < 2_000,
        "entities were expanded: {} bytes",
        text.len()
    );
    assert!(titles(&env, "pilots").len() == 1);
}

/// Gzip of `data`.
fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

#[test]
fn compression_bombs_and_truncated_archives_cost_only_their_damage() {
    let env = TestEnv::new();
    // 300 gzip members of 1 MB each: a 300 KB file that inflates to 300 MB.
    let member = gzip(&vec![b'a'; 1 << 20]);
    let bomb: Vec<u8> = member
        .iter()
        .copied()
        .cycle()
        .take(member.len() * 300)
        .collect();
    env.write("bomb.txt.gz", &bomb);
    // Truncated gzip of 200 JSON Lines records: the records before the damage are kept.
    let lines: String = (0..200)
        .map(|i| {
            format!(
                "{{\"title\":\"Grain report {i}\",\"text\":\"Wheat futures moved in session {i}. {}\"}}\n",
                "Traders watched the weather closely. ".repeat(20)
            )
        })
        .collect();
    let gz = gzip(lines.as_bytes());
    env.write("grain.jsonl.gz", &gz[..gz.len() * 6 / 10]);
    // A WARC cut in the middle of its last record.
    let warc_gz =
        std::fs::read(common::sample_corpus().join("warc/crawl-2019-02.warc.gz")).unwrap();
    let mut warc = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::MultiGzDecoder::new(&warc_gz[..]),
        &mut warc,
    )
    .unwrap();
    env.write("crawl-full.warc", &warc);
    // Cut inside the record of the crawl's second article page.
    let uri = b"WARC-Target-URI: https://gulfcoastherald.example/news/port-expansion";
    let at = warc.windows(uri.len()).position(|w| w == uri).unwrap();
    env.write("crawl-cut.warc", &warc[..at + 1000]);

    let out = index_with_heap_cap(&env, 1500);
    common::succeeded(out);
    let (summary, problems) = index_with_report(&env, &["--full"]);
    let p = problem_for(&problems, "bomb.txt.gz");
    assert!(p["reason"].as_str().unwrap().contains("limit"), "{p}");
    let p = problem_for(&problems, "grain.jsonl.gz");
    assert!(p["reason"].as_str().unwrap().contains("truncated"), "{p}");
    // Exactly the records wholly inside what can be decompressed before the cut are kept, each
    // once: the same prefix read here with flate2 holds `whole` complete lines.
    let mut prefix = Vec::new();
    let _ = std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&gz[..gz.len() * 6 / 10]),
        &mut prefix,
    );
    let whole = prefix.iter().filter(|&&b| b == b'\n').count();
    assert!(whole > 20 && whole < 200, "{whole}");
    let mut kept: Vec<String> = env
        .search(&["--limit", "1000", "wheat"])
        .into_iter()
        .map(|h| h.title)
        .collect();
    kept.sort_by_key(|t| t.rsplit(' ').next().unwrap().parse::<u32>().unwrap());
    let expected: Vec<String> = (0..whole).map(|i| format!("Grain report {i}")).collect();
    assert_eq!(kept, expected, "{whole} whole records before the cut");
    let p = problem_for(&problems, "crawl-cut.warc");
    assert!(!p["reason"].as_str().unwrap().is_empty());
    let full = summary["articles_by_format"]["warc"]
        .as_u64()
        .unwrap_or_else(|| panic!("{summary:#}"));
    assert!(full >= 2, "{summary:#}");
    // The cut crawl lost its last record only: the full crawl has one more article.
    let by_path = |name: &str| {
        env.search(&["--limit", "1000", "*"])
            .into_iter()
            .filter(|h| h.path.ends_with(name))
            .count()
    };
    assert_eq!(by_path("crawl-cut.warc") + 1, by_path("crawl-full.warc"));
    assert_eq!(
        summary["articles_total"].as_u64().unwrap(),
        kept.len() as u64 + full
    );
}

#[cfg(unix)]
#[test]
fn symbolic_link_loops_are_reported_and_articles_counted_once() {
    use std::os::unix::fs::symlink;
    let env = TestEnv::new();
    env.write("a/one.txt", "Loop story one\n\nThe roundabout opened.\n");
    env.write("b/two.txt", "Loop story two\n\nThe roundabout closed.\n");
    let a = env.archive().join("a");
    symlink(env.archive(), a.join("back-to-top")).unwrap();
    symlink(a.join("self"), a.join("self")).unwrap(); // dangling self-reference
    symlink(env.archive().join("b"), env.archive().join("b-again")).unwrap();
    let (summary, problems) = index_with_report(&env, &[]);
    assert!(
        problems
            .iter()
            .any(|p| p["reason"].as_str().unwrap().contains("loop")),
        "{problems:#?}"
    );
    // b-again is a second name for b: its article is indexed once, under the first name the
    // sorted walk meets (b).
    assert_eq!(titles(&env, "roundabout").len(), 2);
    assert_eq!(summary["articles_total"], 2, "{summary:#}");
    let paths: Vec<String> = env
        .search(&["--limit", "10", "roundabout"])
        .into_iter()
        .map(|h| h.path)
        .collect();
    assert!(paths.iter().all(|p| !p.contains("b-again")), "{paths:?}");
}

/// Runs the binary as an unprivileged user when the tests run as root (root reads everything),
/// after handing the test folder to that user.
#[cfg(unix)]
fn index_unprivileged(env: &TestEnv) -> (Value, Vec<Value>) {
    let report = env.dir.path().join("report.jsonl");
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("newsdex"));
    if is_root() {
        cmd = Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(assert_cmd::cargo::cargo_bin("newsdex"));
    }
    let out = cmd
        .arg("--index")
        .arg(env.index_dir())
        .args(["index", "--json", "--report"])
        .arg(&report)
        .arg(env.archive())
        .output()
        .unwrap();
    let out = common::succeeded(out);
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        common::json_lines(&std::fs::read(&report).unwrap_or_default()),
    )
}

#[cfg(unix)]
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

#[cfg(unix)]
fn chown_all(path: &Path) {
    for e in walkdir::WalkDir::new(path) {
        std::os::unix::fs::lchown(e.unwrap().path(), Some(65534), Some(65534)).unwrap();
    }
}

#[cfg(unix)]
#[test]
fn unreadable_files_and_folders_are_reported_and_keep_their_articles() {
    use std::os::unix::fs::PermissionsExt;
    if is_root() && Command::new("setpriv").arg("--version").output().is_err() {
        panic!("running as root without setpriv: cannot test permission errors");
    }
    let env = TestEnv::new();
    let mode = |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m));
    mode(env.dir.path(), 0o755).unwrap();
    env.write("open.txt", "Open story\n\nThe tideway lock reopened.\n");
    let locked_file = env.write("locked.txt", "Locked story\n\nThe tideway gate jammed.\n");
    env.write(
        "vault/inner.txt",
        "Vault story\n\nThe tideway vault flooded.\n",
    );
    std::fs::create_dir_all(env.index_dir()).unwrap();
    if is_root() {
        chown_all(env.dir.path());
    }
    let (summary, _) = index_unprivileged(&env);
    assert_eq!(summary["articles_total"], 3);

    let vault = env.archive().join("vault");
    mode(&vault, 0o000).unwrap();
    mode(&locked_file, 0o000).unwrap();
    // Touch the locked file so the run has to try to read it again.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&locked_file)
        .map(|f| f.set_modified(std::time::SystemTime::now()))
        .ok();
    let (summary, problems) = index_unprivileged(&env);
    mode(&vault, 0o755).unwrap();
    mode(&locked_file, 0o644).unwrap();
    for name in ["vault", "locked.txt"] {
        let p = problem_for(&problems, name);
        assert!(
            p["reason"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("permission denied"),
            "{p}"
        );
    }
    // Unreadable is not deleted: all three articles are still there.
    assert_eq!(summary["articles_total"], 3, "{summary:#}");
    assert_eq!(titles(&env, "tideway").len(), 3);
}

#[cfg(unix)]
#[test]
fn file_names_that_are_not_utf8_or_hold_newlines_are_indexed_and_stay_distinct() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let env = TestEnv::new();
    std::fs::create_dir_all(env.archive()).unwrap();
    let names: [&[u8]; 5] = [
        b"caf\xe9.txt",
        b"caf\xe8.txt",
        b"two\nlines.txt",
        b"-rf.txt",
        b"d\xc3\xa9j\xc3\xa0 vu \xe2\x80\x94 spaced.txt",
    ];
    for (i, n) in names.iter().enumerate() {
        let p: PathBuf = env.archive().join(OsStr::from_bytes(n));
        std::fs::write(
            &p,
            format!("Odd name {i}\n\nThe pelican census counted {i}.\n"),
        )
        .unwrap();
    }
    let (summary, problems) = index_with_report(&env, &[]);
    assert_eq!(summary["articles_total"], 5, "{summary:#} {problems:#?}");
    let hits = env.search(&["pelican"]);
    let paths: BTreeSet<&str> = hits.iter().map(|h| h.path.as_str()).collect();
    assert_eq!(paths.len(), 5);
    assert!(
        paths.iter().any(|p| p.ends_with("caf\\xE9.txt")),
        "{paths:?}"
    );
    assert!(paths.iter().any(|p| p.ends_with("two\nlines.txt")));
    // A second run reads nothing again: the names are stable keys.
    let again = env.index_json(&env.archive(), &[]);
    assert_eq!(again["files_read"], 0, "{again:#}");
    assert_eq!(again["files_unchanged"], 5);
    assert_eq!(again["articles_total"], 5);
    // CSV export quotes the newline.
    let csv = env.stdout(&[
        "export",
        "--fields",
        "path,title",
        "--format",
        "csv",
        "pelican",
    ]);
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(&csv[..])
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 5);
}

#[test]
fn files_that_vanish_or_change_during_a_run_converge_on_the_next() {
    let env = TestEnv::new();
    let n = 300;
    for i in 0..n {
        env.write(
            &format!("f{}/s{i:03}.txt", i % 5),
            format!("Story {i:03}\n\nThe canal barge number {i} moored.\n"),
        );
    }
    let child = Command::new(assert_cmd::cargo::cargo_bin("newsdex"))
        .arg("--index")
        .arg(env.index_dir())
        .args([
            "index",
            "--quiet",
            "--threads",
            "2",
            "--commit-every",
            "0.2",
        ])
        .arg(env.archive())
        .env("NEWSDEX_FAULT_DELAY_MS", "4")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(150));
    let mut expected = BTreeSet::new();
    for i in 0..n {
        let p = env.archive().join(format!("f{}/s{i:03}.txt", i % 5));
        match i % 6 {
            0 => std::fs::remove_file(&p).unwrap(),
            1 => {
                std::fs::write(
                    &p,
                    format!("Story {i:03} revised\n\nThe canal barge number {i} sailed.\n"),
                )
                .unwrap();
                expected.insert(format!("Story {i:03} revised"));
            }
            _ => {
                expected.insert(format!("Story {i:03}"));
            }
        }
    }
    let out = child.wait_with_output().unwrap();
    common::succeeded(out);
    env.index(&env.archive());
    assert_eq!(titles(&env, "barge"), expected);
    assert_eq!(article_count(&env) as usize, expected.len());
}

#[test]
fn a_hundred_thousand_tiny_files() {
    let env = TestEnv::new();
    let n = 100_000;
    for i in 0..n {
        env.write(
            &format!("{:03}/{i:06}.txt", i / 1000),
            format!("T{i}\n\nw{i} tiny.\n"),
        );
    }
    let summary = env.index_json(&env.archive(), &["--quiet"]);
    assert_eq!(summary["articles_total"], n);
    assert_eq!(summary["files_read"], n);
    assert_eq!(
        titles(&env, "w99999"),
        BTreeSet::from(["T99999".to_string()])
    );
    let again = env.index_json(&env.archive(), &["--quiet"]);
    assert_eq!(again["files_unchanged"], n);
}

#[test]
fn a_70_kb_token_in_any_field_is_dropped_from_the_terms_not_the_article() {
    let env = TestEnv::new();
    let token = "x".repeat(70_000);
    env.write(
        "long-token.txt",
        format!(
            "Title: Bridge {token} inspection\nSource: {token}\nAuthor: {token}\n\
             URL: https://example.com/{token}\nDate: 2019-06-01\n\nInspectors closed the bridge {token} for repairs.\n"
        ),
    );
    env.write(
        "long.json",
        serde_json::json!({
            "title": "Tunnel inspection", "text": format!("Inspectors closed the tunnel {token}."),
            "authors": [token.clone()], "source_domain": token.clone(), "language": token.clone(),
            "url": format!("https://example.com/{token}"), "date_publish": "2019-06-02"
        })
        .to_string(),
    );
    let (summary, problems) = index_with_report(&env, &[]);
    assert_eq!(summary["articles_total"], 2, "{summary:#} {problems:#?}");
    assert_eq!(titles(&env, "inspectors").len(), 2);
    assert_eq!(titles(&env, "bridge").len(), 1);
}

#[test]
fn dates_out_of_range_leave_the_article_undated_with_a_warning() {
    let env = TestEnv::new();
    let dated = [
        ("year0.txt", "Date: 0000-01-01"),
        ("year9999.txt", "Date: 9999-12-31"),
        ("negative.txt", "Date: -0044-03-15"),
        ("month13.txt", "Date: 2018-13-45"),
        ("far.txt", "Date: 10000-01-01T00:00:00Z"),
    ];
    for (name, line) in dated {
        env.write(
            name,
            format!("Title: Calendar oddity {name}\n{line}\n\nThe almanac printed {name}.\n"),
        );
    }
    for (i, v) in [
        serde_json::json!(-99_999_999_999_999i64),
        serde_json::json!(1e300),
        serde_json::json!(253_402_300_800_000i64),
        serde_json::json!("-0001-01-01"),
    ]
    .into_iter()
    .enumerate()
    {
        env.write(
            &format!("epoch{i}.json"),
            serde_json::json!({"title": format!("Epoch oddity {i}"), "text": "The almanac epoch.", "date_publish": v})
                .to_string(),
        );
    }
    env.write(
        "fine.txt",
        "Title: Calendar fine\nDate: 2019-01-02\n\nThe almanac was right.\n",
    );
    let (summary, problems) = index_with_report(&env, &[]);
    assert_eq!(summary["articles_total"], 10, "{summary:#}");
    let hits = env.search(&["almanac"]);
    assert_eq!(hits.len(), 10);
    for h in &hits {
        if h.title == "Calendar fine" {
            assert!(h.published.as_deref().unwrap().starts_with("2019-01-02"));
        } else {
            assert_eq!(h.published, None, "{} got a date", h.title);
        }
    }
    let warned = problems
        .iter()
        .filter(|p| p["severity"] == "warning")
        .count();
    assert!(warned >= 9, "{problems:#?}");
    // Counting by year and date filters still work over such an index: one article in 2019,
    // nine undated, and no year 0, 9999 or 1970 made up for them.
    let t: Value = serde_json::from_slice(
        &env.stdout(&["count", "--by", "year", "--format", "json", "almanac"]),
    )
    .unwrap();
    let rows: Vec<(&str, u64)> = t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["bucket"].as_str().unwrap(),
                r["counts"][0].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(rows, [("2019", 1)], "{t}");
    assert_eq!(t["undated"][0], 9, "{t}");
    assert_eq!(t["totals"][0], 10, "{t}");
    assert_eq!(env.search(&["--since", "2019-01-01", "almanac"]).len(), 1);
}

#[test]
fn a_reader_that_panics_costs_only_its_file() {
    let env = TestEnv::new();
    env.write("a.txt", "Story A\n\nThe weir keeper spoke.\n");
    env.write("boom.txt", "Story B\n\nThe weir flooded.\n");
    env.write("c.txt", "Story C\n\nThe weir held.\n");
    env.index(&env.archive());
    // The same file now trips a (simulated) bug in its reader.
    env.write("boom.txt", "Story B revised\n\nThe weir flooded again.\n");
    let report = env.dir.path().join("report.jsonl");
    let out = env
        .cmd()
        .env("NEWSDEX_FAULT_PANIC_ON", "boom.txt")
        .args(["index", "--json", "--report"])
        .arg(&report)
        .arg(env.archive())
        .output()
        .unwrap();
    let out = common::succeeded(out);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    let problems = common::json_lines(&std::fs::read(&report).unwrap());
    let p = problem_for(&problems, "boom.txt");
    assert!(
        p["reason"].as_str().unwrap().contains("internal error"),
        "{p}"
    );
    // The other files are indexed, and the old version of the failing one is kept.
    assert_eq!(
        titles(&env, "weir"),
        BTreeSet::from(["Story A", "Story B", "Story C"].map(String::from))
    );
    // Once the bug is gone, the next run reads the file again.
    env.index(&env.archive());
    assert!(titles(&env, "weir").contains("Story B revised"));
}
