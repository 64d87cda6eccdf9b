//! From what the user typed to a tantivy query.
//!
//! The query is checked and rewritten first ([`prepare_query`]: positions of unclosed quotes and
//! parentheses, field aliases, `=word` exact forms), parsed with tantivy's query grammar, and the
//! syntax tree is turned into a query here, so that every form means what the README says:
//! `immigra*` is a prefix of real (unstemmed) words, `caravan~1` is fuzzy, `a AND NOT b` excludes
//! `b`, and `published:[2018-10-01 TO 2018-11-30]` takes plain dates. Plain words, phrases and
//! fielded terms are handed to tantivy's own parser leaf by leaf.

use std::ops::Bound;

use tantivy::Index;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, QueryParser,
    QueryParserError, RangeQuery, RegexQuery,
};
use tantivy::query_grammar::{
    Delimiter, Occur as AstOccur, UserInputAst, UserInputBound, UserInputLeaf, UserInputLiteral,
};
use tantivy::schema::Term;
use time::{Date, Month};

use crate::error::{Error, QueryError, Result};
use crate::index::UNIX_EPOCH_JULIAN_DAY;
use crate::index::schema::{Fields, normalize_keyword};

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
    if chars.iter().any(|c| c.is_control() && !c.is_whitespace()) {
        let pos = chars
            .iter()
            .position(|c| c.is_control() && !c.is_whitespace());
        return Err(query_error(
            query,
            pos,
            "the query contains a control character: remove it",
        ));
    }
    let mut out = String::with_capacity(query.len());
    let mut in_quote: Option<usize> = None;
    let mut depth: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' {
            in_quote = if in_quote.is_some() { None } else { Some(i) };
            out.push(c);
            i += 1;
            continue;
        }
        if in_quote.is_some() {
            out.push(c);
            i += 1;
            continue;
        }
        match c {
            '(' => {
                depth.push(i);
                // The grammar parses groups recursively: bound the depth before it does.
                if depth.len() > MAX_GROUP_DEPTH {
                    return Err(query_error(
                        query,
                        Some(i),
                        format!(
                            "parentheses nest more than {MAX_GROUP_DEPTH} deep: simplify the query"
                        ),
                    ));
                }
            }
            ')' if depth.pop().is_none() => {
                return Err(query_error(
                    query,
                    Some(i),
                    "this `)` closes nothing: remove it or add the matching `(`",
                ));
            }
            _ => {}
        }
        // `=word` and `="a phrase"`: exact word forms.
        if c == '='
            && (i == 0 || chars[i - 1].is_whitespace() || matches!(chars[i - 1], '(' | '+' | '-'))
            && chars
                .get(i + 1)
                .is_some_and(|n| n.is_alphanumeric() || *n == '"')
        {
            out.push_str("exact:");
            i += 1;
            continue;
        }
        // A word followed by ':' is a field name only if we know the field.
        if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let at_word_start = start == 0 || !chars[start - 1].is_alphanumeric();
            if i < chars.len() && chars[i] == ':' && at_word_start {
                match QUERY_FIELDS
                    .iter()
                    .find(|(alias, _)| alias.eq_ignore_ascii_case(&word))
                {
                    Some((_, field)) => {
                        let next = chars.get(i + 1);
                        if next.is_none_or(|n| n.is_whitespace() || *n == ')') {
                            return Err(query_error(
                                query,
                                Some(i),
                                format!(
                                    "`{word}:` needs a value right after the colon, e.g. {word}:caravan or {word}:\"two words\""
                                ),
                            ));
                        }
                        out.push_str(field);
                        out.push(':');
                    }
                    None => {
                        // Not a field: the colon is punctuation.
                        out.push_str(&word);
                        out.push(' ');
                    }
                }
                i += 1;
            } else {
                out.push_str(&word);
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    if let Some(pos) = in_quote {
        return Err(query_error(
            query,
            Some(pos),
            "this quote is never closed: add a closing `\"` to end the phrase",
        ));
    }
    if let Some(pos) = depth.pop() {
        return Err(query_error(
            query,
            Some(pos),
            "this `(` is never closed: add the matching `)`",
        ));
    }
    Ok(out)
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

/// Builds the tantivy query for what the user typed.
///
/// `any`: words without an operator are alternatives (OR) rather than all required;
/// `exact`: words and phrases without a field match exact word forms instead of stems.
pub fn build_user_query(
    index: &Index,
    fields: &Fields,
    query: &str,
    any: bool,
    exact: bool,
) -> Result<Box<dyn Query>> {
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
    let default_field = if exact { fields.exact } else { fields.text };
    let mut parser = QueryParser::for_index(index, vec![default_field]);
    if !any {
        parser.set_conjunction_by_default();
    }
    let b = Builder {
        query,
        fields,
        parser,
        default_occur: if any { Occur::Should } else { Occur::Must },
        expanding: std::cell::Cell::new(0),
    };
    let q = b.convert(&ast)?;
    if matches!(&ast, UserInputAst::Clause(items) if !items.is_empty() && items.iter().all(|(o, _)| *o == Some(AstOccur::MustNot)))
        || matches!(&ast, UserInputAst::Clause(items) if items.len() == 1 && all_excluded(&items[0].1))
    {
        return Err(only_excludes(query));
    }
    Ok(q)
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
    parser: QueryParser,
    default_occur: Occur,
    /// Prefix and fuzzy words so far (each expands to many terms and builds an automaton).
    expanding: std::cell::Cell<usize>,
}

/// Most prefix (`immigra*`) and fuzzy (`carvan~1`) words one query may hold: 5,000 fuzzy words
/// took 7 s and 650 MB; 100 take a fraction of a second.
pub const MAX_EXPANDING_WORDS: usize = 100;

impl Builder<'_> {
    fn convert(&self, ast: &UserInputAst) -> Result<Box<dyn Query>> {
        match ast {
            UserInputAst::Leaf(leaf) => self.leaf(leaf),
            UserInputAst::Boost(inner, boost) => Ok(Box::new(BoostQuery::new(
                self.convert(inner)?,
                boost.into_inner() as f32,
            ))),
            UserInputAst::Clause(items) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for (occur, sub) in items {
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
                    clauses.push((occur, self.convert(sub)?));
                }
                if !clauses.is_empty() && clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
                    return Err(only_excludes(self.query));
                }
                Ok(Box::new(BooleanQuery::new(clauses)))
            }
        }
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
                return match suffix {
                    Suffix::Prefix => {
                        RegexQuery::from_pattern(&format!("{}.*", regex_escape(&word)), field)
                            .map(|q| Box::new(q) as Box<dyn Query>)
                            .map_err(|e| {
                                query_error(
                                    self.query,
                                    None,
                                    format!("bad prefix `{}`: {e}", lit.phrase),
                                )
                            })
                    }
                    Suffix::Fuzzy(d) if d == 0 || d > MAX_FUZZY_DISTANCE => Err(query_error(
                        self.query,
                        None,
                        format!(
                            "`{}`: a fuzzy word allows 1 or {MAX_FUZZY_DISTANCE} edits (`~1` or `~2`)",
                            lit.phrase
                        ),
                    )),
                    Suffix::Fuzzy(d) => Ok(Box::new(FuzzyTermQuery::new(
                        Term::from_field_text(field, &word),
                        d as u8,
                        true,
                    ))),
                };
            }
        }
        self.delegate(&literal_text(lit))
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

/// A literal written back as query text: `field:"a phrase"~2`, `field:word`.
fn literal_text(lit: &UserInputLiteral) -> String {
    let mut out = String::new();
    if let Some(f) = &lit.field_name {
        out.push_str(f);
        out.push(':');
    }
    match lit.delimiter {
        Delimiter::None => out.push_str(&lit.phrase),
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
