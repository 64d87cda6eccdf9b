//! Opening an index: the settings stored beside it, the schema-version check, and creating or
//! clearing it (only the index's own files) for a rebuild.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tantivy::Index;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};

use crate::error::{Error, Result};
use crate::index::schema::{self, Fields, SCHEMA_VERSION};
use crate::ingest::meta::FieldMap;

const SETTINGS_FILE: &str = "newsdex.json";

/// Settings stored with the index, so later runs read files the same way.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct StoredSettings {
    pub(crate) schema_version: u32,
    /// The last `--map` given.
    #[serde(default)]
    pub(crate) field_map: FieldMap,
    /// The last `--path-pattern` given.
    #[serde(default)]
    pub(crate) path_pattern: Option<String>,
    /// How many times the title counts in the ranking field.
    #[serde(default = "default_title_weight")]
    pub(crate) title_weight: u32,
    /// `--source NAME`, by the key prefix of the folder it was given for (`/news/arch/`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) folder_sources: BTreeMap<String, String>,
    /// `--alias KEY=NAME`: outlet names by host or name (key folded by `alias_key`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) aliases: BTreeMap<String, String>,
    /// `--date-order`: how `03/04/2018` is read (month first, with a warning, when never given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) date_order: Option<crate::ingest::date::DateOrder>,
    /// `--near-copy-threshold`: estimated shingle Jaccard at which two articles are one story.
    #[serde(default = "default_near_copy_threshold")]
    pub(crate) near_copy_threshold: f32,
    /// Every folder the index holds articles from, as the last run counted them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) folders: Vec<IndexedFolder>,
}

/// A folder given to `newsdex index` (canonical), with the files and articles the index holds
/// from under it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IndexedFolder {
    pub path: String,
    pub files: u64,
    pub articles: u64,
}

/// The folders the index at `dir` was built from, in path order (none for an index made before
/// they were recorded).
pub fn indexed_folders(dir: &Path) -> Vec<IndexedFolder> {
    StoredSettings::load(dir).map_or_else(Vec::new, |s| s.folders)
}

fn default_near_copy_threshold() -> f32 {
    crate::index::clusters::DEFAULT_THRESHOLD
}

/// The near-copy threshold the index at `dir` remembers (the default when it has none).
pub fn near_copy_threshold(dir: &Path) -> f32 {
    StoredSettings::load(dir).map_or_else(default_near_copy_threshold, |s| s.near_copy_threshold)
}

fn default_title_weight() -> u32 {
    schema::DEFAULT_TITLE_WEIGHT
}

impl Default for StoredSettings {
    fn default() -> Self {
        StoredSettings {
            schema_version: SCHEMA_VERSION,
            field_map: FieldMap::default(),
            path_pattern: None,
            title_weight: schema::DEFAULT_TITLE_WEIGHT,
            folder_sources: BTreeMap::new(),
            aliases: BTreeMap::new(),
            date_order: None,
            near_copy_threshold: default_near_copy_threshold(),
            folders: Vec::new(),
        }
    }
}

impl StoredSettings {
    pub(crate) fn load(dir: &Path) -> Option<StoredSettings> {
        std::fs::read(dir.join(SETTINGS_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
    }

    /// What decides how files become articles: when it changes, every file is read again.
    pub(crate) fn reading_key(&self) -> String {
        let mut key = serde_json::json!({
            "map": self.field_map,
            "path_pattern": self.path_pattern,
            "title_weight": self.title_weight,
        });
        // Only when given, so indexes made before `--source` keep their key.
        if !self.folder_sources.is_empty() {
            key["folder_sources"] = serde_json::json!(self.folder_sources);
        }
        if !self.aliases.is_empty() {
            key["aliases"] = serde_json::json!(self.aliases);
        }
        if let Some(order) = self.date_order {
            key["date_order"] = serde_json::json!(order);
        }
        key.to_string()
    }

    pub(crate) fn save(&self, dir: &Path) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(self)?;
        let tmp = dir.join(format!("{SETTINGS_FILE}.tmp"));
        std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, dir.join(SETTINGS_FILE)).map_err(|e| Error::io(dir, e))
    }
}

/// Opens an existing index for reading. Fails with [`Error::NoIndex`] when there is none, and
/// with [`Error::NothingCommitted`] while its first `newsdex index` run has not committed yet.
///
/// An index in a folder this process cannot write (a read-only mount, another user's index, a
/// shared archive) is opened without the lock file tantivy takes to read `meta.json`: searching
/// needs no lock when nobody can be writing through this folder's permissions.
pub fn open_index(dir: &Path) -> Result<(Index, Fields)> {
    open_committed(dir).map(|(index, fields, _)| (index, fields))
}

/// What a search needs to know of the last commit, read from `meta.json` without the schema.
#[derive(Debug, serde::Deserialize)]
pub struct Commit {
    pub opstamp: u64,
    #[serde(default)]
    payload: Option<String>,
    #[serde(default)]
    segments: Vec<CommittedSegment>,
}

/// A segment a commit lists (only its id and the opstamp of its deletes are read).
#[derive(Clone, Debug, serde::Deserialize)]
struct CommittedSegment {
    segment_id: String,
    #[serde(default)]
    deletes: Option<CommittedDeletes>,
}

#[derive(Clone, Debug, serde::Deserialize)]
struct CommittedDeletes {
    opstamp: u64,
}

impl CommittedSegment {
    /// Whether the file `name` (in the index folder) is one of this segment's files in the
    /// commit: its components, and its deletes at the committed opstamp only (a run killed
    /// between writing deletes and committing leaves `<segment>.<opstamp>.del` files of an
    /// opstamp no commit names; the next writer removes them).
    fn has_file(&self, id: &str, name: &str) -> bool {
        let Some(rest) = name.strip_prefix(id) else {
            return false;
        };
        match rest.strip_prefix('.').and_then(|r| r.strip_suffix(".del")) {
            Some(opstamp) => self
                .deletes
                .as_ref()
                .is_some_and(|d| opstamp.parse() == Ok(d.opstamp)),
            None => true,
        }
    }
}

impl Commit {
    /// Reads the commit of the index at `dir`. Parsing only these fields costs a tenth of
    /// tantivy's full `meta.json` (its schema), which a one-shot search process already reads
    /// twice (to open the index and its reader).
    pub fn read(dir: &Path) -> Result<Commit> {
        let bytes = std::fs::read(dir.join("meta.json")).map_err(|e| Error::io(dir, e))?;
        serde_json::from_slice(&bytes).map_err(|e| Error::Corrupt {
            path: dir.to_path_buf(),
            detail: format!("meta.json: {e}"),
        })
    }
}

/// [`open_index`], with the last commit's opstamp.
pub fn open_committed(dir: &Path) -> Result<(Index, Fields, Commit)> {
    // A new index's settings are written before tantivy's `meta.json` (see `open_or_create`).
    if !dir.join("meta.json").is_file() && dir.join(SETTINGS_FILE).is_file() {
        return Err(Error::NothingCommitted(dir.to_path_buf()));
    }
    let (index, fields) = open_any(dir)?;
    // Every newsdex commit carries a payload; `meta.json` without one and without segments is the
    // empty index `Index::create_in_dir` writes before the first commit.
    let commit = Commit::read(dir)?;
    if commit.payload.is_none() && commit.segments.is_empty() {
        return Err(Error::NothingCommitted(dir.to_path_buf()));
    }
    check_changed_files(dir, &index, &commit)?;
    Ok((index, fields, commit))
}

/// When the last commit was written (`meta.json`'s time), if it can be read: a file of the
/// commit changed later was changed by something other than newsdex.
pub(crate) fn commit_time(dir: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(dir.join("meta.json"))
        .and_then(|m| m.modified())
        .ok()
}

/// A commit writes its segments' files and then `meta.json`, and never touches them again: a
/// file of the commit modified after `meta.json` was changed by something else (a disk, a sync
/// tool, a person), so its checksum is verified before anything reads it. Files the commit does
/// not name (deletes a killed run wrote for its next commit) are left to the next writer.
/// tantivy checks checksums only when asked (`newsdex check` reads every file): damage in the
/// middle of a postings list would otherwise answer a query wrongly without an error. Costs one
/// directory listing; a file copied without its time (`cp` without `-p`) is verified at each
/// opening.
fn check_changed_files(dir: &Path, index: &Index, commit: &Commit) -> Result<()> {
    let Some(committed) = commit_time(dir) else {
        return Ok(());
    };
    let ids: Vec<(String, &CommittedSegment)> = commit
        .segments
        .iter()
        .map(|s| (s.segment_id.replace('-', ""), s))
        .collect();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if !ids.iter().any(|(id, seg)| seg.has_file(id, name))
            || !entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t > committed)
        {
            continue;
        }
        if !index
            .directory()
            .validate_checksum(Path::new(name))
            .unwrap_or(false)
        {
            return Err(Error::Corrupt {
                path: dir.to_path_buf(),
                detail: format!(
                    "{name} was changed after the commit that wrote it and fails its checksum"
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod committed_files_tests {
    use super::*;

    #[test]
    fn a_commit_names_its_deletes_at_one_opstamp_only() {
        let id = "3c0d6d1495c743e4a7ab2bcf61c90d97";
        let with = |deletes: Option<u64>| CommittedSegment {
            segment_id: id.to_string(),
            deletes: deletes.map(|opstamp| CommittedDeletes { opstamp }),
        };
        let seg = with(Some(390));
        assert!(seg.has_file(id, &format!("{id}.idx")));
        assert!(seg.has_file(id, &format!("{id}.390.del")));
        assert!(
            !seg.has_file(id, &format!("{id}.396.del")),
            "left by a killed run"
        );
        assert!(!with(None).has_file(id, &format!("{id}.396.del")));
        assert!(!seg.has_file(id, "0123.idx"));
        let commit: Commit = serde_json::from_str(&format!(
            r#"{{"opstamp": 391, "segments": [{{"segment_id": "{id}", "max_doc": 3,
               "deletes": {{"num_deleted_docs": 1, "opstamp": 390}}}}]}}"#
        ))
        .unwrap();
        assert_eq!(
            commit.segments[0].deletes.as_ref().map(|d| d.opstamp),
            Some(390)
        );
    }
}

/// [`open_index`], committed or not (the indexer carries on with an index whose first run
/// stopped before committing).
pub(crate) fn open_any(dir: &Path) -> Result<(Index, Fields)> {
    if !dir.join("meta.json").is_file() {
        return Err(Error::NoIndex(dir.to_path_buf()));
    }
    check_settings(dir)?;
    let index = if is_writable(dir) {
        Index::open_in_dir(dir)
    } else {
        tantivy::directory::MmapDirectory::open(dir)
            .map_err(tantivy::TantivyError::from)
            .and_then(|d| Index::open(ReadOnlyDir(d)))
    }
    .map_err(|e| Error::from(e).in_index(dir))?;
    schema::register_tokenizers(&index);
    let fields = Fields::from_schema(&index.schema())?;
    Ok((index, fields))
}

fn check_settings(dir: &Path) -> Result<()> {
    let found = StoredSettings::load(dir).map_or(0, |s| s.schema_version);
    if found != SCHEMA_VERSION {
        return Err(Error::SchemaMismatch {
            path: dir.to_path_buf(),
            found,
            expected: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// Opens the index at `dir`, creating it (and the folder) when absent. With `full`, an existing
/// index is emptied instead (the deletion is committed only when the run commits).
pub(crate) fn open_or_create(dir: &Path, rebuild: bool) -> Result<(Index, Fields)> {
    if dir.join("meta.json").is_file() {
        match open_any(dir) {
            Ok(x) => return Ok(x),
            // An old or damaged index: `--full` rebuilds from scratch into the same folder.
            Err(Error::SchemaMismatch { .. } | Error::Corrupt { .. } | Error::Tantivy(_))
                if rebuild =>
            {
                remove_index_files(dir)?
            }
            Err(e) => return Err(e),
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    // The settings first: a search from another process that finds them without `meta.json`
    // knows the index is being made (nothing committed yet), not made by another newsdex.
    StoredSettings {
        schema_version: SCHEMA_VERSION,
        ..Default::default()
    }
    .save(dir)?;
    let (schema, fields) = schema::build_schema();
    let index = Index::builder()
        .schema(schema)
        .settings(tantivy::IndexSettings {
            docstore_blocksize: DOCSTORE_BLOCK_BYTES,
            ..Default::default()
        })
        .create_in_dir(dir)?;
    schema::register_tokenizers(&index);
    Ok((index, fields))
}

/// Stored articles are compressed in blocks of this size (tantivy's default is 16 KB). A hit's
/// title and snippet need its block decompressed: with news-sized articles a 16 KB block holds a
/// dozen others that a top-10 page does not show.
const DOCSTORE_BLOCK_BYTES: usize = 4096;

/// Removes the files of the index in `dir` (and only those: anything else a user keeps in the
/// folder stays), after making sure no other process is writing it.
pub(crate) fn remove_index_files(dir: &Path) -> Result<()> {
    let directory = tantivy::directory::MmapDirectory::open(dir)?;
    let _lock =
        tantivy::Directory::acquire_lock(&directory, &tantivy::directory::INDEX_WRITER_LOCK)
            .map_err(|_| Error::IndexBusy(dir.to_path_buf()))?;
    let owned = index_owned_files(dir);
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let p = entry.map_err(|e| Error::io(dir, e))?.path();
        let Some(name) = p.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if owned.contains(name) && p.is_file() {
            std::fs::remove_file(&p).map_err(|e| Error::io(&p, e))?;
        }
    }
    Ok(())
}

/// The names of the files that belong to the index in `dir`, from the index's own lists rather
/// than from name patterns (a user's `newsdex-notes.txt` or a file named with 32 hex digits is
/// not the index's): newsdex's fixed file names, every file tantivy lists in `.managed.json`,
/// and the files of every segment `meta.json` names (for when `.managed.json` is damaged).
pub(crate) fn index_owned_files(dir: &Path) -> std::collections::HashSet<String> {
    let mut owned: std::collections::HashSet<String> = [
        "meta.json",
        ".managed.json",
        ".tantivy-meta.lock",
        ".tantivy-writer.lock",
        SETTINGS_FILE,
        "newsdex.json.tmp",
        crate::index::manifest::MANIFEST_FILE,
        "newsdex-manifest.json.tmp",
        crate::index::forms::FORMS_FILE,
        "newsdex-forms.fst.tmp",
        ".newsdex-space-probe",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let read_json = |name: &str| -> Option<serde_json::Value> {
        serde_json::from_slice(&std::fs::read(dir.join(name)).ok()?).ok()
    };
    if let Some(serde_json::Value::Array(list)) = read_json(".managed.json") {
        owned.extend(list.iter().filter_map(|v| v.as_str()).map(str::to_string));
    }
    let segment_ids: std::collections::HashSet<String> = read_json("meta.json")
        .and_then(|m| m.get("segments").cloned())
        .and_then(|s| s.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|seg| {
            seg.get("segment_id")?
                .as_str()
                .map(|id| id.replace('-', ""))
        })
        .collect();
    if !segment_ids.is_empty()
        && let Ok(rd) = std::fs::read_dir(dir)
    {
        for e in rd.flatten() {
            if let Some(name) = e.file_name().to_str()
                && name
                    .split_once('.')
                    .is_some_and(|(stem, _)| segment_ids.contains(stem))
            {
                owned.insert(name.to_string());
            }
        }
    }
    owned
}

/// True when this process can create files in the index folder (probed with the lock file
/// tantivy itself creates there, so nothing new is left behind).
pub fn is_writable(dir: &Path) -> bool {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.join(".tantivy-meta.lock"))
        .is_ok()
}

/// A folder opened for reading only: tantivy's read lock (a file it would create) is a no-op
/// here; everything else is the ordinary memory-mapped directory, whose writes fail.
#[derive(Clone, Debug)]
struct ReadOnlyDir(tantivy::directory::MmapDirectory);

impl tantivy::Directory for ReadOnlyDir {
    fn get_file_handle(
        &self,
        path: &Path,
    ) -> std::result::Result<std::sync::Arc<dyn tantivy::directory::FileHandle>, OpenReadError>
    {
        self.0.get_file_handle(path)
    }
    fn delete(&self, path: &Path) -> std::result::Result<(), DeleteError> {
        self.0.delete(path)
    }
    fn exists(&self, path: &Path) -> std::result::Result<bool, OpenReadError> {
        self.0.exists(path)
    }
    fn open_write(
        &self,
        path: &Path,
    ) -> std::result::Result<tantivy::directory::WritePtr, OpenWriteError> {
        self.0.open_write(path)
    }
    fn atomic_read(&self, path: &Path) -> std::result::Result<Vec<u8>, OpenReadError> {
        self.0.atomic_read(path)
    }
    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.0.atomic_write(path, data)
    }
    fn sync_directory(&self) -> std::io::Result<()> {
        self.0.sync_directory()
    }
    fn acquire_lock(
        &self,
        lock: &tantivy::directory::Lock,
    ) -> std::result::Result<tantivy::directory::DirectoryLock, LockError> {
        if lock.filepath == tantivy::directory::META_LOCK.filepath {
            Ok(tantivy::directory::DirectoryLock::from(Box::new(())))
        } else {
            Err(LockError::IoError(std::sync::Arc::new(
                std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    "the index folder is read-only",
                ),
            )))
        }
    }
    fn watch(
        &self,
        callback: tantivy::directory::WatchCallback,
    ) -> tantivy::Result<tantivy::directory::WatchHandle> {
        self.0.watch(callback)
    }
}

/// Gives the files tantivy writes with private permissions (`meta.json` is written through a
/// temporary file, mode 0600) the permissions of the index's other files, so an index shared
/// read-only with other users (a group, a read-only mount of a copy) can be searched by them.
#[cfg(unix)]
pub(crate) fn share_like(dir: &Path, model: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(mode) = std::fs::metadata(model).map(|m| m.permissions().mode() & 0o777) else {
        return;
    };
    for name in ["meta.json", ".managed.json"] {
        let p = dir.join(name);
        if let Ok(m) = std::fs::metadata(&p)
            && m.permissions().mode() & 0o777 != mode
        {
            let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode));
        }
    }
}

#[cfg(not(unix))]
pub(crate) fn share_like(_dir: &Path, _model: &Path) {}

/// Names of the files a tantivy segment is made of (`<32 hex digits>.idx`, `<...>.7.del`).
pub(crate) fn is_segment_file_name(name: &str) -> bool {
    name.split_once('.')
        .is_some_and(|(stem, _)| stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit()))
}
