//! `report.html`: one self-contained page for a briefing — the scenario,
//! the headline table with standard errors, every chart embedded as
//! `data:image/png;base64`, and what each metric means. No network, no
//! script.

use crate::output::{fmt_pm, fmt_sig};
use crate::plot::ChartFile;
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
    /// Raw JSON results, shown in a collapsed block.
    pub raw_json: Option<String>,
}

const STYLE: &str = "body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\
h1{font-size:1.7em;margin-bottom:.2em}h2{font-size:1.3em;margin-top:1.8em;border-bottom:1px solid #ddd}\
.scroll{overflow-x:auto}table{border-collapse:collapse;margin:1em 0;font-size:.9em}th,td{padding:.3em .5em;border-bottom:1px solid #e3e3e3;text-align:right;white-space:nowrap}\
th{white-space:normal;vertical-align:bottom}\
th:first-child,td:first-child{text-align:left}th{background:#f3f6f9}caption{text-align:left;font-weight:bold;padding:.3em 0}\
figure{margin:1.5em 0}img{max-width:100%;height:auto;border:1px solid #eee}figcaption{color:#555;font-size:.92em}\
dt{font-weight:bold;margin-top:.6em}dd{margin-left:1.2em}.facts{color:#444}pre{background:#f7f7f7;padding:1em;overflow:auto;font-size:.8em}\
@media print{@page{margin:14mm}body{max-width:none;margin:0;padding:0;font-size:10pt}\
.scroll{overflow:visible}table{width:100%;font-size:8pt}th,td{padding:.15em .3em;white-space:normal}\
h1,h2,caption{break-after:avoid;page-break-after:avoid}figure,tr{break-inside:avoid;page-break-inside:avoid}\
img{max-width:100%;max-height:42vh;width:auto;border:none}details{display:none}}";

/// What each metric means, for readers of the report.
pub const GLOSSARY: [(&str, &str); 10] = [
    ("p_any_shortfall", "Probability that at least one year of the horizon is a shortfall year: a year whose unserved demand exceeds the mineral's threshold share of that year's demand (5% unless the scenario says otherwise)."),
    ("expected_shortfall_years", "Expected number of shortfall years over the horizon."),
    ("eud_total", "Expected unserved demand: the amount of demand, summed over the horizon, that neither supply nor the stockpile could meet, averaged over all trials (in the mineral's unit)."),
    ("unserved_share", "eud_total as a share of expected total demand over the horizon."),
    ("unserved_p95", "95th percentile of the horizon's total unserved amount: in one simulated decade out of twenty, at least this much goes unserved (p50, p90 and p99 likewise)."),
    ("cvar95", "Average total unserved amount in the worst 5% of trials: how bad the bad cases are."),
    ("p_shortfall (by year)", "Probability that that year is a shortfall year."),
    ("supply p5-p95 (by year)", "Spread of the year's accessible supply across trials, before any stockpile release."),
    ("hhi / hhi_with_projects", "Herfindahl-Hirschman index (0-10,000) of the consumer's normal-time supply by country, without and with new projects at full capacity. Above 1,500 is moderately and above 2,500 highly concentrated."),
    ("± (standard error)", "Every probability and mean is a Monte Carlo estimate; the figure after ± is its standard error. The true value under the scenario lies within about two standard errors with 95% confidence. It measures simulation noise only, not whether the scenario's assumptions are right."),
];

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
            let _ = writeln!(
                h,
                "<div class=\"scroll\"><table>\n<caption>{}</caption>\n<tr>{}</tr>",
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
                        .map(|c| format!("<td>{}</td>", escape(c)))
                        .collect::<String>()
                );
            }
            let _ = writeln!(h, "</table></div>");
        }
        if !self.charts.is_empty() {
            let _ = writeln!(h, "<h2>Charts</h2>");
        }
        for c in &self.charts {
            let data = base64::engine::general_purpose::STANDARD.encode(&c.png);
            let _ = writeln!(
                h,
                "<figure id=\"{}\">\n<img alt=\"{}\" src=\"data:image/png;base64,{data}\">\n<figcaption>{} ({})</figcaption>\n</figure>",
                escape(&c.name),
                escape(&c.caption),
                escape(&c.caption),
                escape(&c.name)
            );
        }
        let _ = writeln!(h, "<h2>What the numbers mean</h2>\n<dl>");
        for (term, meaning) in GLOSSARY {
            let _ = writeln!(h, "<dt>{}</dt><dd>{}</dd>", escape(term), escape(meaning));
        }
        let _ = writeln!(h, "</dl>");
        if let Some(json) = &self.raw_json {
            let _ = writeln!(h, "<h2>Raw results</h2>\n<details><summary>summary.json</summary>\n<pre>{}</pre>\n</details>", escape(json));
        }
        let source = self
            .provenance
            .as_deref()
            .map(|p| format!(" from {}", escape(p)))
            .unwrap_or_default();
        let _ = writeln!(
            h,
            "<p class=\"facts\">Generated by supplyrisk {}{source}. Same scenario, trials and seed give the same numbers.</p>\n</body>\n</html>",
            env!("CARGO_PKG_VERSION")
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
                    fmt_pm(m.p_any_shortfall, m.p_any_shortfall_se),
                    fmt_pm(m.expected_shortfall_years, m.expected_shortfall_years_se),
                    format!("{} {}", fmt_pm(m.eud_total, m.eud_total_se), m.unit),
                    format!("{:.3}%", m.unserved_share * 100.0),
                    format!("{} {}", fmt_sig(m.unserved_p95), m.unit),
                    format!("{} {}", fmt_sig(m.cvar95), m.unit),
                    format!("{:.0}", m.hhi),
                    format!("{:.0}", m.hhi_with_projects),
                ]
            })
            .collect(),
    }
}

/// The report of a `run`.
pub fn run_report(
    summary: &Summary,
    description: Option<&str>,
    provenance: Option<String>,
    charts: Vec<ChartFile>,
    json_bytes: &str,
) -> Report {
    let mut paragraphs = Vec::new();
    if let Some(d) = description {
        paragraphs.push(d.to_string());
    }
    Report {
        title: summary.scenario.clone(),
        findings: key_findings(summary),
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
            ("trials".into(), summary.trials.to_string()),
            ("seed".into(), summary.seed.to_string()),
        ],
        tables: vec![headline_table(summary)],
        charts,
        raw_json: Some(json_bytes.to_string()),
    }
}

/// One sentence per mineral, from the numbers: how often a shortfall year
/// comes, how much goes unserved, and how bad the bad cases are.
pub fn key_findings(summary: &Summary) -> Vec<String> {
    let years = summary.years;
    summary
        .minerals
        .0
        .iter()
        .map(|(id, m)| {
            let u = &m.unit;
            if m.eud_total == 0.0 {
                return format!("{id}: no demand went unserved in any of the {} trials.", summary.trials);
            }
            format!(
                "{id}: at least one shortfall year in {} of {years}-year horizons; {} {u} of demand expected to go unserved in all ({} of demand); in 1 horizon in 20, {} {u} or more.",
                pct(m.p_any_shortfall, m.p_any_shortfall_se),
                fmt_pm(m.eud_total, m.eud_total_se),
                pct(m.unserved_share, 0.0),
                fmt_sig(m.unserved_p95)
            )
        })
        .collect()
}

/// A probability as a percentage to the precision its standard error
/// supports (at least one decimal below 10%).
fn pct(p: f64, se: f64) -> String {
    let v = 100.0 * p;
    if v > 0.0 && v < 0.01 {
        return "under 0.01%".to_string();
    }
    let decimals = if se > 0.0 {
        (1 - (100.0 * se).log10().floor() as i32).clamp(0, 3) as usize
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
            }],
            ..Default::default()
        };
        let html = r.to_html();
        assert!(html.contains("<h1>T &lt;x&gt;</h1>"));
        assert!(html.contains("src=\"data:image/png;base64,AQID\""));
        assert!(!html.contains("<script"));
        assert!(!html.contains("http://") && !html.contains("https://"));
    }
}
