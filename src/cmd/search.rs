//! `newsdex search`: one page of ranked hits.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use crate::cli::{ColorArg, FormatArg, SearchArgs};
use crate::cmd::{leave_for_exit, open_engine};
use crate::cmd::{request, use_color};
use newsdex::output::{OutputFormat, TextStyle, TrecRun, write_results};
use newsdex::search::{SearchEngine, SearchRequest, SearchResults};

pub(crate) fn cmd_search(dir: &std::path::Path, args: SearchArgs) -> anyhow::Result<ExitCode> {
    let mut req = request(args.query.join(" "), &args.filters)?;
    req.limit = args.limit;
    req.explain = args.explain;
    req.expand = args.expand;
    let format = output_format(args.format);
    // A reader at a terminal wants stories, not the same wire story five times; a script gets
    // every article unless it asks.
    let engine = open_engine(dir)?;
    req.collapse = if args.collapse {
        true
    } else if args.no_collapse {
        false
    } else {
        format == OutputFormat::Text && std::io::stdout().is_terminal() && engine.knows_copies()
    };
    let results = engine.search(&req)?;
    let trec = TrecRun {
        qid: args.qid,
        run_name: args.run_name,
    };
    let code = print_results(&req, &results, format, args.color, &trec)?;
    if results.total_hits == 0 {
        explain_no_hits(&*engine, &[&req]);
    }
    leave_for_exit((engine, results));
    Ok(code)
}

/// After a search, count or export that found nothing: the active filters, close names for
/// values the index does not hold, and the count without the filters, on stderr. Advice only:
/// if the engine cannot give it, nothing is printed and the exit code stays 1.
pub(crate) fn explain_no_hits(engine: &dyn SearchEngine, requests: &[&SearchRequest]) {
    if let Ok(lines) = newsdex::report::nohits::no_hits_advice(engine, requests) {
        for l in lines {
            eprintln!("{l}");
        }
    }
}

/// The output format asked for, or text on a terminal and JSON Lines when piped.
pub(crate) fn output_format(format: Option<FormatArg>) -> OutputFormat {
    match format {
        Some(FormatArg::Text) => OutputFormat::Text,
        Some(FormatArg::Jsonl) => OutputFormat::Jsonl,
        Some(FormatArg::Json) => OutputFormat::Json,
        Some(FormatArg::Csv) => OutputFormat::Csv,
        Some(FormatArg::Trec) => OutputFormat::Trec,
        None if std::io::stdout().is_terminal() => OutputFormat::Text,
        None => OutputFormat::Jsonl,
    }
}

/// Prints a page of hits in the chosen format (text on a terminal, JSON Lines when piped) and
/// gives the exit code: 0 with hits, 1 without.
pub(crate) fn print_results(
    req: &SearchRequest,
    results: &SearchResults,
    format: OutputFormat,
    color: ColorArg,
    trec: &TrecRun,
) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let style = TextStyle {
        color: use_color(color),
    };
    let mut out = std::io::BufWriter::new(stdout.lock());
    write_results(&mut out, req, results, format, &style, trec)?;
    out.flush()?;
    if format == OutputFormat::Csv {
        let n = results.total_hits;
        eprintln!("{n} {}", if n == 1 { "hit" } else { "hits" });
    }
    // JSON output carries `"relaxed": true` instead.
    if results.relaxed && !matches!(format, OutputFormat::Json | OutputFormat::Jsonl) {
        eprintln!("{}", newsdex::search::plan::relaxed_note());
    }
    Ok(if results.total_hits > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
