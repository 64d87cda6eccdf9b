//! One module per command: each turns its parsed arguments into library calls and prints.
//! What several commands share (index location, colour, the search request from filter flags)
//! is here.

pub(crate) mod count;
pub(crate) mod eval;
pub(crate) mod export;
pub(crate) mod index;
pub(crate) mod push;
pub(crate) mod search;
pub(crate) mod serve;
pub(crate) mod show;
pub(crate) mod similar;
pub(crate) mod stats;
pub(crate) mod trace;
pub(crate) mod values;
pub(crate) mod watch;

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;

use crate::cli::{ColorArg, FilterArgs, SortArg};
use newsdex::search::{LocalEngine, RequestParams, SearchEngine, SearchRequest, SortOrder};

pub(crate) fn index_dir(cli_index: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(p) = cli_index {
        return Ok(p);
    }
    let base = dirs::data_dir().context(
        "cannot find a data folder for the index: pass --index DIR or set NEWSDEX_INDEX",
    )?;
    Ok(base.join("newsdex").join("index"))
}

pub(crate) fn use_color(arg: ColorArg) -> bool {
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

/// The search request the filter options describe (built by the library, as the web server's are).
pub(crate) fn request(query: String, f: &FilterArgs) -> anyhow::Result<SearchRequest> {
    Ok(RequestParams {
        query,
        any: f.any,
        all: f.all,
        exact: f.exact,
        sort: match f.sort {
            SortArg::Relevance => SortOrder::Relevance,
            SortArg::Newest => SortOrder::Newest,
            SortArg::Oldest => SortOrder::Oldest,
        },
        since: f.since.clone(),
        until: f.until.clone(),
        sources: f.source.clone(),
        sections: f.section.clone(),
        authors: f.author.clone(),
        languages: f.lang.clone(),
        proximity_weight: Some(f.proximity_weight),
        recency_days: f.recency,
        // Each command decides: search on a terminal collapses by default, export and count
        // only when asked (--collapse, --unique).
        collapse: false,
    }
    .build()?)
}

/// `--engine` / `NEWSDEX_ENGINE`, set once by `main` before a command runs.
static ENGINE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();

pub(crate) fn choose_engine(engine: Option<String>) {
    let _ = ENGINE.set(engine.filter(|e| !e.trim().is_empty()));
}

/// Ends a one-shot command's use of what it opened (its engine, its results) without closing
/// it: the process is about to exit, and the kernel unmaps an index's files in one pass at exit,
/// where dropping the engine unmaps them one call at a time (a dozen `munmap`s for a
/// two-segment index, each clearing the pages the search touched).
pub(crate) fn leave_for_exit<T>(value: T) {
    std::mem::forget(value);
}

/// The engine that answers this command's queries: the index at `dir`, or the Quickwit cluster
/// index `--engine quickwit://HOST:PORT/INDEX` names. Every command that searches opens its
/// engine here, so another engine can stand behind all of them at once.
pub(crate) fn open_engine(dir: &std::path::Path) -> anyhow::Result<Box<dyn SearchEngine>> {
    match ENGINE.get().and_then(Option::as_deref) {
        None | Some("local") => Ok(Box::new(LocalEngine::open(dir)?)),
        Some(url) => Ok(Box::new(newsdex::search::QuickwitEngine::open(url)?)),
    }
}
