//! Query latency benchmark, in-process: p50/p95/p99 over a query set of single terms, phrases,
//! booleans, date-filtered and date-sorted queries, each giving the top 10 with the exact hit count.
//!
//! Usage: cargo run --release --example bench_search -- INDEX_DIR [ROUNDS]
//! (then `scripts/bench_search.sh INDEX_DIR` times whole `newsdex search` processes.)

use std::path::PathBuf;
use std::time::Instant;

use newsdex::search::query::parse_day_bound;
use newsdex::search::{LocalEngine, SearchEngine, SearchRequest, SortOrder, TallyBy};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let dir = PathBuf::from(args.get(1).expect("usage: bench_search INDEX_DIR [ROUNDS]"));
    let rounds: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(50);
    let engine = LocalEngine::open(&dir)?;
    let since = parse_day_bound("1987-03", false)?;
    let until = parse_day_bound("1987-04", true)?;
    let mut queries: Vec<(&str, SearchRequest)> = Vec::new();
    for q in ["cocoa", "dollar", "oil", "Volcker", "tsunami", "market"] {
        queries.push(("term", SearchRequest::new(q)));
    }
    for q in [
        "\"money supply\"",
        "\"oil prices\"",
        "\"debt moratorium\"",
        "\"interest rates\"",
    ] {
        queries.push(("phrase", SearchRequest::new(q)));
    }
    for q in [
        "OPEC oil output",
        "Texaco Pennzoil",
        "Brazil debt moratorium",
        "Baker dollar -yen",
        "(gold OR silver) prices",
    ] {
        queries.push(("boolean", SearchRequest::new(q)));
    }
    for q in ["oil", "dollar", "bank"] {
        let mut r = SearchRequest::new(q);
        r.filters.since = Some(since);
        r.filters.until = Some(until);
        queries.push(("date-filtered", r));
    }
    for q in ["oil", "shares", "*"] {
        let mut r = SearchRequest::new(q);
        r.sort = SortOrder::Newest;
        queries.push(("date-sorted", r));
    }
    for snippets in [false, true] {
        let mut all: Vec<f64> = Vec::new();
        let mut by_kind: std::collections::BTreeMap<&str, Vec<f64>> = Default::default();
        for (kind, req) in &mut queries {
            req.snippets = snippets;
            engine.search(req)?; // warm
            for _ in 0..rounds {
                let t = Instant::now();
                let r = engine.search(req)?;
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                std::hint::black_box(r.total_hits);
                all.push(ms);
                by_kind.entry(kind).or_default().push(ms);
            }
        }
        let label = if snippets {
            "top 10 + stored fields + snippets"
        } else {
            "top 10 + stored fields, no snippets"
        };
        println!(
            "{label}: {} searches  p50 {:.3} ms  p95 {:.3} ms  p99 {:.3} ms",
            all.len(),
            pct(&mut all, 50.0),
            pct(&mut all, 95.0),
            pct(&mut all, 99.0)
        );
        for (kind, v) in by_kind.iter_mut() {
            println!(
                "  {kind:<14} p50 {:.3} ms  p95 {:.3} ms",
                pct(v, 50.0),
                pct(v, 95.0)
            );
        }
    }
    // What one story per cluster adds: the same queries with and without `collapse`, and a
    // count by month of articles against one of stories (`count --unique`).
    let mut plain_ms = Vec::new();
    let mut collapsed_ms = Vec::new();
    for (_, req) in &mut queries {
        req.snippets = true;
        for (collapse, out) in [(false, &mut plain_ms), (true, &mut collapsed_ms)] {
            req.collapse = collapse;
            engine.search(req)?;
            for _ in 0..rounds {
                let t = Instant::now();
                std::hint::black_box(engine.search(req)?.total_hits);
                out.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
        req.collapse = false;
    }
    let (p, c) = (pct(&mut plain_ms, 50.0), pct(&mut collapsed_ms, 50.0));
    println!(
        "search --collapse: p50 {c:.3} ms against {p:.3} ms (+{:.3} ms)",
        c - p
    );
    let mut plain_ms = Vec::new();
    let mut unique_ms = Vec::new();
    for q in ["oil", "dollar", "\"money supply\"", "shares", "bank"] {
        let mut req = SearchRequest::new(q);
        for (unique, out) in [(false, &mut plain_ms), (true, &mut unique_ms)] {
            req.collapse = unique;
            engine.tally(Some(&req), TallyBy::Day)?;
            for _ in 0..rounds {
                let t = Instant::now();
                std::hint::black_box(engine.tally(Some(&req), TallyBy::Day)?.0);
                out.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
    }
    let (p, u) = (pct(&mut plain_ms, 50.0), pct(&mut unique_ms, 50.0));
    println!(
        "count --unique (by day): p50 {u:.3} ms against {p:.3} ms (+{:.3} ms)",
        u - p
    );
    Ok(())
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((p / 100.0) * (v.len() - 1) as f64).round() as usize;
    v[i]
}
