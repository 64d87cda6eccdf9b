//! Reliability, round 2: exports never replace a special file or a link; text from the archive
//! reaches the terminal escaped; thousands of bad lines are summed up; a file swapped for a pipe
//! does not hang the run; `--full` deletes only the index's own files; SIGTERM commits like
//! Ctrl-C; a read-only index can be searched and checked; a full disk while a segment is being
//! written (or while optimizing) gives a clear message and leaves no files behind.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::TestEnv;

/// An index of three small articles.
fn small_index() -> TestEnv {
    let env = TestEnv::new();
    for i in 0..3 {
        env.write(
            &format!("s{i}.txt"),
            format!("Harbour story {i}\n\nThe dredger {i} worked the channel.\n"),
        );
    }
    env.index(&env.archive());
    env
}

#[cfg(unix)]
#[test]
fn export_refuses_fifos_devices_and_links_and_dash_is_stdout() {
    use std::os::unix::fs::FileTypeExt;
    let env = small_index();
    let dir = env.dir.path();
    let fifo = dir.join("pipe.csv");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let real = dir.join("real.csv");
    std::fs::write(&real, "keep me").unwrap();
    let link = dir.join("link.csv");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    for (target, says) in [
        (fifo.as_path(), "named pipe"),
        (std::path::Path::new("/dev/null"), "device"),
        (link.as_path(), "symbolic link"),
    ] {
        let out = env
            .cmd()
            .args(["export", "dredger", "-o"])
            .arg(target)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {stderr}", target.display());
        assert!(stderr.contains(says), "{stderr}");
    }
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "keep me");
    assert!(!dir.join("pipe.csv.partial").exists());

    // `-o -` is standard output, not a file named `-`.
    let out = env
        .cmd()
        .current_dir(dir)
        .args(["export", "--format", "jsonl", "dredger", "-o", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(common::json_lines(&out.stdout).len(), 3);
    assert!(!dir.join("-").exists());

    // A leftover .partial of a killed export does not block the next one.
    let target = dir.join("out.csv");
    std::fs::write(dir.join("out.csv.partial"), "half").unwrap();
    env.cmd()
        .args(["export", "dredger", "-o"])
        .arg(&target)
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&target).unwrap().lines().count(), 4);
    assert!(!dir.join("out.csv.partial").exists());
}

#[cfg(unix)]
#[test]
fn text_from_the_archive_reaches_the_terminal_escaped() {
    let env = TestEnv::new();
    env.write(
        "evil\u{1b}[2J\nfake result line.txt",
        "Harbour\rstory \u{202E}reversed\n\nThe dredger worked.\n",
    );
    env.write("empty\u{1b}]0;owned\u{7}.txt", "   \n");
    let out = env.cmd().arg("index").arg(env.archive()).output().unwrap();
    let shown = [out.stdout, out.stderr].concat();
    let shown = String::from_utf8_lossy(&shown);
    assert!(shown.contains("empty\\x1B]0;owned\\x07.txt"), "{shown}");
    let out = env
        .cmd()
        .args(["search", "--format", "text", "dredger"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("evil\\x1B[2J\\nfake result line.txt"),
        "{text}"
    );
    for output in [&shown, &text] {
        assert!(
            !output
                .chars()
                .any(|c| (c.is_control() && c != '\n') || c == '\u{202E}'),
            "{output:?}"
        );
    }
    assert!(
        !text.lines().any(|l| l.starts_with("fake result line")),
        "{text}"
    );
}

#[test]
fn many_bad_lines_are_summed_up_not_printed_one_by_one() {
    let env = TestEnv::new();
    let mut lines = String::from("{\"title\": \"Good one\", \"body\": \"The dredger.\"}\n");
    for i in 0..5000 {
        lines.push_str(&format!("{{broken {i}\n"));
    }
    env.write("dump.jsonl", lines);
    let out = env
        .cmd()
        .args(["index", "--json"])
        .arg(env.archive())
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.lines().count() <= 15, "{stderr}");
    assert!(stderr.contains("and 4990 more problems in"), "{stderr}");
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["articles_total"], 1);
    let rejected: u64 = summary["rejected_by_reason"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(rejected, 5000, "{summary}");
}

#[cfg(unix)]
#[test]
fn a_file_swapped_for_a_pipe_is_skipped_not_waited_on() {
    let env = small_index();
    // The walk sees a regular file; by the time it is read it is a FIFO (simulated by a FIFO
    // that is there from the start: the reader must not block on it either way).
    let fifo = env.archive().join("swapped.txt");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let started = Instant::now();
    env.cmd()
        .arg("index")
        .arg(env.archive())
        .timeout(Duration::from_secs(60))
        .assert()
        .success();
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[test]
fn a_rebuild_deletes_only_the_index_own_files() {
    let env = small_index();
    let ix = env.index_dir();
    let mine = [
        "newsdex-notes.txt",
        "newsdex.docx",
        "0123456789abcdef0123456789abcdef.idx",
    ];
    for name in mine {
        std::fs::write(ix.join(name), "the user's").unwrap();
    }
    // A damaged index is rebuilt into the same folder by clearing it first.
    std::fs::write(ix.join("meta.json"), "{ not json").unwrap();
    env.cmd()
        .args(["index", "--full"])
        .arg(env.archive())
        .assert()
        .success();
    for name in mine {
        assert_eq!(
            std::fs::read_to_string(ix.join(name)).unwrap(),
            "the user's"
        );
    }
    assert_eq!(env.search(&["dredger"]).len(), 3);
}

#[cfg(unix)]
#[test]
fn sigterm_commits_what_is_done_like_ctrl_c() {
    let env = TestEnv::new();
    for i in 0..150 {
        env.write(
            &format!("s{i:03}.txt"),
            format!("Story {i}\n\nThe dredger {i}.\n"),
        );
    }
    let child = Command::new(assert_cmd::cargo::cargo_bin("newsdex"))
        .arg("--index")
        .arg(env.index_dir())
        .args(["index", "--commit-every", "0.1", "--threads", "2"])
        .arg(env.archive())
        .env("NEWSDEX_FAULT_DELAY_MS", "25")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    assert!(
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    let n = env.search(&["--limit", "1000", "dredger"]).len();
    assert!(n > 0 && n < 150, "{n} articles after SIGTERM");
}

fn value(stdout: &str, key: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("no {key} in {stdout}"))
        .trim()
        .to_string()
}

#[test]
#[ignore = "needs a private mount namespace, unshare -Urm (cargo test -- --include-ignored)"]
fn a_read_only_index_is_searched_and_checked_and_refuses_writes_clearly() {
    let env = small_index();
    let mnt = env.dir.path().join("mnt");
    std::fs::create_dir_all(&mnt).unwrap();
    let script = format!(
        r#"set -u
umask 022
mount -t tmpfs -o size=8m tmpfs '{mnt}' || exit 99
IX='{mnt}/index'
"$NEWSDEX" --index "$IX" index -q '{archive}'; echo "first=$?"
echo "mode=$(stat -c %a "$IX/meta.json")"
mount -o remount,ro '{mnt}'
"$NEWSDEX" --index "$IX" search --format jsonl dredger | wc -l | sed 's/^/hits=/'
"$NEWSDEX" --index "$IX" check > '{mnt}/../check.txt' 2>&1; echo "check=$?"
"$NEWSDEX" --index "$IX" index '{archive}' 2> '{mnt}/../index.txt'; echo "index=$?"
"#,
        mnt = mnt.display(),
        archive = env.archive().display(),
    );
    let out = common::in_mount_namespace(&script);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let check = std::fs::read_to_string(env.dir.path().join("check.txt")).unwrap_or_default();
    let index = std::fs::read_to_string(env.dir.path().join("index.txt")).unwrap_or_default();
    assert_eq!(value(&stdout, "first"), "0", "{stdout}");
    assert_eq!(value(&stdout, "mode"), "644", "meta.json is private");
    assert_eq!(value(&stdout, "hits"), "3", "{stdout}");
    assert_eq!(value(&stdout, "check"), "0", "{check}");
    assert_eq!(value(&stdout, "index"), "2", "{index}");
    assert!(index.contains("read-only"), "{index}");
}

#[test]
#[ignore = "needs a private mount namespace, unshare -Urm (cargo test -- --include-ignored)"]
fn a_full_disk_while_a_segment_is_written_or_merged_is_reported_and_cleaned_up() {
    let env = TestEnv::new();
    // About 40 MB of text with many distinct words: with --memory 20 tantivy writes segments
    // on its own (before any commit) and the 4 MB disk fills while one is written.
    let big = common::disk_filler(&env, 40, 40, 400_000);
    let mnt = env.dir.path().join("mnt");
    std::fs::create_dir_all(&mnt).unwrap();
    let script = format!(
        r#"set -u
mount -t tmpfs -o size=4m tmpfs '{mnt}' || exit 99
IX='{mnt}/index'
"$NEWSDEX" --index "$IX" index -q --commit-every 1 '{archive}'; echo "first=$?"
for i in 1 2 3 4 5 6; do printf 'Extra story %s\n\nThe dredger again.\n' $i > '{archive}'/small/x$i.txt; "$NEWSDEX" --index "$IX" index -q '{archive}'; done
"$NEWSDEX" --index "$IX" index -q --memory 20 --commit-every 3600 --commit-mb 100000 '{big}' 2>'{mnt}/../stderr.txt'; echo "second=$?"
echo "used=$(du -sk "$IX" | cut -f1)"
"$NEWSDEX" --index "$IX" check > /dev/null; echo "check=$?"
dd if=/dev/zero of='{mnt}/filler' bs=4k 2>/dev/null
"$NEWSDEX" --index "$IX" optimize 2>'{mnt}/../optimize.txt'; echo "optimize=$?"
rm '{mnt}/filler'
echo "used_after=$(du -sk "$IX" | cut -f1)"
"$NEWSDEX" --index "$IX" check > /dev/null; echo "check2=$?"
"$NEWSDEX" --index "$IX" search --format jsonl --limit 100 dredger | wc -l | sed 's/^/hits=/'
"#,
        mnt = mnt.display(),
        archive = env.archive().display(),
        big = big.display(),
    );
    let out = common::in_mount_namespace(&script);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let read = |name: &str| std::fs::read_to_string(env.dir.path().join(name)).unwrap_or_default();
    let stderr = read("stderr.txt");
    assert_eq!(value(&stdout, "first"), "0", "{stdout}");
    assert_eq!(value(&stdout, "second"), "2", "{stderr}");
    assert!(stderr.contains("is full"), "{stderr}");
    assert!(stderr.contains("(46 articles)"), "{stderr}");
    assert!(!stderr.contains("killed"), "{stderr}");
    let used: u64 = value(&stdout, "used").parse().unwrap();
    assert!(used < 1024, "the failed run left {used} KB behind");
    assert_eq!(value(&stdout, "check"), "0");
    let optimize = read("optimize.txt");
    if value(&stdout, "optimize") != "0" {
        assert_eq!(value(&stdout, "optimize"), "2", "{optimize}");
        assert!(optimize.contains("is full"), "{optimize}");
        let after: u64 = value(&stdout, "used_after").parse().unwrap();
        assert!(
            after <= used + 64,
            "optimize left {after} KB (before {used})"
        );
    }
    assert_eq!(value(&stdout, "check2"), "0");
    assert_eq!(value(&stdout, "hits"), "46");
}

/// A search (or stats) while the first `newsdex index` of a folder has committed nothing says so,
/// with what to do, instead of a tantivy error, "no hits" or "rebuild it".
#[test]
fn a_search_during_the_first_index_says_nothing_is_committed_yet() {
    let env = TestEnv::new();
    for i in 0..4 {
        env.write(
            &format!("s{i}.txt"),
            format!("Harbour story {i}\n\nThe dredger {i} worked the channel.\n"),
        );
    }
    // Each file takes 4 s to read: the first commit comes long after the index folder appears.
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("newsdex"))
        .arg("--index")
        .arg(env.index_dir())
        .args(["index", "-q", "--threads", "1"])
        .arg(env.archive())
        .env("NEWSDEX_FAULT_DELAY_MS", "4000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !env.index_dir().join("meta.json").exists() {
        assert!(started.elapsed() < Duration::from_secs(20), "no index made");
        std::thread::sleep(Duration::from_millis(20));
    }
    let said = |args: &[&str], index: &std::path::Path| {
        let out = Command::new(assert_cmd::cargo::cargo_bin("newsdex"))
            .env_remove("NEWSDEX_INDEX")
            .arg("--index")
            .arg(index)
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("nothing committed yet") && stderr.contains("Search again"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("rebuild"), "{stderr}");
    };
    said(&["search", "dredger"], &env.index_dir());
    assert!(
        child.try_wait().unwrap().is_none(),
        "the run committed before the search"
    );
    // Killed before its first commit: the folder says the same, and a new run carries on.
    child.kill().unwrap();
    child.wait().unwrap();
    said(&["search", "dredger"], &env.index_dir());
    said(&["stats"], &env.index_dir());
    // The moment before tantivy's files exist: the settings alone.
    let early = env.dir.path().join("early");
    std::fs::create_dir(&early).unwrap();
    std::fs::copy(
        env.index_dir().join("newsdex.json"),
        early.join("newsdex.json"),
    )
    .unwrap();
    said(&["search", "dredger"], &early);
    env.index(&env.archive());
    assert_eq!(env.search(&["dredger"]).len(), 4);
}
