//! Business dates are Copenhagen dates (PRODUCT.md): an ad's deadline day ends at midnight in
//! Denmark, whatever the server's zone. Denmark is UTC+1 and keeps EU summer time (UTC+2 from
//! 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October, directive
//! 2000/84/EC) — a fixed rule, so no time-zone database is needed.

use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

fn last_sunday(year: i32, month: Month) -> Date {
    let mut day = Date::from_calendar_date(year, month, month.length(year)).expect("valid date");
    while day.weekday() != Weekday::Sunday {
        day = day.previous_day().expect("valid date");
    }
    day
}

/// Copenhagen's offset from UTC at an instant.
pub fn copenhagen_offset(at: OffsetDateTime) -> UtcOffset {
    let utc = at.to_offset(UtcOffset::UTC);
    let year = utc.year();
    let one_am = Time::from_hms(1, 0, 0).expect("valid time");
    let summer_starts =
        PrimitiveDateTime::new(last_sunday(year, Month::March), one_am).assume_utc();
    let summer_ends =
        PrimitiveDateTime::new(last_sunday(year, Month::October), one_am).assume_utc();
    let hours = if utc >= summer_starts && utc < summer_ends {
        2
    } else {
        1
    };
    UtcOffset::from_hms(hours, 0, 0).expect("valid offset")
}

/// Today's date in Copenhagen.
pub fn today() -> Date {
    let now = OffsetDateTime::now_utc();
    now.to_offset(copenhagen_offset(now)).date()
}

/// The first instant after `date` has ended in Copenhagen.
pub fn end_of_day(date: Date) -> OffsetDateTime {
    let next_midnight = PrimitiveDateTime::new(date.next_day().unwrap_or(date), Time::MIDNIGHT);
    // Midnight never falls in a switch hour (switches happen at 02:00/03:00 local time).
    let guess = next_midnight.assume_utc() - Duration::hours(1);
    next_midnight
        .assume_offset(copenhagen_offset(guess))
        .to_offset(UtcOffset::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn summer_and_winter_time() {
        assert_eq!(
            copenhagen_offset(datetime!(2026-01-15 12:00 UTC)).whole_hours(),
            1
        );
        assert_eq!(
            copenhagen_offset(datetime!(2026-07-15 12:00 UTC)).whole_hours(),
            2
        );
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(
            copenhagen_offset(datetime!(2026-03-29 00:59 UTC)).whole_hours(),
            1
        );
        assert_eq!(
            copenhagen_offset(datetime!(2026-03-29 01:00 UTC)).whole_hours(),
            2
        );
        assert_eq!(
            copenhagen_offset(datetime!(2026-10-25 00:59 UTC)).whole_hours(),
            2
        );
        assert_eq!(
            copenhagen_offset(datetime!(2026-10-25 01:00 UTC)).whole_hours(),
            1
        );
    }

    #[test]
    fn a_deadline_day_ends_at_copenhagen_midnight() {
        assert_eq!(
            end_of_day(date!(2026 - 12 - 24)),
            datetime!(2026-12-24 23:00 UTC)
        );
        assert_eq!(
            end_of_day(date!(2026 - 06 - 30)),
            datetime!(2026-06-30 22:00 UTC)
        );
    }
}
