//! Bar charts drawn on the server as SVG attributes (no script, and the CSP allows no inline
//! style): the template draws one `rect` per bar from these numbers.

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

#[cfg(test)]
mod tests {
    use super::*;

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
