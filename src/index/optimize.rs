//! `newsdex optimize`: merge all segments into one.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use tantivy::{IndexWriter, TantivyError};

use crate::error::{Error, Result};
use crate::index::open::open_index;
use crate::index::writer::{disk_is_full, free_uncommitted};

/// What `optimize` did.
#[derive(Clone, Debug, Serialize)]
pub struct OptimizeSummary {
    pub segments_before: usize,
    pub segments_after: usize,
    pub bytes_before: u64,
    pub bytes_after: u64,
    pub seconds: f64,
}

/// Merges all segments into one and removes files no commit uses any more. Searches get faster
/// on archives that are read far more than they are written; it rewrites the whole index.
///
/// On a full disk the half-written merged segment is removed again and the index keeps its
/// segments as they were.
pub fn optimize(index_dir: &Path) -> Result<OptimizeSummary> {
    match merge_all(index_dir) {
        Err(e) if e.is_disk_full() || disk_is_full(index_dir) => {
            let committed = free_uncommitted(index_dir).unwrap_or(0);
            Err(Error::DiskFull {
                path: index_dir.to_path_buf(),
                detail: "no space left on device while merging; the index is as it was before"
                    .to_string(),
                committed,
            })
        }
        other => other,
    }
}

fn merge_all(index_dir: &Path) -> Result<OptimizeSummary> {
    let started = Instant::now();
    let (index, _) = open_index(index_dir)?;
    let bytes_before = dir_bytes(index_dir);
    let segments = index.searchable_segment_ids()?;
    let mut writer: IndexWriter =
        index
            .writer_with_num_threads(1, 64 << 20)
            .map_err(|e| match e {
                TantivyError::LockFailure(..) => Error::IndexBusy(index_dir.to_path_buf()),
                other => Error::Tantivy(other),
            })?;
    if segments.len() > 1 {
        writer.merge(&segments).wait()?;
    }
    writer.garbage_collect_files().wait()?;
    writer.wait_merging_threads()?;
    Ok(OptimizeSummary {
        segments_before: segments.len(),
        segments_after: index.searchable_segment_ids()?.len(),
        bytes_before,
        bytes_after: dir_bytes(index_dir),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Bytes of all files in a folder (not recursive: an index is flat).
pub fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}
