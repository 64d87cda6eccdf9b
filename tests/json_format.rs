//! Pins the JSON Lines and JSON formats: every line decodes into the documented struct, which
//! rejects unknown keys.

mod common;

use common::{TestEnv, parse_jsonl, sample_corpus};

#[test]
fn jsonl_hits_decode_into_the_documented_struct() {
    let env = TestEnv::new();
    env.index(&sample_corpus());
    let out = env
        .cmd()
        .args([
            "search",
            "--format",
            "jsonl",
            "--limit",
            "5",
            "migrant caravan",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let hits = parse_jsonl(&out.stdout);
    assert_eq!(hits.len(), 5);
    for (i, h) in hits.iter().enumerate() {
        assert_eq!(h.rank, i + 1);
        assert_eq!(h.id.len(), 16);
        assert!(h.total_hits >= 20);
        assert!(h.score > 0.0);
        for [s, e] in &h.highlights {
            let word: String = h.snippet.chars().skip(*s).take(e - s).collect();
            let w = word.to_lowercase();
            assert!(
                w.starts_with("migrant") || w.starts_with("caravan"),
                "highlight {word:?}"
            );
        }
        if let Some(p) = &h.published {
            assert!(
                time::OffsetDateTime::parse(p, &time::format_description::well_known::Rfc3339)
                    .is_ok()
            );
        }
    }
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn piped_output_defaults_to_jsonl_and_json_has_total() {
    let env = TestEnv::new();
    env.index(&sample_corpus());
    let out = env.cmd().args(["search", "caravan"]).output().unwrap();
    assert_eq!(parse_jsonl(&out.stdout).len(), 10);

    let out = env
        .cmd()
        .args(["search", "--format", "json", "caravan"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["query"], "caravan");
    assert!(v["total_hits"].as_u64().unwrap() > 10);
    assert_eq!(v["hits"].as_array().unwrap().len(), 10);
}
