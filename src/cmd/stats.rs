//! `newsdex stats` and `newsdex check`.

use std::io::Write;
use std::process::ExitCode;

use crate::cli::{StatsArgs, StatsFormat};
use crate::cmd::open_engine;
use newsdex::output::sanitize;

pub(crate) fn cmd_stats(dir: &std::path::Path, args: StatsArgs) -> anyhow::Result<ExitCode> {
    let engine = open_engine(dir)?;
    let s = newsdex::report::stats::stats(&*engine)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        StatsFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &s)?;
            writeln!(out)?;
        }
        StatsFormat::Text => {
            writeln!(out, "index      {}", s.index)?;
            writeln!(out, "articles   {}", s.articles)?;
            match (&s.first_day, &s.last_day) {
                (Some(a), Some(b)) => {
                    writeln!(out, "dates      {a} to {b} ({} undated)", s.undated)?
                }
                _ => writeln!(out, "dates      none known ({} undated)", s.undated)?,
            }
            writeln!(out, "outlets    {}", s.sources.len())?;
            for (name, n) in s.sources.iter().take(20) {
                writeln!(out, "  {n:>8}  {name}")?;
            }
            if s.sources.len() > 20 {
                writeln!(out, "  ... and {} more", s.sources.len() - 20)?;
            }
            if s.no_source > 0 {
                writeln!(out, "  {:>8}  (none: no outlet known)", s.no_source)?;
            }
            if !s.folders.is_empty() {
                writeln!(out, "folders    {}", s.folders.len())?;
                for f in &s.folders {
                    writeln!(
                        out,
                        "  {:>8}  {} ({} {})",
                        f.articles,
                        sanitize::for_terminal(&f.path),
                        f.files,
                        if f.files == 1 { "file" } else { "files" }
                    )?;
                }
            }
            let formats: Vec<String> = s.formats.iter().map(|(f, n)| format!("{f} {n}")).collect();
            writeln!(out, "formats    {}", formats.join(", "))?;
            writeln!(
                out,
                "size       {:.1} MB in {} segments",
                s.size_bytes as f64 / 1e6,
                s.segments
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn cmd_check(dir: &std::path::Path, args: StatsArgs) -> anyhow::Result<ExitCode> {
    let report = newsdex::index::check::check(dir)?;
    let mut out = std::io::stdout().lock();
    if args.format == StatsFormat::Json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else if report.healthy() {
        writeln!(
            out,
            "index at {} is healthy: {} articles in {} segments; {} files ({:.1} MB) match their \
             checksums; every article read back; {} word forms listed under their stems ({:.2}s)",
            dir.display(),
            report.articles,
            report.segments,
            report.files_checked,
            report.bytes_checked as f64 / 1e6,
            report.forms_checked,
            report.seconds
        )?;
    } else {
        writeln!(out, "index at {} is DAMAGED:", dir.display())?;
        for p in &report.problems {
            writeln!(out, "  {p}")?;
        }
        writeln!(
            out,
            "rebuild it from the archive with `newsdex index --full <DIR>` (it replaces the \
             damaged files; the archive itself is never touched)"
        )?;
    }
    if args.format != StatsFormat::Json {
        for n in &report.notes {
            writeln!(out, "note: {n}")?;
        }
    }
    Ok(if report.healthy() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
