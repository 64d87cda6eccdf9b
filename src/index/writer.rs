//! Writing the index: opening or creating it, turning articles into tantivy documents, and the
//! incremental, committing indexing run.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;
use tantivy::schema::Term;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexWriter, TantivyError};

use crate::error::{Error, Result};
use crate::index::document::ArticleDoc;
use crate::index::forms::{self, FormsMap, FormsSink, FormsTokenizer};
use crate::index::manifest::{FileState, MANIFEST_FILE, Manifest};
use crate::index::open::{
    IndexedFolder, StoredSettings, is_writable, open_any, open_or_create, share_like,
};
use crate::index::schema::{FORMS_TOKENIZER, Fields, SCHEMA_VERSION};
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
    /// `--no-header`: CSV/TSV files have no header row (remembered with the `--map`).
    pub no_header: bool,
    /// `--source NAME`: the outlet of the articles under this run's folders whose files name
    /// none (remembered for those folders; an empty name forgets it).
    pub source: Option<String>,
    /// `--alias`: (key, outlet name) pairs to remember (an empty name forgets the key).
    pub aliases: Vec<(String, String)>,
    /// `--date-order`: how `03/04/2018` is read (remembered; `None` keeps the remembered one).
    pub date_order: Option<crate::ingest::date::DateOrder>,
    /// `--near-copy-threshold`; `None` keeps the one the index remembers.
    pub near_copy_threshold: Option<f32>,
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
            no_header: false,
            source: None,
            aliases: Vec::new(),
            date_order: None,
            near_copy_threshold: None,
        }
    }
}

/// The part of the `--memory` budget given to tantivy's indexing buffers: half (at least 20 MB).
/// The rest of an indexing run's heap is about as large again: files being read and parsed,
/// the queue of documents waiting for the writer, and the buffers of a segment being written or
/// merged. With the whole budget in tantivy's buffers, the generated 1 GB archive peaked at
/// 537 MB of heap under `--memory 256`; with half, at 403 MB, in the same time (201 s vs 199 s).
fn arena_budget(memory_bytes: usize) -> usize {
    (memory_bytes / 2).max(20 << 20)
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
    /// Files found at a new path with the content of a file that is gone (moved or renamed):
    /// their articles moved with them.
    pub files_moved: u64,
    /// Files the index holds that sit in a folder this run could not read; their articles stay.
    pub files_kept_unreadable: u64,
    /// Articles added (or replaced) in this run, by format.
    pub articles_by_format: BTreeMap<String, u64>,
    pub articles_indexed: u64,
    /// Dates like `03/04/2018` read month first because no `--date-order` was given (the
    /// command line warns once when this is not 0).
    pub ambiguous_dates: u64,
    /// Articles rewritten without their site's boilerplate lines or title suffix.
    pub articles_cleaned: u64,
    /// Articles in the index after the run.
    pub articles_total: u64,
    /// Files and records not indexed, by reason.
    pub rejected_by_reason: BTreeMap<String, u64>,
    pub warnings: u64,
    /// Files left out on purpose as not articles (README, word lists, data tables), by reason.
    /// Never a failure, even with `--strict`.
    pub skipped_by_reason: BTreeMap<String, u64>,
    /// Files with no reader for their type, by type (`pdf` 3, `docx` 1).
    pub ignored_by_type: BTreeMap<String, u64>,
    pub bytes_read: u64,
    pub commits: u64,
    pub seconds: f64,
    /// True when the run was interrupted (Ctrl-C) after committing what was done.
    pub interrupted: bool,
    /// Every rejection and warning, with path and reason (at most [`PROBLEMS_KEPT_PER_FILE`] per
    /// file; the counts above include all of them).
    #[serde(skip)]
    pub problems: Vec<Problem>,
    /// Problems counted but not listed in `problems` (a file with millions of bad lines).
    pub problems_not_listed: u64,
    /// The same, by file.
    #[serde(skip)]
    pub not_listed_by_file: BTreeMap<String, u64>,
    /// Where the run's time went, step by step (seconds, in order): walking the folders,
    /// reading and analysing files, commits, the boilerplate pass, merges, clusters.
    pub steps: Vec<(String, f64)>,
}

impl IndexSummary {
    /// Adds the time since `since` to `step` (a step may run several times, e.g. commits).
    fn timed(&mut self, step: &str, since: Instant) {
        self.timed_between(step, since, Instant::now());
    }

    fn timed_between(&mut self, step: &str, from: Instant, to: Instant) {
        let secs = to.saturating_duration_since(from).as_secs_f64();
        match self.steps.iter_mut().find(|(s, _)| s == step) {
            Some((_, t)) => *t += secs,
            None => self.steps.push((step.to_string(), secs)),
        }
    }
}

/// How many problems of one file are listed one by one; the rest are only counted. A file with
/// two million bad lines would otherwise hold hundreds of MB of messages.
pub const PROBLEMS_KEPT_PER_FILE: usize = 1000;

impl IndexSummary {
    /// Number of files or records that were not indexed.
    pub fn rejected(&self) -> u64 {
        self.rejected_by_reason.values().sum()
    }

    fn record(&mut self, p: Problem) {
        self.count(&p);
        self.problems.push(p);
    }

    /// Records one file's problems: all counted, the first [`PROBLEMS_KEPT_PER_FILE`] listed.
    fn record_file(&mut self, problems: Vec<Problem>) {
        for (i, p) in problems.into_iter().enumerate() {
            if i < PROBLEMS_KEPT_PER_FILE {
                self.record(p);
            } else {
                self.count(&p);
                self.problems_not_listed += 1;
                *self.not_listed_by_file.entry(p.path).or_default() += 1;
            }
        }
    }

    fn count(&mut self, p: &Problem) {
        match p.severity {
            Severity::Rejected => {
                *self
                    .rejected_by_reason
                    .entry(reason_class(&p.reason))
                    .or_default() += 1;
            }
            Severity::Warning => self.warnings += 1,
            Severity::Skipped => {
                *self
                    .skipped_by_reason
                    .entry(reason_class(&p.reason))
                    .or_default() += 1;
            }
        }
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
        // A segment that fails to be written stops tantivy's indexing thread, and the error
        // that reaches here often says only that the writer was killed: ask the disk.
        Err(e) if e.is_disk_full() || disk_is_full(index_dir) => {
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

/// True when the disk holding `dir` has no room for even a small file.
pub(crate) fn disk_is_full(dir: &Path) -> bool {
    use std::io::Write;
    let probe = dir.join(".newsdex-space-probe");
    let result = std::fs::File::create(&probe).and_then(|mut f| {
        f.write_all(&[0u8; 256 * 1024])?;
        f.sync_all()
    });
    let _ = std::fs::remove_file(&probe);
    result.is_err_and(|e| {
        matches!(
            e.kind(),
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
        )
    })
}

/// Deletes index files no commit refers to; returns the number of articles committed.
pub(crate) fn free_uncommitted(index_dir: &Path) -> Result<u64> {
    let (index, _) = open_any(index_dir)?;
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
    let roots = normalize_roots(roots)?;
    // The walk needs nothing from the last run: it goes on beside opening the index and reading
    // its manifest (both take seconds on an archive of 300,000 files), and stops early when the
    // index cannot be opened.
    let open_failed = AtomicBool::new(false);
    let (run, opened, walk) = std::thread::scope(|s| {
        let walker = s.spawn(|| {
            let stop = || INTERRUPTED.load(Ordering::SeqCst) || open_failed.load(Ordering::SeqCst);
            ingest::discover_until(&roots, Some(index_dir), &stop)
        });
        let run = Run::start(index_dir, &roots, opts, progress);
        open_failed.store(run.is_err(), Ordering::SeqCst);
        let opened = Instant::now();
        (run, opened, walker.join())
    });
    let mut run = run?;
    run.summary.timed_between("open", started, opened);
    // The walk's step is what it took beyond the open (so the steps add up to the run).
    let walk = run.take_walk(walk.unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
    run.refuse_empty_roots(&roots, &walk)?;
    run.summary.timed("walk", opened);
    let t = Instant::now();
    run.remove_vanished(&roots, &walk);
    let todo = run.changed_files(walk.files);
    run.summary.timed("compare with the last run", t);
    let t = Instant::now();
    run.read_files(todo)?;
    run.summary.timed("read, parse and index", t);
    run.finish(started, &roots)
}

/// The folders to index, each once: canonical (so `./arch` and `/abs/arch` are one folder), in a
/// stable order, and without a folder that lies inside another one given (`arch arch/d1`), whose
/// files the outer walk already finds. A missing folder is an error.
pub(crate) fn normalize_roots(roots: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = Vec::with_capacity(roots.len());
    for root in roots {
        let canonical = std::fs::canonicalize(root).map_err(|e| {
            let e = if e.kind() == std::io::ErrorKind::NotFound {
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such folder")
            } else {
                e
            };
            Error::io(root, e)
        })?;
        out.push(canonical);
    }
    out.sort();
    out.dedup();
    // Sorted, an ancestor comes before everything inside it.
    let mut kept: Vec<PathBuf> = Vec::with_capacity(out.len());
    for r in out {
        if !kept.iter().any(|k| r.starts_with(k)) {
            kept.push(r);
        }
    }
    Ok(kept)
}

/// The key prefix of every file under `root` (`/news/arch/`).
fn key_prefix(root: &Path) -> String {
    let mut s = ingest::path_string(root);
    if !s.ends_with(std::path::MAIN_SEPARATOR) {
        s.push(std::path::MAIN_SEPARATOR);
    }
    s
}

/// True when `key` names `dir` or a file below it.
fn key_is_within(key: &str, dir: &str) -> bool {
    key == dir
        || key
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with(std::path::MAIN_SEPARATOR))
}

/// One indexing run, step by step: [`Run::start`] opens the index and decides whether its file
/// list can be trusted, [`Run::walk`] finds the files, [`Run::remove_vanished`] drops the
/// articles of files that are gone, [`Run::changed_files`] picks what must be read,
/// [`Run::read_files`] reads and adds them (committing as it goes), [`Run::finish`] commits.
struct Run<'a> {
    index_dir: &'a Path,
    opts: &'a IndexOptions,
    progress: &'a dyn Progress,
    index: Index,
    fields: Fields,
    writer: IndexWriter<ArticleDoc>,
    title_weight: u32,
    parse_opts: ParseOptions,
    /// Every path the index holds articles from (see [`Manifest`]): those with a zero hash are
    /// known to be in the index but not known to be current, and are read again.
    manifest: Manifest,
    /// The word forms met since the last commit ([`crate::index::forms`]).
    forms: Arc<FormsSink>,
    /// What the first commit's forms file starts from instead of the file there: nothing for a
    /// rebuild (the articles are all read again), the index's own words when the file is
    /// missing or damaged.
    forms_base: Option<Vec<Vec<u8>>>,
    /// Changes not committed yet.
    pending: bool,
    summary: IndexSummary,
    /// `--threads` threads for the run's parallel work: reading files, sorting the forms met,
    /// the boilerplate pass, a forms repair.
    pool: rayon::ThreadPool,
}

impl<'a> Run<'a> {
    /// Opens (or creates) the index and its writer, settles how files are read (the options given
    /// now, else those the index remembers) and loads the file list the last commit left.
    fn start(
        index_dir: &'a Path,
        roots: &[PathBuf],
        opts: &'a IndexOptions,
        progress: &'a dyn Progress,
    ) -> Result<Self> {
        let (index, fields) = open_or_create(index_dir, opts.full)?;
        // The forms the indexing threads meet, stemmed and saved at each commit.
        let forms = Arc::new(FormsSink::default());
        index.tokenizers().register(
            FORMS_TOKENIZER,
            TextAnalyzer::from(FormsTokenizer::recording(forms.clone())),
        );
        let threads = opts.threads.clamp(1, 64);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| Error::Usage(format!("cannot start worker threads: {e}")))?;
        let arenas = arena_budget(opts.memory_bytes);
        // tantivy wants at least ~15 MB per writer thread.
        let writer_threads = threads.min((arenas / (20 << 20)).max(1));
        let writer: IndexWriter<ArticleDoc> = index
            .writer_with_num_threads(writer_threads, arenas)
            .map_err(|e| match e {
                TantivyError::LockFailure(..) if !is_writable(index_dir) => {
                    Error::ReadOnly(index_dir.to_path_buf())
                }
                TantivyError::LockFailure(..) => Error::IndexBusy(index_dir.to_path_buf()),
                other => Error::Tantivy(other),
            })?;
        // A run killed while it committed leaves files no commit refers to, named after the
        // opstamp this run is about to reuse (`SEGMENT.21.del`): writing one again would fail
        // with "file already exists". Clear them first (the writer's lock is held).
        writer.garbage_collect_files().wait()?;

        let settled = Settled::new(index_dir, roots, opts)?;
        if opts.full {
            writer.delete_all_documents()?;
        }
        let (manifest, pending) = file_list(&index, &fields, index_dir, opts, &settled)?;
        let forms_base = if opts.full {
            Some(Vec::new())
        } else if forms::needs_repair(index_dir, &index)? {
            Some(pool.install(|| forms::from_index(&index))?)
        } else {
            None
        };
        Ok(Run {
            index_dir,
            opts,
            progress,
            index,
            fields,
            writer,
            title_weight: settled.settings.title_weight,
            parse_opts: settled.parse_opts,
            manifest,
            forms,
            pending: pending || opts.full || forms_base.is_some(),
            forms_base,
            summary: IndexSummary::default(),
            pool,
        })
    }

    /// Walks the folders (Ctrl-C stops the walk).
    fn take_walk(&mut self, mut walk: Discovery) -> Discovery {
        for p in std::mem::take(&mut walk.problems) {
            self.summary.record(p);
        }
        self.summary.files_seen = walk.files.len() as u64;
        self.summary.ignored_by_type = walk.unsupported_types.clone();
        walk
    }

    /// A folder given to index that holds no article files at all, while the index holds files
    /// from it, is most likely a drive or share that is not mounted: refuse rather than delete
    /// all its articles.
    fn refuse_empty_roots(&self, roots: &[PathBuf], walk: &Discovery) -> Result<()> {
        if INTERRUPTED.load(Ordering::SeqCst) {
            return Ok(());
        }
        for root in roots {
            if walk.files.iter().any(|f| f.path().starts_with(root)) {
                continue;
            }
            let prefix = key_prefix(root);
            let held = self
                .manifest
                .files
                .keys()
                .filter(|k| k.starts_with(&prefix))
                .filter(|k| !walk.unreadable.iter().any(|u| key_is_within(k, u)))
                .count();
            if held > 0 {
                return Err(Error::EmptyRoot {
                    path: root.clone(),
                    files: held as u64,
                });
            }
        }
        Ok(())
    }

    /// Files the index holds under the walked folders that are no longer on disk: their articles
    /// leave the index. What sits in a folder the walk could not enter is kept.
    fn remove_vanished(&mut self, roots: &[PathBuf], walk: &Discovery) {
        if INTERRUPTED.load(Ordering::SeqCst) {
            // An interrupted walk did not see every file: nothing is known to be gone.
            return;
        }
        let on_disk: HashSet<&str> = walk.files.iter().map(|f| f.key.as_str()).collect();
        let prefixes: Vec<String> = roots.iter().map(|r| key_prefix(r)).collect();
        let mut gone = Vec::new();
        for path in self.manifest.files.keys() {
            if !prefixes.iter().any(|r| path.starts_with(r.as_str())) {
                continue;
            }
            if walk.unreadable.iter().any(|u| key_is_within(path, u)) {
                self.summary.files_kept_unreadable += 1;
            } else if !on_disk.contains(path.as_str()) {
                gone.push(path.clone());
            }
        }
        for path in gone {
            self.writer
                .delete_term(Term::from_field_text(self.fields.path, &path));
            self.manifest.files.remove(&path);
            self.summary.files_removed += 1;
            self.pending = true;
        }
    }

    /// The files that are new or changed since the commit the manifest describes.
    fn changed_files(&mut self, files: Vec<FoundFile>) -> Vec<FoundFile> {
        if INTERRUPTED.load(Ordering::SeqCst) {
            return Vec::new();
        }
        let mut todo = Vec::new();
        for f in files {
            match self.manifest.files.get(&f.key) {
                Some(s) if s.is_current(f.size, f.mtime_ns) => self.summary.files_unchanged += 1,
                _ => todo.push(f),
            }
        }
        todo
    }

    /// Reads the files in parallel and adds their articles, committing at least every
    /// `commit_interval` / `commit_bytes` (except in a rebuild, which commits once at the end).
    fn read_files(&mut self, todo: Vec<FoundFile>) -> Result<()> {
        let total_bytes: u64 = todo.iter().map(|f| f.size).sum();
        self.progress.start(todo.len() as u64, total_bytes);
        let moved_from = MovedFrom::new(&self.manifest, &todo);
        let mut since_commit_bytes = 0u64;
        let mut last_commit = Instant::now();
        let fault_delay = fault_delay();
        // Chunks bound how much work sits between two chances to commit.
        let mut done: Vec<FileResult> = Vec::new();
        for chunk in todo.chunks(64) {
            if INTERRUPTED.load(Ordering::SeqCst) {
                break;
            }
            let ctx = FileContext {
                writer: &self.writer,
                fields: &self.fields,
                manifest: &self.manifest,
                parse_opts: &self.parse_opts,
                fault_delay,
                title_weight: self.title_weight,
                moved_from: &moved_from,
            };
            let progress = self.progress;
            let results: Vec<FileResult> = self.pool.install(|| {
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
                    return Err(Error::AddArticle {
                        path: r.key.clone(),
                        source: e.clone(),
                    });
                }
                since_commit_bytes += r.state.size;
            }
            done.extend(results);
            self.pending = true;
            // A rebuild (--full) commits once, at the end: until then searches see the old
            // index, and a rebuild killed half-way leaves it whole instead of half empty.
            if !self.opts.full
                && (since_commit_bytes >= self.opts.commit_bytes
                    || last_commit.elapsed() >= self.opts.commit_interval)
            {
                absorb(
                    &mut self.summary,
                    &mut self.manifest,
                    std::mem::take(&mut done),
                );
                self.commit()?;
                since_commit_bytes = 0;
                last_commit = Instant::now();
            }
        }
        absorb(&mut self.summary, &mut self.manifest, done);
        Ok(())
    }

    /// The last commit (or, for an interrupted rebuild, none), and the totals.
    fn finish(mut self, started: Instant, roots: &[PathBuf]) -> Result<IndexSummary> {
        self.summary.interrupted = INTERRUPTED.load(Ordering::SeqCst);
        if self.summary.interrupted && self.opts.full {
            // An interrupted rebuild is abandoned: the index keeps its last commit.
            self.writer.rollback()?;
        } else {
            if self.pending || !self.index_dir.join(MANIFEST_FILE).exists() {
                let t = Instant::now();
                self.commit()?;
                self.summary.timed("commit", t);
            }
            self.record_folders(roots)?;
        }
        // What one site repeats in every article (boilerplate lines, title suffixes) can only be
        // learned over many articles: once the run's articles are committed.
        if !self.summary.interrupted && (self.summary.files_read > 0 || self.opts.full) {
            let t = Instant::now();
            let opts = crate::index::boilerplate::RefineOptions {
                title_weight: self.title_weight,
                fresh: self.opts.full,
                aliases: &self.parse_opts.aliases,
            };
            let n = self.pool.install(|| {
                crate::index::boilerplate::refine(
                    &self.index,
                    &self.fields,
                    &mut self.writer,
                    &opts,
                    self.index_dir,
                )
            })?;
            if n > 0 {
                self.summary.articles_cleaned = n;
                self.commit()?;
            }
            self.summary.timed("boilerplate", t);
        }
        let t = Instant::now();
        self.writer.wait_merging_threads()?;
        self.summary.timed("merge", t);
        let t = Instant::now();
        // Wire copies: the clusters of what the index now holds (new articles join, deleted ones
        // leave); a no-op when the saved clusters already describe this commit.
        crate::index::clusters::refresh(
            &self.index,
            self.index_dir,
            crate::index::near_copy_threshold(self.index_dir),
        )?;
        self.summary.timed("clusters", t);
        self.progress.finish();
        let reader = self.index.reader()?;
        reader.reload()?;
        self.summary.articles_total = reader.searcher().num_docs();
        self.summary.seconds = started.elapsed().as_secs_f64();
        Ok(self.summary)
    }

    /// Remembers the folders the index holds articles from (`stats` lists them): this run's
    /// folders and earlier runs' (a rebuild's only), each with its files and articles as the
    /// file list now counts them; an earlier folder nothing is left from is forgotten.
    fn record_folders(&self, roots: &[PathBuf]) -> Result<()> {
        let mut settings = StoredSettings::load(self.index_dir).unwrap_or_default();
        let this_run: Vec<String> = roots.iter().map(|r| ingest::path_string(r)).collect();
        let mut paths: Vec<String> = if self.opts.full {
            Vec::new()
        } else {
            settings.folders.iter().map(|f| f.path.clone()).collect()
        };
        paths.extend(this_run.iter().cloned());
        paths.sort();
        paths.dedup();
        // Sorted, a folder comes before the folders inside it, which it covers.
        let mut folders: Vec<IndexedFolder> = Vec::with_capacity(paths.len());
        for p in paths {
            if !folders.iter().any(|f| key_is_within(&p, &f.path)) {
                folders.push(IndexedFolder {
                    path: p,
                    ..IndexedFolder::default()
                });
            }
        }
        for (key, state) in &self.manifest.files {
            if let Some(f) = folders.iter_mut().find(|f| key_is_within(key, &f.path)) {
                f.files += 1;
                f.articles += u64::from(state.articles);
            }
        }
        folders.retain(|f| f.files > 0 || this_run.contains(&f.path));
        if folders != settings.folders {
            settings.folders = folders;
            settings.save(self.index_dir)?;
        }
        Ok(())
    }

    /// Commits the writer, records in tantivy's commit payload what the commit covers, then
    /// saves the manifest that describes it. The forms of the stems of the documents it adds are
    /// saved first (once tantivy has analysed every document, before they become visible).
    fn commit(&mut self) -> Result<()> {
        self.progress.committing();
        let payload = serde_json::json!({
            "newsdex": env!("CARGO_PKG_VERSION"),
            "files": self.manifest.files.len(),
            "files_read_this_run": self.summary.files_read,
            "articles_added_this_run": self.summary.articles_indexed,
        });
        let mut prepared = self.writer.prepare_commit()?;
        let keys = self.pool.install(|| self.forms.take());
        let old = match self.forms_base.take() {
            Some(base) => FormsMap::from_keys(&base),
            None => FormsMap::open(self.index_dir)?,
        };
        forms::save(self.index_dir, &old, &keys)?;
        share_like(self.index_dir, &self.index_dir.join(forms::FORMS_FILE));
        prepared.set_payload(&payload.to_string());
        let opstamp = prepared.commit()?;
        self.manifest.opstamp = opstamp;
        self.manifest.save(self.index_dir)?;
        share_like(self.index_dir, &self.index_dir.join(MANIFEST_FILE));
        self.summary.commits += 1;
        self.pending = false;
        Ok(())
    }
}

/// How this run reads files: the options given now, else those the index remembers (saved when
/// they change), and whether that differs from how the last run read them.
struct Settled {
    settings: StoredSettings,
    /// [`StoredSettings::reading_key`] before and after this run's options.
    previous: String,
    reading: String,
    parse_opts: ParseOptions,
}

impl Settled {
    fn new(index_dir: &Path, roots: &[PathBuf], opts: &IndexOptions) -> Result<Settled> {
        // When the way files are read changes, every file is read again (a different --map
        // makes different articles).
        let mut settings = StoredSettings::load(index_dir).unwrap_or_default();
        let previous = settings.reading_key();
        settings.apply(roots, opts);
        let reading = settings.reading_key();
        let parse_opts = ParseOptions {
            date_order: settings.date_order,
            aliases: crate::ingest::alias::Aliases::new(&settings.aliases),
            field_map: settings.field_map.clone(),
            path_pattern: match &settings.path_pattern {
                Some(p) => Some(PathPattern::parse(p).map_err(Error::Usage)?),
                None => None,
            },
            folder_sources: settings
                .folder_sources
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        };
        if reading != previous {
            settings.schema_version = SCHEMA_VERSION;
            settings.save(index_dir)?;
        }
        // The near-copy threshold changes only how clusters are drawn, not what is read.
        if let Some(t) = opts.near_copy_threshold
            && t != settings.near_copy_threshold
        {
            settings.near_copy_threshold = t;
            settings.save(index_dir)?;
        }
        Ok(Settled {
            settings,
            previous,
            reading,
            parse_opts,
        })
    }
}

impl StoredSettings {
    /// This run's options over the remembered ones (`--source` for this run's folders).
    fn apply(&mut self, roots: &[PathBuf], opts: &IndexOptions) {
        if let Some(w) = opts.title_weight {
            self.title_weight = w.clamp(1, 10);
        }
        if let Some(m) = &opts.field_map {
            self.field_map = m.clone();
        }
        if opts.no_header {
            self.field_map.no_header = true;
        }
        if let Some(p) = &opts.path_pattern {
            self.path_pattern = Some(p.as_str().to_string());
        }
        if let Some(name) = &opts.source {
            for root in roots {
                match name.trim() {
                    "" => self.folder_sources.remove(&key_prefix(root)),
                    n => self.folder_sources.insert(key_prefix(root), n.to_string()),
                };
            }
        }
        for (key, name) in &opts.aliases {
            if name.is_empty() {
                self.aliases.remove(key);
            } else {
                self.aliases.insert(key.clone(), name.clone());
            }
        }
        if opts.date_order.is_some() {
            self.date_order = opts.date_order;
        }
    }
}

/// The files the index holds, as the last commit's manifest lists them when it can be trusted
/// (it describes that commit and was made reading files as this run does), else from the index's
/// own `path` terms, every one unverified. The flag says whether a commit is due even if no file
/// changes (the list was rebuilt).
fn file_list(
    index: &Index,
    fields: &Fields,
    index_dir: &Path,
    opts: &IndexOptions,
    settled: &Settled,
) -> Result<(Manifest, bool)> {
    let last_opstamp = index.load_metas()?.opstamp;
    // The manifest is trusted when it describes the last commit and was made reading files the
    // way this run reads them (a manifest from before the `settings` field was recorded was made
    // with the settings stored then).
    let trusted = if opts.full {
        None
    } else {
        Manifest::load(index_dir, last_opstamp)
            .filter(|m| m.settings.as_deref().unwrap_or(&settled.previous) == settled.reading)
    };
    if let Some(mut m) = trusted {
        m.settings = Some(settled.reading.clone());
        return Ok((m, false));
    }
    // Without a trusted list every file is read again. The index's own `path` terms say which
    // files it holds: they are listed as unverified, so every commit of this run (and of an
    // interrupted run's successor) still knows to replace their articles rather than add a
    // second copy.
    let mut m = Manifest {
        opstamp: last_opstamp,
        settings: Some(settled.reading.clone()),
        ..Default::default()
    };
    if !opts.full {
        // A manifest of an earlier commit still tells each file's content, which recognises a
        // file moved since.
        let stale = Manifest::load_any(index_dir).unwrap_or_default();
        for p in indexed_paths(index, fields)? {
            let state = stale
                .files
                .get(&p)
                .map_or(FileState::UNVERIFIED, |s| s.unverified());
            m.files.insert(p, state);
        }
    }
    Ok((m, true))
}

/// Files the index holds, by content (hash and size): when a file read now has the same content
/// as one of them and that one is gone from disk, the file was moved (`mv arch arch2`), and the
/// old path's articles are replaced, not kept beside the new ones.
struct MovedFrom {
    by_content: HashMap<(u128, u64), Vec<String>>,
}

impl MovedFrom {
    fn new(manifest: &Manifest, todo: &[FoundFile]) -> Self {
        let new_sizes: HashSet<u64> = todo
            .iter()
            .filter(|f| !manifest.files.contains_key(&f.key))
            .map(|f| f.size)
            .collect();
        let mut by_content: HashMap<(u128, u64), Vec<String>> = HashMap::new();
        if !new_sizes.is_empty() {
            for (k, s) in &manifest.files {
                if s.hash != 0 && new_sizes.contains(&s.size) {
                    by_content
                        .entry((s.hash, s.size))
                        .or_default()
                        .push(k.clone());
                }
            }
        }
        MovedFrom { by_content }
    }

    /// Paths the index holds with this content that no longer exist on disk.
    fn vanished_with(&self, hash: u128, size: u64, new_key: &str) -> Vec<String> {
        self.by_content
            .get(&(hash, size))
            .into_iter()
            .flatten()
            .filter(|k| k.as_str() != new_key && std::fs::symlink_metadata(k.as_str()).is_err())
            .cloned()
            .collect()
    }
}

/// Everything reading one file needs.
struct FileContext<'a> {
    writer: &'a IndexWriter<ArticleDoc>,
    fields: &'a Fields,
    manifest: &'a Manifest,
    parse_opts: &'a ParseOptions,
    fault_delay: Option<Duration>,
    title_weight: u32,
    moved_from: &'a MovedFrom,
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
    /// Paths this file was moved from, whose articles it replaces.
    moved_from: Vec<String>,
    /// Some of the file's articles were added before its reader failed: listed as unverified.
    partial: bool,
    ambiguous_dates: u64,
}

impl FileContext<'_> {
    /// Reads one file and replaces its articles in the index (delete by path, then add; the
    /// delete only touches documents added before it, so the new ones survive).
    fn process(&self, file: &FoundFile) -> FileResult {
        if let Some(d) = self.fault_delay {
            std::thread::sleep(d);
        }
        let key = file.key.clone();
        let previous = self.manifest.files.get(&key);
        let mut added: BTreeMap<&'static str, u64> = BTreeMap::new();
        let mut add_error = None;
        let mut articles = 0u64;
        // Set by the first part: whether the file's articles are replaced (not when it was only
        // touched, its content identical).
        let mut replacing: Option<bool> = None;
        let begin = |hash: u128| {
            let unchanged =
                previous.is_some_and(|p| p.is_verified() && p.hash == hash && p.size == file.size);
            // Only a file the index already holds has old articles to replace. Deleting by
            // path for every new file would cost tantivy a term lookup per delete in every
            // segment (a third of the indexing time of a fresh 100 MB archive).
            if !unchanged && previous.is_some() {
                self.writer
                    .delete_term(Term::from_field_text(self.fields.path, &key));
            }
            !unchanged
        };
        // Articles go to the writer part by part (a JSON Lines file of millions of records is
        // not held whole), each part dropped once added.
        let outcome =
            ingest::read_file_in_parts_guarded(file, self.parse_opts, &mut |hash, part| {
                let replace = *replacing.get_or_insert_with(|| begin(hash));
                articles += part.len() as u64;
                if replace {
                    self.add(part, &mut added, &mut add_error);
                }
            });
        // A file that could not be read at all (it vanished, or permission was denied) keeps
        // whatever the index holds from it; the manifest keeps its old entry, so the next run
        // tries again (and a vanished file is removed then, once the walk no longer sees it).
        let unread = outcome.content_hash == 0;
        if replacing.is_none() && !unread {
            // Read, but nothing parsed (a damaged compressed file): its old articles go.
            begin(outcome.content_hash);
        }
        // A reader that failed part-way (a panic) after some parts were added: the file is
        // read again next run, its articles replaced then.
        let partial = unread && replacing == Some(true);
        let moved_from = if unread {
            Vec::new()
        } else {
            self.forget_moved(&key, outcome.content_hash, file.size)
        };
        FileResult {
            moved_from,
            key,
            state: FileState {
                size: file.size,
                mtime_ns: file.mtime_ns,
                hash: outcome.content_hash,
                articles: articles.min(u32::MAX as u64) as u32,
            },
            partial,
            articles_added: added.values().sum(),
            added,
            problems: outcome.problems,
            ambiguous_dates: outcome.ambiguous_dates,
            add_error,
        }
    }

    /// Adds a part of the file's articles, counting them by format; the first error is kept.
    fn add(
        &self,
        part: Vec<crate::ingest::article::Article>,
        added: &mut BTreeMap<&'static str, u64>,
        add_error: &mut Option<TantivyError>,
    ) {
        for a in part {
            let format = a.format;
            match self
                .writer
                .add_document(ArticleDoc::new(self.fields, a, self.title_weight))
            {
                Ok(_) => *added.entry(format).or_default() += 1,
                Err(e) => {
                    add_error.get_or_insert(e);
                }
            }
        }
    }

    /// For a file new to the index: the paths it was moved from (vanished files with the same
    /// content), whose articles are deleted.
    fn forget_moved(&self, key: &str, hash: u128, size: u64) -> Vec<String> {
        if self.manifest.files.contains_key(key) {
            return Vec::new();
        }
        let moved_from = self.moved_from.vanished_with(hash, size, key);
        for old in &moved_from {
            self.writer
                .delete_term(Term::from_field_text(self.fields.path, old));
        }
        moved_from
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
        summary.record_file(r.problems);
        summary.ambiguous_dates += r.ambiguous_dates;
        for old in r.moved_from {
            if manifest.files.remove(&old).is_some() {
                summary.files_moved += 1;
            }
        }
        // A file that could not be read at all (hash 0) is not remembered, so it is tried again.
        if r.partial {
            manifest.files.insert(r.key, FileState::UNVERIFIED);
        } else if r.state.hash != 0 {
            manifest.files.insert(r.key, r.state);
        }
    }
}

/// Testing aid for crash tests: `NEWSDEX_FAULT_DELAY_MS` slows every file down so a test can
/// kill the indexer part-way. Only in builds with the `fault-injection` feature (the tests'
/// builds); elsewhere the variable is ignored.
fn fault_delay() -> Option<Duration> {
    if !cfg!(feature = "fault-injection") {
        return None;
    }
    std::env::var("NEWSDEX_FAULT_DELAY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_millis)
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
