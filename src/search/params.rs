//! A search request from what a person typed as text: the command line's filter flags and the web
//! server's query string both describe a search as strings, and both build their
//! [`SearchRequest`] here, so `newsdex search --since 2020` and `/api/search?since=2020` ask the
//! same thing and fail with the same message.

use crate::error::{Error, Result};
use crate::search::query::parse_day_bound;
use crate::search::{Filters, PROXIMITY_WEIGHT, SearchRequest, SortOrder};

/// The options of a search as text, before they are checked.
#[derive(Clone, Debug, Default)]
pub struct RequestParams {
    pub query: String,
    pub any: bool,
    /// Require every word (see [`SearchRequest::all`]).
    pub all: bool,
    pub exact: bool,
    pub sort: SortOrder,
    /// First day included (`2020`, `2020-03`, `2020-03-01`).
    pub since: Option<String>,
    /// Last day included, same forms.
    pub until: Option<String>,
    pub sources: Vec<String>,
    pub sections: Vec<String>,
    pub authors: Vec<String>,
    pub languages: Vec<String>,
    /// `None`: [`PROXIMITY_WEIGHT`].
    pub proximity_weight: Option<f32>,
    pub recency_days: Option<f32>,
    /// One article per story (see [`SearchRequest::collapse`]).
    pub collapse: bool,
}

impl RequestParams {
    /// The request these options describe; a bad date or number is an error that says what
    /// forms are accepted.
    pub fn build(&self) -> Result<SearchRequest> {
        let mut req = SearchRequest::new(self.query.clone());
        req.filters = Filters {
            since: self
                .since
                .as_deref()
                .map(|s| parse_day_bound(s, false))
                .transpose()?,
            until: self
                .until
                .as_deref()
                .map(|s| parse_day_bound(s, true))
                .transpose()?,
            sources: self.sources.clone(),
            sections: self.sections.clone(),
            authors: self.authors.clone(),
            languages: self.languages.clone(),
        };
        req.any = self.any;
        req.all = self.all;
        req.exact = self.exact;
        req.sort = self.sort;
        req.proximity_weight = self.proximity_weight.unwrap_or(PROXIMITY_WEIGHT);
        req.recency_days = self.recency_days;
        req.collapse = self.collapse;
        Ok(req)
    }
}

impl SortOrder {
    /// `relevance`, `newest` or `oldest`, as the command line spells them.
    pub fn parse(name: &str) -> Result<SortOrder> {
        match name.trim().to_ascii_lowercase().as_str() {
            "relevance" | "" => Ok(SortOrder::Relevance),
            "newest" => Ok(SortOrder::Newest),
            "oldest" => Ok(SortOrder::Oldest),
            other => Err(Error::Usage(format!(
                "unknown sort order `{other}`: use relevance, newest or oldest"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_sort_are_checked() {
        let p = RequestParams {
            query: "flood".into(),
            since: Some("2020-03".into()),
            until: Some("2020".into()),
            ..Default::default()
        };
        let r = p.build().unwrap();
        assert_eq!(r.filters.since.unwrap().to_string(), "2020-03-01");
        assert_eq!(r.filters.until.unwrap().to_string(), "2020-12-31");
        let bad = RequestParams {
            since: Some("yesterday-ish".into()),
            ..p.clone()
        };
        assert!(bad.build().is_err());
        assert_eq!(SortOrder::parse("Newest").unwrap(), SortOrder::Newest);
        assert!(SortOrder::parse("best").is_err());
    }
}
