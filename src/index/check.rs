//! `newsdex check`: is the index whole? Every file the last commit uses must exist and match the
//! checksum tantivy wrote into its footer, every stored article must decompress, and every word
//! form must be listed under its stem in the forms file. Damage found
//! here is repaired by rebuilding from the archive (`newsdex index --full <DIR>`).

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;
use tantivy::index::SegmentComponent;
use tantivy::{Index, TantivyDocument};

use crate::error::{Error, Result};
use crate::index::analysis::stemmer_language;
use crate::index::forms::{self, FORMS_FILE, FormsMap};
use crate::index::manifest::Manifest;
use crate::index::stem_cache::StemMemory;
use crate::index::{is_segment_file_name, open_index};

/// What `check` found.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CheckReport {
    pub path: PathBuf,
    /// Articles the last commit holds (0 when the index cannot be opened).
    pub articles: u64,
    pub segments: usize,
    /// Index files whose checksums were verified, and their size.
    pub files_checked: usize,
    pub bytes_checked: u64,
    /// Stored articles read back in full.
    pub articles_read: u64,
    /// Articles whose id another live article also has (0 in a healthy index).
    pub duplicate_ids: u64,
    /// Word forms of the index (per segment) found listed under their stems in the forms file.
    pub forms_checked: u64,
    /// Damage: each entry names the file or part and what is wrong. Empty when healthy.
    pub problems: Vec<String>,
    /// Things worth knowing that lose nothing (a stale file list, leftovers of a killed run).
    pub notes: Vec<String>,
    pub seconds: f64,
}

impl CheckReport {
    pub fn healthy(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks the index at `dir`. Fails only when there is no index at all; damage is reported.
pub fn check(dir: &Path) -> Result<CheckReport> {
    let started = Instant::now();
    let mut report = CheckReport {
        path: dir.to_path_buf(),
        ..CheckReport::default()
    };
    if !dir.join("meta.json").is_file() {
        return Err(Error::NoIndex(dir.to_path_buf()));
    }
    match open_index(dir) {
        Ok((index, _)) => check_open(dir, &index, &mut report),
        Err(Error::Corrupt { detail, .. }) => report.problems.push(detail),
        Err(e) => report.problems.push(e.to_string()),
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

fn check_open(dir: &Path, index: &Index, report: &mut CheckReport) {
    let metas = match index.load_metas() {
        Ok(m) => m,
        Err(e) => {
            report.problems.push(format!("meta.json: {e}"));
            return;
        }
    };
    report.segments = metas.segments.len();
    let mut missing = 0;
    for seg in &metas.segments {
        for name in segment_files(seg) {
            let file = dir.join(name);
            match std::fs::metadata(&file) {
                Ok(m) => {
                    report.files_checked += 1;
                    report.bytes_checked += m.len();
                }
                Err(_) => {
                    missing += 1;
                    report.problems.push(format!("{}: missing", file.display()));
                }
            }
        }
    }
    if missing > 0 {
        return;
    }
    match index.validate_checksum() {
        Ok(damaged) => {
            let mut damaged: Vec<_> = damaged.into_iter().collect();
            damaged.sort();
            for f in damaged {
                report.problems.push(format!(
                    "{}: checksum mismatch (the file's content was changed or damaged)",
                    dir.join(f).display()
                ));
            }
        }
        Err(e) => report.problems.push(format!("checksums: {e}")),
    }
    if report.problems.is_empty() {
        read_every_article(index, report);
    }
    if report.problems.is_empty()
        && let Err(e) = check_forms(dir, index, report)
    {
        report.problems.push(format!("word forms: {e}"));
    }
    if Manifest::load(dir, metas.opstamp).is_none() {
        report.notes.push(
            "the file list (newsdex-manifest.json) does not describe the last commit: the next \
             `newsdex index` re-reads every file to check it (nothing is lost)"
                .to_string(),
        );
    }
    let used: std::collections::HashSet<PathBuf> =
        metas.segments.iter().flat_map(segment_files).collect();
    let leftovers: Vec<u64> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            let name = PathBuf::from(e.file_name());
            name.to_str().is_some_and(is_segment_file_name) && !used.contains(&name)
        })
        .filter_map(|e| e.metadata().ok().map(|m| m.len()))
        .collect();
    if !leftovers.is_empty() {
        report.notes.push(format!(
            "{} files ({:.1} MB) are left from an interrupted or failed run; the next `newsdex \
             index` removes them",
            leftovers.len(),
            leftovers.iter().sum::<u64>() as f64 / 1e6
        ));
    }
}

/// Every word form the index holds must have its stem's entry in the forms file: stemmed words
/// are answered from it ([`crate::index::forms`]), and a missing entry would hide articles.
/// A form counts as present when its entry exists in one of the index's analyses.
fn check_forms(dir: &Path, index: &Index, report: &mut CheckReport) -> Result<()> {
    let searcher = index.reader()?.searcher();
    if searcher.num_docs() == 0 {
        return Ok(());
    }
    let file = dir.join(FORMS_FILE);
    if !file.is_file() {
        report.problems.push(format!(
            "{}: missing (stemmed words find nothing)",
            file.display()
        ));
        return Ok(());
    }
    let forms = match FormsMap::open(dir) {
        Ok(f) => f,
        Err(Error::Corrupt { detail, .. }) => {
            report.problems.push(detail);
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    let exact = index.schema().get_field("exact")?;
    // English, and each language the index analyses apart.
    let mut analyses: Vec<(Option<Box<str>>, Option<StemMemory>)> =
        forms::analyses(index, &searcher)?
            .into_iter()
            .map(|tag| {
                let stems = stemmer_language(tag.as_deref()).map(StemMemory::new);
                (tag, stems)
            })
            .collect();
    let mut missing = 0u64;
    let mut example = None;
    for seg in searcher.segment_readers() {
        let inverted = seg.inverted_index(exact)?;
        let mut words = inverted.terms().stream()?;
        while words.advance() {
            let Ok(form) = std::str::from_utf8(words.key()) else {
                continue;
            };
            let known = analyses.iter_mut().any(|(tag, stems)| match stems {
                None => true,
                Some(s) => s.with_stem(form, |stem| forms.holds(tag.as_deref(), stem, form)),
            });
            if known {
                report.forms_checked += 1;
            } else {
                missing += 1;
                example.get_or_insert_with(|| form.to_string());
            }
        }
    }
    if missing > 0 {
        report.problems.push(format!(
            "{}: {missing} word forms of the index are not listed (e.g. `{}`), so searches for \
             their stems miss articles",
            file.display(),
            example.unwrap_or_default()
        ));
    }
    Ok(())
}

/// The files one committed segment is made of.
fn segment_files(seg: &tantivy::index::SegmentMeta) -> Vec<PathBuf> {
    let mut parts = vec![
        SegmentComponent::Postings,
        SegmentComponent::Positions,
        SegmentComponent::FastFields,
        SegmentComponent::FieldNorms,
        SegmentComponent::Terms,
        SegmentComponent::Store,
    ];
    if seg.has_deletes() {
        parts.push(SegmentComponent::Delete);
    }
    parts.into_iter().map(|p| seg.relative_path(p)).collect()
}

/// Reads every stored article back (decompressing each block of the document store). A panic
/// inside tantivy on damaged data is caught and reported as damage.
///
/// Every id is also counted: one article indexed twice (the same file under two roots, or a run
/// that lost track of what it had indexed) is damage a search would show as doubled hits.
fn read_every_article(index: &Index, report: &mut CheckReport) {
    let id_field = index.schema().get_field("id").ok();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(
        || -> Result<(u64, Vec<String>, u64)> {
            let reader = index.reader()?;
            let searcher = reader.searcher();
            let mut read = 0u64;
            // 128-bit hashes of the ids: a collision is astronomically unlikely, and an index of
            // millions of articles costs 16 bytes each instead of the ids themselves.
            let mut seen: std::collections::HashSet<u128> = std::collections::HashSet::new();
            let mut examples = Vec::new();
            let mut duplicates = 0u64;
            for seg in searcher.segment_readers() {
                let store = seg.get_store_reader(16)?;
                for doc in store.iter::<TantivyDocument>(seg.alive_bitset()) {
                    let doc = doc?;
                    read += 1;
                    let Some(id) = id_field
                        .and_then(|f| doc.get_first(f))
                        .and_then(|v| tantivy::schema::Value::as_str(&v))
                    else {
                        continue;
                    };
                    if !seen.insert(xxhash_rust::xxh3::xxh3_128(id.as_bytes())) {
                        duplicates += 1;
                        if examples.len() < 3 {
                            examples.push(id.to_string());
                        }
                    }
                }
            }
            Ok((read, examples, duplicates))
        },
    ));
    match outcome {
        Ok(Ok((n, examples, duplicates))) => {
            report.articles_read = n;
            report.articles = n;
            report.duplicate_ids = duplicates;
            if duplicates > 0 {
                report.problems.push(format!(
                    "{duplicates} articles are indexed more than once (the same id twice; for \
                     example {}): searches show them twice. Rebuild with `newsdex index --full \
                     <DIR>`",
                    examples.join(", ")
                ));
            }
        }
        Ok(Err(e)) => report.problems.push(format!("stored articles: {e}")),
        Err(_) => report
            .problems
            .push("stored articles: reading them failed inside the index library".to_string()),
    }
}
