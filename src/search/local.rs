//! Searching: query parsing, filters, ranking (the collector choice lives here and only here),
//! and building hits with snippets.

use std::ops::{Bound, Range};
use std::path::{Path, PathBuf};

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EnableScoring, Occur, PhraseQuery, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::{IndexRecordOption, Term, Value};
use tantivy::{
    DateTime, DocAddress, Index, IndexReader, Order, ReloadPolicy, Searcher, TantivyDocument,
};
use time::Date;

use crate::error::{Error, Result};
use crate::index::analysis::{analysis_of, tag_of};
use crate::index::clusters::ClusterView;
use crate::index::forms::{FormsMap, FormsSink, FormsTokenizer};
use crate::index::schema::{Fields, normalize_keyword};
use crate::index::{Commit, UNIX_EPOCH_JULIAN_DAY, dir_bytes, open_committed};
use crate::ingest::article::format_rfc3339;
use crate::search::expand::{FEEDBACK_DOCS, ORIGINAL_WEIGHT, feedback_terms, similar_terms};
use crate::search::explain::in_words;
use crate::search::forms::{Part, TextTerms};
use crate::search::languages::{LanguageCounts, LanguageStatistics};
use crate::search::passage::{Finder, Passage};
use crate::search::plan::{Combine, RELAX_BELOW_HITS, plan, query_language};
use crate::search::query::{UserQuery, read_user_query};
use crate::search::request::{
    ArticleView, Filters, Hit, PROXIMITY_MAX_DF, PROXIMITY_SLOP, SearchRequest, SearchResults,
    Snippet, SortOrder,
};
use crate::search::tally::{Tally, TallyBy, TallyCollector};
use crate::search::{EngineInfo, SearchEngine};

/// Longest snippet, in characters.
pub(crate) const SNIPPET_CHARS: usize = 200;

/// What a request runs before any fallback (see [`LocalEngine::planned`]).
/// See [`LocalEngine::candidate_queries`].
pub struct Candidates {
    /// What the request runs first.
    pub main: Box<dyn Query>,
    /// What it runs instead when `main` finds fewer than [`RELAX_BELOW_HITS`] articles.
    pub fallback: Option<Box<dyn Query>>,
}

struct Planned {
    /// The query proper, without filters.
    main: Box<dyn Query>,
    /// The same with any word enough, when the policy relaxes a query that finds too few.
    fallback: Option<Box<dyn Query>>,
    /// Whether `main` requires every word.
    all_words: bool,
    /// The summed weight of the query's words (repeats count), to scale feedback terms.
    query_weight: f32,
}

/// An open index, ready to answer queries.
pub struct LocalEngine {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// The searcher generation the engine opened with and its commit's opstamp (`meta.json`
    /// read once).
    opened: Option<(u64, u64)>,
    path: PathBuf,
    /// Clusters of copies, loaded on first use (`index::clusters`).
    /// The clusters of one searcher generation (a commit), as `cluster_view` last found them.
    clusters: std::sync::Mutex<Option<(u64, std::sync::Arc<ClusterView>)>>,
    near_copy_threshold: f32,
    /// Articles per language as a remote engine's cluster holds them; `None`: this index's own.
    languages: Option<LanguageCounts>,
    /// Stemmed words are answered from the forms this index holds ([`crate::search::forms`]);
    /// false when the engine only builds queries for a cluster, whose fields hold stems.
    stems: bool,
    /// The forms of the index's stems and their document frequencies, for one searcher
    /// generation (a commit): read on first use, and again when the engine moves on.
    text_terms: std::sync::Mutex<Option<(u64, TextTerms)>>,
    /// The forms of an index held in memory.
    memory_forms: Option<std::sync::Arc<FormsMap>>,
}

impl LocalEngine {
    /// Opens the index at `dir` for searching.
    pub fn open(dir: &Path) -> Result<LocalEngine> {
        let (index, fields, commit) = open_committed(dir)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| Error::from(e).in_index(dir))?;
        // The reader read the commit that was read before it unless a commit came in between.
        let opened = Commit::read(dir)
            .is_ok_and(|c| c.opstamp == commit.opstamp)
            .then(|| {
                (
                    reader.searcher().generation().generation_id(),
                    commit.opstamp,
                )
            });
        Ok(LocalEngine {
            index,
            reader,
            fields,
            opened,
            path: dir.to_path_buf(),
            clusters: Default::default(),
            near_copy_threshold: crate::index::near_copy_threshold(dir),
            languages: None,
            stems: true,
            text_terms: Default::default(),
            memory_forms: None,
        })
    }

    /// An index held in memory over `articles` (no files written): for fuzzing and tests of the
    /// query layer.
    pub fn in_memory(articles: &[crate::ingest::article::Article]) -> Result<LocalEngine> {
        let (schema, fields) = crate::index::schema::build_schema();
        let index = Index::create_in_ram(schema);
        crate::index::schema::register_tokenizers(&index);
        let sink = std::sync::Arc::new(FormsSink::default());
        index.tokenizers().register(
            crate::index::schema::FORMS_TOKENIZER,
            tantivy::tokenizer::TextAnalyzer::from(FormsTokenizer::recording(sink.clone())),
        );
        let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000)?;
        for a in articles {
            writer.add_document(crate::index::to_document(
                &fields,
                a,
                crate::index::schema::DEFAULT_TITLE_WEIGHT,
            ))?;
        }
        writer.commit()?;
        let forms = FormsMap::from_keys(&sink.take());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(LocalEngine {
            index,
            reader,
            fields,
            opened: None,
            path: PathBuf::new(),
            clusters: Default::default(),
            near_copy_threshold: crate::index::clusters::DEFAULT_THRESHOLD,
            languages: None,
            stems: true,
            text_terms: Default::default(),
            memory_forms: Some(std::sync::Arc::new(forms)),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Which article is a copy of which, for the commit this engine reads: computed (or loaded)
    /// once per commit, and again when a long-running engine moves on to a newer one.
    pub fn cluster_view(&self) -> Result<std::sync::Arc<ClusterView>> {
        let searcher = self.searcher();
        let generation = searcher.generation().generation_id();
        let cached = self.clusters.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((g, v)) = &*cached
            && *g == generation
        {
            return Ok(v.clone());
        }
        drop(cached);
        let opstamp = match self.opened {
            Some((g, opstamp)) if g == generation => opstamp,
            _ => self.index.load_metas()?.opstamp,
        };
        let v = std::sync::Arc::new(ClusterView::current(
            opstamp,
            &searcher,
            &self.path,
            self.near_copy_threshold,
        )?);
        *self.clusters.lock().unwrap_or_else(|e| e.into_inner()) = Some((generation, v.clone()));
        Ok(v)
    }

    /// The near-copy threshold the index's clusters are drawn with.
    pub fn near_copy_threshold(&self) -> f32 {
        self.near_copy_threshold
    }

    /// The best-ranked member of each story among the ranked hits, up to `want` of them: ranks
    /// ever deeper until enough stories are found or the matches run out.
    #[allow(clippy::too_many_arguments)]
    fn collapsed(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        sort: SortOrder,
        want: usize,
        recency_days: Option<f32>,
        view: &ClusterView,
        total_articles: usize,
    ) -> Result<Vec<(f32, DocAddress)>> {
        let keys: Vec<tantivy::columnar::Column<u64>> = searcher
            .segment_readers()
            .iter()
            .map(|s| s.fast_fields().u64("article_key"))
            .collect::<tantivy::Result<_>>()?;
        let mut depth = (want * 2).max(32).min(total_articles.max(1));
        loop {
            let (_, ranked) = self.collect(searcher, query, sort, depth, 0, recency_days)?;
            let exhausted = ranked.len() < depth;
            let mut seen = std::collections::HashSet::new();
            let mut picked = Vec::with_capacity(want);
            for (score, addr) in ranked {
                let key = keys[addr.segment_ord as usize]
                    .first(addr.doc_id)
                    .unwrap_or(0);
                if seen.insert(view.story_of(key)) {
                    picked.push((score, addr));
                    if picked.len() == want {
                        return Ok(picked);
                    }
                }
            }
            if exhausted || depth >= total_articles {
                return Ok(picked);
            }
            depth = (depth * 4).min(total_articles);
        }
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Searches as if the index held articles in these languages (an engine over an empty
    /// index that builds queries for a remote one).
    pub fn set_language_counts(&mut self, counts: LanguageCounts) {
        self.languages = Some(counts);
    }

    /// How this index answers stemmed words for `searcher`'s commit ([`crate::search::forms`]);
    /// `None` for an engine that builds queries for a cluster.
    pub fn text_terms(&self, searcher: &Searcher) -> Result<Option<TextTerms>> {
        if !self.stems {
            return Ok(None);
        }
        let generation = searcher.generation().generation_id();
        let mut cached = self.text_terms.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((g, t)) = &*cached
            && *g == generation
        {
            return Ok(Some(t.clone()));
        }
        let forms = match &self.memory_forms {
            Some(f) => f.clone(),
            None => {
                let file = self.path.join(crate::index::forms::FORMS_FILE);
                if searcher.num_docs() > 0 && !file.exists() {
                    return Err(Error::Corrupt {
                        path: self.path.clone(),
                        detail: format!(
                            "{} (the forms of its stems) is missing",
                            crate::index::forms::FORMS_FILE
                        ),
                    });
                }
                std::sync::Arc::new(FormsMap::open_for_search(&self.path)?)
            }
        };
        let t = TextTerms::new(forms, &self.fields);
        *cached = Some((generation, t.clone()));
        Ok(Some(t))
    }

    /// The number of articles holding `term`: a `text` term's from its forms.
    fn doc_freq(&self, searcher: &Searcher, term: &Term) -> Result<u64> {
        if term.field() == self.fields.text
            && let Some(t) = self.text_terms(searcher)?
        {
            return Ok(t.doc_freq(searcher, term)?);
        }
        Ok(searcher.doc_freq(term)?)
    }

    /// A `text` term searched in title and body: from its forms in a local index.
    fn text_word(&self, searcher: &Searcher, term: &str) -> Result<Box<dyn Query>> {
        let term = Term::from_field_text(self.fields.text, term);
        Ok(match self.text_terms(searcher)? {
            Some(t) => t.word(&term, Part::Whole),
            None => Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
        })
    }

    /// Articles per analysis (language) in the index.
    pub fn language_counts(&self, searcher: &Searcher) -> Result<LanguageCounts> {
        match &self.languages {
            Some(c) => Ok(c.clone()),
            None => LanguageCounts::of_index(searcher, &self.fields),
        }
    }

    /// The analyses `req`'s words are read in: those of its `--lang` languages, else every one
    /// the index holds (English first).
    pub fn analyses(&self, req: &SearchRequest) -> Result<Vec<Option<String>>> {
        if req.filters.languages.is_empty() {
            return Ok(self.language_counts(&self.searcher())?.analyses());
        }
        let mut out: Vec<Option<String>> = Vec::new();
        for lang in &req.filters.languages {
            let tag = analysis_of(Some(&normalize_keyword(lang))).map(str::to_string);
            if !out.contains(&tag) {
                out.push(tag);
            }
        }
        Ok(out)
    }

    /// Reads the request's query (checks, stop words of its analyses' languages, repeated
    /// words; see [`UserQuery`]).
    pub fn read_query(&self, req: &SearchRequest) -> Result<UserQuery> {
        let analyses = self.analyses(req)?;
        let langs: Vec<&str> = analyses
            .iter()
            .map(|a| a.as_deref().unwrap_or(query_language(req)))
            .collect();
        read_user_query(&req.query, &langs)
    }

    /// The user's query as a tantivy query (filters not included), words combined as `combine`
    /// says, read in `req`'s analyses ([`LocalEngine::analyses`]).
    pub fn parse_query(
        &self,
        req: &SearchRequest,
        query: &UserQuery,
        combine: Combine,
    ) -> Result<Box<dyn Query>> {
        let searcher = self.searcher();
        query.build(
            &self.index,
            &self.fields,
            Some(&searcher),
            combine == Combine::Any,
            req.exact,
            &self.analyses(req)?,
            self.text_terms(&searcher)?.as_ref(),
        )
    }

    /// An engine that builds queries for a cluster, whose `body` field is its own: `body:`
    /// queries stay on it.
    pub(crate) fn for_cluster_queries(mut self) -> LocalEngine {
        self.stems = false;
        self
    }

    /// `main` plus the request's filters and the proximity bonus. This is where ranking is
    /// decided: BM25F over title and body (the `text` field, title weighted by the index's title
    /// weight, [`crate::index::schema::DEFAULT_TITLE_WEIGHT`] by default), each repeated word
    /// weighted by its count, plus [`LocalEngine::proximity_bonus`].
    fn assemble(&self, req: &SearchRequest, main: Box<dyn Query>) -> Result<Box<dyn Query>> {
        let filters = self.filter_clauses(&req.filters);
        let bonus = if req.proximity_weight > 0.0 && req.like.is_none() {
            self.proximity_bonus(&req.query, req.proximity_weight, &self.analyses(req)?)?
        } else {
            Vec::new()
        };
        if filters.is_empty() && bonus.is_empty() {
            return Ok(main);
        }
        let mut clauses = vec![(Occur::Must, main)];
        clauses.extend(filters.into_iter().map(|q| (Occur::Must, q)));
        clauses.extend(bonus.into_iter().map(|q| (Occur::Should, q)));
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    /// What `req` runs before any fallback: its main query (filters not included) and, when the
    /// default-mode policy allows relaxing, the main query with any word enough
    /// ([`crate::search::plan`]).
    fn planned(&self, req: &SearchRequest, ranking: bool) -> Result<Planned> {
        if let Some(id) = &req.like {
            return Ok(Planned {
                main: self.similar_query(id, query_language(req))?,
                fallback: None,
                all_words: false,
                query_weight: 1.0,
            });
        }
        let uq = self.read_query(req)?;
        let plan = plan(req, uq.content_words, uq.default_clauses, ranking);
        let main = self.parse_query(req, &uq, plan.combine)?;
        let fallback = if plan.relax {
            Some(self.parse_query(req, &uq, Combine::Any)?)
        } else {
            None
        };
        Ok(Planned {
            main,
            fallback,
            all_words: plan.combine == Combine::All,
            query_weight: uq.query_weight(),
        })
    }

    /// The query `req` runs, after the default-mode policy ([`crate::search::plan`]): every word
    /// required or any word enough, relaxed to any word when every word finds fewer than
    /// [`RELAX_BELOW_HITS`] articles, and expanded with feedback terms when asked. Returns
    /// whether it was relaxed. `ranking`: false when only counting matches (counts never relax
    /// and are never expanded).
    pub fn resolve_query(
        &self,
        req: &SearchRequest,
        ranking: bool,
    ) -> Result<(Box<dyn Query>, bool)> {
        let searcher = self.searcher();
        let mut planned = self.planned(req, ranking)?;
        let mut query = self.assemble(req, planned.main.box_clone())?;
        let mut relaxed = false;
        if let Some(fallback) = planned.fallback.take()
            && searcher.search(&*query, &Count)? < RELAX_BELOW_HITS
        {
            planned.main = fallback;
            planned.all_words = false;
            query = self.assemble(req, planned.main.box_clone())?;
            relaxed = true;
        }
        if req.expand && ranking {
            query = self.expanded(req, &searcher, &*query, planned)?;
        }
        Ok((query, relaxed))
    }

    /// RM3 pseudo-relevance feedback: the best [`FEEDBACK_DOCS`] articles for `first` lend their
    /// [`FEEDBACK_TERMS`] heaviest words to the query, which keeps [`ORIGINAL_WEIGHT`] of the
    /// weight. With every word required the hit set stays the same (the new words only reorder);
    /// otherwise articles with feedback words alone are found too.
    fn expanded(
        &self,
        req: &SearchRequest,
        searcher: &Searcher,
        first: &dyn Query,
        planned: Planned,
    ) -> Result<Box<dyn Query>> {
        let (_, best) = self.collect(
            searcher,
            first,
            SortOrder::Relevance,
            FEEDBACK_DOCS,
            0,
            None,
        )?;
        let terms = feedback_terms(searcher, &self.fields, &best, query_language(req))?;
        if terms.is_empty() {
            return self.assemble(req, planned.main);
        }
        let original = if planned.all_words {
            Occur::Must
        } else {
            Occur::Should
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
            original,
            Box::new(BoostQuery::new(planned.main, ORIGINAL_WEIGHT)),
        )];
        for (term, w) in terms {
            let q = self.text_word(searcher, &term)?;
            let boost = (1.0 - ORIGINAL_WEIGHT) * w * planned.query_weight;
            clauses.push((Occur::Should, Box::new(BoostQuery::new(q, boost))));
        }
        self.assemble(req, Box::new(BooleanQuery::new(clauses)))
    }

    /// "More like this article": the article's distinctive words ([`similar_terms`]), any of
    /// them enough, the article itself left out.
    fn similar_query(&self, id: &str, lang: &str) -> Result<Box<dyn Query>> {
        let searcher = self.searcher();
        let mut found = None;
        for field in [self.fields.id, self.fields.docno] {
            let q = TermQuery::new(Term::from_field_text(field, id), IndexRecordOption::Basic);
            let top = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
            if let Some((_, addr)) = top.first() {
                found = Some(*addr);
                break;
            }
        }
        let Some(addr) = found else {
            return Err(Error::Usage(format!(
                "no article has the id `{id}`: use the id that search prints (`id` in JSON and \
                 CSV output) or the collection's own document number"
            )));
        };
        let doc: TantivyDocument = searcher.doc(addr)?;
        let df = |t: &str| self.doc_freq(&searcher, &Term::from_field_text(self.fields.text, t));
        let terms = similar_terms(&searcher, &self.fields, &doc, lang, &df)?;
        if terms.is_empty() {
            return Err(Error::Usage(format!(
                "article `{id}` shares no words with any other article"
            )));
        }
        let own_id = doc
            .get_first(self.fields.id)
            .and_then(|v| v.as_str())
            .unwrap_or(id)
            .to_string();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(terms.len() + 1);
        for (term, w) in terms {
            let q = self.text_word(&searcher, &term)?;
            clauses.push((Occur::Should, Box::new(BoostQuery::new(q, w))));
        }
        clauses.push((
            Occur::MustNot,
            Box::new(TermQuery::new(
                Term::from_field_text(self.fields.id, &own_id),
                IndexRecordOption::Basic,
            )),
        ));
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    /// The query `req` runs before the default-mode fallback, and the fallback (any word enough)
    /// when the policy allows one, both with the request's filters: for an engine that counts
    /// matches elsewhere and relaxes by the same rule (the Quickwit engine).
    pub fn candidate_queries(&self, req: &SearchRequest, ranking: bool) -> Result<Candidates> {
        let planned = self.planned(req, ranking)?;
        let fallback = planned
            .fallback
            .map(|f| self.assemble(req, f))
            .transpose()?;
        Ok(Candidates {
            main: self.assemble(req, planned.main)?,
            fallback,
        })
    }

    /// The query `req` runs (see [`LocalEngine::resolve_query`]): the one function that builds
    /// queries for `search`, `export`, `count` and `eval`, so they all rank the same way.
    pub fn build_query(&self, req: &SearchRequest) -> Result<Box<dyn Query>> {
        Ok(self.resolve_query(req, true)?.0)
    }

    /// For a query of plain words, a bonus for articles where neighbouring query words stand
    /// within [`PROXIMITY_SLOP`] positions of each other (in either order).
    /// It separates "migrant caravan" stories from articles that use both words apart.
    /// The words are read in each of `analyses` (languages) and paired within each.
    pub fn proximity_bonus(
        &self,
        query: &str,
        weight: f32,
        analyses: &[Option<String>],
    ) -> Result<Vec<Box<dyn Query>>> {
        let plain = query.chars().all(|c| {
            c.is_alphanumeric() || c.is_whitespace() || matches!(c, '\'' | '’' | '-' | '.' | ',')
        });
        if !plain
            || query
                .split_whitespace()
                .any(|w| w.starts_with('-') || w == "OR" || w == "AND" || w == "NOT")
        {
            return Ok(Vec::new());
        }
        let searcher = self.searcher();
        let counts = self.language_counts(&searcher)?;
        let mut out = Vec::new();
        for tag in analyses {
            // Articles of this language, as a share of the live articles.
            let share = match counts.per_analysis.get(tag) {
                Some(&n) if counts.total > 0 => n as f64 / counts.total as f64,
                _ => 1.0,
            };
            let n = searcher.num_docs() as f64 * share;
            out.extend(self.proximity_bonus_for(
                &searcher,
                &analyze(tag.as_deref(), query),
                weight,
                n,
            ));
        }
        Ok(out)
    }

    /// The proximity bonus for already-analysed query words. Function words ("what", "the", "of":
    /// words in more than [`PROXIMITY_MAX_DF`] of all articles) are left out of the pairs, so
    /// "what are" in a question earns nothing; the pairs are neighbours among the words left.
    fn proximity_bonus_for(
        &self,
        searcher: &Searcher,
        words: &[String],
        weight: f32,
        n: f64,
    ) -> Vec<Box<dyn Query>> {
        let n = n.max(1.0);
        let content: Vec<&String> = words
            .iter()
            .filter(|w| {
                let df = self
                    .doc_freq(searcher, &Term::from_field_text(self.fields.text, w))
                    .unwrap_or(0);
                (df as f64) / n <= PROXIMITY_MAX_DF
            })
            .collect();
        let stems = self.text_terms(searcher).ok().flatten();
        let mut out: Vec<Box<dyn Query>> = Vec::new();
        for pair in content.windows(2) {
            if pair[0] == pair[1] {
                continue;
            }
            let field = self.fields.text;
            for (a, b) in [(&pair[0], &pair[1]), (&pair[1], &pair[0])] {
                let terms = vec![
                    (0, Term::from_field_text(field, a)),
                    (1, Term::from_field_text(field, b)),
                ];
                let phrase: Box<dyn Query> = match &stems {
                    Some(s) => s.words(terms, PROXIMITY_SLOP, Part::Whole),
                    None => Box::new(PhraseQuery::new_with_offset_and_slop(terms, PROXIMITY_SLOP)),
                };
                out.push(Box::new(BoostQuery::new(phrase, weight)));
            }
        }
        out
    }

    fn filter_clauses(&self, f: &Filters) -> Vec<Box<dyn Query>> {
        let mut out: Vec<Box<dyn Query>> = Vec::new();
        if f.since.is_some() || f.until.is_some() {
            let bound = |d: Option<Date>| match d {
                Some(d) => Bound::Included(Term::from_field_i64(
                    self.fields.day,
                    i64::from(d.to_julian_day() - UNIX_EPOCH_JULIAN_DAY),
                )),
                None => Bound::Unbounded,
            };
            out.push(Box::new(RangeQuery::new(bound(f.since), bound(f.until))));
        }
        let any_of = |field, values: &[String]| -> Option<Box<dyn Query>> {
            if values.is_empty() {
                return None;
            }
            let clauses = values
                .iter()
                .map(|v| {
                    let term = Term::from_field_text(field, &normalize_keyword(v));
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>,
                    )
                })
                .collect();
            Some(Box::new(BooleanQuery::new(clauses)))
        };
        out.extend(any_of(self.fields.source, &f.sources));
        out.extend(any_of(self.fields.section, &f.sections));
        out.extend(any_of(self.fields.authors, &f.authors));
        out.extend(any_of(self.fields.language, &f.languages));
        out
    }

    /// The newest local publication day in the index (days since 1970), for `--recency`.
    fn newest_day(&self, searcher: &Searcher) -> Result<i64> {
        let mut newest = i64::MIN;
        for seg in searcher.segment_readers() {
            let col = seg.fast_fields().i64("day")?;
            // A segment without dated articles has no values to take a maximum of.
            if col.values.num_vals() > 0 {
                newest = newest.max(col.max_value());
            }
        }
        Ok(if newest == i64::MIN { 0 } else { newest })
    }

    /// Highlights in the body the words the query looks for in `text` or `body` (rarer words
    /// weigh more when choosing the passage).
    fn snippet_generator(&self, searcher: &Searcher, query: &dyn Query) -> Result<Snippets> {
        let mut words: std::collections::BTreeMap<String, f32> = Default::default();
        let mut terms: Vec<Term> = Vec::new();
        query.query_terms(&mut |term, _| {
            if term.field() == self.fields.text || term.field() == self.fields.body {
                terms.push(term.clone());
            }
        });
        for term in terms {
            if let Some(word) = term.value().as_str() {
                let df = self.doc_freq(searcher, &term)?;
                if df > 0 {
                    words.insert(word.to_string(), 1.0 / (1.0 + df as f32));
                }
            }
        }
        Ok(Snippets::new(words))
    }

    /// The BM25 statistics every ranked search uses: document frequencies per language scaled
    /// to the whole archive ([`LanguageStatistics`]).
    fn statistics<'s>(&self, searcher: &'s Searcher) -> Result<LanguageStatistics<'s>> {
        Ok(LanguageStatistics::new(
            searcher,
            &self.fields,
            self.language_counts(searcher)?,
            self.text_terms(searcher)?,
        ))
    }

    /// Counts and ranks. The one place where the ranking collector is chosen.
    /// One page of ranked hits and the number of matches: articles, or with `collapse` stories
    /// (the best-ranked member of each cluster of copies).
    fn page(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        req: &SearchRequest,
        limit: usize,
        view: &std::sync::Arc<ClusterView>,
    ) -> Result<(usize, Vec<(f32, DocAddress)>)> {
        if !req.collapse {
            return self.collect(
                searcher,
                query,
                req.sort,
                limit,
                req.offset,
                req.recency_days,
            );
        }
        let (alone, clusters) = searcher.search(query, &StoryCount { view: view.clone() })?;
        let total = alone
            + clusters
                .iter()
                .map(|b| b.count_ones() as usize)
                .sum::<usize>();
        if limit == 0 || total <= req.offset {
            return Ok((total, Vec::new()));
        }
        let mut picked = self.collapsed(
            searcher,
            query,
            req.sort,
            req.offset + limit,
            req.recency_days,
            view,
            searcher.num_docs() as usize,
        )?;
        picked.drain(..req.offset.min(picked.len()));
        Ok((total, picked))
    }

    fn collect(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        sort: SortOrder,
        limit: usize,
        offset: usize,
        recency_days: Option<f32>,
    ) -> Result<(usize, Vec<(f32, DocAddress)>)> {
        if limit == 0 {
            return Ok((searcher.search(query, &Count)?, Vec::new()));
        }
        // Scored with per-language document frequencies (see `search::languages`).
        let stats = self.statistics(searcher)?;
        let top = TopDocs::with_limit(limit).and_offset(offset);
        Ok(match sort {
            SortOrder::Relevance if recency_days.is_some_and(|d| d > 0.0) => {
                let half = f64::from(recency_days.unwrap_or(1.0));
                let newest = self.newest_day(searcher)?;
                let boosted = top.tweak_score(move |seg: &tantivy::SegmentReader| {
                    let days = seg.fast_fields().i64("day").ok();
                    move |doc: tantivy::DocId, score: f32| {
                        let age = days
                            .as_ref()
                            .and_then(|c| c.first(doc))
                            .map(|d| (newest - d).max(0));
                        match age {
                            Some(age) => score * (1.0 + 1.0 / (1.0 + age as f64 / half)) as f32,
                            None => score,
                        }
                    }
                });
                searcher.search_with_statistics_provider(query, &(Count, boosted), &stats)?
            }
            SortOrder::Relevance => searcher.search_with_statistics_provider(
                query,
                &(Count, top.order_by_score()),
                &stats,
            )?,
            SortOrder::Newest | SortOrder::Oldest => {
                let order = if sort == SortOrder::Newest {
                    Order::Desc
                } else {
                    Order::Asc
                };
                let (n, docs) = searcher.search(
                    query,
                    &(
                        Count,
                        top.order_by_fast_field::<DateTime>("published", order),
                    ),
                )?;
                (n, docs.into_iter().map(|(_, a)| (0.0, a)).collect())
            }
        })
    }

    fn hit_from_doc(
        &self,
        doc: &TantivyDocument,
        rank: usize,
        score: f32,
        snippets: Option<&Snippets>,
        view: &ClusterView,
    ) -> Hit {
        let f = &self.fields;
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let body = doc
            .get_first(f.stored_body)
            .and_then(|v| v.as_str())
            .unwrap_or("");
        let language = doc.get_first(f.language).and_then(|v| v.as_str());
        let snippet = snippets
            .map(|g| g.snippet(language, body))
            .unwrap_or_default();
        let id = text(f.id).unwrap_or_default();
        let published_secs = doc
            .get_first(f.published)
            .and_then(|v| v.as_datetime())
            .map(|d| d.into_timestamp_secs());
        let rfc = |secs: i64| {
            time::OffsetDateTime::from_unix_timestamp(secs)
                .ok()
                .map(format_rfc3339)
        };
        let key = u64::from_str_radix(&id, 16).unwrap_or(0);
        let (cluster, copies, first_seen) = match view.cluster_of(key) {
            Some((_, c)) => (
                format!("{:016x}", c.id),
                c.copies,
                c.first_seen.and_then(rfc),
            ),
            None => (id.clone(), 1, published_secs.and_then(rfc)),
        };
        Hit {
            rank,
            score,
            id,
            docno: text(f.docno),
            path: text(f.path).unwrap_or_default(),
            record: doc
                .get_first(f.record)
                .and_then(|v| v.as_u64())
                .unwrap_or(0),
            title: text(f.stored_title).unwrap_or_default(),
            published: doc
                .get_first(f.published)
                .and_then(|v| v.as_datetime())
                .and_then(|d| {
                    time::OffsetDateTime::from_unix_timestamp(d.into_timestamp_secs()).ok()
                })
                .map(format_rfc3339),
            date_source: text(f.date_source),
            source: text(f.source),
            authors: doc
                .get_all(f.authors)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            url: text(f.url),
            section: text(f.section),
            language: text(f.language),
            language_source: text(f.language_source),
            word_count: doc
                .get_first(f.word_count)
                .and_then(|v| v.as_u64())
                .unwrap_or(0),
            cluster,
            copies,
            first_seen,
            snippet,
            explanation: None,
        }
    }
}

/// An RFC 3339 string from a stored date field.
fn stored_date(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_datetime())
        .and_then(|d| time::OffsetDateTime::from_unix_timestamp(d.into_timestamp_secs()).ok())
        .map(format_rfc3339)
}

impl LocalEngine {
    /// The first document whose raw `field` holds `value`.
    fn find_one(
        &self,
        searcher: &Searcher,
        field: tantivy::schema::Field,
        value: &str,
    ) -> Result<Option<TantivyDocument>> {
        let q = TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
        match top.first() {
            Some((_, addr)) => Ok(Some(searcher.doc(*addr)?)),
            None => Ok(None),
        }
    }

    fn view_from_doc(&self, doc: &TantivyDocument) -> ArticleView {
        let f = &self.fields;
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let all = |field| {
            doc.get_all(field)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        ArticleView {
            id: text(f.id).unwrap_or_default(),
            docno: text(f.docno),
            path: text(f.path).unwrap_or_default(),
            record: doc
                .get_first(f.record)
                .and_then(|v| v.as_u64())
                .unwrap_or(0),
            format: text(f.format),
            title: text(f.stored_title).unwrap_or_default(),
            published: stored_date(doc, f.published),
            date_source: text(f.date_source),
            crawled: stored_date(doc, f.crawled),
            source: text(f.source),
            source_from: text(f.source_from),
            section: text(f.section),
            section_from: text(f.section_from),
            authors: all(f.authors),
            url: text(f.url),
            language: text(f.language),
            language_source: text(f.language_source),
            tags: all(f.tags),
            word_count: doc
                .get_first(f.word_count)
                .and_then(|v| v.as_u64())
                .unwrap_or(0),
            body: text(f.stored_body).unwrap_or_default(),
        }
    }
}

impl SearchEngine for LocalEngine {
    /// Runs a search: the exact number of matches and the requested page of hits.
    fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let searcher = self.searcher();
        let view = self.cluster_view()?;
        let mut planned = self.planned(req, true)?;
        let mut query = self.assemble(req, planned.main.box_clone())?;
        let limit = req.limit.min(searcher.num_docs() as usize);
        let run = |query: &dyn Query| self.page(&searcher, query, req, limit, &view);
        let (mut total_hits, mut ranked) = run(&*query)?;
        let mut relaxed = false;
        if let Some(fallback) = planned.fallback.take()
            && total_hits < RELAX_BELOW_HITS
        {
            planned.main = fallback;
            planned.all_words = false;
            query = self.assemble(req, planned.main.box_clone())?;
            (total_hits, ranked) = run(&*query)?;
            relaxed = true;
        }
        if req.expand {
            query = self.expanded(req, &searcher, &*query, planned)?;
            (total_hits, ranked) = run(&*query)?;
        }
        let snippets = if req.snippets && !ranked.is_empty() {
            Some(self.snippet_generator(&searcher, &*query)?)
        } else {
            None
        };
        let mut hits = Vec::with_capacity(ranked.len());
        for (i, (score, addr)) in ranked.into_iter().enumerate() {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let mut hit =
                self.hit_from_doc(&doc, req.offset + i + 1, score, snippets.as_ref(), &view);
            if req.explain {
                let stats = self.statistics(&searcher)?;
                let weight = query.weight(EnableScoring::enabled_from_statistics_provider(
                    &stats, &searcher,
                ))?;
                let tree = weight
                    .explain(searcher.segment_reader(addr.segment_ord), addr.doc_id)?
                    .to_pretty_json();
                hit.explanation = Some(in_words(&tree, &self.index.schema(), score));
            }
            hits.push(hit);
        }
        Ok(SearchResults {
            total_hits,
            hits,
            relaxed,
        })
    }

    /// Every hit of the request, in the request's order (its `limit` and `offset` are ignored),
    /// handed one at a time to `each` with the article's body: memory holds only the ranked list
    /// of document addresses, never the articles. Returns the number of hits.
    fn for_each_hit(
        &self,
        req: &SearchRequest,
        each: &mut dyn FnMut(&Hit, &str) -> Result<()>,
    ) -> Result<usize> {
        let query = self.build_query(req)?;
        let searcher = self.searcher();
        let total = searcher.search(&*query, &Count)?;
        if total == 0 {
            return Ok(0);
        }
        let (_, ranked) = self.collect(&searcher, &*query, req.sort, total, 0, req.recency_days)?;
        let snippets = if req.snippets {
            Some(self.snippet_generator(&searcher, &*query)?)
        } else {
            None
        };
        let view = self.cluster_view()?;
        let mut stories = std::collections::HashSet::new();
        let mut emitted = 0;
        for (score, addr) in ranked {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let hit = self.hit_from_doc(&doc, emitted + 1, score, snippets.as_ref(), &view);
            if req.collapse && !stories.insert(hit.cluster.clone()) {
                continue;
            }
            let body = doc
                .get_first(self.fields.stored_body)
                .and_then(|v| v.as_str())
                .unwrap_or("");
            each(&hit, body)?;
            emitted += 1;
        }
        Ok(emitted)
    }

    fn tally(&self, req: Option<&SearchRequest>, by: TallyBy) -> Result<(u64, Tally)> {
        let searcher = self.searcher();
        let stories = match req {
            Some(r) if r.collapse => Some(self.cluster_view()?),
            _ => None,
        };
        let collector = (Count, TallyCollector { by, stories });
        let (n, part) = match req {
            Some(req) => searcher.search(&*self.resolve_query(req, false)?.0, &collector)?,
            None => searcher.search(&AllQuery, &collector)?,
        };
        let tally = part.tally;
        let n = if tally.stories.is_some() {
            tally.stories.unwrap_or(0)
        } else {
            n as u64
        };
        Ok((n, tally))
    }

    fn matcher(&self, req: &SearchRequest) -> Result<crate::search::kwic::Matcher> {
        crate::search::kwic::Matcher::new(self, req)
    }

    fn describe_query(&self, req: &SearchRequest) -> Result<String> {
        let (query, relaxed) = self.resolve_query(req, true)?;
        Ok(if relaxed {
            format!(
                "{query:?} (relaxed to any word: fewer than {RELAX_BELOW_HITS} articles have every word)"
            )
        } else {
            format!("{query:?}")
        })
    }

    fn article(&self, id: &str) -> Result<Option<ArticleView>> {
        let id = id.trim();
        if id.is_empty() {
            return Ok(None);
        }
        let searcher = self.searcher();
        let doc = match self.find_one(&searcher, self.fields.id, &id.to_ascii_lowercase())? {
            Some(doc) => Some(doc),
            None => self.find_one(&searcher, self.fields.docno, id)?,
        };
        Ok(doc.map(|d| self.view_from_doc(&d)))
    }

    fn refresh(&self) -> Result<()> {
        self.reader
            .reload()
            .map_err(|e| Error::from(e).in_index(&self.path))
    }

    fn info(&self) -> Result<EngineInfo> {
        let metas = self.index.load_metas()?;
        Ok(EngineInfo {
            location: self.path.display().to_string(),
            articles: self.searcher().num_docs(),
            last_commit: metas.opstamp,
            segments: metas
                .segments
                .iter()
                .map(|s| s.id().uuid_string())
                .collect(),
            size_bytes: (!self.path.as_os_str().is_empty()).then(|| dir_bytes(&self.path)),
            near_copy_threshold: Some(self.near_copy_threshold),
            folders: crate::index::indexed_folders(&self.path),
        })
    }
}

/// Counts the distinct stories among the matches: an article without copies is a story of its
/// own, the members of a cluster are one story.
struct StoryCount {
    view: std::sync::Arc<ClusterView>,
}

struct SegmentStoryCount {
    view: std::sync::Arc<ClusterView>,
    keys: tantivy::columnar::Column<u64>,
    alone: usize,
    clusters: Vec<u64>,
}

impl tantivy::collector::Collector for StoryCount {
    type Fruit = (usize, Vec<u64>);
    type Child = SegmentStoryCount;

    fn for_segment(
        &self,
        _: tantivy::SegmentOrdinal,
        seg: &tantivy::SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(SegmentStoryCount {
            view: self.view.clone(),
            keys: seg.fast_fields().u64("article_key")?,
            alone: 0,
            clusters: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<(usize, Vec<u64>)>) -> tantivy::Result<(usize, Vec<u64>)> {
        let mut bits = vec![0u64; self.view.clusters().len().div_ceil(64)];
        let mut alone = 0;
        for (a, b) in fruits {
            alone += a;
            for (x, y) in bits.iter_mut().zip(b) {
                *x |= y;
            }
        }
        Ok((alone, bits))
    }
}

impl tantivy::collector::SegmentCollector for SegmentStoryCount {
    type Fruit = (usize, Vec<u64>);

    fn collect(&mut self, doc: tantivy::DocId, _: tantivy::Score) {
        let key = self.keys.first(doc).unwrap_or(0);
        match self.view.cluster_of(key) {
            None => self.alone += 1,
            Some((c, _)) => {
                if self.clusters.is_empty() {
                    self.clusters = vec![0; self.view.clusters().len().div_ceil(64)];
                }
                self.clusters[c as usize / 64] |= 1 << (c % 64);
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        (self.alone, self.clusters)
    }
}

/// The words of `text` as the title/body analyzer indexes them in the analysis `tag`.
fn analyze(tag: Option<&str>, text: &str) -> Vec<String> {
    let mut analyzer = crate::index::analysis::analyzer_for(tag);
    let mut words = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        words.push(t.text.clone());
    }
    words
}

/// Highlighters of the query's words, one per language of the hits: each marks the words of its
/// own analysis (tagged terms, [`crate::index::analysis`]) the way that language stems them.
pub(crate) struct Snippets {
    /// The indexed terms to highlight and their weights (rarer words weigh more).
    words: std::collections::BTreeMap<String, f32>,
    by_analysis: std::cell::RefCell<std::collections::HashMap<Option<String>, Finder>>,
}

impl Snippets {
    pub(crate) fn new(words: std::collections::BTreeMap<String, f32>) -> Snippets {
        Snippets {
            words,
            by_analysis: Default::default(),
        }
    }

    /// The snippet of an article in `language` whose body is `body`.
    pub(crate) fn snippet(&self, language: Option<&str>, body: &str) -> Snippet {
        let tag = analysis_of(language);
        let mut generators = self.by_analysis.borrow_mut();
        let g = generators
            .entry(tag.map(str::to_string))
            .or_insert_with(|| {
                let words: std::collections::BTreeMap<String, f32> = self
                    .words
                    .iter()
                    .filter(|(w, _)| tag_of(w) == tag)
                    .map(|(w, s)| (w.clone(), *s))
                    .collect();
                Finder::new(tag, words, SNIPPET_CHARS)
            });
        make_snippet(g.passage(body), body)
    }
}

/// A snippet around the best passage; the article's opening when the body has no match.
///
/// tantivy's fragment starts and ends on a token, which drops leading punctuation and currency
/// signs (`£15.8m` would show as `15.8m`); the fragment is widened to the start of its sentence
/// (or a word boundary) and the end of its last word, and marked with `…` where it was cut.
fn make_snippet(passage: Option<Passage>, body: &str) -> Snippet {
    let Some(passage) = passage else {
        return Snippet {
            text: opening(body, SNIPPET_CHARS).replace(['\n', '\r', '\t'], " "),
            highlights: Vec::new(),
        };
    };
    let r = passage.range;
    let start = widen_left(body, r.start, 60);
    let end = widen_right(body, r.end, 30);
    let prefix = if start > 0 { "…" } else { "" };
    let suffix = if end < body.len() { "…" } else { "" };
    // Highlights move from the body to the snippet text.
    let at = |i: usize| i - start + prefix.len();
    let mut highlights: Vec<Range<usize>> = Vec::new();
    for h in passage.highlighted {
        let h = at(h.start)..at(h.end);
        match highlights.last_mut() {
            Some(last) if h.start <= last.end => last.end = last.end.max(h.end),
            _ => highlights.push(h),
        }
    }
    // Same byte length for whitespace replacements, so highlight ranges stay valid.
    let text = format!(
        "{prefix}{}{suffix}",
        body[start..end].replace(['\n', '\r', '\t'], " ")
    );
    Snippet { text, highlights }
}

/// Moves `pos` left to the start of its sentence, or at least a word boundary, at most `max` bytes.
fn widen_left(text: &str, pos: usize, max: usize) -> usize {
    let floor = text.floor_char_boundary(pos.saturating_sub(max));
    let window = &text[floor..pos];
    if let Some(i) = window.rfind(". ").or_else(|| window.rfind(".\n")) {
        return floor + i + 2;
    }
    if floor == 0 {
        return 0;
    }
    // Drop a partial word at the left edge (the space may be several bytes: U+00A0, U+3000).
    match window.char_indices().find(|(_, c)| c.is_whitespace()) {
        Some((i, c)) => floor + i + c.len_utf8(),
        None => pos,
    }
}

/// Moves `pos` right to the end of the word it is in, at most `max` bytes.
fn widen_right(text: &str, pos: usize, max: usize) -> usize {
    let ceil = text.ceil_char_boundary((pos + max).min(text.len()));
    match text[pos..ceil].find(char::is_whitespace) {
        Some(i) => pos + i,
        None => ceil,
    }
}

/// The first `max` characters of `text`, cut at a word boundary.
fn opening(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let end = text.char_indices().nth(max).map_or(text.len(), |(i, _)| i);
    let cut = text[..end].rfind(char::is_whitespace).unwrap_or(end);
    format!("{}…", text[..cut].trim_end())
}

#[cfg(test)]
mod snippet_tests {
    use super::*;

    /// Scraped news is full of multi-byte spaces (`12&nbsp;million`): every cut the snippet
    /// helpers make must fall on a character boundary, whatever the space and the position.
    #[test]
    fn cuts_fall_on_character_boundaries_around_multibyte_spaces() {
        for space in ['\u{a0}', '\u{2009}', '\u{3000}', ' '] {
            let body: String = (0..40)
                .map(|i| format!("w{i}{space}12{space}million{space}é"))
                .collect();
            for pos in (0..=body.len()).filter(|&p| body.is_char_boundary(p)) {
                for max in [0, 1, 2, 3, 30, 60] {
                    let l = widen_left(&body, pos, max);
                    let r = widen_right(&body, pos, max);
                    assert!(
                        body.is_char_boundary(l) && l <= pos,
                        "{space:?} {pos} {max}"
                    );
                    assert!(
                        body.is_char_boundary(r) && r >= pos,
                        "{space:?} {pos} {max}"
                    );
                }
            }
            for max in 0..60 {
                assert!(opening(&body, max).chars().count() <= max + 1);
            }
        }
    }

    #[test]
    fn a_partial_word_after_a_wide_space_is_dropped_whole() {
        let body = "alpha\u{3000}beta gamma";
        // From byte 2 ("pha…"), the partial word goes and the cut lands after the U+3000.
        assert_eq!(widen_left(body, body.len(), body.len() - 2), 8);
        assert_eq!(&body[8..], "beta gamma");
    }
}
