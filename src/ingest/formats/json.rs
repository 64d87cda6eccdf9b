//! JSON (`.json`) and JSON Lines (`.jsonl`, `.ndjson`) article records.
//!
//! A `.json` file is one article object (record 0), an array of them (record = index), or an
//! object wrapping that array under `articles`, `items`, `data`, `results`, `docs`, `hits` or
//! `records` (Elasticsearch's `hits.hits[]._source` too). A `.json` file that is really JSON Lines
//! (its first line is a whole object and more follow) is read as JSON Lines.
//!
//! A JSON Lines file is read line by line; the record number is the 0-based line number, and
//! reasons say "line N" (1-based). A broken line costs only itself. Keys are recognised by
//! [`record::build`] (news-please, newspaper3k, NewsAPI, JSON Feed and the like).

use serde_json::{Map, Value};

use crate::ingest::formats::record::{self, WRAPPERS, has_text_key, norm_key};
use crate::ingest::{FileOutcome, Flush, ParseOptions, Problem, decode};

/// Parses a `.json` file. An array of records is read one element at a time (each handed to
/// `flush` as it is read), once the whole file is known to be valid JSON: a damaged file is
/// still rejected whole, and a file of a million records is never held as a million values.
pub fn parse(
    path: &str,
    bytes: &[u8],
    opts: &ParseOptions,
    out: &mut FileOutcome,
    flush: &mut Flush<'_>,
) {
    let text = decode::decode(bytes, None).text;
    if text.trim_start().starts_with('[') && serde_json::from_str::<Checked>(&text).is_ok() {
        return parse_array(path, &text, opts, out, flush);
    }
    let value: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            if looks_like_lines(&text) {
                parse_lines_from(path, &text, 0, opts, out, flush);
            } else {
                out.problems
                    .push(Problem::rejected(path, None, format!("invalid JSON: {e}")));
            }
            return;
        }
    };
    match value {
        Value::Object(obj) => match wrapped_array(&obj, opts) {
            Some(elements) => parse_elements(path, elements, opts, out),
            None => one_object(path, 0, &obj, None, opts, out),
        },
        Value::Array(elements) => parse_elements(path, &elements, opts, out),
        other => out.problems.push(Problem::rejected(
            path,
            None,
            format!(
                "the file holds {}, not an article object or an array of them",
                kind(&other)
            ),
        )),
    }
}

/// Parses a `.jsonl` / `.ndjson` file, one object per line.
pub fn parse_lines(
    path: &str,
    bytes: &[u8],
    opts: &ParseOptions,
    out: &mut FileOutcome,
    flush: &mut Flush<'_>,
) {
    let text = decode::decode(bytes, None).text;
    parse_lines_from(path, &text, 0, opts, out, flush);
}

/// A JSON value parsed and thrown away as it is read: the checks of parsing a [`Value`] (syntax,
/// and the same nesting limit), without building one.
struct Checked;

impl<'de> serde::Deserialize<'de> for Checked {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Checked, D::Error> {
        d.deserialize_any(Checked)
    }
}

impl<'de> serde::de::Visitor<'de> for Checked {
    type Value = Checked;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_str<E>(self, _: &str) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_unit<E>(self) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        while seq.next_element::<Checked>()?.is_some() {}
        Ok(Checked)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Checked, A::Error> {
        while map
            .next_entry::<serde::de::IgnoredAny, Checked>()?
            .is_some()
        {}
        Ok(Checked)
    }
}

/// The elements of a top-level array in `text`, which must be valid JSON (checked by the caller),
/// each parsed on its own.
fn parse_array(
    path: &str,
    text: &str,
    opts: &ParseOptions,
    out: &mut FileOutcome,
    flush: &mut Flush<'_>,
) {
    let skip_blank = |pos: usize| {
        pos + text.as_bytes()[pos..]
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            .count()
    };
    let mut pos = skip_blank(0) + 1; // past `[`
    let mut count = 0usize;
    loop {
        pos = skip_blank(pos);
        if text.as_bytes().get(pos).is_none_or(|&b| b == b']') {
            break;
        }
        let mut values = serde_json::Deserializer::from_str(&text[pos..]).into_iter::<Value>();
        // Valid JSON, so every element parses; a value that does not ends the array all the same.
        let Some(Ok(value)) = values.next() else {
            break;
        };
        pos += values.byte_offset();
        one_element(path, count, &value, opts, out);
        drop(value);
        flush(out);
        count += 1;
        pos = skip_blank(pos);
        if text.as_bytes().get(pos) != Some(&b',') {
            break;
        }
        pos += 1;
    }
    if count == 0 {
        no_records(path, out);
    }
}

/// JSON Lines text that starts at line `first_line` (0-based) of its file: one slice of a file
/// read in parts, numbered as in a whole-file read.
pub fn parse_lines_from(
    path: &str,
    text: &str,
    first_line: usize,
    opts: &ParseOptions,
    out: &mut FileOutcome,
    flush: &mut Flush<'_>,
) {
    for (i, line) in text.split('\n').enumerate() {
        let i = i + first_line;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let n = i as u64;
        let place = format!("line {}", i + 1);
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(obj)) => one_object(path, n, &obj, Some(&place), opts, out),
            Ok(other) => out.problems.push(Problem::rejected(
                path,
                Some(n),
                format!("{place}: holds {}, not an object", kind(&other)),
            )),
            Err(e) => out.problems.push(Problem::rejected(
                path,
                Some(n),
                format!(
                    "{place}: invalid JSON at column {}: {}",
                    e.column(),
                    error_message(&e)
                ),
            )),
        }
        flush(out);
    }
}

/// True when text that failed to parse as one value is JSON Lines: its first non-blank line is
/// a whole object and another non-blank line follows.
fn looks_like_lines(text: &str) -> bool {
    let mut lines = text.split('\n').map(str::trim).filter(|l| !l.is_empty());
    let first_is_object = lines
        .next()
        .is_some_and(|l| matches!(serde_json::from_str::<Value>(l), Ok(Value::Object(_))));
    first_is_object && lines.next().is_some()
}

/// serde's message without its " at line L column C" suffix (a JSON Lines line is line 1 to it).
fn error_message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rsplit_once(" at line ") {
        Some((msg, _)) => msg.to_string(),
        None => s,
    }
}

/// The array of records an object wraps, when the object is a wrapper rather than an article:
/// it has no title or body key of its own and holds an array under a wrapper key (or, one level
/// down, `{"hits": {"hits": [...]}}`).
fn wrapped_array<'v>(obj: &'v Map<String, Value>, opts: &ParseOptions) -> Option<&'v Vec<Value>> {
    if has_text_key(obj.keys().map(String::as_str), &opts.field_map) {
        return None;
    }
    let under = |o: &'v Map<String, Value>| -> Option<&'v Value> {
        WRAPPERS.iter().find_map(|w| {
            o.iter()
                .find(|(k, v)| norm_key(k) == *w && (v.is_array() || v.is_object()))
                .map(|(_, v)| v)
        })
    };
    match under(obj)? {
        Value::Array(a) => Some(a),
        Value::Object(inner) => match under(inner)? {
            Value::Array(a) => Some(a),
            _ => None,
        },
        _ => None,
    }
}

fn parse_elements(path: &str, elements: &[Value], opts: &ParseOptions, out: &mut FileOutcome) {
    if elements.is_empty() {
        return no_records(path, out);
    }
    for (i, el) in elements.iter().enumerate() {
        one_element(path, i, el, opts, out);
    }
}

fn no_records(path: &str, out: &mut FileOutcome) {
    out.problems.push(Problem::rejected(
        path,
        None,
        "the JSON array holds no records",
    ));
}

/// Element `i` of an array of records.
fn one_element(path: &str, i: usize, el: &Value, opts: &ParseOptions, out: &mut FileOutcome) {
    let n = i as u64;
    match el {
        Value::Object(obj) => one_object(path, n, obj, None, opts, out),
        other => out.problems.push(Problem::rejected(
            path,
            Some(n),
            format!("element {i} is {}, not an object", kind(other)),
        )),
    }
}

/// One record object (an Elasticsearch hit is read through its `_source`).
fn one_object(
    path: &str,
    record: u64,
    obj: &Map<String, Value>,
    place: Option<&str>,
    opts: &ParseOptions,
    out: &mut FileOutcome,
) {
    let obj = match obj.get("_source") {
        Some(Value::Object(src))
            if !has_text_key(obj.keys().map(String::as_str), &opts.field_map) =>
        {
            src
        }
        _ => obj,
    };
    let items: Vec<(&str, &Value)> = obj.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let format = if place.is_some() { "jsonl" } else { "json" };
    match record::build(
        path,
        record,
        format,
        &items,
        &opts.field_map,
        &mut out.problems,
    ) {
        Ok(a) => out.articles.push(a),
        Err(reason) => {
            let reason = match place {
                Some(p) => format!("{p}: {reason}"),
                None => reason,
            };
            out.problems
                .push(Problem::rejected(path, Some(record), reason));
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Severity;
    use crate::ingest::article::{Article, DateSource};
    use crate::ingest::keep_all;
    use crate::ingest::meta::FieldMap;

    fn run(path: &str, src: &str, opts: &ParseOptions) -> FileOutcome {
        let mut out = FileOutcome::default();
        if path.ends_with(".jsonl") {
            parse_lines(path, src.as_bytes(), opts, &mut out, &mut keep_all);
        } else {
            parse(path, src.as_bytes(), opts, &mut out, &mut keep_all);
        }
        out
    }

    fn one(src: &str) -> Article {
        let out = run("/arch/a.json", src, &ParseOptions::default());
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.articles.len(), 1);
        out.articles.into_iter().next().unwrap()
    }

    fn mapped(spec: &str) -> ParseOptions {
        ParseOptions {
            field_map: FieldMap::parse(spec).unwrap(),
            ..Default::default()
        }
    }

    #[test]
    fn news_please_record_uses_every_key() {
        let a = one(r#"{
            "authors": ["Maria Okafor", "Daniel Reyes"],
            "date_download": "2018-10-26 08:15:42",
            "date_modify": "2018-10-25 19:00:00",
            "date_publish": "2018-10-25 14:03:00",
            "description": "A short teaser that should not be indexed.",
            "filename": "https%3A%2F%2Fharbor.example%2Fcity%2Fferry.json",
            "image_url": "https://harbor.example/img/ferry.jpg",
            "language": "EN",
            "localpath": null,
            "maintext": "The harbour ferry will run every twenty minutes from Monday.\n\nCommuters welcomed the change.",
            "source_domain": "harbor.example",
            "text": null,
            "title": "Ferry timetable doubles",
            "title_page": "Ferry timetable doubles | Harbor Ledger",
            "title_rss": null,
            "url": "https://harbor.example/city/ferry"
        }"#);
        assert_eq!(a.title, "Ferry timetable doubles");
        assert_eq!(
            a.body,
            "The harbour ferry will run every twenty minutes from Monday.\n\nCommuters welcomed the change."
        );
        assert_eq!(a.authors, ["Maria Okafor", "Daniel Reyes"]);
        assert_eq!(a.source.as_deref(), Some("harbor.example"));
        assert_eq!(a.url.as_deref(), Some("https://harbor.example/city/ferry"));
        assert_eq!(a.language.as_deref(), Some("en"));
        assert_eq!(a.format, "json");
        assert_eq!(a.record, 0);
        assert_eq!(a.date_source, Some(DateSource::Meta));
        let p = a.published.unwrap();
        assert_eq!(p.local_day.to_string(), "2018-10-25");
        assert_eq!(p.to_rfc3339(), "2018-10-25T14:03:00Z");
        assert_eq!(
            a.crawled.unwrap().to_rfc3339(),
            "2018-10-26T08:15:42Z",
            "date_download is the crawl date"
        );
    }

    #[test]
    fn news_please_modify_date_only_without_publish_date() {
        let a = one(
            r#"{"title": "Late edit", "maintext": "Body.", "date_publish": null,
                "date_modify": "2019-02-03 10:00:00"}"#,
        );
        assert_eq!(a.published.unwrap().local_day.to_string(), "2019-02-03");
        assert_eq!(a.date_source, Some(DateSource::Meta));
    }

    #[test]
    fn newspaper3k_object() {
        let a = one(r#"{
            "title": "Council approves new bike lanes",
            "text": "The city council voted seven to two on Tuesday night.",
            "authors": ["Aisha Grant"],
            "publish_date": "2020-06-09T21:30:00-04:00",
            "top_image": "https://courier.example/lanes.jpg",
            "keywords": ["council", "bikes", "transport"],
            "meta_keywords": [""],
            "url": "https://courier.example/news/bike-lanes",
            "meta_lang": "en",
            "summary": ""
        }"#);
        assert_eq!(a.title, "Council approves new bike lanes");
        assert_eq!(
            a.body,
            "The city council voted seven to two on Tuesday night."
        );
        assert_eq!(a.authors, ["Aisha Grant"]);
        assert_eq!(a.tags, ["council", "bikes", "transport"]);
        assert_eq!(a.language.as_deref(), Some("en"));
        assert_eq!(
            a.url.as_deref(),
            Some("https://courier.example/news/bike-lanes")
        );
        let p = a.published.unwrap();
        assert_eq!(p.local_day.to_string(), "2020-06-09");
        assert_eq!(p.to_rfc3339(), "2020-06-10T01:30:00Z");
    }

    #[test]
    fn array_with_a_non_object_element() {
        let out = run(
            "/arch/batch.json",
            r#"[
              {"headline": "Dock strike ends", "body": "Workers returned on Friday."},
              "stray string",
              {"title": "Storm closes bridge", "content": "The bridge shut at noon."}
            ]"#,
            &ParseOptions::default(),
        );
        let got: Vec<(u64, &str, &str)> = out
            .articles
            .iter()
            .map(|a| (a.record, a.title.as_str(), a.body.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (0, "Dock strike ends", "Workers returned on Friday."),
                (2, "Storm closes bridge", "The bridge shut at noon.")
            ]
        );
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].record, Some(1));
        assert_eq!(out.problems[0].severity, Severity::Rejected);
        assert_eq!(
            out.problems[0].reason,
            "element 1 is a string, not an object"
        );
    }

    #[test]
    fn wrapper_object_with_outlet_objects_author_objects_and_epoch_ms() {
        let out = run(
            "/arch/export.json",
            r#"{"status": "ok", "totalResults": 2, "articles": [
                {"source": {"id": null, "name": "Valley Courier"},
                 "author": "By Lena Park and Tom Ruiz",
                 "title": "Reservoir levels recover",
                 "description": "Teaser.",
                 "url": "https://valley.example/reservoir",
                 "publishedAt": 1540476180000,
                 "content": "After weeks of rain the reservoir is nearly full."},
                {"outlet": {"name": "Coastal Times"},
                 "authors": [{"name": "Priya Nair"}, {"name": "Sam Cole", "url": "x"}],
                 "headline": "Pier reopens",
                 "section": "Local",
                 "tags": "pier, tourism",
                 "published": 1540476180}
            ]}"#,
            &ParseOptions::default(),
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let [a, b] = &out.articles[..] else {
            panic!("{:?}", out.articles)
        };
        assert_eq!(a.source.as_deref(), Some("Valley Courier"));
        assert_eq!(a.authors, ["Lena Park", "Tom Ruiz"]);
        assert_eq!(a.body, "After weeks of rain the reservoir is nearly full.");
        assert_eq!(
            a.published.unwrap().to_rfc3339(),
            "2018-10-25T14:03:00Z",
            "epoch milliseconds"
        );
        assert_eq!(b.record, 1);
        assert_eq!(b.source.as_deref(), Some("Coastal Times"));
        assert_eq!(b.authors, ["Priya Nair", "Sam Cole"]);
        assert_eq!(b.title, "Pier reopens");
        assert_eq!(b.body, "");
        assert_eq!(b.section.as_deref(), Some("Local"));
        assert_eq!(b.tags, ["pier", "tourism"]);
        assert_eq!(b.published.unwrap().to_rfc3339(), "2018-10-25T14:03:00Z");
    }

    #[test]
    fn elasticsearch_hits_are_unwrapped() {
        let out = run(
            "/arch/es.json",
            r#"{"took": 3, "hits": {"total": 1, "hits": [
                {"_id": "a1", "_source": {"title": "Mill closes", "text": "Forty jobs go."}}]}}"#,
            &ParseOptions::default(),
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.articles[0].title, "Mill closes");
        assert_eq!(out.articles[0].body, "Forty jobs go.");
    }

    #[test]
    fn invalid_json_is_one_rejection_with_position() {
        let out = run(
            "/arch/bad.json",
            "[\n {\"title\": \"A\"},\n {\"title\": \"B\"\n",
            &ParseOptions::default(),
        );
        assert!(out.articles.is_empty());
        assert_eq!(out.problems.len(), 1);
        let r = &out.problems[0].reason;
        assert!(r.starts_with("invalid JSON: "), "{r}");
        assert!(r.contains("line 4 column 0"), "{r}");
        assert_eq!(out.problems[0].record, None);
    }

    #[test]
    fn scalar_top_level_and_empty_array_are_rejected() {
        let out = run("/arch/n.json", "42", &ParseOptions::default());
        assert_eq!(
            out.problems[0].reason,
            "the file holds a number, not an article object or an array of them"
        );
        let out = run("/arch/e.json", "[]", &ParseOptions::default());
        assert_eq!(out.problems[0].reason, "the JSON array holds no records");
    }

    #[test]
    fn jsonl_with_truncated_line_keeps_neighbours() {
        let src = "{\"title\": \"Tram fares frozen\", \"text\": \"Fares stay the same until May.\"}\n\
                   \n\
                   {\"title\": \"School roof repa\n\
                   {\"title\": \"Library extends hours\", \"text\": \"Open until nine.\", \"lang\": \"EN\"}\n\
                   [1, 2]\n\
                   {\"id\": 9, \"note\": \"\"}\n";
        let out = run("/arch/day.jsonl", src, &ParseOptions::default());
        let got: Vec<(u64, &str)> = out
            .articles
            .iter()
            .map(|a| (a.record, a.title.as_str()))
            .collect();
        assert_eq!(
            got,
            [(0, "Tram fares frozen"), (3, "Library extends hours")]
        );
        assert_eq!(out.articles[1].format, "jsonl");
        assert_eq!(out.articles[1].language.as_deref(), Some("en"));
        let problems: Vec<(Option<u64>, &str)> = out
            .problems
            .iter()
            .map(|p| (p.record, p.reason.as_str()))
            .collect();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert_eq!(problems[0].0, Some(2));
        assert!(
            problems[0].1.starts_with("line 3: invalid JSON at column "),
            "{}",
            problems[0].1
        );
        assert!(
            problems[0].1.contains("EOF while parsing"),
            "{}",
            problems[0].1
        );
        assert_eq!(
            problems[1],
            (Some(4), "line 5: holds an array, not an object")
        );
        assert_eq!(
            problems[2],
            (
                Some(5),
                "line 6: no title or body (keys: id, note); use --map body=<key>"
            )
        );
    }

    #[test]
    fn json_file_that_is_really_json_lines() {
        let src = "{\"title\": \"One\", \"text\": \"First.\"}\n{\"title\": \"Two\", \"text\": \"Second.\"}\n";
        let out = run("/arch/dump.json", src, &ParseOptions::default());
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let got: Vec<(u64, &str)> = out
            .articles
            .iter()
            .map(|a| (a.record, a.body.as_str()))
            .collect();
        assert_eq!(got, [(0, "First."), (1, "Second.")]);
    }

    #[test]
    fn field_map_on_json_and_unmapped_rejection_hint() {
        let src = r#"[{"id": 1, "ts": 1540476180, "story_text": "Night buses return to the east side."}]"#;
        let out = run("/arch/m.json", src, &ParseOptions::default());
        assert!(out.articles.is_empty());
        assert_eq!(
            out.problems[0].reason,
            "no title or body (keys: id, ts, story_text); use --map body=story_text"
        );
        assert_eq!(out.problems[0].record, Some(0));

        let out = run("/arch/m.json", src, &mapped("body=story_text,published=ts"));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let a = &out.articles[0];
        assert_eq!(a.body, "Night buses return to the east side.");
        assert_eq!(a.title, "");
        assert_eq!(a.published.unwrap().to_rfc3339(), "2018-10-25T14:03:00Z");
        assert_eq!(a.date_source, Some(DateSource::Meta));
    }

    #[test]
    fn utf8_bom_and_legacy_bytes_decode() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes
            .extend_from_slice("{\"title\": \"Caf\u{e9} reopens\", \"text\": \"Yes.\"}".as_bytes());
        let mut out = FileOutcome::default();
        let o = ParseOptions::default();
        parse("/arch/bom.json", &bytes, &o, &mut out, &mut keep_all);
        assert_eq!(out.articles[0].title, "Caf\u{e9} reopens");
        let mut out = FileOutcome::default();
        parse(
            "/arch/latin.json",
            b"{\"title\": \"Caf\xe9 reopens\", \"text\": \"Yes.\"}",
            &o,
            &mut out,
            &mut keep_all,
        );
        assert_eq!(out.articles[0].title, "Caf\u{e9} reopens");
    }

    #[test]
    fn dispatched_by_format() {
        use crate::ingest::{Format, parse_bytes};
        let mut out = FileOutcome::default();
        let src = b"{\"title\": \"Quay works\", \"body\": \"Done by June.\"}\n";
        parse_bytes(
            "/a/x.ndjson",
            Format::JsonLines,
            src,
            &ParseOptions::default(),
            &mut out,
        );
        parse_bytes(
            "/a/x.json",
            Format::Json,
            src,
            &ParseOptions::default(),
            &mut out,
        );
        let got: Vec<(&str, &str)> = out
            .articles
            .iter()
            .map(|a| (a.format, a.body.as_str()))
            .collect();
        assert_eq!(got, [("jsonl", "Done by June."), ("json", "Done by June.")]);
    }

    #[test]
    fn deep_nesting_does_not_crash() {
        let src = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let out = run("/arch/deep.json", &src, &ParseOptions::default());
        assert!(out.articles.is_empty());
        assert!(
            out.problems[0].reason.contains("recursion limit"),
            "{:?}",
            out.problems
        );
    }
}
