//! Reports built on the [`SearchEngine`](crate::search::SearchEngine) seam: [`export`] (every
//! hit, KWIC, provenance), [`count`] (matches over time or by outlet), [`stats`] and [`eval`]
//! (ranking quality on judged collections), [`trace`] (a quotation's first appearances) and
//! [`watch`] (new hits of saved queries), [`nohits`] (why a filtered search found nothing). Nothing
//! here touches tantivy.

pub mod count;
pub mod eval;
pub mod export;
pub mod nohits;
pub mod stats;
pub mod trace;
pub mod watch;
