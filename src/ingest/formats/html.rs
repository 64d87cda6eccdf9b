//! Web pages saved from news sites (`.html`, `.htm`), and the page extractor that the WARC reader
//! shares ([`extract`]).
//!
//! Metadata comes from, most trusted first: Open Graph and `article:*` meta tags, JSON-LD
//! (`NewsArticle` and kin, also inside arrays and `@graph`), microdata, plain `<meta name>` tags,
//! and finally the visible page (`<h1>`, `<title>`, `<time>`, bylines).
//!
//! The body is the article's main text: `[itemprop=articleBody]`, else the `<article>` with most
//! text, else `<main>`, else the block whose direct paragraphs hold the most non-link text. Inside
//! the chosen block, boilerplate (navigation, header/footer, asides, share bars, "most read" and
//! "related" boxes, newsletter prompts, cookie banners, adverts, comments, bylines) is cut out
//! before its text is taken. The page is parsed once; all statistics come from one walk over it.
//!
//! Longer than 1,000 lines on purpose: about 950 lines of code and the rest unit tests; the
//! extractor is one pass over the DOM with its metadata sources, and its fixtures (real page
//! shapes) sit beside it.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use scraper::{ElementRef, Html, Node, Selector};
use serde_json::Value;

use crate::ingest::article::{Article, DateSource};
use crate::ingest::finish::{site_of_host, url_host};
use crate::ingest::formats::markup;
use crate::ingest::meta::{Meta, MetaKey, split_authors, strip_by};
use crate::ingest::{FileOutcome, ParseOptions, Problem, decode};

/// A node of the parsed page (`ego_tree::NodeRef<Node>`, named through scraper).
type NodeRef<'a> = <ElementRef<'a> as std::ops::Deref>::Target;

/// What is known about a page from outside it (the HTTP response and the crawl that fetched it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hints {
    /// Charset declared by the HTTP `Content-Type` header.
    pub charset: Option<String>,
    /// The URL the page was fetched from.
    pub url: Option<String>,
    /// When the page was fetched (`WARC-Date`): kept as `crawled`, the date of last resort.
    pub crawled: Option<String>,
}

/// Reads one saved page.
pub fn parse(path: &str, bytes: &[u8], _opts: &ParseOptions, out: &mut FileOutcome) {
    match extract(path, 0, bytes, &Hints::default(), &mut out.problems) {
        Some(a) => out.articles.push(a),
        None => out
            .problems
            .push(Problem::rejected(path, None, "no article text found")),
    }
}

/// Extracts the article from one page's bytes. Returns `None` when the page holds no article
/// text (the caller decides whether that is worth reporting); date warnings go to `problems`.
pub fn extract(
    path: &str,
    record: u64,
    bytes: &[u8],
    hints: &Hints,
    problems: &mut Vec<Problem>,
) -> Option<Article> {
    let declared = hints
        .charset
        .clone()
        .or_else(|| decode::declared_charset(bytes));
    let text = decode::decode(bytes, declared.as_deref()).text;
    let flat = markup::limit_nesting(&text, markup::MAX_HTML_DEPTH);
    if flat.is_some() {
        problems.push(Problem::warning(
            path,
            (record > 0).then_some(record),
            format!(
                "page nested more than {} elements deep; the deeper tags were dropped, their text kept",
                markup::MAX_HTML_DEPTH
            ),
        ));
    }
    let mut doc = Html::parse_document(flat.as_deref().unwrap_or(&text));

    let page = Page::analyse(&doc);
    let container = page.choose_container(&doc)?;
    let mut meta = Meta::default();
    collect_meta(path, &doc, &page, Some(container), hints, &mut meta);

    // Boilerplate inside the chosen block, and the headline (already the title), are cut out.
    let cut: Vec<_> = container
        .descendants()
        .skip(1)
        .filter(|n| {
            page.idx(*n).is_some_and(|i| page.junk[i])
                || n.value().as_element().is_some_and(|e| e.name() == "h1")
        })
        .map(|n| n.id())
        .collect();
    let container_id = container.id();
    drop(page);
    for id in cut {
        if let Some(mut n) = doc.tree.get_mut(id) {
            n.detach();
        }
    }
    let body = doc
        .tree
        .get(container_id)
        .and_then(ElementRef::wrap)
        .map(markup::element_text)
        .map(drop_byline_remnant)
        .unwrap_or_default();
    if body.trim().is_empty() {
        return None;
    }
    Some(meta.into_article(path, record, "html", body, problems))
}

/// Two to five capitalised words without digits: a person's name in a byline element.
fn looks_like_name(t: &str) -> bool {
    let words: Vec<&str> = t.split_whitespace().collect();
    (2..=5).contains(&words.len())
        && !t.chars().any(|c| c.is_ascii_digit())
        && words
            .iter()
            .all(|w| w.chars().next().is_some_and(|c| c.is_uppercase()))
}

/// Cutting the author's name out of a line like `By <span class=author>Name</span> · date`
/// leaves `By · October 24, 2018` at the top of the body: drop such a short leftover line.
fn drop_byline_remnant(body: String) -> String {
    let first = body.split("\n\n").next().unwrap_or("");
    let is_remnant = first.len() < 120
        && (first.starts_with("By ") || first.starts_with("BY ") || first == "By")
        && first
            .trim_start_matches(['B', 'y', 'Y'])
            .chars()
            .take_while(|c| !c.is_alphanumeric())
            .any(|c| matches!(c, '·' | '|' | '•' | '-' | '–' | '—' | ','));
    if is_remnant {
        body[first.len()..].trim_start().to_string()
    } else {
        body
    }
}

// ---------------------------------------------------------------------------------------------
// Selectors, compiled once.

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("bad built-in selector {css}: {e}"))
}

macro_rules! selector {
    ($name:ident, $css:expr) => {
        static $name: LazyLock<Selector> = LazyLock::new(|| sel($css));
    };
}

selector!(META, "meta");
selector!(JSON_LD, "script[type]");
selector!(CANONICAL, "link[rel~=canonical][href]");
selector!(TITLE, "title");
selector!(H1, "h1");
selector!(ARTICLE, "article");
selector!(ARTICLE_BODY, "[itemprop~=articleBody]");
selector!(MAIN, "main, [role=main]");
selector!(BODY, "body");
selector!(TIME, "time[datetime]");
selector!(ITEMPROP_DATE, "[itemprop~=datePublished]");
selector!(REL_AUTHOR, "a[rel~=author]");
selector!(ITEMPROP_AUTHOR, "[itemprop~=author]");
selector!(ITEMPROP_NAME, "[itemprop~=name]");
selector!(CLASSED, "[class], [id]");

// ---------------------------------------------------------------------------------------------
// Boilerplate.

/// Tags that are never article text.
const JUNK_TAGS: &[&str] = &[
    "nav", "aside", "footer", "header", "form", "dialog", "menu", "button", "noscript",
];

/// ARIA roles that are never article text.
const JUNK_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "search",
    "dialog",
    "alertdialog",
    "menu",
    "menubar",
];

/// Words in a class or id that mark boilerplate (matched against the words of each class name,
/// split at `-`, `_` and camelCase, so `ad` matches `ad-slot` but not `header`).
const JUNK_WORDS: &[&str] = &[
    "share",
    "sharing",
    "sharebar",
    "social",
    "newsletter",
    "newsletters",
    "subscribe",
    "subscription",
    "signup",
    "related",
    "popular",
    "trending",
    "recommended",
    "promo",
    "promos",
    "promotion",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "advert",
    "adverts",
    "advertisement",
    "advertising",
    "ad",
    "ads",
    "adslot",
    "adunit",
    "sponsored",
    "outbrain",
    "taboola",
    "comment",
    "comments",
    "byline",
    "author",
    "authors",
    "breadcrumb",
    "breadcrumbs",
];

/// Two-word phrases in a class or id that mark boilerplate (`most-read`, `mostRead`).
const JUNK_PAIRS: &[(&str, &str)] = &[
    ("most", "read"),
    ("most", "popular"),
    ("most", "viewed"),
    ("read", "more"),
    ("more", "stories"),
];

/// Elements whose text never counts (mirrors what `markup::element_text` skips).
const NO_TEXT: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "head",
    "button", "select", "form", "canvas",
];

/// Elements that may hold an article's paragraphs in the text-density rule.
const CONTAINERS: &[&str] = &[
    "div",
    "section",
    "article",
    "main",
    "td",
    "body",
    "center",
    "font",
    "span",
    "blockquote",
];

/// The words of a class list or id: `relatedStories most-read` → related, stories, most, read.
fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for token in s.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut word = String::new();
        let mut prev_lower = false;
        for c in token.chars() {
            if c.is_ascii_uppercase() && prev_lower && !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            word.push(c.to_ascii_lowercase());
        }
        if !word.is_empty() {
            out.push(word);
        }
    }
    out
}

/// True when a class list or id names boilerplate.
fn junk_name(s: &str) -> bool {
    let w = words(s);
    w.iter().any(|x| JUNK_WORDS.contains(&x.as_str()))
        || w.windows(2)
            .any(|p| JUNK_PAIRS.contains(&(p[0].as_str(), p[1].as_str())))
        || w.iter().any(|x| x == "mostread" || x == "mostpopular")
}

/// Boilerplate by tag, role or `hidden` (always), and by class or id (unless `exempt`).
fn is_junk(el: &scraper::node::Element, exempt: bool) -> bool {
    let name = el.name();
    if name == "html" || name == "body" {
        return false;
    }
    if JUNK_TAGS.contains(&name) || el.attr("hidden").is_some() {
        return true;
    }
    if el
        .attr("role")
        .is_some_and(|r| JUNK_ROLES.contains(&r.trim().to_ascii_lowercase().as_str()))
    {
        return true;
    }
    !exempt && (el.attr("class").is_some_and(junk_name) || el.attr("id").is_some_and(junk_name))
}

// ---------------------------------------------------------------------------------------------
// One walk over the page: boilerplate flags and text statistics for every node.

struct Page<'a> {
    /// Every node in document order.
    nodes: Vec<NodeRef<'a>>,
    /// Node address → position in `nodes`.
    index: HashMap<usize, usize>,
    parent: Vec<Option<usize>>,
    /// The element itself marks boilerplate.
    junk: Vec<bool>,
    /// The element or one of its ancestors marks boilerplate.
    in_junk: Vec<bool>,
    /// Characters of non-space text under the node, boilerplate excluded.
    text: Vec<usize>,
    /// Of which inside links.
    link: Vec<usize>,
    /// Text-density score (see [`Page::choose_container`]).
    score: Vec<f64>,
}

/// Addresses of the elements that are never boilerplate by their class: the ancestors of the
/// marked-up body and of the headline (`<div class="story has-related">` around them), and every
/// `<article>` (`class="post has-comments"`; a teaser one inside a flagged box is still inside
/// boilerplate).
fn exempt_from_junk(doc: &Html) -> HashSet<usize> {
    let mut exempt = HashSet::new();
    let anchors = doc
        .select(&ARTICLE_BODY)
        .chain(doc.select(&ARTICLE).flat_map(|a| a.select(&H1)).take(1))
        .chain(doc.select(&H1).take(1));
    for a in anchors {
        for n in a.ancestors() {
            exempt.insert(addr(n));
        }
    }
    for a in doc.select(&ARTICLE) {
        exempt.insert(addr(*a));
    }
    exempt
}

/// Every node in document order with its parent's position, without descending into elements
/// that hold no text (scripts, styles). An explicit stack: deep nesting never recurses.
fn flatten(doc: &Html) -> (Vec<NodeRef<'_>>, Vec<Option<usize>>) {
    let mut nodes = Vec::new();
    let mut parent = Vec::new();
    let mut stack = vec![(doc.tree.root(), None)];
    while let Some((node, p)) = stack.pop() {
        let i = nodes.len();
        nodes.push(node);
        parent.push(p);
        if node
            .value()
            .as_element()
            .is_some_and(|e| NO_TEXT.contains(&e.name()))
        {
            continue;
        }
        let children: Vec<_> = node.children().collect();
        for c in children.into_iter().rev() {
            stack.push((c, Some(i)));
        }
    }
    (nodes, parent)
}

/// Characters of text per node (boilerplate excluded), for [`Page`].
struct TextSums {
    /// Under the node.
    text: Vec<usize>,
    /// Under the node inside links.
    link: Vec<usize>,
    /// In the node's direct `<p>` children.
    para: Vec<usize>,
    /// In links inside those paragraphs.
    para_link: Vec<usize>,
    /// In the node's own text children.
    direct: Vec<usize>,
}

impl TextSums {
    /// Children come after their parent in document order, so a reverse sweep sees every
    /// node's subtree complete before adding it to its parent.
    fn add_up(nodes: &[NodeRef<'_>], parent: &[Option<usize>], junk: &[bool]) -> TextSums {
        let n = nodes.len();
        let mut s = TextSums {
            text: vec![0; n],
            link: vec![0; n],
            para: vec![0; n],
            para_link: vec![0; n],
            direct: vec![0; n],
        };
        for i in (0..n).rev() {
            let Some(p) = parent[i] else { continue };
            match nodes[i].value() {
                Node::Text(t) => {
                    let l = text_len(t);
                    s.text[p] += l;
                    s.direct[p] += l;
                }
                Node::Element(e) => {
                    if junk[i] || NO_TEXT.contains(&e.name()) {
                        continue;
                    }
                    s.text[p] += s.text[i];
                    s.link[p] += if e.name() == "a" {
                        s.text[i]
                    } else {
                        s.link[i]
                    };
                    if e.name() == "p" {
                        s.para[p] += s.text[i];
                        s.para_link[p] += s.link[i];
                    }
                }
                _ => {}
            }
        }
        s
    }

    /// A block scores the non-link text of its direct paragraphs (and loose text, for old
    /// table-and-<br> layouts); its parent gets half, so articles that wrap every paragraph
    /// in its own <div> still add up.
    fn scores(&self, nodes: &[NodeRef<'_>], parent: &[Option<usize>], junk: &[bool]) -> Vec<f64> {
        let mut score = vec![0f64; nodes.len()];
        for (i, node) in nodes.iter().enumerate() {
            let Some(e) = node.value().as_element() else {
                continue;
            };
            if junk[i] || !CONTAINERS.contains(&e.name()) {
                continue;
            }
            let own = (self.para[i] + self.direct[i]).saturating_sub(self.para_link[i]) as f64;
            if own > 0.0 {
                score[i] += own;
                if let Some(p) = parent[i] {
                    score[p] += own / 2.0;
                }
            }
        }
        score
    }
}

fn addr(n: NodeRef<'_>) -> usize {
    std::ptr::from_ref(n.value()) as usize
}

fn text_len(t: &str) -> usize {
    t.chars().filter(|c| !c.is_whitespace()).count()
}

impl<'a> Page<'a> {
    fn analyse(doc: &'a Html) -> Page<'a> {
        let exempt = exempt_from_junk(doc);
        let (nodes, parent) = flatten(doc);
        let n = nodes.len();
        let index = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (addr(*n), i))
            .collect();
        let mut junk = vec![false; n];
        let mut in_junk = vec![false; n];
        for i in 0..n {
            if let Some(e) = nodes[i].value().as_element() {
                junk[i] = is_junk(e, exempt.contains(&addr(nodes[i])));
            }
            in_junk[i] = junk[i] || parent[i].is_some_and(|p| in_junk[p]);
        }
        let sums = TextSums::add_up(&nodes, &parent, &junk);
        let score = sums.scores(&nodes, &parent, &junk);
        Page {
            nodes,
            index,
            parent,
            junk,
            in_junk,
            text: sums.text,
            link: sums.link,
            score,
        }
    }

    fn idx(&self, n: NodeRef<'_>) -> Option<usize> {
        self.index.get(&addr(n)).copied()
    }

    fn is_container(&self, i: usize) -> bool {
        self.nodes[i]
            .value()
            .as_element()
            .is_some_and(|e| CONTAINERS.contains(&e.name()))
    }

    /// Whether `i` is `anc` or lies inside it.
    fn within(&self, mut i: usize, anc: usize) -> bool {
        loop {
            if i == anc {
                return true;
            }
            match self.parent[i] {
                Some(p) => i = p,
                None => return false,
            }
        }
    }

    /// The block holding the article text: the marked-up article body, the `<article>`, the
    /// `<main>`, or failing those the best text-density block. A marked-up block that is
    /// itself inside boilerplate (a teaser `<article>` in a "related" box) does not count, nor
    /// does one with under a third of the text of the densest block outside it.
    fn choose_container(&self, doc: &'a Html) -> Option<NodeRef<'a>> {
        let dense = (0..self.nodes.len())
            .filter(|&i| self.score[i] > 0.0 && self.is_container(i) && !self.in_junk[i])
            .max_by(|&a, &b| self.score[a].total_cmp(&self.score[b]).then(b.cmp(&a)));
        for sel in [&*ARTICLE_BODY, &*ARTICLE, &*MAIN] {
            let best = doc
                .select(sel)
                .filter_map(|e| self.idx(*e))
                .filter(|&i| !self.in_junk[i] && self.text[i] > self.link[i])
                .max_by(|&a, &b| self.text[a].cmp(&self.text[b]).then(b.cmp(&a)));
            if let Some(i) = best {
                let outdone = dense.is_some_and(|d| {
                    !self.within(d, i) && (self.text[i] as f64) * 3.0 < self.score[d]
                });
                if !outdone {
                    return Some(self.nodes[i]);
                }
            }
        }
        // No block stands out (text straight in <body>, or only inline wrappers): the page's
        // body, if it holds more than links.
        dense.map(|i| self.nodes[i]).or_else(|| {
            doc.select(&BODY)
                .filter_map(|e| self.idx(*e))
                .find(|&i| self.text[i] > self.link[i])
                .map(|i| self.nodes[i])
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Metadata.

/// Whitespace collapsed to single spaces.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An element's visible text on one line.
fn inline_text(el: ElementRef<'_>) -> String {
    squash(&markup::element_text(el))
}

/// The candidates for each field, in the order they were found; the first wins.
#[derive(Default)]
struct Found {
    og_title: Option<String>,
    og_site: Option<String>,
    og_url: Option<String>,
    og_locale: Option<String>,
    content_language: Option<String>,
    published_time: Option<String>,
    named_date: Option<String>,
    itemprop_date: Option<String>,
    section: Option<String>,
    article_tags: Vec<String>,
    news_keywords: Vec<String>,
    keywords: Vec<String>,
    meta_authors: Vec<String>,
    og_authors: Vec<String>,
}

fn keep(slot: &mut Option<String>, v: &str) {
    let v = v.trim();
    if slot.is_none() && !v.is_empty() {
        *slot = Some(squash(v));
    }
}

fn looks_like_url(s: &str) -> bool {
    let s = s.trim();
    s.contains("://") || s.starts_with('/') || s.starts_with("www.")
}

fn read_meta_tags(doc: &Html) -> Found {
    let mut f = Found::default();
    for m in doc.select(&META) {
        let Some(content) = m.attr("content") else {
            continue;
        };
        let keys = ["property", "name", "itemprop", "http-equiv"]
            .into_iter()
            .filter_map(|a| m.attr(a))
            .map(|k| k.trim().to_ascii_lowercase());
        for key in keys {
            match key.as_str() {
                "og:title" => keep(&mut f.og_title, content),
                "og:site_name" => keep(&mut f.og_site, content),
                "og:url" => keep(&mut f.og_url, content),
                "og:locale" => keep(&mut f.og_locale, content),
                "content-language" | "language" | "dc.language" => {
                    keep(&mut f.content_language, content)
                }
                "article:published_time" | "og:article:published_time" => {
                    keep(&mut f.published_time, content)
                }
                "date" | "pubdate" | "publishdate" | "dc.date.issued" | "dc.date"
                | "sailthru.date" | "parsely-pub-date" => keep(&mut f.named_date, content),
                "datepublished" => keep(&mut f.itemprop_date, content),
                "article:section" => keep(&mut f.section, content),
                "article:tag" => f.article_tags.push(content.to_string()),
                "news_keywords" => f.news_keywords.push(content.to_string()),
                "keywords" => f.keywords.push(content.to_string()),
                "author" => f.meta_authors.push(content.to_string()),
                "article:author" if !looks_like_url(content) => {
                    f.og_authors.push(content.to_string())
                }
                _ => {}
            }
        }
    }
    f
}

/// What the page's JSON-LD says about the article.
#[derive(Default)]
struct LinkedData {
    headline: Option<String>,
    date: Option<String>,
    authors: Vec<String>,
    publisher: Option<String>,
    section: Option<String>,
}

fn is_article_type(v: &Value) -> bool {
    let one = |t: &str| {
        let t = t.rsplit(['/', ':']).next().unwrap_or(t);
        t == "Article" || t.ends_with("NewsArticle") || t == "BlogPosting" || t == "LiveBlogPosting"
    };
    match v {
        Value::String(s) => one(s),
        Value::Array(a) => a.iter().any(|t| t.as_str().is_some_and(one)),
        _ => false,
    }
}

/// Parses a JSON-LD script leniently: HTML comment and CDATA wrappers, trailing semicolons and
/// raw control characters inside strings are tolerated.
fn parse_json_ld(raw: &str) -> Option<Value> {
    let mut s = raw.trim();
    for (open, close) in [("<!--", "-->"), ("<![CDATA[", "]]>")] {
        s = s.strip_prefix(open).unwrap_or(s).trim();
        s = s.strip_suffix(close).unwrap_or(s).trim();
    }
    let s = s.trim_end_matches(';').trim();
    serde_json::from_str(s).ok().or_else(|| {
        let cleaned: String = s
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        serde_json::from_str(&cleaned).ok()
    })
}

fn read_json_ld(doc: &Html) -> LinkedData {
    let values: Vec<Value> = doc
        .select(&JSON_LD)
        .filter(|s| {
            s.attr("type")
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"))
        })
        .filter_map(|s| parse_json_ld(&s.text().collect::<String>()))
        .collect();
    let objects = json_ld_objects(&values);
    let by_id: HashMap<&str, &JsonObject> = objects
        .iter()
        .filter_map(|o| Some((o.get("@id")?.as_str()?, *o)))
        .collect();
    let name_of = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) if !looks_like_url(s) => Some(s.clone()),
            Value::Object(o) => o
                .get("name")
                .and_then(Value::as_str)
                .or_else(|| {
                    let id = o.get("@id")?.as_str()?;
                    by_id.get(id)?.get("name")?.as_str()
                })
                .map(String::from),
            _ => None,
        }
    };
    let articles: Vec<_> = objects
        .iter()
        .filter(|o| o.get("@type").is_some_and(is_article_type))
        .collect();
    let Some(a) = articles
        .iter()
        .find(|o| o.get("headline").and_then(Value::as_str).is_some())
        .or(articles.first())
    else {
        return LinkedData::default();
    };
    let authors = match a.get("author") {
        Some(Value::Array(list)) => list.iter().filter_map(name_of).collect(),
        Some(v) => name_of(v).into_iter().collect(),
        None => Vec::new(),
    };
    let publisher = match a.get("publisher") {
        Some(Value::Array(list)) => list.iter().find_map(name_of),
        Some(v) => name_of(v),
        None => None,
    };
    LinkedData {
        headline: first_str(a.get("headline")).map(|s| squash(&s)),
        date: first_str(a.get("datePublished")),
        authors,
        publisher,
        section: first_str(a.get("articleSection")),
    }
}

type JsonObject = serde_json::Map<String, Value>;

/// Every object in every JSON-LD script, in document order (iterative, at most about 10,000).
fn json_ld_objects(values: &[Value]) -> Vec<&JsonObject> {
    let mut objects: Vec<&JsonObject> = Vec::new();
    for v in values {
        let mut stack = vec![v];
        while let Some(v) = stack.pop() {
            if objects.len() > 10_000 {
                break;
            }
            match v {
                Value::Object(o) => {
                    objects.push(o);
                    stack.extend(o.values().rev());
                }
                Value::Array(a) => stack.extend(a.iter().rev()),
                _ => {}
            }
        }
    }
    objects
}

/// A JSON-LD value as one string: the string, or the first string of an array.
fn first_str(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Array(a) => a.iter().find_map(|x| x.as_str().map(String::from)),
        _ => None,
    }
}

/// `Headline | Outlet` → (`Headline`, `Outlet`): split at the last ` | `, ` - `, ` – ` or ` — `,
/// when both sides are non-empty and the right one is short enough to be an outlet's name.
fn split_title(title: &str) -> (String, Option<String>) {
    let cut = [" | ", " - ", " – ", " — "]
        .iter()
        .filter_map(|sep| title.rfind(sep).map(|i| (i, sep.len())))
        .max_by_key(|(i, _)| *i);
    if let Some((i, len)) = cut {
        let (head, tail) = (title[..i].trim(), title[i + len..].trim());
        if !head.is_empty() && !tail.is_empty() && tail.chars().count() <= 60 {
            return (head.to_string(), Some(tail.to_string()));
        }
    }
    (title.trim().to_string(), None)
}

/// True when a title's tail names the page's site: it is the page's site name or publisher, or a
/// folder the page was saved in (`gulf-coast-herald/` for `Gulf Coast Herald`), or the name its
/// URL's site spells (`Eastside Gazette` for `eastsidegazette.com`, `BBC News` for
/// `bbc.co.uk`, `Diario Costeiro` for `costeiro.pt`). Case, spaces, punctuation and a leading "The" do not count.
fn names_the_site(tail: &str, names: &[Option<&str>], urls: &[Option<String>]) -> bool {
    let squash = |s: &str| -> String {
        let s = s.trim();
        let s = match s.get(..4) {
            Some(the) if the.eq_ignore_ascii_case("the ") => &s[4..],
            _ => s,
        };
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let t = squash(tail);
    if t.chars().count() < 2 {
        return false;
    }
    if names.iter().flatten().any(|n| squash(n) == t) {
        return true;
    }
    urls.iter()
        .flatten()
        .filter_map(|u| url_host(u))
        .any(|host| {
            let site = site_of_host(&host);
            let label: String = site
                .split('.')
                .next()
                .unwrap_or("")
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect();
            // `bbc` in `BBC News`, `post` in `Riverside Post`, `costeiro` in `Diario Costeiro`.
            (label.len() >= 3 && (t.starts_with(&label) || label.starts_with(&t)))
                || (label.len() >= 4 && t.ends_with(&label))
                || (label.len() >= 5 && t.contains(&label))
        })
}

/// `en-US` → `en`; `pt_BR` → `pt`; nonsense → `None`.
fn primary_language(tag: &str) -> Option<String> {
    let p = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    ((2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic())).then_some(p)
}

/// An absolute `http(s)` URL for `href`, resolved against the page's address `base` as a
/// browser resolves a link (the WHATWG URL Standard, by the `url` crate): relative paths, `../`,
/// `//host`, query-only and fragment-only links, tabs and newlines inside, upper-case schemes and
/// hosts. Other schemes (`javascript:`, `mailto:`, `file:`), an empty href and hrefs that are no
/// URL give `None`. An international host is shown in Unicode, as people write it.
fn absolute_url(href: &str, base: Option<&str>) -> Option<String> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    let base = base.and_then(|b| url::Url::parse(b.trim()).ok());
    let url = url::Url::options()
        .base_url(base.as_ref())
        .parse(href)
        .ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    if let Some(url::Host::Domain(host)) = url.host()
        && host.split('.').any(|label| label.starts_with("xn--"))
        && let (unicode, Ok(())) = idna::domain_to_unicode(host)
    {
        return Some(format!(
            "{}{unicode}{}",
            &url[..url::Position::BeforeHost],
            &url[url::Position::AfterHost..]
        ));
    }
    Some(url.into())
}

/// The page's metadata, each item from the first place that has it (meta tags, JSON-LD,
/// microdata, the article element, the page's text), step by step.
fn collect_meta(
    path: &str,
    doc: &Html,
    page: &Page<'_>,
    container: Option<NodeRef<'_>>,
    hints: &Hints,
    meta: &mut Meta,
) {
    let f = read_meta_tags(doc);
    let ld = read_json_ld(doc);
    let scope = Scope::new(doc, page, container);
    let urls = page_urls(doc, &f, hints);
    title_and_source(path, &scope, &f, &ld, &urls, meta);
    if let Some(d) = page_date(&scope, &f, &ld) {
        meta.set(MetaKey::Date, &d);
        meta.date_kind = Some(DateSource::Meta);
    }
    meta.crawled = hints.crawled.clone();
    for n in authors(&scope, &f, &ld) {
        meta.set(MetaKey::Author, &n);
    }
    for u in urls.into_iter().flatten() {
        meta.set(MetaKey::Url, &u);
    }
    language_section_tags(doc, &f, &ld, meta);
}

/// Where [`collect_meta`] looks: the page, which of its parts are boilerplate, and the article
/// element the story lives in (for the headline, date and byline).
struct Scope<'a, 'p> {
    doc: &'a Html,
    page: &'a Page<'p>,
    article: Option<ElementRef<'a>>,
}

impl<'a, 'p> Scope<'a, 'p> {
    fn new(doc: &'a Html, page: &'a Page<'p>, container: Option<NodeRef<'a>>) -> Self {
        let mut scope = Scope {
            doc,
            page,
            article: None,
        };
        scope.article = container
            .and_then(ElementRef::wrap)
            .filter(|c| c.value().name() == "article")
            .or_else(|| doc.select(&ARTICLE).find(|e| scope.not_junk(e)));
        scope
    }

    /// False for an element inside navigation, a footer, an aside and such.
    fn not_junk(&self, e: &ElementRef<'_>) -> bool {
        self.page.idx(**e).is_none_or(|i| !self.page.in_junk[i])
    }
}

/// The page's URLs, best first: `<link rel=canonical>`, `og:url`, the address it was saved from.
fn page_urls(doc: &Html, f: &Found, hints: &Hints) -> [Option<String>; 3] {
    let canonical = doc
        .select(&CANONICAL)
        .filter_map(|l| l.attr("href"))
        .find_map(|h| absolute_url(h, hints.url.as_deref()));
    let og_url = f
        .og_url
        .as_deref()
        .and_then(|u| absolute_url(u, hints.url.as_deref()));
    [canonical, og_url, hints.url.clone()]
}

/// Title and source. The `<title>`'s tail after ` | ` or ` - ` is the outlet only when the page
/// says so elsewhere (its site name, publisher or URL); else it is part of the headline ("Budget
/// passes - what it means for you"). A suffix many pages of one site share is learned over the
/// index (`index::boilerplate`).
fn title_and_source(
    path: &str,
    scope: &Scope<'_, '_>,
    f: &Found,
    ld: &LinkedData,
    urls: &[Option<String>],
    meta: &mut Meta,
) {
    let doc = scope.doc;
    let page_title = doc.select(&TITLE).next().map(inline_text);
    let (title_head, title_tail) = match page_title.as_deref() {
        Some(t) if !t.is_empty() => match split_title(t) {
            (h, Some(tail))
                if names_the_site(
                    &tail,
                    &[f.og_site.as_deref(), ld.publisher.as_deref()]
                        .into_iter()
                        .chain(path.split(['/', '\\']).map(Some))
                        .collect::<Vec<_>>(),
                    urls,
                ) =>
            {
                (Some(h), Some(tail))
            }
            _ => (Some(t.trim().to_string()), None),
        },
        _ => (None, None),
    };
    let h1 = scope
        .article
        .and_then(|a| a.select(&H1).next())
        .or_else(|| doc.select(&H1).find(|e| scope.not_junk(e)))
        .map(inline_text);
    for t in [f.og_title.clone(), ld.headline.clone(), h1, title_head]
        .into_iter()
        .flatten()
    {
        meta.set(MetaKey::Title, &t);
    }
    for s in [f.og_site.clone(), ld.publisher.clone(), title_tail]
        .into_iter()
        .flatten()
    {
        meta.set(MetaKey::Source, &s);
    }
}

/// The publication date: meta tags, JSON-LD, microdata, a `<time>` in the article, a named meta
/// date, any `<time>` outside boilerplate, in that order.
fn page_date(scope: &Scope<'_, '_>, f: &Found, ld: &LinkedData) -> Option<String> {
    let doc = scope.doc;
    let time_in = |root: Option<ElementRef<'_>>| {
        root.and_then(|r| {
            r.select(&TIME)
                .filter_map(|t| t.attr("datetime"))
                .find(|d| !d.trim().is_empty())
                .map(String::from)
        })
    };
    let itemprop_date = || {
        f.itemprop_date.clone().or_else(|| {
            doc.select(&ITEMPROP_DATE).find_map(|e| {
                let v = e
                    .attr("content")
                    .or_else(|| e.attr("datetime"))
                    .map(String::from)
                    .unwrap_or_else(|| inline_text(e));
                (!v.trim().is_empty()).then_some(v)
            })
        })
    };
    let any_time = || {
        doc.select(&TIME)
            .filter(|e| scope.not_junk(e))
            .filter_map(|t| t.attr("datetime"))
            .find(|d| !d.trim().is_empty())
            .map(String::from)
    };
    f.published_time
        .clone()
        .or_else(|| ld.date.clone())
        .or_else(itemprop_date)
        .or_else(|| time_in(scope.article))
        .or_else(|| f.named_date.clone())
        .or_else(any_time)
}

/// Authors: the first source that names anyone (JSON-LD, meta tags, `og:`, `rel=author`,
/// microdata, a byline), split into names.
fn authors(scope: &Scope<'_, '_>, f: &Found, ld: &LinkedData) -> Vec<String> {
    let doc = scope.doc;
    let rel_authors = || -> Vec<String> {
        doc.select(&REL_AUTHOR)
            .filter(|e| scope.not_junk(e))
            .map(inline_text)
            .collect()
    };
    let itemprop_authors = || -> Vec<String> {
        doc.select(&ITEMPROP_AUTHOR)
            .map(|e| {
                e.attr("content")
                    .map(String::from)
                    .or_else(|| e.select(&ITEMPROP_NAME).next().map(inline_text))
                    .unwrap_or_else(|| inline_text(e))
            })
            .filter(|s| !looks_like_url(s))
            .collect()
    };
    let byline = || byline_author(scope).into_iter().collect();
    let sources: [&dyn Fn() -> Vec<String>; 6] = [
        &|| ld.authors.clone(),
        &|| f.meta_authors.clone(),
        &|| f.og_authors.clone(),
        &rel_authors,
        &itemprop_authors,
        &byline,
    ];
    for source in sources {
        let names: Vec<String> = source()
            .iter()
            .flat_map(|s| split_authors(s))
            // "By Jane Doe | 3 June 2019": a part with digits is not a name.
            .filter(|n| n.len() < 100 && !n.chars().any(|c| c.is_ascii_digit()))
            .collect();
        if !names.is_empty() {
            return names;
        }
    }
    Vec::new()
}

/// The name in the first byline element outside boilerplate (`class="byline"`, `"author"`):
/// "By Jane Doe", or a bare name in an element classed exactly `author` or `byline`.
fn byline_author(scope: &Scope<'_, '_>) -> Option<String> {
    let page = scope.page;
    let in_story = |e: &ElementRef<'_>| {
        e.parent()
            .and_then(|p| page.idx(p))
            .is_none_or(|i| !page.in_junk[i])
    };
    scope
        .doc
        .select(&CLASSED)
        .filter(in_story)
        .filter(|e| {
            let w = e.attr("class").map(words).unwrap_or_default();
            w.iter().any(|w| w.contains("byline") || w == "author")
        })
        .map(|e| {
            let bare = e
                .attr("class")
                .map(words)
                .unwrap_or_default()
                .iter()
                .any(|w| w == "author" || w == "byline");
            (inline_text(e), bare)
        })
        .find_map(|(t, bare)| {
            if t.len() >= 200 {
                return None;
            }
            match strip_by(&t) {
                Some(n) if !n.is_empty() => Some(n.to_string()),
                // `<span class="author">Sofía Ibáñez</span>`: a bare name.
                None if bare && looks_like_name(&t) => Some(t),
                _ => None,
            }
        })
}

/// Language (`<html lang>`, `og:locale`, `Content-Language`), section and tags.
fn language_section_tags(doc: &Html, f: &Found, ld: &LinkedData, meta: &mut Meta) {
    let html_lang = doc.root_element().attr("lang").map(String::from);
    if let Some(l) = [html_lang, f.og_locale.clone(), f.content_language.clone()]
        .into_iter()
        .flatten()
        .find_map(|l| primary_language(&l))
    {
        meta.set(MetaKey::Language, &l);
    }
    for s in [f.section.as_ref(), ld.section.as_ref()]
        .into_iter()
        .flatten()
    {
        meta.set(MetaKey::Section, s);
    }
    let tag_lists = [&f.article_tags, &f.news_keywords, &f.keywords];
    let raw = tag_lists.into_iter().find(|l| !l.is_empty());
    let mut tags: Vec<String> = Vec::new();
    for t in raw
        .into_iter()
        .flatten()
        .flat_map(|v| v.split([',', ';']))
        .map(squash)
        .filter(|t| !t.is_empty())
    {
        if !tags.iter().any(|x| x.eq_ignore_ascii_case(&t)) {
            tags.push(t);
        }
    }
    meta.tags = tags;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_against_the_page_as_a_browser_does() {
        let base = Some("https://news.example/world/2026/story.html?x=1#top");
        for (href, want) in [
            ("/a/b", "https://news.example/a/b"),
            ("other.html", "https://news.example/world/2026/other.html"),
            ("../x.html", "https://news.example/world/x.html"),
            ("./../../up", "https://news.example/up"),
            ("//cdn.example/p", "https://cdn.example/p"),
            (
                "?page=2",
                "https://news.example/world/2026/story.html?page=2",
            ),
            (
                "#comments",
                "https://news.example/world/2026/story.html?x=1#comments",
            ),
            ("  https://other.example/a  ", "https://other.example/a"),
            ("HTTPS://Other.Example/A", "https://other.example/A"),
            ("\n/a\t/b", "https://news.example/a/b"),
            ("/a b", "https://news.example/a%20b"),
            ("https://news.example:443/a", "https://news.example/a"),
            ("http://news.example:8080/a", "http://news.example:8080/a"),
        ] {
            assert_eq!(absolute_url(href, base).as_deref(), Some(want), "{href:?}");
        }
        // A protocol-relative link takes the page's scheme.
        assert_eq!(
            absolute_url("//cdn.example/p", Some("http://news.example/")).as_deref(),
            Some("http://cdn.example/p")
        );
    }

    #[test]
    fn links_that_are_no_web_address_are_dropped() {
        let base = Some("https://news.example/story");
        for href in [
            "",
            "   ",
            "javascript:alert(1)",
            "mailto:desk@news.example",
            "data:text/html,<b>x</b>",
            "ftp://files.example/a",
            "http://",
            "https://exa mple.com/",
            "http://[::1",
            "https://news.example:99999/",
        ] {
            assert_eq!(absolute_url(href, base), None, "{href:?}");
        }
        // Without the page's address only absolute links resolve.
        assert_eq!(absolute_url("/a", None), None);
        assert_eq!(absolute_url("story.html", None), None);
        assert_eq!(absolute_url("/a", Some("not a url")), None);
        assert_eq!(
            absolute_url("//cdn.example/p", None),
            None,
            "no scheme to take"
        );
        // A page read from a file: no web address to resolve against.
        assert_eq!(absolute_url("/a", Some("file:///home/me/page.html")), None);
    }

    #[test]
    fn international_hosts_stay_readable() {
        assert_eq!(
            absolute_url("https://bücher.example/straße?q=ä", None).as_deref(),
            Some("https://bücher.example/stra%C3%9Fe?q=%C3%A4")
        );
        assert_eq!(
            absolute_url("/a", Some("https://xn--bcher-kva.example/b")).as_deref(),
            Some("https://bücher.example/a")
        );
        assert_eq!(
            absolute_url("https://user@münchen.example:8443/x", None).as_deref(),
            Some("https://user@münchen.example:8443/x")
        );
    }

    #[test]
    fn hostile_links_resolve_in_linear_time_without_panicking() {
        let long = format!("/{}", "a/../".repeat(200_000));
        assert_eq!(
            absolute_url(&long, Some("https://news.example/")).as_deref(),
            Some("https://news.example/")
        );
        for href in [
            "\u{0}",
            "%",
            "%zz",
            "\u{202e}/x",
            "https://\u{ffff}/",
            "////",
            "..",
            "?#",
        ] {
            let _ = absolute_url(href, Some("https://news.example/a/b"));
        }
    }

    fn page(html: &str) -> Article {
        page_with(html.as_bytes(), &Hints::default())
    }

    fn page_with(bytes: &[u8], hints: &Hints) -> Article {
        let mut problems = Vec::new();
        let a = extract("/news/page.html", 0, bytes, hints, &mut problems).expect("an article");
        assert!(problems.is_empty(), "{problems:?}");
        a
    }

    const FULL: &str = r##"<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="utf-8">
<title>Harbor dredging plan wins council vote | The Harbor Ledger</title>
<meta property="og:title" content="Harbor dredging plan wins council vote">
<meta property="og:site_name" content="The Harbor Ledger">
<meta property="og:url" content="https://ledger.example/news/harbor-dredging">
<meta property="article:published_time" content="2019-06-04T09:30:00-04:00">
<meta property="article:section" content="Local">
<meta property="article:tag" content="harbor">
<meta property="article:tag" content="city council">
<link rel="canonical" href="https://ledger.example/news/harbor-dredging-plan">
<script type="application/ld+json">
{"@context":"https://schema.org","@graph":[
  {"@type":"WebPage","@id":"https://ledger.example/#page","name":"ignored"},
  {"@type":"NewsArticle","headline":"Dredging plan approved","datePublished":"2019-06-04T13:30:00Z",
   "author":[{"@type":"Person","name":"Rosa Lindqvist"},{"@id":"#tomas"}],
   "publisher":{"@type":"Organization","name":"Harbor Ledger Media"},
   "articleSection":["Local","Politics"]},
  {"@type":"Person","@id":"#tomas","name":"Tomas Ferreira"}
]}
</script>
<style>p { color: red }</style>
</head>
<body>
<div id="cookie-banner"><p>We use cookies to improve your experience. Accept all cookies?</p></div>
<header class="site-header"><nav><a href="/">Home</a> <a href="/local">Local</a> <a href="/sport">Sport</a></nav></header>
<main>
<article>
  <header>
    <h1>Harbor dredging plan wins council vote</h1>
    <p class="byline">By Rosa Lindqvist and Tomas Ferreira</p>
    <time datetime="2019-06-01">June 1</time>
  </header>
  <div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Tweet this</a></div>
  <p>The city council voted seven to two on Monday to fund the dredging of the inner harbor,
     ending a dispute that had stalled the project for three years.</p>
  <p>Supporters said deeper channels would let larger cargo ships dock without waiting for the
     tide, while opponents worried about the silt dumped offshore.</p>
  <aside class="related-stories"><h3>Related</h3><ul><li><a href="/a">Ferry fares rise again</a></li></ul></aside>
  <div class="newsletter-signup"><p>Sign up for our morning newsletter and never miss a story.</p></div>
  <figure><img src="dredger.jpg" alt=""><figcaption>A dredger waits at the pier.</figcaption></figure>
  <p>Work is expected to begin in the autumn and last about eighteen months.</p>
  <script>trackPageView();</script>
</article>
<div class="mostRead"><h2>Most read</h2><ol><li><a href="/b">Celebrity chef opens bistro</a></li></ol></div>
</main>
<footer><p>Copyright 2019 The Harbor Ledger. All rights reserved.</p></footer>
</body>
</html>"##;

    #[test]
    fn full_page_metadata_and_clean_body() {
        let a = page(FULL);
        assert_eq!(a.title, "Harbor dredging plan wins council vote");
        assert_eq!(a.source.as_deref(), Some("The Harbor Ledger"));
        assert_eq!(a.format, "html");
        assert_eq!(a.record, 0);
        assert_eq!(a.date_source, Some(DateSource::Meta));
        assert_eq!(a.published.unwrap().to_rfc3339(), "2019-06-04T13:30:00Z");
        assert_eq!(a.authors, ["Rosa Lindqvist", "Tomas Ferreira"]);
        assert_eq!(
            a.url.as_deref(),
            Some("https://ledger.example/news/harbor-dredging-plan")
        );
        assert_eq!(a.language.as_deref(), Some("en"));
        assert_eq!(a.section.as_deref(), Some("Local"));
        assert_eq!(a.tags, ["harbor", "city council"]);

        for junk in [
            "cookies",
            "Home",
            "Share on Facebook",
            "Tweet",
            "Related",
            "Ferry fares",
            "newsletter",
            "Most read",
            "Celebrity chef",
            "Copyright",
            "trackPageView",
            "color: red",
            "By Rosa",
            "June 1",
        ] {
            assert!(!a.body.contains(junk), "{junk:?} in body:\n{}", a.body);
        }
        assert!(!a.body.starts_with("Harbor dredging"), "headline repeated");
        let first = a.body.find("The city council voted seven to two").unwrap();
        let second = a.body.find("Supporters said deeper channels").unwrap();
        let caption = a.body.find("A dredger waits at the pier.").unwrap();
        let last = a.body.find("Work is expected to begin").unwrap();
        assert!(first < second && second < caption && caption < last);
        assert_eq!(
            a.body,
            "The city council voted seven to two on Monday to fund the dredging of the inner \
             harbor, ending a dispute that had stalled the project for three years.\n\n\
             Supporters said deeper channels would let larger cargo ships dock without waiting \
             for the tide, while opponents worried about the silt dumped offshore.\n\n\
             A dredger waits at the pier.\n\n\
             Work is expected to begin in the autumn and last about eighteen months."
        );
    }

    #[test]
    fn json_ld_fills_in_when_meta_tags_are_missing() {
        let html = r##"<html><head><title>Ignored title</title>
<script type="application/ld+json">[{"@type":"Organization","name":"Other"},
 {"@type":["ReportageNewsArticle"],"headline":"Floodwaters recede in the valley",
  "datePublished":"2020-02-11","author":"Imani Osei, Lars Berg",
  "publisher":{"@id":"#org"},"articleSection":"Weather"},
 {"@type":"Organization","@id":"#org","name":"Valley Courier"}];</script></head>
<body><article><p>Residents returned to their homes on Tuesday as the river fell below its banks.</p></article></body></html>"##;
        let a = page(html);
        assert_eq!(a.title, "Floodwaters recede in the valley");
        assert_eq!(a.source.as_deref(), Some("Valley Courier"));
        assert_eq!(a.authors, ["Imani Osei", "Lars Berg"]);
        assert_eq!(a.section.as_deref(), Some("Weather"));
        assert_eq!(a.published.unwrap().local_day.to_string(), "2020-02-11");
        assert_eq!(
            a.body,
            "Residents returned to their homes on Tuesday as the river fell below its banks."
        );
    }

    #[test]
    fn a_title_tail_is_the_outlet_only_when_the_page_names_its_site() {
        let body = "<body><div><p>The old iron bridge reopened to traffic on Friday after six months of work.</p></div></body></html>";
        // Nothing else on the page names a site: the whole title is the headline.
        let a = page(&format!(
            "<html><head><title>Bridge reopens after repairs - Eastside Gazette</title></head>{body}"
        ));
        assert_eq!(a.title, "Bridge reopens after repairs - Eastside Gazette");
        assert_eq!(a.source, None);
        assert_eq!(a.published, None);
        assert!(a.authors.is_empty());
        let a = page(&format!(
            "<html><head><title>Budget passes - what it means for you</title>\
             <link rel=canonical href=\"https://www.citynews.example/2024/budget\"></head>{body}"
        ));
        assert_eq!(a.title, "Budget passes - what it means for you");
        // (The URL's site is its outlet later, in `finish`, with `source_from` = `url`.)
        assert_eq!(a.source, None);
        // The URL's site spells the tail.
        let a = page(&format!(
            "<html><head><title>Bridge reopens after repairs - The Eastside Gazette</title>\
             <link rel=canonical href=\"https://eastsidegazette.example/bridge\"></head>{body}"
        ));
        assert_eq!(a.title, "Bridge reopens after repairs");
        assert_eq!(a.source.as_deref(), Some("The Eastside Gazette"));
        // The site name says so.
        let a = page(&format!(
            "<html><head><title>Bridge reopens | EG Online</title>\
             <meta property=\"og:site_name\" content=\"EG online\"></head>{body}"
        ));
        assert_eq!(a.title, "Bridge reopens");
        assert_eq!(a.source.as_deref(), Some("EG online"));

        let (t, s) = split_title("Vote count: a - b | Section | Metro Daily");
        assert_eq!(t, "Vote count: a - b | Section");
        assert_eq!(s.as_deref(), Some("Metro Daily"));
        assert_eq!(split_title(" | Outlet"), ("| Outlet".to_string(), None));
        assert_eq!(split_title("No separator here").1, None);
    }

    #[test]
    fn density_rule_finds_the_story_without_article_markup() {
        let html = r#"<html><head><title>Night market returns</title></head><body>
<div class="top"><a href="/">Front page</a> <a href="/world">World</a> <a href="/arts">Arts</a></div>
<div class="layout">
  <div class="rail"><p><a href="/x">Earlier: council budget row</a></p><p><a href="/y">Weather for the weekend</a></p></div>
  <div class="story-text">
    <p>The night market on Canal Street returned on Saturday after a two-year pause.</p>
    <p>Stallholders sold dumplings, hot cider and hand-thrown pottery until midnight.</p>
    <div class="ad-slot"><p>Advertisement: buy one, get one free</p></div>
    <p>Organisers said they expect to run it every month through the winter.</p>
  </div>
</div>
<div class="bottom"><p>Contact us | Jobs | <a href="/terms">Terms</a></p></div>
</body></html>"#;
        let a = page(html);
        assert_eq!(a.title, "Night market returns");
        assert_eq!(
            a.body,
            "The night market on Canal Street returned on Saturday after a two-year pause.\n\n\
             Stallholders sold dumplings, hot cider and hand-thrown pottery until midnight.\n\n\
             Organisers said they expect to run it every month through the winter."
        );
    }

    #[test]
    fn latin1_page_with_meta_charset() {
        let bytes =
            b"<html><head><meta charset=\"iso-8859-1\"><title>Caf\xe9 closes</title></head>\
            <body><article><p>The caf\xe9 on the corner charged \xa33 for a coffee and served \
            cr\xe8me br\xfbl\xe9e.</p></article></body></html>";
        let a = page_with(bytes, &Hints::default());
        assert_eq!(a.title, "Café closes");
        assert_eq!(
            a.body,
            "The café on the corner charged £3 for a coffee and served crème brûlée."
        );
    }

    #[test]
    fn http_charset_beats_meta_charset() {
        let (word, _, _) = encoding_rs::ISO_8859_2.encode("Košice");
        let mut bytes = b"<html><head><meta charset=\"iso-8859-1\"></head><body><p>".to_vec();
        bytes.extend_from_slice(&word);
        bytes.extend_from_slice(b" mayor re-elected</p></body></html>");
        let hints = Hints {
            charset: Some("iso-8859-2".into()),
            ..Default::default()
        };
        assert_eq!(page_with(&bytes, &hints).body, "Košice mayor re-elected");
    }

    #[test]
    fn wrongly_declared_charset_on_utf8_page_reads_right() {
        let html = "<html><head><meta charset=\"iso-8859-1\"><title>Zürich fête</title></head>\
            <body><p>Crowds in Zürich watched the fête — and ate crêpes.</p></body></html>";
        let a = page(html);
        assert_eq!(a.title, "Zürich fête");
        assert_eq!(
            a.body,
            "Crowds in Zürich watched the fête — and ate crêpes."
        );
    }

    #[test]
    fn page_without_text_is_rejected() {
        let html = r#"<html><head><title>Home | Ledger</title></head><body>
<nav><a href="/">Home</a><a href="/news">News</a></nav>
<div class="cookie-consent"><p>We use cookies.</p></div>
<footer><p>All rights reserved.</p></footer></body></html>"#;
        let mut out = FileOutcome::default();
        parse(
            "/news/index.html",
            html.as_bytes(),
            &ParseOptions::default(),
            &mut out,
        );
        assert!(out.articles.is_empty());
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].reason, "no article text found");
        assert_eq!(out.problems[0].severity, crate::ingest::Severity::Rejected);
    }

    #[test]
    fn malformed_html_still_parses() {
        let html = "<html><head><title>Storm warning issued</title><body><div class=story><p>Gales of up to \
            ninety miles an hour are forecast <b>for the coast<p>Ferries have been cancelled &amp; \
            schools closed.<div><p>Residents should stay indoors";
        let a = page(html);
        assert_eq!(a.title, "Storm warning issued");
        assert!(
            a.body
                .contains("Gales of up to ninety miles an hour are forecast for the coast")
        );
        assert!(
            a.body
                .contains("Ferries have been cancelled & schools closed.")
        );
        assert!(a.body.contains("Residents should stay indoors"));
    }

    #[test]
    fn microdata_times_and_bylines() {
        let html = r#"<html lang="pt-BR"><head><title>Port strike ends — Diario Costeiro</title>
<meta name="news_keywords" content="ports, strikes, Ports">
<meta http-equiv="content-language" content="es">
<link rel="canonical" href="/2021/03/09/port-strike-ends"></head>
<body><div class="page">
<h1>Port strike ends after nine days</h1>
<div class="article-byline">By Helena Costa</div>
<span itemprop="datePublished" content="2021-03-09T08:00:00+01:00">9 March</span>
<div class="text"><p>Dock workers accepted a new contract late on Monday night.</p></div>
</div></body></html>"#;
        let hints = Hints {
            url: Some("https://costeiro.example/x?y=1".into()),
            crawled: Some("2021-03-10T00:00:00Z".into()),
            ..Default::default()
        };
        let a = page_with(html.as_bytes(), &hints);
        assert_eq!(a.title, "Port strike ends after nine days");
        assert_eq!(a.source.as_deref(), Some("Diario Costeiro"));
        assert_eq!(a.authors, ["Helena Costa"]);
        assert_eq!(a.language.as_deref(), Some("pt"));
        assert_eq!(a.tags, ["ports", "strikes"]);
        assert_eq!(
            a.url.as_deref(),
            Some("https://costeiro.example/2021/03/09/port-strike-ends")
        );
        assert_eq!(a.published.unwrap().to_rfc3339(), "2021-03-09T07:00:00Z");
        assert_eq!(a.date_source, Some(DateSource::Meta));
        assert_eq!(a.crawled.unwrap().local_day.to_string(), "2021-03-10");
        assert_eq!(
            a.body,
            "Dock workers accepted a new contract late on Monday night."
        );
    }

    #[test]
    fn time_in_article_then_named_meta_dates_and_author_fallbacks() {
        let html = r#"<html><head><meta name="date" content="2018-01-01">
<meta property="og:locale" content="en_GB">
<meta property="article:author" content="https://social.example/jdoe"></head>
<body><time datetime="2017-12-31">Sunday</time>
<article><h1>Tide tables revised</h1><time datetime="2018-02-03T10:00:00Z">3 Feb</time>
<p>The port authority has revised its tide tables after a survey of the estuary.</p>
<p>Written by <a rel="author" href="/staff/nia">Nia Campbell</a>.</p></article></body></html>"#;
        let a = page(html);
        assert_eq!(a.published.unwrap().to_rfc3339(), "2018-02-03T10:00:00Z");
        assert_eq!(a.authors, ["Nia Campbell"]);
        assert_eq!(a.language.as_deref(), Some("en"));
        assert_eq!(a.title, "Tide tables revised");

        // Without a <time> in the article, a named meta date beats a stray <time> elsewhere.
        let html = r#"<html><head><meta name="parsely-pub-date" content="2018-01-01T06:00:00Z">
<meta name="author" content="By Omar Haddad and Lena Vogt"></head><body>
<div class="masthead"><time datetime="2017-12-31">Sunday</time></div>
<div><p>A short report on the estuary survey and what it found about silt.</p>
<p class="byline">By Someone Else | 1 January 2018</p></div></body></html>"#;
        let a = page(html);
        assert_eq!(a.published.unwrap().to_rfc3339(), "2018-01-01T06:00:00Z");
        assert_eq!(a.date_source, Some(DateSource::Meta));
        assert_eq!(a.authors, ["Omar Haddad", "Lena Vogt"]);
        assert!(!a.body.contains("Someone Else"), "{}", a.body);
    }

    #[test]
    fn teaser_articles_in_boxes_do_not_win() {
        let html = r#"<html><body>
<div class="content"><h1>Library extends opening hours</h1>
<p>The central library will open until nine on weekdays from next month.</p>
<p>Librarians said evening visits had doubled since the reading room was refurbished.</p></div>
<aside><article><p>Teaser: a short story about something else entirely.</p></article></aside>
<div class="related"><article><h2>Parks</h2><p>Another teaser that should stay out of the body.</p></article></div>
</body></html>"#;
        let a = page(html);
        assert_eq!(a.title, "Library extends opening hours");
        assert!(a.body.starts_with("The central library will open"));
        assert!(!a.body.contains("teaser") && !a.body.contains("Teaser"));
    }

    #[test]
    fn cut_off_and_deeply_nested_pages_never_panic() {
        let mut problems = Vec::new();
        for end in (0..FULL.len())
            .step_by(3)
            .filter(|&i| FULL.is_char_boundary(i))
        {
            let _ = extract(
                "/n/x.html",
                0,
                &FULL.as_bytes()[..end],
                &Hints::default(),
                &mut problems,
            );
        }
        let deep = format!(
            "<html><body>{}<p>Deep inside the page a sentence survives.</p>{}</body></html>",
            "<div>".repeat(1_500),
            "</div>".repeat(1_500)
        );
        assert_eq!(
            page(&deep).body,
            "Deep inside the page a sentence survives."
        );
    }

    #[test]
    fn class_words_are_matched_whole() {
        assert!(junk_name("social-share-bar"));
        assert!(junk_name("relatedStories"));
        assert!(junk_name("most-read"));
        assert!(junk_name("ad-slot top"));
        assert!(!junk_name("header-main"));
        assert!(!junk_name("loadMore"));
        assert!(!junk_name("subscriber-only story-body"));
        assert_eq!(primary_language("en-US").as_deref(), Some("en"));
        assert_eq!(primary_language("x"), None);
    }

    #[test]
    fn dispatcher_reads_html_files() {
        let mut out = FileOutcome::default();
        crate::ingest::parse_bytes(
            "/n/a.html",
            crate::ingest::Format::Html,
            FULL.as_bytes(),
            &ParseOptions::default(),
            &mut out,
        );
        assert_eq!(out.articles.len(), 1, "{:?}", out.problems);
        assert_eq!(
            out.articles[0].title,
            "Harbor dredging plan wins council vote"
        );
    }

    #[test]
    fn bare_author_span_and_byline_remnant() {
        assert_eq!(
            drop_byline_remnant("By · October 24, 2018\n\nThe story.".to_string()),
            "The story."
        );
        assert_eq!(
            drop_byline_remnant("By the time rescuers came, it was over.".to_string()),
            "By the time rescuers came, it was over."
        );
        assert!(looks_like_name("Sofía Ibáñez"));
        assert!(!looks_like_name("Updated 3 hours ago"));
    }
}
