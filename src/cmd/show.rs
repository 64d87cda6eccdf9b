//! `newsdex show <ID>`: one article whole.

use std::process::ExitCode;

use crate::cli::{ShowArgs, StatsFormat};
use crate::cmd::open_engine;

pub(crate) fn cmd_show(dir: &std::path::Path, args: ShowArgs) -> anyhow::Result<ExitCode> {
    let engine = open_engine(dir)?;
    let Some(article) = engine.article(&args.id)? else {
        eprintln!(
            "newsdex: no article with id {:?} in the index at {}; ids are on every hit \
             (`newsdex search ...` prints them after the path; `id` in JSON and CSV)",
            args.id,
            dir.display()
        );
        return Ok(ExitCode::from(1));
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        StatsFormat::Json => newsdex::output::article::write_json(&mut out, &article)?,
        StatsFormat::Text => newsdex::output::article::write_text(&mut out, &article)?,
    }
    Ok(ExitCode::SUCCESS)
}
