//! Facet counts in the same pass as the hits: per segment, each matching ad's value ordinal is
//! read from a fast column and counted in a dense array; ordinals become strings only once per
//! segment. Dimensions are paired into three columns (`FACET_COLUMNS`), so a hit costs three
//! column reads. This is cheaper than tantivy's `FacetCollector` (one multi-valued column for all
//! dimensions) and than aggregations (generic, allocation-heavy).

use std::collections::HashMap;

use tantivy::{
    DocId, Score, SegmentOrdinal, SegmentReader,
    collector::{Collector, SegmentCollector},
    columnar::StrColumn,
};

use super::{
    FacetCount, Facets,
    schema::{Dimension, FACET_COLUMNS, FACET_SEPARATOR},
};

/// Docs are buffered and their values read in batches of this many.
const BATCH: usize = 64;

pub(super) struct FacetCounter;

/// Counts per dimension (`Dimension::ALL` order), value → number of matching ads.
pub(super) type DimensionCounts = [HashMap<String, u64>; 6];

impl Collector for FacetCounter {
    type Fruit = DimensionCounts;
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        _segment_ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounter> {
        let mut columns = Vec::with_capacity(FACET_COLUMNS.len());
        for (name, _) in FACET_COLUMNS {
            let column = segment.fast_fields().str(name)?;
            let counts = vec![0u32; column.as_ref().map_or(0, |c| c.num_terms())];
            columns.push((column, counts));
        }
        Ok(SegmentFacetCounter {
            columns,
            pending: Vec::with_capacity(BATCH),
            ordinals: vec![None; BATCH],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        segment_counts: Vec<DimensionCounts>,
    ) -> tantivy::Result<DimensionCounts> {
        let mut merged: DimensionCounts = Default::default();
        for counts in segment_counts {
            for (total, segment) in merged.iter_mut().zip(counts) {
                for (value, count) in segment {
                    *total.entry(value).or_default() += count;
                }
            }
        }
        Ok(merged)
    }
}

pub(super) struct SegmentFacetCounter {
    /// Per dimension: its column (absent in a segment without values) and counts per ordinal.
    columns: Vec<(Option<StrColumn>, Vec<u32>)>,
    pending: Vec<DocId>,
    ordinals: Vec<Option<u64>>,
}

impl SegmentFacetCounter {
    fn count(&mut self, docs: &[DocId]) {
        let ordinals = &mut self.ordinals[..docs.len()];
        for (column, counts) in &mut self.columns {
            let Some(column) = column else { continue };
            ordinals.fill(None);
            column.ords().first_vals(docs, ordinals);
            for ordinal in ordinals.iter().flatten() {
                counts[*ordinal as usize] += 1;
            }
        }
    }

    fn flush(&mut self) {
        if !self.pending.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            self.count(&pending);
            self.pending = pending;
            self.pending.clear();
        }
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = DimensionCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.pending.push(doc);
        if self.pending.len() == BATCH {
            self.flush();
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        for chunk in docs.chunks(BATCH) {
            if self.ordinals.len() < chunk.len() {
                self.ordinals.resize(chunk.len(), None);
            }
            self.count(chunk);
        }
    }

    fn harvest(mut self) -> DimensionCounts {
        self.flush();
        let mut harvested: DimensionCounts = Default::default();
        let mut value = String::new();
        for ((column, counts), (_, dimensions)) in self.columns.iter().zip(FACET_COLUMNS) {
            let Some(column) = column else { continue };
            let positions = dimensions.map(|dimension| {
                Dimension::ALL
                    .iter()
                    .position(|d| *d == dimension)
                    .expect("every dimension is in ALL")
            });
            for (ordinal, &count) in counts.iter().enumerate() {
                if count == 0 {
                    continue;
                }
                value.clear();
                if !column
                    .ord_to_str(ordinal as u64, &mut value)
                    .unwrap_or(false)
                {
                    continue;
                }
                let (first, second) = value.split_once(FACET_SEPARATOR).unwrap_or((&value, ""));
                for (position, part) in positions.into_iter().zip([first, second]) {
                    *harvested[position].entry(part.to_string()).or_default() += u64::from(count);
                }
            }
        }
        harvested
    }
}

/// Sorted by count (highest first), then value; ads without a value are not a facet value.
fn sorted(counts: HashMap<String, u64>) -> Vec<FacetCount> {
    let mut sorted: Vec<FacetCount> = counts
        .into_iter()
        .filter(|(value, count)| !value.is_empty() && *count > 0)
        .map(|(value, count)| FacetCount { value, count })
        .collect();
    sorted.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    sorted
}

pub(super) fn into_facets(counts: DimensionCounts) -> Facets {
    let [
        municipality,
        region,
        field,
        occupation,
        employment_type,
        remote,
    ] = counts.map(sorted);
    Facets {
        municipality,
        region,
        field,
        occupation,
        employment_type,
        remote,
    }
}
