//! `newsdex similar <ID>`: articles like one article, ranked by the same engine as `search`.

use std::process::ExitCode;

use crate::cli::SimilarArgs;
use crate::cmd::search::{output_format, print_results};
use crate::cmd::{open_engine, request};
use newsdex::output::TrecRun;

pub(crate) fn cmd_similar(dir: &std::path::Path, args: SimilarArgs) -> anyhow::Result<ExitCode> {
    let mut req = request(format!("like:{}", args.id), &args.filters)?;
    req.like = Some(args.id.clone());
    req.limit = args.limit;
    req.explain = args.explain;
    let engine = open_engine(dir)?;
    let results = engine.search(&req)?;
    let trec = TrecRun {
        qid: args.id,
        run_name: "newsdex-similar".to_string(),
    };
    print_results(
        &req,
        &results,
        output_format(args.format),
        args.color,
        &trec,
    )
}
