//! The look shared by every chart: font, palette, size, text styles, and
//! rendering to PNG bytes.
//!
//! Charts render into an in-memory RGB buffer (plotters' bitmap backend),
//! which is then encoded as PNG, so callers can write files atomically or
//! embed them in `report.html`. Text uses the DejaVu Sans font bundled in
//! `assets/fonts` through plotters' `ab_glyph` feature: no system font or
//! font library is needed.

use crate::error::{Error, Result};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
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
    /// The widths allowed, in pixels.
    pub const WIDTHS: std::ops::RangeInclusive<u32> = 320..=8000;
    /// The heights allowed, in pixels.
    pub const HEIGHTS: std::ops::RangeInclusive<u32> = 240..=8000;

    /// Parse `WIDTHxHEIGHT`, for example `1600x1000`.
    pub fn parse(text: &str) -> Option<ChartSize> {
        let (w, h) = text.split_once(['x', 'X'])?;
        let (width, height) = (w.trim().parse().ok()?, h.trim().parse().ok()?);
        (Self::WIDTHS.contains(&width) && Self::HEIGHTS.contains(&height))
            .then_some(ChartSize { width, height })
    }

    /// Font scale relative to the default size.
    fn scale(self) -> f64 {
        (self.width as f64 / 1600.0).min(self.height as f64 / 1000.0)
    }

    /// A length in pixels, scaled from the default size.
    pub(super) fn px(self, base: f64) -> u32 {
        (base * self.scale()).round().max(1.0) as u32
    }

    /// A font size in pixels, scaled, never below 10.
    pub(super) fn font(self, base: f64) -> u32 {
        self.px(base).max(10)
    }
}

fn chart_err(what: &str) -> impl Fn(String) -> Error + '_ {
    move |e| Error::Other(format!("could not draw {what}: {e}"))
}

/// PNG bytes of rows `rows` of an RGB8 buffer `width` pixels wide.
pub(super) fn encode_rows(
    buf: &[u8],
    width: u32,
    rows: std::ops::Range<u32>,
    what: &str,
) -> Result<Vec<u8>> {
    let line = width as usize * 3;
    let part = &buf[rows.start as usize * line..rows.end as usize * line];
    encode_png(part, width, rows.end - rows.start).map_err(|e| chart_err(what)(e.to_string()))
}

/// Render with `draw` onto a white canvas of `size` and return its RGB8
/// buffer, row by row.
pub(super) fn render_rgb<F>(size: ChartSize, what: &str, draw: F) -> Result<Vec<u8>>
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
    Ok(buf)
}

/// Draw `text` in small grey type at the left of `area` (a chart's
/// footer), cut with an ellipsis if it is wider than the area.
pub(super) fn draw_footer(
    area: &DrawingArea<BitMapBackend, Shift>,
    text: &str,
    look: &Look,
) -> std::result::Result<(), String> {
    let px = look.size.font(20.0);
    let (w, h) = area.dim_in_pixel();
    let (fitted, px) = fit_line(text, px, w.saturating_sub(2 * px));
    let style = (FONT, px).into_font().color(&RGBColor(110, 110, 110)).pos(
        plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Left,
            plotters::style::text_anchor::VPos::Center,
        ),
    );
    area.draw(&Text::new(fitted, (px as i32, (h / 2) as i32), style))
        .map_err(|e| e.to_string())
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

/// One line that fits `width` pixels at font size `px` (DejaVu Sans
/// averages about 0.55 em per character): the font shrinks down to 70%,
/// then the text is cut with an ellipsis. Returns the text and font size.
pub fn fit_line(text: &str, px: u32, width: u32) -> (String, u32) {
    let usable = width as f64 * 0.94;
    let size = line_size(text, px, usable);
    (cut_to(text, size, usable), size as u32)
}

/// The font size at which `text` fits `usable` pixels, between 70% of
/// `px` and `px`.
fn line_size(text: &str, px: u32, usable: f64) -> f64 {
    let chars = text.chars().count().max(1) as f64;
    (usable / (0.55 * chars))
        .min(px as f64)
        .max((px as f64 * 0.7).round())
        .floor()
}

/// `text` as it is if it fits `usable` pixels at font size `size`, else
/// cut with an ellipsis.
fn cut_to(text: &str, size: f64, usable: f64) -> String {
    if 0.55 * size * text.chars().count() as f64 <= usable {
        return text.to_string();
    }
    let keep = (usable / (0.55 * size)) as usize;
    let kept: String = text.chars().take(keep.saturating_sub(1)).collect();
    format!("{}…", kept.trim_end())
}

/// A title that fits `width` pixels at font size `px` (DejaVu Sans
/// averages about 0.55 em per character): the font shrinks down to 70%;
/// a title still too long goes on two lines (split after its colon, or
/// at the space nearest its middle), and only a line too long even then
/// is cut with an ellipsis. Returns the lines and the font size.
pub fn fit_title(title: &str, px: u32, width: u32) -> (Vec<String>, u32) {
    let (one, size) = fit_line(title, px, width);
    if one == title {
        return (vec![one], size);
    }
    let usable = width as f64 * 0.94;
    let (first, second) = split_title(title);
    let longer = if first.chars().count() >= second.chars().count() {
        &first
    } else {
        &second
    };
    let size = line_size(longer, px, usable);
    (two_lines(title, size, usable), size as u32)
}

/// A title drawn at exactly font size `px` in `width` pixels: one line
/// where it fits, else two (split as [`fit_title`] splits), each cut with
/// an ellipsis only if still too long. With the size [`fit_title`] chose,
/// the same lines as it gives.
pub fn title_at(title: &str, px: u32, width: u32) -> Vec<String> {
    let usable = width as f64 * 0.94;
    let size = f64::from(px);
    if 0.55 * size * title.chars().count() as f64 <= usable {
        return vec![title.to_string()];
    }
    two_lines(title, size, usable)
}

/// `title` in two lines at font size `size`: split as [`split_title`]
/// splits; if a line is then too long, and the part after the title's
/// last ": " (a chart's subject, after a long scenario name) fits a line
/// of its own, split there instead, so that only the name is cut; a line
/// still too long is cut with an ellipsis.
fn two_lines(title: &str, size: f64, usable: f64) -> Vec<String> {
    let fits = |l: &str| 0.55 * size * l.chars().count() as f64 <= usable;
    let (mut first, mut second) = split_title(title);
    if !(fits(&first) && fits(&second)) {
        if let Some(i) = title.rfind(": ") {
            if fits(&title[i + 2..]) && title[..i].chars().count() > title[i + 2..].chars().count()
            {
                (first, second) = (title[..=i].to_string(), title[i + 2..].to_string());
            }
        }
    }
    [&first, &second].map(|l| cut_to(l, size, usable)).to_vec()
}

/// A title in two lines: after a ": " that leaves neither line more than
/// twice the other (the one nearest the middle), else at the space
/// nearest its middle.
fn split_title(title: &str) -> (String, String) {
    let n = title.chars().count();
    let middle = title.len() / 2;
    let balanced = |at: usize| at * 3 >= n && at * 3 <= 2 * n;
    let colon = title
        .match_indices(": ")
        .map(|(i, _)| i)
        .filter(|&i| balanced(title[..i].chars().count()))
        .min_by_key(|&i| i.abs_diff(middle));
    if let Some(i) = colon {
        return (title[..=i].to_string(), title[i + 2..].to_string());
    }
    let space = title
        .char_indices()
        .filter(|&(_, c)| c == ' ')
        .map(|(i, _)| i)
        .min_by_key(|&i| i.abs_diff(middle));
    match space {
        Some(i) => (title[..i].to_string(), title[i + 1..].to_string()),
        None => (title.to_string(), String::new()),
    }
}

/// Shared look of a chart: caption, label areas and mesh styles.
pub(super) struct Look {
    pub(super) size: ChartSize,
    /// Font size of the panels' titles, in pixels: the largest at which
    /// [`fit_title`] fits every panel's title.
    pub(super) title_px: u32,
}

impl Look {
    pub(super) fn axis(&self) -> TextStyle<'static> {
        (FONT, self.size.font(28.0)).into_font().into()
    }
    pub(super) fn tick(&self) -> TextStyle<'static> {
        (FONT, self.size.font(23.0)).into_font().into()
    }
    pub(super) fn legend(&self) -> TextStyle<'static> {
        (FONT, self.size.font(24.0)).into_font().into()
    }
    /// A legend entry that fits a plot `plot_width` pixels wide (beside
    /// its swatch and margins): a long scenario name is cut with an
    /// ellipsis.
    pub(super) fn legend_entry(&self, label: &str, plot_width: u32) -> String {
        let room = f64::from(plot_width) - f64::from(self.size.px(110.0));
        // The legend's box estimates 0.58 em a character, the cut 0.55.
        cut_to(label, f64::from(self.size.font(24.0)) * 0.58 / 0.55, room)
    }
    pub(super) fn note(&self) -> TextStyle<'static> {
        (FONT, self.size.font(30.0))
            .into_font()
            .color(&RGBColor(90, 90, 90))
            .pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Center,
            ))
    }
    /// Height of the footer strip, in pixels.
    pub(super) fn footer_height(&self) -> u32 {
        self.size.font(20.0) * 2
    }
    pub(super) fn stroke(&self, base: f64) -> u32 {
        self.size.px(base)
    }
    /// Length and half-height of a legend swatch, in pixels.
    pub(super) fn swatch(&self) -> (i32, i32) {
        (self.size.px(30.0) as i32, self.size.px(9.0) as i32)
    }
    /// A chart on `root` under `title` (see [`fit_title`]; the first of
    /// two lines is drawn above the chart's own caption), with the usual
    /// margins.
    pub(super) fn titled<'a, 'b>(
        &self,
        root: &'a DrawingArea<BitMapBackend<'b>, Shift>,
        title: &str,
    ) -> ChartBuilder<'a, 'b, BitMapBackend<'b>> {
        let margin = self.margin();
        let px = self.title_px;
        let lines = title_at(title, px, root.dim_in_pixel().0);
        let style: TextStyle<'static> = (FONT, px).into_font().style(FontStyle::Bold).into();
        let mut b = ChartBuilder::on(root);
        b.margin(margin);
        let mut lines = lines.into_iter();
        let first = lines.next().unwrap_or_default();
        match lines.next() {
            None => {
                b.caption(first, style);
            }
            Some(second) => {
                use plotters::style::text_anchor::{HPos, Pos, VPos};
                let centre = (root.dim_in_pixel().0 / 2) as i32;
                let top = style.pos(Pos::new(HPos::Center, VPos::Top));
                let _ = root.draw(&Text::new(first, (centre, margin as i32), top));
                let line = (f64::from(px) * 1.25) as u32;
                b.margin_top(margin + line).caption(second, style);
            }
        }
        b
    }

    /// A titled chart whose y label area is wide enough for the axis's
    /// description and for the widest of `y_labels` (the tick labels at
    /// the ends of the axis: "160,000,000" needs more room than "9").
    pub(super) fn builder<'a, 'b>(
        &self,
        root: &'a DrawingArea<BitMapBackend<'b>, Shift>,
        title: &str,
        y_labels: &[String],
    ) -> ChartBuilder<'a, 'b, BitMapBackend<'b>> {
        let mut b = self.titled(root, title);
        b.x_label_area_size(self.x_label_area())
            .y_label_area_size(self.y_label_area(y_labels));
        b
    }

    /// The margin around a chart, in pixels.
    fn margin(&self) -> u32 {
        self.size.px(30.0)
    }

    /// Height of an x label area: the tick labels and the axis's
    /// description.
    pub(super) fn x_label_area(&self) -> u32 {
        self.size.px(95.0)
    }

    /// About the size in pixels of the plot area [`Look::builder`] leaves
    /// on `root` for `title` and `y_labels`: before the chart is built,
    /// to decide its ranges.
    pub(super) fn plot_size(
        &self,
        root: (u32, u32),
        title: &str,
        y_labels: &[String],
    ) -> (u32, u32) {
        let margin = 2 * self.margin();
        let lines = title_at(title, self.title_px, root.0).len() as f64;
        let title = (lines * 1.25 * f64::from(self.title_px)) as u32;
        (
            root.0.saturating_sub(margin + self.y_label_area(y_labels)),
            root.1.saturating_sub(margin + self.x_label_area() + title),
        )
    }

    /// Width of a y label area for tick labels like `labels` and the
    /// axis's description: at least 130 px at full size, which holds
    /// labels of up to five characters.
    pub(super) fn y_label_area(&self, labels: &[String]) -> u32 {
        let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
        let needed = (0.6 * f64::from(self.size.font(23.0)) * longest) as u32 + self.size.px(60.0);
        needed.max(self.size.px(130.0))
    }
}

pub(super) type Area<'b> = DrawingArea<BitMapBackend<'b>, Shift>;

pub(super) type Chart2d<'a, 'b> = ChartWith<'a, 'b, RangedCoordf64>;

/// A chart with a linear x axis and the y axis `Y`.
pub(super) type ChartWith<'a, 'b, Y> =
    ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, Y>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_legend_entry_is_cut_to_its_plot_s_width() {
        let look = Look {
            size: ChartSize::default(),
            title_px: 40,
        };
        assert_eq!(
            look.legend_entry("baseline: Example", 1400),
            "baseline: Example"
        );
        let long = format!("alternative: {}", "word ".repeat(60));
        for width in [300, 800, 1400] {
            let entry = look.legend_entry(&long, width);
            assert!(entry.ends_with('…'), "{entry}");
            // As wide as the legend's box estimates it, within the plot.
            let text = 0.58 * f64::from(look.size.font(24.0)) * entry.chars().count() as f64;
            assert!(
                text + f64::from(look.size.px(110.0)) <= f64::from(width),
                "{width}: {entry}"
            );
        }
    }

    #[test]
    fn a_title_at_the_size_fit_title_chose_has_the_same_lines() {
        let word = "concentration ";
        for n in 1..30 {
            let title = format!("Panel: {}", word.repeat(n)).trim_end().to_string();
            let (lines, px) = fit_title(&title, 40, 1600);
            assert_eq!(title_at(&title, px, 1600), lines, "{n} words");
        }
        // At a smaller size a title that needed two lines may fit one.
        let long = "x ".repeat(70);
        assert_eq!(fit_title(long.trim_end(), 40, 1600).0.len(), 2);
        assert_eq!(title_at(long.trim_end(), 18, 1600).len(), 1);
    }

    #[test]
    fn long_titles_shrink_then_take_two_lines_then_are_cut() {
        assert_eq!(
            fit_title("Short", 40, 1600),
            (vec!["Short".to_string()], 40)
        );
        let long = "x".repeat(80);
        let (t, px) = fit_title(&long, 40, 1600);
        assert_eq!(t, vec![long]);
        assert!((28..40).contains(&px));
        // Two lines, split after the colon.
        let two = format!("{}: {}", "a".repeat(60), "b ".repeat(40).trim_end());
        let (t, px) = fit_title(&two, 40, 1600);
        assert_eq!(
            t,
            vec![
                format!("{}:", "a".repeat(60)),
                "b ".repeat(40).trim_end().to_string()
            ]
        );
        assert!((28..=40).contains(&px));
        // Without a colon, at the space nearest the middle.
        let words = "word ".repeat(30);
        let (t, _) = fit_title(words.trim_end(), 40, 1600);
        assert_eq!(t.len(), 2);
        assert!(t
            .iter()
            .all(|l| !l.ends_with('…') && l.split(' ').count() == 15));
        // A colon near the end does not move a split that fits.
        let rough = format!(
            "{}: {} (rough: 64 base sets)",
            "c".repeat(6),
            "w ".repeat(50).trim_end()
        );
        let (t, _) = fit_title(&rough, 40, 1600);
        assert!(t.iter().all(|l| !l.ends_with('…')), "{t:?}");
        assert!(t[1].ends_with("(rough: 64 base sets)"), "{t:?}");
        // A scenario name far longer than the subject: only the name is
        // cut, the subject after its last colon stays whole.
        let name = "Critical minerals for the grid ".repeat(6);
        let subject = "probability of a shortfall year, by mineral";
        let (t, _) = fit_title(&format!("{}: {subject}", name.trim_end()), 40, 1600);
        assert!(t[0].ends_with('…') && t[0].starts_with("Critical"), "{t:?}");
        assert_eq!(t[1], subject);
        // One long word: cut.
        let very = "y".repeat(200);
        let (t, px) = fit_title(&very, 40, 1600);
        assert_eq!(px, 28);
        assert!(t[0].ends_with('…') && t[0].chars().count() < 100);
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
