//! Archives as they come from the real world: headerless CSV, entity debris, JSON crawls with
//! site suffixes and boilerplate, crawl dates, placeholder authors; and reading one article whole
//! (`newsdex show`).

mod common;

use common::{TestEnv, succeeded};

fn stdout_of(env: &TestEnv, args: &[&str]) -> String {
    String::from_utf8(env.stdout(args)).unwrap()
}

#[test]
fn show_prints_one_record_of_a_many_article_file_whole() {
    let env = TestEnv::new();
    env.write(
        "wire.csv",
        "title,body,source,published\n\
         Harbour cranes idle,Dock workers stopped the cranes at dawn.,Port Gazette,2020-03-01\n\
         Ferry strike ends,The ferry crews went back to work after a week of talks about pay.,Port Gazette,2020-03-02\n",
    );
    env.index(&env.archive());
    let hits = env.search(&["ferry"]);
    assert_eq!(hits.len(), 1);
    let h = &hits[0];
    assert_eq!(h.record, 1, "the second data row (0-based)");

    let text = stdout_of(&env, &["show", &h.id]);
    assert!(text.starts_with("Ferry strike ends\n"), "{text}");
    assert!(text.contains("wire.csv, record 1"), "{text}");
    assert!(
        text.contains("outlet     Port Gazette (from record)"),
        "{text}"
    );
    assert!(text.contains("published  2020-03-02"), "{text}");
    assert!(text.contains("after a week of talks about pay."), "{text}");
    assert!(
        !text.contains("Dock workers"),
        "only the one article: {text}"
    );

    let json: serde_json::Value =
        serde_json::from_slice(&env.stdout(&["show", "--format", "json", &h.id])).unwrap();
    assert_eq!(json["id"], h.id.as_str());
    assert_eq!(json["record"], 1);
    assert_eq!(json["title"], "Ferry strike ends");
    assert_eq!(json["source_from"], "record");
    assert_eq!(json["format"], "csv");
    assert!(json["body"].as_str().unwrap().contains("talks about pay"));

    // Text output names the id of each hit, so a reader can go from a hit to the article.
    let listing = stdout_of(&env, &["search", "--format", "text", "ferry"]);
    assert!(
        listing.contains(&format!("record 1  id {}", h.id)),
        "{listing}"
    );

    // `id:` finds the same article in a query.
    let by_id = env.search(&[&format!("id:{}", h.id)]);
    assert_eq!(by_id.len(), 1);
    assert_eq!(by_id[0].title, "Ferry strike ends");

    let out = env
        .cmd()
        .args(["show", "0123456789abcdef"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no article with id"), "{err}");
}

#[test]
fn show_finds_an_article_by_the_collections_own_id() {
    let env = TestEnv::new();
    env.write(
        "reut.sgm",
        "<REUTERS NEWID=\"4711\"><DATE>26-FEB-1987 15:01:01.79</DATE><TEXT><TITLE>COCOA CROP UP</TITLE>\
         <BODY>Cocoa harvest grew this year in Bahia.</BODY></TEXT></REUTERS>\n",
    );
    env.index(&env.archive());
    let out = succeeded(env.cmd().args(["show", "4711"]).output().unwrap());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("COCOA CROP UP"), "{text}");
    assert!(text.contains("docno      4711"), "{text}");
}
