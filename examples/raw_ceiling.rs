//! The indexing ceiling for the benchmark: the same schema, analyzers, thread count and memory
//! budget as `newsdex index`, but with every document already parsed and in memory, so only
//! tantivy's own work is timed.
//!
//! Usage: cargo run --release --example raw_ceiling -- DIR [THREADS] [MEMORY_MB] [--one-field]
//! [--without FIELD,FIELD...]
//!
//! With `--one-field`, the loop the speed goal is stated against: each article's title and body
//! in one stemmed (`en_stem`), positional, stored text field, and nothing else. With `--without`,
//! newsdex's documents with the values of the named fields left out (what a field costs).

use std::path::PathBuf;
use std::time::Instant;

use newsdex::index::schema;
use newsdex::index::to_document;
use newsdex::ingest::{self, ParseOptions};
use rayon::prelude::*;
use tantivy::schema::OwnedValue;
use tantivy::{Index, IndexWriter, TantivyDocument};

fn main() -> anyhow::Result<()> {
    let mut args: Vec<String> = std::env::args().collect();
    let one_field = args.iter().any(|a| a == "--one-field");
    args.retain(|a| a != "--one-field");
    let without: Vec<String> = match args.iter().position(|a| a == "--without") {
        Some(i) => {
            anyhow::ensure!(
                i + 1 < args.len() && !one_field,
                "--without takes FIELD,FIELD... (newsdex's field names) and does not go with \
                 --one-field"
            );
            let names = args.remove(i + 1);
            args.remove(i);
            names.split(',').map(str::to_string).collect()
        }
        None => Vec::new(),
    };
    let dir = PathBuf::from(
        args.get(1)
            .expect("usage: raw_ceiling DIR [THREADS] [MEMORY_MB] [--one-field] [--without F,G]"),
    );
    let threads: usize = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(std::thread::available_parallelism().map_or(2, |n| n.get()));
    let memory_mb: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(256);

    let t0 = Instant::now();
    let found = ingest::discover(&[dir], None);
    let walk_secs = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let bytes: u64 = found.files.iter().map(|f| f.size).sum();
    let opts = ParseOptions::default();
    let (schema, fields) = if one_field {
        use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
        let mut b = Schema::builder();
        let indexing = TextFieldIndexing::default()
            .set_tokenizer("en_stem")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        b.add_text_field(
            "text",
            TextOptions::default()
                .set_indexing_options(indexing)
                .set_stored(),
        );
        (b.build(), None)
    } else {
        let (schema, fields) = schema::build_schema();
        (schema, Some(fields))
    };
    let text = schema.get_field("text")?;
    let without = without
        .iter()
        .map(|name| schema.get_field(name))
        .collect::<Result<Vec<_>, _>>()?;
    let docs: Vec<TantivyDocument> = found
        .files
        .par_iter()
        .flat_map_iter(|f| ingest::read_file(f, &opts).articles)
        .map(|a| match &fields {
            Some(fields) if without.is_empty() => {
                to_document(fields, &a, schema::DEFAULT_TITLE_WEIGHT)
            }
            Some(fields) => {
                let all = to_document(fields, &a, schema::DEFAULT_TITLE_WEIGHT);
                let mut kept = TantivyDocument::default();
                for (field, value) in all.field_values() {
                    if !without.contains(&field) {
                        kept.add_field_value(field, &OwnedValue::from(value));
                    }
                }
                kept
            }
            None => {
                let mut d = TantivyDocument::default();
                d.add_text(text, format!("{}\n{}", a.title, a.body));
                d
            }
        })
        .collect();
    let n = docs.len();
    let parse_secs = t1.elapsed().as_secs_f64();
    eprintln!(
        "walk {walk_secs:.2}s; read+parse+to_document {parse_secs:.2}s on {} threads",
        rayon::current_num_threads()
    );

    let tmp = tempfile::tempdir()?;
    let index = Index::create_in_dir(tmp.path(), schema)?;
    if fields.is_some() {
        schema::register_tokenizers(&index);
    }
    // Same writer set-up as newsdex index: at most one thread per 20 MB of budget.
    let writer_threads = threads.min((memory_mb / 20).max(1));
    let started = Instant::now();
    let mut writer: IndexWriter = index.writer_with_num_threads(writer_threads, memory_mb << 20)?;
    for d in docs {
        writer.add_document(d)?;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "raw tantivy{}{}: {n} documents in {secs:.2}s = {:.0} docs/s, {:.1} MB/s of source",
        if one_field { " (one field)" } else { "" },
        if without.is_empty() {
            String::new()
        } else {
            format!(" (without {} fields)", without.len())
        },
        n as f64 / secs,
        bytes as f64 / 1e6 / secs
    );
    Ok(())
}
