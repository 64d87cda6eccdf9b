//! `newsdex trace`: who said it first, and who copied whom.

use std::io::Write;
use std::process::ExitCode;

use crate::cli::{TraceArgs, TraceFormatArg};
use crate::cmd::{open_engine, request};
use newsdex::report::trace::{TraceFormat, phrase_query, trace, write};

pub(crate) fn cmd_trace(dir: &std::path::Path, args: TraceArgs) -> anyhow::Result<ExitCode> {
    let req = request(phrase_query(&args.query.join(" ")), &args.filters)?;
    let engine = open_engine(dir)?;
    let t = trace(&*engine, &req)?;
    let format = match args.format {
        TraceFormatArg::Text => TraceFormat::Text,
        TraceFormatArg::Jsonl => TraceFormat::Jsonl,
        TraceFormatArg::Csv => TraceFormat::Csv,
        TraceFormatArg::Md => TraceFormat::Md,
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    write(&mut out, &t, format)?;
    out.flush()?;
    Ok(if t.chain.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
