//! The job-ad search index (tantivy). Each node keeps its own index on local disk and feeds it
//! from the database's change log, so searching never touches the database; the database stays
//! the truth, and the index can always be wiped and rebuilt from it.
//!
//! This module knows nothing about HTTP or SQL: it takes `SearchDoc`s and a change-log position
//! (`checkpoint`, kept in the index's own commit so a restart resumes where it stopped), and
//! answers `SearchRequest`s with ad ids. Every method blocks (disk I/O, CPU): from async code call
//! it inside `tokio::task::spawn_blocking`.
//!
//! Semantics callers can rely on:
//! - Words of `q` are AND-ed; values within one filter are OR-ed; different filters are AND-ed.
//! - Facet counts are computed over the query AND all filters (so a facet never offers a value
//!   that would find nothing, and counts add up to `total` for single-valued dimensions).
//! - `Sort::Relevance` with an empty `q` sorts newest first (every ad would score the same).
//! - Ties keep index order, which is stable for one reader; a page may shift when the index
//!   changes between two requests, as with any live search.
//!
//! Cost, for whoever wires it up:
//! - A search costs in proportion to the ads its words and filters touch (tens of nanoseconds
//!   each, facets included), not to the page size; a repeated request is a cache lookup until
//!   the next commit. Deep pages (offset 100 and beyond) are computed in windows of 1,000 hits
//!   from the first, so paging on through one search costs one pass per window, not per page.
//!   Ask for facets only where they are shown.
//! - Each `apply` is one commit (fsync, new searcher): feed the change log in batches, every
//!   second or so, not one change at a time.
//! - `rebuild` uses every core and up to `REBUILD_MEMORY_BUDGET_PER_THREAD` per core; run it at
//!   start-up or from the `reindex` command rather than under peak traffic.
//! - Only term dictionaries and fast columns are memory-mapped; postings are read on demand (see
//!   `directory`), so a serving process stays small whatever the index size.

#[cfg(test)]
mod bench;
mod directory;
mod facets;
mod highlight;
mod query;
mod schema;
mod stem_cache;
mod suggest;
#[cfg(test)]
mod tests;

use std::{
    collections::{HashMap, HashSet},
    fs,
    path::{Path, PathBuf},
    str::FromStr,
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicI64, Ordering},
    },
    time::Instant,
};

use serde::{Deserialize, Serialize};
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, Searcher,
    SegmentReader, TantivyDocument,
    collector::{Count, TopDocs},
    indexer::IndexWriterOptions,
    query::{
        Query,
        doc_predicate_query::{DocPredicateQuery, FunctionPredicate},
    },
};

pub use highlight::Highlighter;

use crate::error::{Error, Result};
use directory::IndexDirectory;
use facets::{FacetCounter, into_facets};
use query::{Analyzers, analyze_query, build_query, filter_clauses};
use schema::{Fields, SCHEMA_VERSION, build_schema, register_analyzers, to_document};

/// Largest page.
pub const MAX_LIMIT: usize = 100;
/// Deepest page start: deep pages cost more than anyone reads.
pub const MAX_OFFSET: usize = 10_000;

/// Writer for `apply`: one indexing thread; change-log batches are small, so its memory stays
/// far below this budget, and an idle writer holds none of it.
const INCREMENTAL_MEMORY_BUDGET: usize = 50_000_000;
/// Writer for `rebuild`, per indexing thread: large enough for few, big segments.
const REBUILD_MEMORY_BUDGET_PER_THREAD: usize = 150_000_000;
const MAX_REBUILD_THREADS: usize = 4;
/// Responses kept per half of the cache; a response with all facets is some tens of KB, a
/// deep page's window (below) up to 16 bytes per hit, so 176 KB at the deepest.
const CACHED_RESPONSES: usize = 100;
/// Deep pages (from offset `MAX_LIMIT`) are computed in windows of this many hits from the
/// first, and cached as such (see `page_window`).
const PAGE_WINDOW: usize = 1_000;

/// The language an ad is written in; its text is stemmed accordingly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AdLang {
    Da,
    En,
    Sv,
}

impl AdLang {
    pub fn as_str(self) -> &'static str {
        match self {
            AdLang::Da => "da",
            AdLang::En => "en",
            AdLang::Sv => "sv",
        }
    }
}

impl FromStr for AdLang {
    type Err = Error;

    fn from_str(code: &str) -> Result<Self> {
        match code {
            "da" => Ok(AdLang::Da),
            "en" => Ok(AdLang::En),
            "sv" => Ok(AdLang::Sv),
            other => Err(Error::BadRequest(format!("unknown ad language {other:?}"))),
        }
    }
}

/// One published job ad, as the index needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchDoc {
    pub id: i64,
    pub lang: AdLang,
    pub title: String,
    /// Plain text (markdown already stripped).
    pub description: String,
    pub company: String,
    /// E.g. "software-developer".
    pub occupation_id: String,
    /// English and Danish labels of the occupation, searchable.
    pub occupation_labels: Vec<String>,
    /// Occupational field, e.g. "it".
    pub field_id: String,
    /// E.g. "751" (DK) or "0180" (SE).
    pub municipality_code: String,
    pub municipality_name: String,
    pub region_code: String,
    /// permanent | temporary | freelance | internship | student
    pub employment_type: String,
    /// no | hybrid | fully
    pub remote: String,
    /// Unix seconds.
    pub published_at: i64,
    /// Unix seconds.
    pub deadline: Option<i64>,
    /// Unix seconds: a featured ad (billing) comes first until then, whatever the sort.
    pub featured_until: Option<i64>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first (BM25; title and occupation matches weigh more). Newest first when
    /// there is no `q`.
    #[default]
    Relevance,
    /// Most recently published first.
    Newest,
    /// Soonest deadline first; ads without a deadline last.
    Deadline,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SearchRequest {
    /// Free text; empty finds all ads.
    pub q: String,
    pub municipalities: Vec<String>,
    pub regions: Vec<String>,
    /// Occupational fields.
    pub fields: Vec<String>,
    pub occupations: Vec<String>,
    pub employment_types: Vec<String>,
    pub remote: Vec<String>,
    /// Unix seconds, inclusive.
    pub published_after: Option<i64>,
    /// Radius search, resolved by the caller to the municipality codes within the radius.
    /// `Some(empty)` finds nothing.
    pub within: Option<Vec<String>>,
    pub sort: Sort,
    pub offset: usize,
    /// At most `MAX_LIMIT`; 0 gives only `total`, facets and suggestions.
    pub limit: usize,
    /// Compute facet counts.
    pub facets: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SearchResponse {
    /// Exact number of matching ads.
    pub total: usize,
    pub hits: Vec<SearchHit>,
    /// Empty unless the request asked for facets.
    pub facets: Facets,
    /// "Did you mean": corrected spellings of `q`, best first, at most 3, each known to find
    /// ads with the same filters. Offered when nothing was found, and when a word of `q` is
    /// unknown to the index (its hits then come from close spellings only).
    pub suggestions: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchHit {
    pub id: i64,
    /// BM25 score for `Sort::Relevance` with a `q`; 0 otherwise.
    pub score: f32,
}

/// Counts per value, highest count first, then by value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    pub municipality: Vec<FacetCount>,
    pub region: Vec<FacetCount>,
    pub field: Vec<FacetCount>,
    pub occupation: Vec<FacetCount>,
    pub employment_type: Vec<FacetCount>,
    pub remote: Vec<FacetCount>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// What each commit records, so that a restart knows where the change log was.
#[derive(Debug, Serialize, Deserialize)]
struct CommitPayload {
    schema_version: u32,
    checkpoint: i64,
}

/// The index of one node. Cheap to clone (shared inside); `Send + Sync`.
#[derive(Clone)]
pub struct SearchIndex {
    inner: Arc<Inner>,
}

struct Inner {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    analyzers: Analyzers,
    /// Kept between `apply` calls: dropping a writer would abandon its background merges, and
    /// an idle writer holds no indexing memory. `None` until first needed, and after `rebuild`.
    writer: Mutex<Option<IndexWriter>>,
    checkpoint: AtomicI64,
    cache: Mutex<ResponseCache>,
}

/// Responses computed on the current reader generation, so that a repeated search (the
/// landing page, a popular query, paging back) costs a lookup instead of a pass over every
/// matching ad. Any change to the index starts a new generation and so empties the cache.
/// Two maps approximate least-recently-used eviction: when `recent` is full it becomes `older`.
#[derive(Default)]
struct ResponseCache {
    generation: u64,
    recent: HashMap<SearchRequest, SearchResponse>,
    older: HashMap<SearchRequest, SearchResponse>,
}

impl ResponseCache {
    fn get(&mut self, generation: u64, request: &SearchRequest) -> Option<SearchResponse> {
        if generation != self.generation {
            return None;
        }
        if let Some(response) = self.recent.get(request) {
            return Some(response.clone());
        }
        let (request, response) = self.older.remove_entry(request)?;
        self.recent.insert(request, response.clone());
        Some(response)
    }

    fn insert(&mut self, generation: u64, request: SearchRequest, response: SearchResponse) {
        if generation != self.generation {
            if generation < self.generation {
                return;
            }
            *self = ResponseCache {
                generation,
                ..ResponseCache::default()
            };
        }
        if self.recent.len() >= CACHED_RESPONSES {
            self.older = std::mem::take(&mut self.recent);
        }
        self.recent.insert(request, response);
    }
}

impl From<tantivy::TantivyError> for Error {
    fn from(error: tantivy::TantivyError) -> Self {
        Error::Internal(format!("search index: {error}"))
    }
}

fn internal(context: &str, error: impl std::fmt::Display) -> Error {
    Error::Internal(format!("search index: {context}: {error}"))
}

/// Runs a search on the blocking pool (the index does disk and CPU work): what every page, feed,
/// API call and alert that searches calls.
pub async fn run(index: &Arc<SearchIndex>, request: SearchRequest) -> Result<SearchResponse> {
    let index = index.clone();
    tokio::task::spawn_blocking(move || index.search(&request))
        .await
        .map_err(Error::internal)?
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it when missing. An index of another schema version,
    /// or one that cannot be read, is wiped and recreated empty (checkpoint 0): the database can
    /// always fill it again. `dir` belongs to the index; a non-empty folder that is not an index
    /// is refused rather than wiped.
    pub fn open(dir: &Path) -> Result<Self> {
        let (schema, fields) = build_schema();
        let mut index = match open_existing(dir, &schema)? {
            Some(index) => index,
            None => {
                create_empty(dir, &schema)?;
                open_index(dir)?
            }
        };
        // Segments are searched in parallel, one thread per core: a broad query that has to
        // score most ads (the tail of the latency) finishes in a fraction of the time.
        index.set_default_multithread_executor()?;
        register_analyzers(index.tokenizers());
        let checkpoint = read_payload(&index)?.map_or(0, |payload| payload.checkpoint);
        // Commits by this process reload explicitly; the watcher picks up background merges.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        Ok(SearchIndex {
            inner: Arc::new(Inner {
                index,
                reader,
                fields,
                analyzers: Analyzers::new(),
                writer: Mutex::new(None),
                checkpoint: AtomicI64::new(checkpoint),
                cache: Mutex::new(ResponseCache::default()),
            }),
        })
    }

    /// The last change-log position applied.
    pub fn checkpoint(&self) -> i64 {
        self.inner.checkpoint.load(Ordering::SeqCst)
    }

    /// Adds or replaces `upserts` (by id), removes `deletes`, and records `checkpoint`, in one
    /// commit; searches see the change when this returns. Idempotent, so a change-log batch may
    /// be applied again after a crash. A delete wins over an upsert of the same id in one call;
    /// of two upserts of one id, the later wins.
    pub fn apply(&self, upserts: Vec<SearchDoc>, deletes: &[i64], checkpoint: i64) -> Result<()> {
        let mut writer_slot = self.lock_writer();
        let result = (|| {
            if writer_slot.is_none() {
                *writer_slot = Some(
                    self.inner.index.writer_with_options(
                        IndexWriterOptions::builder()
                            .num_worker_threads(1)
                            .num_merge_threads(1)
                            .memory_budget_per_thread(INCREMENTAL_MEMORY_BUDGET)
                            .build(),
                    )?,
                );
            }
            let writer = writer_slot.as_mut().expect("writer was just created");
            // Of two upserts of one id, the later wins.
            let mut latest: HashMap<i64, &SearchDoc> = HashMap::new();
            for ad in &upserts {
                latest.insert(ad.id, ad);
            }
            // A delete only affects documents added before it: first the old versions go, then
            // the new ones come, then the deletes of this batch (which so win over its upserts).
            if !latest.is_empty() {
                writer.delete_query(ids_query(latest.keys().copied().collect()))?;
            }
            for ad in upserts
                .iter()
                .filter(|ad| std::ptr::eq(latest[&ad.id], *ad))
            {
                writer.add_document(to_document(&self.inner.fields, ad))?;
            }
            if !deletes.is_empty() {
                writer.delete_query(ids_query(deletes.iter().copied().collect()))?;
            }
            self.commit(writer, checkpoint)
        })();
        if result.is_err() {
            // Uncommitted operations die with the writer; the next call starts clean.
            *writer_slot = None;
        }
        result
    }

    /// Replaces the whole index with `ads` and records `checkpoint`, in one commit (searches see
    /// the old index until then), and waits for the merges so that the result is fast to search.
    /// Returns the number of ads indexed. To avoid missing changes, read the change-log position
    /// before reading the ads: applying the log from there again is harmless.
    ///
    /// Feed the ads as a stream (e.g. a `std::sync::mpsc::Receiver` filled by the database
    /// reader), not a collected `Vec`: 1,000,000 descriptions are gigabytes.
    pub fn rebuild(&self, ads: impl Iterator<Item = SearchDoc>, checkpoint: i64) -> Result<u64> {
        let mut writer_slot = self.lock_writer();
        // Only one writer may exist; the incremental one is recreated by the next `apply`.
        *writer_slot = None;
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, MAX_REBUILD_THREADS);
        let mut writer: IndexWriter = self.inner.index.writer_with_options(
            IndexWriterOptions::builder()
                .num_worker_threads(threads)
                .num_merge_threads(threads)
                .memory_budget_per_thread(REBUILD_MEMORY_BUDGET_PER_THREAD)
                .build(),
        )?;
        let started = Instant::now();
        writer.delete_all_documents()?;
        let mut count = 0;
        for ad in ads {
            writer.add_document(to_document(&self.inner.fields, &ad))?;
            count += 1;
        }
        self.commit(&mut writer, checkpoint)?;
        let indexed = started.elapsed();
        writer.wait_merging_threads()?;
        self.inner.reader.reload()?;
        release_freed_memory();
        tracing::info!(
            ads = count,
            indexing_secs = indexed.as_secs_f64(),
            merging_secs = (started.elapsed() - indexed).as_secs_f64(),
            segments = self.inner.reader.searcher().segment_readers().len(),
            "search index rebuilt"
        );
        Ok(count)
    }

    /// The ads matching `request`: total, one page of hits, facets and suggestions.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse> {
        if request.limit > MAX_LIMIT {
            return Err(Error::BadRequest(format!(
                "limit must be at most {MAX_LIMIT}"
            )));
        }
        if request.offset > MAX_OFFSET {
            return Err(Error::BadRequest(format!(
                "offset must be at most {MAX_OFFSET}"
            )));
        }
        let searcher = self.inner.reader.searcher();
        let generation = searcher.generation().generation_id();
        if let Some(response) = self.cache().get(generation, request) {
            return Ok(response);
        }
        let response = match page_window(request) {
            Some(window) => {
                // Not in the `match`: the cache's lock would be held through its arms.
                let cached = self.cache().get(generation, &window);
                let whole = match cached {
                    Some(whole) => whole,
                    None => {
                        let whole = self.search_with(&searcher, &window)?;
                        self.cache()
                            .insert(generation, window.clone(), whole.clone());
                        whole
                    }
                };
                page_of(whole, request)
            }
            None => self.search_with(&searcher, request)?,
        };
        self.cache()
            .insert(generation, request.clone(), response.clone());
        Ok(response)
    }

    fn cache(&self) -> MutexGuard<'_, ResponseCache> {
        self.inner
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Computes a response, without the cache and without checking the request's limits.
    fn search_with(&self, searcher: &Searcher, request: &SearchRequest) -> Result<SearchResponse> {
        let fields = &self.inner.fields;
        let mut analyzers = self.inner.analyzers.clone();
        let words = analyze_query(searcher, fields, &mut analyzers, &request.q)?;
        let query = build_query(fields, &words, filter_clauses(fields, request));
        let sort = match request.sort {
            Sort::Relevance if words.is_empty() => Sort::Newest,
            sort => sort,
        };
        let facet_counter = request.facets.then_some(FacetCounter);
        let (hits, total, facet_counts) = if request.limit == 0 {
            let (total, counts) = searcher.search(&query, &(Count, facet_counter))?;
            (Vec::new(), total, counts)
        } else {
            let page = TopDocs::with_limit(request.limit).and_offset(request.offset);
            // Featured ads (billing) come first in every order while their period lasts: the
            // sort key leads with "featured now", read from a fast column like the dates.
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            match sort {
                Sort::Relevance => {
                    let featured_first = page.tweak_score(move |segment: &SegmentReader| {
                        let featured = i64_column(segment, "featured_until");
                        move |doc: DocId, score: Score| (featured.get_val(doc) > now, score)
                    });
                    let (top, total, counts) =
                        searcher.search(&query, &(featured_first, Count, facet_counter))?;
                    let top = top.into_iter().map(|((_, score), a)| (score, a)).collect();
                    (self.hits(searcher, top)?, total, counts)
                }
                Sort::Newest => {
                    let by_date = page.order_by(move |segment: &SegmentReader| {
                        let featured = i64_column(segment, "featured_until");
                        let published = i64_column(segment, "published_at");
                        move |doc: DocId| (featured.get_val(doc) > now, published.get_val(doc))
                    });
                    let (top, total, counts) =
                        searcher.search(&query, &(by_date, Count, facet_counter))?;
                    (self.unscored_hits(searcher, top)?, total, counts)
                }
                Sort::Deadline => {
                    let by_deadline = page.order_by(move |segment: &SegmentReader| {
                        let featured = i64_column(segment, "featured_until");
                        let deadline = i64_column(segment, "deadline");
                        move |doc: DocId| {
                            (
                                featured.get_val(doc) > now,
                                std::cmp::Reverse(deadline.get_val(doc)),
                            )
                        }
                    });
                    let (top, total, counts) =
                        searcher.search(&query, &(by_deadline, Count, facet_counter))?;
                    (self.unscored_hits(searcher, top)?, total, counts)
                }
            }
        };
        let suggestions =
            if !words.is_empty() && (total == 0 || words.iter().any(|word| !word.is_known())) {
                suggest::did_you_mean(searcher, fields, &mut analyzers, &words, request)?
            } else {
                Vec::new()
            };
        Ok(SearchResponse {
            total,
            hits,
            facets: facet_counts.map(into_facets).unwrap_or_default(),
            suggestions,
        })
    }

    /// Marks the words of `q` in the texts of its hits; build one per results page.
    pub fn highlighter(&self, q: &str) -> Result<Highlighter> {
        let searcher = self.inner.reader.searcher();
        let mut analyzers = self.inner.analyzers.clone();
        let words = analyze_query(&searcher, &self.inner.fields, &mut analyzers, q)?;
        Ok(Highlighter::new(&words, analyzers))
    }

    /// Completions of the last word of `input` (at least 2 characters typed) from the words of
    /// titles, occupations, companies and places, most frequent first, each prefixed with the
    /// earlier words of `input` (lowercased): "senior ud" → "senior udvikler".
    pub fn typeahead(&self, input: &str, limit: usize) -> Result<Vec<String>> {
        let searcher = self.inner.reader.searcher();
        let mut analyzers = self.inner.analyzers.clone();
        suggest::complete(
            &searcher,
            &self.inner.fields,
            &mut analyzers,
            input,
            limit.min(MAX_LIMIT),
        )
    }

    /// Number of ads in the index.
    pub fn num_docs(&self) -> u64 {
        self.inner.reader.searcher().num_docs()
    }

    /// Whether the ad is in the index (a scan of the id column: meant for checks, not for
    /// every request).
    pub fn contains(&self, id: i64) -> Result<bool> {
        let query = ids_query(HashSet::from([id]));
        Ok(self.inner.reader.searcher().search(&*query, &Count)? > 0)
    }

    fn lock_writer(&self) -> MutexGuard<'_, Option<IndexWriter>> {
        self.inner.writer.lock().unwrap_or_else(|poisoned| {
            // A panic mid-apply may have left uncommitted operations: drop that writer.
            let mut slot = poisoned.into_inner();
            *slot = None;
            slot
        })
    }

    fn commit(&self, writer: &mut IndexWriter, checkpoint: i64) -> Result<()> {
        let payload = serde_json::to_string(&CommitPayload {
            schema_version: SCHEMA_VERSION,
            checkpoint,
        })
        .map_err(|e| internal("commit payload", e))?;
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        self.inner.reader.reload()?;
        self.inner.checkpoint.store(checkpoint, Ordering::SeqCst);
        Ok(())
    }

    fn hits(&self, searcher: &Searcher, top: Vec<(f32, DocAddress)>) -> Result<Vec<SearchHit>> {
        let ids = self.ids(searcher, top.iter().map(|(_, address)| *address))?;
        Ok(top
            .iter()
            .zip(ids)
            .map(|((score, _), id)| SearchHit { id, score: *score })
            .collect())
    }

    fn unscored_hits<K>(
        &self,
        searcher: &Searcher,
        top: Vec<(K, DocAddress)>,
    ) -> Result<Vec<SearchHit>> {
        let ids = self.ids(searcher, top.iter().map(|(_, address)| *address))?;
        Ok(ids
            .into_iter()
            .map(|id| SearchHit { id, score: 0.0 })
            .collect())
    }

    /// Ad ids of hits, from the id column (nothing is stored).
    fn ids(
        &self,
        searcher: &Searcher,
        addresses: impl Iterator<Item = DocAddress>,
    ) -> Result<Vec<i64>> {
        let mut columns = HashMap::new();
        let mut ids = Vec::new();
        for address in addresses {
            let column = match columns.entry(address.segment_ord) {
                std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
                std::collections::hash_map::Entry::Vacant(entry) => entry.insert(
                    searcher
                        .segment_reader(address.segment_ord)
                        .fast_fields()
                        .i64("id")?,
                ),
            };
            let id = column
                .first(address.doc_id)
                .ok_or_else(|| internal("hit without id", address.doc_id))?;
            ids.push(id);
        }
        Ok(ids)
    }
}

/// For a deep page, the request for every hit from the first up to the end of the page's window
/// (`PAGE_WINDOW`): what `search` computes and caches instead of the page alone.
///
/// Finding the 1,001st to 1,020th best ads costs as much as finding the first 1,020: every
/// matching ad is scored either way (the index has no term frequencies, so tantivy cannot skip
/// blocks of postings), and for a word in most ads that is milliseconds. People page on through
/// the same search, so the next deep pages are then a lookup. The hits are in one total order
/// (score or sort value, then index order), so a page cut from a window is exactly the page
/// computed alone.
fn page_window(request: &SearchRequest) -> Option<SearchRequest> {
    if request.offset < MAX_LIMIT || request.limit == 0 {
        return None;
    }
    Some(SearchRequest {
        offset: 0,
        limit: (request.offset + request.limit).next_multiple_of(PAGE_WINDOW),
        ..request.clone()
    })
}

/// The page `request` asks for, cut from the response to its `page_window`.
fn page_of(window: SearchResponse, request: &SearchRequest) -> SearchResponse {
    let start = request.offset.min(window.hits.len());
    let end = (request.offset + request.limit).min(window.hits.len());
    SearchResponse {
        hits: window.hits[start..end].to_vec(),
        ..window
    }
}

/// Gives the indexing threads' freed buffers (hundreds of MB after a rebuild) back to the
/// operating system: glibc keeps freed memory of other threads' arenas mapped, and a serving
/// process would otherwise carry the rebuild's peak as its resident size for good.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory to the system; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Matches the ads with these ids. Ids are a fast column only: an inverted index of 1,000,000
/// unique ids would cost some 10 MB of the index's size budget, while this scan costs a few
/// milliseconds per million ads, once per `apply` batch.
fn ids_query(ids: HashSet<i64>) -> Box<dyn Query> {
    let ids = Arc::new(ids);
    let predicate = FunctionPredicate::from(move |segment: &SegmentReader| {
        let column = segment.fast_fields().i64("id")?;
        let ids = Arc::clone(&ids);
        Ok(move |doc: DocId| column.first(doc).is_some_and(|id| ids.contains(&id)))
    });
    Box::new(DocPredicateQuery::from(predicate))
}

fn directory(dir: &Path) -> Result<IndexDirectory> {
    IndexDirectory::open(dir).map_err(|e| internal(&format!("opening {}", dir.display()), e))
}

fn open_index(dir: &Path) -> Result<Index> {
    Ok(Index::open(directory(dir)?)?)
}

/// A segment's i64 fast column, read as a function of the document (every document has a
/// value, see `schema::to_document`; 0 if the column were missing).
fn i64_column(segment: &SegmentReader, name: &str) -> I64Column {
    I64Column(
        segment
            .fast_fields()
            .i64(name)
            .ok()
            .map(|column| column.first_or_default_col(0)),
    )
}

struct I64Column(Option<Arc<dyn tantivy::columnar::ColumnValues<i64>>>);

impl I64Column {
    fn get_val(&self, doc: DocId) -> i64 {
        self.0.as_ref().map_or(0, |column| column.get_val(doc))
    }
}

fn read_payload(index: &Index) -> Result<Option<CommitPayload>> {
    Ok(index
        .load_metas()?
        .payload
        .and_then(|payload| serde_json::from_str(&payload).ok()))
}

/// The index in `dir` if it is usable as it is; `None` when there is none or it was wiped.
fn open_existing(dir: &Path, schema: &tantivy::schema::Schema) -> Result<Option<Index>> {
    let is_empty = match fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_none(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(e) => return Err(internal(&format!("reading {}", dir.display()), e)),
    };
    if is_empty {
        return Ok(None);
    }
    if !dir.join("meta.json").exists() {
        return Err(Error::Config(format!(
            "{} is not empty and holds no search index; refusing to overwrite it",
            dir.display()
        )));
    }
    let usable = match open_index(dir) {
        Ok(index) => match read_payload(&index) {
            Ok(Some(payload))
                if payload.schema_version == SCHEMA_VERSION && index.schema() == *schema =>
            {
                Some(index)
            }
            Ok(payload) => {
                tracing::warn!(
                    found_version = payload.map(|p| p.schema_version),
                    expected_version = SCHEMA_VERSION,
                    "search index has another schema; recreating it empty"
                );
                None
            }
            Err(error) => {
                tracing::warn!(%error, "search index unreadable; recreating it empty");
                None
            }
        },
        Err(error) => {
            tracing::warn!(%error, "search index unreadable; recreating it empty");
            None
        }
    };
    if usable.is_none() {
        wipe(dir)?;
    }
    Ok(usable)
}

fn wipe(dir: &Path) -> Result<()> {
    fs::remove_dir_all(dir).map_err(|e| internal(&format!("wiping {}", dir.display()), e))
}

/// Creates an empty index with a first commit, so that its version and checkpoint are on disk.
fn create_empty(dir: &Path, schema: &tantivy::schema::Schema) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| internal(&format!("creating {}", dir.display()), e))?;
    let index = Index::create(
        directory(dir)?,
        schema.clone(),
        tantivy::IndexSettings::default(),
    )?;
    register_analyzers(index.tokenizers());
    let mut writer: IndexWriter<TantivyDocument> = index.writer_with_options(
        IndexWriterOptions::builder()
            .num_worker_threads(1)
            .num_merge_threads(1)
            .build(),
    )?;
    let payload = serde_json::to_string(&CommitPayload {
        schema_version: SCHEMA_VERSION,
        checkpoint: 0,
    })
    .map_err(|e| internal("commit payload", e))?;
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&payload);
    prepared.commit()?;
    writer.wait_merging_threads()?;
    Ok(())
}

/// Where the index of a data folder lives.
pub fn index_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("search-index")
}
