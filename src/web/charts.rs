//! Bar charts of daily figures, drawn on the server as SVG so they need no script (sizes and
//! colours are attributes: the CSP allows no inline style). The operators' statistics and the
//! console's dashboard share them; `templates/web/charts.html` draws one.

use time::Date;

/// One bar per day, scaled to the highest day.
pub struct DailyChart {
    /// The id of the chart's heading, which labels the SVG.
    pub id: &'static str,
    /// The heading, in the reader's language.
    pub title: String,
    pub bars: Vec<Bar>,
    pub max: i64,
    pub total: i64,
    pub first_day: Date,
    pub last_day: Date,
}

pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub height: i64,
    /// The day (ISO date), also the bar's `data-day`.
    pub label: String,
    pub value: i64,
}

impl DailyChart {
    pub const WIDTH: i64 = 600;
    pub const HEIGHT: i64 = 160;

    /// A chart of `days` (consecutive, oldest first, as the per-day queries return them).
    pub fn new(id: &'static str, title: String, days: &[(Date, i64)]) -> DailyChart {
        let max = days.iter().map(|(_, v)| *v).max().unwrap_or(0);
        let slot = DailyChart::WIDTH / (days.len().max(1) as i64);
        let bars = days
            .iter()
            .enumerate()
            .map(|(i, (day, value))| {
                let height = if max == 0 {
                    0
                } else {
                    value * DailyChart::HEIGHT / max
                };
                Bar {
                    x: i as i64 * slot,
                    y: DailyChart::HEIGHT - height,
                    height,
                    label: day.to_string(),
                    value: *value,
                }
            })
            .collect();
        let first_day = days.first().map_or(Date::MIN, |(d, _)| *d);
        DailyChart {
            id,
            title,
            bars,
            max,
            total: days.iter().map(|(_, v)| v).sum(),
            first_day,
            last_day: days.last().map_or(first_day, |(d, _)| *d),
        }
    }

    /// Bars leave a gap of two units to the next.
    pub fn bar_width(&self) -> i64 {
        (DailyChart::WIDTH / (self.bars.len().max(1) as i64) - 2).max(1)
    }
}

/// The `days` Copenhagen days up to and including `last`, oldest first.
pub fn days_up_to(last: Date, days: i64) -> Vec<Date> {
    (0..days)
        .rev()
        .map(|back| last - time::Duration::days(back))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn bars_scale_to_the_highest_day() {
        let days = days_up_to(date!(2026 - 03 - 03), 3);
        assert_eq!(
            days,
            [
                date!(2026 - 03 - 01),
                date!(2026 - 03 - 02),
                date!(2026 - 03 - 03)
            ]
        );
        let chart = DailyChart::new("c", "C".into(), &[(days[0], 2), (days[1], 0), (days[2], 4)]);
        assert_eq!(chart.max, 4);
        assert_eq!(chart.total, 6);
        let heights: Vec<i64> = chart.bars.iter().map(|b| b.height).collect();
        assert_eq!(heights, [80, 0, 160]);
        assert_eq!(chart.bars[2].x, 400);
        assert_eq!(chart.bar_width(), 198);
        assert_eq!(chart.last_day, date!(2026 - 03 - 03));
    }

    #[test]
    fn an_empty_chart_draws_no_bars() {
        let chart = DailyChart::new("c", "C".into(), &[]);
        assert!(chart.bars.is_empty());
        assert_eq!(chart.max, 0);
    }
}
