//! Property: whatever happens to a folder between and during index runs (files added, changed,
//! deleted, moved within it, the whole folder renamed, a run killed part-way, the file list
//! lost), the next complete run converges to exactly the articles on disk, each once, every
//! hit's path a file that exists.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::TestEnv;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Add(u8),
    Modify(u8),
    Delete(u8),
    /// Move file `n` to another sub-folder.
    Move(u8),
    /// Rename the whole archive folder, indexing before and after (a file both changed and moved
    /// out of the indexed folders between two runs has no identity left to follow; see the
    /// README).
    RenameArchive,
    /// Start an index run and SIGKILL it after this many ms.
    Kill(u8),
    /// Start an index run and SIGINT it after this many ms.
    Interrupt(u8),
    /// The file list describes an older commit (as after a crash between a commit and the
    /// manifest write).
    StaleManifest,
    Index,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u8..12).prop_map(Op::Add),
        2 => (0u8..12).prop_map(Op::Modify),
        2 => (0u8..12).prop_map(Op::Delete),
        2 => (0u8..12).prop_map(Op::Move),
        1 => Just(Op::RenameArchive),
        1 => (0u8..60).prop_map(Op::Kill),
        1 => (0u8..60).prop_map(Op::Interrupt),
        1 => Just(Op::StaleManifest),
        3 => Just(Op::Index),
    ]
}

struct Folder {
    root: PathBuf,
    /// File number -> (sub-folder, version).
    files: BTreeMap<u8, (u8, u32)>,
    renames: u32,
}

impl Folder {
    fn path(&self, n: u8, sub: u8) -> PathBuf {
        self.root
            .join(format!("d{sub}"))
            .join(format!("f{n:02}.txt"))
    }

    fn write(&self, n: u8) {
        let (sub, version) = self.files[&n];
        let p = self.path(n, sub);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(
            &p,
            format!("File {n} version {version}\n\nThe dredger story {n}, take {version}.\n"),
        )
        .unwrap();
    }

    fn apply(&mut self, env: &TestEnv, op: &Op) {
        match *op {
            Op::Add(n) | Op::Modify(n) => {
                let e = self.files.entry(n).or_insert((n % 3, 0));
                e.1 += 1;
                self.write(n);
            }
            Op::Delete(n) => {
                if let Some((sub, _)) = self.files.remove(&n) {
                    std::fs::remove_file(self.path(n, sub)).unwrap();
                }
            }
            Op::Move(n) => {
                if let Some(&(sub, v)) = self.files.get(&n) {
                    let to = (sub + 1) % 3;
                    let dest = self.path(n, to);
                    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
                    std::fs::rename(self.path(n, sub), dest).unwrap();
                    self.files.insert(n, (to, v));
                }
            }
            Op::RenameArchive => {
                self.index_and_verify(env);
                self.renames += 1;
                let to = env.dir.path().join(format!("archive-{}", self.renames));
                std::fs::rename(&self.root, &to).unwrap();
                self.root = to;
                self.index_and_verify(env);
            }
            Op::Kill(ms) | Op::Interrupt(ms) => {
                let mut child = index_cmd(env, &self.root)
                    .env("NEWSDEX_FAULT_DELAY_MS", "3")
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap();
                std::thread::sleep(Duration::from_millis(ms as u64));
                let sig = if matches!(op, Op::Kill(_)) {
                    "-KILL"
                } else {
                    "-INT"
                };
                let _ = Command::new("kill")
                    .args([sig, &child.id().to_string()])
                    .status();
                let _ = child.wait();
            }
            Op::StaleManifest => {
                let path = env.index_dir().join("newsdex-manifest.json");
                if let Ok(bytes) = std::fs::read(&path) {
                    let mut m: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                    m["opstamp"] = 0.into();
                    std::fs::write(&path, serde_json::to_vec(&m).unwrap()).unwrap();
                }
            }
            Op::Index => self.index_and_verify(env),
        }
    }

    /// Indexes to completion and checks the index holds exactly the files on disk, once each.
    fn index_and_verify(&self, env: &TestEnv) {
        std::fs::create_dir_all(&self.root).unwrap();
        let out = index_cmd(env, &self.root).output().unwrap();
        // An empty folder that once held articles is refused by design; say so and stop here.
        if self.files.is_empty() {
            return;
        }
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let hits = env.search(&["--limit", "1000", "dredger"]);
        let mut seen = BTreeMap::new();
        for h in &hits {
            assert!(Path::new(&h.path).is_file(), "stale path {}", h.path);
            assert!(
                seen.insert(h.title.clone(), h.path.clone()).is_none(),
                "{} indexed twice",
                h.title
            );
        }
        let expected: BTreeMap<String, String> = self
            .files
            .iter()
            .map(|(&n, &(sub, v))| {
                (
                    format!("File {n} version {v}"),
                    self.path(n, sub)
                        .canonicalize()
                        .unwrap()
                        .display()
                        .to_string(),
                )
            })
            .collect();
        assert_eq!(seen, expected);
    }
}

fn index_cmd(env: &TestEnv, root: &Path) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("newsdex"));
    c.arg("--index")
        .arg(env.index_dir())
        .args(["index", "-q", "--commit-every", "0.05", "--threads", "2"])
        .arg(root)
        .env_remove("NEWSDEX_INDEX");
    c
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("NEWSDEX_CONVERGE_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(12),
        failure_persistence: None,
        .. ProptestConfig::default()
    })]

    #[test]
    fn any_sequence_converges_to_the_files_on_disk_each_once(
        start in proptest::collection::vec(0u8..12, 1..8),
        ops in proptest::collection::vec(op(), 1..10),
    ) {
        let env = TestEnv::new();
        let mut folder = Folder { root: env.archive(), files: BTreeMap::new(), renames: 0 };
        for n in start {
            folder.apply(&env, &Op::Add(n));
        }
        folder.index_and_verify(&env);
        for op in &ops {
            folder.apply(&env, op);
        }
        // Whatever came before, one more file and a complete run converge.
        folder.apply(&env, &Op::Add(99));
        folder.index_and_verify(&env);
        let out = env.cmd().args(["check", "--format", "json"]).output().unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        prop_assert_eq!(&report["duplicate_ids"], 0, "{}", report);
    }
}
