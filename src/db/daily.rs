//! Counts per Copenhagen day, for charts: each day's bounds are computed here (Denmark's
//! summer time included), so the same query text runs on both databases.

use time::Date;

use super::Db;
use crate::{calendar, db_run, error::Result};

/// `count_sql` (a `SELECT COUNT(*)` with `$1` = the day's first instant and `$2` = the first
/// instant after it) for each of `days`.
pub async fn count_per_day(
    db: &Db,
    count_sql: &'static str,
    days: &[Date],
) -> Result<Vec<(Date, i64)>> {
    let mut counts = Vec::with_capacity(days.len());
    for &day in days {
        let start = calendar::end_of_day(day.previous_day().unwrap_or(day));
        let end = calendar::end_of_day(day);
        let count: i64 = db_run!(pool db, |p| sqlx::query_scalar(count_sql)
            .bind(start)
            .bind(end)
            .fetch_one(p)
            .await)?;
        counts.push((day, count));
    }
    Ok(counts)
}
