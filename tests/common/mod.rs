//! Shared test environment: a temp folder holding an index and article files, and a way to run
//! the real `newsdex` binary against it with a clean environment.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub mod server;

use assert_cmd::Command;
use serde::Deserialize;

pub struct TestEnv {
    pub dir: tempfile::TempDir,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        TestEnv {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn index_dir(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    /// Where article files for this test go.
    pub fn archive(&self) -> PathBuf {
        self.dir.path().join("archive")
    }

    /// Writes `contents` to `archive/<rel>`, creating folders.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.archive().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, contents).unwrap();
        p
    }

    /// `newsdex --index <tmp>/index ...` with no inherited NEWSDEX_*/NO_COLOR variables.
    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("newsdex").expect("binary built");
        c.env_remove("NEWSDEX_INDEX")
            .env_remove("NO_COLOR")
            .env("TERM", "dumb")
            .arg("--index")
            .arg(self.index_dir());
        c
    }

    /// Indexes `dir` and asserts success.
    pub fn index(&self, dir: &Path) {
        self.cmd().arg("index").arg(dir).assert().success();
    }

    /// `newsdex index --json <dir> [extra args]`: asserts success and returns the summary.
    pub fn index_json(&self, dir: &Path, extra: &[&str]) -> serde_json::Value {
        let out = self
            .cmd()
            .args(["index", "--json"])
            .args(extra)
            .arg(dir)
            .output()
            .unwrap();
        let out = succeeded(out);
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Runs `newsdex <args>`, asserts success and returns standard output.
    pub fn stdout(&self, args: &[&str]) -> Vec<u8> {
        let out = self.cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// Runs a search with `--format jsonl` and decodes every hit.
    pub fn search(&self, args: &[&str]) -> Vec<JsonHit> {
        let out = self
            .cmd()
            .arg("search")
            .args(["--format", "jsonl", "--limit", "1000"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.code() == Some(0) || out.status.code() == Some(1),
            "search failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        parse_jsonl(&out.stdout)
    }
}

/// The documented JSON Lines hit. `deny_unknown_fields` pins the format: a new key is a format
/// change and must update README.md and this struct together.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonHit {
    pub rank: usize,
    pub score: f32,
    pub id: String,
    pub path: String,
    pub record: u64,
    pub title: String,
    pub published: Option<String>,
    pub date_source: Option<String>,
    pub source: Option<String>,
    pub authors: Vec<String>,
    pub url: Option<String>,
    pub section: Option<String>,
    pub language: Option<String>,
    pub language_source: Option<String>,
    pub word_count: u64,
    pub cluster: String,
    pub copies: u32,
    pub first_seen: Option<String>,
    pub snippet: String,
    pub highlights: Vec<[usize; 2]>,
    pub total_hits: usize,
    pub relaxed: bool,
}

/// The rows of `newsdex count ... --format json` (`args` after `count`): each bucket and its
/// first count.
pub fn count_rows(env: &TestEnv, args: &[&str]) -> Vec<(String, u64)> {
    let mut all = vec!["count"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&env.stdout(&all)).unwrap();
    json["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("no rows: {json}"))
        .iter()
        .map(|r| {
            (
                r["bucket"].as_str().unwrap().to_string(),
                r["counts"][0].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Asserts that a finished command succeeded (showing its stderr if not) and hands it back.
pub fn succeeded(out: std::process::Output) -> std::process::Output {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn parse_jsonl(bytes: &[u8]) -> Vec<JsonHit> {
    String::from_utf8(bytes.to_vec())
        .expect("UTF-8 output")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line {l}: {e}")))
        .collect()
}

/// Any JSON Lines output, one value per line.
pub fn json_lines(bytes: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line {l}: {e}")))
        .collect()
}

/// The repository's sample corpus.
pub fn sample_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_corpus")
}

/// `../shared/corpora/<name>`. The tests that read it are `#[ignore = "needs ../shared"]`, so
/// `cargo test` lists them as ignored rather than passing them unseen; run on purpose
/// (`cargo test -- --include-ignored`, as `.ci/run` does), a missing folder is a failure.
pub fn shared_corpus(name: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join("corpora")
        .join(name);
    assert!(
        p.is_dir(),
        "{} is missing: the corpus tests need ../shared beside the repository",
        p.display()
    );
    p
}

/// Lower-cased file text with curly quotes and runs of whitespace normalised, for checking hits
/// against the files themselves.
pub fn normalized_file_text(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8_lossy(&bytes).to_lowercase();
    text.replace(['“', '”'], "\"")
        .replace('’', "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes `files` short stories spread over `folders` subfolders (`d<k>/s<NNNN>.txt`, k = i mod
/// `folders`), each with the word "dredging", and returns their titles: the archive the crash and
/// duplicate tests kill and rewrite.
pub fn story_archive(
    env: &TestEnv,
    files: usize,
    folders: usize,
) -> std::collections::BTreeSet<String> {
    let mut titles = std::collections::BTreeSet::new();
    for i in 0..files {
        let title = format!("Story number {i:04}");
        env.write(
            &format!("d{}/s{i:04}.txt", i % folders),
            format!("{title}\n\nBody of story {i} about harbour dredging.\n"),
        );
        titles.insert(title);
    }
    titles
}

/// For the full-disk tests: `small` short stories under `small/`, then `big_files` stories of
/// 120,000 pseudo-random words drawn from `vocabulary` distinct ones under `big/` (too much
/// index for a few MB of disk). Returns the `big` folder.
pub fn disk_filler(env: &TestEnv, small: usize, big_files: usize, vocabulary: u64) -> PathBuf {
    for i in 0..small {
        env.write(
            &format!("small/s{i:02}.txt"),
            format!("Small story {i}\n\nThe dredger {i} worked the channel.\n"),
        );
    }
    let big = env.dir.path().join("big");
    std::fs::create_dir_all(&big).unwrap();
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for f in 0..big_files {
        let mut text = format!("Big story {f}\n\n");
        for _ in 0..120_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            text.push_str(&format!("w{} ", x % vocabulary));
        }
        std::fs::write(big.join(format!("b{f:02}.txt")), text).unwrap();
    }
    big
}

/// Runs `script` (sh) in a private mount namespace (where it may mount a small tmpfs), with
/// `NEWSDEX` set to the binary. The tests that need one are `#[ignore]`d (this machine may not
/// allow it); run on purpose, a machine that allows none fails them.
pub fn in_mount_namespace(script: &str) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("newsdex");
    // As root a mount namespace is enough; otherwise a user namespace maps us to root in it.
    for flags in [&["-m"][..], &["-U", "-r", "-m"][..]] {
        let probe = std::process::Command::new("unshare")
            .args(flags)
            .args(["sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"])
            .output();
        if probe.is_ok_and(|o| o.status.success()) {
            return std::process::Command::new("unshare")
                .args(flags)
                .args(["sh", "-c", script])
                .env("NEWSDEX", bin)
                .output()
                .unwrap();
        }
    }
    panic!(
        "this test needs a private mount namespace (unshare -m, or -Urm without root) to make a \
         size-limited filesystem, and this machine allows none"
    );
}

/// The titles as a set, failing when one is there twice: a set alone cannot see a doubled
/// article, which is what many tests exist to catch.
pub fn distinct_titles(
    titles: impl IntoIterator<Item = String>,
) -> std::collections::BTreeSet<String> {
    let mut set = std::collections::BTreeSet::new();
    for t in titles {
        assert!(
            set.insert(t.clone()),
            "the article {t:?} is in the index twice"
        );
    }
    set
}

/// Runs `newsdex --index <env's index> <args>` with its standard error on a pseudo-terminal (100
/// columns) and standard output piped, as a user at a terminal who sends the output to a file
/// would. Returns the exit code, standard output and everything written to the terminal.
#[cfg(unix)]
pub fn run_on_terminal(env: &TestEnv, args: &[&str]) -> (Option<i32>, Vec<u8>, String) {
    use std::io::Read;
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::process::Stdio;

    let (mut master, mut slave) = (0, 0);
    let size = libc::winsize {
        ws_row: 30,
        ws_col: 100,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two descriptors into the integers it is given; no name or termios.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened by openpty and are owned by nobody else.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("newsdex"));
    cmd.env_remove("NEWSDEX_INDEX")
        .env_remove("NO_COLOR")
        .env("TERM", "xterm")
        .arg("--index")
        .arg(env.index_dir())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(slave));
    let child = cmd.spawn().expect("newsdex starts");
    // Only the child holds the terminal's other end now: reading ends when it exits.
    drop(cmd);
    let reader = std::thread::spawn(move || {
        let mut term = std::fs::File::from(master);
        let mut seen = Vec::new();
        let mut chunk = [0u8; 4096];
        // Linux answers EIO once the last writer is gone.
        while let Ok(n) = term.read(&mut chunk) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&chunk[..n]);
        }
        seen
    });
    let out = child.wait_with_output().expect("newsdex runs");
    let seen = reader.join().expect("terminal reader");
    (
        out.status.code(),
        out.stdout,
        String::from_utf8_lossy(&seen).into_owned(),
    )
}
