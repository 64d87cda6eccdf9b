//! `newsdex serve` over HTTP: a real server process on a free loopback port, raw requests.

mod common;

use common::server::Server;
use common::{TestEnv, sample_corpus};

fn sample_env() -> TestEnv {
    let env = TestEnv::new();
    env.index(&sample_corpus());
    env
}

fn cli_json(env: &TestEnv, args: &[&str]) -> serde_json::Value {
    serde_json::from_slice(&env.stdout(args)).unwrap()
}

#[test]
fn the_api_answers_what_the_cli_prints() {
    let env = sample_env();
    let server = Server::start(&env.index_dir());

    let r = server.get("/api/search?q=caravan&limit=10");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let api = r.json();
    let cli = cli_json(&env, &["search", "--format", "json", "caravan"]);
    assert_eq!(api, cli);
    assert!(api["total_hits"].as_u64().unwrap() > 10);
    assert_eq!(api["hits"].as_array().unwrap().len(), 10);

    // Filters and sort use the command line's names and meaning.
    let api = server
        .get("/api/search?q=caravan&since=2018-11&until=2018-12&sort=oldest&limit=50")
        .json();
    let cli = cli_json(
        &env,
        &[
            "search", "--format", "json", "--since", "2018-11", "--until", "2018-12", "--sort",
            "oldest", "--limit", "50", "caravan",
        ],
    );
    assert_eq!(api, cli);
    assert!(api["hits"].as_array().unwrap().iter().all(|h| {
        let d = h["published"].as_str().unwrap();
        ("2018-11".."2019-01").contains(&d)
    }));

    // Paging: offset continues the ranking.
    let all = server.get("/api/search?q=caravan&limit=20").json();
    let page2 = server
        .get("/api/search?q=caravan&limit=10&offset=10")
        .json();
    assert_eq!(all["hits"][10]["id"], page2["hits"][0]["id"]);
    assert_eq!(page2["hits"][0]["rank"], 11);

    let api = server.get("/api/count?q=caravan&by=month").json();
    let cli = cli_json(
        &env,
        &["count", "--format", "json", "--by", "month", "caravan"],
    );
    assert_eq!(api, cli);

    let api = server.get("/api/stats").json();
    let cli = cli_json(&env, &["stats", "--format", "json"]);
    assert_eq!(api, cli);

    for format in ["csv", "jsonl"] {
        let r = server.get(&format!("/api/export?q=caravan&format={format}"));
        assert_eq!(r.status, 200);
        assert!(
            r.header("content-disposition")
                .unwrap()
                .contains(&format!("newsdex-export.{format}"))
        );
        let cli = env.stdout(&["export", "--format", format, "caravan"]);
        assert_eq!(r.text(), String::from_utf8(cli).unwrap(), "{format}");
    }
    let meta = server.get("/api/export/meta?q=caravan&format=csv").json();
    assert_eq!(meta["hits"], all["total_hits"]);
    assert_eq!(meta["queries"][0]["query"], "caravan");

    // Facets count the hits, most first, from the same counts as `count --by source`.
    let f = server.get("/api/facets?q=caravan").json();
    let by_source = cli_json(
        &env,
        &["count", "--format", "json", "--by", "source", "caravan"],
    );
    assert_eq!(f["source"][0]["value"], by_source["rows"][0]["bucket"]);
    assert_eq!(f["source"][0]["count"], by_source["rows"][0]["counts"][0]);
    assert_eq!(f["total_hits"], all["total_hits"]);
}

#[test]
fn collapse_gives_one_row_per_story_as_the_cli_does() {
    let env = sample_env();
    let server = Server::start(&env.index_dir());
    let q = "facebook privacy penalty";
    let every = server
        .get("/api/search?q=facebook+privacy+penalty&limit=50&collapse=false")
        .json();
    let stories = server
        .get("/api/search?q=facebook+privacy+penalty&limit=50&collapse=true")
        .json();
    let cli = cli_json(
        &env,
        &[
            "search",
            "--format",
            "json",
            "--limit",
            "50",
            "--collapse",
            q,
        ],
    );
    assert_eq!(stories, cli);
    // The sample corpus holds one wire story in three outlets: two fewer rows, one of them
    // standing for three articles.
    let n = |v: &serde_json::Value| v["total_hits"].as_u64().unwrap();
    assert_eq!(n(&every), n(&stories) + 2, "{every}");
    let copies: Vec<u64> = stories["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["copies"].as_u64().unwrap())
        .collect();
    assert!(copies.contains(&3), "{copies:?}");
    // Counts follow: stories, as `count --unique`.
    let api = server
        .get("/api/count?q=facebook+privacy+penalty&by=month&collapse=true")
        .json();
    let cli = cli_json(
        &env,
        &["count", "--format", "json", "--by", "month", "--unique", q],
    );
    assert_eq!(api, cli);
    assert_eq!(server.get("/api/search?q=a&collapse=maybe").status, 400);
}

#[test]
fn articles_matches_and_kwic() {
    let env = sample_env();
    let server = Server::start(&env.index_dir());
    let hit = &server.get("/api/search?q=caravan&limit=1").json()["hits"][0];
    let id = hit["id"].as_str().unwrap();
    let a = server.get(&format!("/api/article/{id}")).json();
    assert_eq!(a["id"], hit["id"]);
    assert_eq!(a["title"], hit["title"]);
    let body = a["body"].as_str().unwrap();
    assert!(body.len() > 200);

    let m = server.get(&format!("/api/matches/{id}?q=caravan")).json();
    let chars: Vec<char> = body.chars().collect();
    let spans = m["body"].as_array().unwrap();
    assert!(spans.len() >= 2, "{m}");
    for s in spans {
        let (a, b) = (
            s[0].as_u64().unwrap() as usize,
            s[1].as_u64().unwrap() as usize,
        );
        let word: String = chars[a..b].iter().collect();
        assert!(word.to_lowercase().starts_with("caravan"), "{word}");
    }

    let k = server.get("/api/kwic?q=caravan&limit=1&width=3").json();
    let rows = k["rows"].as_array().unwrap();
    assert_eq!(rows.len(), spans.len());
    assert!(rows.iter().all(|r| r["id"] == hit["id"]));
    assert!(
        rows[0]["match"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .starts_with("caravan")
    );

    let r = server.get("/api/article/0000000000000000");
    assert_eq!(r.status, 404);
    assert!(r.json()["error"].as_str().unwrap().contains("no article"));
}

#[test]
fn a_bad_query_is_400_with_the_cli_message() {
    let env = sample_env();
    let server = Server::start(&env.index_dir());
    for (path, args) in [
        (
            "/api/search?q=%22unclosed+phrase",
            vec!["search", "\"unclosed phrase"],
        ),
        (
            "/api/search?q=caravan&since=last+week",
            vec!["search", "--since", "last week", "caravan"],
        ),
        ("/api/count?q=%22unclosed", vec!["count", "\"unclosed"]),
        (
            "/api/export?q=%22unclosed&format=csv",
            vec!["export", "\"unclosed"],
        ),
    ] {
        let r = server.get(path);
        assert_eq!(r.status, 400, "{path}");
        assert_eq!(r.header("content-type"), Some("application/json"));
        let api = r.json()["error"].as_str().unwrap().to_string();
        let out = env.cmd().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let cli = String::from_utf8(out.stderr).unwrap();
        let cli = cli.trim_end().strip_prefix("newsdex: ").unwrap();
        assert_eq!(api, cli, "{path}");
    }
    // Mistakes in the address itself are named.
    let e = server.get("/api/search?q=caravan&limt=5");
    assert_eq!(e.status, 400);
    assert!(
        e.json()["error"]
            .as_str()
            .unwrap()
            .contains("unknown parameter `limt`")
    );
    let e = server.get("/api/search?q=caravan&limit=100000");
    assert_eq!(e.status, 400);
    assert!(
        e.json()["error"]
            .as_str()
            .unwrap()
            .contains("from 0 to 100")
    );
}

#[test]
fn no_file_outside_the_embedded_assets_is_served() {
    let env = sample_env();
    let server = Server::start(&env.index_dir());
    for path in [
        "/../../etc/passwd",
        "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2f..%2fetc%2fpasswd",
        "/app.js/../../../../etc/passwd",
        "/..%5c..%5c..%5cetc%5cpasswd",
        "/%252e%252e%252fetc%252fpasswd",
        "//etc/passwd",
        "/etc/passwd",
        "/Cargo.toml",
        "/src/main.rs",
        "/assets/app.js",
        "/api/article/..%2f..%2f..%2fetc%2fpasswd",
        "/api/article/../../etc/passwd",
        "/api/matches/%2e%2e%2f%2e%2e%2fetc%2fpasswd?q=x",
    ] {
        let r = server.get(path);
        assert!(r.status == 404 || r.status == 400, "{path}: {}", r.status);
        let body = String::from_utf8_lossy(&r.body);
        assert!(!body.contains("root:"), "{path} leaked /etc/passwd");
        assert!(!body.contains("[package]"), "{path} leaked a file");
    }
    // The page's own files are there.
    for path in ["/", "/app.js", "/app.css", "/favicon.svg"] {
        assert_eq!(server.get(path).status, 200, "{path}");
    }
}

#[test]
fn csp_forbids_inline_script_and_the_page_has_none() {
    let env = sample_env();
    let server = Server::start(&env.index_dir());
    for path in ["/", "/app.js", "/api/search?q=caravan", "/nothing-here"] {
        let r = server.get(path);
        let csp = r
            .header("content-security-policy")
            .expect("CSP on every answer");
        assert!(csp.contains("default-src 'none'"), "{csp}");
        assert!(csp.contains("script-src 'self'"), "{csp}");
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    }
    let html = server.get("/").text();
    // Every script tag loads a file; none carries code, and no element has an event attribute.
    for tag in html.split("<script").skip(1) {
        let tag = &tag[..tag.find("</script>").unwrap()];
        assert!(tag.contains("src=\"/app.js\""), "{tag}");
        assert!(tag.trim_end().ends_with('>'), "inline script: {tag}");
    }
    let lower = html.to_lowercase();
    for attr in [
        "onclick=",
        "onload=",
        "onerror=",
        "onsubmit=",
        "javascript:",
    ] {
        assert!(!lower.contains(attr), "index.html has {attr}");
    }
    // The script never parses text as markup.
    let js = server.get("/app.js").text();
    for sink in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
    ] {
        assert!(!js.contains(sink), "app.js uses {sink}");
    }
    // Page load: every asset together stays small.
    let total: usize = ["/", "/app.js", "/app.css", "/favicon.svg"]
        .iter()
        .map(|p| server.get(p).body.len())
        .sum();
    assert!(total < 300 * 1024, "{total} bytes");
}

pub const HOSTILE_TITLE: &str =
    "<img src=x onerror=\"document.title='PWNED'\"> Hostile zebra report";
pub const HOSTILE_BODY: &str = "The zebra said <script>document.title='PWNED'</script> and \
     <iframe src=javascript:alert(1)></iframe> then <b onmouseover=alert(2)>bold</b> zebra.";

pub fn write_hostile(env: &TestEnv) {
    let line = serde_json::json!({
        "title": HOSTILE_TITLE,
        "text": HOSTILE_BODY,
        "source": "<svg onload=alert(3)>Evil Outlet",
        "author": "<script>alert(4)</script>",
        "section": "\"><img src=x onerror=alert(5)>",
        "date": "2020-05-01",
    });
    env.write("hostile/feed.jsonl", format!("{line}\n"));
}

#[test]
fn hostile_article_text_is_json_data() {
    let env = TestEnv::new();
    write_hostile(&env);
    env.index(&env.archive());
    let server = Server::start(&env.index_dir());
    let r = server.get("/api/search?q=zebra");
    assert_eq!(r.header("content-type"), Some("application/json"));
    let hit = &r.json()["hits"][0];
    assert_eq!(hit["title"], HOSTILE_TITLE);
    let a = server
        .get(&format!("/api/article/{}", hit["id"].as_str().unwrap()))
        .json();
    assert_eq!(a["title"], HOSTILE_TITLE);
    assert_eq!(a["body"], HOSTILE_BODY);
    assert_eq!(a["source"], "<svg onload=alert(3)>Evil Outlet");
}

#[test]
fn another_host_name_is_refused_on_loopback() {
    let env = sample_env();
    let server = Server::start(&env.index_dir());
    let r = server.get_with_host("/api/search?q=caravan", "attacker.example:8080");
    assert_eq!(r.status, 403);
    assert!(r.json()["error"].as_str().unwrap().contains("127.0.0.1"));
    let port = server.addr.rsplit(':').next().unwrap();
    let r = server.get_with_host("/api/stats", &format!("localhost:{port}"));
    assert_eq!(r.status, 200);
}

#[test]
fn the_server_sees_a_new_commit_while_it_runs() {
    let env = TestEnv::new();
    env.write("a/one.txt", "First story\n\nNothing about animals here.\n");
    env.index(&env.archive());
    let server = Server::start(&env.index_dir());
    assert_eq!(server.get("/api/search?q=okapi").json()["total_hits"], 0);
    // `newsdex index` runs beside the server (which holds no lock).
    env.write(
        "a/two.txt",
        "Second story\n\nAn okapi was seen in the park.\n",
    );
    env.index(&env.archive());
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let r = server.get("/api/search?q=okapi").json();
    assert_eq!(r["total_hits"], 1, "{r}");
    assert_eq!(server.get("/api/stats").json()["articles"], 2);
    // A wire copy indexed later joins its story for the running server too.
    env.write(
        "b/copy.txt",
        "Second story\n\nAn okapi was seen in the park.\n",
    );
    env.index(&env.archive());
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let r = server.get("/api/search?q=okapi").json();
    let copies: Vec<u64> = r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["copies"].as_u64().unwrap())
        .collect();
    assert_eq!(copies, [2, 2], "{r}");
    let r = server.get("/api/search?q=okapi&collapse=true").json();
    assert_eq!(r["total_hits"], 1, "{r}");
}
