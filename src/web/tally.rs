//! Ad statistics as they happen: plain counters per ad, per Copenhagen day and per kind of
//! event, kept in memory and handed in batches to whoever writes them (the ads feature's
//! flush), so that counting costs a request one short lock and no database write. Nothing
//! about who caused an event is kept: no address, no cookie, no visitor id.

use std::sync::Mutex;

use rustc_hash::FxHashMap;
use time::{Date, OffsetDateTime};

/// What happened to an ad.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdEvent {
    /// Its page was seen.
    PageView = 0,
    /// It was listed on a page of search results.
    SearchImpression = 1,
    /// Its apply button (or link or address) was used.
    ApplyClick = 2,
    /// An application to it was sent through the site.
    Application = 3,
    /// A job seeker saved it.
    Save = 4,
}

/// How many kinds of event there are (the length of `AdCounts::counts`).
pub const EVENTS: usize = 5;

/// One ad's counts on one day, in `AdEvent` order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdCounts {
    pub ad_id: i64,
    pub day: Date,
    pub counts: [i64; EVENTS],
}

/// The counts not yet written.
#[derive(Default)]
pub struct AdTally {
    counts: Mutex<FxHashMap<(i64, Date), [i64; EVENTS]>>,
}

/// The Copenhagen business day of an instant.
fn today(at: OffsetDateTime) -> Date {
    at.to_offset(crate::calendar::copenhagen_offset(at)).date()
}

impl AdTally {
    /// Counts one event of one ad, now.
    pub fn count(&self, ad_id: i64, event: AdEvent) {
        self.count_all(&[ad_id], event);
    }

    /// Counts one event of each of the ads, now (a page of search results).
    pub fn count_all(&self, ad_ids: &[i64], event: AdEvent) {
        if ad_ids.is_empty() {
            return;
        }
        let day = today(OffsetDateTime::now_utc());
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        for ad_id in ad_ids {
            counts.entry((*ad_id, day)).or_default()[event as usize] += 1;
        }
    }

    /// Takes every count so far, leaving none.
    pub fn take(&self) -> Vec<AdCounts> {
        let taken = std::mem::take(&mut *self.counts.lock().unwrap_or_else(|e| e.into_inner()));
        let mut out: Vec<AdCounts> = taken
            .into_iter()
            .map(|((ad_id, day), counts)| AdCounts { ad_id, day, counts })
            .collect();
        out.sort_by_key(|c| (c.ad_id, c.day));
        out
    }

    /// Adds counts back (a batch that could not be written), to be written with the next.
    pub fn put_back(&self, batch: Vec<AdCounts>) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        for c in batch {
            let entry = counts.entry((c.ad_id, c.day)).or_default();
            for (sum, n) in entry.iter_mut().zip(c.counts) {
                *sum += n;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_per_ad_and_day_and_survive_a_put_back() {
        let tally = AdTally::default();
        tally.count(7, AdEvent::PageView);
        tally.count(7, AdEvent::PageView);
        tally.count_all(&[7, 8], AdEvent::SearchImpression);
        tally.count(8, AdEvent::Save);
        let batch = tally.take();
        assert_eq!(batch.len(), 2);
        assert_eq!(batch[0].ad_id, 7);
        assert_eq!(batch[0].counts, [2, 1, 0, 0, 0]);
        assert_eq!(batch[1].counts, [0, 1, 0, 0, 1]);
        assert!(tally.take().is_empty());
        tally.put_back(batch.clone());
        tally.count(7, AdEvent::ApplyClick);
        let again = tally.take();
        assert_eq!(again[0].counts, [2, 1, 1, 0, 0]);
        assert_eq!(again[1], batch[1]);
    }
}
