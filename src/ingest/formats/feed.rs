//! News feeds: RSS 2.0, RSS 1.0 (RDF) and Atom, one article per `<item>` / `<entry>`
//! (`record` = the item's 0-based position in the file).
//!
//! RSS/RDF items: `title`; body from `content:encoded`, else `description` (HTML, escaped or in
//! CDATA); `link`, else a permalink `guid` → url; `pubDate` / `dc:date` → date; `author` (`email
//! (Name)` keeps the name) / `dc:creator` → authors; `category` / `dc:subject` → tags, the first
//! also the section. Channel `title` → source and channel `language` / `dc:language` → language,
//! for every item.
//!
//! Atom entries: `title` (text, html or xhtml); `content`, else `summary`; `link rel="alternate"`
//! (or the first link) → url; `published`, else `updated` → date; `author/name` → authors (the
//! feed's authors when the entry has none); `category term` → tags; feed `title` → source;
//! `xml:lang` (entry, else feed) → language.
//!
//! An XML error inside an item rejects that item with the line and byte of the error; reading
//! resumes at the next item, so the items before and after it are kept.
//!
//! Longer than 1,000 lines on purpose: about 592 lines of code and the rest unit tests; RSS 2.0,
//! RSS 1.0 and Atom share one streaming loop, and the fixtures for each dialect sit beside it.

use quick_xml::events::{BytesStart, Event};

use crate::ingest::article::DateSource;
use crate::ingest::formats::markup::fragment_to_text;
use crate::ingest::formats::xmlkit::{
    Capture, Cursor, Entities, Mode, XmlError, attr, close_element, collapse, inline_text, local,
    plain_paragraphs, prefix, primary_language,
};
use crate::ingest::meta::{Meta, MetaKey};
use crate::ingest::{FileOutcome, Flush, Problem};

/// Which feed family the root element announced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedKind {
    /// RSS 2.0 (`<rss>`) and RSS 1.0 (`<rdf:RDF>`).
    Rss,
    /// Atom (`<feed>`).
    Atom,
}

impl FeedKind {
    fn item_name(self) -> &'static str {
        match self {
            FeedKind::Rss => "item",
            FeedKind::Atom => "entry",
        }
    }

    fn format(self) -> &'static str {
        match self {
            FeedKind::Rss => "rss",
            FeedKind::Atom => "atom",
        }
    }
}

/// How a text field is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Plain text (Atom `type="text"`).
    Text,
    /// HTML source (RSS descriptions, Atom `type="html"` and `type="xhtml"`).
    Html,
    /// Meant as text but often carrying escaped markup or entities (RSS titles).
    Loose,
}

/// The item or feed field an element holds.
#[derive(Clone, Copy, Debug)]
enum Field {
    Title(Kind),
    Content(Kind),
    Summary(Kind),
    Link,
    Guid {
        permalink: Option<bool>,
    },
    Published,
    Updated,
    /// RSS `author` / `dc:creator`: maybe `email (Name)`, maybe several names.
    Author,
    /// Atom `author/name`: one person.
    AuthorName,
    Category,
    Language,
    FeedTitle(Kind),
    FeedLanguage,
    FeedAuthorName,
}

impl Field {
    fn mode(self) -> Mode {
        match self {
            Field::Title(Kind::Html)
            | Field::Content(Kind::Html)
            | Field::Summary(Kind::Html)
            | Field::FeedTitle(Kind::Html) => Mode::Html,
            _ => Mode::Plain,
        }
    }
}

/// What one item has collected so far.
#[derive(Default)]
struct Item {
    index: u64,
    /// Length of the element stack with the item element on it.
    depth: usize,
    /// The item element's namespace prefix; its core fields share it.
    prefix: Option<String>,
    title: Option<String>,
    content: Option<String>,
    summary: Option<String>,
    published: Option<String>,
    updated: Option<String>,
    link: Option<String>,
    first_link: Option<String>,
    guid_url: Option<String>,
    about: Option<String>,
    authors: Vec<String>,
    atom_authors: Vec<String>,
    tags: Vec<String>,
    language: Option<String>,
}

/// Feed-level values every item inherits.
#[derive(Clone, Default)]
struct Channel {
    title: Option<String>,
    language: Option<String>,
    authors: Vec<String>,
}

struct State {
    kind: FeedKind,
    item_qname: String,
    ents: Entities,
    /// Qualified names of the open elements (explicit: deep nesting never recurses).
    stack: Vec<String>,
    item: Option<Item>,
    items: Vec<Item>,
    next_index: u64,
    /// Stack length outside the last item, to resume with after an error.
    item_parent: Option<usize>,
    /// Stack length with an Atom `author` element on it, while inside one.
    author_depth: Option<usize>,
    channel: Channel,
    capture: Option<(Field, Capture)>,
}

/// Feeds larger than this are read twice: once for the feed-level values every item inherits
/// (the feed's title or authors may come after its items), then item by item, each item handed
/// to `flush` as it ends. Smaller feeds are read once, their items kept to the end.
const TWO_PASS_BYTES: usize = 1 << 20;

/// What [`read`] does with an item once it has ended.
#[derive(Clone, Copy)]
enum Items<'c> {
    /// Keeps it, to be built when the feed-level values are known (at the end).
    Keep,
    /// Drops it (the first of two passes, for the feed-level values only).
    Drop,
    /// Builds it at once with the feed-level values of a first pass.
    Build(&'c Channel),
}

/// Parses a feed whose root element (`rss`, `rdf:RDF` or `feed`) is `root`.
pub fn parse(
    path: &str,
    text: &str,
    kind: FeedKind,
    root: &str,
    out: &mut FileOutcome,
    flush: &mut Flush<'_>,
) {
    if text.len() <= TWO_PASS_BYTES {
        read(path, text, kind, root, out, Items::Keep, flush);
        return;
    }
    // The first pass's problems are those of the second: only the second's are kept.
    let mut scratch = FileOutcome::default();
    let channel = read(
        path,
        text,
        kind,
        root,
        &mut scratch,
        Items::Drop,
        &mut crate::ingest::keep_all,
    );
    read(path, text, kind, root, out, Items::Build(&channel), flush);
}

/// Reads the feed's events, doing `items` with each item that ends; returns the feed-level
/// values.
fn read(
    path: &str,
    text: &str,
    kind: FeedKind,
    root: &str,
    out: &mut FileOutcome,
    items: Items<'_>,
    flush: &mut Flush<'_>,
) -> Channel {
    let mut st = State::new(kind, root);
    let mut cur = Cursor::new(text);
    let mut errors = 0usize;
    loop {
        let ev = match cur.next() {
            Ok(ev) => ev,
            Err(err) => {
                errors += 1;
                if st.skip_malformed(path, &mut cur, &err, out) {
                    continue;
                }
                break;
            }
        };
        if matches!(ev, Event::Eof) {
            errors += st.end_of_file(path, &mut cur, out);
            break;
        }
        st.event(ev);
        match items {
            Items::Keep => {}
            Items::Drop => st.items.clear(),
            Items::Build(channel) => {
                for it in st.items.drain(..) {
                    build(path, kind, it, channel, out);
                    flush(out);
                }
            }
        }
    }

    if st.next_index == 0 && errors == 0 {
        out.problems
            .push(Problem::rejected(path, None, "feed has no items"));
        return st.channel;
    }
    let State {
        items: kept,
        channel,
        ..
    } = st;
    for it in kept {
        build(path, kind, it, &channel, out);
    }
    channel
}

impl State {
    fn new(kind: FeedKind, root: &str) -> State {
        let item_qname = match (kind, prefix(root)) {
            (FeedKind::Atom, Some(p)) => format!("{p}:entry"),
            _ => kind.item_name().to_string(),
        };
        State {
            kind,
            item_qname,
            ents: Entities::default(),
            stack: Vec::new(),
            item: None,
            items: Vec::new(),
            next_index: 0,
            item_parent: None,
            author_depth: None,
            channel: Channel::default(),
            capture: None,
        }
    }

    /// Reports malformed XML (and drops the item it is in); answers whether reading goes on, at
    /// the next item's start tag.
    fn skip_malformed(
        &mut self,
        path: &str,
        cur: &mut Cursor<'_>,
        err: &XmlError,
        out: &mut FileOutcome,
    ) -> bool {
        let at = cur.describe(err.pos);
        self.capture = None;
        self.author_depth = None;
        let reason = match &self.item {
            Some(_) => format!(
                "malformed XML in this item at {at}: {}; the item was skipped",
                err.message
            ),
            None => format!("malformed XML at {at}: {}", err.message),
        };
        let record = self.item.take().map(|it| it.index);
        out.problems.push(Problem::rejected(path, record, reason));
        let Some(resume) = cur.find_start_tag(err.pos + 1, &self.item_qname) else {
            return false;
        };
        if let Some(parent) = self.item_parent {
            self.stack.truncate(parent);
        }
        cur.resume_at(resume);
        true
    }

    /// Reports a file that ends inside an item (1 error: the item is skipped) or inside the
    /// feed element (a warning); answers the errors.
    fn end_of_file(&mut self, path: &str, cur: &mut Cursor<'_>, out: &mut FileOutcome) -> usize {
        if let Some(it) = self.item.take() {
            let at = cur.describe(cur.position());
            out.problems.push(Problem::rejected(
                path,
                Some(it.index),
                format!(
                    "the file ends inside this item at {at} (truncated?); the item was skipped"
                ),
            ));
            return 1;
        }
        if let Some(open) = self.stack.first() {
            // Ended between items: what came before is whole, but more may be missing.
            let at = cur.describe(cur.position());
            out.problems.push(Problem::warning(
                path,
                None,
                format!("the file ends before </{open}> at {at} (truncated?)"),
            ));
        }
        0
    }
}

impl State {
    fn event(&mut self, ev: Event<'_>) {
        if let Some((field, cap)) = &mut self.capture {
            if cap.feed(&ev, &mut self.ents) {
                let field = *field;
                if let Some((_, cap)) = self.capture.take() {
                    self.stack.pop();
                    self.apply(field, cap.buf);
                }
            }
            return;
        }
        match ev {
            Event::Start(e) => self.open(&e, false),
            Event::Empty(e) => self.open(&e, true),
            Event::End(e) => self.close(e.name().as_ref()),
            _ => {}
        }
    }

    fn open(&mut self, e: &BytesStart<'_>, empty: bool) {
        let q = e.name().as_ref().to_string();
        let depth = self.stack.len();
        if depth == 0
            && let Some(lang) = attr(e, "xml:lang", &mut self.ents)
        {
            self.channel.language = Some(lang);
        }

        if q == self.item_qname {
            // Items never nest: a new item start also ends an unclosed one.
            let mut depth = depth;
            if let Some(prev) = self.item.take() {
                self.stack.truncate(prev.depth.saturating_sub(1));
                depth = self.stack.len();
                self.items.push(prev);
            }
            self.item_parent = Some(depth);
            let it = Item {
                index: self.next_index,
                depth: depth + 1,
                prefix: prefix(&q).map(String::from),
                language: attr(e, "xml:lang", &mut self.ents),
                about: attr(e, "rdf:about", &mut self.ents),
                ..Item::default()
            };
            self.next_index += 1;
            if empty {
                self.items.push(it);
            } else {
                self.stack.push(q);
                self.item = Some(it);
            }
            return;
        }

        let field = match self.item.as_ref().map(|it| (it.depth, it.prefix.clone())) {
            Some((item_depth, item_prefix)) if depth == item_depth => {
                let core = prefix(&q) == item_prefix.as_deref();
                self.item_field(e, local(&q), core, empty, depth)
            }
            Some(_) => (self.author_depth == Some(depth) && local(&q) == "name")
                .then_some(Field::AuthorName),
            None => self.feed_field(e, &q, empty, depth),
        };
        if empty {
            return;
        }
        if let Some(field) = field {
            self.capture = Some((field, Capture::new(field.mode())));
        }
        self.stack.push(q);
    }

    /// The field a direct child of an item holds; attribute-only fields are stored here.
    fn item_field(
        &mut self,
        e: &BytesStart<'_>,
        l: &str,
        core: bool,
        empty: bool,
        depth: usize,
    ) -> Option<Field> {
        match self.kind {
            FeedKind::Rss => match (core, l) {
                (true, "title") => Some(Field::Title(Kind::Loose)),
                (true, "link") => Some(Field::Link),
                (true, "description") => Some(Field::Summary(Kind::Html)),
                (true, "guid") => {
                    let permalink = attr(e, "isPermaLink", &mut self.ents)
                        .map(|v| !v.trim().eq_ignore_ascii_case("false"));
                    Some(Field::Guid { permalink })
                }
                (true, "pubDate") | (false, "date") => Some(Field::Published),
                (true, "author") | (false, "creator") => Some(Field::Author),
                (true, "category") | (false, "subject") => Some(Field::Category),
                (false, "encoded") => Some(Field::Content(Kind::Html)),
                (_, "language") => Some(Field::Language),
                _ => None,
            },
            FeedKind::Atom if core => match l {
                "title" => text_kind(e, &mut self.ents).map(Field::Title),
                "content" | "summary" => {
                    if attr(e, "src", &mut self.ents).is_some() {
                        return None;
                    }
                    let k = text_kind(e, &mut self.ents)?;
                    Some(if l == "content" {
                        Field::Content(k)
                    } else {
                        Field::Summary(k)
                    })
                }
                "link" => {
                    let href = attr(e, "href", &mut self.ents).map(|h| h.trim().to_string());
                    let rel = attr(e, "rel", &mut self.ents);
                    if let (Some(it), Some(href)) = (self.item.as_mut(), href)
                        && !href.is_empty()
                    {
                        if rel.as_deref().is_none_or(|r| r.trim() == "alternate")
                            && it.link.is_none()
                        {
                            it.link = Some(href.clone());
                        }
                        it.first_link.get_or_insert(href);
                    }
                    None
                }
                "published" => Some(Field::Published),
                "updated" => Some(Field::Updated),
                "id" => Some(Field::Guid { permalink: None }),
                "author" => {
                    if !empty {
                        self.author_depth = Some(depth + 1);
                    }
                    None
                }
                "category" => {
                    let term = attr(e, "term", &mut self.ents)
                        .or_else(|| attr(e, "label", &mut self.ents));
                    if let (Some(it), Some(term)) = (self.item.as_mut(), term) {
                        push_tag(&mut it.tags, &term);
                    }
                    None
                }
                _ => None,
            },
            FeedKind::Atom => None,
        }
    }

    /// The feed-level field an element outside any item holds.
    fn feed_field(
        &mut self,
        e: &BytesStart<'_>,
        q: &str,
        empty: bool,
        depth: usize,
    ) -> Option<Field> {
        let l = local(q);
        match self.kind {
            FeedKind::Rss => {
                let in_channel = self.stack.last().is_some_and(|p| local(p) == "channel");
                match (in_channel, prefix(q).is_some(), l) {
                    (true, false, "title") => Some(Field::FeedTitle(Kind::Loose)),
                    (true, _, "language") => Some(Field::FeedLanguage),
                    _ => None,
                }
            }
            FeedKind::Atom => {
                let root_prefix = self.stack.first().and_then(|r| prefix(r));
                if depth == 1 && prefix(q) == root_prefix {
                    match l {
                        "title" => text_kind(e, &mut self.ents).map(Field::FeedTitle),
                        "author" => {
                            if !empty {
                                self.author_depth = Some(depth + 1);
                            }
                            None
                        }
                        _ => None,
                    }
                } else if self.author_depth == Some(depth) && l == "name" {
                    Some(Field::FeedAuthorName)
                } else {
                    None
                }
            }
        }
    }

    fn close(&mut self, name: &str) {
        if !close_element(&mut self.stack, name) {
            return;
        }
        let len = self.stack.len();
        if self.author_depth.is_some_and(|d| len < d) {
            self.author_depth = None;
        }
        if self.item.as_ref().is_some_and(|it| len < it.depth)
            && let Some(it) = self.item.take()
        {
            self.items.push(it);
        }
    }

    fn apply(&mut self, field: Field, buf: String) {
        let set = |slot: &mut Option<String>, v: String| {
            if slot.is_none() && !v.is_empty() {
                *slot = Some(v);
            }
        };
        let ch = &mut self.channel;
        match field {
            Field::FeedTitle(k) => return set(&mut ch.title, inline(k, &buf)),
            Field::FeedLanguage => return set(&mut ch.language, collapse(&buf)),
            Field::FeedAuthorName => {
                let name = collapse(&buf);
                if !name.is_empty() && !ch.authors.contains(&name) {
                    ch.authors.push(name);
                }
                return;
            }
            _ => {}
        }
        let Some(it) = self.item.as_mut() else {
            return;
        };
        match field {
            Field::Title(k) => set(&mut it.title, inline(k, &buf)),
            Field::Content(k) => set(&mut it.content, body_text(k, &buf)),
            Field::Summary(k) => set(&mut it.summary, body_text(k, &buf)),
            Field::Link => set(&mut it.link, collapse(&buf)),
            Field::Guid { permalink } => {
                let v = collapse(&buf);
                if permalink.unwrap_or_else(|| looks_like_url(&v)) && looks_like_url(&v) {
                    set(&mut it.guid_url, v);
                }
            }
            Field::Published => set(&mut it.published, collapse(&buf)),
            Field::Updated => set(&mut it.updated, collapse(&buf)),
            Field::Author => {
                let v = rss_author(&collapse(&buf));
                if !v.is_empty() {
                    it.authors.push(v);
                }
            }
            Field::AuthorName => {
                let name = collapse(&buf);
                if !name.is_empty() && !it.atom_authors.contains(&name) {
                    it.atom_authors.push(name);
                }
            }
            Field::Category => push_tag(&mut it.tags, &collapse(&buf)),
            Field::Language => set(&mut it.language, collapse(&buf)),
            Field::FeedTitle(_) | Field::FeedLanguage | Field::FeedAuthorName => {}
        }
    }
}

/// Builds the article for one finished item, or rejects it.
fn build(path: &str, kind: FeedKind, it: Item, channel: &Channel, out: &mut FileOutcome) {
    let title = it.title.unwrap_or_default();
    let body = it
        .content
        .filter(|c| !c.trim().is_empty())
        .or(it.summary)
        .unwrap_or_default();
    if title.trim().is_empty() && body.trim().is_empty() {
        out.problems.push(Problem::rejected(
            path,
            Some(it.index),
            "item has no title or text",
        ));
        return;
    }
    let mut meta = Meta {
        date_kind: Some(DateSource::Meta),
        ..Meta::default()
    };
    meta.set(MetaKey::Title, &title);
    meta.date = it.published.or(it.updated);
    meta.url = it
        .link
        .or(it.first_link)
        .or(it.guid_url)
        .or(it.about.filter(|a| looks_like_url(a)));
    for a in &it.authors {
        meta.set(MetaKey::Author, a);
    }
    let inherited: &[String] = if it.authors.is_empty() && it.atom_authors.is_empty() {
        &channel.authors
    } else {
        &[]
    };
    for a in it.atom_authors.iter().chain(inherited) {
        if !meta.authors.contains(a) {
            meta.authors.push(a.clone());
        }
    }
    meta.section = it.tags.first().cloned();
    meta.tags = it.tags;
    meta.source = channel.title.clone();
    meta.language = it
        .language
        .as_deref()
        .or(channel.language.as_deref())
        .and_then(primary_language);
    let article = meta.into_article(path, it.index, kind.format(), body, &mut out.problems);
    out.articles.push(article);
}

/// Atom's `type` attribute; `None` for content newsdex cannot read (base64 media and the like).
fn text_kind(e: &BytesStart<'_>, ents: &mut Entities) -> Option<Kind> {
    let t = attr(e, "type", ents).map(|t| t.trim().to_ascii_lowercase());
    match t.as_deref() {
        None | Some("" | "text" | "text/plain") => Some(Kind::Text),
        Some("html" | "text/html" | "xhtml" | "application/xhtml+xml") => Some(Kind::Html),
        Some(t) if t.starts_with("text/") => Some(Kind::Text),
        Some(_) => None,
    }
}

fn inline(k: Kind, buf: &str) -> String {
    match k {
        Kind::Text => collapse(buf),
        Kind::Html => collapse(&fragment_to_text(buf)),
        Kind::Loose => inline_text(buf),
    }
}

fn body_text(k: Kind, buf: &str) -> String {
    match k {
        Kind::Html => fragment_to_text(buf),
        Kind::Text | Kind::Loose => plain_paragraphs(buf),
    }
}

/// RSS `author` is an e-mail address, usually with the name in parentheses: keep the name.
fn rss_author(v: &str) -> String {
    if let Some((_, rest)) = v.split_once('(')
        && let Some(name) = rest.strip_suffix(')')
        && !name.trim().is_empty()
    {
        return name.trim().to_string();
    }
    v.to_string()
}

fn push_tag(tags: &mut Vec<String>, tag: &str) {
    let tag = tag.trim();
    if !tag.is_empty() && !tags.iter().any(|t| t == tag) {
        tags.push(tag.to_string());
    }
}

fn looks_like_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::article::Article;
    use crate::ingest::{Format, ParseOptions, Severity, parse_bytes};

    fn run(bytes: &[u8]) -> FileOutcome {
        let mut out = FileOutcome::default();
        parse_bytes(
            "/feeds/ledger.rss",
            Format::Xml,
            bytes,
            &ParseOptions::default(),
            &mut out,
        );
        out
    }

    fn day(a: &Article) -> String {
        a.published
            .map(|p| p.local_day.to_string())
            .unwrap_or_default()
    }

    const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>The Harbor Ledger</title>
  <link>https://harbor-ledger.example/</link>
  <description>News from the bay towns</description>
  <language>en-US</language>
  <atom:link href="https://harbor-ledger.example/feed" rel="self"/>
  <image><title>Ledger logo</title><url>https://harbor-ledger.example/logo.png</url></image>
  <item>
    <title>Ferry service resumes after storm repairs</title>
    <link>https://harbor-ledger.example/2018/10/25/ferry-resumes</link>
    <guid isPermaLink="false">ledger-4411</guid>
    <pubDate>Thu, 25 Oct 2018 14:03:00 -0400</pubDate>
    <dc:creator>Maria Okafor</dc:creator>
    <category>Transport</category>
    <category>Weather</category>
    <description>Short teaser that should lose to the full text.</description>
    <content:encoded><![CDATA[<p>The morning ferry left the north pier at 6:40 for the first time in <b>three weeks</b>.</p><p>Crews replaced two pilings &amp; a ramp.</p>]]></content:encoded>
  </item>
  <item>
    <title>Council delays vote on &amp;quot;harbor fee&amp;quot;</title>
    <guid>https://harbor-ledger.example/2018/10/26/council-fee</guid>
    <pubDate>Fri, 26 Oct 2018 09:15:00 GMT</pubDate>
    <author>ana.ruiz@harbor-ledger.example (Ana Ruiz)</author>
    <category>Politics</category>
    <description>&lt;p&gt;Members asked for &lt;em&gt;another&lt;/em&gt; week.&lt;/p&gt;&lt;p&gt;Shop owners cheered.&lt;/p&gt;</description>
  </item>
  <item>
    <title>Lighthouse opens for tours</title>
    <link>https://harbor-ledger.example/lighthouse-tours</link>
    <pubDate>Sat, 27 Oct 2018 08:00:00 +0100</pubDate>
    <dc:creator>Tom Berg and Lin Xu</dc:creator>
    <description>Visitors can climb the 112 steps on weekends.</description>
  </item>
</channel>
</rss>"#;

    #[test]
    fn rss2_items_become_articles() {
        let out = run(RSS.as_bytes());
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.articles.len(), 3);
        let a = &out.articles[0];
        assert_eq!(a.record, 0);
        assert_eq!(a.format, "rss");
        assert_eq!(a.title, "Ferry service resumes after storm repairs");
        assert_eq!(
            a.body,
            "The morning ferry left the north pier at 6:40 for the first time in three weeks.\n\n\
             Crews replaced two pilings & a ramp."
        );
        assert_eq!(
            a.url.as_deref(),
            Some("https://harbor-ledger.example/2018/10/25/ferry-resumes")
        );
        assert_eq!(a.authors, ["Maria Okafor"]);
        assert_eq!(a.tags, ["Transport", "Weather"]);
        assert_eq!(a.section.as_deref(), Some("Transport"));
        assert_eq!(a.source.as_deref(), Some("The Harbor Ledger"));
        assert_eq!(a.language.as_deref(), Some("en"));
        assert_eq!(a.date_source, Some(DateSource::Meta));
        assert_eq!(day(a), "2018-10-25");
        assert_eq!(a.published.unwrap().to_rfc3339(), "2018-10-25T18:03:00Z");

        let b = &out.articles[1];
        assert_eq!(b.record, 1);
        assert_eq!(b.title, "Council delays vote on \"harbor fee\"");
        assert_eq!(
            b.body,
            "Members asked for another week.\n\nShop owners cheered."
        );
        assert_eq!(b.authors, ["Ana Ruiz"]);
        assert_eq!(
            b.url.as_deref(),
            Some("https://harbor-ledger.example/2018/10/26/council-fee")
        );
        assert_eq!(b.tags, ["Politics"]);
        assert_eq!(day(b), "2018-10-26");

        let c = &out.articles[2];
        assert_eq!(c.record, 2);
        assert_eq!(c.body, "Visitors can climb the 112 steps on weekends.");
        assert_eq!(c.authors, ["Tom Berg", "Lin Xu"]);
        assert!(c.tags.is_empty());
        assert_eq!(c.section, None);
        assert_eq!(c.source.as_deref(), Some("The Harbor Ledger"));
        assert_eq!(day(c), "2018-10-27");
    }

    #[test]
    fn rdf_feed() {
        let rdf = r#"<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://valley-courier.example/rss">
    <title>Valley Courier</title>
    <link>https://valley-courier.example/</link>
    <dc:language>DE-at</dc:language>
    <items><rdf:Seq>
      <rdf:li resource="https://valley-courier.example/a/1"/>
      <rdf:li resource="https://valley-courier.example/a/2"/>
    </rdf:Seq></items>
  </channel>
  <item rdf:about="https://valley-courier.example/a/1">
    <title>Orchard harvest breaks a record</title>
    <link>https://valley-courier.example/a/1</link>
    <description>Growers picked more apples than in any year since 1990.</description>
    <dc:date>2019-09-14T07:30:00+02:00</dc:date>
    <dc:creator>Greta Hofer</dc:creator>
    <dc:subject>Farming</dc:subject>
  </item>
  <item rdf:about="https://valley-courier.example/a/2">
    <title>Rail line closes for a week</title>
    <dc:date>2019-09-15</dc:date>
  </item>
</rdf:RDF>"#;
        let out = run(rdf.as_bytes());
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.articles.len(), 2);
        let a = &out.articles[0];
        assert_eq!(a.format, "rss");
        assert_eq!(a.title, "Orchard harvest breaks a record");
        assert_eq!(
            a.body,
            "Growers picked more apples than in any year since 1990."
        );
        assert_eq!(a.authors, ["Greta Hofer"]);
        assert_eq!(a.tags, ["Farming"]);
        assert_eq!(a.source.as_deref(), Some("Valley Courier"));
        assert_eq!(a.language.as_deref(), Some("de"));
        assert_eq!(a.published.unwrap().to_rfc3339(), "2019-09-14T05:30:00Z");
        let b = &out.articles[1];
        assert_eq!(b.record, 1);
        assert_eq!(b.title, "Rail line closes for a week");
        assert_eq!(b.body, "");
        // No <link>: the rdf:about URL.
        assert_eq!(b.url.as_deref(), Some("https://valley-courier.example/a/2"));
        assert_eq!(day(b), "2019-09-15");
    }

    #[test]
    fn atom_feed_with_xhtml_content_and_two_authors() {
        let atom = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr-CA">
  <title type="text">Northern Wire</title>
  <id>urn:uuid:7f1c0e7e-0000-4000-8000-000000000001</id>
  <updated>2020-03-02T12:00:00Z</updated>
  <author><name>Desk Editors</name></author>
  <entry>
    <title type="html">Ice road &lt;em&gt;opens&lt;/em&gt; early</title>
    <link rel="self" href="https://northern-wire.example/api/1"/>
    <link rel="alternate" type="text/html" href="https://northern-wire.example/2020/03/01/ice-road"/>
    <id>urn:uuid:7f1c0e7e-0000-4000-8000-000000000002</id>
    <published>2020-03-01T08:00:00-05:00</published>
    <updated>2020-03-02T10:00:00-05:00</updated>
    <author><name>Claire Dubois</name><email>cd@northern-wire.example</email></author>
    <author><name>Sam Okoro</name></author>
    <category term="Transport" label="Getting around"/>
    <category term="Climate"/>
    <summary>Short version.</summary>
    <content type="xhtml">
      <div xmlns="http://www.w3.org/1999/xhtml">
        <p>Trucks crossed the lake on <strong>Sunday</strong>, ten days ahead of schedule.</p>
        <p>Engineers measured ice 90&#160;cm thick &amp; rising.</p>
      </div>
    </content>
    <source><title>Someone else's feed</title></source>
  </entry>
  <entry xml:lang="en">
    <title>Museum reopens</title>
    <link href="https://northern-wire.example/museum"/>
    <updated>2020-03-02T09:00:00Z</updated>
    <summary type="text">Doors open at nine.

Entry is free this week.</summary>
  </entry>
</feed>"#;
        let out = run(atom.as_bytes());
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.articles.len(), 2);
        let a = &out.articles[0];
        assert_eq!(a.format, "atom");
        assert_eq!(a.title, "Ice road opens early");
        assert_eq!(
            a.body,
            "Trucks crossed the lake on Sunday, ten days ahead of schedule.\n\n\
             Engineers measured ice 90 cm thick & rising."
        );
        assert_eq!(
            a.url.as_deref(),
            Some("https://northern-wire.example/2020/03/01/ice-road")
        );
        assert_eq!(a.authors, ["Claire Dubois", "Sam Okoro"]);
        assert_eq!(a.tags, ["Transport", "Climate"]);
        assert_eq!(a.section.as_deref(), Some("Transport"));
        assert_eq!(a.source.as_deref(), Some("Northern Wire"));
        assert_eq!(a.language.as_deref(), Some("fr"));
        assert_eq!(a.published.unwrap().to_rfc3339(), "2020-03-01T13:00:00Z");
        let b = &out.articles[1];
        assert_eq!(b.title, "Museum reopens");
        assert_eq!(b.body, "Doors open at nine.\n\nEntry is free this week.");
        assert_eq!(
            b.url.as_deref(),
            Some("https://northern-wire.example/museum")
        );
        // Falls back to `updated` and to the feed's author.
        assert_eq!(b.published.unwrap().to_rfc3339(), "2020-03-02T09:00:00Z");
        assert_eq!(b.authors, ["Desk Editors"]);
        assert_eq!(b.language.as_deref(), Some("en"));
    }

    #[test]
    fn empty_feed_is_one_rejection() {
        let out = run(b"<rss version=\"2.0\"><channel><title>Quiet Times</title>\
              <description>nothing yet</description></channel></rss>");
        assert!(out.articles.is_empty());
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].severity, Severity::Rejected);
        assert_eq!(out.problems[0].record, None);
        assert_eq!(out.problems[0].reason, "feed has no items");
        let out = run(b"<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>x</title></feed>");
        assert_eq!(out.problems[0].reason, "feed has no items");
    }

    #[test]
    fn item_without_title_or_text_is_rejected() {
        let out = run(b"<rss><channel><title>T</title>\
              <item><link>https://t.example/1</link><description>  </description></item>\
              <item><title>Kept</title></item></channel></rss>");
        assert_eq!(out.articles.len(), 1);
        assert_eq!(out.articles[0].title, "Kept");
        assert_eq!(out.articles[0].record, 1);
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].record, Some(0));
        assert_eq!(out.problems[0].reason, "item has no title or text");
    }

    fn truncated_feed() -> String {
        let full = RSS;
        let cut = full.find("Visitors can climb").expect("third item text");
        full[..cut + 8].to_string()
    }

    #[test]
    fn truncated_feed_keeps_earlier_items() {
        let text = truncated_feed();
        let out = run(text.as_bytes());
        assert_eq!(out.articles.len(), 2);
        assert_eq!(
            out.articles[0].title,
            "Ferry service resumes after storm repairs"
        );
        assert_eq!(
            out.articles[1].title,
            "Council delays vote on \"harbor fee\""
        );
        assert_eq!(out.problems.len(), 1);
        let p = &out.problems[0];
        assert_eq!(p.severity, Severity::Rejected);
        assert_eq!(p.record, Some(2));
        let lines = text.lines().count();
        assert_eq!(
            p.reason,
            format!(
                "the file ends inside this item at line {lines}, byte {} (truncated?); the item was skipped",
                text.len()
            )
        );

        // Cut between items: both kept, with a warning that more may be missing.
        let cut = RSS
            .find("<item>\n    <title>Lighthouse")
            .expect("third item");
        let out = run(&RSS.as_bytes()[..cut]);
        assert_eq!(out.articles.len(), 2);
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].severity, Severity::Warning);
        assert_eq!(
            out.problems[0].reason,
            format!(
                "the file ends before </rss> at line {}, byte {cut} (truncated?)",
                RSS[..cut].lines().count()
            )
        );

        // Cut inside a tag: a syntax error, reported at the tag.
        let full = RSS;
        let cut = full
            .find("<description>Visitors")
            .expect("third description")
            + 6;
        let out = run(&full.as_bytes()[..cut]);
        assert_eq!(out.articles.len(), 2);
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].record, Some(2));
        let line = full[..cut].lines().count();
        assert!(
            out.problems[0].reason.starts_with(&format!(
                "malformed XML in this item at line {line}, byte {}:",
                cut - 6
            )),
            "{}",
            out.problems[0].reason
        );
    }

    #[test]
    fn malformed_item_is_skipped_and_reading_resumes() {
        let feed = "<rss><channel><title>Bay Post</title>\n\
            <item><title>First</title><description>One.</description></item>\n\
            <item><title>Second</title><description>Two <b>bold</description></item>\n\
            <item><title>Third</title><description>Three.</description></item>\n\
            </channel></rss>";
        let out = run(feed.as_bytes());
        let titles: Vec<_> = out.articles.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(titles, ["First", "Third"]);
        assert_eq!(out.articles[1].record, 2);
        assert_eq!(out.articles[1].source.as_deref(), Some("Bay Post"));
        assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
        assert_eq!(out.problems[0].record, Some(1));
        assert!(
            out.problems[0]
                .reason
                .starts_with("malformed XML in this item at line 3,"),
            "{}",
            out.problems[0].reason
        );
    }

    #[test]
    fn billion_laughs_is_not_expanded() {
        let mut doc =
            String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n");
        doc.push_str("<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
        for i in 2..=9 {
            let p = format!("&lol{};", i - 1).repeat(10);
            doc.push_str(&format!("<!ENTITY lol{i} \"{p}\">\n"));
        }
        doc.push_str("<!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n]>\n");
        doc.push_str(
            "<rss><channel><title>Laughs &lol9;</title><item><title>Budget passes &lol9;</title>\
             <description>Lawmakers approved it &lol9; &xxe; late on Friday.</description>\
             </item></channel></rss>",
        );
        let start = std::time::Instant::now();
        let out = run(doc.as_bytes());
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.articles.len(), 1);
        let a = &out.articles[0];
        assert_eq!(a.title, "Budget passes &lol9;");
        assert_eq!(a.body, "Lawmakers approved it &lol9; &xxe; late on Friday.");
        assert_eq!(a.source.as_deref(), Some("Laughs &lol9;"));
    }

    #[test]
    fn latin1_feed_is_decoded() {
        let mut bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n\
            <rss version=\"2.0\"><channel><title>Le Journal du Caf\xe9</title><item>\
            <title>F\xeate de la ville \xe0 Qu\xe9bec</title>\
            <description>Les r\xe9sidents ont c\xe9l\xe9br\xe9 \xa3 et \xe9t\xe9.</description>"
            .to_vec();
        bytes.extend_from_slice(b"</item></channel></rss>");
        let out = run(&bytes);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let a = &out.articles[0];
        assert_eq!(a.title, "Fête de la ville à Québec");
        assert_eq!(a.body, "Les résidents ont célébré £ et été.");
        assert_eq!(a.source.as_deref(), Some("Le Journal du Café"));
    }

    #[test]
    fn deep_nesting_and_odd_entities_do_not_break_items() {
        let deep = "<x>".repeat(50_000) + "buried" + &"</x>".repeat(50_000);
        let feed = format!(
            "<rss><channel><title>Deep</title><item><title>Tom &amp;amp; Jerry&nbsp;return</title>\
             {deep}<description>Plain &mdash; and &unknown; text.</description></item>\
             </channel></rss>"
        );
        let out = run(feed.as_bytes());
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let a = &out.articles[0];
        assert_eq!(a.title, "Tom & Jerry return");
        assert_eq!(a.body, "Plain — and &unknown; text.");
    }

    #[test]
    fn inline_markup_prefixed_atom_and_unclosed_items() {
        // Unescaped XHTML inside a description is kept as markup.
        let out = run(
            b"<rss><channel><title>Inline</title><item><title>Tide tables</title>\
              <description><p>High water at <b>5:12</b><br/>low at 11:40 &amp; <![CDATA[a<b]]></p>\
              <p>Second &nbsp;line</p></description></item></channel></rss>",
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(
            out.articles[0].body,
            "High water at 5:12\n\nlow at 11:40 & a<b\n\nSecond line"
        );

        // Atom with a prefixed root: entries and their fields share the prefix.
        let out = run(
            b"<a:feed xmlns:a=\"http://www.w3.org/2005/Atom\"><a:title>Pfx News</a:title>\
              <a:entry><a:title>Harbour dredging starts</a:title>\
              <a:content type=\"html\">&lt;p&gt;Barges arrived.&lt;/p&gt;</a:content>\
              <a:updated>2021-06-01T10:00:00Z</a:updated></a:entry></a:feed>",
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let a = &out.articles[0];
        assert_eq!(a.format, "atom");
        assert_eq!(a.title, "Harbour dredging starts");
        assert_eq!(a.body, "Barges arrived.");
        assert_eq!(a.source.as_deref(), Some("Pfx News"));

        // An item left open is ended by the next one; the stray end tag is reported.
        let out = run(
            b"<rss><channel><title>Loose</title>\n<item><title>One</title>\n\
              <item><title>Two</title></item>\n</channel></rss>",
        );
        let titles: Vec<_> = out.articles.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(titles, ["One", "Two"]);
        assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
        assert_eq!(out.problems[0].record, None);
        assert!(
            out.problems[0]
                .reason
                .starts_with("malformed XML at line 4,"),
            "{}",
            out.problems[0].reason
        );
    }

    #[test]
    fn every_truncation_is_handled_without_panic() {
        let b = RSS.as_bytes();
        for cut in 0..b.len() {
            let out = run(&b[..cut]);
            assert!(out.articles.len() <= 3);
            assert!(out.problems.iter().all(|p| p.record.is_none_or(|r| r < 3)));
            assert!(!out.problems.is_empty() || cut == 0 || out.articles.len() == 3);
        }
    }

    #[test]
    fn rss_author_keeps_the_name() {
        assert_eq!(rss_author("jo@x.example (Jo Park)"), "Jo Park");
        assert_eq!(rss_author("Jo Park"), "Jo Park");
        assert_eq!(rss_author("jo@x.example"), "jo@x.example");
    }
}
