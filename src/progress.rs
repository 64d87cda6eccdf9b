//! Terminal progress for `newsdex index` (indicatif), and the end-of-run summary.

use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use newsdex::index::{IndexSummary, Progress};

/// A progress bar drawn on stderr when `visible` (callers pass whether stderr is a terminal and
/// the user did not ask for quiet), hidden otherwise; `template` in indicatif's syntax.
pub fn bar(visible: bool, len: Option<u64>, template: Option<&str>) -> ProgressBar {
    let target = if visible {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(len, target);
    if let Some(t) = template {
        bar.set_style(ProgressStyle::with_template(t).expect("valid template"));
    }
    bar
}

/// A progress bar on stderr, or nothing when stderr is not a terminal.
pub struct Bar {
    bar: ProgressBar,
    files_total: AtomicU64,
    files_done: AtomicU64,
    articles: AtomicU64,
}

impl Bar {
    pub fn new(visible: bool) -> Bar {
        let bar = bar(
            visible,
            Some(0),
            Some(
                "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, ETA {eta}) {msg}",
            ),
        );
        Bar {
            bar,
            files_total: AtomicU64::new(0),
            files_done: AtomicU64::new(0),
            articles: AtomicU64::new(0),
        }
    }

    fn show_counts(&self) {
        self.bar.set_message(format!(
            "{}/{} files, {} articles",
            self.files_done.load(Ordering::Relaxed),
            self.files_total.load(Ordering::Relaxed),
            self.articles.load(Ordering::Relaxed)
        ));
    }
}

impl Progress for Bar {
    fn start(&self, files: u64, bytes: u64) {
        self.bar.set_length(bytes);
        self.files_total.store(files, Ordering::Relaxed);
        self.show_counts();
    }
    fn file_done(&self, bytes: u64, articles: u64) {
        self.files_done.fetch_add(1, Ordering::Relaxed);
        self.articles.fetch_add(articles, Ordering::Relaxed);
        self.show_counts();
        self.bar.inc(bytes);
    }
    fn committing(&self) {
        self.bar.set_message("committing");
    }
    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// `1 article`, `2 articles`.
fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Where the run's time went: one line per step, with its share of the whole run.
pub fn print_steps(out: &mut dyn Write, s: &IndexSummary) -> io::Result<()> {
    writeln!(out, "  time by step:")?;
    for (step, secs) in &s.steps {
        writeln!(
            out,
            "    {step:<28} {secs:>8.3}s {:>5.1}%",
            100.0 * secs / s.seconds.max(1e-9)
        )?;
    }
    Ok(())
}

pub fn print_summary(out: &mut dyn Write, s: &IndexSummary, dir: &Path) -> io::Result<()> {
    let rate = if s.seconds > 0.0 {
        s.articles_indexed as f64 / s.seconds
    } else {
        0.0
    };
    writeln!(
        out,
        "indexed {} from {} in {:.2}s ({:.0} articles/s, {:.1} MB/s)",
        counted(s.articles_indexed, "article", "articles"),
        counted(s.files_read, "file", "files"),
        s.seconds,
        rate,
        s.bytes_read as f64 / 1e6 / s.seconds.max(1e-9)
    )?;
    if !s.articles_by_format.is_empty() {
        let parts: Vec<String> = s
            .articles_by_format
            .iter()
            .map(|(f, n)| format!("{f} {n}"))
            .collect();
        writeln!(out, "  by format: {}", parts.join(", "))?;
    }
    writeln!(
        out,
        "  files: {} found, {} read, {} unchanged, {} removed",
        s.files_seen, s.files_read, s.files_unchanged, s.files_removed
    )?;
    if s.files_moved > 0 {
        writeln!(
            out,
            "  moved: {} files found at a new path (their old paths were replaced, not kept)",
            s.files_moved
        )?;
    }
    if s.files_kept_unreadable > 0 {
        writeln!(
            out,
            "  kept: {} indexed files in folders that could not be read this time",
            s.files_kept_unreadable
        )?;
    }
    if s.rejected() > 0 {
        let parts: Vec<String> = s
            .rejected_by_reason
            .iter()
            .map(|(r, n)| format!("{r} {n}"))
            .collect();
        writeln!(out, "  skipped: {}", parts.join(", "))?;
    }
    if !s.skipped_by_reason.is_empty() {
        let parts: Vec<String> = s
            .skipped_by_reason
            .iter()
            .map(|(r, n)| format!("{r} {n}"))
            .collect();
        writeln!(out, "  left out: {}", parts.join(", "))?;
    }
    if !s.ignored_by_type.is_empty() {
        let mut kinds: Vec<(&String, &u64)> = s.ignored_by_type.iter().collect();
        kinds.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let parts: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
        writeln!(
            out,
            "  ignored: {} (no reader for these file types)",
            parts.join(", ")
        )?;
    }
    if s.warnings > 0 {
        writeln!(out, "  warnings: {}", s.warnings)?;
    }
    writeln!(
        out,
        "  index: {} articles at {}",
        s.articles_total,
        dir.display()
    )?;
    Ok(())
}
