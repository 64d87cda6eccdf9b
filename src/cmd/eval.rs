//! `newsdex eval`: ranking quality on a judged collection.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;

use crate::cli::{EvalArgs, StatsFormat};
use crate::cmd::open_engine;

pub(crate) fn cmd_eval(dir: &std::path::Path, args: EvalArgs) -> anyhow::Result<ExitCode> {
    use newsdex::report::eval::{EvalOptions, evaluate, read_qrels, read_topics};
    let engine = open_engine(dir)?;
    let topics = read_topics(&args.queries)?;
    let qrels = read_qrels(&args.qrels)?;
    let opts = EvalOptions {
        depth: 1000,
        any: args.any,
        expand: args.expand,
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
        &*engine,
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
