//! `newsdex search`: one page of ranked hits.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use crate::cli::{FormatArg, SearchArgs};
use crate::cmd::open_engine;
use crate::cmd::{request, use_color};
use newsdex::output::{OutputFormat, TextStyle, TrecRun, write_results};

pub(crate) fn cmd_search(dir: &std::path::Path, args: SearchArgs) -> anyhow::Result<ExitCode> {
    let mut req = request(args.query.join(" "), &args.filters)?;
    req.limit = args.limit;
    req.explain = args.explain;
    let engine = open_engine(dir)?;
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
