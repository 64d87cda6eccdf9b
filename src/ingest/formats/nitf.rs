//! NITF (News Industry Text Format) wire stories: one article per file (record 0).
//!
//! ```text
//! <nitf>
//!   <head>
//!     <title>…</title>                                  title (when there is no hl1)
//!     <tobject><tobject.subject tobject.subject.type="Politics"/></tobject>    tags
//!     <docdata>
//!       <date.issue norm="20181025T140300-0400"/>      date (after pubdata@date.publication)
//!       <date.release norm="…"/>                       date (last resort)
//!       <doc.copyright holder="…"/>                    source (after pubdata@name)
//!       <key-list><keyword key="…"/></key-list>        tags
//!       <identified-content><classifier value="…"/></identified-content>   tags
//!     </docdata>
//!     <pubdata name="…" date.publication="…"/>
//!   </head>
//!   <body>
//!     <body.head>
//!       <hedline><hl1>…</hl1></hedline>                title
//!       <byline>By <person>…</person>, <byttl>…</byttl></byline>   authors
//!     </body.head>
//!     <body.content><p>…</p><block><p>…</p></block></body.content>    body
//!   </body>
//! </nitf>
//! ```
//!
//! NITF's compact dates (`20181025T140300-0400`) are read by `parse_date` like any other.
//! A file that breaks off or turns malformed keeps the text read before the damage, with a warning.

use quick_xml::events::{BytesStart, Event};

use crate::ingest::article::DateSource;
use crate::ingest::formats::markup::push_text;
use crate::ingest::formats::xmlkit::{
    Cursor, Entities, attr, close_element, collapse, local, primary_language,
};
use crate::ingest::meta::{Meta, MetaKey};
use crate::ingest::{FileOutcome, Problem};

/// Elements of `body.content` that are paragraphs or hold paragraphs.
const BLOCKS: &[&str] = &[
    "p",
    "block",
    "hl1",
    "hl2",
    "bq",
    "credit",
    "fn",
    "note",
    "ol",
    "ul",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "tr",
    "caption",
    "media",
    "media-caption",
    "pre",
    "br",
    "hr",
    "tagline",
];

/// Elements of `body.content` whose text is not article text.
const SKIP: &[&str] = &[
    "media-reference",
    "media-metadata",
    "media-object",
    "media-producer",
];

#[derive(Default)]
struct Doc {
    ents: Entities,
    stack: Vec<String>,
    head_title: String,
    title_at: Option<usize>,
    hl1: String,
    hl1_at: Option<usize>,
    hl1_done: bool,
    bylines: Vec<String>,
    byline: String,
    byline_at: Option<usize>,
    persons: Vec<String>,
    person: String,
    person_at: Option<usize>,
    byttl_at: Option<usize>,
    date_publication: Option<String>,
    date_issue: Option<String>,
    date_release: Option<String>,
    pub_name: Option<String>,
    copyright_holder: Option<String>,
    tags: Vec<String>,
    language: Option<String>,
    content_at: Option<usize>,
    skip_at: Option<usize>,
    paragraphs: Vec<String>,
    current: String,
}

/// The document's parts, read until its end or the first XML error; with what went wrong (an
/// error, or a file that ends inside an element), if anything.
fn read_doc(text: &str) -> (Doc, Option<String>) {
    let mut doc = Doc::default();
    let mut cur = Cursor::new(text);
    let mut damage: Option<String> = None;
    loop {
        match cur.next() {
            Ok(Event::Start(e)) => doc.open(&e, false),
            Ok(Event::Empty(e)) => doc.open(&e, true),
            Ok(Event::End(e)) => doc.close(e.name().as_ref()),
            Ok(Event::Text(t)) => doc.text(&t.xml10_content()),
            Ok(Event::CData(t)) => doc.text(&t),
            Ok(Event::GeneralRef(r)) => {
                let s = doc.ents.plain(&r);
                doc.text(&s);
            }
            Ok(Event::Eof) => {
                if !doc.stack.is_empty() {
                    let at = cur.describe(cur.position());
                    damage = Some(format!(
                        "the file ends inside <{}> at {at} (truncated?)",
                        doc.stack.last().map_or("", String::as_str)
                    ));
                }
                break;
            }
            Ok(_) => {}
            Err(err) => {
                let at = cur.describe(err.pos);
                damage = Some(format!("malformed XML at {at}: {}", err.message));
                break;
            }
        }
    }
    doc.flush();
    (doc, damage)
}

/// Parses one NITF document.
pub fn parse(path: &str, text: &str, out: &mut FileOutcome) {
    let (doc, damage) = read_doc(text);

    let title = if doc.hl1.trim().is_empty() {
        collapse(&doc.head_title)
    } else {
        collapse(&doc.hl1)
    };
    let body = doc.paragraphs.join("\n\n");
    if title.is_empty() && body.is_empty() {
        let reason = match damage {
            Some(d) => format!("{d}; no title or text before it"),
            None => "NITF document has no title or text".to_string(),
        };
        out.problems.push(Problem::rejected(path, None, reason));
        return;
    }
    if let Some(d) = damage {
        out.problems.push(Problem::warning(
            path,
            Some(0),
            format!("{d}; kept the text before it"),
        ));
    }

    let mut meta = Meta {
        date_kind: Some(DateSource::Meta),
        ..Meta::default()
    };
    meta.set(MetaKey::Title, &title);
    meta.date = doc.date_publication.or(doc.date_issue).or(doc.date_release);
    if doc.persons.is_empty() {
        for b in &doc.bylines {
            meta.set(MetaKey::Author, b);
        }
    } else {
        for p in doc.persons {
            if !meta.authors.contains(&p) {
                meta.authors.push(p);
            }
        }
    }
    meta.source = doc.pub_name.or(doc.copyright_holder);
    meta.tags = doc.tags;
    meta.language = doc.language.as_deref().and_then(primary_language);
    let article = meta.into_article(path, 0, "nitf", body, &mut out.problems);
    out.articles.push(article);
}

impl Doc {
    fn open(&mut self, e: &BytesStart<'_>, empty: bool) {
        let q = e.name().as_ref().to_string();
        let l = local(&q);
        let parent = self.stack.last().map(|p| local(p).to_string());
        let parent = parent.as_deref();
        let depth = self.stack.len() + 1;

        if self.language.is_none() && matches!(l, "nitf" | "head" | "body" | "body.content") {
            self.language = attr(e, "xml:lang", &mut self.ents);
        }
        match l {
            "pubdata" => {
                set_once(
                    &mut self.date_publication,
                    attr(e, "date.publication", &mut self.ents),
                );
                set_once(&mut self.pub_name, attr(e, "name", &mut self.ents));
            }
            "date.issue" => set_once(&mut self.date_issue, attr(e, "norm", &mut self.ents)),
            "date.release" => set_once(&mut self.date_release, attr(e, "norm", &mut self.ents)),
            "doc.copyright" => {
                set_once(
                    &mut self.copyright_holder,
                    attr(e, "holder", &mut self.ents),
                );
            }
            "keyword" => {
                let v = attr(e, "key", &mut self.ents);
                self.tag(v);
            }
            "classifier" => {
                let v = attr(e, "value", &mut self.ents);
                self.tag(v);
            }
            "tobject.subject" => {
                let v = attr(e, "tobject.subject.type", &mut self.ents);
                self.tag(v);
            }
            _ => {}
        }

        if self.content_at.is_some() && BLOCKS.contains(&l) {
            self.flush();
        }
        if empty {
            return;
        }
        match l {
            "title" if parent == Some("head") && self.title_at.is_none() => {
                self.title_at = Some(depth);
            }
            "hl1" if parent == Some("hedline") && !self.hl1_done => self.hl1_at = Some(depth),
            "byline" if parent == Some("body.head") && self.byline_at.is_none() => {
                self.byline_at = Some(depth);
                self.byline.clear();
            }
            "person" if self.byline_at.is_some() && self.person_at.is_none() => {
                self.person_at = Some(depth);
                self.person.clear();
            }
            "byttl" if self.byline_at.is_some() && self.byttl_at.is_none() => {
                self.byttl_at = Some(depth);
            }
            "body.content" if self.content_at.is_none() => self.content_at = Some(depth),
            _ if self.content_at.is_some() && self.skip_at.is_none() && SKIP.contains(&l) => {
                self.skip_at = Some(depth);
            }
            _ => {}
        }
        self.stack.push(q);
    }

    fn close(&mut self, name: &str) {
        if !close_element(&mut self.stack, name) {
            return;
        }
        let len = self.stack.len();
        let ended = |m: &mut Option<usize>| {
            if m.is_some_and(|d| len < d) {
                *m = None;
                true
            } else {
                false
            }
        };
        ended(&mut self.title_at);
        if ended(&mut self.hl1_at) && !self.hl1.trim().is_empty() {
            self.hl1_done = true;
        }
        ended(&mut self.byttl_at);
        if ended(&mut self.person_at) {
            let p = collapse(&self.person);
            if !p.is_empty() && !self.persons.contains(&p) {
                self.persons.push(p);
            }
        }
        if ended(&mut self.byline_at) {
            let b = collapse(&self.byline);
            if !b.is_empty() {
                self.bylines.push(b);
            }
        }
        ended(&mut self.skip_at);
        if self.content_at.is_some() && BLOCKS.contains(&local(name)) {
            self.flush();
        }
        if ended(&mut self.content_at) {
            self.flush();
        }
    }

    fn text(&mut self, t: &str) {
        if self.title_at.is_some() {
            self.head_title.push_str(t);
        }
        if self.hl1_at.is_some() {
            self.hl1.push_str(t);
        }
        if self.byline_at.is_some() && self.byttl_at.is_none() {
            self.byline.push_str(t);
            if self.person_at.is_some() {
                self.person.push_str(t);
            }
        }
        if self.content_at.is_some() && self.skip_at.is_none() {
            push_text(&mut self.current, t);
        }
    }

    fn tag(&mut self, tag: Option<String>) {
        if let Some(tag) = tag.map(|t| collapse(&t))
            && !tag.is_empty()
            && !self.tags.contains(&tag)
        {
            self.tags.push(tag);
        }
    }

    /// Ends the paragraph being collected.
    fn flush(&mut self) {
        let p = self.current.trim();
        if !p.is_empty() {
            self.paragraphs.push(p.to_string());
        }
        self.current.clear();
    }
}

fn set_once(slot: &mut Option<String>, v: Option<String>) {
    if slot.is_none() {
        *slot = v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::date::parse_date;
    use crate::ingest::{Format, ParseOptions, Severity, parse_bytes};

    fn run(text: &str) -> FileOutcome {
        let mut out = FileOutcome::default();
        parse_bytes(
            "/wire/2018/story.nitf",
            Format::Xml,
            text.as_bytes(),
            &ParseOptions::default(),
            &mut out,
        );
        out
    }

    const STORY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nitf SYSTEM "nitf-3-4.dtd">
<nitf version="-//IPTC//DTD NITF 3.4//EN" xml:lang="en-GB">
  <head>
    <title>Port strike: talks resume</title>
    <meta name="slug" content="PORT-STRIKE"/>
    <tobject tobject.type="news">
      <tobject.subject tobject.subject.refnum="04000000" tobject.subject.type="Economy"/>
    </tobject>
    <docdata>
      <doc-id id-string="wire-2018-10-25-0042"/>
      <date.issue norm="20181025T140300-0400"/>
      <date.release norm="20181025T150000-0400"/>
      <doc.copyright year="2018" holder="Coastal Wire Service"/>
      <identified-content>
        <classifier type="subject" value="Labour"/>
      </identified-content>
      <key-list>
        <keyword key="dockworkers"/>
        <keyword key="shipping"/>
      </key-list>
    </docdata>
  </head>
  <body>
    <body.head>
      <hedline>
        <hl1>Dockworkers and port owners return to the table</hl1>
        <hl2>Mediator sets a Friday deadline</hl2>
      </hedline>
      <byline>By <person>Priya Nair</person> and <person>Owen Hale</person>, <byttl>Coastal Wire staff</byttl></byline>
      <dateline><location>HALIFAX</location></dateline>
    </body.head>
    <body.content>
      <p>Negotiators met for six hours on Thursday &mdash; the first session since the walkout.</p>
      <block>
        <hl2>Cargo waits</hl2>
        <p>More than 40 ships sat at anchor,
           according to the <org>harbour authority</org>.</p>
      </block>
      <media media-type="image">
        <media-reference source="port.jpg"/>
        <media-caption>Cranes stood idle on Wednesday.</media-caption>
        <media-producer>Photo: Wire staff</media-producer>
      </media>
    </body.content>
    <body.end><tagline>Edited overnight.</tagline></body.end>
  </body>
</nitf>"#;

    #[test]
    fn nitf_story() {
        let out = run(STORY);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.articles.len(), 1);
        let a = &out.articles[0];
        assert_eq!(a.record, 0);
        assert_eq!(a.format, "nitf");
        assert_eq!(a.title, "Dockworkers and port owners return to the table");
        assert_eq!(a.authors, ["Priya Nair", "Owen Hale"]);
        assert_eq!(
            a.body,
            "Negotiators met for six hours on Thursday — the first session since the walkout.\n\n\
             Cargo waits\n\n\
             More than 40 ships sat at anchor, according to the harbour authority.\n\n\
             Cranes stood idle on Wednesday."
        );
        assert_eq!(a.published.unwrap().to_rfc3339(), "2018-10-25T18:03:00Z");
        assert_eq!(a.published.unwrap().local_day.to_string(), "2018-10-25");
        assert_eq!(a.date_source, Some(DateSource::Meta));
        assert_eq!(a.source.as_deref(), Some("Coastal Wire Service"));
        assert_eq!(a.tags, ["Economy", "Labour", "dockworkers", "shipping"]);
        assert_eq!(a.language.as_deref(), Some("en"));
        assert_eq!(a.url, None);
    }

    #[test]
    fn head_title_byline_text_and_pubdata() {
        let out = run("<nitf><head><title>Bridge reopens</title>\
             <pubdata type=\"print\" name=\"Morning Courier\" date.publication=\"2017-05-02\"/>\
             <docdata><date.issue norm=\"20170501\"/></docdata></head>\
             <body><body.head><byline>By Lena Marsh</byline></body.head>\
             <body.content><p>Traffic flowed again at noon.</p></body.content></body></nitf>");
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let a = &out.articles[0];
        assert_eq!(a.title, "Bridge reopens");
        assert_eq!(a.authors, ["Lena Marsh"]);
        assert_eq!(a.source.as_deref(), Some("Morning Courier"));
        assert_eq!(a.published.unwrap().local_day.to_string(), "2017-05-02");
        assert_eq!(a.body, "Traffic flowed again at noon.");
    }

    #[test]
    fn truncated_nitf_keeps_text_with_a_warning() {
        let cut = STORY.find("<block>").expect("block");
        let out = run(&STORY[..cut]);
        assert_eq!(out.articles.len(), 1);
        let a = &out.articles[0];
        assert_eq!(a.title, "Dockworkers and port owners return to the table");
        assert_eq!(
            a.body,
            "Negotiators met for six hours on Thursday — the first session since the walkout."
        );
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].severity, Severity::Warning);
        assert!(
            out.problems[0]
                .reason
                .starts_with("the file ends inside <body.content> at line "),
            "{}",
            out.problems[0].reason
        );
    }

    #[test]
    fn empty_nitf_is_rejected() {
        let out = run("<nitf><head><docdata/></head><body><body.content/></body></nitf>");
        assert!(out.articles.is_empty());
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].severity, Severity::Rejected);
        assert_eq!(out.problems[0].reason, "NITF document has no title or text");
    }

    #[test]
    fn compact_dates_keep_time_and_zone() {
        assert_eq!(
            parse_date("20181025T140300-0400").unwrap().to_rfc3339(),
            "2018-10-25T18:03:00Z"
        );
    }
}
