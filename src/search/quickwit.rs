//! [`QuickwitEngine`]: the same searches answered by a newsdex index on a Quickwit cluster.
//!
//! The query is built exactly as for a local index ([`LocalEngine::build_query`], over an empty
//! in-memory index with the same schema and analyzers), then translated node by node into
//! Quickwit's Elasticsearch-compatible query DSL: terms stay terms, phrases stay phrases with their
//! slop, booleans keep their clauses, prefixes become the same regular expression, date filters
//! the same range over the `day` field. The cluster holds the analysed tokens newsdex computed
//! (see `index::quickwit`), so the terms match the same articles, and BM25 (the same formula in
//! Quickwit, which is built on tantivy) ranks them with the same statistics as long as the
//! cluster holds the articles in one split. Snippets and KWIC are built here, from the stored
//! text, with the local highlighter.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, FuzzyTermQuery, Occur, PhraseQuery, Query,
    RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, Schema, Term, Type};

use crate::error::{Error, Result};
use crate::index::quickwit::{Client, SEQ_FIELD, STORED_PREFIX, Target};
use crate::index::schema::Fields;
use crate::ingest::article::format_rfc3339;
use crate::search::forms::phrase_shape;
use crate::search::languages::{LanguageCounts, idf};
use crate::search::local::Snippets;
use crate::search::plan::RELAX_BELOW_HITS;
use crate::search::query::AnalysisArticles;
use crate::search::request::{ArticleView, Hit, SearchRequest, SearchResults, SortOrder};
use crate::search::tally::{Tally, TallyBy};
use crate::search::{EngineInfo, LocalEngine, SearchEngine, kwic};

/// Hits per page when paging through every hit (`export`) with the scroll API.
const SCROLL_PAGE: usize = 1000;
/// Quickwit answers at most this many hits by offset (`from + size`); deeper pages scroll.
const MAX_OFFSET_HITS: usize = 10_000;
/// Most distinct values a count by keyword returns.
const MAX_KEYWORDS: usize = 65_000;

/// A newsdex index on a Quickwit cluster.
pub struct QuickwitEngine {
    client: Client,
    /// An empty index with newsdex's schema: builds queries exactly as a local index does.
    shadow: LocalEngine,
    schema: Schema,
    fields: Fields,
}

impl QuickwitEngine {
    /// Connects to `quickwit://HOST:PORT/INDEX`, checking the server version and the index.
    pub fn open(url: &str) -> Result<QuickwitEngine> {
        let client = Client::new(Target::parse(url)?)?;
        client.check_version()?;
        client.check_index()?;
        let (schema, fields) = crate::index::schema::build_schema();
        let mut engine = QuickwitEngine {
            client,
            shadow: LocalEngine::in_memory(&[])?.for_cluster_queries(),
            schema,
            fields,
        };
        // Queries are read in the languages the cluster holds, as over a local index.
        let (total, languages) = engine.tally(None, TallyBy::Keyword("language"))?;
        engine
            .shadow
            .set_language_counts(LanguageCounts::from_languages(total, &languages.keywords));
        Ok(engine)
    }

    fn unsupported(&self, what: &str) -> Error {
        Error::Usage(format!(
            "{what} is not available with the Quickwit engine ({}): run it on a local index \
             (without --engine)",
            self.client.target.url()
        ))
    }

    /// The query newsdex runs for `req`, in Quickwit's query DSL, after the default-mode policy
    /// ([`crate::search::plan`]): every word required, relaxed to any word when that finds fewer
    /// than [`RELAX_BELOW_HITS`] articles on the cluster. Answers whether it was relaxed.
    /// `ranking`: false when only counting (counts never relax).
    pub fn resolved_query(&self, req: &SearchRequest, ranking: bool) -> Result<(Value, bool)> {
        if req.recency_days.is_some_and(|d| d > 0.0) {
            return Err(self.unsupported("--recency"));
        }
        if req.proximity_weight > 0.0 {
            return Err(self.unsupported("--proximity-weight"));
        }
        if req.explain {
            return Err(self.unsupported("--explain"));
        }
        if req.expand {
            return Err(self.unsupported("--expand"));
        }
        if req.like.is_some() {
            return Err(self.unsupported("newsdex similar"));
        }
        if req.collapse {
            return Err(self.unsupported("--collapse (and count --unique)"));
        }
        let candidates = self.shadow.candidate_queries(req, ranking)?;
        let factors = self.idf_factors(&*candidates.main)?;
        let main = self.translate(&*candidates.main, &factors)?;
        if let Some(fallback) = candidates.fallback {
            let count = json!({ "query": main, "size": 0, "track_total_hits": true });
            if Self::total_of(&self.client.es_search(&count, None)?) < RELAX_BELOW_HITS {
                return Ok((self.translate(&*fallback, &factors)?, true));
            }
        }
        Ok((main, false))
    }

    /// The query for `req`, as ranked (see [`QuickwitEngine::resolved_query`]).
    pub fn query_json(&self, req: &SearchRequest) -> Result<Value> {
        Ok(self.resolved_query(req, true)?.0)
    }

    fn field_name(&self, field: Field) -> &str {
        self.schema.get_field_name(field)
    }

    fn term_value(&self, term: &Term) -> Result<Value> {
        let v = term.value();
        Ok(match term.typ() {
            Type::Str => json!(v.as_str().unwrap_or_default()),
            Type::I64 => json!(v.as_i64().unwrap_or_default()),
            Type::U64 => json!(v.as_u64().unwrap_or_default()),
            other => {
                return Err(self.unsupported(&format!("a query on a {other:?} field")));
            }
        })
    }

    /// The boosts that give the cluster's BM25 the local ranking's per-language statistics
    /// ([`crate::search::languages`]): for each title/body term whose document frequency the
    /// local ranking scales (a language other than the archive's largest), the idf the local
    /// index ranks it with over the idf the cluster computes. Empty (no request) when the query
    /// has no such term. Quickwit ignores boosts on phrases: a phrase of such terms scores as
    /// the cluster's plain BM25 scores it.
    fn idf_factors(&self, q: &dyn Query) -> Result<HashMap<Term, f32>> {
        let counts = self.shadow.language_counts(&self.shadow.searcher())?;
        let mut terms: Vec<Term> = Vec::new();
        q.query_terms(&mut |t, _| {
            if [self.fields.text, self.fields.title, self.fields.body].contains(&t.field())
                && t.value().as_str().is_some_and(|w| counts.scales(w))
                && !terms.contains(t)
            {
                terms.push(t.clone());
            }
        });
        let mut out = HashMap::new();
        if terms.is_empty() {
            return Ok(out);
        }
        for (t, df) in terms.iter().zip(self.doc_freqs(&terms)?) {
            let Some(w) = t.value().as_str().map(str::to_string) else {
                continue;
            };
            let scaled = counts.scaled_df(&w, df);
            if df > 0 && scaled != df {
                out.insert(t.clone(), idf(scaled, counts.total) / idf(df, counts.total));
            }
        }
        Ok(out)
    }

    /// How many articles on the cluster hold each term (one request).
    fn doc_freqs(&self, terms: &[Term]) -> Result<Vec<u64>> {
        let mut body = String::new();
        for t in terms {
            body.push_str(&json!({ "index": self.client.target.index_id }).to_string());
            body.push('\n');
            let q = json!({ "size": 0, "track_total_hits": true, "query": self.term_json(t)? });
            body.push_str(&q.to_string());
            body.push('\n');
        }
        let (status, text) = self.client.call(
            "POST",
            "/api/v1/_elastic/_msearch",
            Some(("application/x-ndjson", body.as_bytes())),
        )?;
        self.client.check(status, &text)?;
        let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let responses = answer
            .get("responses")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        Ok(terms
            .iter()
            .enumerate()
            .map(|(i, _)| {
                responses
                    .get(i)
                    .and_then(|r| r.pointer("/hits/total/value"))
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
            })
            .collect())
    }

    /// Translates one node of a tantivy query (recursively) into the query DSL, each term
    /// boosted by its factor in `factors` ([`QuickwitEngine::idf_factors`]).
    fn translate(&self, q: &dyn Query, factors: &HashMap<Term, f32>) -> Result<Value> {
        if let Some(b) = q.downcast_ref::<BooleanQuery>() {
            let mut must = Vec::new();
            let mut should = Vec::new();
            let mut must_not = Vec::new();
            for (occur, sub) in b.clauses() {
                let sub = self.translate(&**sub, factors)?;
                match occur {
                    Occur::Must => must.push(sub),
                    Occur::Should => should.push(sub),
                    Occur::MustNot => must_not.push(sub),
                }
            }
            let mut body = serde_json::Map::new();
            for (k, v) in [("must", must), ("should", should), ("must_not", must_not)] {
                if !v.is_empty() {
                    body.insert(k.into(), Value::Array(v));
                }
            }
            let min = b.get_minimum_number_should_match();
            if min > 1 {
                body.insert("minimum_should_match".into(), json!(min));
            }
            return Ok(json!({ "bool": body }));
        }
        if let Some(t) = q.downcast_ref::<TermQuery>() {
            return Ok(match factors.get(t.term()) {
                Some(f) => self.boosted_term_json(t.term(), f64::from(*f))?,
                None => self.term_json(t.term())?,
            });
        }
        if let Some(p) = q.downcast_ref::<PhraseQuery>() {
            let terms = p.phrase_terms();
            let (offsets, slop) = phrase_shape(&format!("{p:?}"));
            return self.phrase_json(p.field(), &terms, &offsets, slop);
        }
        if q.downcast_ref::<BoostQuery>().is_some() {
            return self.boost_json(q, factors);
        }
        if q.downcast_ref::<RangeQuery>().is_some() {
            return self.range_json(&format!("{q:?}"));
        }
        if q.downcast_ref::<RegexQuery>().is_some() {
            return self.regex_json(&format!("{q:?}"));
        }
        if q.downcast_ref::<AllQuery>().is_some() {
            return Ok(json!({ "match_all": {} }));
        }
        if let Some(a) = q.downcast_ref::<AnalysisArticles>() {
            // A filter: matches, scores nothing.
            let term = |t: &str| json!({ "term": { "language": { "value": t } } });
            return Ok(match &a.tag {
                Some(t) => json!({ "bool": { "filter": [term(t)] } }),
                None => json!({ "bool": {
                    "filter": [{ "match_all": {} }],
                    "must_not": a.tagged.iter().map(|t| term(t)).collect::<Vec<_>>(),
                } }),
            });
        }
        if q.downcast_ref::<EmptyQuery>().is_some() {
            return Ok(json!({ "match_none": {} }));
        }
        if q.downcast_ref::<FuzzyTermQuery>().is_some() {
            return Err(self.unsupported("a fuzzy word (word~1)"));
        }
        Err(self.unsupported(&format!("this kind of query ({q:?})")))
    }

    fn term_json(&self, term: &Term) -> Result<Value> {
        let name = self.field_name(term.field());
        Ok(json!({ "term": { name: { "value": self.term_value(term)? } } }))
    }

    fn boosted_term_json(&self, term: &Term, boost: f64) -> Result<Value> {
        let name = self.field_name(term.field());
        Ok(json!({ "term": { name: {
            "value": self.term_value(term)?,
            "boost": boost,
        } } }))
    }

    fn phrase_json(
        &self,
        field: Field,
        terms: &[Term],
        offsets: &[usize],
        slop: u32,
    ) -> Result<Value> {
        // The cluster's phrase is its tokens in a row: a phrase whose words are not consecutive
        // (a word the analyzer dropped in the middle) cannot be sent as it is.
        if offsets.len() != terms.len() || offsets.iter().enumerate().any(|(i, o)| *o != i) {
            return Err(self.unsupported("a phrase with a dropped word in it"));
        }
        let words: Vec<String> = terms
            .iter()
            .filter_map(|t| t.value().as_str().map(str::to_string))
            .collect();
        let name = self.field_name(field);
        Ok(json!({ "match_phrase": { name: { "query": words.join(" "), "slop": slop } } }))
    }

    /// `BoostQuery` has no accessors: its inner query is read back from its terms and its debug
    /// form (a term or a phrase: what newsdex boosts).
    fn boost_json(&self, q: &dyn Query, factors: &HashMap<Term, f32>) -> Result<Value> {
        let debug = format!("{q:?}");
        let boost: f64 = debug
            .rsplit_once("boost=")
            .and_then(|(_, b)| b.trim_end_matches(')').parse().ok())
            .ok_or_else(|| self.unsupported("this boost"))?;
        let mut terms = Vec::new();
        q.query_terms(&mut |t, _| terms.push(t.clone()));
        // Quickwit 0.8 applies a boost to a term, and ignores it on phrases and booleans.
        if debug.starts_with("Boost(query=TermQuery(") && terms.len() == 1 {
            let factor = factors.get(&terms[0]).map_or(1.0, |f| f64::from(*f));
            return self.boosted_term_json(&terms[0], boost * factor);
        }
        Err(self.unsupported("a boost (^) on anything but a single word"))
    }

    /// A range over an integer field (the `day` of date filters), read from its debug form.
    fn range_json(&self, debug: &str) -> Result<Value> {
        // `None`: not understood; `Some(None)`: unbounded; else the operator suffix, field, value.
        type Bound = Option<(&'static str, u32, i64)>;
        let bound = |key: &str| -> Option<Bound> {
            let rest = debug.split_once(key)?.1;
            if rest.starts_with("Unbounded") {
                return Some(None);
            }
            let (kind, rest) = if let Some(r) = rest.strip_prefix("Included(") {
                ("e", r)
            } else {
                ("", rest.strip_prefix("Excluded(")?)
            };
            let field: u32 = rest
                .strip_prefix("Term(field=")?
                .split(',')
                .next()?
                .parse()
                .ok()?;
            let value: i64 = rest
                .split_once("type=I64, ")?
                .1
                .split(')')
                .next()?
                .parse()
                .ok()?;
            Some(Some((kind, field, value)))
        };
        let (lo, hi) = match (bound("lower_bound: "), bound("upper_bound: ")) {
            (Some(lo), Some(hi)) => (lo, hi),
            _ => return Err(self.unsupported(&format!("this range ({debug})"))),
        };
        let mut body = serde_json::Map::new();
        let mut field = None;
        if let Some((kind, f, v)) = lo {
            body.insert(format!("gt{kind}"), json!(v));
            field = Some(f);
        }
        if let Some((kind, f, v)) = hi {
            body.insert(format!("lt{kind}"), json!(v));
            field = Some(f);
        }
        let Some(field) = field else {
            return Ok(json!({ "match_all": {} }));
        };
        let name = self.field_name(Field::from_field_id(field));
        Ok(json!({ "range": { name: body } }))
    }

    /// A prefix (`immigra*`), which newsdex writes as a regular expression: the same one is sent.
    fn regex_json(&self, debug: &str) -> Result<Value> {
        let parsed = (|| {
            let pattern_debug = debug.split_once("Regex(")?.1.split_once(")\n")?.0;
            let pattern: String = serde_json::from_str(pattern_debug).ok()?;
            let field: u32 = debug
                .rsplit_once("field: Field(")?
                .1
                .split(')')
                .next()?
                .parse()
                .ok()?;
            Some((pattern, field))
        })();
        let (pattern, field) = parsed.ok_or_else(|| self.unsupported("this word pattern"))?;
        let name = self.field_name(Field::from_field_id(field));
        Ok(json!({ "regexp": { name: { "value": pattern } } }))
    }

    fn sort_json(sort: SortOrder) -> Value {
        match sort {
            SortOrder::Relevance => {
                json!([{ "_score": { "order": "desc" } }, { SEQ_FIELD: { "order": "asc" } }])
            }
            SortOrder::Newest => {
                json!([{ "published": { "order": "desc" } }, { SEQ_FIELD: { "order": "asc" } }])
            }
            SortOrder::Oldest => {
                json!([{ "published": { "order": "asc" } }, { SEQ_FIELD: { "order": "asc" } }])
            }
        }
    }

    /// Highlights what the query looks for in `text` or `body`, rarer words weighing more, as
    /// the local engine does (document frequencies asked of the cluster in one request).
    fn snippet_generator(&self, req: &SearchRequest) -> Result<Snippets> {
        let q = self.shadow.build_query(req)?;
        let mut terms: Vec<Term> = Vec::new();
        q.query_terms(&mut |t, _| {
            if (t.field() == self.fields.text || t.field() == self.fields.body)
                && t.value().as_str().is_some()
                && !terms.contains(t)
            {
                terms.push(t.clone());
            }
        });
        let mut words: BTreeMap<String, f32> = BTreeMap::new();
        if !terms.is_empty() {
            for (t, df) in terms.iter().zip(self.doc_freqs(&terms)?) {
                if df > 0
                    && let Some(w) = t.value().as_str()
                {
                    words.insert(w.to_string(), 1.0 / (1.0 + df as f32));
                }
            }
        }
        Ok(Snippets::new(words))
    }

    /// A hit from the cluster's answer, and the article's body.
    fn hit(
        &self,
        h: &Value,
        rank: usize,
        score: f32,
        snippets: Option<&Snippets>,
    ) -> (Hit, String) {
        let src = h.get("_source").cloned().unwrap_or(Value::Null);
        let s = |k: &str| src.get(k).and_then(Value::as_str).map(str::to_string);
        let stored = |k: &str| s(&format!("{STORED_PREFIX}{k}"));
        let body = stored("body").unwrap_or_default();
        let published = date(&src, "published");
        let id = s("id").unwrap_or_default();
        let language = stored("language");
        let snippet = snippets
            .map(|g| g.snippet(language.as_deref(), &body))
            .unwrap_or_default();
        let hit = Hit {
            rank,
            score,
            // The cluster does not hold clusters of copies: each article is its own story.
            cluster: id.clone(),
            copies: 1,
            first_seen: published.clone(),
            id,
            docno: s("docno"),
            path: s("path").unwrap_or_default(),
            record: src.get("record").and_then(Value::as_u64).unwrap_or(0),
            title: stored("title").unwrap_or_default(),
            published,
            date_source: s("date_source"),
            source: stored("source"),
            authors: strings(&src, &format!("{STORED_PREFIX}authors")),
            url: stored("url"),
            section: stored("section"),
            language,
            language_source: s("language_source"),
            word_count: src.get("word_count").and_then(Value::as_u64).unwrap_or(0),
            snippet,
            explanation: None,
        };
        (hit, body)
    }

    fn hits_of(answer: &Value) -> Vec<Value> {
        answer
            .pointer("/hits/hits")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }

    fn total_of(answer: &Value) -> usize {
        answer
            .pointer("/hits/total/value")
            .and_then(Value::as_u64)
            .unwrap_or(0) as usize
    }

    /// Every hit from rank `skip + 1` on, in the request's order, handed to `each` with its score
    /// until it answers `false`. Returns the number of matches.
    ///
    /// Up to 10,000 hits, pages by offset sorted by the order key and then the push order (as
    /// the local index breaks ties by document order). Past that, Quickwit 0.8's cursors
    /// (scroll, `search_after`) lose articles whose score ties with the last hit of a page, so
    /// the order is built here: a scroll in push order (a unique key, which pages safely)
    /// collects each hit's id and sort value, the list is sorted, and the articles are fetched
    /// by id, a page at a time, in that order.
    fn ranked(
        &self,
        query: &Value,
        sort: SortOrder,
        skip: usize,
        each: &mut dyn FnMut(&Value, f32) -> Result<bool>,
    ) -> Result<usize> {
        let count = json!({ "query": query, "size": 0, "track_total_hits": true });
        let total = Self::total_of(&self.client.es_search(&count, None)?);
        if total <= MAX_OFFSET_HITS {
            let mut from = skip;
            while from < total {
                let size = SCROLL_PAGE.min(total - from);
                let body = json!({
                    "query": query,
                    "from": from,
                    "size": size,
                    "sort": Self::sort_json(sort),
                    "track_total_hits": false,
                });
                let hits = Self::hits_of(&self.client.es_search(&body, None)?);
                if hits.is_empty() {
                    break;
                }
                from += hits.len();
                for h in &hits {
                    if !each(h, Self::score_of(h, sort))? {
                        return Ok(total);
                    }
                }
            }
            return Ok(total);
        }
        // 1. Every hit's id and sort value, scrolling in push order.
        let key = match sort {
            SortOrder::Relevance => json!({ "_score": { "order": "desc" } }),
            SortOrder::Newest | SortOrder::Oldest => json!({ "published": { "order": "asc" } }),
        };
        let body = json!({
            "query": query,
            "size": SCROLL_PAGE,
            "sort": [{ SEQ_FIELD: { "order": "asc" } }, key],
            "track_total_hits": true,
        });
        let mut list: Vec<(f64, u64, String)> = Vec::with_capacity(total);
        let mut answer = self.client.es_search(&body, Some("10m"))?;
        loop {
            let hits = Self::hits_of(&answer);
            if hits.is_empty() {
                break;
            }
            for h in &hits {
                let seq = h.pointer("/sort/0").and_then(Value::as_u64).unwrap_or(0);
                let value = h.pointer("/sort/1").and_then(Value::as_f64);
                let id = h
                    .pointer("/_source/id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                // Undated articles come last in date order, as locally.
                let key = match (sort, value) {
                    (SortOrder::Relevance, v) => -v.unwrap_or(0.0),
                    (SortOrder::Newest, Some(v)) => -v,
                    (SortOrder::Oldest, Some(v)) => v,
                    (_, None) => f64::INFINITY,
                };
                list.push((key, seq, id));
            }
            let Some(id) = answer.get("_scroll_id").and_then(Value::as_str) else {
                break;
            };
            let next = json!({ "scroll_id": id, "scroll": "10m" });
            answer = self
                .client
                .json("POST", "/api/v1/_elastic/_search/scroll", Some(&next))?;
        }
        list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        // 2. The articles, a page of ids at a time, in that order.
        for chunk in list[skip.min(list.len())..].chunks(SCROLL_PAGE) {
            let ids: Vec<&str> = chunk.iter().map(|(_, _, id)| id.as_str()).collect();
            let body = json!({
                "query": { "terms": { "id": ids } },
                "size": chunk.len(),
            });
            let hits = Self::hits_of(&self.client.es_search(&body, None)?);
            let mut by_id: std::collections::HashMap<String, Value> = hits
                .into_iter()
                .filter_map(|h| {
                    let id = h.pointer("/_source/id")?.as_str()?.to_string();
                    Some((id, h))
                })
                .collect();
            for (key, _, id) in chunk {
                // An article deleted between the two passes is left out.
                let Some(h) = by_id.remove(id) else { continue };
                let score = if sort == SortOrder::Relevance {
                    -*key as f32
                } else {
                    0.0
                };
                if !each(&h, score)? {
                    return Ok(total);
                }
            }
        }
        Ok(total)
    }

    fn score_of(h: &Value, sort: SortOrder) -> f32 {
        match sort {
            SortOrder::Relevance => h
                .pointer("/sort/0")
                .and_then(Value::as_f64)
                .or_else(|| h.get("_score").and_then(Value::as_f64))
                .unwrap_or(0.0) as f32,
            _ => 0.0,
        }
    }
}

impl SearchEngine for QuickwitEngine {
    fn knows_copies(&self) -> bool {
        false
    }

    fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let (query, relaxed) = self.resolved_query(req, true)?;
        let snippets = if req.snippets && req.limit > 0 {
            Some(self.snippet_generator(req)?)
        } else {
            None
        };
        if req.offset + req.limit <= MAX_OFFSET_HITS {
            let body = json!({
                "query": query,
                "from": req.offset,
                "size": req.limit,
                "sort": Self::sort_json(req.sort),
                "track_total_hits": true,
            });
            let answer = self.client.es_search(&body, None)?;
            let hits = Self::hits_of(&answer)
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    let score = Self::score_of(h, req.sort);
                    self.hit(h, req.offset + i + 1, score, snippets.as_ref()).0
                })
                .collect();
            return Ok(SearchResults {
                total_hits: Self::total_of(&answer),
                hits,
                relaxed,
            });
        }
        // A page deeper than Quickwit answers by offset.
        let mut hits = Vec::new();
        let total = self.ranked(&query, req.sort, req.offset, &mut |h, score| {
            if req.limit > 0 {
                let rank = req.offset + hits.len() + 1;
                hits.push(self.hit(h, rank, score, snippets.as_ref()).0);
            }
            Ok(hits.len() < req.limit)
        })?;
        Ok(SearchResults {
            total_hits: total,
            hits,
            relaxed,
        })
    }

    fn for_each_hit(
        &self,
        req: &SearchRequest,
        each: &mut dyn FnMut(&Hit, &str) -> Result<()>,
    ) -> Result<usize> {
        let query = self.query_json(req)?;
        let snippets = if req.snippets {
            Some(self.snippet_generator(req)?)
        } else {
            None
        };
        let mut rank = 0;
        self.ranked(&query, req.sort, 0, &mut |h, score| {
            rank += 1;
            let (hit, body) = self.hit(h, rank, score, snippets.as_ref());
            each(&hit, &body)?;
            Ok(true)
        })
    }

    fn tally(&self, req: Option<&SearchRequest>, by: TallyBy) -> Result<(u64, Tally)> {
        let query = match req {
            Some(r) => self.resolved_query(r, false)?.0,
            None => json!({ "match_all": {} }),
        };
        let agg = match by {
            // Daily buckets of the article's own calendar day, as the local index counts.
            TallyBy::Day => {
                json!({ "histogram": { "field": "day", "interval": 1, "min_doc_count": 1 } })
            }
            TallyBy::Keyword(field) => json!({ "terms": {
                "field": format!("{STORED_PREFIX}{field}"),
                "size": MAX_KEYWORDS,
                "shard_size": MAX_KEYWORDS,
            } }),
        };
        let body = json!({
            "query": query,
            "size": 0,
            "track_total_hits": true,
            "aggs": { "t": agg },
        });
        let answer = self.client.es_search(&body, None)?;
        let total = Self::total_of(&answer) as u64;
        let mut tally = Tally::default();
        let buckets = answer
            .pointer("/aggregations/t/buckets")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for b in buckets {
            let n = b.get("doc_count").and_then(Value::as_u64).unwrap_or(0);
            match by {
                TallyBy::Day => {
                    if let Some(k) = b.get("key").and_then(Value::as_f64) {
                        *tally.days.entry(k as i64).or_default() += n;
                    }
                }
                TallyBy::Keyword(_) => {
                    if let Some(k) = b.get("key").and_then(Value::as_str) {
                        *tally.keywords.entry(k.to_string()).or_default() += n;
                    }
                }
            }
        }
        match by {
            TallyBy::Day => tally.undated = total.saturating_sub(tally.days.values().sum()),
            // Articles with no value for the field (no outlet, section or author).
            TallyBy::Keyword(field) => {
                let body = json!({
                    "query": { "bool": {
                        "must": [query],
                        "must_not": [{ "exists": { "field": format!("{STORED_PREFIX}{field}") } }],
                    } },
                    "size": 0,
                    "track_total_hits": true,
                });
                tally.missing = Self::total_of(&self.client.es_search(&body, None)?) as u64;
            }
        }
        Ok((total, tally))
    }

    fn matcher(&self, req: &SearchRequest) -> Result<kwic::Matcher> {
        kwic::Matcher::new(&self.shadow, req)
    }

    fn describe_query(&self, req: &SearchRequest) -> Result<String> {
        Ok(format!(
            "{} {}",
            self.client.target.url(),
            self.query_json(req)?
        ))
    }

    fn article(&self, id: &str) -> Result<Option<ArticleView>> {
        let id = id.trim();
        if id.is_empty() {
            return Ok(None);
        }
        // By id first, then by the collection's own id, as the local engine looks.
        for (field, value) in [("id", id.to_ascii_lowercase()), ("docno", id.to_string())] {
            let body = json!({ "query": { "term": { field: { "value": value } } }, "size": 1 });
            let hits = Self::hits_of(&self.client.es_search(&body, None)?);
            let Some(src) = hits.first().and_then(|h| h.get("_source")) else {
                continue;
            };
            let s = |k: &str| src.get(k).and_then(Value::as_str).map(str::to_string);
            let stored = |k: &str| s(&format!("{STORED_PREFIX}{k}"));
            return Ok(Some(ArticleView {
                id: s("id").unwrap_or_default(),
                docno: s("docno"),
                path: s("path").unwrap_or_default(),
                record: src.get("record").and_then(Value::as_u64).unwrap_or(0),
                format: stored("format"),
                title: stored("title").unwrap_or_default(),
                published: date(src, "published"),
                date_source: s("date_source"),
                crawled: date(src, "crawled"),
                source: stored("source"),
                source_from: s("source_from"),
                section: stored("section"),
                section_from: s("section_from"),
                authors: strings(src, &format!("{STORED_PREFIX}authors")),
                url: stored("url"),
                language: stored("language"),
                language_source: s("language_source"),
                tags: strings(src, &format!("{STORED_PREFIX}tags")),
                word_count: src.get("word_count").and_then(Value::as_u64).unwrap_or(0),
                body: stored("body").unwrap_or_default(),
            }));
        }
        Ok(None)
    }

    fn info(&self) -> Result<EngineInfo> {
        let id = &self.client.target.index_id;
        let d = self
            .client
            .json("GET", &format!("/api/v1/indexes/{id}/describe"), None)?;
        let splits = self
            .client
            .json("GET", &format!("/api/v1/indexes/{id}/splits"), None)?;
        let segments = splits
            .get("splits")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.get("split_id").and_then(Value::as_str))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        Ok(EngineInfo {
            location: self.client.target.url(),
            articles: d
                .get("num_published_docs")
                .and_then(Value::as_u64)
                .unwrap_or(0),
            last_commit: 0,
            segments,
            size_bytes: d.get("size_published_splits").and_then(Value::as_u64),
            near_copy_threshold: None,
            folders: Vec::new(),
        })
    }
}

/// A date field of a stored document, as the local engine writes it (RFC 3339, UTC).
fn date(src: &Value, key: &str) -> Option<String> {
    let p = src.get(key)?.as_str()?;
    time::OffsetDateTime::parse(p, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(format_rfc3339)
}

/// Every value of a multi-valued stored field.
fn strings(src: &Value, key: &str) -> Vec<String> {
    src.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shadow() -> (LocalEngine, QuickwitEngine) {
        let (schema, fields) = crate::index::schema::build_schema();
        let engine = QuickwitEngine {
            client: Client::with_backoff(
                Target::parse("quickwit://127.0.0.1:9/nowhere").unwrap(),
                crate::index::quickwit::Backoff::with_budget(std::time::Duration::ZERO),
            ),
            shadow: LocalEngine::in_memory(&[]).unwrap().for_cluster_queries(),
            schema,
            fields,
        };
        (LocalEngine::in_memory(&[]).unwrap(), engine)
    }

    fn translate(q: &str) -> Value {
        let (_, e) = shadow();
        e.query_json(&SearchRequest::new(q)).unwrap()
    }

    #[test]
    fn terms_phrases_booleans_prefixes_and_dates_translate() {
        assert_eq!(
            translate("caravans"),
            json!({"term": {"text": {"value": "caravan"}}})
        );
        assert_eq!(
            translate("\"migrant caravans\"~2"),
            json!({"match_phrase": {"text": {"query": "migrant caravan", "slop": 2}}})
        );
        let v = translate("caravan -vintage source:\"Harbor Ledger\"");
        assert_eq!(v["bool"]["must_not"][0]["term"]["text"]["value"], "vintag");
        assert_eq!(
            v["bool"]["must"][1]["term"]["source"]["value"],
            "harbor ledger"
        );
        assert_eq!(
            translate("immigra*"),
            json!({"regexp": {"exact": {"value": "immigra.*"}}})
        );
        assert_eq!(
            translate("published:[2018-10-01 TO 2018-10-31]"),
            json!({"range": {"day": {"gte": 17805, "lte": 17835}}})
        );
        assert_eq!(
            translate("caravan^2"),
            json!({"term": {"text": {"value": "caravan", "boost": 2.0}}})
        );
        let mut req = SearchRequest::new("caravan");
        req.filters.since = Some(time::macros::date!(2018 - 10 - 01));
        let (_, e) = shadow();
        let v = e.query_json(&req).unwrap();
        assert_eq!(
            v["bool"]["must"][1],
            json!({"range": {"day": {"gte": 17805}}})
        );
    }

    #[test]
    fn what_the_cluster_cannot_do_is_a_clear_error() {
        let (_, e) = shadow();
        let err = e.query_json(&SearchRequest::new("caravan~1")).unwrap_err();
        assert!(err.to_string().contains("fuzzy"), "{err}");
        let mut req = SearchRequest::new("caravan");
        req.recency_days = Some(30.0);
        assert!(
            e.query_json(&req)
                .unwrap_err()
                .to_string()
                .contains("--recency")
        );
        let mut req = SearchRequest::new("caravan");
        req.collapse = true;
        let err = e.query_json(&req).unwrap_err();
        assert!(err.to_string().contains("--collapse"), "{err}");
        let err = e.query_json(&SearchRequest::new("\"a b\"^2")).unwrap_err();
        assert!(err.to_string().contains("boost"), "{err}");
    }
}
