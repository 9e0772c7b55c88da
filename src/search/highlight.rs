//! Highlighted snippets. The index stores no text (1,000,000 descriptions would not fit its size
//! budget), so the caller passes the text it loaded from the database for the hits it shows; the
//! query is analysed once per page, then each text is tokenised with its ad's analyser and the
//! tokens whose stems the query matched are marked.

use std::collections::HashSet;

use super::{AdLang, query::Analyzers, query::QueryWord};
use crate::text::escape_html_into;

/// Marks the query's words in ads' texts. Made by `SearchIndex::highlighter`, once per page.
#[derive(Clone)]
pub struct Highlighter {
    /// Per language (`AdLang::index`): the stems that count as a match, typo alternatives included.
    stems: [HashSet<String>; 3],
    analyzers: Analyzers,
}

struct MarkedToken {
    from: usize,
    to: usize,
}

impl Highlighter {
    pub(super) fn new(words: &[QueryWord], analyzers: Analyzers) -> Self {
        let mut stems: [HashSet<String>; 3] = Default::default();
        for word in words {
            for lang in AdLang::ALL {
                let i = lang.index();
                stems[i].insert(word.stems[i].clone());
                stems[i].extend(word.typo_alternatives.iter().cloned());
            }
        }
        Highlighter { stems, analyzers }
    }

    /// An HTML fragment of about `max_chars` characters of `text` (written in `lang`), taken
    /// where most query words occur: the text is escaped, matches are wrapped in
    /// `<mark>…</mark>`, and "…" shows where the text was cut.
    pub fn snippet(&self, lang: AdLang, text: &str, max_chars: usize) -> String {
        let marked = self.marked_tokens(lang, text);
        let (start, end) = window(text, &marked, max_chars.max(1));
        let mut html = String::with_capacity(end - start + 32);
        if start > 0 {
            html.push('…');
        }
        let mut position = start;
        for token in marked
            .iter()
            .filter(|token| token.from >= start && token.to <= end)
        {
            escape_html_into(&text[position..token.from], &mut html);
            html.push_str("<mark>");
            escape_html_into(&text[token.from..token.to], &mut html);
            html.push_str("</mark>");
            position = token.to;
        }
        escape_html_into(&text[position..end], &mut html);
        if end < text.len() {
            html.push('…');
        }
        html
    }

    fn marked_tokens(&self, lang: AdLang, text: &str) -> Vec<MarkedToken> {
        let stems = &self.stems[lang.index()];
        if stems.is_empty() {
            return Vec::new();
        }
        let mut analyzer = self.analyzers.stemming[lang.index()].clone();
        let mut stream = analyzer.token_stream(text);
        let mut marked = Vec::new();
        while let Some(token) = stream.next() {
            if stems.contains(&token.text) {
                marked.push(MarkedToken {
                    from: token.offset_from,
                    to: token.offset_to,
                });
            }
        }
        marked
    }
}

/// Byte range of the snippet: the `max_chars` window holding the most marked tokens (the text's
/// start when that is as good), widened to whole words.
fn window(text: &str, marked: &[MarkedToken], max_chars: usize) -> (usize, usize) {
    let limit_from = |start: usize| {
        text[start..]
            .char_indices()
            .nth(max_chars)
            .map_or(text.len(), |(offset, _)| start + offset)
    };
    let mut best_start = 0;
    let first_limit = limit_from(0);
    let mut best_count = marked.iter().filter(|t| t.to <= first_limit).count();
    for (i, token) in marked.iter().enumerate() {
        let limit = limit_from(token.from);
        let count = marked[i..].iter().take_while(|t| t.to <= limit).count();
        if count > best_count {
            best_count = count;
            best_start = token.from;
        }
    }
    // A little context before the first match, from a word start.
    let mut start = best_start;
    if start > 0 {
        let context_start = text[..start]
            .char_indices()
            .rev()
            .nth(max_chars / 5)
            .map_or(0, |(offset, _)| offset);
        start = text[context_start..start]
            .find(char::is_whitespace)
            .map_or(start, |offset| context_start + offset);
        start = skip_whitespace(text, start);
    }
    let mut end = limit_from(start);
    if end < text.len() {
        // Do not cut a word, nor a marked token.
        if let Some(space) = text[start..end].rfind(char::is_whitespace)
            && space > 0
        {
            end = start + space;
        }
        if let Some(token) = marked.iter().find(|t| t.from < end && t.to > end) {
            end = token.to;
        }
    }
    (start, end.max(start))
}

fn skip_whitespace(text: &str, from: usize) -> usize {
    text[from..]
        .find(|c: char| !c.is_whitespace())
        .map_or(text.len(), |offset| from + offset)
}

/// Edit distance counting a swap of neighbours as one edit (optimal string alignment).
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut before_previous: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let substitution = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + substitution);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before_previous[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before_previous, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}
