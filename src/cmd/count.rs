//! `newsdex count`: matches over time or by outlet, as a table, CSV, JSON or SVG (drawn by
//! `newsdex::output::count`).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;

use crate::cli::{CountArgs, CountFormat};
use crate::cmd::open_engine;
use crate::cmd::request;

pub(crate) fn cmd_count(dir: &std::path::Path, args: CountArgs) -> anyhow::Result<ExitCode> {
    use newsdex::output::count as output;
    use newsdex::report::count::count;
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
    let table = count(&*engine, &requests, args.by, args.share)?;
    if let Some(path) = &args.plot {
        std::fs::write(path, output::svg(&table))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let format = match args.format {
        CountFormat::Table => output::CountFormat::Table,
        CountFormat::Csv => output::CountFormat::Csv,
        CountFormat::Json => output::CountFormat::Json,
    };
    output::write(&mut out, &table, format)?;
    out.flush()?;
    Ok(if table.totals.iter().any(|&t| t > 0) {
        ExitCode::SUCCESS
    } else {
        let reqs: Vec<_> = requests.iter().collect();
        crate::cmd::search::explain_no_hits(&*engine, &reqs);
        ExitCode::from(1)
    })
}
