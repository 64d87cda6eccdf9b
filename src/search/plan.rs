//! How the words of a query combine when the user gave no operator: the default-mode policy,
//! shared by every engine and every front end (search, export, count, eval, the web API).
//!
//! Measured on judged collections (README, "Ranking quality"): requiring every word finds nothing
//! for most questions of five or more words, and ranking short queries by any word loses the
//! precision of all-words matching. So:
//! - `--any`: any word is enough, always;
//! - `--all`: every word is required, always;
//! - otherwise, ranked by relevance: with [`ANY_FROM_WORDS`] or more content words (stop words
//!   aside) any word is enough; with fewer, every word is required, and when that finds fewer
//!   than [`RELAX_BELOW_HITS`] articles the query is ranked with any word instead and the answer
//!   says so (`relaxed`). Falling back only at zero hits was worse: one to nine strict hits
//!   pushed better partial matches off the first page.
//! - otherwise (sorted by date, or counting matches): every word is required. A date-ordered list
//!   or a count of articles with any of five words is rarely what anyone means.

use crate::search::request::{SearchRequest, SortOrder};

/// From this many content words on, a query without operators matches any of its words.
pub const ANY_FROM_WORDS: usize = 5;
/// A shorter query that finds fewer articles than this with every word required is relaxed to
/// any word.
pub const RELAX_BELOW_HITS: usize = 10;

/// What a front end tells the user when a search was relaxed.
pub fn relaxed_note() -> String {
    format!(
        "note: fewer than {RELAX_BELOW_HITS} articles have every word, so articles with any of \
         them are ranked too (best matches first); --all requires every word"
    )
}

/// How clauses without an operator combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Combine {
    /// Every clause required.
    All,
    /// Any clause enough (more matching clauses rank higher).
    Any,
}

/// What to run for a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    pub combine: Combine,
    /// Run again with [`Combine::Any`] when the first run finds fewer than [`RELAX_BELOW_HITS`].
    pub relax: bool,
}

/// The plan for `req`, whose query has `content_words` clauses to look for, `default_clauses` of
/// them without an operator. `ranking`: the hits are ranked by relevance (not counted, not sorted
/// by date).
pub fn plan(
    req: &SearchRequest,
    content_words: usize,
    default_clauses: usize,
    ranking: bool,
) -> Plan {
    let fixed = |combine| Plan {
        combine,
        relax: false,
    };
    if req.any {
        return fixed(Combine::Any);
    }
    if req.all || !ranking || req.sort != SortOrder::Relevance {
        return fixed(Combine::All);
    }
    if content_words >= ANY_FROM_WORDS {
        return fixed(Combine::Any);
    }
    Plan {
        combine: Combine::All,
        // Relaxing changes something only where a clause without an operator stands beside
        // another clause.
        relax: default_clauses >= 1 && content_words >= 2,
    }
}

/// The stop-word language of a request: the one `--lang` it is filtered to, else English (the
/// language the index's analyzer stems).
pub fn query_language(req: &SearchRequest) -> &str {
    match req.filters.languages.as_slice() {
        [one] => one,
        _ => "en",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        let req = SearchRequest::new("x");
        assert_eq!(
            plan(&req, 5, 5, true),
            Plan {
                combine: Combine::Any,
                relax: false
            }
        );
        assert_eq!(
            plan(&req, 3, 3, true),
            Plan {
                combine: Combine::All,
                relax: true
            }
        );
        assert_eq!(
            plan(&req, 1, 1, true),
            Plan {
                combine: Combine::All,
                relax: false
            }
        );
        assert_eq!(
            plan(&req, 5, 5, false).combine,
            Combine::All,
            "counts require every word"
        );
        let mut any = req.clone();
        any.any = true;
        assert_eq!(
            plan(&any, 2, 2, true),
            Plan {
                combine: Combine::Any,
                relax: false
            }
        );
        let mut all = req.clone();
        all.all = true;
        assert_eq!(
            plan(&all, 9, 9, true),
            Plan {
                combine: Combine::All,
                relax: false
            }
        );
        let mut newest = req;
        newest.sort = SortOrder::Newest;
        assert_eq!(
            plan(&newest, 9, 9, true),
            Plan {
                combine: Combine::All,
                relax: false
            }
        );
    }
}
