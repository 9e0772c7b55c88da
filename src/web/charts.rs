//! Bar charts drawn on the server as SVG, so they need no script (sizes and colours are
//! attributes: the CSP allows no inline style): `BarChart` turns labelled values into bars,
//! `DailyChart` is one bar per day with its heading, as the operators' statistics and the
//! console's dashboard show them (`templates/web/charts.html` draws one).

use time::Date;

pub struct BarChart {
    pub bars: Vec<Bar>,
    pub max: i64,
    bar: i64,
}

pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub height: i64,
    pub label: String,
    pub value: i64,
}

impl BarChart {
    pub const WIDTH: i64 = 600;
    pub const HEIGHT: i64 = 160;

    /// One bar per labelled value, scaled to the largest (negative values draw as empty).
    pub fn new(points: impl IntoIterator<Item = (String, i64)>) -> BarChart {
        let points: Vec<(String, i64)> = points.into_iter().collect();
        let max = points.iter().map(|p| p.1).max().unwrap_or(0).max(0);
        let bar = BarChart::WIDTH / (points.len().max(1) as i64);
        let bars = points
            .into_iter()
            .enumerate()
            .map(|(i, (label, value))| {
                let height = if max == 0 {
                    0
                } else {
                    value.max(0) * BarChart::HEIGHT / max
                };
                Bar {
                    x: i as i64 * bar,
                    y: BarChart::HEIGHT - height,
                    height,
                    label,
                    value,
                }
            })
            .collect();
        BarChart { bars, max, bar }
    }

    pub fn bar_width(&self) -> i64 {
        (self.bar - 2).max(1)
    }
}

/// One bar per day, scaled to the highest day, with the heading that labels it.
pub struct DailyChart {
    /// The id of the chart's heading, which labels the SVG.
    pub id: &'static str,
    /// The heading, in the reader's language.
    pub title: String,
    /// Bars labelled with their day (ISO date, also each bar's `data-day`).
    pub chart: BarChart,
    pub total: i64,
    pub first_day: Date,
    pub last_day: Date,
}

impl DailyChart {
    /// A chart of `days` (consecutive, oldest first, as the per-day queries return them).
    pub fn new(id: &'static str, title: String, days: &[(Date, i64)]) -> DailyChart {
        let first_day = days.first().map_or(Date::MIN, |(d, _)| *d);
        DailyChart {
            id,
            title,
            chart: BarChart::new(days.iter().map(|(d, v)| (d.to_string(), *v))),
            total: days.iter().map(|(_, v)| v).sum(),
            first_day,
            last_day: days.last().map_or(first_day, |(d, _)| *d),
        }
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
        assert_eq!(chart.chart.max, 4);
        assert_eq!(chart.total, 6);
        let heights: Vec<i64> = chart.chart.bars.iter().map(|b| b.height).collect();
        assert_eq!(heights, [80, 0, 160]);
        assert_eq!(chart.chart.bars[2].x, 400);
        assert_eq!(chart.chart.bars[2].label, "2026-03-03");
        assert_eq!(chart.chart.bar_width(), 198);
        assert_eq!(chart.last_day, date!(2026 - 03 - 03));
    }

    #[test]
    fn an_empty_chart_draws_no_bars() {
        let chart = DailyChart::new("c", "C".into(), &[]);
        assert!(chart.chart.bars.is_empty());
        assert_eq!(chart.chart.max, 0);
    }

    #[test]
    fn bars_scale_to_the_largest_value() {
        let chart = BarChart::new([("a".into(), 50), ("b".into(), 100), ("c".into(), -5)]);
        assert_eq!(chart.max, 100);
        assert_eq!(chart.bars[0].height, BarChart::HEIGHT / 2);
        assert_eq!(chart.bars[1].y, 0);
        assert_eq!(chart.bars[2].height, 0);
        assert_eq!(chart.bar_width(), 198);
    }
}
