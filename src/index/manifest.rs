//! What the index remembers about each file it has read: size, modification time and content hash,
//! so a re-run reads only new and changed files.
//!
//! The manifest lives beside the tantivy files as `newsdex-manifest.json` and is replaced atomically
//! (write to a temporary file, fsync, rename) right after every commit. It records the opstamp of
//! the commit it describes; when it does not match the index (a crash between the two writes), it
//! is not trusted and every file is read again. That costs time, never correctness: a re-read file's
//! articles replace its old ones.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub(crate) const MANIFEST_FILE: &str = "newsdex-manifest.json";
const FILE_NAME: &str = MANIFEST_FILE;

/// One file as it was when its articles were committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileState {
    pub size: u64,
    pub mtime_ns: i128,
    /// xxh3-128 of the bytes, as hex in the file.
    #[serde(with = "hex128")]
    pub hash: u128,
    /// Articles the file produced.
    pub articles: u32,
}

impl FileState {
    /// A path the index holds articles from whose content this manifest does not vouch for (it
    /// was found in the index itself, after a crash or a change of settings): it is read again,
    /// and its old articles are replaced.
    pub const UNVERIFIED: FileState = FileState {
        size: u64::MAX,
        mtime_ns: i128::MIN,
        hash: 0,
        articles: 0,
    };

    /// The same file state, marked unverified: it is read again, but its size and hash still
    /// identify its content (from a manifest that describes an earlier commit), so a move of the
    /// file is still recognised.
    pub fn unverified(self) -> FileState {
        FileState {
            mtime_ns: i128::MIN,
            ..self
        }
    }

    /// False for [`FileState::UNVERIFIED`] and [`FileState::unverified`] entries.
    pub fn is_verified(&self) -> bool {
        self.hash != 0 && self.mtime_ns != i128::MIN
    }

    /// True when a file of this size and modification time needs no reading.
    pub fn is_current(&self, size: u64, mtime_ns: i128) -> bool {
        self.is_verified() && self.size == size && self.mtime_ns == mtime_ns
    }
}

/// The files behind one commit of the index.
///
/// Invariant: `files` lists *every* path the index holds articles from, whether or not the run
/// that wrote it finished. Entries the run could not vouch for are [`FileState::UNVERIFIED`].
/// That is what lets an interrupted run's successor replace, never duplicate, a file's articles.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Opstamp of the tantivy commit this manifest describes.
    pub opstamp: u64,
    /// How files were read for this commit (`--map`, `--path-pattern`, title weight). `None`
    /// in manifests written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<String>,
    pub files: BTreeMap<String, FileState>,
}

impl Manifest {
    fn path(index_dir: &Path) -> PathBuf {
        index_dir.join(FILE_NAME)
    }

    /// Loads the manifest if it describes the commit `opstamp`. `None` when it is missing or
    /// describes another commit (a crash between the commit and the manifest write): then it
    /// cannot say which files the index holds.
    pub fn load(index_dir: &Path, opstamp: u64) -> Option<Manifest> {
        std::fs::read(Self::path(index_dir))
            .ok()
            .and_then(|b| serde_json::from_slice::<Manifest>(&b).ok())
            .filter(|m| m.opstamp == opstamp)
    }

    /// Loads the manifest whatever commit it describes (for what it still knows about content).
    pub fn load_any(index_dir: &Path) -> Option<Manifest> {
        std::fs::read(Self::path(index_dir))
            .ok()
            .and_then(|b| serde_json::from_slice::<Manifest>(&b).ok())
    }

    /// Writes the manifest atomically.
    pub fn save(&self, index_dir: &Path) -> Result<()> {
        let path = Self::path(index_dir);
        let tmp = index_dir.join(format!("{FILE_NAME}.tmp"));
        let write = || -> std::io::Result<()> {
            let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
            serde_json::to_writer(&mut f, self).map_err(std::io::Error::other)?;
            f.flush()?;
            f.get_ref().sync_all()?;
            std::fs::rename(&tmp, &path)
        };
        write().map_err(|e| Error::io(&path, e))
    }
}

mod hex128 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{v:032x}"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let s = String::deserialize(d)?;
        u128::from_str_radix(&s, 16).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_stale() {
        let dir = tempfile::tempdir().unwrap();
        let mut m = Manifest {
            opstamp: 7,
            ..Default::default()
        };
        m.files.insert(
            "/a/b.txt".into(),
            FileState {
                size: 10,
                mtime_ns: 1_600_000_000_000_000_000,
                hash: u128::MAX - 3,
                articles: 1,
            },
        );
        m.save(dir.path()).unwrap();
        assert_eq!(Manifest::load(dir.path(), 7), Some(m));
        assert_eq!(Manifest::load(dir.path(), 8), None);
    }
}
