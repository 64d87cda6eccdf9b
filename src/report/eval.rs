//! Ranking evaluation against human relevance judgments: query and qrels readers for the classic
//! collections (SMART, TREC), and the measures MAP, nDCG@10, P@10 and Recall@100.
//!
//! Conventions (documented in the README):
//! - SMART query files (`cran.qry`, `CISI.QRY`, `MED.QRY`) are numbered by position, 1..n, which
//!   is how every SMART qrels file counts them (Cranfield's `.I` values have gaps; its qrels do
//!   not). Other query files are `id<TAB>text` lines.
//! - Qrels lines: TREC `qid iter docno grade` as trec_eval reads it (the second column is
//!   ignored; a grade above 0 is relevant with that gain, 0 or below is not); Cranfield
//!   `qid docno grade` with grade 1 (most relevant) to 4 (minimal interest) relevant, with gain
//!   5 - grade for nDCG, and -1 (or 5) not relevant. A four-column file whose every line is
//!   `qid docno 0 0.000000` (CISI.REL, MED.REL.OLD: a real-number fourth column, zeros in the
//!   third) is the SMART layout, where every pair listed is relevant: told from the whole file.
//! - Only queries with at least one relevant document are evaluated.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::search::query::free_text;
use crate::search::{SearchEngine, SearchRequest};

/// An evaluation topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topic {
    pub id: String,
    pub text: String,
}

/// Relevance judgments: query id → document id → gain (> 0 means relevant).
pub type Qrels = HashMap<String, HashMap<String, u32>>;

/// Reads a query file (SMART or `id<TAB>text` lines).
pub fn read_topics(path: &Path) -> Result<Vec<Topic>> {
    let text = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = crate::ingest::decode::decode(&text, None).text;
    Ok(parse_topics(&text))
}

pub fn parse_topics(text: &str) -> Vec<Topic> {
    if text.trim_start().starts_with(".I") {
        let mut topics: Vec<Topic> = Vec::new();
        let mut in_text = false;
        for line in text.lines() {
            if line.starts_with(".I") {
                topics.push(Topic {
                    id: (topics.len() + 1).to_string(),
                    text: String::new(),
                });
                in_text = false;
            } else if line.len() == 2 && line.starts_with('.') {
                in_text = line == ".W";
            } else if in_text && let Some(t) = topics.last_mut() {
                t.text.push(' ');
                t.text.push_str(line.trim());
            }
        }
        topics
            .iter_mut()
            .for_each(|t| t.text = t.text.trim().to_string());
        return topics;
    }
    text.lines()
        .filter_map(|l| {
            let (id, q) = l.split_once('\t').or_else(|| l.trim().split_once(' '))?;
            let q = q.trim();
            (!q.is_empty()).then(|| Topic {
                id: id.trim().to_string(),
                text: q.to_string(),
            })
        })
        .collect()
}

/// Reads a qrels file in any of the formats described in the module documentation.
pub fn read_qrels(path: &Path) -> Result<Qrels> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse_qrels(&text).map_err(|e| Error::Usage(format!("{}: {e}", path.display())))
}

pub fn parse_qrels(text: &str) -> std::result::Result<Qrels, String> {
    let smart_layout = is_smart_qrels(text);
    let mut q: Qrels = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let t: Vec<&str> = line.split_whitespace().collect();
        let (qid, doc, gain) = match t.as_slice() {
            [] => continue,
            [qid, doc, grade] => {
                let g: i32 = grade
                    .parse()
                    .map_err(|_| format!("line {}: bad grade {grade:?}", n + 1))?;
                (
                    *qid,
                    *doc,
                    if (1..=4).contains(&g) {
                        (5 - g) as u32
                    } else {
                        0
                    },
                )
            }
            [qid, doc, _, _] if smart_layout => (*qid, *doc, 1),
            [qid, _iteration, doc, grade] => {
                let g: i64 = grade.parse().map_err(|_| {
                    format!(
                        "line {}: bad relevance grade {grade:?} (TREC qrels are `qid iter docno grade`, grade a whole number)",
                        n + 1
                    )
                })?;
                (*qid, *doc, g.clamp(0, u32::MAX as i64) as u32)
            }
            _ => return Err(format!("line {}: expected 3 or 4 columns", n + 1)),
        };
        q.entry(qid.to_string())
            .or_default()
            .insert(doc.to_string(), gain);
    }
    Ok(q)
}

/// True for SMART's four-column layout, `qid docno 0 0.000000` on every line: a third column of
/// zeros and a real-number fourth (a TREC grade is a whole number).
fn is_smart_qrels(text: &str) -> bool {
    let mut lines = text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|t| !t.is_empty())
        .peekable();
    lines.peek().is_some()
        && lines.all(|t| {
            t.len() == 4 && t[2] == "0" && t[3].contains('.') && t[3].parse::<f64>().is_ok()
        })
}

/// The measures for one query (or their mean).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Measures {
    pub map: f64,
    pub ndcg10: f64,
    pub p10: f64,
    pub recall100: f64,
}

/// Computes the measures for one ranked list of document ids.
pub fn measures(ranked: &[String], judged: &HashMap<String, u32>) -> Measures {
    let relevant = judged.values().filter(|&&g| g > 0).count();
    if relevant == 0 {
        return Measures::default();
    }
    let gain = |d: &String| judged.get(d).copied().unwrap_or(0);
    let mut hits = 0usize;
    let mut ap = 0.0;
    for (i, d) in ranked.iter().enumerate() {
        if gain(d) > 0 {
            hits += 1;
            ap += hits as f64 / (i + 1) as f64;
        }
    }
    let dcg = |gains: &mut dyn Iterator<Item = u32>| -> f64 {
        gains
            .take(10)
            .enumerate()
            .map(|(i, g)| f64::from(g) / ((i + 2) as f64).log2())
            .sum()
    };
    let mut ideal: Vec<u32> = judged.values().copied().filter(|&g| g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg = dcg(&mut ideal.into_iter());
    Measures {
        map: ap / relevant as f64,
        ndcg10: dcg(&mut ranked.iter().map(gain)) / idcg,
        p10: ranked.iter().take(10).filter(|d| gain(d) > 0).count() as f64 / 10.0,
        recall100: ranked.iter().take(100).filter(|d| gain(d) > 0).count() as f64 / relevant as f64,
    }
}

/// Options for an evaluation run.
#[derive(Clone, Debug)]
pub struct EvalOptions {
    /// Documents retrieved per query (1000, as trec_eval runs usually have).
    pub depth: usize,
    /// Rank every topic with any of its words (`search --any`) instead of the default mode.
    pub any: bool,
    /// Expand every topic with feedback terms (`search --expand`).
    pub expand: bool,
    /// Weight of the proximity bonus (0 = off).
    pub proximity_weight: f32,
    pub run_name: String,
}

/// Per-query and mean measures of one run.
#[derive(Clone, Debug, Serialize)]
pub struct EvalReport {
    pub run_name: String,
    pub queries: usize,
    pub mean: Measures,
    pub per_query: Vec<(String, Measures)>,
}

/// Runs every judged topic as a free-text query and scores the ranking. With `run`, also writes
/// the ranking as a TREC run file (`qid Q0 docno rank score run_name`).
pub fn evaluate(
    engine: &dyn SearchEngine,
    topics: &[Topic],
    qrels: &Qrels,
    opts: &EvalOptions,
    mut run: Option<&mut dyn Write>,
) -> Result<EvalReport> {
    let mut per_query = Vec::new();
    for t in topics {
        let Some(judged) = qrels.get(&t.id) else {
            continue;
        };
        if !judged.values().any(|&g| g > 0) {
            continue;
        }
        // A topic is free text: read without query syntax, then ranked exactly as `search`
        // ranks what a user types (stop words, repeated words, the default-mode policy).
        let mut req = SearchRequest::new(free_text(&t.text));
        req.any = opts.any;
        req.expand = opts.expand;
        req.proximity_weight = opts.proximity_weight;
        req.limit = opts.depth;
        req.snippets = false;
        let hits = engine.search(&req)?.hits;
        let mut ranked = Vec::with_capacity(hits.len());
        for hit in hits {
            let docno = hit.docno.unwrap_or(hit.id);
            if let Some(w) = run.as_deref_mut() {
                writeln!(
                    w,
                    "{} Q0 {} {} {:.6} {}",
                    t.id, docno, hit.rank, hit.score, opts.run_name
                )?;
            }
            ranked.push(docno);
        }
        per_query.push((t.id.clone(), measures(&ranked, judged)));
    }
    let n = per_query.len().max(1) as f64;
    let sum = per_query
        .iter()
        .fold(Measures::default(), |a, (_, m)| Measures {
            map: a.map + m.map,
            ndcg10: a.ndcg10 + m.ndcg10,
            p10: a.p10 + m.p10,
            recall100: a.recall100 + m.recall100,
        });
    Ok(EvalReport {
        run_name: opts.run_name.clone(),
        queries: per_query.len(),
        mean: Measures {
            map: sum.map / n,
            ndcg10: sum.ndcg10 / n,
            p10: sum.p10 / n,
            recall100: sum.recall100 / n,
        },
        per_query,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smart_topics_are_numbered_by_position() {
        let t = parse_topics(
            ".I 001\n.W\nwhat similarity laws\nmust be obeyed .\n.I 004\n.W\nheat conduction .\n",
        );
        assert_eq!(t.len(), 2);
        assert_eq!(t[1].id, "2");
        assert_eq!(t[0].text, "what similarity laws must be obeyed .");
        let t = parse_topics("q1\tmigrant caravan\nq2\tsafe third country\n");
        assert_eq!(
            t[1],
            Topic {
                id: "q2".into(),
                text: "safe third country".into()
            }
        );
    }

    #[test]
    fn qrels_formats() {
        let cran = parse_qrels("1 184 2\n1 29 -1\n1 31 4\n").unwrap();
        assert_eq!(cran["1"]["184"], 3);
        assert_eq!(cran["1"]["29"], 0);
        assert_eq!(cran["1"]["31"], 1);
        let cisi = parse_qrels("     1     28\t0\t0.000000\n").unwrap();
        assert_eq!(cisi["1"]["28"], 1);
        let med = parse_qrels("1 0 13 1\n2 0 5 0\n").unwrap();
        assert_eq!(med["1"]["13"], 1);
        assert_eq!(med["2"]["5"], 0);
        // trec_eval: the second column is an iteration, ignored; the fourth the grade.
        let trec =
            parse_qrels("301 1 FBIS3-10082 2\n301 1 FBIS3-10169 0\n301 7 LA0101 -1\n").unwrap();
        assert_eq!(trec["301"]["FBIS3-10082"], 2);
        assert_eq!(trec["301"]["FBIS3-10169"], 0);
        assert_eq!(trec["301"]["LA0101"], 0);
        assert!(parse_qrels("1 0 d1 0.5\n1 0 d2 1\n").is_err());
        let old = parse_qrels("1   13     0   0.000000\n2   5     0   0.000000\n").unwrap();
        assert_eq!(old["1"]["13"], 1);
        assert_eq!(old["2"]["5"], 1);
        assert!(parse_qrels("1 2 3 4 5\n").is_err());
    }

    #[test]
    fn measures_by_hand() {
        let judged: HashMap<String, u32> = [("a", 1), ("b", 1), ("c", 0)]
            .iter()
            .map(|(d, g)| (d.to_string(), *g))
            .collect();
        let ranked: Vec<String> = ["a", "c", "b", "x"].iter().map(|s| s.to_string()).collect();
        let m = measures(&ranked, &judged);
        // AP = (1/1 + 2/3) / 2
        assert!((m.map - (1.0 + 2.0 / 3.0) / 2.0).abs() < 1e-9);
        assert!((m.p10 - 0.2).abs() < 1e-9);
        assert!((m.recall100 - 1.0).abs() < 1e-9);
        // DCG = 1/log2(2) + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3)
        let idcg = 1.0 + 1.0 / 3f64.log2();
        assert!((m.ndcg10 - 1.5 / idcg).abs() < 1e-9);
        assert_eq!(measures(&ranked, &HashMap::new()), Measures::default());
    }
}
