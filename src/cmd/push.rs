//! `newsdex push`: copy the index to a Quickwit cluster (then only what changed), with a
//! progress bar on a terminal and a one-line summary.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use indicatif::ProgressBar;

use crate::cli::PushArgs;
use newsdex::index::push::{PushOptions, PushProgress, push};
use newsdex::index::quickwit::Target;

struct Bar(ProgressBar);

impl PushProgress for Bar {
    fn start(&self, articles: u64) {
        self.0.set_length(articles);
    }
    fn sent(&self, articles: u64) {
        self.0.inc(articles);
    }
}

pub(crate) fn cmd_push(dir: &std::path::Path, args: PushArgs) -> anyhow::Result<ExitCode> {
    let target = match (&args.to, &args.dry_run) {
        (Some(url), _) => Target::parse(url)?,
        // A dry run without --to writes a config for an index named `newsdex`.
        (None, _) => Target::parse("quickwit://localhost:7280/newsdex")?,
    };
    let visible = !args.quiet && std::io::stderr().is_terminal();
    let bar = crate::progress::bar(
        visible,
        Some(0),
        Some(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} articles ({per_sec}, ETA {eta})",
        ),
    );
    let opts = PushOptions {
        target,
        dry_run: args.dry_run.clone(),
    };
    let bar = Bar(bar);
    let summary = push(dir, &opts, &bar)?;
    bar.0.finish_and_clear();
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &summary)?;
        writeln!(out)?;
    } else if !args.quiet {
        let rate = summary.sent as f64 / summary.seconds.max(1e-9);
        match &summary.dry_run {
            Some(folder) => writeln!(
                out,
                "wrote {} articles ({:.1} MB) to {folder}/articles.ndjson and the index config to {folder}/index-config.yaml",
                summary.sent,
                summary.bytes as f64 / 1e6
            )?,
            None => {
                writeln!(
                    out,
                    "pushed {} articles to {} in {:.2}s ({rate:.0} articles/s, {} batches, {:.1} MB){}",
                    summary.sent,
                    summary.target,
                    summary.seconds,
                    summary.batches,
                    summary.bytes as f64 / 1e6,
                    if summary.created {
                        "; created the index"
                    } else {
                        ""
                    }
                )?;
                writeln!(
                    out,
                    "  {} unchanged, {} removed (Quickwit applies deletions in the background, within about three minutes)",
                    summary.unchanged, summary.deleted
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
