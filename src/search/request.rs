//! What a search asks ([`SearchRequest`], [`Filters`], [`SortOrder`]) and what it answers
//! ([`SearchResults`], [`Hit`], [`Snippet`]): the shapes every engine and every front end share.

use std::ops::Range;

use serde::Serialize;
use time::Date;

/// Weight of the bonus for query words that occur close together (see [`Engine::proximity_bonus`]).
/// Off by default: on the judged collections every weight tried (0.1 to 2) lowered MAP and nDCG@10
/// (README, "Ranking quality"); `--proximity-weight` turns it on for experiments.
pub const PROXIMITY_WEIGHT: f32 = 0.0;
/// Words in more than this share of articles take no part in the proximity bonus.
pub const PROXIMITY_MAX_DF: f64 = 0.1;
/// How many positions apart two query words may be and still earn the proximity bonus.
pub const PROXIMITY_SLOP: u32 = 3;
/// Result order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// Best match first (BM25).
    #[default]
    Relevance,
    /// Most recent first.
    Newest,
    /// Oldest first.
    Oldest,
}

/// Restrictions that apply on top of the query.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Filters {
    /// First local calendar day included.
    pub since: Option<Date>,
    /// Last local calendar day included.
    pub until: Option<Date>,
    pub sources: Vec<String>,
    pub sections: Vec<String>,
    pub authors: Vec<String>,
    pub languages: Vec<String>,
}

/// One search.
#[derive(Clone, Debug, Serialize)]
pub struct SearchRequest {
    pub query: String,
    /// Match any word instead of all words ([`crate::search::plan`]).
    pub any: bool,
    /// Require every word, whatever the query's length and however few articles match
    /// ([`crate::search::plan`]).
    pub all: bool,
    pub filters: Filters,
    pub sort: SortOrder,
    pub limit: usize,
    pub offset: usize,
    /// Build snippets (costs a stored-document read per hit, which happens anyway, plus highlighting).
    pub snippets: bool,
    /// Explain each hit's score (which terms, fields and boosts).
    pub explain: bool,
    /// Words and phrases match exact word forms (no stemming), as with `=word`.
    pub exact: bool,
    /// `--recency DAYS`: favour recent articles. An article's score is multiplied by
    /// `1 + 1 / (1 + age / DAYS)`, its age counted in days back from the newest article in the
    /// index (so an archive of 1987 is not all "old"): up to ×2 for the newest, ×1.5 at DAYS old.
    pub recency_days: Option<f32>,
    /// Weight of the proximity bonus ([`PROXIMITY_WEIGHT`] by default; 0 turns it off).
    pub proximity_weight: f32,
    /// Expand the query with words of its best hits (pseudo-relevance feedback, RM3;
    /// [`crate::search::expand`]).
    pub expand: bool,
    /// Rank articles like the article with this id (its `id`, or the collection's `docno`)
    /// instead of reading `query` ("more like this"; [`crate::search::expand`]).
    pub like: Option<String>,
    /// One article per story (cluster of wire copies): `search` and `for_each_hit` return only
    /// the best-ranked member of each cluster and `total_hits` counts stories; `tally` counts
    /// stories, not articles (a story on the day of its earliest matching member).
    pub collapse: bool,
}

impl SearchRequest {
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            any: false,
            all: false,
            filters: Filters::default(),
            sort: SortOrder::Relevance,
            limit: 10,
            offset: 0,
            snippets: true,
            explain: false,
            exact: false,
            recency_days: None,
            proximity_weight: PROXIMITY_WEIGHT,
            expand: false,
            like: None,
            collapse: false,
        }
    }
}

/// A passage of an article with the matched words marked.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Snippet {
    pub text: String,
    /// Byte ranges of `text` to highlight.
    pub highlights: Vec<Range<usize>>,
}

/// One matching article.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hit {
    pub rank: usize,
    /// BM25 score (0 when sorted by date).
    pub score: f32,
    pub id: String,
    /// The collection's own id, when the format has one (TREC runs use it).
    pub docno: Option<String>,
    pub path: String,
    /// 0-based position of the article in a file that holds many (CSV row, JSON Lines line,
    /// SGML story, feed item), as rejection reports number them; 0 for a file of one article.
    pub record: u64,
    pub title: String,
    /// RFC 3339, UTC.
    pub published: Option<String>,
    pub date_source: Option<String>,
    pub source: Option<String>,
    pub authors: Vec<String>,
    pub url: Option<String>,
    pub section: Option<String>,
    pub language: Option<String>,
    /// Where `language` came from: `declared` or `detected`.
    pub language_source: Option<String>,
    pub word_count: u64,
    /// The story's id: the id of the earliest article of its cluster of copies (its own id when
    /// it has none).
    pub cluster: String,
    /// Articles in the cluster, this one included (1: no copies).
    pub copies: u32,
    /// Earliest publication time in the cluster (RFC 3339, UTC).
    pub first_seen: Option<String>,
    pub snippet: Snippet,
    /// Why the hit scored as it did (with `explain`), in words: one line per term (field,
    /// frequency, idf, weight, its share) and the total ([`crate::search::explain`]).
    pub explanation: Option<String>,
}

/// The outcome of a search.
#[derive(Clone, Debug, Serialize)]
pub struct SearchResults {
    /// Number of matching articles (all of them, not just those returned); stories with `collapse`.
    pub total_hits: usize,
    pub hits: Vec<Hit>,
    /// Every word was required, fewer than [`crate::search::plan::RELAX_BELOW_HITS`] articles
    /// had them all, so the hits are ranked with any word instead ([`crate::search::plan`]).
    pub relaxed: bool,
}

/// One article whole: what `newsdex show <ID>` prints and a front end serves for one article.
/// Metadata comes with its provenance (`date_source`, `source_from`, `section_from`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ArticleView {
    pub id: String,
    /// The collection's own id, when the format has one.
    pub docno: Option<String>,
    pub path: String,
    /// Position of the article in its file (see [`Hit::record`]).
    pub record: u64,
    /// Which reader produced it (`text`, `html`, `json`, `csv`, `sgml`, ...).
    pub format: Option<String>,
    pub title: String,
    /// RFC 3339, UTC.
    pub published: Option<String>,
    /// Where `published` came from: `header`, `meta`, `url`, `path`, `crawl`.
    pub date_source: Option<String>,
    /// When a crawler fetched the page (RFC 3339, UTC), kept beside `published`.
    pub crawled: Option<String>,
    pub source: Option<String>,
    /// Where `source` came from: `record`, `meta`, `title`, `url`, `path`.
    pub source_from: Option<String>,
    pub section: Option<String>,
    /// Where `section` came from: `record`, `meta`, `url`, `path`.
    pub section_from: Option<String>,
    pub authors: Vec<String>,
    pub url: Option<String>,
    pub language: Option<String>,
    /// Where `language` came from: `declared` or `detected`.
    pub language_source: Option<String>,
    pub tags: Vec<String>,
    pub word_count: u64,
    pub body: String,
}
