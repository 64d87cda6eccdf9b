//! Export and counts through the real binary: every hit, the same ids as search, provenance,
//! Excel safety, calendar buckets and the SVG chart.

mod common;

use std::collections::BTreeSet;

use common::{TestEnv, json_lines, sample_corpus};

fn sample_env() -> TestEnv {
    let env = TestEnv::new();
    env.index(&sample_corpus());
    env
}

fn search_ids(env: &TestEnv, q: &str) -> BTreeSet<String> {
    env.search(&[q]).into_iter().map(|h| h.id).collect()
}

#[test]
fn csv_and_jsonl_exports_hold_exactly_the_search_hits() {
    let env = sample_env();
    let want = search_ids(&env, "caravan OR troops");
    assert!(want.len() > 10, "more hits than a search page");
    let file = env.dir.path().join("hits.csv");
    env.cmd()
        .args(["export", "caravan OR troops", "-o"])
        .arg(&file)
        .assert()
        .success();
    let mut r = csv::Reader::from_path(&file).unwrap();
    let id_col = r.headers().unwrap().iter().position(|h| h == "id").unwrap();
    let got: BTreeSet<String> = r
        .records()
        .map(|x| x.unwrap()[id_col].to_string())
        .collect();
    assert_eq!(got, want);

    let out = env
        .cmd()
        .args([
            "export",
            "caravan OR troops",
            "--format",
            "jsonl",
            "--fields",
            "id,rank,title,published,body",
        ])
        .output()
        .unwrap();
    let rows = json_lines(&out.stdout);
    let got: BTreeSet<String> = rows
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, want);
    let keys: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["id", "rank", "title", "published", "body"]);
    assert_eq!(rows[0]["rank"], 1);
    assert!(rows[0]["body"].as_str().unwrap().len() > 100);

    // Provenance sidecar.
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(env.dir.path().join("hits.csv.meta.json")).unwrap())
            .unwrap();
    assert_eq!(meta["queries"][0]["query"], "caravan OR troops");
    assert!(
        meta["queries"][0]["parsed"]
            .as_str()
            .unwrap()
            .contains("BooleanQuery")
    );
    assert_eq!(meta["hits"], want.len());
    assert_eq!(meta["index"]["articles"], 107);
    assert!(meta["newsdex_version"].is_string());
}

#[test]
fn excel_exports_neutralise_formulas() {
    let env = TestEnv::new();
    env.write(
        "a.txt",
        "=HYPERLINK(\"http://x.example\")\n\nA headline that is a formula.\n",
    );
    env.write("b.txt", "-5 dead in storm\n\nStorm news.\n");
    env.index(&env.archive());
    let out = env
        .cmd()
        .args([
            "export",
            "--any",
            "formula storm",
            "--excel",
            "--fields",
            "title",
        ])
        .output()
        .unwrap();
    assert!(out.stdout.starts_with("\u{feff}".as_bytes()));
    let mut r = csv::Reader::from_reader(&out.stdout[3..]);
    let titles: BTreeSet<String> = r.records().map(|x| x.unwrap()[0].to_string()).collect();
    assert!(
        titles.contains("'=HYPERLINK(\"http://x.example\")"),
        "{titles:?}"
    );
    assert!(titles.contains("'-5 dead in storm"), "{titles:?}");
    // Without --excel, cells are as written.
    let out = env
        .cmd()
        .args(["export", "--any", "formula storm", "--fields", "title"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("\n-5 dead in storm")
    );
}

#[test]
fn counts_total_the_hits_in_calendar_months_and_plot_one_series_per_query() {
    let env = sample_env();
    let plot = env.dir.path().join("chart.svg");
    let out = env
        .cmd()
        .args([
            "count", "caravan", "troops", "--by", "month", "--format", "json", "--plot",
        ])
        .arg(&plot)
        .output()
        .unwrap();
    assert!(out.status.success());
    let t: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = t["rows"].as_array().unwrap();
    for (q, query) in ["caravan", "troops"].iter().enumerate() {
        let hits = env.search(&[query]).len() as u64;
        assert_eq!(t["totals"][q], hits, "{query}");
        let in_buckets: u64 = rows.iter().map(|r| r["counts"][q].as_u64().unwrap()).sum();
        assert_eq!(
            in_buckets + t["undated"][q].as_u64().unwrap(),
            hits,
            "{query}"
        );
    }
    // Buckets are consecutive calendar months, empty ones included.
    let labels: Vec<&str> = rows.iter().map(|r| r["bucket"].as_str().unwrap()).collect();
    for w in labels.windows(2) {
        let (y0, m0) = w[0].split_once('-').unwrap();
        let (y1, m1) = w[1].split_once('-').unwrap();
        let (y0, m0, y1, m1): (i32, i32, i32, i32) = (
            y0.parse().unwrap(),
            m0.parse().unwrap(),
            y1.parse().unwrap(),
            m1.parse().unwrap(),
        );
        assert_eq!(y1 * 12 + m1, y0 * 12 + m0 + 1, "{labels:?}");
    }
    // A month bucket is exactly the sum of its calendar days.
    let days: serde_json::Value = serde_json::from_slice(
        &env.stdout(&["count", "caravan", "--by", "day", "--format", "json"]),
    )
    .unwrap();
    let october_days: u64 = days["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["bucket"].as_str().unwrap().starts_with("2018-10-"))
        .map(|r| r["counts"][0].as_u64().unwrap())
        .sum();
    let october = rows.iter().find(|r| r["bucket"] == "2018-10").unwrap();
    assert!(october_days > 0);
    assert_eq!(october["counts"][0].as_u64().unwrap(), october_days);

    let svg = std::fs::read_to_string(&plot).unwrap();
    assert!(svg.starts_with("<svg"));
    assert_eq!(svg.matches("<polyline class=\"series\"").count(), 2);
    assert!(svg.contains("data-query=\"caravan\"") && svg.contains("data-query=\"troops\""));
    assert_eq!(svg.matches("<svg").count(), svg.matches("</svg>").count());
}

#[test]
fn share_divides_by_all_articles_in_the_bucket() {
    let env = TestEnv::new();
    // 2018: 4 articles, 1 about dredging; 2019: 2, both; 2020: none; 2021: 1, not about it.
    for (i, (year, dredging)) in [
        (2018, true),
        (2018, false),
        (2018, false),
        (2018, false),
        (2019, true),
        (2019, true),
        (2021, false),
    ]
    .into_iter()
    .enumerate()
    {
        let what = if dredging {
            "dredging of the channel"
        } else {
            "a new ferry timetable"
        };
        env.write(
            &format!("{i}.txt"),
            format!(
                "Title: Harbour news {i}\nDate: {year}-05-0{}\n\nThe board announced {what}.\n",
                i % 9 + 1
            ),
        );
    }
    env.index(&env.archive());
    let t: serde_json::Value = serde_json::from_slice(&env.stdout(&[
        "count", "dredging", "--by", "year", "--share", "--format", "json",
    ]))
    .unwrap();
    let rows: Vec<(String, u64, u64, f64)> = t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["bucket"].as_str().unwrap().to_string(),
                r["counts"][0].as_u64().unwrap(),
                r["total"].as_u64().unwrap(),
                r["shares"][0].as_f64().unwrap_or(0.0),
            )
        })
        .collect();
    // Rows span the years with hits; each share is hits / all articles of that year.
    assert_eq!(
        rows,
        [
            ("2018".to_string(), 1, 4, 0.25),
            ("2019".to_string(), 2, 2, 1.0),
        ],
        "{t}"
    );
}

#[test]
fn kwic_rows_hold_whole_phrases_with_context() {
    let env = sample_env();
    let out = env
        .cmd()
        .args([
            "export",
            "\"safe third country\"",
            "--kwic",
            "4",
            "--fields",
            "id,title",
            "-f",
            "jsonl",
        ])
        .output()
        .unwrap();
    let out = common::succeeded(out);
    let rows = json_lines(&out.stdout);
    let articles: BTreeSet<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    // Every article that has the phrase in its body gives at least one row.
    assert!(articles.len() >= 5, "{} articles", articles.len());
    for r in &rows {
        assert_eq!(
            r["match"].as_str().unwrap().to_lowercase(),
            "safe third country",
            "{r}"
        );
        assert!(r["left"].as_str().unwrap().split_whitespace().count() <= 4);
        assert!(r["right"].as_str().unwrap().split_whitespace().count() <= 4);
        assert!(r["offset"].as_u64().is_some());
    }
    let keys: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["id", "title", "left", "match", "right", "offset"]);
}

#[test]
fn batch_queries_share_one_file_with_a_query_column() {
    let env = sample_env();
    let qfile = env.dir.path().join("scheme.txt");
    std::fs::write(&qfile, "# coding scheme\ncaravan\tcaravan\ntroops\tborder troops\n\nthird\t\"safe third country\"\n").unwrap();
    let out = env
        .cmd()
        .args(["export", "--fields", "id,matches", "--queries"])
        .arg(&qfile)
        .output()
        .unwrap();
    let out = common::succeeded(out);
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        ["query", "id", "matches"]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    for (name, q) in [
        ("caravan", "caravan"),
        ("troops", "border troops"),
        ("third", "\"safe third country\""),
    ] {
        let want = search_ids(&env, q);
        let got: BTreeSet<String> = rows
            .iter()
            .filter(|x| &x[0] == name)
            .map(|x| x[1].to_string())
            .collect();
        assert_eq!(got, want, "{name}");
    }
    // `matches` counts occurrences in the body; a headline-only match would count 0.
    assert!(
        rows.iter()
            .filter(|x| &x[0] == "caravan")
            .all(|x| x[2].parse::<u64>().unwrap() >= 1)
    );
}
