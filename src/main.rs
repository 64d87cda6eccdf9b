//! The `newsdex` binary: parses arguments, calls the library, prints, and maps outcomes to exit
//! codes (0 found/done, 1 nothing found, 2 error; a closed pipe ends quietly with 0).

mod cli;
mod progress;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;

use cli::{
    ByArg, Cli, ColorArg, Command, CountArgs, CountFormat, EvalArgs, ExportArgs, ExportFormatArg,
    FilterArgs, FormatArg, IndexArgs, SearchArgs, SortArg, StatsArgs, StatsFormat,
};
use newsdex::Error;
use newsdex::index::{IndexOptions, index_archive};
use newsdex::ingest::layout::PathPattern;
use newsdex::ingest::meta::FieldMap;
use newsdex::output::{OutputFormat, TextStyle, TrecRun, write_results};
use newsdex::report::stats;
use newsdex::search::query::parse_day_bound;
use newsdex::search::{Filters, LocalEngine, SearchEngine, SearchRequest, SortOrder};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A panic is a bug or damaged index data tantivy did not expect: say so in one clear message
    // (and exit 2 like any error) instead of a backtrace.
    std::panic::set_hook(Box::new(|info| {
        if newsdex::ingest::is_reading_a_file() {
            return; // reported as a problem with that file; the run goes on
        }
        let msg = newsdex::error::panic_message(info.payload());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "newsdex: internal error: {msg}{at}.\n  If this happened while reading the index, the \
             index may be damaged: `newsdex check` tells, and `newsdex index --full <DIR>` rebuilds \
             it. Otherwise this is a bug in newsdex; please report it with the command you ran."
        );
    }));
    let result = match std::panic::catch_unwind(|| run(cli)) {
        Ok(r) => r,
        Err(_) => return ExitCode::from(2),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            if err
                .chain()
                .any(|c| c.downcast_ref::<Error>().is_some_and(Error::is_broken_pipe))
                || err.chain().any(|c| {
                    c.downcast_ref::<std::io::Error>()
                        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
                })
            {
                return ExitCode::SUCCESS;
            }
            // Each cause once: wrapped errors often repeat their source's message.
            let mut msg = String::new();
            for cause in err.chain() {
                let text = cause.to_string();
                if !msg.contains(&text) {
                    if !msg.is_empty() {
                        msg.push_str(": ");
                    }
                    msg.push_str(&text);
                }
            }
            eprintln!("newsdex: {msg}");
            ExitCode::from(2)
        }
    }
}

fn cmd_check(dir: &std::path::Path, args: StatsArgs) -> anyhow::Result<ExitCode> {
    let report = newsdex::index::check::check(dir)?;
    let mut out = std::io::stdout().lock();
    if args.format == StatsFormat::Json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else if report.healthy() {
        writeln!(
            out,
            "index at {} is healthy: {} articles in {} segments; {} files ({:.1} MB) match their \
             checksums; every article read back ({:.2}s)",
            dir.display(),
            report.articles,
            report.segments,
            report.files_checked,
            report.bytes_checked as f64 / 1e6,
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

fn index_dir(cli_index: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(p) = cli_index {
        return Ok(p);
    }
    let base = dirs::data_dir().context(
        "cannot find a data folder for the index: pass --index DIR or set NEWSDEX_INDEX",
    )?;
    Ok(base.join("newsdex").join("index"))
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let dir = index_dir(cli.index)?;
    // Index damage that shows only once a query reads the damaged part gets the same clear
    // message as damage found when the index opens.
    run_command(&dir, cli.command).map_err(|e| {
        match e.downcast_ref::<Error>().and_then(Error::damage_detail) {
            Some(detail) => Error::Corrupt { path: dir, detail }.into(),
            None => e,
        }
    })
}

fn run_command(dir: &std::path::Path, command: Command) -> anyhow::Result<ExitCode> {
    let dir = dir.to_path_buf();
    match command {
        Command::Index(args) => cmd_index(&dir, args),
        Command::Search(args) => cmd_search(&dir, args),
        Command::Stats(args) => cmd_stats(&dir, args),
        Command::Check(args) => cmd_check(&dir, args),
        Command::Eval(args) => cmd_eval(&dir, args),
        Command::Export(args) => cmd_export(&dir, args),
        Command::Count(args) => cmd_count(&dir, args),
        Command::Optimize => {
            let s = newsdex::index::optimize(&dir)?;
            println!(
                "merged {} segments into {} in {:.2}s; index {:.1} MB -> {:.1} MB",
                s.segments_before,
                s.segments_after,
                s.seconds,
                s.bytes_before as f64 / 1e6,
                s.bytes_after as f64 / 1e6
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn cmd_index(dir: &std::path::Path, args: IndexArgs) -> anyhow::Result<ExitCode> {
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
    if let Some(spec) = &args.map {
        opts.field_map = Some(FieldMap::parse(spec).map_err(|e| anyhow::anyhow!("--map: {e}"))?);
    }
    if let Some(p) = &args.path_pattern {
        opts.path_pattern =
            Some(PathPattern::parse(p).map_err(|e| anyhow::anyhow!("--path-pattern: {e}"))?);
    }
    let _ = ctrlc::set_handler(|| {
        newsdex::index::INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    let show_bar = !args.quiet && std::io::stderr().is_terminal();
    let bar = progress::Bar::new(show_bar);
    let summary = index_archive(dir, &args.dirs, &opts, &bar)?;

    let mut err = std::io::stderr().lock();
    if !args.quiet {
        for p in &summary.problems {
            writeln!(err, "{p}")?;
        }
    }
    if let Some(report) = &args.report {
        let write = || -> std::io::Result<()> {
            let mut f = std::io::BufWriter::new(std::fs::File::create(report)?);
            for p in &summary.problems {
                serde_json::to_writer(&mut f, p)?;
                f.write_all(b"\n")?;
            }
            f.flush()
        };
        write().with_context(|| format!("cannot write the report to {}", report.display()))?;
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &summary)?;
        writeln!(out)?;
    } else if !args.quiet {
        progress::print_summary(&mut out, &summary, dir)?;
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

fn use_color(arg: ColorArg) -> bool {
    match arg {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    }
}

/// The search request the filter options describe.
fn request(query: String, f: &FilterArgs) -> anyhow::Result<SearchRequest> {
    let mut req = SearchRequest::new(query);
    req.filters = Filters {
        since: f
            .since
            .as_deref()
            .map(|s| parse_day_bound(s, false))
            .transpose()?,
        until: f
            .until
            .as_deref()
            .map(|s| parse_day_bound(s, true))
            .transpose()?,
        sources: f.source.clone(),
        sections: f.section.clone(),
        authors: f.author.clone(),
        languages: f.lang.clone(),
    };
    req.any = f.any;
    req.exact = f.exact;
    req.sort = match f.sort {
        SortArg::Relevance => SortOrder::Relevance,
        SortArg::Newest => SortOrder::Newest,
        SortArg::Oldest => SortOrder::Oldest,
    };
    req.proximity_weight = f.proximity_weight;
    req.recency_days = f.recency;
    Ok(req)
}

fn cmd_search(dir: &std::path::Path, args: SearchArgs) -> anyhow::Result<ExitCode> {
    let mut req = request(args.query.join(" "), &args.filters)?;
    req.limit = args.limit;
    req.explain = args.explain;
    let engine = LocalEngine::open(dir)?;
    let results = engine.search(&req)?;
    let stdout = std::io::stdout();
    let format = match args.format {
        Some(FormatArg::Text) => OutputFormat::Text,
        Some(FormatArg::Jsonl) => OutputFormat::Jsonl,
        Some(FormatArg::Json) => OutputFormat::Json,
        Some(FormatArg::Csv) => OutputFormat::Csv,
        Some(FormatArg::Trec) => OutputFormat::Trec,
        None if stdout.is_terminal() => OutputFormat::Text,
        None => OutputFormat::Jsonl,
    };
    let style = TextStyle {
        color: use_color(args.color),
    };
    let mut out = std::io::BufWriter::new(stdout.lock());
    let trec = TrecRun {
        qid: args.qid,
        run_name: args.run_name,
    };
    write_results(&mut out, &req, &results, format, &style, &trec)?;
    out.flush()?;
    if format == OutputFormat::Csv {
        eprintln!("{} hits", results.total_hits);
    }
    Ok(if results.total_hits > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn cmd_export(dir: &std::path::Path, args: ExportArgs) -> anyhow::Result<ExitCode> {
    use newsdex::report::export::{
        Column, ExportFormat, ExportOptions, Labelled, Provenance, export, read_query_batch,
    };
    let queries: Vec<Labelled> = match &args.queries {
        Some(file) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read the query file {}", file.display()))?;
            let batch = read_query_batch(&text);
            if batch.is_empty() {
                anyhow::bail!(
                    "{} holds no queries: write one per line, or name<TAB>query",
                    file.display()
                );
            }
            batch
                .into_iter()
                .map(|(label, q)| {
                    Ok(Labelled {
                        label: Some(label),
                        request: request(q, &args.filters)?,
                    })
                })
                .collect::<anyhow::Result<_>>()?
        }
        None => vec![Labelled {
            label: None,
            request: request(args.query.join(" "), &args.filters)?,
        }],
    };
    let opts = ExportOptions {
        format: match args.format {
            ExportFormatArg::Csv => ExportFormat::Csv,
            ExportFormatArg::Tsv => ExportFormat::Tsv,
            ExportFormatArg::Jsonl => ExportFormat::Jsonl,
            ExportFormatArg::Json => ExportFormat::Json,
            ExportFormatArg::Md => ExportFormat::Md,
            ExportFormatArg::Trec => ExportFormat::Trec,
        },
        columns: match &args.fields {
            Some(list) => Column::parse_list(list)?,
            None => Column::DEFAULT.to_vec(),
        },
        excel: args.excel,
        run_name: args.run_name.clone(),
        kwic: args.kwic,
    };
    let engine = LocalEngine::open(dir)?;
    let bar = indicatif::ProgressBar::with_draw_target(
        None,
        if !args.quiet && args.output.is_some() && std::io::stderr().is_terminal() {
            indicatif::ProgressDrawTarget::stderr()
        } else {
            indicatif::ProgressDrawTarget::hidden()
        },
    );
    let mut progress = |n: u64| {
        if n.is_multiple_of(1000) {
            bar.set_position(n);
        }
    };
    let hits = match &args.output {
        Some(path) => {
            // Written beside the target under another name and renamed when complete, so a
            // full disk or a Ctrl-C never leaves a half export that looks whole.
            let mut partial = path.as_os_str().to_owned();
            partial.push(".partial");
            let partial = PathBuf::from(partial);
            let written = (|| -> anyhow::Result<usize> {
                let file = std::fs::File::create(&partial)?;
                let mut w = std::io::BufWriter::new(file);
                let n = export(&engine, &queries, &opts, &mut w, &mut progress)?;
                w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
                std::fs::rename(&partial, path)?;
                Ok(n)
            })();
            let n = match written {
                Ok(n) => n,
                Err(e) => {
                    let _ = std::fs::remove_file(&partial);
                    return Err(e.context(format!(
                        "cannot write the export to {} (nothing half-written is left behind)",
                        path.display()
                    )));
                }
            };
            let meta = Provenance::new(&engine, &queries, &opts, n)?;
            let mut meta_path = path.as_os_str().to_owned();
            meta_path.push(".meta.json");
            std::fs::write(&meta_path, serde_json::to_vec_pretty(&meta)?).with_context(|| {
                format!(
                    "cannot write {}",
                    std::path::Path::new(&meta_path).display()
                )
            })?;
            n
        }
        None => {
            let mut w = std::io::BufWriter::new(std::io::stdout().lock());
            let n = export(&engine, &queries, &opts, &mut w, &mut progress)?;
            w.flush()?;
            n
        }
    };
    bar.finish_and_clear();
    eprintln!("{hits} hits exported");
    Ok(if hits > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn cmd_count(dir: &std::path::Path, args: CountArgs) -> anyhow::Result<ExitCode> {
    use newsdex::report::count::{Bucketing, count, svg};
    let by = match args.by {
        ByArg::Day => Bucketing::Day,
        ByArg::Week => Bucketing::Week,
        ByArg::Month => Bucketing::Month,
        ByArg::Year => Bucketing::Year,
        ByArg::Source => Bucketing::Source,
        ByArg::Section => Bucketing::Section,
        ByArg::Author => Bucketing::Author,
    };
    let requests = args
        .queries
        .iter()
        .map(|q| request(q.clone(), &args.filters))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let engine = LocalEngine::open(dir)?;
    let table = count(&engine, &requests, by, args.share)?;
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
        ExitCode::from(1)
    })
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

fn cmd_eval(dir: &std::path::Path, args: EvalArgs) -> anyhow::Result<ExitCode> {
    use newsdex::report::eval::{EvalOptions, evaluate, read_qrels, read_topics};
    let engine = LocalEngine::open(dir)?;
    let topics = read_topics(&args.queries)?;
    let qrels = read_qrels(&args.qrels)?;
    let opts = EvalOptions {
        depth: 1000,
        proximity_weight: args.proximity_weight,
        run_name: args.run_name.clone(),
    };
    let mut run_file = match &args.run {
        Some(p) => Some(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot write {}", p.display()))?,
        )),
        None => None,
    };
    let report = evaluate(
        &engine,
        &topics,
        &qrels,
        &opts,
        run_file.as_mut().map(|w| w as &mut dyn Write),
    )?;
    if let Some(mut w) = run_file {
        w.flush()?;
    }
    let mut out = std::io::stdout().lock();
    match args.format {
        StatsFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        StatsFormat::Text => {
            if args.per_query {
                writeln!(
                    out,
                    "{:>6} {:>7} {:>7} {:>7} {:>7}",
                    "query", "AP", "nDCG@10", "P@10", "R@100"
                )?;
                for (q, m) in &report.per_query {
                    writeln!(
                        out,
                        "{q:>6} {:7.4} {:7.4} {:7.4} {:7.4}",
                        m.map, m.ndcg10, m.p10, m.recall100
                    )?;
                }
            }
            let m = report.mean;
            writeln!(
                out,
                "{}: {} queries  MAP {:.4}  nDCG@10 {:.4}  P@10 {:.4}  Recall@100 {:.4}",
                report.run_name, report.queries, m.map, m.ndcg10, m.p10, m.recall100
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_stats(dir: &std::path::Path, args: StatsArgs) -> anyhow::Result<ExitCode> {
    let engine = LocalEngine::open(dir)?;
    let s = stats::stats(&engine)?;
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
