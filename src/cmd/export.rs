//! `newsdex export`: every hit to a file or stdout, with provenance.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::cli::{ExportArgs, ExportFormatArg};
use crate::cmd::open_engine;
use crate::cmd::request;

pub(crate) fn cmd_export(dir: &std::path::Path, args: ExportArgs) -> anyhow::Result<ExitCode> {
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
    let engine = open_engine(dir)?;
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
                let n = export(&*engine, &queries, &opts, &mut w, &mut progress)?;
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
            let meta = Provenance::new(&*engine, &queries, &opts, n)?;
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
            let n = export(&*engine, &queries, &opts, &mut w, &mut progress)?;
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
