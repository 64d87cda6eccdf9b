//! Experiment for one positional copy instead of two: can a stemmed word's BM25 scores be
//! computed at query time from the `exact` field alone (the forms the index holds), instead of
//! from the stems the `text` field indexes?
//!
//! For each word: its stem, the `exact` terms with that stem (from a stem -> forms map built by
//! stemming the `exact` dictionary once), the union of their postings scored as one term (term
//! frequency = the forms' summed frequencies, document frequency = documents holding any form),
//! compared document by document with tantivy's own scores of `text:stem`. The two fields hold
//! the same tokens only when the headline counts once in `text`, so index with
//! `--title-weight 1`.
//!
//! Usage: cargo run --release --example query_time_stems -- INDEX WORD...

use std::collections::HashMap;
use std::time::Instant;

use newsdex::index::schema;
use newsdex::index::stem_cache::StemMemory;
use tantivy::postings::Postings;
use tantivy::query::{Bm25StatisticsProvider, Bm25Weight, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::schema::document::Document as _;
use tantivy::tokenizer::Language;
use tantivy::{DocAddress, DocSet, Index, TERMINATED, Term};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).expect("usage: query_time_stems INDEX WORD...");
    let index = Index::open_in_dir(dir)?;
    schema::register_tokenizers(&index);
    let s = index.schema();
    let (text, exact) = (s.get_field("text")?, s.get_field("exact")?);
    let searcher = index.reader()?.searcher();
    let mut stems = StemMemory::new(Language::English);

    // The stem -> forms map of the whole dictionary, and what building it costs.
    let started = Instant::now();
    let mut forms: HashMap<String, Vec<Vec<u8>>> = HashMap::new();
    let mut terms = 0;
    for segment in searcher.segment_readers() {
        let dict = segment.inverted_index(exact)?;
        let mut stream = dict.terms().stream()?;
        while stream.advance() {
            terms += 1;
            let Ok(word) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            let stem = stems.with_stem(word, str::to_string);
            let list = forms.entry(stem).or_default();
            if !list.iter().any(|f| f == stream.key()) {
                list.push(stream.key().to_vec());
            }
        }
    }
    println!(
        "stem -> forms map: {terms} dictionary entries, {} stems, built in {:.1} ms",
        forms.len(),
        started.elapsed().as_secs_f64() * 1e3
    );

    let n = searcher.total_num_docs()?;
    let avg_exact = searcher.total_num_tokens(exact)? as f32 / n as f32;
    let avg_text = searcher.total_num_tokens(text)? as f32 / n as f32;
    println!("average length: exact {avg_exact:.3}, text {avg_text:.3} tokens");
    for word in &args[2..] {
        let word = word.to_lowercase();
        let stem = stems.with_stem(&word, str::to_string);
        let Some(list) = forms.get(&stem) else {
            println!("{word}: no form of stem {stem:?} in the index");
            continue;
        };

        // Reference: tantivy's scores of text:stem.
        let term = Term::from_field_text(text, &stem);
        let query = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
        let weight = query.weight(tantivy::query::EnableScoring::enabled_from_searcher(
            &searcher,
        ))?;
        let mut want: HashMap<DocAddress, f32> = HashMap::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let mut scorer = weight.scorer(segment, 1.0)?;
            while scorer.doc() != TERMINATED {
                want.insert(DocAddress::new(ord as u32, scorer.doc()), scorer.score());
                scorer.advance();
            }
        }

        // The forms' postings, united per segment.
        let started = Instant::now();
        let mut per_doc: HashMap<DocAddress, (u32, u8)> = HashMap::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let inverted = segment.inverted_index(exact)?;
            let norms = segment.get_fieldnorms_reader(exact)?;
            for form in list {
                let t = Term::from_field_bytes(exact, form);
                let Some(mut postings) =
                    inverted.read_postings(&t, IndexRecordOption::WithFreqs)?
                else {
                    continue;
                };
                while postings.doc() != TERMINATED {
                    let doc = postings.doc();
                    let e = per_doc
                        .entry(DocAddress::new(ord as u32, doc))
                        .or_insert((0, norms.fieldnorm_id(doc)));
                    e.0 += postings.term_freq();
                    postings.advance();
                }
            }
        }
        let bm25 = Bm25Weight::for_one_term(per_doc.len() as u64, n, avg_exact);
        let union_ms = started.elapsed().as_secs_f64() * 1e3;
        let mut max_diff = 0f32;
        let mut missing = 0;
        for (addr, (tf, norm)) in &per_doc {
            match want.get(addr) {
                Some(w) => max_diff = max_diff.max((bm25.score(*norm, *tf) - w).abs()),
                None => {
                    missing += 1;
                    let doc: tantivy::TantivyDocument = searcher.doc(*addr)?;
                    println!("  only in exact: {}", doc.to_json(&s));
                }
            }
        }
        println!(
            "{word} -> {stem}: forms {:?}; text:{stem} {} docs, union of forms {} docs \
             ({missing} not in text), max score difference {max_diff:.2e}, union in {union_ms:.2} ms; \
             df {} vs {}",
            list.iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect::<Vec<_>>(),
            want.len(),
            per_doc.len(),
            searcher.doc_freq(&term)?,
            per_doc.len()
        );
    }
    Ok(())
}
