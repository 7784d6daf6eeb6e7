//! `report.html`: one self-contained page for a briefing — the scenario,
//! the headline table with standard errors, every chart embedded as
//! `data:image/png;base64`, and what each metric means. No network, no
//! script.

mod glossary;
mod market;
mod starts;
mod stock;

pub use starts::{insert_start_findings, start_findings};

pub use glossary::{
    column, glossary_extra, market_glossary, page_header, COMPARE_GLOSSARY, GLOSSARY,
    MARKET_GLOSSARY, STOCK_GLOSSARY,
};
pub use market::{market_finding, market_table};
pub use stock::{stock_finding, stock_table};

use crate::output::{fmt_index, fmt_pm, fmt_sig};
use crate::plot::{ChartFile, MineralContext};
use crate::summary::Summary;
use base64::Engine as _;
use std::fmt::Write as _;

/// Escape text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A table: header cells and rows of cells (plain text, escaped on output).
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Caption above the table.
    pub caption: String,
    /// Header cells.
    pub header: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<String>>,
}

/// The parts of a report page.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Page title.
    pub title: String,
    /// Key findings in plain words, first on the page.
    pub findings: Vec<String>,
    /// Where the results come from: scenario file, its SHA-256, trials,
    /// seed and program (shown under the title and at the foot).
    pub provenance: Option<String>,
    /// Paragraphs under the title (plain text).
    pub paragraphs: Vec<String>,
    /// Key facts of the run: `(name, value)`.
    pub facts: Vec<(String, String)>,
    /// Tables.
    pub tables: Vec<Table>,
    /// Charts, embedded in order.
    pub charts: Vec<ChartFile>,
    /// Raw JSON results, shown in a collapsed block: the file's name and
    /// its text.
    pub raw_json: Option<(String, String)>,
    /// Terms explained after [`GLOSSARY`]'s, for results only some runs
    /// have (world markets, stockpiles).
    pub glossary_extra: Vec<(String, String)>,
}

const STYLE: &str = "body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\
h1{font-size:1.7em;margin-bottom:.2em}h2{font-size:1.3em;margin-top:1.8em;border-bottom:1px solid #ddd}\
.scroll{overflow-x:auto}table{border-collapse:collapse;margin:1em 0;font-size:.9em}th,td{padding:.3em .5em;border-bottom:1px solid #e3e3e3;text-align:right;white-space:nowrap}\
th{white-space:normal;vertical-align:bottom}td.text{white-space:normal;min-width:6em}\
th:first-child,td:first-child{text-align:left}th{background:#f3f6f9}caption{text-align:left;font-weight:bold;padding:.3em 0}\
figure{margin:1.5em 0}img{max-width:100%;height:auto;border:1px solid #eee}figcaption{color:#555;font-size:.92em}\
figure.panels img{display:block;border-top:none;border-bottom:none}figure.panels img:first-of-type{border-top:1px solid #eee}figure.panels img:last-of-type{border-bottom:1px solid #eee}\
dt{font-weight:bold;margin-top:.6em}dd{margin-left:1.2em}.facts{color:#444}pre{background:#f7f7f7;padding:1em;overflow:auto;font-size:.8em}\
@media print{@page{margin:14mm}body{max-width:none;margin:0;padding:0;font-size:10pt}\
.scroll{overflow:visible}table{width:100%;font-size:8pt}th,td{padding:.15em .3em}th,td.text{white-space:normal}td:first-child,td.text{overflow-wrap:anywhere}caption{white-space:normal}\
table.keep{break-inside:avoid;page-break-inside:avoid}\
thead{display:table-header-group}h1,h2,caption,dt{break-after:avoid;page-break-after:avoid}caption{break-inside:avoid}dd{break-inside:avoid;page-break-inside:avoid}figure,tr{break-inside:avoid;page-break-inside:avoid}\
img{max-width:100%;max-height:44vh;width:auto;border:none}img.tall{max-height:85vh}details,h2.raw{display:none}\
figure.panels{break-inside:auto;page-break-inside:auto}figure.panels img{border:none;break-inside:avoid;page-break-inside:avoid}figcaption{break-before:avoid;page-break-before:avoid}}";

/// Most rows of a table kept on one printed page.
const KEPT_ROWS: usize = 15;

/// Whether a table cell is text that may wrap: long, with spaces, and not
/// a number (a number starts with a digit or a sign, and keeps its error
/// and unit on its line).
fn is_text(cell: &str) -> bool {
    let number = cell
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || "-−+.<>≈".contains(c));
    !number && cell.chars().count() > 18 && cell.contains(' ')
}

/// Width and height of a PNG, from its header.
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    let at = |i: usize| {
        png.get(i..i + 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_be_bytes)
    };
    (png.get(12..16) == Some(b"IHDR")).then_some(())?;
    Some((at(16)?, at(20)?))
}

impl Report {
    /// Render the page.
    pub fn to_html(&self) -> String {
        let mut h = String::new();
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
            escape(&self.title),
            escape(&self.title)
        );
        if let Some(p) = &self.provenance {
            let _ = writeln!(h, "<p class=\"facts\">{}</p>", escape(p));
        }
        if !self.findings.is_empty() {
            let _ = writeln!(h, "<h2>Key findings</h2>\n<ul>");
            for f in &self.findings {
                let _ = writeln!(h, "<li>{}</li>", escape(f));
            }
            let _ = writeln!(h, "</ul>");
        }
        for p in &self.paragraphs {
            let _ = writeln!(h, "<p>{}</p>", escape(p));
        }
        if !self.facts.is_empty() {
            let facts: Vec<String> = self
                .facts
                .iter()
                .map(|(k, v)| format!("{}: <b>{}</b>", escape(k), escape(v)))
                .collect();
            let _ = writeln!(h, "<p class=\"facts\">{}</p>", facts.join(" &middot; "));
        }
        for t in &self.tables {
            // A short table is kept on one printed page.
            let keep = if t.rows.len() <= KEPT_ROWS {
                " class=\"keep\""
            } else {
                ""
            };
            let _ = writeln!(
                h,
                "<div class=\"scroll\"><table{keep}>\n<caption>{}</caption>\n<thead><tr>{}</tr></thead><tbody>",
                escape(&t.caption),
                t.header
                    .iter()
                    .map(|c| format!("<th>{}</th>", escape(c)))
                    .collect::<String>()
            );
            for r in &t.rows {
                let _ = writeln!(
                    h,
                    "<tr>{}</tr>",
                    r.iter()
                        .map(|c| {
                            // Long text (lists of sources, distributions)
                            // wraps; numbers, with their errors and units,
                            // stay on one line.
                            if is_text(c) {
                                format!("<td class=\"text\">{}</td>", escape(c))
                            } else {
                                format!("<td>{}</td>", escape(c))
                            }
                        })
                        .collect::<String>()
                );
            }
            let _ = writeln!(h, "</tbody></table></div>");
        }
        if !self.charts.is_empty() {
            let _ = writeln!(h, "<h2>Charts</h2>");
        }
        for c in &self.charts {
            let data = |png: &[u8]| base64::engine::general_purpose::STANDARD.encode(png);
            let alt = escape(&c.caption);
            let images = if c.panels.is_empty() {
                // A chart taller than wide may fill a printed page; one
                // panel takes half of one.
                let tall = if png_size(&c.png).is_some_and(|(w, h)| h > w) {
                    " class=\"tall\""
                } else {
                    ""
                };
                format!(
                    "<img{tall} alt=\"{alt}\" src=\"data:image/png;base64,{}\">",
                    data(&c.png)
                )
            } else {
                // Panels stacked on screen as one figure; in print each
                // takes half a page at full width, and the figure may
                // break between them.
                c.panels
                    .iter()
                    .enumerate()
                    .map(|(k, png)| {
                        format!(
                            "<img alt=\"{}\" src=\"data:image/png;base64,{}\">",
                            if k == 0 { alt.as_str() } else { "" },
                            data(png)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let _ = writeln!(
                h,
                "<figure id=\"{}\"{}>\n{images}\n<figcaption>{alt} ({})</figcaption>\n</figure>",
                escape(&c.name),
                if c.panels.is_empty() {
                    ""
                } else {
                    " class=\"panels\""
                },
                escape(&c.name)
            );
        }
        let _ = writeln!(h, "<h2>What the numbers mean</h2>\n<dl>");
        let extra = self
            .glossary_extra
            .iter()
            .map(|(t, m)| (t.as_str(), m.as_str()));
        for (term, meaning) in GLOSSARY.into_iter().chain(extra) {
            let _ = writeln!(h, "<dt>{}</dt><dd>{}</dd>", escape(term), escape(meaning));
        }
        let _ = writeln!(h, "</dl>");
        if let Some((name, json)) = &self.raw_json {
            let _ = writeln!(
                h,
                "<h2 class=\"raw\">Raw results</h2>\n<details><summary>{}</summary>\n<pre>{}</pre>\n</details>",
                escape(name),
                escape(json)
            );
        }
        // The source line names the program; without one, say it here.
        let generated = match &self.provenance {
            Some(p) => format!("Generated from {}", escape(p)),
            None => format!("Generated by supplyrisk {}", env!("CARGO_PKG_VERSION")),
        };
        let _ = writeln!(
            h,
            "<p class=\"facts\">{generated}. Same scenario, trials and seed give the same numbers.</p>\n</body>\n</html>"
        );
        h
    }
}

/// The headline table of a run: one row per mineral.
pub fn headline_table(summary: &Summary) -> Table {
    Table {
        caption: "Headline results per mineral (± one standard error)".to_string(),
        // Words that wrap, so that the table fits a 1024-pixel page; the
        // glossary below gives each key.
        header: [
            "mineral",
            "P(any shortfall year) p_any_shortfall",
            "expected shortfall years",
            "expected unserved eud_total",
            "unserved share",
            "1-in-20 total unserved_p95",
            "worst 5% mean cvar95",
            "HHI",
            "HHI with projects",
        ]
        .map(String::from)
        .to_vec(),
        rows: summary
            .minerals
            .0
            .iter()
            .map(|(id, m)| {
                vec![
                    id.clone(),
                    crate::output::fmt_pct_pm(m.p_any_shortfall, m.p_any_shortfall_se),
                    fmt_pm(m.expected_shortfall_years, m.expected_shortfall_years_se),
                    format!("{} {}", fmt_pm(m.eud_total, m.eud_total_se), m.unit),
                    format!("{:.3}%", m.unserved_share * 100.0),
                    format!("{} {}", fmt_sig(m.unserved_p95), m.unit),
                    format!("{} {}", fmt_sig(m.cvar95), m.unit),
                    fmt_index(m.hhi),
                    fmt_index(m.hhi_with_projects),
                ]
            })
            .collect(),
    }
}

/// The report of a `run`. `context` gives each mineral's market numbers
/// (its spike threshold), in scenario order.
pub fn run_report(
    summary: &Summary,
    context: &[MineralContext],
    description: Option<&str>,
    provenance: Option<String>,
    charts: Vec<ChartFile>,
    json_bytes: &str,
) -> Report {
    let mut paragraphs = Vec::new();
    if let Some(d) = description {
        paragraphs.push(d.to_string());
    }
    let mut tables = vec![headline_table(summary)];
    tables.extend(market_table(summary));
    tables.extend(stock::stock_table(summary));
    // Each mineral's market finding follows its shortfall finding.
    let mut findings = Vec::new();
    for (i, ((id, m), f)) in summary
        .minerals
        .0
        .iter()
        .zip(key_findings(summary, context))
        .enumerate()
    {
        findings.push(f);
        let threshold = context
            .get(i)
            .and_then(|c| c.market.as_ref())
            .map(|k| k.spike_threshold);
        findings.extend(market_finding(id, m, threshold, summary.years));
        findings.extend(stock::stock_finding(id, m, summary));
    }
    Report {
        title: summary.scenario.clone(),
        findings,
        provenance,
        paragraphs,
        facts: vec![
            (
                "horizon".into(),
                format!(
                    "{}–{}",
                    summary.start_year,
                    summary.start_year + summary.years as i64 - 1
                ),
            ),
            ("steps per year".into(), summary.steps_per_year.to_string()),
            (
                "trials".into(),
                crate::output::group_thousands(&summary.trials.to_string()),
            ),
            ("seed".into(), summary.seed.to_string()),
        ],
        tables,
        charts,
        raw_json: Some(("summary.json".into(), json_bytes.to_string())),
        glossary_extra: glossary_extra(summary),
    }
}

/// One sentence per mineral, from the numbers: how often a shortfall year
/// comes, how much goes unserved, and how bad the bad cases are.
pub fn key_findings(summary: &Summary, context: &[MineralContext]) -> Vec<String> {
    let years = summary.years;
    summary
        .minerals
        .0
        .iter()
        .enumerate()
        .map(|(i, (id, m))| {
            let what = context
                .get(i)
                .and_then(crate::plot::threshold_words)
                .map_or(String::new(), |w| format!(" ({w})"));
            let u = &m.unit;
            let market = context.get(i).is_some_and(|c| c.market.is_some());
            let (went, go) = if market {
                ("was priced out or rationed", "be priced out or rationed")
            } else {
                ("went unserved", "go unserved")
            };
            if m.eud_total == 0.0 {
                return format!("{id}: no demand {went} in any of the {} trials.", summary.trials);
            }
            format!(
                "{id}: at least one shortfall year{what} in {} of {years}-year horizons; {} {u} of demand expected to {go} in all ({} of demand); in 1 horizon in 20, {} {u} or more.",
                pct(m.p_any_shortfall, m.p_any_shortfall_se),
                fmt_pm(m.eud_total, m.eud_total_se),
                pct(m.unserved_share, 0.0),
                fmt_sig(m.unserved_p95)
            )
        })
        .collect()
}

/// A probability as a percentage to the precision its standard error
/// supports, as the tables give it with its error (at most three
/// decimals; without an error, two below 10% and one above).
fn pct(p: f64, se: f64) -> String {
    let v = 100.0 * p;
    if v > 0.0 && v < 0.01 {
        return "under 0.01%".to_string();
    }
    let decimals = if se > 0.0 && se.is_finite() {
        crate::output::pm_decimals(100.0 * se).min(3)
    } else if v < 10.0 {
        2
    } else {
        1
    };
    format!("{v:.decimals$}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_gives_a_chance_to_the_digits_of_its_table() {
        for (p, se, text) in [
            (0.02266, 0.0007, "2.27%"),
            (0.99426, 0.00024, "99.426%"),
            (0.5, 0.002, "50.00%"),
            (0.1316, 0.0011, "13.16%"),
            (0.4, 0.04, "40%"),
        ] {
            assert_eq!(pct(p, se), text);
            let table = crate::output::fmt_pct_pm(p, se);
            assert!(table.starts_with(text.trim_end_matches('%')), "{table}");
        }
        assert_eq!(pct(0.00005, 0.0), "under 0.01%");
        assert_eq!(pct(0.05, 0.0), "5.00%");
        assert_eq!(pct(0.5, 0.0), "50.0%");
    }

    #[test]
    fn numbers_with_errors_and_units_stay_on_one_line_and_short_tables_on_one_page() {
        assert!(!is_text("2,917 ± 13 USD million"));
        assert!(!is_text("-0.0965 ± 0.0011 kt Li"));
        assert!(is_text("beta(mean 0.3, sd 0.15) severity"));
        let table = |rows: usize| Report {
            tables: vec![Table {
                caption: "t".into(),
                header: vec!["a".into()],
                rows: vec![vec!["1".into()]; rows],
            }],
            ..Default::default()
        };
        assert!(table(KEPT_ROWS)
            .to_html()
            .contains("<table class=\"keep\">"));
        assert!(table(KEPT_ROWS + 1).to_html().contains("<table>"));
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn report_embeds_charts_as_data_uris_without_scripts() {
        let r = Report {
            title: "T <x>".into(),
            charts: vec![ChartFile {
                name: "a.png".into(),
                caption: "cap".into(),
                png: vec![1, 2, 3],
                panels: Vec::new(),
            }],
            ..Default::default()
        };
        let html = r.to_html();
        assert!(html.contains("<h1>T &lt;x&gt;</h1>"));
        assert!(html.contains("src=\"data:image/png;base64,AQID\""));
        assert!(!html.contains("<script"));
        assert!(!html.contains("http://") && !html.contains("https://"));
    }

    #[test]
    fn a_chart_taller_than_wide_may_fill_a_printed_page_and_headers_repeat() {
        // A PNG's signature and header: width 100, height 300.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend(100u32.to_be_bytes());
        png.extend(300u32.to_be_bytes());
        assert_eq!(png_size(&png), Some((100, 300)));
        assert_eq!(png_size(b"not a png"), None);
        let chart = |png: Vec<u8>| ChartFile {
            name: "a.png".into(),
            caption: "cap".into(),
            png,
            panels: Vec::new(),
        };
        let r = Report {
            charts: vec![chart(png), chart(vec![1, 2, 3])],
            tables: vec![Table {
                caption: "t".into(),
                header: vec!["a".into()],
                rows: vec![vec!["1".into()]],
            }],
            ..Default::default()
        };
        let html = r.to_html();
        assert_eq!(html.matches("<img class=\"tall\"").count(), 1);
        assert!(html.contains("<thead><tr><th>a</th></tr></thead><tbody>"));
    }
}
