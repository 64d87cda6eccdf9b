//! Opening an index: the settings stored beside it, the schema-version check, and creating or
//! clearing it (only the index's own files) for a rebuild.

use std::path::Path;

use serde::{Deserialize, Serialize};
use tantivy::Index;

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
        serde_json::json!({
            "map": self.field_map,
            "path_pattern": self.path_pattern,
            "title_weight": self.title_weight,
        })
        .to_string()
    }

    pub(crate) fn save(&self, dir: &Path) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(self)?;
        let tmp = dir.join(format!("{SETTINGS_FILE}.tmp"));
        std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, dir.join(SETTINGS_FILE)).map_err(|e| Error::io(dir, e))
    }
}

/// Opens an existing index for reading. Fails with [`Error::NoIndex`] when there is none.
pub fn open_index(dir: &Path) -> Result<(Index, Fields)> {
    if !dir.join("meta.json").is_file() {
        return Err(Error::NoIndex(dir.to_path_buf()));
    }
    check_settings(dir)?;
    let index = Index::open_in_dir(dir).map_err(|e| Error::from(e).in_index(dir))?;
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
        match open_index(dir) {
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
    let (schema, fields) = schema::build_schema();
    let index = Index::create_in_dir(dir, schema)?;
    schema::register_tokenizers(&index);
    StoredSettings {
        schema_version: SCHEMA_VERSION,
        ..Default::default()
    }
    .save(dir)?;
    Ok((index, fields))
}

/// Removes the files of the index in `dir` (and only those: anything else a user keeps in the
/// folder stays), after making sure no other process is writing it.
pub(crate) fn remove_index_files(dir: &Path) -> Result<()> {
    let directory = tantivy::directory::MmapDirectory::open(dir)?;
    let _lock =
        tantivy::Directory::acquire_lock(&directory, &tantivy::directory::INDEX_WRITER_LOCK)
            .map_err(|_| Error::IndexBusy(dir.to_path_buf()))?;
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let p = entry.map_err(|e| Error::io(dir, e))?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let ours = matches!(name, "meta.json" | ".managed.json")
            || name.starts_with("newsdex")
            || is_segment_file_name(name);
        if ours && p.is_file() {
            std::fs::remove_file(&p).map_err(|e| Error::io(&p, e))?;
        }
    }
    Ok(())
}

/// Names of the files a tantivy segment is made of (`<32 hex digits>.idx`, `<...>.7.del`).
pub(crate) fn is_segment_file_name(name: &str) -> bool {
    name.split_once('.')
        .is_some_and(|(stem, _)| stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit()))
}
