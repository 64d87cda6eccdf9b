//! Writing the index: opening or creating it, turning articles into tantivy documents, and the
//! incremental, committing indexing run.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;
use tantivy::schema::Term;
use tantivy::{Index, IndexWriter, TantivyError};

use crate::error::{Error, Result};
use crate::index::document::to_document;
use crate::index::manifest::{FileState, Manifest};
use crate::index::open::{StoredSettings, open_index, open_or_create};
use crate::index::schema::{Fields, SCHEMA_VERSION};
use crate::ingest::layout::PathPattern;
use crate::ingest::meta::FieldMap;
use crate::ingest::{self, Discovery, FoundFile, ParseOptions, Problem, Severity};

/// Options for an indexing run.
#[derive(Clone, Debug)]
pub struct IndexOptions {
    /// Worker threads for reading/parsing and for tantivy's writer.
    pub threads: usize,
    /// The tantivy writer's memory budget in bytes.
    pub memory_bytes: usize,
    /// Rebuild from scratch instead of updating.
    pub full: bool,
    /// Commit at least this often, so a crash loses at most this much work.
    pub commit_interval: Duration,
    /// ...and at least every this many bytes of input.
    pub commit_bytes: u64,
    /// `--map`; `None` keeps the one the index remembers.
    pub field_map: Option<FieldMap>,
    /// `--path-pattern`; `None` keeps the one the index remembers.
    pub path_pattern: Option<PathPattern>,
    /// `--title-weight`; `None` keeps the one the index remembers.
    pub title_weight: Option<u32>,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            memory_bytes: 256 * 1024 * 1024,
            full: false,
            commit_interval: Duration::from_secs(30),
            commit_bytes: 256 * 1024 * 1024,
            field_map: None,
            path_pattern: None,
            title_weight: None,
        }
    }
}

/// Receives progress from an indexing run (the CLI draws a progress bar with it).
pub trait Progress: Sync {
    /// The walk is done: this many files (and bytes) need reading.
    fn start(&self, _files: u64, _bytes: u64) {}
    /// One file has been read.
    fn file_done(&self, _bytes: u64, _articles: u64) {}
    /// A commit is being written.
    fn committing(&self) {}
    fn finish(&self) {}
}

/// A [`Progress`] that shows nothing.
pub struct NoProgress;
impl Progress for NoProgress {}

/// What an indexing run did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct IndexSummary {
    /// Article files found under the folders.
    pub files_seen: u64,
    /// Files read and parsed in this run (new or changed).
    pub files_read: u64,
    /// Files skipped because they had not changed since the last run.
    pub files_unchanged: u64,
    /// Files whose articles were removed because the file is gone.
    pub files_removed: u64,
    /// Files the index holds that sit in a folder this run could not read; their articles stay.
    pub files_kept_unreadable: u64,
    /// Articles added (or replaced) in this run, by format.
    pub articles_by_format: BTreeMap<String, u64>,
    pub articles_indexed: u64,
    /// Articles in the index after the run.
    pub articles_total: u64,
    /// Files and records not indexed, by reason.
    pub rejected_by_reason: BTreeMap<String, u64>,
    pub warnings: u64,
    pub bytes_read: u64,
    pub commits: u64,
    pub seconds: f64,
    /// True when the run was interrupted (Ctrl-C) after committing what was done.
    pub interrupted: bool,
    /// Every rejection and warning, with path and reason.
    #[serde(skip)]
    pub problems: Vec<Problem>,
}

impl IndexSummary {
    /// Number of files or records that were not indexed.
    pub fn rejected(&self) -> u64 {
        self.rejected_by_reason.values().sum()
    }

    fn record(&mut self, p: Problem) {
        match p.severity {
            Severity::Rejected => {
                *self
                    .rejected_by_reason
                    .entry(reason_class(&p.reason))
                    .or_default() += 1;
            }
            Severity::Warning => self.warnings += 1,
        }
        self.problems.push(p);
    }
}

/// Groups reasons for the summary table: `line 4: invalid JSON at column 449: EOF ...` →
/// `invalid JSON at column N`.
fn reason_class(reason: &str) -> String {
    let mut r = reason.trim();
    if let Some(rest) = r.strip_prefix("line ")
        && let Some((num, after)) = rest.split_once(':')
        && num.trim().bytes().all(|b| b.is_ascii_digit())
    {
        r = after.trim();
    }
    let head = r.split([':', '(']).next().unwrap_or(r).trim();
    let mut out = String::with_capacity(head.len());
    let mut in_digits = false;
    for c in head.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('N');
            }
            in_digits = true;
        } else {
            out.push(c);
            in_digits = false;
        }
    }
    out
}

/// Set by a Ctrl-C handler; the run commits what it has and stops.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Indexes the article files under `roots` into the index at `index_dir`.
///
/// Only new and changed files are read; articles of files that disappeared under `roots` are
/// removed. Work is committed at least every `commit_interval` / `commit_bytes`, so an interrupted
/// run keeps its progress and the index always opens at its last commit.
pub fn index_archive(
    index_dir: &Path,
    roots: &[PathBuf],
    opts: &IndexOptions,
    progress: &dyn Progress,
) -> Result<IndexSummary> {
    match run_index(index_dir, roots, opts, progress) {
        Err(e) if e.is_disk_full() => {
            progress.finish();
            // The failed run's half-written segment files would keep the disk full: remove every
            // file the last commit does not use, then say what the index still holds.
            let committed = free_uncommitted(index_dir).unwrap_or(0);
            let detail = e.to_string();
            let detail = if detail.contains("os error 122") || detail.contains("quota") {
                "disk quota exceeded"
            } else {
                "no space left on device"
            };
            Err(Error::DiskFull {
                path: index_dir.to_path_buf(),
                detail: detail.to_string(),
                committed,
            })
        }
        other => other,
    }
}

/// Deletes index files no commit refers to; returns the number of articles committed.
fn free_uncommitted(index_dir: &Path) -> Result<u64> {
    let (index, _) = open_index(index_dir)?;
    let writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000)?;
    writer.garbage_collect_files().wait()?;
    drop(writer);
    let reader = index.reader()?;
    Ok(reader.searcher().num_docs())
}

fn run_index(
    index_dir: &Path,
    roots: &[PathBuf],
    opts: &IndexOptions,
    progress: &dyn Progress,
) -> Result<IndexSummary> {
    let started = Instant::now();
    for root in roots {
        if !root.exists() {
            return Err(Error::io(
                root,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such folder"),
            ));
        }
    }
    let (index, fields) = open_or_create(index_dir, opts.full)?;
    let threads = opts.threads.clamp(1, 64);
    // tantivy wants at least ~15 MB per writer thread.
    let writer_threads = threads.min((opts.memory_bytes / (20 << 20)).max(1));
    let mut writer: IndexWriter = index
        .writer_with_num_threads(writer_threads, opts.memory_bytes.max(20 << 20))
        .map_err(|e| match e {
            TantivyError::LockFailure(..) => Error::IndexBusy(index_dir.to_path_buf()),
            other => Error::Tantivy(other),
        })?;

    // How files are read: the options given now, else those the index remembers. When they
    // change, every file is read again (a different --map makes different articles).
    let mut settings = StoredSettings::load(index_dir).unwrap_or_default();
    let key = |s: &StoredSettings| (s.field_map.clone(), s.path_pattern.clone(), s.title_weight);
    let previous = key(&settings);
    if let Some(w) = opts.title_weight {
        settings.title_weight = w.clamp(1, 10);
    }
    if let Some(m) = &opts.field_map {
        settings.field_map = m.clone();
    }
    if let Some(p) = &opts.path_pattern {
        settings.path_pattern = Some(p.as_str().to_string());
    }
    let settings_changed = previous != key(&settings);
    let parse_opts = ParseOptions {
        field_map: settings.field_map.clone(),
        path_pattern: match &settings.path_pattern {
            Some(p) => Some(PathPattern::parse(p).map_err(Error::Usage)?),
            None => None,
        },
    };
    if settings_changed {
        settings.schema_version = SCHEMA_VERSION;
        settings.save(index_dir)?;
    }

    let last_opstamp = index.load_metas()?.opstamp;
    if opts.full {
        writer.delete_all_documents()?;
    }
    // A manifest that describes the last commit lists exactly the files the index holds;
    // without one (a crash between commit and manifest write, new settings, --full) every file
    // is read again, and the index's own `path` terms say which files it holds.
    let loaded = if opts.full || settings_changed {
        None
    } else {
        Manifest::load(index_dir, last_opstamp)
    };
    let manifest_trusted = loaded.is_some();
    let mut manifest = loaded.unwrap_or(Manifest {
        opstamp: last_opstamp,
        ..Default::default()
    });

    let mut summary = IndexSummary::default();
    let Discovery {
        files,
        problems,
        unreadable,
        ..
    } = ingest::discover(roots, Some(index_dir));
    for p in problems {
        summary.record(p);
    }
    summary.files_seen = files.len() as u64;

    // Files gone from disk: their articles leave the index.
    let roots_abs: Vec<PathBuf> = roots
        .iter()
        .map(|r| std::fs::canonicalize(r).unwrap_or_else(|_| r.clone()))
        .collect();
    let on_disk: HashSet<&str> = files.iter().map(|f| f.key.as_str()).collect();
    let mut known: HashSet<String> = manifest.files.keys().cloned().collect();
    if !opts.full && !manifest_trusted {
        known.extend(indexed_paths(&index, &fields)?);
    }
    let root_prefixes: Vec<String> = roots_abs
        .iter()
        .map(|r| format!("{}{}", r.display(), std::path::MAIN_SEPARATOR))
        .collect();
    for path in &known {
        let under_roots = root_prefixes.iter().any(|r| path.starts_with(r.as_str()));
        // A folder the walk could not enter still holds its files: keep their articles.
        let unreadable_here = unreadable.iter().any(|u| {
            path == u
                || path
                    .strip_prefix(u.as_str())
                    .is_some_and(|rest| rest.starts_with(std::path::MAIN_SEPARATOR))
        });
        if unreadable_here {
            summary.files_kept_unreadable += 1;
        } else if under_roots && !on_disk.contains(path.as_str()) {
            writer.delete_term(Term::from_field_text(fields.path, path));
            manifest.files.remove(path);
            summary.files_removed += 1;
        }
    }

    // Which files need reading.
    let mut todo: Vec<FoundFile> = Vec::new();
    for f in files {
        match manifest.files.get(&f.key) {
            Some(s) if s.size == f.size && s.mtime_ns == f.mtime_ns => summary.files_unchanged += 1,
            _ => todo.push(f),
        }
    }
    let total_bytes: u64 = todo.iter().map(|f| f.size).sum();
    progress.start(todo.len() as u64, total_bytes);

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start worker threads: {e}")))?;

    let mut since_commit_bytes = 0u64;
    let mut last_commit = Instant::now();
    let mut pending_changes = summary.files_removed > 0 || opts.full || settings_changed;
    let fault_delay = fault_delay();
    // Chunks bound how much work sits between two chances to commit.
    let mut done: Vec<FileResult> = Vec::new();
    for chunk in todo.chunks(64) {
        if INTERRUPTED.load(Ordering::SeqCst) {
            break;
        }
        let ctx = FileContext {
            writer: &writer,
            fields: &fields,
            manifest: &manifest,
            parse_opts: &parse_opts,
            fault_delay,
            title_weight: settings.title_weight,
            indexed: &known,
        };
        let results: Vec<FileResult> = pool.install(|| {
            chunk
                .par_iter()
                .filter_map(|file| {
                    // Ctrl-C: files not started are left for the next run.
                    if INTERRUPTED.load(Ordering::SeqCst) {
                        return None;
                    }
                    let r = ctx.process(file);
                    progress.file_done(file.size, r.articles_added);
                    Some(r)
                })
                .collect()
        });
        for r in &results {
            if let Some(e) = &r.add_error {
                return Err(Error::Usage(format!(
                    "cannot add an article to the index: {e}"
                )));
            }
            since_commit_bytes += r.state.size;
        }
        done.extend(results);
        pending_changes = true;
        // A rebuild (--full) commits once, at the end: until then searches see the old index,
        // and a rebuild killed half-way leaves it whole instead of half empty.
        if !opts.full
            && (since_commit_bytes >= opts.commit_bytes
                || last_commit.elapsed() >= opts.commit_interval)
        {
            absorb(&mut summary, &mut manifest, std::mem::take(&mut done));
            commit(&mut writer, &mut manifest, index_dir, progress, &summary)?;
            summary.commits += 1;
            since_commit_bytes = 0;
            last_commit = Instant::now();
            pending_changes = false;
        }
    }
    absorb(&mut summary, &mut manifest, done);
    if INTERRUPTED.load(Ordering::SeqCst) {
        summary.interrupted = true;
    }
    if summary.interrupted && opts.full {
        // An interrupted rebuild is abandoned: the index keeps its last commit.
        writer.rollback()?;
    } else if pending_changes || !index_dir.join("newsdex-manifest.json").exists() {
        commit(&mut writer, &mut manifest, index_dir, progress, &summary)?;
        summary.commits += 1;
    }
    writer.wait_merging_threads()?;
    progress.finish();

    let reader = index.reader()?;
    reader.reload()?;
    summary.articles_total = reader.searcher().num_docs();
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Everything reading one file needs.
struct FileContext<'a> {
    writer: &'a IndexWriter,
    fields: &'a Fields,
    manifest: &'a Manifest,
    parse_opts: &'a ParseOptions,
    fault_delay: Option<Duration>,
    title_weight: u32,
    /// Paths that have articles in the index from earlier runs.
    indexed: &'a HashSet<String>,
}

/// What reading one file did.
struct FileResult {
    key: String,
    state: FileState,
    /// Articles added, by format (empty when the file's content had not changed).
    added: BTreeMap<&'static str, u64>,
    articles_added: u64,
    problems: Vec<Problem>,
    add_error: Option<TantivyError>,
}

impl FileContext<'_> {
    /// Reads one file and replaces its articles in the index (delete by path, then add; the
    /// delete only touches documents added before it, so the new ones survive).
    fn process(&self, file: &FoundFile) -> FileResult {
        if let Some(d) = self.fault_delay {
            std::thread::sleep(d);
        }
        let outcome = ingest::read_file_guarded(file, self.parse_opts);
        let key = file.key.clone();
        // Touched but identical: nothing to re-index.
        let unchanged_content = self.manifest.files.get(&key).is_some_and(|p| {
            p.hash == outcome.content_hash && p.size == file.size && outcome.content_hash != 0
        });
        let mut added: BTreeMap<&'static str, u64> = BTreeMap::new();
        let mut add_error = None;
        // A file that could not be read at all (it vanished, or permission was denied) keeps
        // whatever the index holds from it; the manifest keeps its old entry, so the next run
        // tries again (and a vanished file is removed then, once the walk no longer sees it).
        let unread = outcome.content_hash == 0;
        if !unchanged_content && !unread {
            // Only a file the index already holds has old articles to replace. Deleting by path
            // for every new file would cost tantivy a term lookup per delete in every segment
            // (a third of the indexing time of a fresh 100 MB archive).
            if self.indexed.contains(&key) {
                self.writer
                    .delete_term(Term::from_field_text(self.fields.path, &key));
            }
            for a in &outcome.articles {
                match self
                    .writer
                    .add_document(to_document(self.fields, a, self.title_weight))
                {
                    Ok(_) => *added.entry(a.format).or_default() += 1,
                    Err(e) => {
                        add_error.get_or_insert(e);
                    }
                }
            }
        }
        FileResult {
            key,
            state: FileState {
                size: file.size,
                mtime_ns: file.mtime_ns,
                hash: outcome.content_hash,
                articles: outcome.articles.len() as u32,
            },
            articles_added: added.values().sum(),
            added,
            problems: outcome.problems,
            add_error,
        }
    }
}

/// Folds finished files into the summary and the manifest (just before a commit).
fn absorb(summary: &mut IndexSummary, manifest: &mut Manifest, done: Vec<FileResult>) {
    for r in done {
        summary.files_read += 1;
        summary.bytes_read += r.state.size;
        for (fmt, n) in r.added {
            *summary
                .articles_by_format
                .entry(fmt.to_string())
                .or_default() += n;
            summary.articles_indexed += n;
        }
        for p in r.problems {
            summary.record(p);
        }
        // A file that could not be read at all (hash 0) is not remembered, so it is tried again.
        if r.state.hash != 0 {
            manifest.files.insert(r.key, r.state);
        }
    }
}

/// Testing aid for crash tests: `NEWSDEX_FAULT_DELAY_MS` slows every file down so a test can
/// kill the indexer part-way. Not for normal use.
fn fault_delay() -> Option<Duration> {
    std::env::var("NEWSDEX_FAULT_DELAY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_millis)
}

/// Commits the writer, records in tantivy's commit payload what the commit covers, then saves
fn commit(
    writer: &mut IndexWriter,
    manifest: &mut Manifest,
    index_dir: &Path,
    progress: &dyn Progress,
    summary: &IndexSummary,
) -> Result<()> {
    progress.committing();
    let payload = serde_json::json!({
        "newsdex": env!("CARGO_PKG_VERSION"),
        "files": manifest.files.len(),
        "files_read_this_run": summary.files_read,
        "articles_added_this_run": summary.articles_indexed,
    });
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&payload.to_string());
    let opstamp = prepared.commit()?;
    manifest.opstamp = opstamp;
    manifest.save(index_dir)
}

/// Every file path that has documents in the index (from the `path` term dictionary).
fn indexed_paths(index: &Index, fields: &Fields) -> Result<HashSet<String>> {
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let mut out = HashSet::new();
    for seg in searcher.segment_readers() {
        let inverted = seg.inverted_index(fields.path)?;
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            if let Ok(s) = std::str::from_utf8(stream.key()) {
                out.insert(s.to_string());
            }
        }
    }
    Ok(out)
}
