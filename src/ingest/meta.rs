//! Metadata keys shared by every reader: which names mean title, date, outlet, authors, and so on,
//! and how a set of raw values becomes a finished [`Article`].

use crate::ingest::Problem;
use crate::ingest::article::{Article, DateSource, Provenance, PubDate};
use crate::ingest::date::{date_in_path, parse_date};

/// The article fields that metadata keys map onto.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetaKey {
    Title,
    Date,
    Source,
    Author,
    Url,
    Section,
    Language,
    Tags,
}

/// Recognises a metadata key name (case-insensitive; `-`, `_` and spaces ignored).
pub fn meta_key(name: &str) -> Option<MetaKey> {
    let k: String = name
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' ' | '.'))
        .flat_map(char::to_lowercase)
        .collect();
    Some(match k.as_str() {
        "title" | "headline" | "hedline" => MetaKey::Title,
        "date" | "published" | "publishdate" | "pubdate" | "datepublished" | "publicationdate"
        | "publishedat" | "datepublish" | "dateline" => MetaKey::Date,
        "source" | "publication" | "outlet" | "publisher" | "newspaper" | "sourcedomain" => {
            MetaKey::Source
        }
        "author" | "authors" | "by" | "byline" | "writer" | "reporter" => MetaKey::Author,
        "url" | "link" | "canonical" | "canonicalurl" | "permalink" => MetaKey::Url,
        "section" | "category" | "desk" => MetaKey::Section,
        "language" | "lang" | "locale" => MetaKey::Language,
        "tags" | "keywords" | "subjects" | "topics" => MetaKey::Tags,
        _ => return None,
    })
}

/// Raw metadata collected from a file before it becomes an article.
#[derive(Clone, Debug, Default)]
pub struct Meta {
    pub title: Option<String>,
    pub date: Option<String>,
    /// What `date` is, for `date_source`: [`DateSource::Header`] (the default) for header lines
    /// and front matter, [`DateSource::Meta`] for markup, feed, wire and JSON fields.
    pub date_kind: Option<DateSource>,
    /// Crawl time (WARC-Date): stored as `crawled`, and the publication date of last resort.
    pub crawled: Option<String>,
    pub source: Option<String>,
    pub authors: Vec<String>,
    pub url: Option<String>,
    pub section: Option<String>,
    pub language: Option<String>,
    pub tags: Vec<String>,
}

impl Meta {
    /// Stores one value under a recognised key; the first value for a single-valued key wins.
    pub fn set(&mut self, key: MetaKey, value: &str) {
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        let keep = |slot: &mut Option<String>| {
            if slot.is_none() {
                *slot = Some(value.to_string());
            }
        };
        match key {
            MetaKey::Title => keep(&mut self.title),
            MetaKey::Date => keep(&mut self.date),
            MetaKey::Source => keep(&mut self.source),
            MetaKey::Url => keep(&mut self.url),
            MetaKey::Section => keep(&mut self.section),
            MetaKey::Language => keep(&mut self.language),
            MetaKey::Author => {
                for a in split_authors(value) {
                    if !self.authors.contains(&a) {
                        self.authors.push(a);
                    }
                }
            }
            MetaKey::Tags => self.tags.extend(
                value
                    .split([',', ';'])
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(String::from),
            ),
        }
    }

    /// The publication date and where it came from (the metadata, a date in the URL, a date in
    /// the file path, the crawl date, in that order), and the crawl date.
    fn dates(&self, path: &str, record: u64, problems: &mut Vec<Problem>) -> Dates {
        let mut published = None;
        let mut date_source = None;
        if let Some(raw) = &self.date {
            match parse_date(raw) {
                Ok(d) => {
                    published = Some(d);
                    date_source = Some(self.date_kind.unwrap_or(DateSource::Header));
                }
                Err(e) => problems.push(Problem::warning(path, Some(record), e.to_string())),
            }
        }
        let mut crawled = self
            .crawled
            .as_deref()
            .and_then(|raw| match parse_date(raw) {
                Ok(d) => Some(d),
                Err(e) => {
                    problems.push(Problem::warning(
                        path,
                        Some(record),
                        format!("crawl date: {e}"),
                    ));
                    None
                }
            });
        if let Some(d) = self.url.as_deref().and_then(date_in_path) {
            match published {
                None => {
                    published = Some(d);
                    date_source = Some(DateSource::Url);
                }
                // A record date later than the day its URL names is a crawl or update time (a
                // story is not filed under a day before it was written): the URL day is the
                // publication day, and the record's date is kept as `crawled`.
                Some(p) if d.local_day < p.local_day => {
                    crawled = crawled.or(Some(p));
                    published = Some(d);
                    date_source = Some(DateSource::Url);
                }
                Some(_) => {}
            }
        }
        if published.is_none()
            && let Some(d) = date_in_path(path)
        {
            published = Some(d);
            date_source = Some(DateSource::Path);
        }
        if published.is_none()
            && let Some(d) = crawled
        {
            published = Some(d);
            date_source = Some(DateSource::Crawl);
        }
        Dates {
            published,
            date_source,
            crawled,
        }
    }

    /// Builds the article, resolving the publication date from (in order) the metadata, a date in
    /// the URL, and a date in the file path. Unusable dates are reported as warnings, not guessed.
    pub fn into_article(
        self,
        path: &str,
        record: u64,
        format: &'static str,
        body: String,
        problems: &mut Vec<Problem>,
    ) -> Article {
        let Dates {
            published,
            date_source,
            crawled,
        } = self.dates(path, record, problems);
        Article {
            path: path.to_string(),
            record,
            format,
            title: self.title.unwrap_or_default(),
            body,
            published,
            date_source,
            crawled,
            source_from: self.source.as_ref().map(|_| Provenance::Record),
            source: self.source,
            authors: self.authors,
            url: self.url,
            section_from: self.section.as_ref().map(|_| Provenance::Record),
            section: self.section,
            language: self.language.map(|l| l.to_ascii_lowercase()),
            language_source: None,
            docno: None,
            tags: self.tags,
        }
    }
}

/// An article's dates as [`Meta::into_article`] resolves them.
struct Dates {
    published: Option<PubDate>,
    date_source: Option<DateSource>,
    crawled: Option<PubDate>,
}

/// An article field that `--map` can point at a column or key of the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    Title,
    Body,
    Published,
    Source,
    Authors,
    Url,
    Section,
    Language,
    Tags,
    Crawled,
}

impl Target {
    fn from_name(name: &str) -> Option<Target> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "title" | "headline" => Target::Title,
            "body" | "text" => Target::Body,
            "published" | "date" => Target::Published,
            "source" | "outlet" => Target::Source,
            "authors" | "author" => Target::Authors,
            "url" => Target::Url,
            "section" => Target::Section,
            "language" | "lang" => Target::Language,
            "tags" | "tag" => Target::Tags,
            "crawled" => Target::Crawled,
            _ => return None,
        })
    }
}

/// The user's `--map body=story_text,published=ts`: which input key feeds which article field.
/// Overrides the automatic key recognition of the JSON and CSV readers.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldMap {
    pub entries: Vec<(Target, String)>,
    /// `--no-header`: the first row of a CSV/TSV file is data, not column names (columns are
    /// then named by number, 1-based, as `--map title=2,body=3` does).
    #[serde(default)]
    pub no_header: bool,
}

impl FieldMap {
    /// Parses `field=key[,field=key...]`.
    pub fn parse(spec: &str) -> Result<FieldMap, String> {
        let mut entries = Vec::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, key) = part
                .split_once('=')
                .ok_or_else(|| format!("`{part}` is not field=key (e.g. body=story_text)"))?;
            let target = Target::from_name(field).ok_or_else(|| {
                format!(
                    "unknown field `{field}` in --map: use title, body, published, source, authors, url, section, language, tags or crawled"
                )
            })?;
            let key = key.trim();
            if key.is_empty() {
                return Err(format!("`{part}` names no input key"));
            }
            entries.retain(|(t, _)| *t != target);
            entries.push((target, key.to_string()));
        }
        Ok(FieldMap {
            entries,
            no_header: false,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The input key mapped to `target`, if the user gave one.
    pub fn key_for(&self, target: Target) -> Option<&str> {
        self.entries
            .iter()
            .find(|(t, _)| *t == target)
            .map(|(_, k)| k.as_str())
    }

    /// The article field an input key is mapped to, if the user mapped it.
    pub fn target_of(&self, key: &str) -> Option<Target> {
        self.entries.iter().find(|(_, k)| k == key).map(|(t, _)| *t)
    }
}

/// Splits a byline into names: `By Daniel Reyes and Aisha Grant` → two names.
pub fn split_authors(s: &str) -> Vec<String> {
    let s = s.trim();
    let s = strip_by(s).unwrap_or(s);
    s.split([',', ';', '&', '|'])
        .flat_map(|part| part.split(" and "))
        .map(|n| n.trim().trim_end_matches('.').trim())
        .filter(|n| !n.is_empty() && n.chars().any(char::is_alphabetic))
        .map(String::from)
        .collect()
}

/// `By Jane Doe` → `Jane Doe` (case-insensitive `By`, optional colon).
pub fn strip_by(line: &str) -> Option<&str> {
    let t = line.trim();
    let rest = t
        .strip_prefix("By ")
        .or_else(|| t.strip_prefix("BY "))
        .or_else(|| t.strip_prefix("by "))
        .or_else(|| t.strip_prefix("By:"))?;
    Some(rest.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_map_parses_and_rejects() {
        let m = FieldMap::parse("body=story_text, published=ts").unwrap();
        assert_eq!(m.key_for(Target::Body), Some("story_text"));
        assert_eq!(m.target_of("ts"), Some(Target::Published));
        assert!(
            FieldMap::parse("bogus=x")
                .unwrap_err()
                .contains("unknown field")
        );
        assert!(FieldMap::parse("body").is_err());
    }

    #[test]
    fn crawl_date_is_the_last_resort() {
        let mut problems = Vec::new();
        let meta = Meta {
            crawled: Some("2019-03-01T10:00:00Z".into()),
            ..Default::default()
        };
        let a = meta.into_article("/a/x.warc", 3, "warc", String::new(), &mut problems);
        assert_eq!(a.date_source, Some(DateSource::Crawl));
        assert_eq!(a.crawled, a.published);
    }

    #[test]
    fn keys_are_recognised_loosely() {
        assert_eq!(meta_key("Title"), Some(MetaKey::Title));
        assert_eq!(meta_key("date_publish"), Some(MetaKey::Date));
        assert_eq!(meta_key("Publication"), Some(MetaKey::Source));
        assert_eq!(meta_key("By"), Some(MetaKey::Author));
        assert_eq!(meta_key("URL"), Some(MetaKey::Url));
        assert_eq!(meta_key("Trump"), None);
    }

    #[test]
    fn bylines_split_into_names() {
        assert_eq!(
            split_authors("By Daniel Reyes and Aisha Grant"),
            ["Daniel Reyes", "Aisha Grant"]
        );
        assert_eq!(
            split_authors("A. Smith, B. Jones & C. Wu"),
            ["A. Smith", "B. Jones", "C. Wu"]
        );
    }

    #[test]
    fn date_falls_back_to_url_then_path() {
        let mut problems = Vec::new();
        let meta = Meta {
            url: Some("https://x.example/2018/10/25/story".into()),
            ..Default::default()
        };
        let a = meta.into_article(
            "/a/2019/01/02/x.txt",
            0,
            "text",
            String::new(),
            &mut problems,
        );
        assert_eq!(a.date_source, Some(DateSource::Url));
        let a = Meta::default().into_article(
            "/a/2019/01/02/x.txt",
            0,
            "text",
            String::new(),
            &mut problems,
        );
        assert_eq!(a.date_source, Some(DateSource::Path));
        assert_eq!(a.published.unwrap().local_day.to_string(), "2019-01-02");
        assert!(problems.is_empty());
    }

    #[test]
    fn a_crawl_time_later_than_the_url_day_gives_way_to_it() {
        let mut problems = Vec::new();
        let meta = Meta {
            date: Some("2026-04-11T03:12:00Z".into()),
            url: Some("https://planet.com/2026/04/09/politics/vote".into()),
            ..Default::default()
        };
        let a = meta.into_article("/a/x.json", 0, "json", String::new(), &mut problems);
        assert_eq!(a.date_source, Some(DateSource::Url));
        assert_eq!(a.published.unwrap().local_day.to_string(), "2026-04-09");
        assert_eq!(a.crawled.unwrap().to_rfc3339(), "2026-04-11T03:12:00Z");
        // The same day (or an earlier record date) keeps the record's own time.
        let meta = Meta {
            date: Some("2026-04-09T15:00:00Z".into()),
            url: Some("https://planet.com/2026/04/09/politics/vote".into()),
            ..Default::default()
        };
        let a = meta.into_article("/a/x.json", 0, "json", String::new(), &mut problems);
        assert_eq!(a.date_source, Some(DateSource::Header));
        assert_eq!(a.published.unwrap().to_rfc3339(), "2026-04-09T15:00:00Z");
        assert!(problems.is_empty());
    }

    #[test]
    fn bad_dates_are_reported_not_used() {
        let mut problems = Vec::new();
        let meta = Meta {
            date: Some("sometime in 3020".into()),
            ..Default::default()
        };
        let a = meta.into_article("/a/x.txt", 0, "text", String::new(), &mut problems);
        assert_eq!(a.published, None);
        assert_eq!(problems.len(), 1);
    }
}
