//! How one reader's time grows with the size of a pathological input: a unit repeated to 64 KB,
//! 256 KB, 1 MB and 4 MB after an optional head, best of 3 runs each. Linear readers show a
//! ratio near 4 between neighbouring sizes; quadratic ones near 16.
//!
//!   cargo run --release --example reader_scaling -- xml '<rss><channel>' '<item>'
//!
//! Formats: text markdown html json jsonl csv tsv sgml xml warc smart. Escapes \n, \r, \t are
//! understood in HEAD and UNIT.

use std::time::{Duration, Instant};

use newsdex::ingest::{FileOutcome, Format, ParseOptions, parse_bytes};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [format, head, unit] = &args[..] else {
        eprintln!("usage: reader_scaling FORMAT HEAD UNIT");
        std::process::exit(2);
    };
    let unescape = |s: &str| {
        s.replace("\\n", "\n")
            .replace("\\r", "\r")
            .replace("\\t", "\t")
    };
    let (head, unit) = (unescape(head), unescape(unit));
    let format = newsdex::fuzz::FORMATS
        .into_iter()
        .find(|f| f.name() == format)
        .unwrap_or_else(|| panic!("no format {format}"));
    let mut last: Option<Duration> = None;
    for kb in [64usize, 256, 1024, 4096] {
        let data = format!("{head}{}", unit.repeat((kb << 10) / unit.len().max(1)));
        let t = best_of(3, format, data.as_bytes());
        let ratio = last.map_or(String::new(), |l| {
            format!("  x{:.1}", t.as_secs_f64() / l.as_secs_f64())
        });
        println!("{:>6} KB  {:>10.2} ms{ratio}", kb, t.as_secs_f64() * 1000.0);
        last = Some(t);
    }
}

fn best_of(runs: usize, format: Format, data: &[u8]) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            let mut out = FileOutcome::default();
            parse_bytes("/t/input", format, data, &ParseOptions::default(), &mut out);
            t.elapsed()
        })
        .min()
        .unwrap()
}
