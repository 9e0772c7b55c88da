//! A stemming token filter that remembers its stems. Snowball stemming costs about as much as
//! the rest of indexing put together, and ad texts repeat the same few thousand words, so while
//! indexing (one filter per segment being written) most tokens are a hash lookup instead.
//! Queries use tantivy's plain `Stemmer`: they are short, and cloning a cache per query would
//! cost more than it saves.

use frostem::Algorithm;
use rustc_hash::FxHashMap;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Bounds the cache (some MB per language and indexing thread); it starts over when full.
const MAX_CACHED_STEMS: usize = 100_000;

#[derive(Clone)]
pub(super) struct CachingStemmer {
    algorithm: Algorithm,
}

impl CachingStemmer {
    pub(super) fn new(algorithm: Algorithm) -> Self {
        CachingStemmer { algorithm }
    }
}

impl TokenFilter for CachingStemmer {
    type Tokenizer<T: Tokenizer> = CachingStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachingStemmerFilter<T> {
        CachingStemmerFilter {
            stemmer: frostem::Stemmer::new(self.algorithm),
            stems: FxHashMap::default(),
            inner: tokenizer,
        }
    }
}

#[derive(Clone)]
pub(super) struct CachingStemmerFilter<T> {
    stemmer: frostem::Stemmer,
    /// Word (lowercase) → stem.
    stems: FxHashMap<String, String>,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for CachingStemmerFilter<T> {
    type TokenStream<'a> = CachingStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachingStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: self.stemmer,
            stems: &mut self.stems,
        }
    }
}

pub(super) struct CachingStemmerStream<'a, T> {
    tail: T,
    stemmer: frostem::Stemmer,
    stems: &'a mut FxHashMap<String, String>,
}

impl<T: TokenStream> TokenStream for CachingStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = self.stems.get(&token.text) {
            token.text.clear();
            token.text.push_str(stem);
            return true;
        }
        let stem = self.stemmer.stem(&token.text).into_owned();
        if self.stems.len() >= MAX_CACHED_STEMS {
            self.stems.clear();
        }
        let word = std::mem::replace(&mut token.text, stem.clone());
        self.stems.insert(word, stem);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}
