//! From the words a person typed to a tantivy query.
//!
//! Every word must match (AND), because a job search narrows down: "sygeplejerske odense" should
//! not list every nurse in the country plus every ad in Odense. A word matches an ad when its stem
//! in the ad's language occurs in the ad's text (title, description, company, place, occupation
//! labels); a title match scores more. All languages share one field, each ad's text stemmed
//! in its own language, so a word is one posting list whatever the languages of the ads.
//!
//! Typo tolerance costs a walk over the term dictionary and a union over the terms it finds, so it
//! is applied only to words the index (nearly) does not know: a word that occurs in at least
//! `num_docs / RARE_WORD_DIVISOR` ads is trusted as spelt right and costs nothing extra. A rare or
//! unknown word is expanded to its few most frequent close spellings (Levenshtein distance 1 for
//! 4–7 letters, 2 for longer words; none for shorter ones), which then score lower than exact
//! matches.

use std::{collections::HashMap, ops::Bound};

use tantivy::{
    Searcher, Term,
    query::{
        AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, FuzzyTermQuery, Occur,
        Query, RangeQuery, TermQuery, TermSetQuery,
    },
    schema::{Field, IndexRecordOption},
    tokenizer::TextAnalyzer,
};

use super::{
    AdLang, SearchRequest,
    schema::{Dimension, Fields, stemming_analyzer, words_analyzer},
};
use crate::error::Result;

/// At most this many words of a query are used; the rest are ignored.
const MAX_QUERY_WORDS: usize = 10;
/// A word found in fewer than `num_docs / RARE_WORD_DIVISOR` ads gets typo tolerance.
const RARE_WORD_DIVISOR: u64 = 20_000;
/// A close spelling of a rare (but known) word only counts if it is this many times as common.
const MORE_COMMON_FACTOR: u64 = 10;
/// Close spellings used per word.
const MAX_EXPANSIONS: usize = 3;
const TYPO_WEIGHT: f32 = 0.5;
const TITLE_BOOST: f32 = 2.0;

/// The stemming analysers and the word splitter, ready for query-side use. Cloned per search
/// (cheap: the analysers are small boxed state machines).
#[derive(Clone)]
pub(super) struct Analyzers {
    pub stemming: [TextAnalyzer; 3],
    pub words: TextAnalyzer,
}

impl Analyzers {
    pub(super) fn new() -> Self {
        Analyzers {
            stemming: AdLang::ALL.map(stemming_analyzer),
            words: words_analyzer(),
        }
    }

    /// Lowercase words of `text`, deduplicated, in order.
    pub(super) fn words(&mut self, text: &str) -> Vec<String> {
        let mut words: Vec<String> = Vec::new();
        let mut stream = self.words.token_stream(text);
        while let Some(token) = stream.next() {
            if !words.contains(&token.text) {
                words.push(token.text.clone());
            }
        }
        words
    }

    pub(super) fn stem(&mut self, lang: AdLang, word: &str) -> String {
        let mut stream = self.stemming[lang.index()].token_stream(word);
        match stream.next() {
            Some(token) => token.text.clone(),
            None => word.to_string(),
        }
    }
}

/// One word of the query, analysed for each language.
#[derive(Clone, Debug)]
pub(super) struct QueryWord {
    /// As typed, lowercased.
    pub word: String,
    /// Its stem per language (`AdLang::index`).
    pub stems: [String; 3],
    /// The distinct stems that occur in the index, with in how many ads (deleted ones included).
    pub terms: Vec<(String, u64)>,
    /// In how many ads the word occurs, roughly.
    pub doc_freq: u64,
    /// Close spellings (stemmed terms that occur), when the word is rare.
    pub typo_alternatives: Vec<String>,
}

impl QueryWord {
    /// Analyses `word` (lowercase) against the index, without typo alternatives.
    pub(super) fn exact(
        searcher: &Searcher,
        fields: &Fields,
        analyzers: &mut Analyzers,
        word: &str,
    ) -> Result<Self> {
        let stems = AdLang::ALL.map(|lang| analyzers.stem(lang, word));
        let mut terms: Vec<(String, u64)> = Vec::with_capacity(3);
        for stem in &stems {
            if terms.iter().any(|(term, _)| term == stem) {
                continue;
            }
            let freq = searcher.doc_freq(&Term::from_field_text(fields.text, stem))?;
            if freq > 0 {
                terms.push((stem.clone(), freq));
            }
        }
        Ok(QueryWord {
            word: word.to_string(),
            doc_freq: terms.iter().map(|(_, freq)| freq).sum(),
            stems,
            terms,
            typo_alternatives: Vec::new(),
        })
    }

    /// Whether the index knows the word as typed (in some language).
    pub(super) fn is_known(&self) -> bool {
        self.doc_freq > 0
    }

    /// Adds the most common close spellings of the word's stems.
    fn add_typo_alternatives(
        &mut self,
        searcher: &Searcher,
        fields: &Fields,
        distance: u8,
    ) -> Result<()> {
        let mut stems: Vec<&String> = self.stems.iter().collect();
        stems.dedup();
        let mut candidates: Vec<(usize, u64, String)> = Vec::new();
        for stem in stems {
            for (term, freq) in close_terms(searcher, fields.text, stem, distance)? {
                if self.stems.contains(&term)
                    || freq < self.doc_freq.saturating_mul(MORE_COMMON_FACTOR)
                {
                    continue;
                }
                let distance = super::highlight::edit_distance(stem, &term);
                candidates.push((distance, freq, term));
            }
        }
        candidates.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        for (_, _, term) in candidates {
            if self.typo_alternatives.len() == MAX_EXPANSIONS {
                break;
            }
            if !self.typo_alternatives.contains(&term) {
                self.typo_alternatives.push(term);
            }
        }
        Ok(())
    }
}

/// Splits and analyses `q`, deciding per word whether it needs typo tolerance.
pub(super) fn analyze_query(
    searcher: &Searcher,
    fields: &Fields,
    analyzers: &mut Analyzers,
    q: &str,
) -> Result<Vec<QueryWord>> {
    let mut words = analyzers.words(q);
    words.truncate(MAX_QUERY_WORDS);
    // A word in a single ad is suspect even in a small index.
    let rare_below = (searcher.num_docs() / RARE_WORD_DIVISOR).max(2);
    let mut analysed = Vec::with_capacity(words.len());
    for word in words {
        let mut analysed_word = QueryWord::exact(searcher, fields, analyzers, &word)?;
        if analysed_word.doc_freq < rare_below
            && let Some(distance) = typo_distance(&word)
        {
            analysed_word.add_typo_alternatives(searcher, fields, distance)?;
        }
        analysed.push(analysed_word);
    }
    Ok(analysed)
}

/// How many edits a misspelt word may be from what it meant, by its length in characters.
pub(super) fn typo_distance(word: &str) -> Option<u8> {
    match word.chars().count() {
        0..=3 => None,
        4..=7 => Some(1),
        _ => Some(2),
    }
}

/// Terms of `field` within `distance` edits of `text`, with their document frequencies summed
/// over the segments.
pub(super) fn close_terms(
    searcher: &Searcher,
    field: Field,
    text: &str,
    distance: u8,
) -> Result<Vec<(String, u64)>> {
    let automaton =
        FuzzyTermQuery::new(Term::from_field_text(field, text), distance, true).automaton()?;
    let mut found: HashMap<String, u64> = HashMap::new();
    for segment in searcher.segment_readers() {
        let inverted_index = segment.inverted_index(field)?;
        let mut stream = inverted_index.terms().search(&automaton).into_stream()?;
        while stream.advance() {
            if let Ok(term) = std::str::from_utf8(stream.key()) {
                *found.entry(term.to_string()).or_default() += u64::from(stream.value().doc_freq);
            }
        }
    }
    Ok(found.into_iter().collect())
}

/// Nearest first, then most common, then alphabetical (for stable results).
pub(super) fn rank_close_terms(target: &str, candidates: &mut [(String, u64)]) {
    candidates.sort_by_cached_key(|(term, freq)| {
        (
            super::highlight::edit_distance(target, term),
            std::cmp::Reverse(*freq),
            term.clone(),
        )
    });
}

fn term_query(field: Field, text: &str, boost: f32) -> Box<dyn Query> {
    let query = TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic);
    if boost == 1.0 {
        Box::new(query)
    } else {
        Box::new(BoostQuery::new(Box::new(query), boost))
    }
}

fn any_should(mut queries: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match queries.len() {
        0 => None,
        1 => queries.pop(),
        _ => Some(Box::new(BooleanQuery::new(
            queries
                .into_iter()
                .map(|query| (Occur::Should, query))
                .collect(),
        ))),
    }
}

/// Matches ads containing the word, exactly (by its stem in any language) or by a close
/// spelling. Stems the index does not have are left out, so a word is mostly one posting list.
fn word_query(fields: &Fields, word: &QueryWord) -> Box<dyn Query> {
    let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
    for (term, _) in &word.terms {
        alternatives.push(term_query(fields.text, term, 1.0));
    }
    for alternative in &word.typo_alternatives {
        alternatives.push(term_query(fields.text, alternative, TYPO_WEIGHT));
    }
    any_should(alternatives).unwrap_or_else(|| Box::new(EmptyQuery))
}

/// Optional clauses that score the word higher where it is in the title (or occupation labels).
/// Never needed for matching, since titles are in the text too: at the top level of the query
/// they are only looked up for ads that match, and dropped entirely when nothing is scored.
fn title_boosts(fields: &Fields, word: &QueryWord) -> Vec<Box<dyn Query>> {
    let mut boosts = Vec::new();
    for (term, _) in &word.terms {
        boosts.push(term_query(fields.title, term, TITLE_BOOST));
    }
    for alternative in &word.typo_alternatives {
        boosts.push(term_query(
            fields.title,
            alternative,
            TYPO_WEIGHT * TITLE_BOOST,
        ));
    }
    boosts
}

/// One value matches when the ad has any of `values` (OR); adds nothing to the score.
fn any_of(field: Field, values: &[String]) -> Box<dyn Query> {
    let query: Box<dyn Query> = match values {
        [] => Box::new(EmptyQuery),
        [value] => Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        )),
        _ => Box::new(TermSetQuery::new(
            values
                .iter()
                .map(|value| Term::from_field_text(field, value)),
        )),
    };
    Box::new(ConstScoreQuery::new(query, 0.0))
}

/// The filters of a request, each a clause every hit must satisfy.
pub(super) fn filter_clauses(fields: &Fields, request: &SearchRequest) -> Vec<Box<dyn Query>> {
    let mut clauses = Vec::new();
    let dimension_filters = [
        (Dimension::Municipality, &request.municipalities),
        (Dimension::Region, &request.regions),
        (Dimension::OccupationalField, &request.fields),
        (Dimension::Occupation, &request.occupations),
        (Dimension::EmploymentType, &request.employment_types),
        (Dimension::Remote, &request.remote),
    ];
    for (dimension, values) in dimension_filters {
        if !values.is_empty() {
            clauses.push(any_of(fields.dimension(dimension), values));
        }
    }
    // An empty radius list is a radius with no municipality in it: nothing matches.
    if let Some(within) = &request.within {
        clauses.push(any_of(fields.dimension(Dimension::Municipality), within));
    }
    if let Some(after) = request.published_after {
        let range = RangeQuery::new(
            Bound::Included(Term::from_field_i64(fields.published_at, after)),
            Bound::Unbounded,
        );
        clauses.push(Box::new(ConstScoreQuery::new(Box::new(range), 0.0)));
    }
    clauses
}

/// The whole query: every word and every filter.
pub(super) fn build_query(
    fields: &Fields,
    words: &[QueryWord],
    filters: Vec<Box<dyn Query>>,
) -> Box<dyn Query> {
    if words.is_empty() && filters.is_empty() {
        return Box::new(AllQuery);
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = words
        .iter()
        .map(|word| (Occur::Must, word_query(fields, word)))
        .collect();
    clauses.extend(filters.into_iter().map(|filter| (Occur::Must, filter)));
    if clauses.len() == 1 && words.is_empty() {
        return clauses.pop().expect("one clause").1;
    }
    for word in words {
        clauses.extend(
            title_boosts(fields, word)
                .into_iter()
                .map(|boost| (Occur::Should, boost)),
        );
    }
    Box::new(BooleanQuery::new(clauses))
}
