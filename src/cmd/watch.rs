//! `newsdex watch`: only the hits that are new since the last watch of a queries file.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;

use crate::cli::{WatchArgs, WatchFormatArg};
use crate::cmd::{open_engine, request};
use newsdex::report::export::read_query_batch;
use newsdex::report::watch::{Checkpoint, WatchFormat, watch, write};

pub(crate) fn cmd_watch(dir: &std::path::Path, args: WatchArgs) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.queries)
        .with_context(|| format!("cannot read the queries file {}", args.queries.display()))?;
    let batch = read_query_batch(&text);
    if batch.is_empty() {
        anyhow::bail!(
            "{} holds no queries: write one per line, or name<TAB>query",
            args.queries.display()
        );
    }
    let queries = batch
        .into_iter()
        .map(|(name, q)| Ok((name, request(q, &args.filters)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let engine = open_engine(dir)?;
    let cp_path = Checkpoint::path(dir, &args.queries);
    let mut cp = Checkpoint::load(&cp_path)?;
    cp.queries_file = std::fs::canonicalize(&args.queries)
        .unwrap_or_else(|_| args.queries.clone())
        .display()
        .to_string();
    let new = watch(&*engine, &queries, &mut cp)?;
    let format = match args.format {
        WatchFormatArg::Text => WatchFormat::Text,
        WatchFormatArg::Jsonl => WatchFormat::Jsonl,
        WatchFormatArg::Csv => WatchFormat::Csv,
        WatchFormatArg::Rss => WatchFormat::Rss,
        WatchFormatArg::Atom => WatchFormat::Atom,
    };
    let title = format!(
        "newsdex watch: {}",
        args.queries
            .file_name()
            .map_or_else(|| cp.queries_file.clone(), |n| n.to_string_lossy().into())
    );
    match &args.output {
        Some(path) => {
            // Written whole and renamed, so a feed reader never reads half a feed.
            let mut tmp = path.as_os_str().to_owned();
            tmp.push(".partial");
            let tmp = std::path::PathBuf::from(tmp);
            let mut w = std::io::BufWriter::new(
                std::fs::File::create(&tmp)
                    .with_context(|| format!("cannot write {}", tmp.display()))?,
            );
            write(&mut w, &new, &cp, &title, format)?;
            w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            std::fs::rename(&tmp, path)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            write(&mut out, &new, &cp, &title, format)?;
            out.flush()?;
        }
    }
    if !args.dry_run {
        cp.save(&cp_path)
            .with_context(|| "cannot save the watch checkpoint in the index folder")?;
    }
    eprintln!(
        "{} new hits{}",
        new.len(),
        if args.dry_run {
            " (dry run: checkpoint not moved)"
        } else {
            ""
        }
    );
    Ok(if new.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
