//! `newsdex export`: every hit to a file or stdout, with provenance.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use crate::cli::{ExportArgs, ExportFormatArg};
use crate::cmd::open_engine;
use crate::cmd::request;
use newsdex::output::sanitize;
use newsdex::output::target::{OutputFile, remove_unfinished};
use newsdex::report::export::{
    Column, ExportFormat, ExportOptions, Labelled, Provenance, export, read_query_batch,
};

pub(crate) fn cmd_export(dir: &std::path::Path, args: ExportArgs) -> anyhow::Result<ExitCode> {
    let queries = labelled_queries(&args)?;
    let opts = export_options(&args)?;
    let engine = open_engine(dir)?;
    let bar = export_bar(
        &*engine,
        &queries,
        !args.quiet && args.output.is_some() && std::io::stderr().is_terminal(),
    )?;
    let mut progress = |n: u64| {
        if n.is_multiple_of(PROGRESS_STEP) {
            bar.set_position(n);
        }
    };
    let to_file = args.output.as_deref().filter(|p| p.as_os_str() != "-");
    let hits = match to_file {
        Some(path) => {
            // Written beside the target under another name and renamed when complete, so a
            // full disk or a Ctrl-C never leaves a half export that looks whole; a FIFO, a
            // device or a link at the path is refused, not replaced.
            let mut meta_path = path.as_os_str().to_owned();
            meta_path.push(".meta.json");
            let meta_path = PathBuf::from(meta_path);
            let mut out = OutputFile::create(path)?;
            let mut meta_out = OutputFile::create(&meta_path)?;
            remove_partials_on_interrupt(path);
            let context = || {
                format!(
                    "cannot write the export to {} (nothing half-written is left behind)",
                    path.display()
                )
            };
            let n =
                export(&*engine, &queries, &opts, &mut out, &mut progress).with_context(context)?;
            out.finish().with_context(context)?;
            let meta = Provenance::new(&*engine, &queries, &opts, n)?;
            meta_out.write_all(&serde_json::to_vec_pretty(&meta)?)?;
            meta_out
                .finish()
                .with_context(|| format!("cannot write {}", meta_path.display()))?;
            n
        }
        None => {
            let mut w = std::io::BufWriter::new(std::io::stdout().lock());
            let n = export(&*engine, &queries, &opts, &mut w, &mut progress)?;
            w.flush()?;
            n
        }
    };
    bar.finish_and_clear();
    if !args.quiet {
        eprintln!("{hits} {} exported", if hits == 1 { "hit" } else { "hits" });
    }
    Ok(if hits > 0 {
        ExitCode::SUCCESS
    } else {
        if !args.quiet {
            let reqs: Vec<_> = queries.iter().map(|q| &q.request).collect();
            crate::cmd::search::explain_no_hits(&*engine, &reqs);
        }
        ExitCode::from(1)
    })
}

/// The queries to export: one from the command line, or each line of `--queries FILE` with its
/// label.
fn labelled_queries(args: &ExportArgs) -> anyhow::Result<Vec<Labelled>> {
    Ok(match &args.queries {
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
                    let mut request = request(q, &args.filters)?;
                    request.collapse = args.collapse;
                    Ok(Labelled {
                        label: Some(label),
                        request,
                    })
                })
                .collect::<anyhow::Result<_>>()?
        }
        None => {
            let mut request = request(args.query.join(" "), &args.filters)?;
            request.collapse = args.collapse;
            vec![Labelled {
                label: None,
                request,
            }]
        }
    })
}

/// The format, columns and options of the export, as the command line gives them.
fn export_options(args: &ExportArgs) -> anyhow::Result<ExportOptions> {
    Ok(ExportOptions {
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
    })
}

/// The progress bar moves every this many hits.
const PROGRESS_STEP: u64 = 1000;

/// The export's progress bar on a terminal: hits written out of the hits the queries have
/// (counted before the export starts). Hidden, and nothing counted, when `visible` is false.
fn export_bar(
    engine: &dyn newsdex::search::SearchEngine,
    queries: &[Labelled],
    visible: bool,
) -> anyhow::Result<indicatif::ProgressBar> {
    if !visible {
        return Ok(crate::progress::bar(false, None, None));
    }
    let total = newsdex::report::export::hit_count(engine, queries)?;
    let bar = crate::progress::bar(
        true,
        Some(total),
        Some("{wide_bar} {human_pos}/{human_len} hits ({per_sec}, ETA {eta})"),
    );
    // Drawn at once, so even an export shorter than one step shows its total.
    bar.tick();
    Ok(bar)
}

/// Ctrl-C (or SIGTERM) during an export to a file: remove the unfinished `.partial` files, say
/// so, and exit 130, leaving whatever was at the target as it was.
fn remove_partials_on_interrupt(target: &Path) {
    let target = target.to_path_buf();
    let _ = ctrlc::set_handler(move || {
        let removed = remove_unfinished();
        let names: Vec<String> = removed
            .iter()
            .map(|p| sanitize::for_terminal(&p.display().to_string()).into_owned())
            .collect();
        eprintln!(
            "newsdex: export interrupted; removed {}. Nothing was written to {}",
            if names.is_empty() {
                "nothing".to_string()
            } else {
                names.join(", ")
            },
            sanitize::for_terminal(&target.display().to_string())
        );
        std::process::exit(130);
    });
}
