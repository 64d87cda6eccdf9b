//! An API query string as the options of a search. The names are the command line's flag names
//! (`since`, `source`, `lang`, ...); repeated keys are lists, as repeated flags are. Parsing goes
//! through [`RequestParams`], the same builder the command line uses.

use crate::search::{RequestParams, SearchRequest, SortOrder};
use crate::serve::ApiError;

/// Every key the API reads. Any other key is a mistake the caller should hear about.
const KNOWN: &[&str] = &[
    "q", "any", "all", "exact", "since", "until", "source", "section", "author", "lang", "sort",
    "limit", "offset", "by", "share", "format", "fields", "kwic", "excel", "width", "collapse",
];

/// The decoded pairs of a query string.
pub(crate) struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    pub(crate) fn parse(raw: Option<&str>) -> Result<Params, ApiError> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if let Some((k, _)) = pairs.iter().find(|(k, _)| !KNOWN.contains(&k.as_str())) {
            return Err(ApiError::bad_request(format!(
                "unknown parameter `{k}`: use {}",
                KNOWN.join(", ")
            )));
        }
        Ok(Params { pairs })
    }

    /// The last non-empty value of `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// Every non-empty value of `key`, in order.
    pub(crate) fn all(&self, key: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub(crate) fn flag(&self, key: &str) -> Result<bool, ApiError> {
        match self.get(key).map(str::to_ascii_lowercase).as_deref() {
            None | Some("0" | "false" | "no" | "off") => Ok(false),
            Some("1" | "true" | "yes" | "on") => Ok(true),
            Some(other) => Err(ApiError::bad_request(format!(
                "`{key}={other}`: use {key}=true or {key}=false"
            ))),
        }
    }

    /// A whole number no larger than `max` (`default` when absent).
    pub(crate) fn number(&self, key: &str, default: usize, max: usize) -> Result<usize, ApiError> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => match v.trim().parse::<usize>() {
                Ok(n) if n <= max => Ok(n),
                _ => Err(ApiError::bad_request(format!(
                    "`{key}={v}`: use a whole number from 0 to {max}"
                ))),
            },
        }
    }

    /// The search options, with `query` as the query text.
    pub(crate) fn request_for(&self, query: String) -> Result<SearchRequest, ApiError> {
        let sort = match self.get("sort") {
            Some(s) => SortOrder::parse(s)?,
            None => SortOrder::Relevance,
        };
        Ok(RequestParams {
            query,
            any: self.flag("any")?,
            all: self.flag("all")?,
            exact: self.flag("exact")?,
            sort,
            since: self.get("since").map(str::to_string),
            until: self.get("until").map(str::to_string),
            sources: self.all("source"),
            sections: self.all("section"),
            authors: self.all("author"),
            languages: self.all("lang"),
            proximity_weight: None,
            recency_days: None,
            collapse: self.flag("collapse")?,
        }
        .build()?)
    }

    /// The search options with the query `q`, which must be there.
    pub(crate) fn request(&self) -> Result<SearchRequest, ApiError> {
        let q = self
            .get("q")
            .ok_or_else(|| ApiError::bad_request("no query: add q=WORDS to the address"))?;
        self.request_for(q.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_flags_and_unknown_keys() {
        let p = Params::parse(Some("q=a+b&source=x&source=y&source=&any=1&since=2020")).unwrap();
        let r = p.request().unwrap();
        assert_eq!(r.query, "a b");
        assert_eq!(r.filters.sources, ["x", "y"]);
        assert!(r.any);
        assert_eq!(r.filters.since.unwrap().to_string(), "2020-01-01");
        assert!(Params::parse(Some("q=a&sinc=2020")).is_err());
        assert!(
            Params::parse(Some("q=a&since=soon"))
                .unwrap()
                .request()
                .is_err()
        );
        assert!(
            Params::parse(Some("q=a&limit=9999"))
                .unwrap()
                .number("limit", 10, 100)
                .is_err()
        );
        assert!(Params::parse(Some("")).unwrap().request().is_err());
    }
}
