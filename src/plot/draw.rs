//! Drawing chart data with plotters into PNG bytes.
//!
//! Charts render into an in-memory RGB buffer (plotters' bitmap backend),
//! which is then encoded as PNG, so callers can write files atomically or
//! embed them in `report.html`. Text uses the DejaVu Sans font bundled in
//! `assets/fonts` through plotters' `ab_glyph` feature: no system font or
//! font library is needed.

use super::data::{
    densify, least_crowded_corner, BarChart, Chart, Corner, ExceedanceChart, FanChart, FanSeries,
    LineChart, TornadoChart,
};
use crate::error::{Error, Result};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::sync::Once;

/// Font family name registered for every chart.
pub const FONT: &str = "sans-serif";

static FONTS: Once = Once::new();

fn register_fonts() {
    FONTS.call_once(|| {
        // The bytes are valid TrueType files shipped with the crate; a
        // failure would show as missing text, caught by the chart tests.
        let _ = plotters::style::register_font(
            FONT,
            FontStyle::Normal,
            include_bytes!("../../assets/fonts/DejaVuSans.ttf"),
        );
        let _ = plotters::style::register_font(
            FONT,
            FontStyle::Bold,
            include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf"),
        );
    });
}

/// The Okabe–Ito palette, safe for the common forms of colour blindness,
/// in the order series use it (black last).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(240, 228, 66),  // yellow
    RGBColor(0, 0, 0),       // black
];

/// Colour of series `i`.
pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Size of the charts, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartSize {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

impl Default for ChartSize {
    fn default() -> Self {
        ChartSize {
            width: 1600,
            height: 1000,
        }
    }
}

impl ChartSize {
    /// Parse `WIDTHxHEIGHT`, for example `1600x1000`.
    pub fn parse(text: &str) -> Option<ChartSize> {
        let (w, h) = text.split_once(['x', 'X'])?;
        let (width, height) = (w.trim().parse().ok()?, h.trim().parse().ok()?);
        ((320..=8000).contains(&width) && (240..=8000).contains(&height))
            .then_some(ChartSize { width, height })
    }

    /// Font scale relative to the default size.
    fn scale(self) -> f64 {
        (self.width as f64 / 1600.0).min(self.height as f64 / 1000.0)
    }

    /// A length in pixels, scaled from the default size.
    fn px(self, base: f64) -> u32 {
        (base * self.scale()).round().max(1.0) as u32
    }

    /// A font size in pixels, scaled, never below 10.
    fn font(self, base: f64) -> u32 {
        self.px(base).max(10)
    }
}

fn chart_err(what: &str) -> impl Fn(String) -> Error + '_ {
    move |e| Error::Other(format!("could not draw {what}: {e}"))
}

/// Render with `draw` onto a white canvas of `size` and return PNG bytes.
fn render<F>(size: ChartSize, what: &str, draw: F) -> Result<Vec<u8>>
where
    F: FnOnce(&DrawingArea<BitMapBackend, Shift>) -> std::result::Result<(), String>,
{
    register_fonts();
    let (w, h) = (size.width, size.height);
    let mut buf = vec![255u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE)
            .map_err(|e| e.to_string())
            .map_err(chart_err(what))?;
        draw(&root).map_err(chart_err(what))?;
        root.present()
            .map_err(|e| e.to_string())
            .map_err(chart_err(what))?;
    }
    encode_png(&buf, w, h).map_err(|e| chart_err(what)(e.to_string()))
}

/// Draw `panels`, stacked top to bottom, each of `size`, into one PNG.
pub fn png(panels: &[Chart], size: ChartSize) -> Result<Vec<u8>> {
    let n = panels.len().max(1) as u32;
    let total = ChartSize {
        width: size.width,
        height: size.height * n,
    };
    let look = Look { size };
    render(total, "a chart", |root| {
        let areas = root.split_evenly((n as usize, 1));
        for (area, chart) in areas.iter().zip(panels) {
            match chart {
                Chart::Fan(d) => draw_fan(area, d, &look)?,
                Chart::Lines(d) => draw_lines(area, d, &look)?,
                Chart::Exceedance(d) => draw_exceedance(area, d, &look)?,
                Chart::Bars(d) => draw_bars(area, d, &look)?,
                Chart::Tornado(d) => draw_tornado(area, d, &look)?,
            }
        }
        Ok(())
    })
}

/// Encode an RGB8 buffer as PNG.
pub fn encode_png(
    rgb: &[u8],
    width: u32,
    height: u32,
) -> std::result::Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        // Charts are mostly flat colour: adaptive filtering shrinks them several-fold.
        enc.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        enc.set_compression(png::Compression::Best);
        let mut writer = enc.write_header()?;
        writer.write_image_data(rgb)?;
    }
    Ok(out)
}

/// A title that fits `width` pixels at font size `px` (DejaVu Sans
/// averages about 0.55 em per character): the font shrinks down to 70%,
/// then the text is cut with an ellipsis. Returns the text and font size.
pub fn fit_title(title: &str, px: u32, width: u32) -> (String, u32) {
    let usable = width as f64 * 0.94;
    let chars = title.chars().count().max(1) as f64;
    let needed = |size: f64| 0.55 * size * chars;
    if needed(px as f64) <= usable {
        return (title.to_string(), px);
    }
    let smallest = (px as f64 * 0.7).round();
    let size = (usable / (0.55 * chars)).max(smallest).floor();
    if needed(size) <= usable {
        return (title.to_string(), size as u32);
    }
    let keep = (usable / (0.55 * size)) as usize;
    let cut: String = title.chars().take(keep.saturating_sub(1)).collect();
    (format!("{}…", cut.trim_end()), size as u32)
}

/// Tick label for an amount: thousands separated, no needless decimals.
pub fn amount_label(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".to_string()
    } else if a >= 1000.0 {
        let s = format!("{:.0}", a);
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if v < 0.0 {
            format!("-{out}")
        } else {
            out
        }
    } else if a >= 10.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        let s = format!("{v:.1}");
        s.trim_end_matches(".0").to_string()
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Tick label for an amount on an axis spanning `span`: as
/// [`amount_label`] when ticks are at least 1 apart, else with enough
/// decimals to tell neighbouring ticks apart.
pub fn tick_label(v: f64, span: f64) -> String {
    let step = span / 10.0;
    if !step.is_finite() || step <= 0.0 || step >= 1.0 || v.abs() >= 1000.0 {
        return amount_label(v);
    }
    let decimals = ((-step.log10()).ceil().max(0.0) as usize).min(8);
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Tick label for a probability on a linear axis, in percent.
pub fn percent_label(p: f64) -> String {
    let pct = p * 100.0;
    if pct == 0.0 || pct.abs() >= 10.0 || (pct - pct.round()).abs() < 1e-9 {
        format!("{pct:.0}%")
    } else {
        let s = format!("{pct:.2}");
        format!("{}%", s.trim_end_matches('0').trim_end_matches('.'))
    }
}

/// Tick label for a probability given as a power of ten exponent.
pub fn log_probability_label(exponent: f64) -> String {
    let p = 10f64.powf(exponent) * 100.0;
    if p >= 1.0 {
        format!("{p:.0}%")
    } else {
        let digits = (-p.log10().floor()) as usize;
        format!("{p:.digits$}%")
    }
}

/// Shared look of a chart: caption, label areas and mesh styles.
struct Look {
    size: ChartSize,
}

impl Look {
    fn axis(&self) -> TextStyle<'static> {
        (FONT, self.size.font(28.0)).into_font().into()
    }
    fn tick(&self) -> TextStyle<'static> {
        (FONT, self.size.font(23.0)).into_font().into()
    }
    fn legend(&self) -> TextStyle<'static> {
        (FONT, self.size.font(24.0)).into_font().into()
    }
    fn note(&self) -> TextStyle<'static> {
        (FONT, self.size.font(30.0))
            .into_font()
            .color(&RGBColor(90, 90, 90))
            .pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Center,
            ))
    }
    fn stroke(&self, base: f64) -> u32 {
        self.size.px(base)
    }
    /// Length and half-height of a legend swatch, in pixels.
    fn swatch(&self) -> (i32, i32) {
        (self.size.px(30.0) as i32, self.size.px(9.0) as i32)
    }
    /// The title and its style, shrunk (to 70% at most) and then cut with
    /// an ellipsis so that it fits `width` pixels.
    fn fitted_title(&self, title: &str, width: u32) -> (String, TextStyle<'static>) {
        let (text, px) = fit_title(title, self.size.font(40.0), width);
        (text, (FONT, px).into_font().style(FontStyle::Bold).into())
    }

    fn builder<'a, 'b>(
        &self,
        root: &'a DrawingArea<BitMapBackend<'b>, Shift>,
        title: &str,
    ) -> ChartBuilder<'a, 'b, BitMapBackend<'b>> {
        let mut b = ChartBuilder::on(root);
        let (text, style) = self.fitted_title(title, root.dim_in_pixel().0);
        b.caption(text, style)
            .margin(self.size.px(30.0))
            .x_label_area_size(self.size.px(95.0))
            .y_label_area_size(self.size.px(130.0));
        b
    }
}

type Area<'b> = DrawingArea<BitMapBackend<'b>, Shift>;

type Chart2d<'a, 'b> = ChartWith<'a, 'b, RangedCoordf64>;

/// A chart with a linear x axis and the y axis `Y`.
type ChartWith<'a, 'b, Y> = ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, Y>>;

/// A legend swatch for a dashed line drawn with `dash` and `gap` pixels:
/// two dashes from `(x, y)`, shortened to fit `width` pixels, so the legend
/// shows the line's pattern.
fn dashed_swatch<'a, DB: DrawingBackend + 'a>(
    (x, y): (i32, i32),
    width: i32,
    (dash, gap): (u32, u32),
    style: ShapeStyle,
) -> impl IntoDynElement<'a, DB, (i32, i32)> {
    let gap = (gap as i32).min(width / 3);
    let dash = (dash as i32).min((width - gap) / 2).max(1);
    EmptyElement::at((x, y))
        + PathElement::new(vec![(0, 0), (dash, 0)], style)
        + PathElement::new(vec![(dash + gap, 0), (2 * dash + gap, 0)], style)
}

/// A linear axis whose ticks and grid lines are exactly `ticks` (none
/// light), so that a scale can stop below the top of the axis.
#[derive(Clone)]
struct TickedAxis {
    range: RangedCoordf64,
    ticks: Vec<f64>,
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

/// Draw the legend in the corner of the plot with the fewest `samples`.
/// `labels` are the legend's entries, used to estimate the box's size.
fn legend_box<'a, 'b: 'a, Y: Ranged<ValueType = f64>>(
    chart: &mut ChartWith<'a, 'b, Y>,
    look: &Look,
    samples: &[(f64, f64)],
    labels: &[&str],
) -> std::result::Result<(), String> {
    let x = chart.x_range();
    let y = chart.y_range();
    let (pw, ph) = chart.plotting_area().dim_in_pixel();
    let font = look.size.font(24.0) as f64;
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(10) as f64;
    // Box: margin + swatch + text (about 0.55 em a character), rows of about 1.15 em.
    let box_w = look.size.px(16.0) as f64
        + look.size.px(44.0) as f64
        + 0.58 * font * longest
        + look.size.px(20.0) as f64;
    let box_h = look.size.px(16.0) as f64
        + (labels.len().max(1) as f64) * 1.2 * font
        + look.size.px(14.0) as f64;
    let frac = (
        (box_w / pw.max(1) as f64).min(1.0),
        (box_h / ph.max(1) as f64).min(1.0),
    );
    let pos = match least_crowded_corner(samples, (x.start, x.end), (y.start, y.end), frac) {
        Corner::UpperRight => SeriesLabelPosition::UpperRight,
        Corner::UpperLeft => SeriesLabelPosition::UpperLeft,
        Corner::LowerRight => SeriesLabelPosition::LowerRight,
        Corner::LowerLeft => SeriesLabelPosition::LowerLeft,
    };
    chart
        .configure_series_labels()
        .position(pos)
        .margin(look.size.px(16.0))
        .legend_area_size(look.size.px(44.0))
        .label_font(look.legend())
        .background_style(WHITE.mix(0.88))
        .border_style(RGBColor(160, 160, 160))
        .draw()
        .map_err(|e| e.to_string())
}

fn draw_note<'a, 'b: 'a>(
    chart: &Chart2d<'a, 'b>,
    look: &Look,
    note: &Option<String>,
    x: (f64, f64),
    y: (f64, f64),
) -> std::result::Result<(), String> {
    if let Some(text) = note {
        chart
            .plotting_area()
            .draw(&Text::new(
                text.clone(),
                ((x.0 + x.1) / 2.0, (y.0 + y.1) / 2.0),
                look.note(),
            ))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn year_axis(years: &[i64]) -> (f64, f64) {
    let lo = years.first().copied().unwrap_or(0) as f64;
    let hi = years.last().copied().unwrap_or(0) as f64;
    (lo - 0.4, hi + 0.4)
}

/// Draw a fan chart (supply band, median, mean demand) as PNG bytes.
fn draw_fan(root: &Area, data: &FanChart, look: &Look) -> std::result::Result<(), String> {
    let (sw, sh) = look.swatch();
    let (x0, x1) = year_axis(&data.years);
    let mut chart = look
        .builder(root, &data.title)
        .build_cartesian_2d(x0..x1, data.y_range.0..data.y_range.1)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("Year")
        .y_desc(&data.y_label)
        .axis_desc_style(look.axis())
        .label_style(look.tick())
        .x_labels(data.years.len().min(16))
        .x_label_formatter(&|x| format!("{:.0}", x))
        .y_label_formatter(&|y| tick_label(*y, data.y_range.1 - data.y_range.0))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(|e| e.to_string())?;
    let xs: Vec<f64> = data.years.iter().map(|&y| y as f64).collect();
    let line = |values: &[f64]| -> Vec<(f64, f64)> {
        xs.iter().copied().zip(values.iter().copied()).collect()
    };
    let two = data.fans.len() > 1;
    let prefix = |fan: &FanSeries| {
        if two {
            format!("{}: ", fan.label)
        } else {
            String::new()
        }
    };
    let mut labels: Vec<String> = Vec::new();
    for fan in &data.fans {
        labels.push(format!("{}5-95% range of supply", prefix(fan)));
        labels.push(format!("{}median supply", prefix(fan)));
    }
    labels.push("mean demand".to_string());
    let w = look.stroke(3.5);
    for (i, fan) in data.fans.iter().enumerate() {
        let c = colour(i);
        let mut band = line(&fan.p95);
        band.extend(line(&fan.p5).into_iter().rev());
        let fill = c.mix(if two { 0.18 } else { 0.25 });
        chart
            .draw_series(std::iter::once(Polygon::new(band, fill.filled())))
            .map_err(|e| e.to_string())?
            .label(labels[2 * i].clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - sh), (x + sw, y + sh)], fill.filled()));
        chart
            .draw_series(LineSeries::new(line(&fan.p50), c.stroke_width(w)))
            .map_err(|e| e.to_string())?
            .label(labels[2 * i + 1].clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + sw, y)], c.stroke_width(w)));
    }
    // Mean demand: dashed black (the same for every run of a comparison).
    if let Some(fan) = data.fans.first() {
        let w = look.stroke(3.0);
        let style = colour(7).stroke_width(w);
        let pattern = (look.size.px(14.0), look.size.px(9.0));
        chart
            .draw_series(DashedLineSeries::new(
                line(&fan.demand),
                pattern.0,
                pattern.1,
                style,
            ))
            .map_err(|e| e.to_string())?
            .label("mean demand")
            .legend(move |at| dashed_swatch(at, sw, pattern, style));
    }
    let mut samples = Vec::new();
    for fan in &data.fans {
        for values in [&fan.p5, &fan.p50, &fan.p95, &fan.demand] {
            samples.extend(densify(&line(values), 12));
        }
        let (lo, hi) = (densify(&line(&fan.p5), 12), densify(&line(&fan.p95), 12));
        for (a, b) in lo.iter().zip(&hi) {
            samples.extend((1..8).map(|k| (a.0, a.1 + (b.1 - a.1) * k as f64 / 8.0)));
        }
    }
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    legend_box(&mut chart, look, &samples, &labels)
}

/// Draw a line chart with optional error bars as PNG bytes.
fn draw_lines(root: &Area, data: &LineChart, look: &Look) -> std::result::Result<(), String> {
    let (sw, _) = look.swatch();
    let (x0, x1) = if data.x_integer {
        let years: Vec<i64> = data.x.iter().map(|x| *x as i64).collect();
        year_axis(&years)
    } else {
        let lo = data.x.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = data.x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let pad = if hi > lo { (hi - lo) * 0.04 } else { 1.0 };
        (lo - pad, hi + pad)
    };
    let mut chart = look
        .builder(root, &data.title)
        .build_cartesian_2d(x0..x1, data.y_range.0..data.y_range.1)
        .map_err(|e| e.to_string())?;
    let is_year = data.x_integer;
    chart
        .configure_mesh()
        .x_desc(&data.x_label)
        .y_desc(&data.y_label)
        .axis_desc_style(look.axis())
        .label_style(look.tick())
        .x_labels(if is_year { data.x.len().min(16) } else { 10 })
        .x_label_formatter(&|x| {
            if is_year {
                format!("{:.0}", x)
            } else {
                tick_label(*x, x1 - x0)
            }
        })
        .y_label_formatter(&|y| {
            if data.y_is_probability {
                percent_label(*y)
            } else {
                tick_label(*y, data.y_range.1 - data.y_range.0)
            }
        })
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(|e| e.to_string())?;
    let w = look.stroke(3.5);
    for (i, s) in data.series.iter().enumerate() {
        let c = colour(i);
        let pts: Vec<(f64, f64)> = data.x.iter().copied().zip(s.y.iter().copied()).collect();
        if let (Some(err), true) = (&s.err, data.err_as_band) {
            let mut band: Vec<(f64, f64)> = pts
                .iter()
                .zip(err)
                .map(|(&(x, y), e)| (x, (y + e).min(data.y_range.1)))
                .collect();
            band.extend(
                pts.iter()
                    .zip(err)
                    .rev()
                    .map(|(&(x, y), e)| (x, (y - e).max(data.y_range.0))),
            );
            chart
                .draw_series(std::iter::once(Polygon::new(band, c.mix(0.2).filled())))
                .map_err(|e| e.to_string())?;
        } else if let Some(err) = &s.err {
            let cap = look.size.px(12.0);
            // Error bars shorter than a marker would only blur it.
            let visible = 0.012 * (data.y_range.1 - data.y_range.0);
            let items: Vec<(f64, f64, f64)> = pts
                .iter()
                .zip(err)
                .filter(|(_, e)| **e > visible)
                .map(|(&(x, y), e)| (x, (y - e).max(data.y_range.0), (y + e).min(data.y_range.1)))
                .collect();
            draw_whiskers(
                &mut chart,
                &items,
                true,
                c.stroke_width(look.stroke(2.5)),
                cap as i32,
            )?;
        }
        chart
            .draw_series(
                LineSeries::new(pts.clone(), c.stroke_width(w)).point_size(look.size.px(6.0)),
            )
            .map_err(|e| e.to_string())?
            .label(s.label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + sw, y)], c.stroke_width(w)));
    }
    draw_note(&chart, look, &data.note, (x0, x1), data.y_range)?;
    let samples: Vec<(f64, f64)> = data
        .series
        .iter()
        .flat_map(|s| {
            densify(
                &data
                    .x
                    .iter()
                    .copied()
                    .zip(s.y.iter().copied())
                    .collect::<Vec<_>>(),
                12,
            )
        })
        .collect();
    let labels: Vec<&str> = data.series.iter().map(|s| s.label.as_str()).collect();
    legend_box(&mut chart, look, &samples, &labels)
}

/// Draw exceedance curves, with markers at p90/p95/p99, as PNG bytes.
fn draw_exceedance(
    root: &Area,
    data: &ExceedanceChart,
    look: &Look,
) -> std::result::Result<(), String> {
    let (sw, _) = look.swatch();
    let log = data.log_y;
    // On a log axis, plot log10(p) on a linear axis with percentage labels.
    let ty = move |p: f64| if log { p.log10() } else { p };
    let (y0, y1) = (ty(data.y_range.0), ty(data.y_range.1));
    let (x0, x1) = data.x_range;
    let mut chart = look
        .builder(root, &data.title)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| e.to_string())?;
    let decades = (y1 - y0).ceil().max(1.0) as usize;
    chart
        .configure_mesh()
        .x_desc(&data.x_label)
        .y_desc(if log {
            "Probability of exceeding (log scale)"
        } else {
            "Probability of exceeding"
        })
        .axis_desc_style(look.axis())
        .label_style(look.tick())
        .x_labels(10)
        .y_labels(if log { decades + 1 } else { 11 })
        .x_label_formatter(&|x| tick_label(*x, x1 - x0))
        .y_label_formatter(&|y| {
            if log {
                log_probability_label(*y)
            } else {
                format!("{:.0}%", y * 100.0)
            }
        })
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(|e| e.to_string())?;
    let w = look.stroke(3.5);
    let mut samples = Vec::new();
    for (i, c) in data.curves.iter().enumerate() {
        let col = colour(i);
        // Step function: P(X > x) holds from one distinct value to the next.
        let mut pts: Vec<(f64, f64)> = Vec::with_capacity(c.points.len() * 2);
        for win in c.points.windows(2) {
            let ((xa, pa), (xb, _)) = (win[0], win[1]);
            if pa > 0.0 || !log {
                pts.push((xa, ty(pa)));
                pts.push((xb, ty(pa)));
            }
        }
        samples.extend(densify(&pts, 6));
        chart
            .draw_series(LineSeries::new(pts, col.stroke_width(w)))
            .map_err(|e| e.to_string())?
            .label(c.label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + sw, y)], col.stroke_width(w)));
        let r = look.size.px(9.0);
        // First curve: labels above right of the marker; others: below left.
        let (anchor, offset) = if i == 0 {
            (
                Pos::new(HPos::Left, VPos::Bottom),
                (
                    r as i32 + look.size.px(4.0) as i32,
                    -(r as i32) - look.size.px(2.0) as i32,
                ),
            )
        } else {
            (
                Pos::new(HPos::Right, VPos::Top),
                (
                    -(r as i32) - look.size.px(4.0) as i32,
                    r as i32 + look.size.px(2.0) as i32,
                ),
            )
        };
        let font = look.tick().pos(anchor);
        for (name, x, p) in &c.markers {
            if *x <= 0.0 {
                continue;
            }
            let y = ty(*p);
            let label = format!("{name}: {} {}", amount_label(*x), data.unit);
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((*x, y))
                        + Circle::new((0, 0), r, col.filled())
                        + Text::new(label, offset, font.clone()),
                ))
                .map_err(|e| e.to_string())?;
        }
    }
    draw_note(&chart, look, &data.note, (x0, x1), (y0, y1))?;
    let labels: Vec<&str> = data.curves.iter().map(|c| c.label.as_str()).collect();
    legend_box(&mut chart, look, &samples, &labels)
}

/// Draw grouped vertical bars, with error bars and reference lines, as PNG bytes.
fn draw_bars(root: &Area, data: &BarChart, look: &Look) -> std::result::Result<(), String> {
    let (sw, sh) = look.swatch();
    let n = data.categories.len().max(1);
    // Category i is centred on x = i, so integer ticks label categories.
    let (x0, x1) = (-0.5, n as f64 - 0.5);
    // Ticks and grid lines only up to `label_max`: the range above it is
    // room for the legend, not part of the scale.
    let (y0, y1) = data.y_range;
    let ticks = round_ticks(y0, data.label_max.map_or(y1, |m| m.min(y1)), 7);
    let mut chart = look
        .builder(root, &data.title)
        .build_cartesian_2d(
            x0..x1,
            TickedAxis {
                range: (y0..y1).into(),
                ticks,
            },
        )
        .map_err(|e| e.to_string())?;
    let cats = data.categories.clone();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_desc(&data.x_label)
        .y_desc(&data.y_label)
        .axis_desc_style(look.axis())
        .label_style(look.tick())
        .x_labels(n)
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                cats.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| {
            if data.percent {
                percent_label(*y)
            } else {
                tick_label(*y, y1 - y0)
            }
        })
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(|e| e.to_string())?;
    let g = data.groups.len().max(1) as f64;
    let width = 0.72 / g;
    for (gi, group) in data.groups.iter().enumerate() {
        let c = colour(gi);
        let left = |i: usize| i as f64 - 0.36 + gi as f64 * width;
        chart
            .draw_series(group.values.iter().enumerate().map(|(i, v)| {
                Rectangle::new(
                    [(left(i) + 0.01, 0.0), (left(i) + width - 0.01, *v)],
                    c.filled(),
                )
            }))
            .map_err(|e| e.to_string())?
            .label(group.label.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - sh), (x + sw, y + sh)], c.filled()));
        if let Some(err) = &group.err {
            let items: Vec<(f64, f64, f64)> = group
                .values
                .iter()
                .zip(err)
                .enumerate()
                .filter(|(_, (_, e))| **e > 0.0)
                .map(|(i, (v, e))| (left(i) + width / 2.0, v - e, v + e))
                .collect();
            draw_whiskers(
                &mut chart,
                &items,
                true,
                colour(7).stroke_width(look.stroke(2.5)),
                look.size.px(14.0) as i32,
            )?;
        }
    }
    // Reference lines: distinct greys and dash patterns, named in the legend.
    for (k, (y, label)) in data.reference_lines.iter().enumerate() {
        if *y > data.y_range.1 {
            continue;
        }
        let grey = if k % 2 == 0 {
            RGBColor(120, 120, 120)
        } else {
            RGBColor(40, 40, 40)
        };
        let style = grey.stroke_width(look.stroke(2.5));
        let (dash, gap) = if k % 2 == 0 { (6.0, 8.0) } else { (16.0, 8.0) };
        let pattern = (look.size.px(dash), look.size.px(gap));
        chart
            .draw_series(DashedLineSeries::new(
                [(x0, *y), (x1, *y)],
                pattern.0,
                pattern.1,
                style,
            ))
            .map_err(|e| e.to_string())?
            .label(label.clone())
            .legend(move |at| dashed_swatch(at, sw, pattern, style));
    }
    let labels: Vec<&str> = data
        .groups
        .iter()
        .map(|g| g.label.as_str())
        .chain(data.reference_lines.iter().map(|(_, l)| l.as_str()))
        .collect();
    let mut samples = Vec::new();
    for (gi, group) in data.groups.iter().enumerate() {
        for (i, v) in group.values.iter().enumerate() {
            let left = i as f64 - 0.36 + gi as f64 * width;
            for a in 0..5 {
                for b in 0..=10 {
                    samples.push((left + width * a as f64 / 4.0, v * b as f64 / 10.0));
                }
            }
        }
    }
    legend_box(&mut chart, look, &samples, &labels)
}

/// Whiskers (error bars without a centre marker): for each `(at, lo, hi)`
/// a line from `lo` to `hi` at `at` with end caps of `cap` pixels each
/// side; vertical bars when `vertical`, else horizontal.
fn draw_whiskers<'a, 'b: 'a, Y: Ranged<ValueType = f64>>(
    chart: &mut ChartWith<'a, 'b, Y>,
    items: &[(f64, f64, f64)],
    vertical: bool,
    style: ShapeStyle,
    cap: i32,
) -> std::result::Result<(), String> {
    let point = |at: f64, v: f64| if vertical { (at, v) } else { (v, at) };
    let tick = move |at: f64, v: f64| {
        let offsets = if vertical {
            vec![(-cap, 0), (cap, 0)]
        } else {
            vec![(0, -cap), (0, cap)]
        };
        EmptyElement::at(point(at, v)) + PathElement::new(offsets, style)
    };
    chart
        .draw_series(
            items
                .iter()
                .map(|&(at, lo, hi)| PathElement::new(vec![point(at, lo), point(at, hi)], style)),
        )
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(
            items
                .iter()
                .flat_map(|&(at, lo, hi)| [tick(at, lo), tick(at, hi)]),
        )
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Draw horizontal bars by entity (a tornado), with 95% error bars.
fn draw_tornado(root: &Area, data: &TornadoChart, look: &Look) -> std::result::Result<(), String> {
    let n = data.labels.len().max(1);
    let (x0, x1) = data.x_range;
    // Entity i (0 = top) is centred on y = n - 1 - i.
    let (y0, y1) = (-0.5, n as f64 - 0.5);
    let longest = data
        .labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(8) as f64;
    let label_area = (0.6 * look.size.font(23.0) as f64 * longest) as u32 + look.size.px(30.0);
    let (title, title_style) = look.fitted_title(&data.title, root.dim_in_pixel().0);
    let mut chart = ChartBuilder::on(root)
        .caption(title, title_style)
        .margin(look.size.px(30.0))
        .x_label_area_size(look.size.px(95.0))
        .y_label_area_size(label_area.max(look.size.px(130.0)))
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| e.to_string())?;
    let labels = data.labels.clone();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_desc(&data.x_label)
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
        .x_label_formatter(&|x| tick_label(*x, x1 - x0))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(|e| e.to_string())?;
    let c = colour(5);
    chart
        .draw_series(data.values.iter().enumerate().map(|(i, v)| {
            let y = (n - 1 - i) as f64;
            Rectangle::new([(0.0, y - 0.34), (*v, y + 0.34)], c.filled())
        }))
        .map_err(|e| e.to_string())?;
    let black = colour(7);
    let items: Vec<(f64, f64, f64)> = data
        .values
        .iter()
        .zip(&data.err)
        .enumerate()
        .filter(|(_, (_, e))| **e > 0.0)
        .map(|(i, (v, e))| ((n - 1 - i) as f64, v - e, v + e))
        .collect();
    draw_whiskers(
        &mut chart,
        &items,
        false,
        black.stroke_width(look.stroke(2.5)),
        look.size.px(12.0) as i32,
    )?;
    chart
        .draw_series(LineSeries::new(
            [(0.0, y0), (0.0, y1)],
            black.stroke_width(look.stroke(2.0)),
        ))
        .map_err(|e| e.to_string())?;
    draw_note(&chart, look, &data.note, (x0, x1), (y0, y1))
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
    fn labels_read_like_a_briefing() {
        assert_eq!(amount_label(0.0), "0");
        assert_eq!(amount_label(1234567.0), "1,234,567");
        assert_eq!(amount_label(-2500.0), "-2,500");
        assert_eq!(amount_label(250.0), "250");
        assert_eq!(amount_label(2.5), "2.5");
        assert_eq!(amount_label(2.0), "2");
        assert_eq!(amount_label(0.125), "0.125");
        assert_eq!(tick_label(10.5, 4.0), "10.5");
        assert_eq!(tick_label(10.0, 4.0), "10");
        assert_eq!(tick_label(0.125, 0.05), "0.125");
        assert_eq!(tick_label(0.13, 0.1), "0.13");
        assert_eq!(tick_label(2500.0, 4000.0), "2,500");
        assert_eq!(percent_label(0.35), "35%");
        assert_eq!(percent_label(0.05), "5%");
        assert_eq!(percent_label(0.025), "2.5%");
        assert_eq!(percent_label(0.0), "0%");
        assert_eq!(log_probability_label(0.0), "100%");
        assert_eq!(log_probability_label(-2.0), "1%");
        assert_eq!(log_probability_label(-3.0), "0.1%");
        assert_eq!(log_probability_label(-5.0), "0.001%");
    }

    #[test]
    fn long_titles_shrink_then_are_cut() {
        assert_eq!(fit_title("Short", 40, 1600), ("Short".to_string(), 40));
        let long = "x".repeat(80);
        let (t, px) = fit_title(&long, 40, 1600);
        assert_eq!(t, long);
        assert!((28..40).contains(&px));
        let very = "y".repeat(200);
        let (t, px) = fit_title(&very, 40, 1600);
        assert_eq!(px, 28);
        assert!(t.ends_with('…') && t.chars().count() < 100);
    }

    #[test]
    fn chart_size_parses_and_bounds() {
        assert_eq!(ChartSize::parse("1600x1000"), Some(ChartSize::default()));
        assert_eq!(
            ChartSize::parse("800X500"),
            Some(ChartSize {
                width: 800,
                height: 500
            })
        );
        assert_eq!(ChartSize::parse("10x10"), None);
        assert_eq!(ChartSize::parse("wide"), None);
    }
}
