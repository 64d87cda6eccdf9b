//! The command line, as the user types it (clap derive only; no logic).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use newsdex::output::count::Bucketing;

#[derive(Debug, Parser)]
#[command(
    name = "newsdex",
    version,
    args_override_self = true,
    about = "Full-text search for news archives: index a folder of articles, search it ranked, export what you find.",
    after_help = "Exit codes: 0 = found / done, 1 = no hits (search) or rejected input with --strict (index), 2 = error.\n\
                  Queries that start with '-' go after `--`: newsdex search -- -vintage caravan"
)]
pub struct Cli {
    /// Index folder [default: $NEWSDEX_INDEX, else your data folder, e.g. ~/.local/share/newsdex/index].
    #[arg(long, global = true, env = "NEWSDEX_INDEX", value_name = "DIR")]
    pub index: Option<PathBuf>,

    /// Search a Quickwit cluster instead of the local index: quickwit://HOST:PORT/INDEX
    /// (filled with `newsdex push`; used by search, export, count, stats and eval).
    #[arg(long, global = true, env = "NEWSDEX_ENGINE", value_name = "URL")]
    pub engine: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index (or update the index of) folders of articles.
    Index(Lazy<IndexArgs>),
    /// Search the index; prints ranked hits with highlighted snippets.
    Search(Lazy<SearchArgs>),
    /// Show what is in the index: articles, outlets, date range, size.
    Stats(Lazy<StatsArgs>),
    /// Merge the index into one segment (faster searches on archives that rarely change).
    Optimize,
    /// Write every hit of a query (not just the top ten) to CSV, TSV, JSON Lines, JSON or Markdown.
    Export(Lazy<ExportArgs>),
    /// Count matching articles over time (or by outlet, section, author); several queries side by side.
    Count(Lazy<CountArgs>),
    /// Who said it first: the earliest article with a quotation, then each outlet's first
    /// appearance, with its story (cluster of copies), the sentence, and whether the wording differs.
    Trace(Lazy<TraceArgs>),
    /// Run a saved set of queries and print only the hits that are new since the last watch
    /// (text, JSON Lines, CSV, or an RSS/Atom feed file); for cron after `newsdex index`.
    Watch(Lazy<WatchArgs>),
    /// Score the ranking against relevance judgments: MAP, nDCG@10, P@10, Recall@100.
    Eval(Lazy<EvalArgs>),
    /// Print one article whole: title, metadata (with where each value came from) and body.
    /// IDs are on every hit (`id` in JSON and CSV, after the path in text).
    Show(Lazy<ShowArgs>),
    /// Articles like one article ("more like this"): its near-copies and follow-ups first.
    Similar(Lazy<SimilarArgs>),
    /// Verify the index: every file present and matching its checksum, every article readable.
    /// Exits 0 when healthy, 1 when damaged (then rebuild with `newsdex index --full <DIR>`).
    Check(Lazy<StatsArgs>),
    /// Serve a search page and a JSON API on this machine (http://127.0.0.1:8080 by default).
    Serve(Lazy<ServeArgs>),
    /// Copy the index to a Quickwit cluster (the first time everything, then only what changed).
    Push(Lazy<PushArgs>),
}

/// A subcommand's options, built only when that subcommand runs or shows its help (clap's
/// `Command::defer`). The derive would otherwise build all fourteen subcommands' options at every
/// start: most of the argument parsing of a one-shot `newsdex search`.
#[derive(Debug)]
pub struct Lazy<T>(pub T);

impl<T: clap::FromArgMatches> clap::FromArgMatches for Lazy<T> {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(Lazy)
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }
}

/// `augment(cmd)`, keeping the subcommand's own description: built after it, the options would
/// replace it with the doc comment of a struct they flatten in (`QueryArgs`).
fn keeping_about(cmd: clap::Command, augment: fn(clap::Command) -> clap::Command) -> clap::Command {
    let about = cmd.get_about().cloned();
    let long_about = cmd.get_long_about().cloned();
    let cmd = augment(cmd);
    let cmd = match about {
        Some(text) => cmd.about(text),
        None => cmd.about(None::<&str>),
    };
    match long_about {
        Some(text) => cmd.long_about(text),
        None => cmd.long_about(None::<&str>),
    }
}

impl<T: Args> Args for Lazy<T> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd.defer(|cmd| keeping_about(cmd, T::augment_args))
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd.defer(|cmd| keeping_about(cmd, T::augment_args_for_update))
    }

    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }
}

#[derive(Debug, Args)]
pub struct PushArgs {
    /// The cluster index to fill: quickwit://HOST:PORT/INDEX (created when absent).
    #[arg(long, required_unless_present = "dry_run", value_name = "URL")]
    pub to: Option<String>,
    /// Send nothing: write the index config (index-config.yaml) and every article
    /// (articles.ndjson) to this folder, for your own ingest pipeline.
    #[arg(long, value_name = "DIR")]
    pub dry_run: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Folders to index (searched recursively).
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Rebuild the index from scratch instead of updating it.
    #[arg(long)]
    pub full: bool,
    /// Worker threads [default: all cores].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Memory budget of the indexer, in MB: half for the index writer's buffers, half for
    /// reading files and queueing and writing documents.
    #[arg(long, value_name = "MB", default_value_t = 256)]
    pub memory: usize,
    /// Commit at least every this many seconds (an interrupted run keeps what was committed).
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0, value_parser = crate::cmd::values::seconds)]
    pub commit_every: f64,
    /// ...and at least every this many MB of input read.
    #[arg(long, value_name = "MB", default_value_t = 256)]
    pub commit_mb: u64,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also print where the time went, step by step (walk, read and index, commit, merge, ...).
    #[arg(long)]
    pub timings: bool,
    /// Exit with 1 when any file or record was rejected.
    #[arg(long)]
    pub strict: bool,
    /// Which JSON keys / CSV columns hold which field, e.g. body=story_text,published=ts
    /// (remembered by the index for later runs).
    #[arg(long, value_name = "FIELD=KEY,...")]
    pub map: Option<String>,
    /// CSV/TSV files have no header row: columns are numbered from 1 (`--map title=2,body=3`).
    /// Without it, newsdex decides per file whether the first row names the columns.
    /// Remembered with `--map` (giving `--map` again without it turns it off).
    #[arg(long)]
    pub no_header: bool,
    /// What the folder layout means, e.g. '{source}/{yyyy}/{mm}/{dd}/*' (remembered by the index).
    #[arg(long, value_name = "PATTERN")]
    pub path_pattern: Option<String>,
    /// The outlet of the articles in these folders whose files name none, e.g. a wire archive
    /// (remembered for these folders; --source '' forgets it).
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// One outlet name for a URL host or another spelling, e.g. "swsentinel.example=Southwest
    /// Sentinel" (repeatable; remembered by the index; a change re-reads every file; KEY= forgets).
    #[arg(long, value_name = "HOST-OR-NAME=OUTLET")]
    pub alias: Vec<String>,
    /// How all-numeric dates like 03/04/2018 are read: month first (mdy, the default) or day
    /// first (dmy). Remembered by the index; a change re-reads every file.
    #[arg(long, value_enum)]
    pub date_order: Option<DateOrderArg>,
    /// How many times a headline counts in ranking (1 = plain BM25 over headline + body;
    /// remembered by the index; a change re-reads every file).
    #[arg(long, value_name = "N")]
    pub title_weight: Option<u32>,
    /// Estimated share of shared 5-word shingles (Jaccard, 0.05-1) at which two articles' bodies
    /// count as copies of one story [default: 0.6; remembered by the index; no re-reading].
    #[arg(long, value_name = "J")]
    pub near_copy_threshold: Option<f32>,
    /// Write every rejected file or record (and warning) to this file as JSON Lines.
    #[arg(long, value_name = "FILE.jsonl")]
    pub report: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query: words (all required), "phrases", OR, -exclusion, field:value (see README).
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// How many hits to show.
    #[arg(long, short = 'n', default_value_t = 10, value_name = "N")]
    pub limit: usize,
    /// Output format [default: text on a terminal, jsonl when piped].
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<FormatArg>,
    /// Query id for `--format trec`.
    #[arg(long, default_value = "1", value_name = "ID")]
    pub qid: String,
    /// Run name for `--format trec`.
    #[arg(long, default_value = "newsdex", value_name = "NAME")]
    pub run_name: String,
    /// Show why each hit scored as it did: each term's field, frequency, idf, weight, and the total.
    #[arg(long)]
    pub explain: bool,
    /// Add words from the best hits to the query (pseudo-relevance feedback): finds articles that
    /// use other words for the same thing; can drift on narrow queries, so it is opt-in.
    #[arg(long)]
    pub expand: bool,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// One row per story: wire copies and re-crawls of an article fold into its best-ranked
    /// member, shown with "+N copies" [default: on for text on a terminal, off otherwise].
    #[arg(long, overrides_with = "no_collapse")]
    pub collapse: bool,
    /// Show every copy as its own row (the default for JSON, CSV and piped output).
    #[arg(long)]
    pub no_collapse: bool,
}

/// How a query is read, filtered and ordered (shared by search, export and count).
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Match articles with any of the words, not all of them.
    #[arg(long, conflicts_with = "all")]
    pub any: bool,
    /// Require every word, even in a long query or when few articles have them all (by default a
    /// query of 5+ words, or one whose words are all in fewer than 10 articles, ranks by any word).
    #[arg(long)]
    pub all: bool,
    /// Match exact word forms, not stems (as `=word` does for one word): for checking quotations.
    #[arg(long)]
    pub exact: bool,
    /// Order of hits.
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
    /// Only articles published on or after this day (YYYY, YYYY-MM or YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only articles published on or before this day (YYYY, YYYY-MM or YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only this outlet (exact name, any case; repeat for several).
    #[arg(long, value_name = "NAME")]
    pub source: Vec<String>,
    /// Only this section (repeatable).
    #[arg(long, value_name = "NAME")]
    pub section: Vec<String>,
    /// Only this author (repeatable).
    #[arg(long, value_name = "NAME")]
    pub author: Vec<String>,
    /// Only this language code (repeatable).
    #[arg(long, value_name = "CODE")]
    pub lang: Vec<String>,
    /// Weight of the bonus for query words standing close together (0 = off, the measured best).
    #[arg(long, value_name = "W", default_value_t = newsdex::search::PROXIMITY_WEIGHT, value_parser = crate::cmd::values::weight)]
    pub proximity_weight: f32,
    /// Favour recent articles: a score is multiplied by up to 2 for the newest article in the
    /// index, 1.5 at DAYS older, fading with age (relevance order only).
    #[arg(long, value_name = "DAYS", value_parser = crate::cmd::values::days)]
    pub recency: Option<f32>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The query (same syntax as search); or give --queries FILE.
    #[arg(value_name = "QUERY", required_unless_present = "queries")]
    pub query: Vec<String>,
    /// Many queries in one file (one per line, or `name<TAB>query`): one output with a `query` column.
    #[arg(long, value_name = "FILE")]
    pub queries: Option<std::path::PathBuf>,
    /// One row per occurrence of the query's words (a phrase counts once), with N words of
    /// context each side: a keyword-in-context concordance.
    #[arg(long, value_name = "N")]
    pub kwic: Option<usize>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Write to this file (and its provenance to FILE.meta.json) instead of standard output (`-`:
    /// standard output). A named pipe, a device or a symbolic link at the path is refused.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    /// File format.
    #[arg(long, short = 'f', value_enum, default_value_t = ExportFormatArg::Csv)]
    pub format: ExportFormatArg,
    /// Columns, comma-separated: id, rank, score, published, source, title, authors, url, path,
    /// section, language, word_count, snippet, body, matches, cluster, copies, first_seen.
    #[arg(long, value_name = "LIST")]
    pub fields: Option<String>,
    /// One row per story: only the best-ranked article of each cluster of copies.
    #[arg(long)]
    pub collapse: bool,
    /// For Excel: a UTF-8 BOM, and cells starting with = + - @ made harmless.
    #[arg(long)]
    pub excel: bool,
    /// Run name for `--format trec`.
    #[arg(long, default_value = "newsdex", value_name = "NAME")]
    pub run_name: String,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct CountArgs {
    /// One or more queries (each argument is one query; quote multi-word queries).
    #[arg(required = true, value_name = "QUERY")]
    pub queries: Vec<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Buckets: calendar day, ISO week, month or year of publication, or outlet, section, author.
    #[arg(long, default_value = "month", value_parser = bucketing_parser())]
    pub by: Bucketing,
    /// Divide by all articles in the bucket: coverage share rather than raw volume.
    #[arg(long)]
    pub share: bool,
    /// Count stories, not copies: a cluster of wire copies counts once (in the bucket of its
    /// earliest matching article; once per outlet with --by source). With --share, divides by
    /// all stories in the bucket.
    #[arg(long)]
    pub unique: bool,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = CountFormat::Table)]
    pub format: CountFormat,
    /// Also draw the counts as an SVG timeline (axes, dates, legend, one line per query).
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct TraceArgs {
    /// The quotation or phrase (searched as one phrase unless it has its own quotes).
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = TraceFormatArg::Text)]
    pub format: TraceFormatArg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DateOrderArg {
    Mdy,
    Dmy,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TraceFormatArg {
    Text,
    Jsonl,
    Csv,
    Md,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The saved queries: one per line, or `name<TAB>query`; `#` starts a comment.
    #[arg(value_name = "QUERIES-FILE")]
    pub queries: std::path::PathBuf,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Output format: text, jsonl, csv (the new hits), or rss/atom (a feed of the latest new hits).
    #[arg(long, short = 'f', value_enum, default_value_t = WatchFormatArg::Text)]
    pub format: WatchFormatArg,
    /// Write to this file instead of standard output (a feed reader can follow an rss/atom file).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    /// Show the new hits but do not move the checkpoint (the next watch shows them again).
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum WatchFormatArg {
    Text,
    Jsonl,
    Csv,
    Rss,
    Atom,
}

/// `--by`: the names of [`Bucketing`] (listed in `--help` and in the error for another word).
fn bucketing_parser() -> impl clap::builder::TypedValueParser<Value = Bucketing> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Bucketing::ALL.map(Bucketing::name))
        .try_map(|name| name.parse::<Bucketing>())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CountFormat {
    Table,
    Csv,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormatArg {
    Csv,
    Tsv,
    Jsonl,
    Json,
    Md,
    Trec,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Topics: a SMART query file (cran.qry, CISI.QRY, MED.QRY) or `id<TAB>query` lines.
    #[arg(long, value_name = "FILE")]
    pub queries: std::path::PathBuf,
    /// Relevance judgments: TREC (`qid iter docno grade`), CISI/MEDLINE or Cranfield qrels.
    #[arg(long, value_name = "FILE")]
    pub qrels: std::path::PathBuf,
    /// Also write the ranking as a TREC run file (for trec_eval).
    #[arg(long, value_name = "FILE")]
    pub run: Option<std::path::PathBuf>,
    /// Name of the run (TREC run files and the report).
    #[arg(long, default_value = "newsdex")]
    pub run_name: String,
    /// Rank each topic with any of its words, as `search --any` does (default: as `search` does).
    #[arg(long)]
    pub any: bool,
    /// Expand each topic with words of its best hits, as `search --expand` does.
    #[arg(long)]
    pub expand: bool,
    /// Weight of the proximity bonus (0 leaves it out, to measure what it adds).
    #[arg(long, value_name = "W", default_value_t = newsdex::search::PROXIMITY_WEIGHT, value_parser = crate::cmd::values::weight)]
    pub proximity_weight: f32,
    /// Print every query's measures, not only the means.
    #[arg(long)]
    pub per_query: bool,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = StatsFormat::Text)]
    pub format: StatsFormat,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The article's id (16 hex digits, from a hit) or the collection's own id (docno).
    #[arg(value_name = "ID")]
    pub id: String,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = StatsFormat::Text)]
    pub format: StatsFormat,
}

#[derive(Debug, Args)]
pub struct SimilarArgs {
    /// The article: its `id` (as search prints it) or the collection's own document number.
    #[arg(value_name = "ID")]
    pub id: String,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// How many articles to show.
    #[arg(long, short = 'n', default_value_t = 10, value_name = "N")]
    pub limit: usize,
    /// Output format [default: text on a terminal, jsonl when piped].
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<FormatArg>,
    /// Show why each article scored as it did.
    #[arg(long)]
    pub explain: bool,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on (0: any free port; the address is printed).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on. Anything but a loopback address lets other machines read the
    /// archive: there is no login.
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: std::net::IpAddr,
    /// Open the page in the default browser once the server is listening.
    #[arg(long)]
    pub open: bool,
    /// Longest a search, count or article may take, in seconds, before it is answered with 503.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub time_limit: f64,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = StatsFormat::Text)]
    pub format: StatsFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Text,
    Jsonl,
    Json,
    Csv,
    Trec,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    Relevance,
    Newest,
    Oldest,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatsFormat {
    Text,
    Json,
}
