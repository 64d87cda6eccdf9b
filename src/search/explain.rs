//! `--explain` in words: each term's share of a hit's score (field, frequency, idf, weight) and
//! the total, read from tantivy's explanation tree.
//!
//! The tree is tantivy's (BM25 as Lucene explains it); it is walked here so that a reader sees
//! "caravan in text: 3 times, idf 4.12, weight 2 → 7.84" rather than nested JSON.

use std::fmt::Write as _;

use serde_json::Value;
use tantivy::schema::Schema;

use crate::index::analysis::{tag_of, word_of};

/// One scored part of a hit: a term, a phrase, or a clause scored as a whole.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// What matched: the term's word, or a description.
    pub what: String,
    /// The field it matched in.
    pub field: Option<String>,
    /// Occurrences in the field (phrases: of the phrase).
    pub tf: Option<f32>,
    /// Length of the field in this article, in words, and the average.
    pub length: Option<(f32, f32)>,
    /// Inverse document frequency (phrases: summed over their words).
    pub idf: Option<f32>,
    /// Articles with the term, and all articles.
    pub docs: Option<(f32, f32)>,
    /// The product of the boosts above it (repeated words, expansion weights).
    pub weight: f32,
    /// Its share of the score.
    pub score: f32,
}

/// The parts of a hit's score, from tantivy's explanation (its JSON form).
pub fn parts(explanation_json: &str, schema: &Schema) -> Vec<Part> {
    let Ok(tree) = serde_json::from_str::<Value>(explanation_json) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    walk(&tree, 1.0, schema, &mut out);
    out
}

/// A hit's score in words: one line per part, then the total.
pub fn in_words(explanation_json: &str, schema: &Schema, total: f32) -> String {
    let mut out = String::new();
    for p in parts(explanation_json, schema) {
        let _ = write!(out, "{:>8.4}  {}", p.score, p.what);
        if let Some(f) = &p.field {
            let _ = write!(out, " in {f}");
        }
        let mut facts: Vec<String> = Vec::new();
        if let Some(tf) = p.tf {
            let times = if tf == 1.0 { "time" } else { "times" };
            facts.push(format!("{} {times}", trim(tf)));
        }
        if let Some((dl, avg)) = p.length {
            facts.push(format!("field length {} (average {avg:.0})", trim(dl)));
        }
        if let Some(idf) = p.idf {
            match p.docs {
                Some((n, total)) => facts.push(format!(
                    "idf {idf:.2} (in {} of {} articles)",
                    trim(n),
                    trim(total)
                )),
                None => facts.push(format!("idf {idf:.2}")),
            }
        }
        if (p.weight - 1.0).abs() > 1e-4 {
            facts.push(format!("weight {}", trim(p.weight)));
        }
        if !facts.is_empty() {
            let _ = write!(out, ": {}", facts.join(", "));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{total:>8.4}  total");
    out
}

fn trim(x: f32) -> String {
    if x.fract() == 0.0 && x.abs() < 1e9 {
        format!("{}", x as i64)
    } else {
        format!("{x:.3}")
    }
}

fn description(node: &Value) -> &str {
    node.get("description")
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn value(node: &Value) -> f32 {
    node.get("value").and_then(Value::as_f64).unwrap_or(0.0) as f32
}

fn details(node: &Value) -> &[Value] {
    node.get("details")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The value of the detail whose description starts with `prefix`, searched depth-first.
fn find(node: &Value, prefix: &str) -> Option<f32> {
    for d in details(node) {
        if description(d).starts_with(prefix) {
            return Some(value(d));
        }
        if let Some(v) = find(d, prefix) {
            return Some(v);
        }
    }
    None
}

fn walk(node: &Value, weight: f32, schema: &Schema, out: &mut Vec<Part>) {
    let desc = description(node);
    if let Some(b) = desc
        .strip_prefix("Boost x")
        .and_then(|r| r.strip_suffix(" of ..."))
        .and_then(|b| b.parse::<f32>().ok())
    {
        for d in details(node) {
            walk(d, weight * b, schema, out);
        }
        return;
    }
    if desc.starts_with("TermQuery") {
        let (field, word) = node
            .get("context")
            .and_then(Value::as_array)
            .and_then(|c| c.iter().filter_map(Value::as_str).find_map(term_of))
            .map_or((None, "a term".to_string()), |(id, w)| {
                (field_name(schema, id), w)
            });
        out.push(Part {
            what: in_language(field.as_deref(), word),
            field,
            tf: find(node, "freq, "),
            length: find(node, "dl, ").zip(find(node, "avgdl, ")),
            idf: find(node, "idf"),
            docs: find(node, "n,").zip(find(node, "N,")),
            weight,
            score: value(node),
        });
        return;
    }
    if desc.starts_with("Phrase Scorer") {
        out.push(Part {
            what: "phrase".to_string(),
            field: None,
            tf: find(node, "freq, "),
            length: find(node, "dl, ").zip(find(node, "avgdl, ")),
            idf: find(node, "idf"),
            docs: None,
            weight,
            score: value(node),
        });
        return;
    }
    let ds = details(node);
    if ds.is_empty() {
        // A clause scored as a whole (a prefix or fuzzy word without scoring, a filter).
        if value(node) != 0.0 {
            out.push(Part {
                what: desc.to_string(),
                field: None,
                tf: None,
                length: None,
                idf: None,
                docs: None,
                weight,
                score: value(node),
            });
        }
        return;
    }
    for d in ds {
        walk(d, weight, schema, out);
    }
}

/// `Term=Term(field=3, type=Str, "caravan")` → (3, "caravan").
fn term_of(context: &str) -> Option<(u32, String)> {
    let rest = context.strip_prefix("Term=Term(field=")?;
    let (id, rest) = rest.split_once(',')?;
    let id: u32 = id.trim().parse().ok()?;
    let start = rest.find('"')?;
    let end = rest.rfind('"')?;
    let word = if end > start {
        rest[start + 1..end].to_string()
    } else {
        rest.trim_end_matches(')').trim().to_string()
    };
    Some((id, word))
}

/// A title/body term with its language: `fluchtling (de)` for the indexed `de:fluchtling`;
/// English terms (untagged) and other fields' terms as they are.
fn in_language(field: Option<&str>, term: String) -> String {
    match (field, tag_of(&term)) {
        (Some("headline+body" | "title" | "body"), Some(tag)) => {
            format!("{} ({tag})", word_of(&term))
        }
        _ => term,
    }
}

fn field_name(schema: &Schema, id: u32) -> Option<String> {
    let (_, entry) = schema.fields().find(|(f, _)| f.field_id() == id)?;
    Some(match entry.name() {
        "text" => "headline+body".to_string(),
        other => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_of_contexts() {
        assert_eq!(
            term_of(r#"Term=Term(field=3, type=Str, "caravan")"#),
            Some((3, "caravan".to_string()))
        );
        assert_eq!(term_of("nothing"), None);
        assert_eq!(
            in_language(Some("headline+body"), "de:fluchtling".into()),
            "fluchtling (de)"
        );
        assert_eq!(in_language(Some("title"), "caravan".into()), "caravan");
        assert_eq!(in_language(Some("url"), "a:b".into()), "a:b");
    }
}
