//! Typeahead and "did you mean", both from the unstemmed `words` field (titles, occupation
//! labels, companies, places): its dictionary holds the words people search for, spelt as people
//! write them, with how many ads use each.

use std::collections::HashMap;

use tantivy::{Searcher, Term, collector::Count};

use super::{
    SearchRequest,
    query::{Analyzers, QueryWord, build_query, close_terms, filter_clauses, rank_close_terms},
    schema::Fields,
};
use crate::error::Result;

const MIN_PREFIX_CHARS: usize = 2;
/// Dictionary entries looked at per segment for one completion, to bound the work of a short
/// prefix in a big index.
const MAX_TERMS_SCANNED: usize = 20_000;
const MAX_SUGGESTIONS: usize = 3;
/// Corrections considered per misspelt word.
const CORRECTIONS_PER_WORD: usize = 3;
/// Corrected queries checked for hits before giving up.
const MAX_CANDIDATE_QUERIES: usize = 8;

/// Completions of the last word of `input`, most frequent first, each with the words before it.
pub(super) fn complete(
    searcher: &Searcher,
    fields: &Fields,
    analyzers: &mut Analyzers,
    input: &str,
    limit: usize,
) -> Result<Vec<String>> {
    if limit == 0 || input.ends_with(char::is_whitespace) {
        return Ok(Vec::new());
    }
    let mut tokens = Vec::new();
    {
        let mut stream = analyzers.words.token_stream(input);
        while let Some(token) = stream.next() {
            tokens.push((token.text.clone(), token.offset_to));
        }
    }
    let Some((prefix, prefix_end)) = tokens.pop() else {
        return Ok(Vec::new());
    };
    // "c#" or "udv-" is not a word being typed.
    if prefix_end != input.len() || prefix.chars().count() < MIN_PREFIX_CHARS {
        return Ok(Vec::new());
    }
    let mut frequencies: HashMap<String, u64> = HashMap::new();
    for segment in searcher.segment_readers() {
        let inverted_index = segment.inverted_index(fields.words)?;
        let mut stream = inverted_index.terms().range().ge(&prefix).into_stream()?;
        let mut scanned = 0;
        while scanned < MAX_TERMS_SCANNED && stream.advance() {
            let Ok(term) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            if !term.starts_with(prefix.as_str()) {
                break;
            }
            *frequencies.entry(term.to_string()).or_default() += u64::from(stream.value().doc_freq);
            scanned += 1;
        }
    }
    let mut completions: Vec<(String, u64)> = frequencies.into_iter().collect();
    completions.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let head: Vec<&str> = tokens.iter().map(|(word, _)| word.as_str()).collect();
    Ok(completions
        .into_iter()
        .take(limit)
        .map(|(word, _)| {
            if head.is_empty() {
                word
            } else {
                format!("{} {word}", head.join(" "))
            }
        })
        .collect())
}

/// How far a word may be from its correction, by length in characters: further than typo
/// tolerance reaches in a query, because a suggestion is only offered, not applied.
fn correction_distance(word: &str) -> Option<u8> {
    match word.chars().count() {
        0..=2 => None,
        3..=4 => Some(1),
        _ => Some(2),
    }
}

/// Corrected spellings of the query that find ads (with the request's filters), best first.
/// Only words the index does not know are corrected.
pub(super) fn did_you_mean(
    searcher: &Searcher,
    fields: &Fields,
    analyzers: &mut Analyzers,
    words: &[QueryWord],
    request: &SearchRequest,
) -> Result<Vec<String>> {
    let mut choices: Vec<Vec<String>> = Vec::with_capacity(words.len());
    let mut corrected_any = false;
    for word in words {
        let known = word.is_known()
            || searcher.doc_freq(&Term::from_field_text(fields.words, &word.word))? > 0;
        let corrections = match correction_distance(&word.word) {
            Some(distance) if !known => {
                let mut candidates = close_terms(searcher, fields.words, &word.word, distance)?;
                rank_close_terms(&word.word, &mut candidates);
                candidates
                    .into_iter()
                    .take(CORRECTIONS_PER_WORD)
                    .map(|(term, _)| term)
                    .collect()
            }
            _ => Vec::new(),
        };
        if corrections.is_empty() {
            choices.push(vec![word.word.clone()]);
        } else {
            corrected_any = true;
            choices.push(corrections);
        }
    }
    if !corrected_any {
        return Ok(Vec::new());
    }

    // The best correction of every word first, then one word at a time its next best.
    let best: Vec<usize> = vec![0; choices.len()];
    let mut candidates = vec![best.clone()];
    for (position, options) in choices.iter().enumerate() {
        for option in 1..options.len() {
            let mut candidate = best.clone();
            candidate[position] = option;
            candidates.push(candidate);
        }
    }

    let mut suggestions = Vec::new();
    for candidate in candidates.into_iter().take(MAX_CANDIDATE_QUERIES) {
        let corrected: Vec<&str> = candidate
            .iter()
            .zip(&choices)
            .map(|(&option, options)| options[option].as_str())
            .collect();
        let exact_words = corrected
            .iter()
            .map(|word| QueryWord::exact(searcher, fields, analyzers, word))
            .collect::<Result<Vec<_>>>()?;
        let query = build_query(fields, &exact_words, filter_clauses(fields, request));
        if searcher.search(&query, &Count)? > 0 {
            suggestions.push(corrected.join(" "));
            if suggestions.len() == MAX_SUGGESTIONS {
                break;
            }
        }
    }
    Ok(suggestions)
}
