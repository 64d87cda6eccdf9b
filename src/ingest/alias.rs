//! Outlet aliases (`newsdex index --alias "swsentinel.example=Southwest Sentinel"`): one readable
//! outlet name for a URL host or for a name an archive spells its own way. Remembered by the
//! index with the other reading settings, so a later run without the option keeps them.

use crate::ingest::article::{Article, Provenance};
use crate::ingest::finish::url_host;

/// What an alias is looked up by: case-insensitive, spaces collapsed, a host's `www.` dropped.
pub fn alias_key(s: &str) -> String {
    let lower = s.trim().to_lowercase();
    let joined = lower.split_whitespace().collect::<Vec<_>>().join(" ");
    match joined.strip_prefix("www.") {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => joined,
    }
}

/// `KEY=NAME` -> (key as looked up, name). `KEY=` (no name) means "forget the alias for KEY".
pub fn parse_alias(spec: &str) -> Result<(String, String), String> {
    let Some((key, name)) = spec.split_once('=') else {
        return Err(format!(
            "{spec:?} is not HOST-OR-NAME=OUTLET (e.g. --alias \"swsentinel.example=Southwest Sentinel\")"
        ));
    };
    let key = alias_key(key);
    if key.is_empty() {
        return Err(format!(
            "{spec:?} names no host or outlet before '=' (e.g. --alias \"swsentinel.example=Southwest Sentinel\")"
        ));
    }
    Ok((key, name.trim().to_string()))
}

/// The aliases one run applies.
#[derive(Clone, Debug, Default)]
pub struct Aliases {
    /// (key from [`alias_key`], outlet name).
    entries: Vec<(String, String)>,
}

impl Aliases {
    pub fn new<'a>(pairs: impl IntoIterator<Item = (&'a String, &'a String)>) -> Aliases {
        Aliases {
            entries: pairs
                .into_iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The outlet name for `name` (an outlet as read, or a host), if an alias names it.
    pub fn lookup(&self, name: &str) -> Option<&str> {
        let key = alias_key(name);
        self.entries
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The outlet name for a URL host: an alias for the host or for a domain it is under
    /// (`lite.swsentinel.example` under `swsentinel.example`), the longest first.
    fn for_host(&self, host: &str) -> Option<&str> {
        let host = alias_key(host);
        self.entries
            .iter()
            .filter(|(k, _)| {
                k.contains('.')
                    && (host == *k
                        || host
                            .strip_suffix(k.as_str())
                            .is_some_and(|head| head.ends_with('.')))
            })
            .max_by_key(|(k, _)| k.len())
            .map(|(_, v)| v.as_str())
    }

    /// Renames the article's outlet when an alias names it, or names the outlet from the URL's
    /// host when the article's outlet was only guessed from that URL (or is missing). An outlet
    /// the record names and no alias mentions is kept. An aliased outlet counts as given
    /// (`source_from` = option).
    pub fn apply(&self, a: &mut Article) {
        if self.entries.is_empty() {
            return;
        }
        let named = a.source.as_deref().and_then(|s| self.lookup(s));
        let guessed = a.source.is_none() || a.source_from == Some(Provenance::Url);
        let by_host = || {
            a.url
                .as_deref()
                .and_then(url_host)
                .and_then(|h| self.for_host(&h).map(str::to_string))
        };
        let name = match named {
            Some(n) => Some(n.to_string()),
            None if guessed => by_host(),
            None => None,
        };
        if let Some(n) = name.filter(|n| !n.is_empty()) {
            a.source = Some(n);
            a.source_from = Some(Provenance::Given);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aliases(specs: &[&str]) -> Aliases {
        let pairs: Vec<(String, String)> = specs.iter().map(|s| parse_alias(s).unwrap()).collect();
        Aliases::new(pairs.iter().map(|(k, v)| (k, v)))
    }

    fn article(source: Option<&str>, from: Option<Provenance>, url: Option<&str>) -> Article {
        Article {
            source: source.map(str::to_string),
            source_from: from,
            url: url.map(str::to_string),
            ..Article::default()
        }
    }

    #[test]
    fn parse_keys_fold_case_spaces_and_www() {
        assert_eq!(
            parse_alias(" WWW.SWSentinel.example = Southwest Sentinel ").unwrap(),
            ("swsentinel.example".into(), "Southwest Sentinel".into())
        );
        assert_eq!(
            parse_alias("SW  Sentinel=").unwrap(),
            ("sw sentinel".into(), "".into())
        );
        assert!(parse_alias("no equals sign").is_err());
        assert!(parse_alias("=Name").is_err());
    }

    #[test]
    fn hosts_and_names_are_renamed_but_a_named_outlet_is_kept() {
        let al = aliases(&[
            "swsentinel.example=Southwest Sentinel",
            "SW Sentinel=Southwest Sentinel",
        ]);
        // Guessed from the URL of a subdomain.
        let mut a = article(
            Some("swsentinel.example"),
            Some(Provenance::Url),
            Some("https://lite.swsentinel.example/2020/01/02/x"),
        );
        al.apply(&mut a);
        assert_eq!(a.source.as_deref(), Some("Southwest Sentinel"));
        assert_eq!(a.source_from, Some(Provenance::Given));
        // A name spelt another way in the record.
        let mut a = article(Some("sw sentinel"), Some(Provenance::Record), None);
        al.apply(&mut a);
        assert_eq!(a.source.as_deref(), Some("Southwest Sentinel"));
        // No outlet at all, but a URL host with an alias.
        let mut a = article(None, None, Some("http://www.swsentinel.example/a"));
        al.apply(&mut a);
        assert_eq!(a.source.as_deref(), Some("Southwest Sentinel"));
        // The record names another outlet: the host does not overrule it.
        let mut a = article(
            Some("Wire Service"),
            Some(Provenance::Record),
            Some("https://swsentinel.example/a"),
        );
        al.apply(&mut a);
        assert_eq!(a.source.as_deref(), Some("Wire Service"));
        // `notswsentinel.example` is not under `swsentinel.example`.
        let mut a = article(None, None, Some("https://notswsentinel.example/a"));
        al.apply(&mut a);
        assert_eq!(a.source, None);
    }
}
