//! Retention enforcement: the sweeper that applies every rule the privacy registry gives it
//! (`jobboard retention run`, and once a day in `serve`), legal holds that pause it, and the
//! operators' pages with past runs, a 30-day forecast and the holds.

mod emails;
mod pages;
pub mod privacy;
mod rules;
mod store;
pub mod sweeper;
mod worker;

use time::{Date, OffsetDateTime, format_description::well_known::Rfc3339};

use crate::{
    db::Db,
    error::{Error, Result},
};

pub use pages::{enforcement_note, routes};
pub use rules::Counts;
pub use worker::run as run_daily;

/// Parses `--as-of`: a date (`YYYY-MM-DD`, meaning the end of that day in Copenhagen) or an
/// RFC 3339 instant.
pub fn parse_as_of(text: &str) -> Result<OffsetDateTime> {
    let text = text.trim();
    let at = if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        at
    } else {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let date = Date::parse(text, &format).map_err(|_| {
            Error::BadRequest(format!(
                "--as-of must be a date (YYYY-MM-DD) or an RFC 3339 time, not {text:?}"
            ))
        })?;
        crate::calendar::end_of_day(date)
    };
    let utc = at.to_offset(time::UtcOffset::UTC);
    // Both databases store microseconds.
    Ok(utc
        .replace_nanosecond(utc.nanosecond() / 1000 * 1000)
        .unwrap_or(utc))
}

/// The newest run, as the console's dashboard shows it.
pub struct RunSummary {
    pub started_at: OffsetDateTime,
    pub finished: bool,
    pub error: bool,
    /// Records deleted, anonymised or hidden, over every rule.
    pub changed: u64,
}

pub async fn latest_run(db: &Db) -> Result<Option<RunSummary>> {
    Ok(store::recent_runs(db, 1).await?.pop().map(|run| {
        let counts: std::collections::BTreeMap<String, Counts> =
            serde_json::from_str(&run.counts).unwrap_or_default();
        RunSummary {
            started_at: run.started_at,
            finished: run.finished_at.is_some(),
            error: run.error.is_some(),
            changed: counts
                .values()
                .map(|c| c.deleted + c.anonymised + c.hidden)
                .sum(),
        }
    }))
}

/// How many legal holds are in force.
pub async fn holds_in_force(db: &Db) -> Result<usize> {
    Ok(store::holds(db)
        .await?
        .iter()
        .filter(|h| h.lifted_at.is_none())
        .count())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn as_of_takes_a_date_or_an_instant() {
        // The end of 1 June in Copenhagen (summer time: UTC+2).
        assert_eq!(
            parse_as_of("2027-06-01").unwrap(),
            datetime!(2027-06-01 22:00 UTC)
        );
        assert_eq!(
            parse_as_of("2027-06-01T08:30:00+02:00").unwrap(),
            datetime!(2027-06-01 06:30 UTC)
        );
        assert!(parse_as_of("next tuesday").is_err());
        assert!(parse_as_of("2027-13-01").is_err());
    }
}
