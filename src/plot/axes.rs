//! Axes shared by the charts: ranges that leave room for the data and the
//! legend, round ticks, and the year axis.

use super::labels::amount_label;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

/// A y range from 0 to a little above `max` (at least `min_top`), so that
/// an all-zero series still gets a sensible axis.
pub fn zero_based_range(max: f64, min_top: f64) -> (f64, f64) {
    let top = if max.is_finite() && max > 0.0 {
        max * 1.08
    } else {
        0.0
    };
    (0.0, top.max(min_top))
}

pub(super) fn max_of<'a>(values: impl IntoIterator<Item = &'a f64>) -> f64 {
    values
        .into_iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max)
}

/// A y range around `[lo, hi]` with room above and, for the legend, below;
/// never below 0, and sensible when `lo == hi` or nothing is finite.
pub fn zoomed_range(lo: f64, hi: f64) -> (f64, f64) {
    if !lo.is_finite() || !hi.is_finite() || hi < lo {
        return (0.0, 1.0);
    }
    let span = hi - lo;
    let span = if span > 1e-9 * hi.abs().max(1.0) {
        span
    } else {
        (0.1 * hi.abs()).max(1.0)
    };
    let bottom = lo - 0.6 * span;
    if bottom >= 0.0 {
        (bottom, hi + 0.12 * span)
    } else {
        // Clamped at 0: no free band below the data, so leave one on top.
        (0.0, hi + 0.4 * span)
    }
}

/// A y range from 0 to above `hi`, for data whose lowest value is `lo`:
/// a little above when the data leave the lower part of the chart free for
/// the legend, else with a free band on top for it.
pub fn zero_floor_range(lo: f64, hi: f64) -> (f64, f64) {
    if !(hi.is_finite() && hi > 0.0) {
        return (0.0, 1.0);
    }
    if lo.is_finite() && lo >= 0.45 * hi {
        (0.0, hi * 1.08)
    } else {
        (0.0, hi * 1.4)
    }
}

/// A linear axis whose ticks and grid lines are exactly `ticks` (none
/// light), so that a scale can stop below the top of the axis.
#[derive(Clone)]
pub(super) struct TickedAxis {
    pub(super) range: RangedCoordf64,
    pub(super) ticks: Vec<f64>,
}

impl Ranged for TickedAxis {
    type FormatOption = plotters::coord::ranged1d::NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.range.map(value, limit)
    }

    fn key_points<H: plotters::coord::ranged1d::KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.range.range()
    }
}

impl plotters::coord::ranged1d::ValueFormatter<f64> for TickedAxis {
    fn format(value: &f64) -> String {
        amount_label(*value)
    }
}

/// Ticks at round steps (1, 2, 2.5 or 5 times a power of ten) from `lo`
/// up to `hi`, about `target` of them; empty for an empty range.
pub fn round_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let span = hi - lo;
    if !(span > 0.0 && span.is_finite()) || target == 0 {
        return Vec::new();
    }
    let raw = span / target as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|&st| st >= raw)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

pub(super) fn year_axis(years: &[i64]) -> (f64, f64) {
    let lo = years.first().copied().unwrap_or(0) as f64;
    let hi = years.last().copied().unwrap_or(0) as f64;
    (lo - 0.4, hi + 0.4)
}

/// A chart with one row per label, top to bottom (row `i` centred on
/// `y = n - 1 - i`), the labels at the left in an area as wide as the
/// longest needs, and `x` from `x.0` to `x.1` with a described axis: the
/// frame of tornado and interval charts.
pub(super) fn row_chart<'a, 'b>(
    area: &'a super::style::Area<'b>,
    look: &super::style::Look,
    title: &str,
    x_label: &str,
    labels: &[String],
    x: (f64, f64),
) -> std::result::Result<super::style::Chart2d<'a, 'b>, String> {
    let n = labels.len().max(1);
    // The labels, as wide as the font draws them, take at most 45% of the
    // width, and leave the plot as wide as the x axis's description: a
    // longer one loses the middles of its ids (`elide_middle`).
    let style = look.tick();
    let width_of = |l: &str| area.estimate_text_size(l, &style).map_or(0, |(w, _)| w);
    let width = area.dim_in_pixel().0;
    let description = area
        .estimate_text_size(x_label, &look.axis())
        .map_or(0, |(w, _)| w);
    let most = ((0.45 * f64::from(width)) as u32)
        .min(width.saturating_sub(description + look.size.px(120.0)))
        .max(width / 4);
    let labels: Vec<String> = labels
        .iter()
        .map(|l| {
            let mut room = l.chars().count();
            let mut fitted = l.clone();
            while width_of(&fitted) > most && room > 12 {
                room -= 1;
                fitted = elide_middle(l, room);
            }
            fitted
        })
        .collect();
    let widest = labels.iter().map(|l| width_of(l)).max().unwrap_or(0);
    let label_area = widest + look.size.px(40.0);
    let mut chart = look
        .titled(area, title)
        .x_label_area_size(look.x_label_area())
        .y_label_area_size(label_area.max(look.size.px(130.0)))
        .build_cartesian_2d(x.0..x.1, -0.5..n as f64 - 0.5)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_desc(x_label)
        .axis_desc_style(look.axis())
        .label_style(look.tick())
        .y_labels(n)
        .y_label_formatter(&|y| {
            let i = y.round();
            if (y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
                labels.get(n - 1 - i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .x_labels(10)
        .x_label_formatter(&|v| super::labels::tick_label(*v, x.1 - x.0))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(chart)
}

/// `label` in at most `room` characters. A longer one loses the middles
/// of its longest parts (between dots and spaces: ids, usually), longest
/// first and each down to seven characters at most, so that its kind and
/// keys stay whole; if that is not enough, the middle of the whole.
pub fn elide_middle(label: &str, room: usize) -> String {
    if label.chars().count() <= room || room < 3 {
        return label.to_string();
    }
    // Parts, each with the separator that ends it (none for the last).
    let mut parts: Vec<Vec<char>> = vec![Vec::new()];
    for c in label.chars() {
        if let Some(last) = parts.last_mut() {
            last.push(c);
        }
        if c == '.' || c == ' ' {
            parts.push(Vec::new());
        }
    }
    let length = |parts: &[Vec<char>]| parts.iter().map(Vec::len).sum::<usize>();
    while length(&parts) > room {
        let excess = length(&parts) - room;
        let Some(longest) = parts
            .iter_mut()
            .filter(|p| p.len() > 8)
            .max_by_key(|p| p.len())
        else {
            break;
        };
        // A part's separator stays; the rest keeps its ends.
        let end = match longest.last() {
            Some('.' | ' ') => longest.pop(),
            _ => None,
        };
        let kept = longest.len().saturating_sub(excess + 1).max(6);
        *longest = cut_middle(longest, kept);
        longest.extend(end);
    }
    let chars: Vec<char> = parts.concat();
    if chars.len() > room {
        cut_middle(&chars, room - 1).into_iter().collect()
    } else {
        chars.into_iter().collect()
    }
}

/// `chars` with its middle replaced by an ellipsis, keeping `kept` of
/// them: the first half (rounded down) and the rest from the end.
fn cut_middle(chars: &[char], kept: usize) -> Vec<char> {
    let head = kept / 2;
    let tail = chars.len() - (kept - head);
    let mut out = chars[..head].to_vec();
    out.push('…');
    out.extend(&chars[tail..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_ticks_stop_at_the_top_of_the_scale() {
        // A probability axis with room for the legend above 100%: ticks
        // stop at 100%.
        let t = round_ticks(0.0, 1.0, 7);
        assert_eq!(t.len(), 6);
        for (k, v) in t.iter().enumerate() {
            assert!((v - 0.2 * k as f64).abs() < 1e-12, "{t:?}");
        }
        assert_eq!(round_ticks(0.0, 5_700.0, 7), [0.0, 1e3, 2e3, 3e3, 4e3, 5e3]);
        assert_eq!(
            round_ticks(0.0, 145.0, 7),
            [0.0, 25.0, 50.0, 75.0, 100.0, 125.0]
        );
        // Ticks need not start at zero, and an empty range has none.
        assert_eq!(round_ticks(3.0, 9.0, 3), [4.0, 6.0, 8.0]);
        assert!(round_ticks(1.0, 1.0, 5).is_empty());
        assert!(round_ticks(0.0, f64::NAN, 5).is_empty());
    }

    #[test]
    fn a_long_row_label_loses_its_middle_and_keeps_its_ends() {
        assert_eq!(elide_middle("us-copper (source)", 30), "us-copper (source)");
        // The id loses its middle; kind and key stay whole.
        let id = "abcdefghij".repeat(6);
        let short = elide_middle(&format!("event.{id}.severity.max"), 40);
        assert_eq!(short, "event.abcdefghij…abcdefghij.severity.max");
        let tornado = format!("{} (source)", "mine-".repeat(12));
        assert_eq!(elide_middle(&tornado, 30), "mine-mine-…mine-mine- (source)");
        // Two ids: the longer first, then the other, the keys whole.
        let two = format!("event.{id}.affects.{}.exposure", "0123456789".repeat(3));
        let short = elide_middle(&two, 40);
        assert_eq!(short, "event.abc…hij.affects.0123…6789.exposure");
        assert!(short.chars().count() <= 40);
        // Parts too short to cut: the middle of the whole.
        assert_eq!(elide_middle("a.b.c.d.e.f.g.h", 7), "a.b…g.h");
        // Any label fits any room of three or more, and keeps its ends.
        let labels = [
            format!("source.{}.disruption.rate", "ab".repeat(32)),
            format!("{} (event)", "x".repeat(64)),
            "a.bb.ccc.dddd.eeeee.ffffff.ggggggg.hhhhhhhh.iiiiiiiii".to_string(),
            "é.ü".repeat(30),
        ];
        for label in &labels {
            let n = label.chars().count();
            for room in 3..=n + 1 {
                let short = elide_middle(label, room);
                assert!(short.chars().count() <= room, "{label} in {room}: {short}");
                assert_eq!(short.chars().next(), label.chars().next());
                assert_eq!(short.chars().last(), label.chars().last());
            }
        }
    }

    #[test]
    fn zero_based_range_handles_all_zero_and_positive() {
        assert_eq!(zero_based_range(0.0, 1.0), (0.0, 1.0));
        assert_eq!(zero_based_range(f64::NEG_INFINITY, 1.0), (0.0, 1.0));
        let (lo, hi) = zero_based_range(100.0, 1.0);
        assert_eq!(lo, 0.0);
        assert!((hi - 108.0).abs() < 1e-9);
    }

    #[test]
    fn zoomed_range_leaves_room_and_stays_non_negative() {
        let (lo, hi) = zoomed_range(2000.0, 2100.0);
        assert!((lo - 1940.0).abs() < 1e-9 && (hi - 2112.0).abs() < 1e-9);
        // Clamped at 0: the free band moves to the top.
        assert_eq!(zoomed_range(10.0, 1000.0), (0.0, 1000.0 + 0.4 * 990.0));
        assert_eq!(zoomed_range(0.0, 0.0), (0.0, 0.4));
        let (lo, hi) = zoomed_range(500.0, 500.0);
        assert!(lo < 500.0 && hi > 500.0);
        assert_eq!(zoomed_range(f64::INFINITY, f64::NEG_INFINITY), (0.0, 1.0));
    }
}
