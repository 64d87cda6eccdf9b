//! A newsdex index on a Quickwit cluster: where it is ([`Target`]), how to talk to it
//! ([`Client`], a small blocking HTTP client), what its documents look like ([`doc_mapping_yaml`],
//! [`RemoteDoc`]).
//!
//! Quickwit 0.8 has no stemmer and no per-language analysis, so newsdex analyses the text itself:
//! every field the local index analyses (`text`, `exact`, `title`, `body`, `url`) is sent as its
//! analysed tokens, separated by spaces, into a Quickwit field of the same name indexed with the
//! `whitespace` tokenizer (positions and fieldnorms on). Keyword fields (`source`, `authors`,
//! ...) are sent in the form the local `keyword` analyzer gives them. What a hit shows (the title,
//! the body, the outlet as written) is sent apart, stored and not indexed, under `stored_<name>`.
//! So a term, phrase or boolean query over the same terms scores with the same BM25 statistics.
//!
//! This lives in the index layer because it is the shape of an index and the connection to it;
//! the remote search engine (`search::quickwit`) and `newsdex push` (`index::push`) both use it.

use std::time::Duration;

use serde_json::{Map, Value, json};
use tantivy::TantivyDocument;
use tantivy::schema::{FieldType, IndexRecordOption, Schema, Value as _};
use tantivy::tokenizer::TextAnalyzer;

use crate::error::{Error, Result};
use crate::index::schema::{
    self, FORMS_TOKENIZER, Fields, KEYWORD_TOKENIZER, NEWS_TOKENIZER, PLAIN_TOKENIZER,
    normalize_keyword,
};

/// The Quickwit version newsdex speaks (major.minor).
pub const QUICKWIT_VERSION: &str = "0.8";

/// Fields that hold several values per article (sent as JSON arrays).
pub const MULTI_VALUED: &[&str] = &["text", "exact", "authors", "tags"];

/// Fields the cluster does not get: the signatures of wire copies (`index::clusters`), which
/// only the local engine turns into clusters (the remote engine refuses `collapse`).
pub const LOCAL_ONLY: &[&str] = &["article_key", "exact_hash", "minhash", "body_at"];

/// Added to the schema's fields on the cluster: the article's push order, a fast field used to
/// break ties in ranking the way the local index does (by document order).
pub const SEQ_FIELD: &str = "seq";

/// Prefix of the stored, unindexed copy of a field as the article wrote it.
pub const STORED_PREFIX: &str = "stored_";

/// How long a split may still be merged; deletions apply to a split only after it.
pub const MATURATION: &str = "2m";

/// Largest ingest request sent (Quickwit refuses bodies over 10 MB).
pub const MAX_BATCH_BYTES: usize = 8 * 1024 * 1024;

/// The doc mapping kept in the repository; a test checks it equals [`doc_mapping_yaml`].
pub const INDEX_CONFIG_FILE: &str = "quickwit/newsdex-index.yaml";

/// Where a newsdex index lives on a cluster: `quickwit://HOST:PORT/INDEX`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// `http://HOST:PORT`
    pub base: String,
    pub index_id: String,
}

impl Target {
    /// Reads `quickwit://HOST:PORT/INDEX` (or `http://HOST:PORT/INDEX`, `https://...`).
    pub fn parse(url: &str) -> Result<Target> {
        let bad = |why: &str| {
            Error::Usage(format!(
                "`{url}` is not a Quickwit address ({why}): write quickwit://HOST:PORT/INDEX, e.g. quickwit://127.0.0.1:7280/news"
            ))
        };
        let (scheme, rest) = url.split_once("://").ok_or_else(|| bad("no scheme"))?;
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "quickwit" | "http" => "http",
            "https" => "https",
            _ => return Err(bad("the scheme must be quickwit://")),
        };
        let (host, index) = rest
            .trim_end_matches('/')
            .split_once('/')
            .ok_or_else(|| bad("no index name after the host"))?;
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let index_id = index.to_string();
        let valid_id = index_id.len() >= 3
            && index_id.len() <= 255
            && index_id.starts_with(|c: char| c.is_ascii_alphabetic())
            && index_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid_id {
            return Err(bad(
                "an index name has 3 to 255 letters, digits, `-`, `_` or `.`, and starts with a letter",
            ));
        }
        let host = if host.contains(':') {
            host.to_string()
        } else {
            format!("{host}:7280")
        };
        Ok(Target {
            base: format!("{scheme}://{host}"),
            index_id,
        })
    }

    /// `quickwit://HOST:PORT/INDEX`, as the user writes it.
    pub fn url(&self) -> String {
        let host = self
            .base
            .split_once("://")
            .map_or(self.base.as_str(), |(_, h)| h);
        format!("quickwit://{host}/{}", self.index_id)
    }
}

/// Environment variable: how many seconds, in all, one request may spend waiting between retries
/// of a transient refusal (default [`DEFAULT_RETRY_SECS`]).
pub const RETRY_SECS_ENV: &str = "NEWSDEX_REMOTE_RETRY_SECS";

/// Default of [`RETRY_SECS_ENV`].
pub const DEFAULT_RETRY_SECS: u64 = 60;

/// How a request that met a transient refusal is retried: waits that double from `first` up to
/// `max` (deterministic, no jitter), until they would add up to more than `budget`.
///
/// Transient: HTTP 429 (too many requests) and 503 (unavailable: Quickwit 0.8 answers it when its
/// ingest router has no shard open yet, e.g. right after an index is created, or when a node is
/// overloaded), and a connection reset or closed by the server mid-request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
    pub budget: Duration,
}

impl Backoff {
    /// 0.25 s, 0.5 s, 1 s, ... 8 s, 8 s, ... within `budget`.
    pub fn with_budget(budget: Duration) -> Backoff {
        Backoff {
            first: Duration::from_millis(250),
            max: Duration::from_secs(8),
            budget,
        }
    }

    /// The budget from [`RETRY_SECS_ENV`] (a number of seconds; 0 turns retries off), else the
    /// default. A value that is not a number is a usage error.
    pub fn from_env() -> Result<Backoff> {
        let secs = match std::env::var(RETRY_SECS_ENV) {
            Ok(v) => v.trim().parse::<u64>().map_err(|_| {
                Error::Usage(format!(
                    "{RETRY_SECS_ENV}={v:?} is not a number of seconds: write e.g. \
                     {RETRY_SECS_ENV}=300, or unset it for the default ({DEFAULT_RETRY_SECS})"
                ))
            })?,
            Err(_) => DEFAULT_RETRY_SECS,
        };
        Ok(Backoff::with_budget(Duration::from_secs(secs)))
    }

    /// The wait before retry number `retry` (1 for the first) when `waited` has already been
    /// spent waiting, or `None` when the budget is spent. `hint` is the server's `Retry-After`:
    /// never waited less than that (but never past the budget).
    pub fn delay(&self, retry: u32, waited: Duration, hint: Option<Duration>) -> Option<Duration> {
        let left = self.budget.checked_sub(waited).filter(|d| !d.is_zero())?;
        let doubling = 2u32
            .checked_pow(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let step = self.first.saturating_mul(doubling).min(self.max);
        Some(hint.map_or(step, |h| h.max(step)).min(left))
    }
}

/// Whether an HTTP status is a transient refusal worth retrying (the request was not carried out).
pub fn transient_status(status: u16) -> bool {
    matches!(status, 429 | 503)
}

/// Whether a transport error is the server dropping the connection mid-request (worth retrying).
/// A refused connection is not: nothing listens there, and waiting rarely changes that.
fn dropped_connection(e: &ureq::Error) -> bool {
    use std::io::ErrorKind::*;
    match e {
        ureq::Error::Io(io) => matches!(
            io.kind(),
            ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof
        ),
        _ => false,
    }
}

/// Whether a request may be sent again after the connection dropped mid-request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resend {
    /// Sending it twice does no harm (searches, reads, delete tasks by id).
    Always,
    /// Only after an answer that says it was not carried out (429, 503): an ingest the server
    /// may already have taken would be indexed twice.
    OnlyIfRefused,
}

/// A blocking HTTP client for one index on a Quickwit cluster. Errors become [`Error::Remote`]
/// messages that say what to do. Transient refusals are retried (see [`Backoff`]).
pub struct Client {
    agent: ureq::Agent,
    pub target: Target,
    pub backoff: Backoff,
}

impl Client {
    /// A client that retries within the budget of [`RETRY_SECS_ENV`].
    pub fn new(target: Target) -> Result<Client> {
        Ok(Client::with_backoff(target, Backoff::from_env()?))
    }

    pub fn with_backoff(target: Target, backoff: Backoff) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(5)))
            // A forced commit waits for everything queued before it to be indexed.
            .timeout_global(Some(Duration::from_secs(1800)))
            .build()
            .into();
        Client {
            agent,
            target,
            backoff,
        }
    }

    fn remote(&self, message: String) -> Error {
        Error::Remote {
            url: self.target.url(),
            message,
        }
    }

    fn unreachable(&self, e: ureq::Error, resend: Resend) -> Error {
        if let ureq::Error::Timeout(which) = e {
            return self.remote(format!(
                "Quickwit at {} did not answer in time ({which}): it may be overloaded; check its \
                 log, then try again",
                self.target.base
            ));
        }
        if resend == Resend::OnlyIfRefused && dropped_connection(&e) {
            return self.remote(format!(
                "the connection to Quickwit at {} was dropped while it was taking articles ({e}); \
                 it may have indexed part of them, so newsdex did not send them again. Check the \
                 cluster's log; to be sure no article is there twice, push into a new index \
                 (`newsdex push --to quickwit://HOST:PORT/NEW_NAME`)",
                self.target.base
            ));
        }
        self.remote(format!(
            "cannot reach Quickwit at {} ({e}): is it running? Start it (`quickwit run`), or check the host and port",
            self.target.base
        ))
    }

    /// One request that may be sent again whatever happened (see [`Resend::Always`]); answers
    /// the status and the body.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<(&str, &[u8])>,
    ) -> Result<(u16, String)> {
        self.call_with(method, path, body, Resend::Always)
    }

    /// One request, retried on transient refusals (and on a dropped connection when `resend`
    /// allows) until [`Backoff`]'s budget is spent; answers the status and the body.
    pub fn call_with(
        &self,
        method: &str,
        path: &str,
        body: Option<(&str, &[u8])>,
        resend: Resend,
    ) -> Result<(u16, String)> {
        let mut waited = Duration::ZERO;
        let mut retry = 0u32;
        loop {
            let (why, hint) = match self.attempt(method, path, body) {
                Ok((status, text, hint)) if transient_status(status) => {
                    (format!("HTTP {status}: {}", answer_message(&text)), hint)
                }
                Ok((status, text, _)) => return Ok((status, text)),
                Err(e) if resend == Resend::Always && dropped_connection(&e) => {
                    (format!("the connection was dropped: {e}"), None)
                }
                Err(e) => return Err(self.unreachable(e, resend)),
            };
            retry += 1;
            let Some(wait) = self.backoff.delay(retry, waited, hint) else {
                let tries = match retry {
                    1 => "1 try".to_string(),
                    n => format!("{n} tries"),
                };
                return Err(self.remote(format!(
                    "Quickwit at {} still refused {method} {path} after {tries} over {} s \
                     (last: {why}): the cluster is overloaded or not ready (an index just created \
                     has no ingest shard for a moment). Check its log and {}/health/readyz, then \
                     run the same command again (a push resumes from its checkpoint), or allow a \
                     longer wait with {RETRY_SECS_ENV}=300",
                    self.target.base,
                    waited.as_secs(),
                    self.target.base
                )));
            };
            std::thread::sleep(wait);
            waited += wait;
        }
    }

    /// One try: the status, the body and the `Retry-After` the server asked for.
    fn attempt(
        &self,
        method: &str,
        path: &str,
        body: Option<(&str, &[u8])>,
    ) -> std::result::Result<(u16, String, Option<Duration>), ureq::Error> {
        let url = format!("{}{path}", self.target.base);
        let mut resp = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            (_, Some((ctype, bytes))) => self
                .agent
                .post(&url)
                .header("content-type", ctype)
                .send(bytes),
            (_, None) => self.agent.post(&url).send_empty(),
        }?;
        let status = resp.status().as_u16();
        let hint = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let text = resp
            .body_mut()
            .with_config()
            .limit(1 << 32)
            .read_to_string()?;
        Ok((status, text, hint))
    }

    /// A request whose answer must be a success with a JSON body.
    pub fn json(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
        let bytes = body.map(|b| serde_json::to_vec(b).unwrap_or_default());
        let (status, text) = self.call(
            method,
            path,
            bytes.as_deref().map(|b| ("application/json", b)),
        )?;
        self.check(status, &text)?;
        serde_json::from_str(&text)
            .map_err(|e| self.remote(format!("Quickwit answered something that is not JSON: {e}")))
    }

    /// Turns a failed answer into an error that says what to do.
    pub fn check(&self, status: u16, text: &str) -> Result<()> {
        if (200..300).contains(&status) {
            return Ok(());
        }
        let message = answer_message(text);
        let lower = message.to_ascii_lowercase();
        if status == 404 || (lower.contains("index") && lower.contains("not found")) {
            return Err(self.remote(format!(
                "Quickwit has no index `{}` ({message}): create it with `newsdex push --to {}`",
                self.target.index_id,
                self.target.url()
            )));
        }
        Err(self.remote(format!(
            "Quickwit refused the request (HTTP {status}): {message}"
        )))
    }

    /// Checks that the server speaks Quickwit [`QUICKWIT_VERSION`].
    pub fn check_version(&self) -> Result<String> {
        let v = self.json("GET", "/api/v1/version", None)?;
        let version = v
            .pointer("/build/version")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_string();
        if !version.starts_with(QUICKWIT_VERSION) {
            return Err(self.remote(format!(
                "the server runs Quickwit {version}; this newsdex speaks Quickwit {QUICKWIT_VERSION}: \
                 use a {QUICKWIT_VERSION} cluster, or a newsdex built for {version}"
            )));
        }
        Ok(version)
    }

    /// The index's metadata, or `None` when the cluster has no such index.
    pub fn index_metadata(&self) -> Result<Option<Value>> {
        let (status, text) = self.call(
            "GET",
            &format!("/api/v1/indexes/{}", self.target.index_id),
            None,
        )?;
        if status == 404 {
            return Ok(None);
        }
        self.check(status, &text)?;
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| self.remote(format!("Quickwit answered something that is not JSON: {e}")))
    }

    /// Checks that the index exists and was made from this newsdex's doc mapping; answers its uid.
    pub fn check_index(&self) -> Result<String> {
        let Some(meta) = self.index_metadata()? else {
            return Err(self.remote(format!(
                "Quickwit has no index `{}`: create and fill it with `newsdex push --to {}`",
                self.target.index_id,
                self.target.url()
            )));
        };
        let names: std::collections::BTreeSet<String> = meta
            .pointer("/index_config/doc_mapping/field_mappings")
            .and_then(Value::as_array)
            .map(|fs| {
                fs.iter()
                    .filter_map(|f| f.get("name").and_then(Value::as_str).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let expected: std::collections::BTreeSet<String> =
            remote_fields().into_iter().map(|f| f.name).collect();
        if names != expected {
            return Err(self.remote(format!(
                "the index `{}` was not made by this newsdex (its fields differ from newsdex's doc \
                 mapping, schema version {}): push into a new index with `newsdex push --to \
                 quickwit://HOST:PORT/NEW_NAME`, or delete this one",
                self.target.index_id,
                schema::SCHEMA_VERSION
            )));
        }
        Ok(meta
            .get("index_uid")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string())
    }

    /// POSTs to the index's Elasticsearch-compatible API (`_search`, `_search?scroll=...`).
    pub fn es_search(&self, body: &Value, scroll: Option<&str>) -> Result<Value> {
        let path = match scroll {
            Some(s) => format!(
                "/api/v1/_elastic/{}/_search?scroll={s}",
                self.target.index_id
            ),
            None => format!("/api/v1/_elastic/{}/_search", self.target.index_id),
        };
        self.json("POST", &path, Some(body))
    }
}

/// How a field is mapped on the cluster.
#[derive(Clone, Debug, PartialEq)]
pub struct RemoteField {
    pub name: String,
    /// The mapping's lines (after `- name: ...`), as `key: value`.
    pub options: Vec<(String, String)>,
}

fn opts(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The cluster's fields, derived from the local schema (one rule per kind of field).
pub fn remote_fields() -> Vec<RemoteField> {
    let (schema, _) = schema::build_schema();
    let mut out = Vec::new();
    for (_, entry) in schema.fields() {
        let name = entry.name();
        if LOCAL_ONLY.contains(&name) {
            continue;
        }
        let array = MULTI_VALUED.contains(&name);
        let text_type = if array { "array<text>" } else { "text" };
        match entry.field_type() {
            // Stored only (the title and body as written): shown, never searched.
            FieldType::Str(o) if o.get_indexing_options().is_none() => out.push(RemoteField {
                name: name.to_string(),
                options: opts(&[
                    ("type", text_type),
                    ("indexed", "false"),
                    ("stored", "true"),
                    ("fast", "false"),
                ]),
            }),
            FieldType::Str(o) => {
                let idx = o.get_indexing_options();
                let tokenizer = idx.map(|i| i.tokenizer()).unwrap_or("raw");
                let positions = idx
                    .is_some_and(|i| i.index_option() == IndexRecordOption::WithFreqsAndPositions);
                match tokenizer {
                    // Analysed by newsdex: tokens separated by spaces.
                    NEWS_TOKENIZER | PLAIN_TOKENIZER | FORMS_TOKENIZER => out.push(RemoteField {
                        name: name.to_string(),
                        options: opts(&[
                            ("type", text_type),
                            ("tokenizer", "whitespace"),
                            ("record", if positions { "position" } else { "freq" }),
                            ("fieldnorms", "true"),
                            ("stored", "false"),
                        ]),
                    }),
                    // A whole value: the keyword analyzer's form (lower case, folded).
                    KEYWORD_TOKENIZER => out.push(RemoteField {
                        name: name.to_string(),
                        options: opts(&[
                            ("type", text_type),
                            ("tokenizer", "raw"),
                            ("record", "basic"),
                            ("fieldnorms", "true"),
                            ("stored", "false"),
                        ]),
                    }),
                    // `raw` (ids, paths): the value as it is, searchable and shown.
                    _ => out.push(RemoteField {
                        name: name.to_string(),
                        options: opts(&[
                            ("type", text_type),
                            ("tokenizer", "raw"),
                            ("record", "basic"),
                            ("fieldnorms", "true"),
                            ("stored", if o.is_stored() { "true" } else { "false" }),
                        ]),
                    }),
                }
                // What the article wrote, for showing (and, for keywords, counting).
                if o.is_stored() && tokenizer != "raw" {
                    let fast = if o.is_fast() { "true" } else { "false" };
                    out.push(RemoteField {
                        name: format!("{STORED_PREFIX}{name}"),
                        options: opts(&[
                            ("type", text_type),
                            ("indexed", "false"),
                            ("stored", "true"),
                            ("fast", fast),
                        ]),
                    });
                }
            }
            FieldType::Date(o) => out.push(RemoteField {
                name: name.to_string(),
                options: opts(&[
                    ("type", "datetime"),
                    ("input_formats", "[rfc3339]"),
                    ("output_format", "rfc3339"),
                    ("fast_precision", "seconds"),
                    ("indexed", if o.is_indexed() { "true" } else { "false" }),
                    ("stored", if o.is_stored() { "true" } else { "false" }),
                    ("fast", if o.is_fast() { "true" } else { "false" }),
                ]),
            }),
            FieldType::I64(o) | FieldType::U64(o) => {
                let ty = if matches!(entry.field_type(), FieldType::I64(_)) {
                    "i64"
                } else {
                    "u64"
                };
                out.push(RemoteField {
                    name: name.to_string(),
                    options: opts(&[
                        ("type", ty),
                        ("indexed", if o.is_indexed() { "true" } else { "false" }),
                        // Stored on the cluster even when only fast locally: hits read it.
                        ("stored", "true"),
                        ("fast", if o.is_fast() { "true" } else { "false" }),
                    ]),
                })
            }
            other => panic!("field `{name}` has a type ({other:?}) the Quickwit mapping lacks"),
        }
    }
    out.push(RemoteField {
        name: SEQ_FIELD.to_string(),
        options: opts(&[
            ("type", "u64"),
            ("indexed", "false"),
            ("stored", "false"),
            ("fast", "true"),
        ]),
    });
    out
}

/// The index config (YAML) newsdex creates on the cluster, for `index_id`. The repository keeps
/// it in [`INDEX_CONFIG_FILE`] (with `index_id: newsdex`) for users who create indexes themselves.
pub fn doc_mapping_yaml(index_id: &str) -> String {
    let mut y = String::new();
    y.push_str(&format!(
        "# newsdex index on Quickwit {QUICKWIT_VERSION} (newsdex schema version {}).\n\
         # Generated from src/index/schema.rs by `newsdex push`; a test checks that they agree.\n\
         # newsdex analyses the text itself and sends the tokens (the `whitespace` tokenizer only\n\
         # splits them); `stored_*` fields hold the text as written, for showing and counting.\n",
        schema::SCHEMA_VERSION
    ));
    y.push_str(&format!(
        "version: {QUICKWIT_VERSION}\nindex_id: {index_id}\n"
    ));
    y.push_str("doc_mapping:\n  mode: strict\n  store_source: false\n  field_mappings:\n");
    for f in remote_fields() {
        y.push_str(&format!("    - name: {}\n", f.name));
        for (k, v) in &f.options {
            y.push_str(&format!("      {k}: {v}\n"));
        }
    }
    y.push_str("search_settings:\n  default_search_fields: [text]\n");
    // One split per push (and per 10 million articles): the push commits at its end, not on a
    // timer. Quickwit deletes only from "mature" splits (no longer merged): a short maturation
    // lets a push's deletions apply within minutes instead of the default 48 hours.
    y.push_str(&format!(
        "indexing_settings:\n  commit_timeout_secs: 600\n  merge_policy:\n    type: stable_log\n    maturation_period: {MATURATION}\n"
    ));
    y
}

/// One article as the cluster stores it, plus the hash newsdex keeps to see whether it changed.
pub struct RemoteDoc {
    pub id: String,
    /// The NDJSON line (without its push order).
    pub json: Map<String, Value>,
    pub hash: u64,
}

/// The words of `text` as `analyzer` indexes them, separated by spaces.
pub fn analysed_tokens(analyzer: &mut TextAnalyzer, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&t.text);
    }
    out
}

/// Builds cluster documents from what the local index stores (every field newsdex writes is
/// stored, and `day` is read from its fast field), analysed as the local index analysed them.
pub struct DocBuilder {
    fields: Fields,
    schema: Schema,
    title_weight: u32,
    news: TextAnalyzer,
    plain: TextAnalyzer,
}

impl DocBuilder {
    pub fn new(title_weight: u32) -> DocBuilder {
        let (schema, fields) = schema::build_schema();
        DocBuilder {
            fields,
            schema,
            title_weight,
            news: TextAnalyzer::from(crate::index::analysis::NewsTokenizer),
            plain: TextAnalyzer::from(crate::index::shared_tokens::PlainTokenizer),
        }
    }

    pub fn build(&mut self, doc: &TantivyDocument, day: Option<i64>) -> RemoteDoc {
        let f = self.fields.clone();
        let all = |field| -> Vec<String> {
            doc.get_all(field)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        let first = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let mut m = Map::new();
        let id = first(f.id).unwrap_or_default();
        m.insert("id".into(), json!(id));
        m.insert("path".into(), json!(first(f.path).unwrap_or_default()));
        for (field, name) in [
            (f.docno, "docno"),
            (f.date_source, "date_source"),
            (f.source_from, "source_from"),
            (f.section_from, "section_from"),
            (f.language_source, "language_source"),
        ] {
            if let Some(v) = first(field) {
                m.insert(name.into(), json!(v));
            }
        }
        let title = first(f.stored_title).unwrap_or_default();
        let body = first(f.stored_body).unwrap_or_default();
        // In the article's language, terms tagged as the local index tags them.
        let tag = first(f.language);
        let tag = crate::index::analysis::analysis_of(tag.as_deref());
        let marked = |t| crate::index::analysis::marked(tag, t);
        let title_news = analysed_tokens(&mut self.news, &marked(&title));
        let body_news = analysed_tokens(&mut self.news, &marked(&body));
        let title_plain = analysed_tokens(&mut self.plain, &title);
        let body_plain = analysed_tokens(&mut self.plain, &body);
        let weighted = |t: &str, b: &str| {
            let mut v: Vec<&str> = vec![t; self.title_weight as usize];
            v.push(b);
            json!(v)
        };
        m.insert("text".into(), weighted(&title_news, &body_news));
        m.insert("exact".into(), weighted(&title_plain, &body_plain));
        m.insert("title".into(), json!(title_news));
        m.insert("body".into(), json!(body_news));
        m.insert(format!("{STORED_PREFIX}title"), json!(title));
        m.insert(format!("{STORED_PREFIX}body"), json!(body));
        if let Some(url) = first(f.url) {
            m.insert("url".into(), json!(analysed_tokens(&mut self.plain, &url)));
            m.insert(format!("{STORED_PREFIX}url"), json!(url));
        }
        for (field, name) in [
            (f.source, "source"),
            (f.section, "section"),
            (f.language, "language"),
            (f.format, "format"),
        ] {
            if let Some(v) = first(field) {
                m.insert(name.into(), json!(normalize_keyword(&v)));
                m.insert(format!("{STORED_PREFIX}{name}"), json!(v));
            }
        }
        for (field, name) in [(f.authors, "authors"), (f.tags, "tags")] {
            let vs = all(field);
            if !vs.is_empty() {
                let norm: Vec<String> = vs.iter().map(|v| normalize_keyword(v)).collect();
                m.insert(name.into(), json!(norm));
                m.insert(format!("{STORED_PREFIX}{name}"), json!(vs));
            }
        }
        for (field, name) in [(f.published, "published"), (f.crawled, "crawled")] {
            if let Some(p) = doc.get_first(field).and_then(|v| v.as_datetime())
                && let Ok(t) = time::OffsetDateTime::from_unix_timestamp(p.into_timestamp_secs())
            {
                m.insert(
                    name.into(),
                    json!(crate::ingest::article::format_rfc3339(t)),
                );
            }
        }
        if let Some(r) = doc.get_first(f.record).and_then(|v| v.as_u64()) {
            m.insert("record".into(), json!(r));
        }
        if let Some(d) = day {
            m.insert("day".into(), json!(d));
        }
        let wc = doc
            .get_first(f.word_count)
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        m.insert("word_count".into(), json!(wc));
        debug_assert!(
            m.keys()
                .all(|k| self.schema.get_field(k).is_ok() || k.starts_with(STORED_PREFIX))
        );
        let hash =
            xxhash_rust::xxh3::xxh3_64(serde_json::to_string(&m).unwrap_or_default().as_bytes());
        RemoteDoc { id, json: m, hash }
    }
}

/// The `message` of a Quickwit error answer, else the start of the answer.
fn answer_message(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| text.chars().take(500).collect())
}

/// `id:"..."` in Quickwit's query language, for delete tasks.
pub fn id_query(ids: &[String]) -> String {
    ids.iter()
        .map(|id| {
            let escaped = id.replace('\\', "\\\\").replace('"', "\\\"");
            format!("id:\"{escaped}\"")
        })
        .collect::<Vec<_>>()
        .join(" OR ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let t = Target::parse("quickwit://127.0.0.1:7280/news").unwrap();
        assert_eq!(t.base, "http://127.0.0.1:7280");
        assert_eq!(t.index_id, "news");
        assert_eq!(t.url(), "quickwit://127.0.0.1:7280/news");
        assert_eq!(
            Target::parse("quickwit://qw.example.org/archive-1987/")
                .unwrap()
                .base,
            "http://qw.example.org:7280"
        );
        for bad in [
            "127.0.0.1:7280/news",
            "ftp://h:1/news",
            "quickwit://h:1",
            "quickwit://h:1/ab",
            "quickwit://h:1/1abc",
            "quickwit://h:1/a b c",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn backoff_doubles_to_its_ceiling_and_stops_at_the_budget() {
        let b = Backoff::with_budget(Duration::from_secs(60));
        let mut waited = Duration::ZERO;
        let mut waits = Vec::new();
        for retry in 1.. {
            let Some(d) = b.delay(retry, waited, None) else {
                break;
            };
            waits.push(d.as_millis());
            waited += d;
        }
        assert_eq!(
            waits,
            [
                250, 500, 1000, 2000, 4000, 8000, 8000, 8000, 8000, 8000, 8000, 4250
            ]
        );
        assert_eq!(waited, Duration::from_secs(60));
        // The server's Retry-After is respected, within the budget.
        let hint = Some(Duration::from_secs(5));
        assert_eq!(
            b.delay(1, Duration::ZERO, hint),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            b.delay(1, Duration::from_secs(58), hint),
            Some(Duration::from_secs(2))
        );
        // A budget of 0 turns retries off; huge retry numbers do not overflow.
        assert_eq!(
            Backoff::with_budget(Duration::ZERO).delay(1, Duration::ZERO, None),
            None
        );
        assert_eq!(b.delay(u32::MAX, Duration::ZERO, None), Some(b.max));
        assert!(transient_status(503) && transient_status(429));
        assert!(!transient_status(500) && !transient_status(400) && !transient_status(404));
    }

    /// What the scripted server does with one connection.
    #[derive(Clone, Copy)]
    enum Reply {
        Status(u16),
        /// Reads the request, then closes the connection without answering.
        Drop,
    }

    /// A one-thread HTTP server on a loopback port that answers connection `i` with
    /// `script[i]` (the last entry repeats); answers its address and the number of requests seen.
    fn scripted_server(
        script: Vec<Reply>,
    ) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let i = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((k, v)) = line.split_once(':')
                        && k.eq_ignore_ascii_case("content-length")
                    {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                match script[i.min(script.len() - 1)] {
                    Reply::Drop => drop(stream),
                    Reply::Status(code) => {
                        let text = if code == 200 {
                            r#"{"num_ingested_docs":1}"#.to_string()
                        } else {
                            format!(r#"{{"message":"refused with {code} (no shards available)"}}"#)
                        };
                        let _ = write!(
                            stream,
                            "HTTP/1.1 {code} X\r\ncontent-type: application/json\r\n\
                             content-length: {}\r\nconnection: close\r\n\r\n{text}",
                            text.len()
                        );
                    }
                }
            }
        });
        (addr, seen)
    }

    fn quick_client(addr: &str, budget_ms: u64) -> Client {
        Client::with_backoff(
            Target::parse(&format!("quickwit://{addr}/news")).unwrap(),
            Backoff {
                first: Duration::from_millis(1),
                max: Duration::from_millis(4),
                budget: Duration::from_millis(budget_ms),
            },
        )
    }

    fn seen(n: &std::sync::atomic::AtomicUsize) -> usize {
        n.load(std::sync::atomic::Ordering::SeqCst)
    }

    #[test]
    fn transient_refusals_are_retried_until_an_answer() {
        use Reply::*;
        let (addr, n) = scripted_server(vec![Status(503), Status(429), Status(503), Status(200)]);
        let client = quick_client(&addr, 1000);
        let body = Some(("application/x-ndjson", &b"{}\n"[..]));
        let (status, text) = client
            .call_with("POST", "/api/v1/news/ingest", body, Resend::OnlyIfRefused)
            .unwrap();
        assert_eq!((status, text.as_str()), (200, r#"{"num_ingested_docs":1}"#));
        assert_eq!(seen(&n), 4);

        // Other failures are answered at once, not retried.
        let (addr, n) = scripted_server(vec![Status(400), Status(200)]);
        let (status, _) = quick_client(&addr, 1000).call("GET", "/x", None).unwrap();
        assert_eq!((status, seen(&n)), (400, 1));
    }

    #[test]
    fn retries_stop_at_the_budget_with_what_to_do() {
        let (addr, n) = scripted_server(vec![Reply::Status(503)]);
        let err = quick_client(&addr, 20)
            .call(
                "POST",
                "/api/v1/news/ingest",
                Some(("application/x-ndjson", b"{}\n")),
            )
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("still refused POST /api/v1/news/ingest after"),
            "{err}"
        );
        assert!(
            err.contains("HTTP 503: refused with 503 (no shards available)"),
            "{err}"
        );
        assert!(err.contains(RETRY_SECS_ENV), "{err}");
        assert!(err.contains("after 8 tries over 0 s"), "{err}");
        // 1, 2, 4, 4, 4, 4 ms, then 1 ms left: 8 tries in all.
        assert_eq!(seen(&n), 8);
        // With retries off, the first refusal is the answer.
        let (addr, n) = scripted_server(vec![Reply::Status(429)]);
        let err = quick_client(&addr, 0)
            .call("GET", "/api/v1/version", None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("after 1 try over 0 s (last: HTTP 429"),
            "{err}"
        );
        assert_eq!(seen(&n), 1);
    }

    #[test]
    fn a_dropped_connection_is_resent_only_when_that_is_harmless() {
        use Reply::*;
        let (addr, n) = scripted_server(vec![Drop, Status(200)]);
        let (status, _) = quick_client(&addr, 1000)
            .call(
                "POST",
                "/api/v1/_elastic/news/_search",
                Some(("application/json", b"{}")),
            )
            .unwrap();
        assert_eq!((status, seen(&n)), (200, 2));

        let (addr, n) = scripted_server(vec![Drop, Status(200)]);
        let err = quick_client(&addr, 1000)
            .call_with(
                "POST",
                "/api/v1/news/ingest",
                Some(("application/x-ndjson", b"{}\n")),
                Resend::OnlyIfRefused,
            )
            .unwrap_err()
            .to_string();
        assert!(err.contains("may have indexed part of them"), "{err}");
        assert_eq!(seen(&n), 1);
    }

    /// The YAML in the repository is the one generated from the schema.
    #[test]
    fn repository_mapping_matches_the_schema() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(INDEX_CONFIG_FILE);
        let kept = std::fs::read_to_string(&path).unwrap_or_default();
        let generated = doc_mapping_yaml("newsdex");
        if std::env::var_os("NEWSDEX_BLESS").is_some() {
            std::fs::write(&path, &generated).unwrap();
            return;
        }
        assert_eq!(
            kept,
            generated,
            "{} is out of date with the schema: run `NEWSDEX_BLESS=1 cargo test --lib quickwit` and commit it",
            path.display()
        );
    }

    #[test]
    fn every_schema_field_is_mapped_and_documents_fit_the_mapping() {
        let (schema, _) = schema::build_schema();
        let mapped: Vec<String> = remote_fields().into_iter().map(|f| f.name).collect();
        for (_, e) in schema.fields() {
            let expected = !LOCAL_ONLY.contains(&e.name());
            assert_eq!(
                mapped.contains(&e.name().to_string()),
                expected,
                "{}",
                e.name()
            );
        }
        // A document with every field set uses only mapped fields, arrays exactly where mapped.
        let article = crate::ingest::article::Article {
            title: "Migrants' caravan".into(),
            body: "The caravans reached Peña Nieto's border.".into(),
            source: Some("Harbor Ledger".into()),
            section: Some("World".into()),
            language: Some("en".into()),
            url: Some("https://example.org/a/b".into()),
            authors: vec!["Ana Ruiz".into()],
            tags: vec!["MIGRATION".into()],
            docno: Some("7".into()),
            path: "/archive/a.txt".into(),
            format: "text",
            ..Default::default()
        };
        let (_, fields) = schema::build_schema();
        let doc = crate::index::to_document(&fields, &article, 2);
        let rd = DocBuilder::new(2).build(&doc, Some(17_000));
        let remote = remote_fields();
        for (k, v) in &rd.json {
            let f = remote
                .iter()
                .find(|f| &f.name == k)
                .unwrap_or_else(|| panic!("{k} not mapped"));
            let ty = &f.options[0].1;
            assert_eq!(v.is_array(), ty.starts_with("array"), "{k}");
        }
        assert_eq!(rd.json["text"][0], "migrant caravan");
        assert_eq!(
            rd.json["exact"][2],
            "the caravans reached pena nieto s border"
        );
        assert_eq!(rd.json["source"], "harbor ledger");
        assert_eq!(rd.json["stored_source"], "Harbor Ledger");
        assert_eq!(
            id_query(&["a\"b".into(), "c".into()]),
            "id:\"a\\\"b\" OR id:\"c\""
        );
    }
}
