//! From what the user typed to a tantivy query.
//!
//! The query is checked and rewritten first ([`prepare_query`]: positions of unclosed quotes and
//! parentheses, field aliases, `=word` exact forms), parsed with tantivy's query grammar, and the
//! syntax tree is turned into a query here, so that every form means what the README says:
//! `immigra*` is a prefix of real (unstemmed) words, `caravan~1` is fuzzy, `a AND NOT b` excludes
//! `b`, and `published:[2018-10-01 TO 2018-11-30]` takes plain dates. Plain words, phrases and
//! fielded terms are handed to tantivy's own parser leaf by leaf.

use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, FuzzyTermQuery, Occur, PhraseQuery, Query,
    QueryParser, QueryParserError, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::query_grammar::{
    Delimiter, Occur as AstOccur, UserInputAst, UserInputBound, UserInputLeaf, UserInputLiteral,
};
use tantivy::schema::Term;
use tantivy::tokenizer::TokenizerManager;
use tantivy::{Index, Searcher};
use time::{Date, Month};

use crate::error::{Error, QueryError, Result};
use crate::index::UNIX_EPOCH_JULIAN_DAY;
use crate::index::schema::{Fields, normalize_keyword};
use crate::search::expansion::{Expansion, scored, scored_in_body, words_beginning};
use crate::search::forms::{Part, TextTerms, phrase_shape};

/// Deepest nesting of parentheses a query may have.
const MAX_GROUP_DEPTH: usize = 64;
/// Longest query accepted, in characters.
const MAX_QUERY_CHARS: usize = 100_000;

/// Largest edit distance a fuzzy term may ask for.
const MAX_FUZZY_DISTANCE: u32 = 2;

/// Field names a query may use, with the schema field each one means.
const QUERY_FIELDS: &[(&str, &str)] = &[
    ("title", "title"),
    ("body", "body"),
    ("text", "body"),
    ("source", "source"),
    ("outlet", "source"),
    ("author", "authors"),
    ("authors", "authors"),
    ("by", "authors"),
    ("section", "section"),
    ("url", "url"),
    ("lang", "language"),
    ("language", "language"),
    ("tag", "tags"),
    ("tags", "tags"),
    ("topics", "tags"),
    ("places", "tags"),
    ("people", "tags"),
    ("orgs", "tags"),
    ("exchanges", "tags"),
    ("exact", "exact"),
    ("published", "published"),
    ("date_source", "date_source"),
    ("format", "format"),
    ("id", "id"),
    ("path", "path"),
];

pub(crate) fn query_error(
    query: &str,
    position: Option<usize>,
    message: impl Into<String>,
) -> Error {
    Error::Query(QueryError {
        query: query.to_string(),
        position,
        message: message.into(),
    })
}

/// Checks the query for mistakes tantivy would misread, maps field aliases (`author:` →
/// `authors:`), and escapes colons that do not follow a field name (`Trump: stopped`).
pub fn prepare_query(query: &str) -> Result<String> {
    let chars: Vec<char> = query.chars().collect();
    check_size_and_characters(query, &chars)?;
    let mut p = Preparer {
        query,
        chars: &chars,
        out: String::with_capacity(query.len()),
        in_quote: None,
        depth: Vec::new(),
        i: 0,
    };
    while p.i < chars.len() {
        p.step()?;
    }
    p.finish()
}

/// A query too long to parse, or holding a control character, is refused before anything else.
fn check_size_and_characters(query: &str, chars: &[char]) -> Result<()> {
    if chars.len() > MAX_QUERY_CHARS {
        return Err(query_error(
            query,
            None,
            format!(
                "the query is {} characters long; the limit is {MAX_QUERY_CHARS}",
                chars.len()
            ),
        ));
    }
    if let Some(pos) = chars
        .iter()
        .position(|c| c.is_control() && !c.is_whitespace())
    {
        return Err(query_error(
            query,
            Some(pos),
            "the query contains a control character: remove it",
        ));
    }
    Ok(())
}

/// [`prepare_query`]'s walk over the query, one character (or one word) per [`Preparer::step`].
struct Preparer<'a> {
    query: &'a str,
    chars: &'a [char],
    out: String,
    /// Where the open phrase's quote is, inside one.
    in_quote: Option<usize>,
    /// Where each open parenthesis is.
    depth: Vec<usize>,
    i: usize,
}

impl Preparer<'_> {
    /// Copies or rewrites what starts at `self.i` and moves past it.
    fn step(&mut self) -> Result<()> {
        let c = self.chars[self.i];
        if c == '"' {
            self.in_quote = if self.in_quote.is_some() {
                None
            } else {
                Some(self.i)
            };
        } else if self.in_quote.is_none() {
            self.group(c)?;
            if self.apostrophe_in_word(c) {
                self.out.push_str("\\'");
                self.i += 1;
                return Ok(());
            }
            if self.exact_marker(c) {
                self.out.push_str("exact:");
                self.i += 1;
                return Ok(());
            }
            if c.is_alphanumeric() || c == '_' {
                return self.word();
            }
        }
        self.out.push(c);
        self.i += 1;
        Ok(())
    }

    /// Keeps count of parentheses: too deep, or a `)` that closes nothing, is an error.
    fn group(&mut self, c: char) -> Result<()> {
        match c {
            '(' => {
                self.depth.push(self.i);
                // The grammar parses groups recursively: bound the depth before it does.
                if self.depth.len() > MAX_GROUP_DEPTH {
                    return Err(query_error(
                        self.query,
                        Some(self.i),
                        format!(
                            "parentheses nest more than {MAX_GROUP_DEPTH} deep: simplify the query"
                        ),
                    ));
                }
            }
            ')' if self.depth.pop().is_none() => {
                return Err(query_error(
                    self.query,
                    Some(self.i),
                    "this `)` closes nothing: remove it or add the matching `(`",
                ));
            }
            _ => {}
        }
        Ok(())
    }

    /// An apostrophe inside a word ("don't", "O'Brien") is part of it, not a quote.
    fn apostrophe_in_word(&self, c: char) -> bool {
        let i = self.i;
        c == '\''
            && i > 0
            && self.chars[i - 1].is_alphanumeric()
            && self.chars.get(i + 1).is_some_and(|n| n.is_alphanumeric())
    }

    /// `=word` and `="a phrase"`: exact word forms.
    fn exact_marker(&self, c: char) -> bool {
        let (i, chars) = (self.i, self.chars);
        c == '='
            && (i == 0 || chars[i - 1].is_whitespace() || matches!(chars[i - 1], '(' | '+' | '-'))
            && chars
                .get(i + 1)
                .is_some_and(|n| n.is_alphanumeric() || *n == '"')
    }

    /// A word; followed by ':' it is a field name only if the field is known, else the colon is
    /// punctuation.
    fn word(&mut self) -> Result<()> {
        let chars = self.chars;
        let start = self.i;
        while self.i < chars.len() && (chars[self.i].is_alphanumeric() || chars[self.i] == '_') {
            self.i += 1;
        }
        let word: String = chars[start..self.i].iter().collect();
        let at_word_start = start == 0 || !chars[start - 1].is_alphanumeric();
        if self.i >= chars.len() || chars[self.i] != ':' || !at_word_start {
            self.out.push_str(&word);
            return Ok(());
        }
        match QUERY_FIELDS
            .iter()
            .find(|(alias, _)| alias.eq_ignore_ascii_case(&word))
        {
            Some((_, field)) => {
                let next = chars.get(self.i + 1);
                if next.is_none_or(|n| n.is_whitespace() || *n == ')') {
                    return Err(query_error(
                        self.query,
                        Some(self.i),
                        format!(
                            "`{word}:` needs a value right after the colon, e.g. {word}:caravan or {word}:\"two words\""
                        ),
                    ));
                }
                self.out.push_str(field);
                self.out.push(':');
            }
            None => {
                // Not a field: the colon is punctuation.
                self.out.push_str(&word);
                self.out.push(' ');
            }
        }
        self.i += 1;
        Ok(())
    }

    /// An unclosed quote or parenthesis is an error that points at it.
    fn finish(mut self) -> Result<String> {
        if let Some(pos) = self.in_quote {
            return Err(query_error(
                self.query,
                Some(pos),
                "this quote is never closed: add a closing `\"` to end the phrase",
            ));
        }
        if let Some(pos) = self.depth.pop() {
            return Err(query_error(
                self.query,
                Some(pos),
                "this `(` is never closed: add the matching `)`",
            ));
        }
        Ok(self.out)
    }
}

fn translate_parser_error(query: &str, e: QueryParserError) -> Error {
    let message = match e {
        QueryParserError::AllButQueryForbidden => {
            "the query only excludes words (-word or NOT word), so there is nothing to search for: add a word to find, e.g. `caravan -vintage`".to_string()
        }
        QueryParserError::FieldDoesNotExist(f) => format!(
            "there is no field `{f}`: use one of title, body, source, author, section, url, lang, tag, published"
        ),
        QueryParserError::ExpectedInt(_) | QueryParserError::DateFormatError(_) => format!(
            "{e}: dates in a query are written like published:[2018-10-01T00:00:00Z TO 2018-11-30T23:59:59Z]; --since/--until accept 2018, 2018-10 or 2018-10-25"
        ),
        other => format!("{other}"),
    };
    query_error(query, None, message)
}

/// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD` as the first (or, with `end`, the last) day it covers.
pub fn parse_day_bound(s: &str, end: bool) -> Result<Date> {
    let bad = || {
        Error::Usage(format!(
            "`{s}` is not a date: write YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2018, 2018-10, 2018-10-25)"
        ))
    };
    let parts: Vec<&str> = s.trim().split('-').collect();
    let num = |p: &str| p.parse::<i32>().map_err(|_| bad());
    let year = num(parts.first().ok_or_else(bad)?)?;
    let (month, day) = match parts.len() {
        1 => (if end { 12 } else { 1 }, None),
        2 => (num(parts[1])?, None),
        3 => (num(parts[1])?, Some(num(parts[2])?)),
        _ => return Err(bad()),
    };
    let month = Month::try_from(u8::try_from(month).map_err(|_| bad())?).map_err(|_| bad())?;
    let day = match day {
        Some(d) => u8::try_from(d).map_err(|_| bad())?,
        None if end => time::util::days_in_month(month, year),
        None => 1,
    };
    Date::from_calendar_date(year, month, day).map_err(|_| bad())
}

/// What the user typed, read once: checked, parsed, stop words dropped and repeated words
/// counted. [`UserQuery::build`] turns it into a tantivy query, with the words that carry no
/// operator required (all words) or optional (any word), so both readings come from one parse.
#[derive(Clone, Debug)]
pub struct UserQuery {
    query: String,
    ast: UserInputAst,
    /// For a query that is a list of clauses: how many times each one was typed. A repeated bare
    /// word weighs as often as it is repeated ("non users ... non users" counts `non` and `users`
    /// twice); the grammar itself keeps one copy of a repeated clause.
    weights: Vec<f32>,
    /// Stop words left out of the query, as typed.
    pub dropped: Vec<String>,
    /// Distinct clauses the query looks for (words, phrases, fielded terms, groups; exclusions do
    /// not count), after stop words are dropped.
    pub content_words: usize,
    /// Of those, the clauses without an operator (`+`, `-`, `AND`, `OR`, `NOT`): the ones that
    /// all-words and any-word matching treat differently.
    pub default_clauses: usize,
    /// Bare words that are stop words in some of the query's languages only, with the indices
    /// (in the `langs` the query was read with) of those languages: left out of the query in
    /// those languages, searched in the others.
    partial_stops: std::collections::HashMap<String, Vec<usize>>,
}

/// Free text (a question, a pasted paragraph, an evaluation topic) as a query without syntax:
/// every character that is not a letter, digit or white space becomes a space, and the words are
/// lower-cased (so `AND`, `OR`, `NOT` are words), so no text is ever a syntax error. The words
/// then go through [`read_user_query`] like anything the user types.
pub fn free_text(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads what the user typed (see [`UserQuery`]). `langs` (ISO 639-1) are the languages the query
/// is analysed in: a word is a stop word when it is one in every language of `langs` that has a
/// list (a word that is a stop word in only some of them is kept for all).
///
/// Stop words are dropped only where the user wrote a bare word: never inside a quoted phrase,
/// never a word with a field, an operator (`+the`, `-the`, `AND`), a prefix or fuzzy mark; and when
/// nothing but stop words would be left ("The Who", "to be or not to be") every word is kept.
/// Words with no letters or digits ("?", "—") search for nothing and are dropped the same way.
pub fn read_user_query(query: &str, langs: &[&str]) -> Result<UserQuery> {
    let rewritten = prepare_query(query)?;
    if rewritten.trim().is_empty() {
        return Err(query_error(
            query,
            None,
            "the query is empty: give at least one word to search for",
        ));
    }
    let ast = tantivy::query_grammar::parse_query(&rewritten).map_err(|_| {
        query_error(
            query,
            None,
            "the query could not be read: check its quotes, brackets and field names",
        )
    })?;
    if matches!(&ast, UserInputAst::Clause(items) if !items.is_empty() && items.iter().all(|(o, _)| *o == Some(AstOccur::MustNot)))
        || matches!(&ast, UserInputAst::Clause(items) if items.len() == 1 && all_excluded(&items[0].1))
    {
        return Err(only_excludes(query));
    }
    let mut uq = UserQuery {
        query: query.to_string(),
        ast: UserInputAst::Clause(Vec::new()),
        weights: Vec::new(),
        dropped: Vec::new(),
        content_words: 0,
        default_clauses: 0,
        partial_stops: Default::default(),
    };
    match ast {
        UserInputAst::Clause(items) => {
            let counts = count_bare_words(&rewritten);
            let droppable = |(occur, sub): &(Option<AstOccur>, UserInputAst)| {
                occur.is_none()
                    && bare_word(sub).is_some_and(|w| is_stop_word(langs, w) || !has_word_chars(w))
            };
            let positive = items
                .iter()
                .filter(|(o, _)| *o != Some(AstOccur::MustNot))
                .count();
            let dropping = items
                .iter()
                .filter(|item| item.0 != Some(AstOccur::MustNot) && droppable(item))
                .count();
            let keep_all = dropping == positive;
            // Per language as for all of them: where every word is a stop word of that
            // language, every word is kept for it.
            let keeps_all_in: Vec<bool> = langs
                .iter()
                .map(|l| {
                    items
                        .iter()
                        .filter(|(o, _)| *o != Some(AstOccur::MustNot))
                        .all(|(o, sub)| {
                            o.is_none()
                                && bare_word(sub).is_some_and(|w| stop_word_in(&[*l], w) == [0])
                        })
                })
                .collect();
            let mut kept = Vec::with_capacity(items.len());
            for item in items {
                if !keep_all && droppable(&item) {
                    if let Some(w) = bare_word(&item.1)
                        && has_word_chars(w)
                    {
                        uq.dropped.push(w.to_string());
                    }
                    continue;
                }
                if !keep_all
                    && item.0.is_none()
                    && let Some(w) = bare_word(&item.1)
                {
                    let mut stopped = stop_word_in(langs, w);
                    stopped.retain(|&i| !keeps_all_in[i]);
                    if !stopped.is_empty() {
                        uq.partial_stops.insert(w.to_string(), stopped);
                    }
                }
                let weight = bare_word(&item.1)
                    .and_then(|w| counts.get(w))
                    .copied()
                    .unwrap_or(1)
                    .max(1);
                uq.weights.push(weight as f32);
                let mut item = item;
                if metadata(&item.1) {
                    // `source:"Capital Dispatch"`, `published:[...]`: a restriction like --source,
                    // required whatever the words do.
                    if item.0.is_none() {
                        item.0 = Some(AstOccur::Must);
                    }
                } else if item.0 != Some(AstOccur::MustNot) {
                    uq.content_words += 1;
                    if item.0.is_none() {
                        uq.default_clauses += 1;
                    }
                }
                kept.push(item);
            }
            if kept.is_empty()
                || kept
                    .iter()
                    .all(|(_, sub)| bare_word(sub).is_some_and(|w| !has_word_chars(w)))
            {
                return Err(query_error(
                    query,
                    None,
                    "the query has no searchable words: give at least one word to search for",
                ));
            }
            uq.ast = UserInputAst::Clause(kept);
        }
        other => {
            if bare_word(&other).is_some_and(|w| !has_word_chars(w)) {
                return Err(query_error(
                    query,
                    None,
                    "the query has no searchable words: give at least one word to search for",
                ));
            }
            uq.content_words = 1;
            uq.default_clauses = 1;
            uq.ast = other;
        }
    }
    Ok(uq)
}

impl UserQuery {
    /// The query as typed.
    pub fn text(&self) -> &str {
        &self.query
    }

    /// The summed weight of the clauses the query looks for (a repeated word counts as often as
    /// it was typed).
    pub fn query_weight(&self) -> f32 {
        match &self.ast {
            UserInputAst::Clause(items) => items
                .iter()
                .zip(&self.weights)
                .filter(|((o, _), _)| *o != Some(AstOccur::MustNot))
                .map(|(_, w)| w)
                .sum::<f32>()
                .max(1.0),
            _ => 1.0,
        }
    }

    /// The tantivy query. `any`: clauses without an operator are alternatives (OR) rather than
    /// all required; `exact`: words and phrases without a field match exact word forms.
    ///
    /// With `searcher`, prefix and fuzzy words are ranked by the BM25 of the index terms they
    /// stand for ([`crate::search::expansion`]); without, every article they match scores alike.
    ///
    /// Words and phrases on title and body are analysed once per analysis of `analyses` (`None`:
    /// English, else a language tag, [`crate::index::analysis`]), the alternatives ORed: one
    /// analysis gives exactly the query of an index without languages.
    ///
    /// `text`: stemmed words and phrases (title and body, or `body:`) are answered from the
    /// forms a local index holds ([`crate::search::forms`]); without it they stay tantivy queries
    /// on the `text` and `body` fields (a Quickwit cluster's).
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        &self,
        index: &Index,
        fields: &Fields,
        searcher: Option<&Searcher>,
        any: bool,
        exact: bool,
        analyses: &[Option<String>],
        text: Option<&TextTerms>,
    ) -> Result<Box<dyn Query>> {
        let default_field = if exact { fields.exact } else { fields.text };
        let make = |tm: TokenizerManager| {
            let mut p = QueryParser::new(index.schema(), vec![default_field], tm);
            if !any {
                p.set_conjunction_by_default();
            }
            p
        };
        let parser = make(index.tokenizers().clone());
        let english = [None];
        let analyses = if analyses.is_empty() {
            &english[..]
        } else {
            analyses
        };
        let analysed = analyses
            .iter()
            .map(|tag| match tag {
                None => (None, parser.clone()),
                Some(t) => (
                    Some(t.clone()),
                    make(crate::index::schema::tokenizer_manager(Some(t))),
                ),
            })
            .collect();
        let b = Builder {
            query: &self.query,
            fields,
            parser,
            analysed,
            partial_stops: &self.partial_stops,
            exact,
            default_occur: if any { Occur::Should } else { Occur::Must },
            expanding: std::cell::Cell::new(0),
            searcher,
            text,
        };
        match &self.ast {
            UserInputAst::Clause(items) => b.clause(items, &self.weights, true),
            other => b.convert(other),
        }
    }
}

/// Whether a clause only restricts metadata (outlet, author, section, language, tags, dates, URL,
/// ids): a filter written in the query, not words to rank by.
fn metadata(ast: &UserInputAst) -> bool {
    let meta_field = |f: &Option<String>| {
        f.as_deref()
            .is_some_and(|f| !matches!(f, "title" | "body" | "text" | "exact"))
    };
    match ast {
        UserInputAst::Leaf(leaf) => match leaf.as_ref() {
            UserInputLeaf::Literal(lit) => meta_field(&lit.field_name),
            UserInputLeaf::Range { field, .. }
            | UserInputLeaf::Set { field, .. }
            | UserInputLeaf::Regex { field, .. } => meta_field(field),
            UserInputLeaf::Exists { .. } => true,
            UserInputLeaf::All => false,
        },
        UserInputAst::Clause(items) => !items.is_empty() && items.iter().all(|(_, a)| metadata(a)),
        UserInputAst::Boost(inner, _) => metadata(inner),
    }
}

/// The text of a clause that is one bare word: no field, quotes, operator, prefix or fuzzy mark.
fn bare_word(ast: &UserInputAst) -> Option<&str> {
    match ast {
        UserInputAst::Leaf(leaf) => match leaf.as_ref() {
            UserInputLeaf::Literal(lit)
                if lit.field_name.is_none()
                    && lit.delimiter == Delimiter::None
                    && split_suffix(&lit.phrase).1.is_none() =>
            {
                Some(&lit.phrase)
            }
            _ => None,
        },
        _ => None,
    }
}

fn has_word_chars(word: &str) -> bool {
    word.chars().any(char::is_alphanumeric)
}

/// Whether a bare word, with the punctuation around it ("why?", "(the") trimmed, is a stop word
/// in every language of `langs` that has a list (and at least one has).
fn is_stop_word(langs: &[&str], word: &str) -> bool {
    let w = word.trim_matches(|c: char| !c.is_alphanumeric());
    let mut listed = langs
        .iter()
        .filter(|l| !crate::ingest::stopwords::stop_words(l).is_empty() || has_list(l))
        .peekable();
    listed.peek().is_some() && listed.all(|l| crate::ingest::stopwords::is_stop_word(l, w))
}

/// The indices of the languages of `langs` in which a bare word is a stop word.
fn stop_word_in(langs: &[&str], word: &str) -> Vec<usize> {
    let w = word.trim_matches(|c: char| !c.is_alphanumeric());
    (0..langs.len())
        .filter(|&i| crate::ingest::stopwords::is_stop_word(langs[i], w))
        .collect()
}

/// Whether `lang` has a stop-word list.
fn has_list(lang: &str) -> bool {
    let base = lang.split(['-', '_']).next().unwrap_or("");
    crate::ingest::stopwords::VOTERS
        .iter()
        .any(|v| v.eq_ignore_ascii_case(base))
}

/// How many times each bare word stands at the top level of the rewritten query (outside quotes
/// and parentheses, without a field, `+`/`-`, or marks the grammar reads), counted before the
/// grammar keeps one copy of each repeated clause. Words after `NOT` are exclusions: not counted.
fn count_bare_words(text: &str) -> std::collections::HashMap<&str, usize> {
    let mut counts = std::collections::HashMap::new();
    let mut depth = 0usize;
    let mut in_quote = false;
    let mut escaped = false;
    // Byte ranges of the top level, outside quotes and groups.
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        let outside = !in_quote && depth == 0 && !escaped;
        let boundary = c.is_whitespace() || c == '"' || c == '(' || c == ')';
        if outside && !boundary {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            // A token that ran into a quote or a bracket is part of a larger form: not bare.
            let clean_end = c.is_whitespace() && !escaped;
            if clean_end {
                spans.push((s, i));
            }
        }
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            in_quote = !in_quote;
        } else if !in_quote && c == '(' {
            depth += 1;
        } else if !in_quote && c == ')' {
            depth = depth.saturating_sub(1);
        }
    }
    if let Some(s) = start {
        spans.push((s, text.len()));
    }
    let mut after_not = false;
    for (s, e) in spans {
        let tok = &text[s..e];
        if matches!(tok, "AND" | "OR" | "&&" | "||") {
            after_not = false;
            continue;
        }
        if tok == "NOT" {
            after_not = true;
            continue;
        }
        let skip = after_not;
        after_not = false;
        if skip
            || tok.starts_with(['+', '-'])
            || tok.contains([':', '^', '*', '~', '\'', '\\', '[', ']', '{', '}', '`'])
        {
            continue;
        }
        *counts.entry(tok).or_insert(0) += 1;
    }
    counts
}

fn only_excludes(query: &str) -> Error {
    query_error(
        query,
        None,
        "the query only excludes words (-word or NOT word), so there is nothing to search for: add a word to find, e.g. `caravan -vintage`",
    )
}

fn all_excluded(ast: &UserInputAst) -> bool {
    matches!(ast, UserInputAst::Clause(items) if !items.is_empty() && items.iter().all(|(o, _)| *o == Some(AstOccur::MustNot)))
}

struct Builder<'a> {
    query: &'a str,
    fields: &'a Fields,
    /// For leaves analysed once (metadata, exact forms).
    parser: QueryParser,
    /// One parser per analysis (language tag, `None` for English), for words on title and body.
    analysed: Vec<(Option<String>, QueryParser)>,
    /// See [`UserQuery`]: indices into `analysed`.
    partial_stops: &'a std::collections::HashMap<String, Vec<usize>>,
    /// Whether bare words mean exact forms.
    exact: bool,
    default_occur: Occur,
    /// Prefix and fuzzy words so far (each expands to many terms and builds an automaton).
    expanding: std::cell::Cell<usize>,
    /// The index's searcher, to rank prefix and fuzzy words by the terms they stand for.
    searcher: Option<&'a Searcher>,
    /// How a local index answers stemmed words (title and body, or `body:`) from the forms it
    /// holds ([`crate::search::forms`]); `None` for a Quickwit cluster, which has fields of
    /// stems.
    text: Option<&'a TextTerms>,
}

/// Most prefix (`immigra*`) and fuzzy (`carvan~1`) words one query may hold: 5,000 fuzzy words
/// took 7 s and 650 MB; 100 take a fraction of a second.
pub const MAX_EXPANDING_WORDS: usize = 100;

/// Most words the last word of a `body:` phrase ending in a prefix (`body:"oil pri"*`) stands
/// for (tantivy's own phrase prefixes stop at 50 too).
pub const MAX_PHRASE_PREFIX_TERMS: usize = 50;

impl Builder<'_> {
    fn convert(&self, ast: &UserInputAst) -> Result<Box<dyn Query>> {
        match ast {
            UserInputAst::Leaf(leaf) => self.leaf(leaf),
            UserInputAst::Boost(inner, boost) => {
                Ok(boosted(self.convert(inner)?, boost.into_inner() as f32))
            }
            UserInputAst::Clause(items) => self.clause(items, &[], false),
        }
    }

    /// A list of clauses; `weights[i]` (1 when missing) multiplies clause `i`'s score. `top`: the
    /// query's own list (where stop words were read).
    fn clause(
        &self,
        items: &[(Option<AstOccur>, UserInputAst)],
        weights: &[f32],
        top: bool,
    ) -> Result<Box<dyn Query>> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (i, (occur, sub)) in items.iter().enumerate() {
            let occur = match occur {
                Some(AstOccur::Must) => Occur::Must,
                Some(AstOccur::MustNot) => Occur::MustNot,
                Some(AstOccur::Should) => Occur::Should,
                None => self.default_occur,
            };
            // `a AND NOT b`: the grammar nests `NOT b` as a clause of exclusions alone,
            // which on its own matches nothing; its exclusions belong to this clause.
            if occur != Occur::MustNot
                && let UserInputAst::Clause(inner) = sub
                && all_excluded(sub)
            {
                for (_, excluded) in inner {
                    clauses.push((Occur::MustNot, self.convert(excluded)?));
                }
                continue;
            }
            let partial = match (top, sub) {
                (true, UserInputAst::Leaf(leaf)) => match leaf.as_ref() {
                    UserInputLeaf::Literal(lit) => bare_word(sub)
                        .and_then(|w| self.partial_stops.get(w))
                        .map(|stopped| (lit, stopped)),
                    _ => None,
                },
                _ => None,
            };
            let q = match partial {
                Some((lit, stopped)) => self.partly_stopped(lit, stopped, occur)?,
                None => self.convert(sub)?,
            };
            let weight = weights.get(i).copied().unwrap_or(1.0);
            let q: Box<dyn Query> = if weight != 1.0 && occur != Occur::MustNot {
                boosted(q, weight)
            } else {
                q
            };
            clauses.push((occur, q));
        }
        if !clauses.is_empty() && clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
            return Err(only_excludes(self.query));
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    fn leaf(&self, leaf: &UserInputLeaf) -> Result<Box<dyn Query>> {
        match leaf {
            UserInputLeaf::All => Ok(Box::new(AllQuery)),
            UserInputLeaf::Literal(lit) => self.literal(lit),
            UserInputLeaf::Range {
                field,
                lower,
                upper,
            } if field.as_deref() == Some("published") => self.date_range(lower, upper),
            UserInputLeaf::Range { field, .. }
            | UserInputLeaf::Set { field, .. }
            | UserInputLeaf::Regex { field, .. }
                if self.text.is_some() && field.as_deref() == Some("body") =>
            {
                Err(query_error(
                    self.query,
                    None,
                    "ranges, sets and regular expressions are not searched in `body:`: write \
                     words, phrases, `word*` or `word~1` there, or drop the field to search \
                     title and body",
                ))
            }
            // Other leaves (ranges on other fields, sets, regexes) print back as query text with
            // the field name quoted, which tantivy's parser does not take: unquote it.
            other => self.delegate(&unquote_field(&format!("{other:?}"))),
        }
    }

    fn literal(&self, lit: &UserInputLiteral) -> Result<Box<dyn Query>> {
        // The grammar keeps `immigra*` and `caravan~1` as plain words with the marks attached.
        if lit.delimiter == Delimiter::None {
            let (word, suffix) = split_suffix(&lit.phrase);
            let is_word =
                !word.is_empty() && word.chars().all(|c| c.is_alphanumeric() || c == '\'');
            if is_word && let Some(suffix) = suffix {
                // Prefix and fuzzy terms work on real word forms, not stems: `immigra*` must match
                // "immigrants" and "immigration", whose common stem is "immigr".
                let field = match lit.field_name.as_deref() {
                    None | Some("exact") => self.fields.exact,
                    // A fielded prefix works on that field's own terms (stems for title/body).
                    Some(other) => self.named_field(other)?,
                };
                let word = normalize_keyword(word);
                self.expanding.set(self.expanding.get() + 1);
                if self.expanding.get() > MAX_EXPANDING_WORDS {
                    return Err(query_error(
                        self.query,
                        None,
                        format!(
                            "the query has more than {MAX_EXPANDING_WORDS} prefix (word*) or fuzzy \
                             (word~N) words, each of which stands for many words: use fewer"
                        ),
                    ));
                }
                if field == self.fields.title || field == self.fields.body {
                    // Title and body terms are per language: the word once per analysis, each
                    // within its own language's terms.
                    let mut alternatives = Vec::with_capacity(self.analysed.len());
                    for (tag, _) in &self.analysed {
                        let word = crate::index::analysis::tagged(tag.as_deref(), &word);
                        alternatives.push(self.expanding_word(lit, field, &word, &suffix, true)?);
                    }
                    return Ok(any_of(alternatives));
                }
                return self.expanding_word(lit, field, &word, &suffix, false);
            }
        }
        if self.analysed_literal(lit) {
            // Title and body, or the body, answered from the forms of a local index; `title:`
            // has its own terms.
            let part = match lit.field_name.as_deref() {
                None => Some(Part::Whole),
                Some("body") => Some(Part::Body),
                _ => None,
            }
            .filter(|_| self.text.is_some());
            // A phrase ending in a prefix (`"oil pri"*`) is read as a phrase; its last word
            // then stands for every word it begins.
            let mut whole = lit.clone();
            whole.prefix &= part.is_none();
            let text = literal_text(&whole);
            let mut alternatives = Vec::with_capacity(self.analysed.len());
            for (_, parser) in &self.analysed {
                let q = parser
                    .parse_query(&text)
                    .map_err(|e| translate_parser_error(self.query, e))?;
                alternatives.push(match part {
                    Some(part) => self.in_text(q, lit.prefix, part)?,
                    None => q,
                });
            }
            return Ok(any_of(alternatives));
        }
        self.delegate(&literal_text(lit))
    }

    /// A bare word that is a stop word in some analyses only: searched in the others, and in
    /// those neutral: every article of that language when every word is required (`occur` is
    /// `Must`), scoring nothing; left out when any word is enough.
    fn partly_stopped(
        &self,
        lit: &UserInputLiteral,
        stopped: &[usize],
        occur: Occur,
    ) -> Result<Box<dyn Query>> {
        let text = literal_text(lit);
        let tagged: Vec<String> = self
            .analysed
            .iter()
            .filter_map(|(t, _)| t.clone())
            .collect();
        let mut alternatives = Vec::with_capacity(self.analysed.len());
        for (i, (tag, parser)) in self.analysed.iter().enumerate() {
            if !stopped.contains(&i) {
                let q = parser
                    .parse_query(&text)
                    .map_err(|e| translate_parser_error(self.query, e))?;
                alternatives.push(match self.text {
                    Some(_) => self.in_text(q, false, Part::Whole)?,
                    None => q,
                });
            } else if occur == Occur::Must {
                alternatives.push(Box::new(AnalysisArticles {
                    language: self.fields.language,
                    tag: tag.clone(),
                    tagged: tagged.clone(),
                }) as Box<dyn Query>);
            }
        }
        Ok(any_of(alternatives))
    }

    /// A word or phrase as tantivy's parser reads it (`text` or `body` terms), answered from
    /// the forms of a local index in `part` of the article ([`crate::search::forms`]).
    /// `prefix`: the last word stands for every word of the index it begins (at most
    /// [`MAX_PHRASE_PREFIX_TERMS`]). Other queries (terms of other fields) are kept.
    fn in_text(&self, q: Box<dyn Query>, prefix: bool, part: Part) -> Result<Box<dyn Query>> {
        let Some(stems) = self.text else {
            return Ok(q);
        };
        let analysed = |field| field == self.fields.text || field == self.fields.body;
        if let Some(b) = q.downcast_ref::<BooleanQuery>() {
            let mut clauses = Vec::with_capacity(b.clauses().len());
            for (o, c) in b.clauses() {
                clauses.push((*o, self.in_text(c.box_clone(), prefix, part)?));
            }
            return Ok(Box::new(BooleanQuery::new(clauses)));
        }
        let (mut words, slop) = if let Some(t) = q.downcast_ref::<TermQuery>()
            && analysed(t.term().field())
        {
            (vec![(0, t.term().clone())], 0)
        } else if let Some(p) = q.downcast_ref::<PhraseQuery>()
            && analysed(p.field())
        {
            let terms = p.phrase_terms();
            let (offsets, slop) = phrase_shape(&format!("{p:?}"));
            if offsets.len() != terms.len() {
                return Err(query_error(
                    self.query,
                    None,
                    "this phrase cannot be searched: write its words without punctuation",
                ));
            }
            (offsets.into_iter().zip(terms).collect(), slop)
        } else {
            // Nothing to search (every word a stop word or dropped), or another field.
            return Ok(q);
        };
        if !prefix {
            return Ok(stems.words(words, slop, part));
        }
        let Some((offset, last)) = words.pop() else {
            return Ok(q);
        };
        let begun = last.value().as_str().unwrap_or_default().to_string();
        let ends = match self.searcher {
            Some(searcher) => words_beginning(searcher, stems, &begun, MAX_PHRASE_PREFIX_TERMS)?,
            None => vec![begun],
        };
        if ends.is_empty() {
            return Ok(Box::new(EmptyQuery));
        }
        let text = stems.text_field();
        Ok(any_of(
            ends.into_iter()
                .map(|end| {
                    let mut phrase = words.clone();
                    phrase.push((offset, Term::from_field_text(text, &end)));
                    stems.words(phrase, slop, part)
                })
                .collect(),
        ))
    }

    /// Whether a literal is analysed per language: words and phrases on title and body.
    fn analysed_literal(&self, lit: &UserInputLiteral) -> bool {
        match lit.field_name.as_deref() {
            None => !self.exact,
            Some(f) => f == "title" || f == "body",
        }
    }

    /// A prefix or fuzzy `word` on `field`. `tagged`: the field holds language-tagged terms, and
    /// `word` (tagged like them, or untagged for English) matches only terms of its own language.
    fn expanding_word(
        &self,
        lit: &UserInputLiteral,
        field: tantivy::schema::Field,
        word: &str,
        suffix: &Suffix,
        tagged: bool,
    ) -> Result<Box<dyn Query>> {
        let (matcher, kind) = match *suffix {
            Suffix::Prefix => (
                RegexQuery::from_pattern(&prefix_pattern(word, tagged), field)
                    .map(|q| Box::new(q) as Box<dyn Query>)
                    .map_err(|e| {
                        query_error(
                            self.query,
                            None,
                            format!("bad prefix `{}`: {e}", lit.phrase),
                        )
                    })?,
                Expansion::Prefix,
            ),
            Suffix::Fuzzy(d) if d == 0 || d > MAX_FUZZY_DISTANCE => {
                return Err(query_error(
                    self.query,
                    None,
                    format!(
                        "`{}`: a fuzzy word allows 1 or {MAX_FUZZY_DISTANCE} edits (`~1` or `~2`)",
                        lit.phrase
                    ),
                ));
            }
            Suffix::Fuzzy(d) => (
                Box::new(FuzzyTermQuery::new(
                    Term::from_field_text(field, word),
                    d as u8,
                    true,
                )) as Box<dyn Query>,
                Expansion::Fuzzy(d as u8),
            ),
        };
        if field == self.fields.body
            && let Some(stems) = self.text
            && let Some(searcher) = self.searcher
        {
            return scored_in_body(searcher, stems, word, kind, tagged);
        }
        // Ranked by the BM25 of the words it stands for, when the index is at hand.
        match self.searcher {
            Some(searcher) => scored(searcher, field, word, kind, matcher, tagged),
            None => Ok(matcher),
        }
    }

    fn named_field(&self, name: &str) -> Result<tantivy::schema::Field> {
        self.parser
            .parse_query(&format!("{name}:x"))
            .map_err(|e| translate_parser_error(self.query, e))?;
        let schema = crate::index::schema::build_schema().0;
        schema
            .get_field(name)
            .map_err(|_| query_error(self.query, None, format!("there is no field `{name}`")))
    }

    /// Hands one leaf, written back as query text, to tantivy's parser.
    fn delegate(&self, text: &str) -> Result<Box<dyn Query>> {
        self.parser
            .parse_query(text)
            .map_err(|e| translate_parser_error(self.query, e))
    }

    /// `published:[2018-10-01 TO 2018-11-30]` (also `YYYY`, `YYYY-MM`, `*`, `{…}` exclusive), on the
    /// articles' own calendar days.
    fn date_range(&self, lower: &UserInputBound, upper: &UserInputBound) -> Result<Box<dyn Query>> {
        let day = |d: Date| {
            Term::from_field_i64(
                self.fields.day,
                i64::from(d.to_julian_day() - UNIX_EPOCH_JULIAN_DAY),
            )
        };
        let bound = |b: &UserInputBound, end: bool| -> Result<Bound<Term>> {
            Ok(match b {
                UserInputBound::Unbounded => Bound::Unbounded,
                UserInputBound::Inclusive(v) if v == "*" => Bound::Unbounded,
                UserInputBound::Inclusive(v) => Bound::Included(day(self.day(v, end)?)),
                UserInputBound::Exclusive(v) => Bound::Excluded(day(self.day(v, !end)?)),
            })
        };
        Ok(Box::new(RangeQuery::new(
            bound(lower, false)?,
            bound(upper, true)?,
        )))
    }

    fn day(&self, v: &str, end: bool) -> Result<Date> {
        let v = v.trim_matches('"');
        let date_part = v.split(['T', ' ']).next().unwrap_or(v);
        parse_day_bound(date_part, end).map_err(|_| {
            query_error(
                self.query,
                None,
                format!("`{v}` is not a date: write published:[2018-10-01 TO 2018-11-30] (YYYY, YYYY-MM or YYYY-MM-DD)"),
            )
        })
    }
}

enum Suffix {
    Prefix,
    Fuzzy(u32),
}

/// The pattern of a prefix `word`: on language-tagged terms (`tagged`) an untagged (English)
/// prefix must not run into tagged terms (`title:de*` is not every German word).
fn prefix_pattern(word: &str, tagged: bool) -> String {
    if tagged && crate::index::analysis::tag_of(word).is_none() {
        format!(
            "{}[^{}]*",
            regex_escape(word),
            crate::index::analysis::TAG_SEP
        )
    } else {
        format!("{}.*", regex_escape(word))
    }
}

/// `q` with its score multiplied by `boost`. Alternatives (a word's analyses, all optional)
/// are boosted one by one, which scores the same and keeps each boost on a single word (what a
/// Quickwit cluster can apply).
fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if let Some(b) = q.downcast_ref::<BooleanQuery>()
        && b.clauses().iter().all(|(o, _)| *o == Occur::Should)
    {
        return Box::new(BooleanQuery::new(
            b.clauses()
                .iter()
                .map(|(o, c)| (*o, boosted(c.box_clone(), boost)))
                .collect(),
        ));
    }
    Box::new(BoostQuery::new(q, boost))
}

/// The articles of one analysis (`tag`: a language; `None`: English and articles of no known
/// language, i.e. every article not of a language of `tagged`), each scoring 0: what a stop word
/// of that language stands for when every word is required.
#[derive(Clone, Debug)]
pub struct AnalysisArticles {
    pub language: tantivy::schema::Field,
    pub tag: Option<String>,
    pub tagged: Vec<String>,
}

impl AnalysisArticles {
    fn term(&self, tag: &str) -> Box<dyn Query> {
        Box::new(tantivy::query::TermQuery::new(
            Term::from_field_text(self.language, tag),
            tantivy::schema::IndexRecordOption::Basic,
        ))
    }
}

impl Query for AnalysisArticles {
    fn weight(
        &self,
        scoring: tantivy::query::EnableScoring<'_>,
    ) -> tantivy::Result<Box<dyn tantivy::query::Weight>> {
        let articles: Box<dyn Query> = match &self.tag {
            Some(t) => self.term(t),
            None => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> =
                    vec![(Occur::Must, Box::new(AllQuery))];
                clauses.extend(self.tagged.iter().map(|t| (Occur::MustNot, self.term(t))));
                Box::new(BooleanQuery::new(clauses))
            }
        };
        tantivy::query::ConstScoreQuery::new(articles, 0.0).weight(scoring)
    }
}

/// One query, or any of several (the analyses of one word).
fn any_of(mut alternatives: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if alternatives.len() == 1 {
        return alternatives.remove(0);
    }
    Box::new(BooleanQuery::new(
        alternatives
            .into_iter()
            .map(|q| (Occur::Should, q))
            .collect(),
    ))
}

/// `immigra*` → (`immigra`, prefix); `caravan~1` → (`caravan`, fuzzy 1); `word` → (`word`, none).
fn split_suffix(phrase: &str) -> (&str, Option<Suffix>) {
    if let Some(w) = phrase.strip_suffix('*') {
        return (w, Some(Suffix::Prefix));
    }
    if let Some((w, n)) = phrase.rsplit_once('~')
        && let Ok(n) = n.parse::<u32>()
    {
        return (w, Some(Suffix::Fuzzy(n)));
    }
    (phrase, None)
}

/// Characters the query grammar reads as syntax inside a word unless escaped.
const ESCAPED_IN_WORD: &[char] = &['^', '`', ':', '{', '}', '"', '\'', '[', ']', '(', ')', '\\'];

/// A literal written back as query text: `field:"a phrase"~2`, `field:word`.
fn literal_text(lit: &UserInputLiteral) -> String {
    let mut out = String::new();
    if let Some(f) = &lit.field_name {
        out.push_str(f);
        out.push(':');
    }
    match lit.delimiter {
        Delimiter::None => {
            // The grammar has read the escapes; write back those its word syntax needs.
            for c in lit.phrase.chars() {
                if c.is_whitespace() || ESCAPED_IN_WORD.contains(&c) {
                    out.push('\\');
                }
                out.push(c);
            }
        }
        Delimiter::SingleQuotes | Delimiter::DoubleQuotes => {
            out.push('"');
            out.push_str(&lit.phrase.replace('"', "\\\""));
            out.push('"');
            if lit.slop > 0 {
                out.push_str(&format!("~{}", lit.slop));
            }
            if lit.prefix {
                out.push('*');
            }
        }
    }
    out
}

/// `"field":rest` → `field:rest`.
fn unquote_field(text: &str) -> String {
    if let Some(rest) = text.strip_prefix('"')
        && let Some((field, tail)) = rest.split_once("\":")
        && field.chars().all(|c| c.is_alphanumeric() || c == '_')
    {
        return format!("{field}:{tail}");
    }
    text.to_string()
}

fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !c.is_alphanumeric() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_stray_colons() {
        assert_eq!(
            prepare_query("author:okafor lang:en").unwrap(),
            "authors:okafor language:en"
        );
        assert_eq!(prepare_query("Trump: stopped").unwrap(), "Trump  stopped");
        assert_eq!(
            prepare_query("\"a: b\" title:x").unwrap(),
            "\"a: b\" title:x"
        );
    }

    #[test]
    fn syntax_errors_point_at_the_problem() {
        let pos = |q: &str| match prepare_query(q) {
            Err(Error::Query(e)) => e.position,
            other => panic!("{other:?}"),
        };
        assert_eq!(pos("\"unclosed"), Some(0));
        assert_eq!(pos("title:("), Some(6));
        assert_eq!(pos("a ) b"), Some(2));
        assert_eq!(pos("title: caravan"), Some(5));
        assert_eq!(pos("a\u{7}b"), Some(1));
        let deep = "(".repeat(10_000) + "x" + &")".repeat(10_000);
        assert_eq!(pos(&deep), Some(MAX_GROUP_DEPTH));
    }

    #[test]
    fn exact_forms_are_rewritten() {
        assert_eq!(
            prepare_query("=migrants caravan").unwrap(),
            "exact:migrants caravan"
        );
        assert_eq!(
            prepare_query("=\"safe third country\"").unwrap(),
            "exact:\"safe third country\""
        );
        assert_eq!(prepare_query("a=b").unwrap(), "a=b");
        assert_eq!(prepare_query("topics:cocoa").unwrap(), "tags:cocoa");
    }

    #[test]
    fn repeated_bare_words_are_counted_before_the_grammar_merges_them() {
        let c = count_bare_words(
            r#"non users why non users "non users" title:users +users (users users) users"#,
        );
        assert_eq!(c.get("non"), Some(&2));
        assert_eq!(c.get("users"), Some(&3));
        assert_eq!(c.get("why"), Some(&1));
        let c = count_bare_words("a NOT a a OR b");
        assert_eq!(c.get("a"), Some(&2));
    }

    #[test]
    fn stop_words_and_weights() {
        let q = read_user_query(
            "what are the problems of the non users why are they non users",
            &["en"],
        )
        .unwrap();
        assert_eq!(q.dropped, ["what", "are", "the", "of", "why", "they"]);
        assert_eq!(q.content_words, 3);
        assert_eq!(q.weights, [1.0, 2.0, 2.0]);
        let q = read_user_query("The Who", &["en"]).unwrap();
        assert!(q.dropped.is_empty());
        assert_eq!(q.content_words, 2);
        let q = read_user_query("\"the who\" -the +a tour", &["en"]).unwrap();
        assert!(q.dropped.is_empty(), "{:?}", q.dropped);
        assert_eq!(q.content_words, 3);
        assert_eq!(q.default_clauses, 2);
        // Stop words only for a language that has a list.
        assert!(
            read_user_query("die the tour", &["xx"])
                .unwrap()
                .dropped
                .is_empty()
        );
        // Punctuation is no word; "don't" is one.
        let q = read_user_query("why? don't heat —", &["en"]).unwrap();
        assert_eq!(q.dropped, ["why?", "don't"]);
        assert_eq!(q.content_words, 1);
        assert!(read_user_query("? —", &["en"]).is_err());
    }

    #[test]
    fn free_text_has_no_syntax() {
        assert_eq!(
            free_text("What (is) \"it\"? a-b NOT c: d*"),
            "what is it a b not c d"
        );
    }

    #[test]
    fn day_bounds() {
        assert_eq!(
            parse_day_bound("2018", false).unwrap().to_string(),
            "2018-01-01"
        );
        assert_eq!(
            parse_day_bound("2018", true).unwrap().to_string(),
            "2018-12-31"
        );
        assert_eq!(
            parse_day_bound("2019-02", true).unwrap().to_string(),
            "2019-02-28"
        );
        assert_eq!(
            parse_day_bound("2018-10-25", true).unwrap().to_string(),
            "2018-10-25"
        );
        assert!(parse_day_bound("2018-13", false).is_err());
        assert!(parse_day_bound("last week", false).is_err());
    }
}
