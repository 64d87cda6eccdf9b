//! Times the archive walk alone (what an unchanged re-index mostly is):
//!
//!   cargo run --release --example bench_walk -- DIR [ROUNDS]
//!
//! Prints files found and seconds per round, then the median.
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().expect("usage: bench_walk DIR [ROUNDS]"));
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let mut times = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let found = newsdex::ingest::discover(std::slice::from_ref(&dir), None);
        let s = t.elapsed().as_secs_f64();
        println!("files {} seconds {s:.3}", found.files.len());
        times.push(s);
    }
    times.sort_by(f64::total_cmp);
    println!("median {:.3} s", times[times.len() / 2]);
}
