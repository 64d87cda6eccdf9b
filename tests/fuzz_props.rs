//! The fuzz harnesses of `src/fuzz.rs`, run by `cargo test`: every crash the long cargo-fuzz runs
//! ever found (tests/fuzz_regressions/<target>/) is replayed, and proptest throws random and
//! mutated inputs at every reader and at the query front end. `scripts/fuzz.sh` runs the same
//! harnesses for hours under libFuzzer.

use std::path::Path;

use newsdex::fuzz;
use newsdex::ingest::{Compression, Format};
use proptest::prelude::*;

/// Runs one fuzz target's harness on `data`, as `fuzz/fuzz_targets/<target>.rs` does.
fn run_target(target: &str, data: &[u8]) {
    if let Some(name) = target.strip_prefix("ingest_") {
        let format = fuzz::FORMATS
            .into_iter()
            .find(|f| f.name() == name)
            .unwrap_or_else(|| panic!("no format {name}"));
        fuzz::ingest(format, data);
    } else if target == "compressed" {
        if let Some((&sel, rest)) = data.split_first() {
            let c = [Compression::Gzip, Compression::Bzip2, Compression::Zstd][sel as usize % 3];
            fuzz::compressed(c, Format::JsonLines, rest);
        }
    } else if target == "query" {
        if let Ok(q) = std::str::from_utf8(data) {
            fuzz::query(q, data.len() % 2 == 1);
        }
    } else {
        panic!("unknown fuzz target {target}");
    }
}

#[test]
fn every_saved_fuzz_crash_stays_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut replayed = 0;
    let mut failing = Vec::new();
    for target in std::fs::read_dir(&root).unwrap() {
        let target = target.unwrap().path();
        let name = target.file_name().unwrap().to_str().unwrap().to_owned();
        for case in std::fs::read_dir(&target).unwrap() {
            let case = case.unwrap().path();
            let data = std::fs::read(&case).unwrap();
            let result = std::panic::catch_unwind(|| run_target(&name, &data));
            if result.is_err() {
                failing.push(case.display().to_string());
            }
            replayed += 1;
        }
    }
    assert!(
        failing.is_empty(),
        "these inputs fail again:\n{}",
        failing.join("\n")
    );
    assert!(
        replayed > 0,
        "no regression cases found under {}",
        root.display()
    );
}

/// Every sample_corpus file of a format, as seeds for mutation.
fn samples(exts: &[&str]) -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_corpus");
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| exts.contains(&e))
            {
                out.push(std::fs::read(&p).unwrap());
            }
        }
    }
    out.sort();
    out
}

/// The sample JSON Lines files compressed with `c`, as seeds for its decoder.
fn compressed_seeds(c: Compression) -> Vec<Vec<u8>> {
    use std::io::Write;
    let seeds: Vec<Vec<u8>> = samples(&["jsonl"])
        .into_iter()
        .map(|plain| match c {
            Compression::Bzip2 => {
                let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
                e.write_all(&plain).unwrap();
                e.finish().unwrap()
            }
            Compression::Zstd => zstd::encode_all(&plain[..], 1).unwrap(),
            Compression::Gzip => {
                let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                e.write_all(&plain).unwrap();
                e.finish().unwrap()
            }
        })
        .collect();
    assert!(!seeds.is_empty());
    // Each seed decodes whole before it is mutated.
    for s in &seeds {
        assert!(newsdex::ingest::decompress(c, s, 1 << 30).is_ok());
    }
    seeds
}

/// A sample file with a few bytes overwritten, a stretch cut out and a markup fragment spliced in.
fn mutated(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let fragments: Vec<&'static [u8]> = vec![
        b"<",
        b">",
        b"</",
        b"<![CDATA[",
        b"&#",
        b"&amp",
        b"\"",
        b"{",
        b"}",
        b"[",
        b"]",
        b",",
        b"\n\n",
        b"\r\n",
        b"\0",
        b"\xff\xfe",
        b"\xc3",
        b"Date: ",
        b"---\n",
        b"<p>",
        b"</div>",
        b".I 7\n",
        b"WARC/1.0\r\n",
        b"Content-Length: 99999999\r\n",
        b"<REUTERS",
        b"</TEXT>",
    ];
    (
        proptest::sample::select(seeds),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        any::<prop::sample::Index>(),
        0usize..200,
        any::<prop::sample::Index>(),
        proptest::sample::select(fragments),
    )
        .prop_map(|(mut data, flips, cut_at, cut_len, splice_at, fragment)| {
            if data.is_empty() {
                return data;
            }
            for (i, b) in flips {
                let i = i.index(data.len());
                data[i] = b;
            }
            let at = cut_at.index(data.len());
            let end = (at + cut_len).min(data.len());
            data.drain(at..end);
            let at = splice_at.index(data.len() + 1);
            data.splice(at..at, fragment.iter().copied());
            data
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_break_a_reader(data in prop::collection::vec(any::<u8>(), 0..2048)) {
        for format in fuzz::FORMATS {
            fuzz::ingest(format, &data);
        }
    }

    #[test]
    fn mutated_text_and_markdown(data in mutated(samples(&["txt", "md"]))) {
        fuzz::ingest(Format::Text, &data);
        fuzz::ingest(Format::Markdown, &data);
    }

    #[test]
    fn mutated_html(data in mutated(samples(&["html", "htm"]))) {
        fuzz::ingest(Format::Html, &data);
    }

    #[test]
    fn mutated_json_csv_and_tsv(data in mutated(samples(&["json", "jsonl", "csv", "tsv"]))) {
        for format in [Format::Json, Format::JsonLines, Format::Csv, Format::Tsv] {
            fuzz::ingest(format, &data);
        }
    }

    #[test]
    fn mutated_feeds_and_nitf(data in mutated(samples(&["xml", "rss"]))) {
        fuzz::ingest(Format::Xml, &data);
    }

    // Each decompressor gets mutated streams of its own format (gzip seeds would fail a bzip2
    // or zstd header check at once and never reach their decoders).
    #[test]
    fn mutated_gzip_files(data in mutated(samples(&["gz"]))) {
        fuzz::compressed(Compression::Gzip, Format::JsonLines, &data);
        fuzz::compressed(Compression::Gzip, Format::Warc, &data);
    }

    #[test]
    fn mutated_bzip2_files(data in mutated(compressed_seeds(Compression::Bzip2))) {
        fuzz::compressed(Compression::Bzip2, Format::JsonLines, &data);
    }

    #[test]
    fn mutated_zstd_files(data in mutated(compressed_seeds(Compression::Zstd))) {
        fuzz::compressed(Compression::Zstd, Format::JsonLines, &data);
    }

    #[test]
    fn any_query_gets_an_answer_or_an_error(q in "\\PC{0,80}", any in any::<bool>()) {
        fuzz::query(&q, any);
    }

    #[test]
    fn query_syntax_soup(q in proptest::collection::vec(proptest::sample::select(vec![
        "caravan", "migrant*", "\"", "(", ")", "AND", "OR", "NOT", "-", "+", "title:", "published:",
        "[2018-10-01 TO 2018-11-30]", "{", "}", "~2", "^3", "=", "*", ":", "source:\"coast", "\\",
        " ", "immigr~1", "IN [a b]", ">2018", "author:",
    ]), 0..16).prop_map(|v| v.concat()), any in any::<bool>()) {
        fuzz::query(&q, any);
    }
}
