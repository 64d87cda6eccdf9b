//! The search layer: a [`SearchRequest`] in, ranked [`Hit`]s out.
//!
//! [`query`] turns what the user typed into a tantivy query, [`local`] ranks it over an index on
//! this machine and builds hits with snippets, [`kwic`] finds every occurrence in a body, and
//! [`tally`] counts matches by day or keyword. Everything above this layer (reports, the CLI,
//! the web server) talks to an engine only through the [`SearchEngine`] trait, so a remote
//! engine can stand behind the same commands.

pub mod expand;
pub mod expansion;
pub mod explain;
pub mod forms;
pub mod kwic;
pub mod languages;
pub mod local;
pub mod params;
pub(crate) mod passage;
pub mod plan;
pub mod query;
pub mod quickwit;
pub mod request;
pub mod tally;

use serde::Serialize;

use crate::error::Result;

pub use local::LocalEngine;
pub use params::RequestParams;
pub use quickwit::QuickwitEngine;
pub use request::{
    ArticleView, Filters, Hit, PROXIMITY_MAX_DF, PROXIMITY_SLOP, PROXIMITY_WEIGHT, SearchRequest,
    SearchResults, Snippet, SortOrder,
};
pub use tally::{Tally, TallyBy};

/// What an engine says about the articles it holds (for `stats` and export provenance).
#[derive(Clone, Debug, Serialize)]
pub struct EngineInfo {
    /// The index folder or the cluster's address.
    pub location: String,
    pub articles: u64,
    /// Opstamp of the last commit.
    pub last_commit: u64,
    pub segments: Vec<String>,
    /// Bytes on disk, when the engine can tell.
    pub size_bytes: Option<u64>,
    /// The near-copy threshold of the engine's clusters of copies, when it has them.
    pub near_copy_threshold: Option<f32>,
    /// The folders the articles were indexed from, when the engine knows them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub folders: Vec<crate::index::IndexedFolder>,
}

/// An engine that answers [`SearchRequest`]s: the one seam between the layers above (reports,
/// CLI, web server) and an index, local or remote. Every method takes the same request, so
/// `search`, `export` and `count` build and rank a query the same way whatever answers it.
pub trait SearchEngine: Send + Sync {
    /// The exact number of matches and the requested page of hits.
    fn search(&self, req: &SearchRequest) -> Result<SearchResults>;

    /// Every hit of the request in the request's order (its `limit` and `offset` are ignored),
    /// handed one at a time to `each` with the article's body. Returns the number of hits.
    fn for_each_hit(
        &self,
        req: &SearchRequest,
        each: &mut dyn FnMut(&Hit, &str) -> Result<()>,
    ) -> Result<usize>;

    /// Matches of `req` (every article when `None`) counted by day or by a keyword field.
    fn tally(&self, req: Option<&SearchRequest>, by: TallyBy) -> Result<(u64, Tally)>;

    /// What `req` looks for, to mark every occurrence in a body (KWIC, highlighting).
    fn matcher(&self, req: &SearchRequest) -> Result<kwic::Matcher>;

    /// The query the engine runs for `req`, in a readable form (for provenance).
    fn describe_query(&self, req: &SearchRequest) -> Result<String>;

    /// Where the articles are, how many, and which commit.
    fn info(&self) -> Result<EngineInfo>;

    /// One article whole, by its `id` (16 hex digits, as hits carry it) or, failing that, by
    /// the collection's own id (`docno`). `None` when no article has that id.
    fn article(&self, id: &str) -> Result<Option<ArticleView>>;

    /// Whether the engine knows clusters of copies (`collapse` in a request). An engine that
    /// does not refuses a request that asks for them.
    fn knows_copies(&self) -> bool {
        true
    }

    /// Moves on to the index's latest commit, so a long-running front end (the web server) sees
    /// what `newsdex index` added since it started. An engine that is always current does nothing.
    fn refresh(&self) -> Result<()> {
        Ok(())
    }
}
