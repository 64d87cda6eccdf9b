//! The languages of an index as searching sees them: which analyses a query is read in, and
//! BM25 statistics that do not favour the words of a small language.
//!
//! Title and body terms are tagged with their article's language (`de:fluchtling`, English
//! untagged; [`crate::index::analysis`]), so a term's document frequency counts the articles of
//! one language only, while BM25's article count N covers all of them: in an archive of 1,000
//! English and 10 French stories, a French word in 5 of the 10 would look as rare as an English
//! word in 5 of the 1,000, and French stories would outrank English ones for any word both
//! languages share. [`LanguageStatistics`] scales a term's document frequency by N_max / N_lang,
//! N_max being the articles of the archive's largest language: as if every language had as many
//! articles as that one. Every language's idf is then its idf within the language plus about the
//! same ln(N / N_max), so the languages compare fairly, and the largest language's terms keep the
//! searcher's own statistics: on an archive in one language, or mostly in one, that language
//! ranks exactly as plain BM25 ranks it (and as a Quickwit cluster ranks it).

use std::collections::BTreeMap;

use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use crate::error::Result;
use crate::index::analysis::{analysis_of, tag_of};
use crate::index::schema::{Fields, normalize_keyword};
use crate::search::forms::TextTerms;

/// How many articles each analysis holds (`None`: English and unknown languages), counted as
/// BM25 counts articles (deleted ones included until a merge drops them).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LanguageCounts {
    pub total: u64,
    pub per_analysis: BTreeMap<Option<String>, u64>,
}

impl LanguageCounts {
    /// The counts of a local index, from the `language` field's terms.
    pub fn of_index(searcher: &Searcher, fields: &Fields) -> Result<LanguageCounts> {
        let mut counts = BTreeMap::new();
        let mut total = 0u64;
        for seg in searcher.segment_readers() {
            total += u64::from(seg.max_doc());
            let inverted = seg.inverted_index(fields.language)?;
            let mut stream = inverted.terms().stream()?;
            while stream.advance() {
                let Ok(language) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                if let Some(tag) = analysis_of(Some(language)) {
                    *counts.entry(Some(tag.to_string())).or_default() +=
                        u64::from(stream.value().doc_freq);
                }
            }
        }
        Ok(LanguageCounts::from_tagged(total, counts))
    }

    /// The counts from articles per language (`keywords`) among `total`.
    pub fn from_languages(total: u64, keywords: &BTreeMap<String, u64>) -> LanguageCounts {
        let mut counts = BTreeMap::new();
        for (language, n) in keywords {
            if let Some(tag) = analysis_of(Some(&normalize_keyword(language))) {
                *counts.entry(Some(tag.to_string())).or_default() += n;
            }
        }
        LanguageCounts::from_tagged(total, counts)
    }

    /// Every article not counted in a tagged analysis is English (or of no known language).
    fn from_tagged(total: u64, mut counts: BTreeMap<Option<String>, u64>) -> LanguageCounts {
        let tagged: u64 = counts.values().sum();
        if total > tagged {
            counts.insert(None, total - tagged);
        }
        LanguageCounts {
            total,
            per_analysis: counts,
        }
    }

    /// The analyses a query over the whole index is read in: English first (when the index has
    /// English or undetermined articles, or nothing at all), then each language tag.
    pub fn analyses(&self) -> Vec<Option<String>> {
        let mut out: Vec<Option<String>> = self
            .per_analysis
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(tag, _)| tag.clone())
            .collect();
        if out.is_empty() {
            out.push(None);
        }
        out
    }

    /// The articles of the analysis of an indexed title/body term.
    fn of_term(&self, term: &str) -> u64 {
        let tag = tag_of(term).map(str::to_string);
        self.per_analysis.get(&tag).copied().unwrap_or(0)
    }

    /// Whether the ranking scales the document frequency of this title/body term (a language
    /// with fewer articles than the largest).
    pub fn scales(&self, term: &str) -> bool {
        let n = self.of_term(term);
        n > 0 && n < self.largest()
    }

    /// The articles of the largest analysis.
    fn largest(&self) -> u64 {
        self.per_analysis.values().copied().max().unwrap_or(0)
    }

    /// A title/body term's document frequency `df` as the ranking counts it: scaled to the
    /// largest language (see the module's documentation).
    pub fn scaled_df(&self, term: &str, df: u64) -> u64 {
        scaled(df, self.of_term(term), self.largest(), self.total)
    }
}

/// The searcher's BM25 statistics with each title/body term's document frequency scaled to the
/// whole archive (see the module's documentation).
pub struct LanguageStatistics<'a> {
    searcher: &'a Searcher,
    counts: LanguageCounts,
    analysed: [Field; 3],
    /// How a local index counts the articles of a `text` term (from its forms,
    /// [`crate::search::forms`]).
    stems: Option<TextTerms>,
}

impl<'a> LanguageStatistics<'a> {
    pub fn new(
        searcher: &'a Searcher,
        fields: &Fields,
        counts: LanguageCounts,
        stems: Option<TextTerms>,
    ) -> Self {
        LanguageStatistics {
            searcher,
            counts,
            analysed: [fields.text, fields.title, fields.body],
            stems,
        }
    }
}

impl Bm25StatisticsProvider for LanguageStatistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::total_num_tokens(self.searcher, field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::total_num_docs(self.searcher)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let df = match &self.stems {
            Some(stems) if term.field() == stems.text_field() => {
                stems.doc_freq(self.searcher, term)?
            }
            _ => self.searcher.doc_freq(term)?,
        };
        if !self.analysed.contains(&term.field()) {
            return Ok(df);
        }
        let value = term.value();
        let Some(word) = value.as_str() else {
            return Ok(df);
        };
        Ok(self.counts.scaled_df(word, df))
    }
}

/// BM25's inverse document frequency, as tantivy computes it.
pub fn idf(df: u64, total: u64) -> f32 {
    let x = (total.saturating_sub(df) as f32 + 0.5) / (df as f32 + 0.5);
    (1.0 + x).ln()
}

/// `df` of a term whose language has `n_lang` articles, as if it had `n_max` (rounded, at most
/// `total`); unchanged for the largest language and for an unknown one.
fn scaled(df: u64, n_lang: u64, n_max: u64, total: u64) -> u64 {
    if n_lang == 0 || n_lang >= n_max {
        return df;
    }
    let x = (u128::from(df) * u128::from(n_max) + u128::from(n_lang) / 2) / u128::from(n_lang);
    u64::try_from(x).unwrap_or(total).min(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_frequencies_scale_to_the_whole_archive() {
        assert_eq!(scaled(5, 10, 1000, 1010), 500);
        assert_eq!(
            scaled(5, 1000, 1000, 1010),
            5,
            "the largest language: unchanged"
        );
        assert_eq!(scaled(7, 1010, 1010, 1010), 7, "one language: unchanged");
        assert_eq!(scaled(7, 0, 1000, 1010), 7);
        assert_eq!(scaled(3, 2, 1000, 1010), 1010, "never above the total");
        let counts = LanguageCounts::from_languages(
            12,
            &[("de".to_string(), 2), ("en".to_string(), 9)]
                .into_iter()
                .collect(),
        );
        assert_eq!(counts.analyses(), [None, Some("de".to_string())]);
        assert_eq!(counts.of_term("de:fluchtling"), 2);
        assert_eq!(counts.of_term("caravan"), 10, "English and undetermined");
        assert_eq!(counts.scaled_df("caravan", 3), 3);
        assert_eq!(counts.scaled_df("de:fluchtling", 1), 5);
        assert_eq!(LanguageCounts::default().analyses(), [None]);
    }
}
