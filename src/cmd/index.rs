//! `newsdex index`: read an archive into the index, with progress and a summary.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;

use crate::cli::IndexArgs;
use crate::progress;
use newsdex::index::IndexSummary;
use newsdex::index::{IndexOptions, index_archive};
use newsdex::ingest::layout::PathPattern;
use newsdex::ingest::meta::FieldMap;
use newsdex::output::sanitize::{MESSAGE_CHARS, for_terminal_capped};

pub(crate) fn cmd_index(dir: &std::path::Path, args: IndexArgs) -> anyhow::Result<ExitCode> {
    let opts = index_options(&args)?;
    let _ = ctrlc::set_handler(|| {
        newsdex::index::INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    let show_bar = !args.quiet && std::io::stderr().is_terminal();
    let bar = progress::Bar::new(show_bar);
    let summary = index_archive(dir, &args.dirs, &opts, &bar)?;

    let mut err = std::io::stderr().lock();
    if !args.quiet {
        print_problems(&mut err, &summary)?;
        warn_ambiguous_dates(&mut err, summary.ambiguous_dates)?;
    }
    if let Some(report) = &args.report {
        write_report(report, &summary)
            .with_context(|| format!("cannot write the report to {}", report.display()))?;
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &summary)?;
        writeln!(out)?;
    } else if !args.quiet {
        progress::print_summary(&mut out, &summary, dir)?;
        if args.timings {
            progress::print_steps(&mut out, &summary)?;
        }
    }
    if summary.interrupted {
        let what = if args.full {
            "rebuild interrupted; the index is as it was before it (a rebuild commits only when \
             complete). Run the same command again to rebuild."
        } else {
            "interrupted; everything read so far is committed. Run the same command again to finish."
        };
        writeln!(err, "newsdex: {what}")?;
        return Ok(ExitCode::from(130));
    }
    if args.strict && summary.rejected() > 0 {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// The run's options from the command line; a malformed `--alias`, `--map`, `--path-pattern`
/// or an out-of-range threshold is an error before anything is read.
fn index_options(args: &IndexArgs) -> anyhow::Result<IndexOptions> {
    let mut opts = IndexOptions {
        full: args.full,
        memory_bytes: args.memory.max(20) * 1024 * 1024,
        commit_interval: Duration::from_secs_f64(args.commit_every.clamp(0.05, 86_400.0)),
        commit_bytes: args.commit_mb.max(1) * 1024 * 1024,
        ..IndexOptions::default()
    };
    if let Some(t) = args.threads {
        opts.threads = t.max(1);
    }
    opts.title_weight = args.title_weight;
    opts.no_header = args.no_header;
    opts.source = args.source.clone();
    opts.date_order = args.date_order.map(|o| match o {
        crate::cli::DateOrderArg::Mdy => newsdex::ingest::date::DateOrder::Mdy,
        crate::cli::DateOrderArg::Dmy => newsdex::ingest::date::DateOrder::Dmy,
    });
    for spec in &args.alias {
        opts.aliases.push(
            newsdex::ingest::alias::parse_alias(spec)
                .map_err(|e| anyhow::anyhow!("--alias: {e}"))?,
        );
    }
    if let Some(t) = args.near_copy_threshold {
        if !(0.05..=1.0).contains(&t) {
            anyhow::bail!(
                "--near-copy-threshold {t} is out of range: give a share of shingles between 0.05 and 1 (default 0.6)"
            );
        }
        opts.near_copy_threshold = Some(t);
    }
    if let Some(spec) = &args.map {
        opts.field_map = Some(FieldMap::parse(spec).map_err(|e| anyhow::anyhow!("--map: {e}"))?);
    }
    if let Some(p) = &args.path_pattern {
        opts.path_pattern =
            Some(PathPattern::parse(p).map_err(|e| anyhow::anyhow!("--path-pattern: {e}"))?);
    }
    Ok(opts)
}

/// One warning for the run's dates read month first without `--date-order`.
fn warn_ambiguous_dates(err: &mut dyn Write, n: u64) -> std::io::Result<()> {
    if n == 0 {
        return Ok(());
    }
    writeln!(
        err,
        "warning: {n} date{} like 03/04/2018 could be month or day first; read month first \
         (3 April would need day first). If this archive writes the day first, run again \
         with --date-order dmy (remembered; every file is read again); --date-order mdy \
         keeps month first and silences this warning",
        if n == 1 { "" } else { "s" }
    )
}

/// `--report FILE`: every problem of the run, one JSON object a line.
fn write_report(report: &std::path::Path, summary: &IndexSummary) -> std::io::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(report)?);
    for p in &summary.problems {
        serde_json::to_writer(&mut f, p)?;
        f.write_all(b"\n")?;
    }
    f.flush()
}

/// Problems shown one by one on the terminal for one file; the rest are summed up in one line
/// (the `--report` file lists more).
const SHOWN_PER_FILE: usize = 10;

/// The run's problems on stderr: each line escaped (paths and quoted bytes come from the
/// archive), at most [`SHOWN_PER_FILE`] per file, then how many more there were.
fn print_problems(err: &mut dyn Write, summary: &IndexSummary) -> std::io::Result<()> {
    let mut i = 0;
    let problems = &summary.problems;
    while i < problems.len() {
        let path = &problems[i].path;
        let run = problems[i..].iter().take_while(|p| &p.path == path).count();
        for p in &problems[i..i + run.min(SHOWN_PER_FILE)] {
            writeln!(
                err,
                "{}",
                for_terminal_capped(&p.to_string(), MESSAGE_CHARS)
            )?;
        }
        let more = (run - run.min(SHOWN_PER_FILE)) as u64
            + summary.not_listed_by_file.get(path).copied().unwrap_or(0);
        if more > 0 {
            writeln!(
                err,
                "  ... and {more} more problems in {} (--report FILE lists the first {} of each \
                 file; the summary counts all)",
                for_terminal_capped(path, MESSAGE_CHARS),
                newsdex::index::writer::PROBLEMS_KEPT_PER_FILE
            )?;
        }
        i += run;
    }
    Ok(())
}
