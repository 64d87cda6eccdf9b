//! The search page in a real browser: Debian's chromium driven through chromedriver (WebDriver,
//! the `fantoccini` crate), against a real `newsdex serve` process.
//!
//! Gated: without chromium and chromedriver the tests print why and pass; under `CI=true` they
//! fail instead (CI installs both: `apt-get install chromium chromium-driver`). Set
//! `NEWSDEX_CHROMIUM` / `NEWSDEX_CHROMEDRIVER` to use other binaries.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::server::Server;
use common::{TestEnv, sample_corpus};
use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// One browser at a time: the machines that run these have two cores.
static ONE_BROWSER: Mutex<()> = Mutex::new(());

fn tool(var: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(var) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| names.iter().map(move |n| d.join(n)))
        .find(|p| p.is_file())
}

/// chromium and chromedriver, or `None` (with a message) when this machine has none.
fn browser_tools(test: &str) -> Option<(PathBuf, PathBuf)> {
    let chromium = tool(
        "NEWSDEX_CHROMIUM",
        &["chromium", "chromium-browser", "google-chrome"],
    );
    let driver = tool("NEWSDEX_CHROMEDRIVER", &["chromedriver"]);
    match (chromium, driver) {
        (Some(c), Some(d)) => Some((c, d)),
        _ => {
            let msg = format!(
                "{test}: chromium and chromedriver are needed for the browser tests (Debian: \
                 apt-get install chromium chromium-driver)"
            );
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{msg}");
            }
            eprintln!("SKIPPED {msg}");
            None
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_driver(driver: &Path) -> Driver {
    let port = free_port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Driver { child, port }
}

/// A headless chromium session (flags that keep it off the network and fit running as root).
async fn browser(chromium: &Path, driver: &Driver, profile: &Path, downloads: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": {
                "download.default_directory": downloads,
                "download.prompt_for_download": false,
            },
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("WebDriver session")
}

/// Runs `body` with a browser on a server over `index`; skipped when there is no browser.
fn with_browser<F>(test: &str, index: &Path, body: F)
where
    F: AsyncFnOnce(&Client, &Server, &Path),
{
    let Some((chromium, driver)) = browser_tools(test) else {
        return;
    };
    let _one = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let downloads = tmp.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let server = Server::start(index);
    let driver = start_driver(&driver);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = browser(&chromium, &driver, &tmp.path().join("profile"), &downloads).await;
        body(&c, &server, &downloads).await;
        let _ = c.close().await;
    });
}

async fn wait_until<F>(c: &Client, what: &str, mut check: F)
where
    F: AsyncFnMut(&Client) -> bool,
{
    let started = Instant::now();
    while !check(c).await {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.expect(script)
}

async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("no {css}"))
        .text()
        .await
        .unwrap()
}

async fn hits_shown(c: &Client) -> usize {
    c.find_all(Locator::Css("#results li.hit"))
        .await
        .unwrap()
        .len()
}

fn api(server: &Server, path: &str) -> Value {
    server.get(path).json()
}

fn sample_env() -> TestEnv {
    let env = TestEnv::new();
    env.index(&sample_corpus());
    env
}

#[test]
fn type_a_query_see_results_page_and_filter() {
    let env = sample_env();
    with_browser("type_a_query", &env.index_dir(), async |c, server, _| {
        c.goto(&server.url("/")).await.unwrap();
        let q = c.wait().for_element(Locator::Id("q")).await.unwrap();
        q.send_keys("caravan").await.unwrap();
        c.find(Locator::Css("#search-form button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_until(c, "results", async |c| hits_shown(c).await > 0).await;
        let expected = api(server, "/api/search?q=caravan&limit=20");
        let total = expected["total_hits"].as_u64().unwrap();
        assert!(total > 20);
        assert_eq!(hits_shown(c).await, 20);
        let first = text(c, "#results li.hit .hit-title").await;
        assert_eq!(first, expected["hits"][0]["title"].as_str().unwrap());
        assert!(
            text(c, "#status")
                .await
                .starts_with(&format!("{total} articles"))
        );
        let marked = text(c, "#results li.hit .snippet mark").await;
        assert!(marked.to_lowercase().starts_with("caravan"), "{marked}");
        // The address carries the search.
        assert!(
            c.current_url()
                .await
                .unwrap()
                .as_str()
                .contains("q=caravan")
        );

        // Next page.
        c.find(Locator::Id("next"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_until(c, "page 2", async |c| {
            c.current_url()
                .await
                .unwrap()
                .as_str()
                .contains("offset=20")
                && hits_shown(c).await == (total as usize - 20).min(20)
        })
        .await;
        let page2 = api(server, "/api/search?q=caravan&limit=20&offset=20");
        assert_eq!(
            text(c, "#results li.hit .hit-title").await,
            page2["hits"][0]["title"].as_str().unwrap()
        );

        // An outlet facet filters, and its count is the number of hits.
        let facet = c
            .wait()
            .for_element(Locator::Css("#facets button.facet"))
            .await
            .unwrap();
        let name = facet
            .find(Locator::Css(".facet-value"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let n: usize = facet
            .find(Locator::Css(".count"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .parse()
            .unwrap();
        facet.click().await.unwrap();
        wait_until(c, "the outlet filter", async |c| {
            c.current_url().await.unwrap().as_str().contains("source=")
                && hits_shown(c).await == n.min(20)
        })
        .await;
        let metas = c.find_all(Locator::Css("#results .source")).await.unwrap();
        for m in metas {
            assert_eq!(m.text().await.unwrap(), name);
        }

        // A bookmarked address shows the same page after a reload.
        let url = c.current_url().await.unwrap();
        c.goto(url.as_str()).await.unwrap();
        wait_until(c, "reload", async |c| hits_shown(c).await == n.min(20)).await;
        assert_eq!(
            c.find(Locator::Id("q"))
                .await
                .unwrap()
                .prop("value")
                .await
                .unwrap()
                .as_deref(),
            Some("caravan")
        );

        // A bad query shows the server's message.
        c.goto(&server.url("/?q=%22unclosed")).await.unwrap();
        wait_until(c, "the error", async |c| {
            js(c, "return !document.getElementById('error').hidden").await == json!(true)
        })
        .await;
        assert!(text(c, "#error").await.contains("never closed"));
    });
}

#[test]
fn wire_copies_show_once_with_their_count_until_the_box_is_unticked() {
    let env = sample_env();
    with_browser("copies", &env.index_dir(), async |c, server, _| {
        let stories = api(
            server,
            "/api/search?q=facebook+privacy+penalty&limit=20&collapse=true",
        );
        let every = api(server, "/api/search?q=facebook+privacy+penalty&limit=20");
        let n = |v: &Value| v["total_hits"].as_u64().unwrap() as usize;
        assert_eq!(n(&every), n(&stories) + 2);
        c.goto(&server.url("/?q=facebook+privacy+penalty"))
            .await
            .unwrap();
        wait_until(c, "stories", async |c| hits_shown(c).await == n(&stories)).await;
        // Exactly one row stands for the three copies of the wire story.
        let labels = c.find_all(Locator::Css("#results .copies")).await.unwrap();
        assert_eq!(labels.len(), 1);
        assert_eq!(labels[0].text().await.unwrap(), "+2 copies");
        c.find(Locator::Id("collapse"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_until(c, "every copy", async |c| {
            hits_shown(c).await == n(&every)
                && c.current_url()
                    .await
                    .unwrap()
                    .as_str()
                    .contains("collapse=false")
        })
        .await;
        // Every copy now has its own row, each saying (as `newsdex search` does) how many
        // other copies its story has.
        let labels = c.find_all(Locator::Css("#results .copies")).await.unwrap();
        assert_eq!(labels.len(), 3);
        for l in labels {
            assert_eq!(l.text().await.unwrap(), "+2 copies");
        }
    });
}

#[test]
fn brushing_the_histogram_filters_by_date() {
    let env = sample_env();
    with_browser("brush", &env.index_dir(), async |c, server, _| {
        c.goto(&server.url("/?q=caravan")).await.unwrap();
        wait_until(c, "bars", async |c| {
            c.find_all(Locator::Css("#histogram g.bar[data-i]"))
                .await
                .unwrap()
                .len()
                > 3
        })
        .await;
        // Drag from the first bar to the fourth.
        let bars = c
            .find_all(Locator::Css("#histogram g.bar[data-i] rect.hitbox"))
            .await
            .unwrap();
        let labels = js(
            c,
            "return Array.from(document.querySelectorAll('#histogram g.bar[data-i]')).map(g => g.dataset.label)",
        )
        .await;
        let drag = MouseActions::new("mouse".into())
            .then(PointerAction::MoveToElement {
                element: bars[0].clone(),
                duration: None,
                x: 0.0,
                y: 0.0,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::MoveToElement {
                element: bars[3].clone(),
                duration: Some(Duration::from_millis(200)),
                x: 0.0,
                y: 0.0,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        c.perform_actions(drag).await.unwrap();
        wait_until(c, "the brushed dates in the address", async |c| {
            let u = c.current_url().await.unwrap();
            u.as_str().contains("since=") && u.as_str().contains("until=")
        })
        .await;
        let url = c.current_url().await.unwrap();
        let get = |k: &str| {
            url.query_pairs()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.into_owned())
                .unwrap()
        };
        let (since, until) = (get("since"), get("until"));
        // The brushed range starts in the first bar's period and ends in the fourth's.
        let first = labels[0].as_str().unwrap();
        let fourth = labels[3].as_str().unwrap();
        assert!(since.starts_with(&first[..4]), "{since} vs {first}");
        assert!(until.as_str() >= since.as_str());
        assert!(!fourth.is_empty());
        let expected = api(
            server,
            &format!("/api/search?q=caravan&since={since}&until={until}&limit=20"),
        );
        let n = expected["total_hits"].as_u64().unwrap();
        assert!(n > 0);
        wait_until(c, "the filtered list", async |c| {
            text(c, "#status")
                .await
                .starts_with(&format!("{n} article"))
        })
        .await;
        let shown: Vec<Value> = js(
            c,
            "return Array.from(document.querySelectorAll('#results time')).map(t => t.textContent)",
        )
        .await
        .as_array()
        .unwrap()
        .clone();
        for d in shown {
            let d = d.as_str().unwrap();
            assert!(
                since.as_str() <= d && d <= until.as_str(),
                "{d} not in {since}..{until}"
            );
        }
        // Clearing the dates brings every hit back.
        c.find(Locator::Id("zoom-out"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let all = api(server, "/api/search?q=caravan&limit=1")["total_hits"]
            .as_u64()
            .unwrap();
        wait_until(c, "all hits again", async |c| {
            text(c, "#status")
                .await
                .starts_with(&format!("{all} article"))
        })
        .await;
    });
}

#[test]
fn an_article_shows_every_match_and_steps_through_them() {
    let env = sample_env();
    with_browser("article", &env.index_dir(), async |c, server, _| {
        c.goto(&server.url("/?q=caravan")).await.unwrap();
        let link = c
            .wait()
            .for_element(Locator::Css("#results .hit-title"))
            .await
            .unwrap();
        let id = link.attr("data-id").await.unwrap().unwrap();
        link.click().await.unwrap();
        wait_until(c, "the article", async |c| {
            text(c, "#match-label").await.starts_with("match 1 of")
        })
        .await;
        let m = api(server, &format!("/api/matches/{id}?q=caravan"));
        let n = m["title"].as_array().unwrap().len() + m["body"].as_array().unwrap().len();
        assert!(n >= 2);
        assert_eq!(text(c, "#match-label").await, format!("match 1 of {n}"));
        let marks = c.find_all(Locator::Css("#article mark")).await.unwrap();
        assert_eq!(marks.len(), n);
        let current = || "return document.querySelector('#article mark.current').dataset.match";
        assert_eq!(js(c, current()).await, json!("1"));
        // `n` steps forward, the button steps back, and it wraps around.
        c.find(Locator::Css("body"))
            .await
            .unwrap()
            .send_keys("n")
            .await
            .unwrap();
        assert_eq!(js(c, current()).await, json!("2"));
        assert_eq!(text(c, "#match-label").await, format!("match 2 of {n}"));
        c.find(Locator::Id("prev-match"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.find(Locator::Id("prev-match"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        assert_eq!(js(c, current()).await, json!(n.to_string()));
        // Every mark is an occurrence of the query.
        for mk in marks {
            assert!(
                mk.text()
                    .await
                    .unwrap()
                    .to_lowercase()
                    .starts_with("caravan")
            );
        }
        // The article's address can be shared; Escape goes back to the list.
        assert!(
            c.current_url()
                .await
                .unwrap()
                .as_str()
                .contains(&format!("article={id}"))
        );
        c.find(Locator::Css("body"))
            .await
            .unwrap()
            .send_keys("\u{e00c}")
            .await
            .unwrap();
        wait_until(c, "the list again", async |c| hits_shown(c).await > 0).await;

        // The KWIC tab lists every occurrence in the page's hits.
        c.find(Locator::Id("tab-kwic"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_until(c, "KWIC rows", async |c| {
            !c.find_all(Locator::Css("#kwic tr"))
                .await
                .unwrap()
                .is_empty()
        })
        .await;
        let k = api(server, "/api/kwic?q=caravan&limit=20");
        let rows = c.find_all(Locator::Css("#kwic tbody tr")).await.unwrap();
        assert_eq!(rows.len(), k["rows"].as_array().unwrap().len());
        assert!(c.current_url().await.unwrap().as_str().contains("tab=kwic"));
    });
}

fn wait_for_file(path: &Path) -> Vec<u8> {
    let started = Instant::now();
    loop {
        if let Ok(bytes) = std::fs::read(path) {
            let partial = std::fs::read_dir(path.parent().unwrap()).unwrap().any(|e| {
                e.unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".crdownload")
            });
            if !partial {
                return bytes;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no download at {}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_download_buttons_give_what_the_cli_exports() {
    let env = sample_env();
    let envr = &env;
    with_browser(
        "download",
        &env.index_dir(),
        async |c, server, downloads| {
            c.goto(&server.url("/?q=caravan&since=2018-11"))
                .await
                .unwrap();
            wait_until(c, "results", async |c| hits_shown(c).await > 0).await;
            for (button, file, format) in [
                ("dl-csv", "newsdex-export.csv", "csv"),
                ("dl-jsonl", "newsdex-export.jsonl", "jsonl"),
            ] {
                c.find(Locator::Id(button))
                    .await
                    .unwrap()
                    .click()
                    .await
                    .unwrap();
                let got = wait_for_file(&downloads.join(file));
                let cli = envr.stdout(&[
                    "export", "--format", format, "--since", "2018-11", "caravan",
                ]);
                assert_eq!(
                    String::from_utf8(got).unwrap(),
                    String::from_utf8(cli).unwrap()
                );
            }
        },
    );
}

#[test]
fn hostile_titles_and_bodies_never_run() {
    let env = TestEnv::new();
    // Every field that reaches the page carries markup that would run if it were parsed.
    let payload = |n: u32| format!("document.documentElement.dataset.pwned{n}=1");
    let title = format!(
        "<img src=x onerror=\"{}\"> Zebra <script>{}</script>",
        payload(1),
        payload(2)
    );
    let body = format!(
        "The zebra crossed. <script>{}</script> <img src=x onerror=\"{}\"> \
         <iframe srcdoc=\"<script>parent.{}</script>\"></iframe> <svg onload=\"{}\"> zebra again.",
        payload(3),
        payload(4),
        payload(5),
        payload(6)
    );
    for (i, (t, b)) in [
        (title.as_str(), body.as_str()),
        (
            "<b>zebra</b> two",
            "<a href=javascript:void(0) onclick=x>zebra</a>",
        ),
    ]
    .iter()
    .enumerate()
    {
        let line = json!({
            "title": t, "text": b, "source": format!("<img src=x onerror=\"{}\">", payload(7)),
            "author": format!("<script>{}</script>", payload(8)), "section": "<i>s</i>",
            "date": "2020-05-0".to_string() + &(i + 1).to_string(),
        });
        env.write(&format!("hostile/{i}.jsonl"), format!("{line}\n"));
    }
    env.index(&env.archive());
    let title2 = title.clone();
    with_browser("hostile", &env.index_dir(), async |c, server, _| {
        let pwned = "return Object.keys(document.documentElement.dataset).filter(k => k.startsWith('pwned'))";
        let injected = "return document.querySelectorAll('main img, main script, main iframe, main svg:not(#histogram), main b, main i, main a[href^=javascript]').length";
        c.goto(&server.url("/?q=zebra")).await.unwrap();
        wait_until(c, "results", async |c| hits_shown(c).await == 2).await;
        wait_until(c, "facets", async |c| {
            !c.find_all(Locator::Css("#facets button"))
                .await
                .unwrap()
                .is_empty()
        })
        .await;
        // Titles, outlets and authors show as the characters they are.
        let titles = js(
            c,
            "return Array.from(document.querySelectorAll('.hit-title')).map(a => a.textContent)",
        )
        .await;
        assert!(
            titles
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t == &json!(title2)),
            "{titles}"
        );
        assert_eq!(js(c, injected).await, json!(0));
        // The article view, every match marked.
        // Open the article with the script in its body.
        c.execute(
            "Array.from(document.querySelectorAll('.hit-title')).find(a => a.textContent === arguments[0]).click()",
            vec![json!(title2)],
        )
        .await
        .unwrap();
        wait_until(c, "the article", async |c| {
            text(c, "#match-label").await.starts_with("match")
        })
        .await;
        assert_eq!(text(c, "#article-title").await, title2);
        let shown = js(
            c,
            "return document.getElementById('article-body').textContent",
        )
        .await;
        assert!(shown.as_str().unwrap().contains("<script>"), "{shown}");
        assert_eq!(js(c, injected).await, json!(0));
        // The KWIC tab.
        c.goto(&server.url("/?q=zebra&tab=kwic")).await.unwrap();
        wait_until(c, "KWIC rows", async |c| {
            !c.find_all(Locator::Css("#kwic tbody tr"))
                .await
                .unwrap()
                .is_empty()
        })
        .await;
        assert_eq!(js(c, injected).await, json!(0));
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(js(c, pwned).await, json!([]));
        assert!(c.get_alert_text().await.is_err(), "an alert opened");
    });
}
