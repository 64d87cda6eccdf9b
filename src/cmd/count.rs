//! `newsdex count`: matches over time or by outlet, as a table, CSV, JSON or SVG.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;

use crate::cli::{ByArg, CountArgs, CountFormat};
use crate::cmd::open_engine;
use crate::cmd::request;

pub(crate) fn cmd_count(dir: &std::path::Path, args: CountArgs) -> anyhow::Result<ExitCode> {
    use newsdex::report::count::{Bucketing, count, svg};
    let by = match args.by {
        ByArg::Day => Bucketing::Day,
        ByArg::Week => Bucketing::Week,
        ByArg::Month => Bucketing::Month,
        ByArg::Year => Bucketing::Year,
        ByArg::Source => Bucketing::Source,
        ByArg::Section => Bucketing::Section,
        ByArg::Author => Bucketing::Author,
        ByArg::Language => Bucketing::Language,
    };
    let requests = args
        .queries
        .iter()
        .map(|q| {
            let mut r = request(q.clone(), &args.filters)?;
            r.collapse = args.unique;
            Ok(r)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let engine = open_engine(dir)?;
    let table = count(&*engine, &requests, by, args.share)?;
    if let Some(path) = &args.plot {
        std::fs::write(path, svg(&table))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        CountFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &table)?;
            writeln!(out)?;
        }
        CountFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            let mut header = vec!["bucket".to_string()];
            header.extend(table.queries.iter().cloned());
            if args.share {
                header.push("all_articles".into());
                header.extend(table.queries.iter().map(|q| format!("share: {q}")));
            }
            w.write_record(&header)?;
            for r in &table.rows {
                let mut rec = vec![r.bucket.clone()];
                rec.extend(r.counts.iter().map(u64::to_string));
                if let (Some(t), Some(sh)) = (r.total, &r.shares) {
                    rec.push(t.to_string());
                    rec.extend(sh.iter().map(|x| format!("{x:.6}")));
                }
                w.write_record(&rec)?;
            }
            w.flush()?;
        }
        CountFormat::Table => {
            let width = table
                .rows
                .iter()
                .map(|r| r.bucket.chars().count())
                .max()
                .unwrap_or(6)
                .max(6);
            let value = |r: &newsdex::report::count::Row, q: usize| match &r.shares {
                Some(s) => s[q],
                None => r.counts[q] as f64,
            };
            let max = table
                .rows
                .iter()
                .map(|r| value(r, 0))
                .fold(0.0_f64, f64::max)
                .max(f64::MIN_POSITIVE);
            write!(out, "{:<width$}", "bucket")?;
            for q in &table.queries {
                write!(out, "  {:>12}", truncate(q, 12))?;
            }
            writeln!(out)?;
            for r in &table.rows {
                write!(out, "{:<width$}", r.bucket)?;
                for (q, c) in r.counts.iter().enumerate() {
                    match &r.shares {
                        Some(sh) => write!(out, "  {:>5} {:>5.1}%", c, sh[q] * 100.0)?,
                        None => write!(out, "  {c:>12}")?,
                    }
                }
                let bar = ((value(r, 0) / max) * 40.0).round() as usize;
                writeln!(out, "  {}", "█".repeat(bar))?;
            }
            let totals: Vec<String> = table.totals.iter().map(u64::to_string).collect();
            writeln!(
                out,
                "total{}  {}",
                " ".repeat(width.saturating_sub(5)),
                totals.join("  ")
            )?;
            if table.undated.iter().any(|&u| u > 0) {
                let u: Vec<String> = table.undated.iter().map(u64::to_string).collect();
                writeln!(out, "undated matches (not in any bucket): {}", u.join(", "))?;
            }
        }
    }
    out.flush()?;
    Ok(if table.totals.iter().any(|&t| t > 0) {
        ExitCode::SUCCESS
    } else {
        let reqs: Vec<_> = requests.iter().collect();
        crate::cmd::search::explain_no_hits(&*engine, &reqs);
        ExitCode::from(1)
    })
}

pub(crate) fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}
