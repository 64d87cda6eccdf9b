//! One reader per input format: each is a pure parse from decoded text or bytes to articles
//! (with [`Problem`](crate::ingest::Problem)s for what it could not use). [`xml`] only looks at
//! the root element and dispatches to [`feed`] or [`nitf`]; what the XML readers share is in
//! [`xmlkit`], and [`markup`] (HTML fragments to text) and [`record`] (one JSON/CSV record to an
//! article) are shared helpers.

pub mod feed;
pub mod html;
pub mod json;
pub mod markdown;
pub mod markup;
pub mod nitf;
pub mod record;
pub mod sgml;
pub mod smart;
pub mod table;
pub mod text;
pub mod warc;
pub mod xml;
pub mod xmlkit;
