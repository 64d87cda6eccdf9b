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

/// Cases per property: 256, or `NEWSDEX_FUZZ_CASES` for long runs (e.g. 10000).
fn cases() -> u32 {
    std::env::var("NEWSDEX_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// Small files of the formats sample_corpus has none of (newswire SGML, SMART), and the sample
/// crawl unpacked, as seeds for mutation.
fn record_seeds() -> Vec<Vec<u8>> {
    let reuters = b"<!DOCTYPE lewis SYSTEM \"lewis.dtd\">\n\
<REUTERS TOPICS=\"YES\" NEWID=\"1\">\n<DATE>26-FEB-1987 15:01:01.79</DATE>\n\
<TOPICS><D>cocoa</D></TOPICS><PLACES><D>el-salvador</D></PLACES>\n<TEXT>&#2;\n\
<TITLE>BAHIA COCOA REVIEW</TITLE>\n<DATELINE>    SALVADOR, Feb 26 - </DATELINE><BODY>Showers \
continued &lt;Comissaria Smith&gt; said.\n Reuter\n&#3;</BODY></TEXT>\n</REUTERS>\n\
<REUTERS TOPICS=\"NO\" NEWID=\"2\" TYPE=\"BRIEF\"><DATE>2-MAR-1987</DATE>\
<TEXT TYPE=\"BRIEF\"><TITLE>SHORT ONE</TITLE></TEXT></REUTERS>\n";
    let trec = b"<DOC>\n<DOCNO> LA010189-0001 </DOCNO>\n<DATE><P>January 1, 1989</P></DATE>\n\
<HEADLINE><P>HARBOUR WORKS BEGIN</P></HEADLINE>\n<BYLINE><P>By Ana Ruiz, Times Staff Writer</P>\
</BYLINE>\n<TEXT><P>The dredgers arrived.</P><P>Work starts Monday.</P></TEXT>\n</DOC>\n\
<DOC><DOCNO>LA010189-0002</DOCNO><TEXT>Second story.</TEXT></DOC>\n";
    let smart = b".I 1\n.T\nexperimental investigation of the aerodynamics of a\nwing in a \
slipstream .\n.A\nbrenckman,m.\n.B\nj. ae. scs. 25, 1958, 324.\n.W\nan experimental study \
of a wing in a propeller slipstream.\n.I 2\n.T\nsimple shear flow past a flat plate\n.W\nthe \
boundary layer\n.X\n1 5 2\n";
    let mut seeds = vec![reuters.to_vec(), trec.to_vec(), smart.to_vec()];
    for gz in samples(&["gz"]) {
        let mut plain = Vec::new();
        let _ = std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut plain);
        if plain.starts_with(b"WARC/") {
            // The first records are enough (mutations cost time in proportion to the size).
            plain.truncate(64 << 10);
            seeds.push(plain);
        }
    }
    assert_eq!(seeds.len(), 4, "the sample crawl is missing");
    seeds
}

/// Pieces of every multi-record format (markup, separators, quotes, record markers), to be
/// strung together at random: inputs with many records and odd nesting that random bytes and
/// small mutations rarely reach.
const TOKENS: &[&str] = &[
    "<REUTERS NEWID=\"1\">",
    "</REUTERS>",
    "<DOC>",
    "</DOC>",
    "<TITLE>",
    "</TITLE>",
    "<BODY>",
    "</BODY>",
    "<TEXT>",
    "</TEXT>",
    "<DATE>",
    "26-FEB-1987",
    "<rss><channel>",
    "<item>",
    "</item>",
    "<entry>",
    "</entry>",
    "<feed xmlns=\"http://www.w3.org/2005/Atom\">",
    "<title>",
    "</title>",
    "<description>",
    "<![CDATA[",
    "]]>",
    "&amp;",
    "&#",
    "<!DOCTYPE x [",
    "<!ENTITY e \"",
    "WARC/1.0\r\n",
    "WARC-Type: response\r\n",
    "Content-Length: 40\r\n",
    "\r\n\r\n",
    "HTTP/1.1 200 OK\r\n",
    "Content-Type: text/html\r\n",
    "Transfer-Encoding: chunked\r\n",
    "<html><p>",
    ".I 3\n",
    ".T\n",
    ".W\n",
    ".A\n",
    "[",
    "]",
    "{",
    "}",
    "\"title\": ",
    "\"body\": ",
    "\"",
    ",",
    ":",
    "\n",
    "\t",
    ";",
    "'",
    "title,body\n",
    "text\t",
    "harbour",
    "dredger",
    " ",
    "\u{e9}",
    "\u{feff}",
    "\0",
];

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
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

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

    #[test]
    fn mutated_sgml_warc_and_smart(data in mutated(record_seeds())) {
        for format in [Format::Sgml, Format::Warc, Format::Smart] {
            fuzz::ingest(format, &data);
        }
    }

    #[test]
    fn strings_of_record_pieces_never_break_a_multi_record_reader(
        pieces in prop::collection::vec(proptest::sample::select(TOKENS), 0..200),
    ) {
        let data = pieces.concat();
        for format in fuzz::FORMATS.into_iter().filter(|f| f.is_multi_record()) {
            fuzz::ingest(format, data.as_bytes());
        }
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

/// Inputs that make a careless reader quadratic: long runs of one unclosed construct (quotes,
/// tags, record starts without an end, markers with nothing after them), for every reader. Each
/// input is read at two sizes, 16 times apart: the larger must take at most `MAX_TIME_RATIO`
/// times the CPU time (linear is about 16, quadratic 256; caches and the allocator add a few
/// times on a busy machine), and never more than its time budget (a hang fails instead of
/// stalling the suite).
#[test]
fn no_reader_takes_more_than_linear_time_on_pathological_inputs() {
    use std::time::Duration;
    // Above 1 MB for the larger input: WARC's header limit is 1 MB.
    const SMALL: usize = 128 << 10;
    const BIG: usize = SMALL * 16;
    const MAX_TIME_RATIO: f64 = 80.0;
    let generic: &[&str] = &[
        "<",
        "&",
        "\n",
        "\"",
        "'",
        "[",
        "{",
        "<a>",
        "</a>",
        "<p>",
        "a ",
        "\"a\",",
        "a\t",
        "&#",
        "<!--",
        "<![CDATA[",
        "\r",
        ".",
        "\u{e9}",
    ];
    // (formats, a unit repeated to the size, what comes before the repeats)
    let mut inputs: Vec<(Vec<Format>, String, String)> = generic
        .iter()
        .map(|u| (fuzz::FORMATS.to_vec(), u.to_string(), String::new()))
        .collect();
    let specific: &[(Format, &str, &str)] = &[
        (Format::Csv, "a,", "title,body\n\""),
        (Format::Csv, "\"x\"\"\n", "title,body\n\""),
        (Format::Tsv, "a\t", "title\tbody\n"),
        (Format::Json, "[", ""),
        (Format::Json, "{\"title\": \"a\", \"body\": \"b\"},", "["),
        (Format::Json, "{\"title\": \"a\"}\n", ""),
        (Format::JsonLines, "{\"title\": \"a\", \"body\": ", ""),
        (Format::Sgml, "<REUTERS>", ""),
        (Format::Sgml, "<REUTERS ", ""),
        (Format::Sgml, "<DOC><TEXT>a", ""),
        (Format::Sgml, "<REUTERSX>", "<REUTERS>"),
        (Format::Sgml, "<TITLE>a", "<REUTERS><TEXT>"),
        (Format::Sgml, "</REUTERS>", "<REUTERS><TEXT>"),
        (Format::Xml, "<item><title>a</b>", "<rss><channel>"),
        (Format::Xml, "<item>", "<rss><channel>"),
        (
            Format::Xml,
            "<entry><title>",
            "<feed xmlns=\"http://www.w3.org/2005/Atom\">",
        ),
        (Format::Xml, "<a>", "<rss><channel><item><description>"),
        (Format::Xml, "<!ENTITY e \"x\">", "<!DOCTYPE rss ["),
        (Format::Warc, "WARC/1.0\r\n", ""),
        (Format::Warc, "WARC/1.0\r\nContent-Length: 5\r\n\r\n", ""),
        (Format::Warc, "X-A: b\r\n", "WARC/1.0\r\n"),
        (
            Format::Warc,
            "WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 30\r\n\r\nHTTP/1.1 200 OK\r\n\r\n<p>a</p>\r\n\r\n",
            "",
        ),
        (Format::Smart, ".I 1\n", ""),
        (Format::Smart, ".T\n", ".I 1\n"),
        (Format::Html, "<div>", "<html><body>"),
        (Format::Html, "<table><tr><td>", "<html><body>"),
        (Format::Markdown, "# a\n", "---\ntitle: a\n"),
        (Format::Text, "By a\n", "Title\n\n"),
    ];
    for (f, unit, head) in specific {
        inputs.push((vec![*f], unit.to_string(), head.to_string()));
    }
    let make = |head: &str, unit: &str, size: usize| -> Vec<u8> {
        let mut s = head.to_string();
        s.push_str(&unit.repeat(size / unit.len()));
        s.into_bytes()
    };
    // The thread's CPU time, best of a few runs: the machine is shared, and only the reader's
    // own work counts.
    fn cpu_now() -> Duration {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: a valid out-pointer to a timespec.
        unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
    }
    let time = |f: Format, data: &[u8], runs: usize| -> Duration {
        (0..runs)
            .map(|_| {
                let t = cpu_now();
                let mut out = newsdex::ingest::FileOutcome::default();
                let opts = newsdex::ingest::ParseOptions::default();
                newsdex::ingest::parse_bytes("/t/input", f, data, &opts, &mut out);
                cpu_now().saturating_sub(t)
            })
            .min()
            .unwrap()
    };
    let mut slow = Vec::new();
    let mut checked = 0;
    for (formats, unit, head) in &inputs {
        for &f in formats {
            let small = make(head, unit, SMALL);
            let big = make(head, unit, BIG);
            let t_small = time(f, &small, 3).max(Duration::from_millis(5));
            // The larger input runs on its own thread with a (wall-clock) budget: a quadratic
            // reader on 2 MB may take hours.
            let budget = t_small.mul_f64(MAX_TIME_RATIO * 3.0) + Duration::from_secs(3);
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let _ = tx.send(time(f, &big, 2));
            });
            let what = format!("{} on {head:?} + {unit:?} x N", f.name());
            match rx.recv_timeout(budget) {
                Ok(t_big) => {
                    let ratio = t_big.as_secs_f64() / t_small.as_secs_f64();
                    if ratio > MAX_TIME_RATIO {
                        slow.push(format!("{what}: {t_small:?} -> {t_big:?} (x{ratio:.0})"));
                    }
                }
                Err(_) => slow.push(format!("{what}: {t_small:?} -> over {budget:?}")),
            }
            checked += 1;
        }
    }
    assert!(checked > 200, "{checked}");
    assert!(
        slow.is_empty(),
        "readers slower than linear (an input 16x larger took more than {MAX_TIME_RATIO}x as long):\n{}",
        slow.join("\n")
    );
}
