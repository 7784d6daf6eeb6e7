//! Charts and report.html from the real binary.

use crate::util::{example_path, run_in, stderr};
use std::path::Path;
use supplyrisk::output::fmt_pm;

/// Decode a PNG; return (width, height, share of non-white pixels, number
/// of distinct colours seen).
fn inspect_png(path: &Path) -> (u32, u32, f64, usize) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = png::Decoder::new(file)
        .read_info()
        .expect("valid PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("valid PNG data");
    let bytes = &buf[..info.buffer_size()];
    let channels = info.color_type.samples();
    let mut non_white = 0usize;
    let mut colours = std::collections::HashSet::new();
    for px in bytes.chunks(channels) {
        if px.iter().take(3).any(|&c| c < 250) {
            non_white += 1;
        }
        if colours.len() < 64 {
            colours.insert(px.to_vec());
        }
    }
    let total = (info.width * info.height) as f64;
    (
        info.width,
        info.height,
        non_white as f64 / total,
        colours.len(),
    )
}

const CHARTS: [&str; 10] = [
    "shortfall_probability.png",
    "concentration.png",
    "supply_copper.png",
    "supply_cobalt.png",
    "supply_nickel.png",
    "supply_lithium.png",
    "exceedance_copper.png",
    "exceedance_cobalt.png",
    "exceedance_nickel.png",
    "exceedance_lithium.png",
];

fn run_example(dir: &Path, out: &str, extra: &[&str]) -> std::path::PathBuf {
    let example = example_path();
    let mut args = vec![
        "run",
        example.to_str().unwrap(),
        "--trials",
        "3000",
        "--quiet",
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    let o = run_in(dir, &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    dir.join(out)
}

#[test]
fn every_chart_is_a_non_blank_png_of_the_configured_size() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_example(dir.path(), "out", &[]);
    for name in CHARTS {
        let (w, h, ink, colours) = inspect_png(&out.join(name));
        assert_eq!((w, h), (1600, 1000), "{name}");
        assert!(ink > 0.02, "{name}: only {ink} of the pixels are drawn");
        assert!(colours >= 4, "{name}: only {colours} colours");
    }
    let small = run_example(dir.path(), "small", &["--chart-size", "800x500"]);
    let (w, h, _, _) = inspect_png(&small.join("supply_copper.png"));
    assert_eq!((w, h), (800, 500));
}

#[test]
fn no_plots_writes_no_chart_and_no_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_example(dir.path(), "out", &["--no-plots"]);
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| !n.ends_with(".png") && n != "report.html"),
        "{names:?}"
    );
    assert!(names.contains(&"summary.json".to_string()));
}

#[test]
fn report_embeds_every_chart_and_the_headline_numbers() {
    use base64::Engine as _;
    let dir = tempfile::tempdir().unwrap();
    let out = run_example(dir.path(), "out", &[]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for name in CHARTS {
        let png = std::fs::read(out.join(name)).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(&png);
        assert!(
            html.contains(&format!("data:image/png;base64,{b64}")),
            "{name} not embedded"
        );
    }
    assert!(!html.contains("<script") && !html.contains("src=\"http"));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    for (id, m) in summary["minerals"].as_object().unwrap() {
        let f = |k: &str| m[k].as_f64().unwrap();
        for shown in [
            // Probabilities in percent.
            format!(
                "{}%",
                fmt_pm(
                    100.0 * f("p_any_shortfall"),
                    100.0 * f("p_any_shortfall_se")
                )
            ),
            fmt_pm(f("eud_total"), f("eud_total_se")),
            fmt_pm(
                f("expected_shortfall_years"),
                f("expected_shortfall_years_se"),
            ),
        ] {
            assert!(html.contains(&shown), "{id}: report lacks {shown}");
        }
    }
    // The exact numbers of summary.json are in the page too.
    let raw = std::fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(html.contains(&supplyrisk::report::escape(raw.trim_end())));
    assert!(
        html.contains("Illustrative U.S.-like supply"),
        "scenario description"
    );
}

#[test]
fn a_scenario_without_any_shortfall_still_draws_every_chart() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ample.toml"),
        r#"
[scenario]
name = "Ample supply"
start_year = 2026
years = 3
[[mineral]]
id = "cu"
demand = { base = 10.0 }
[[source]]
id = "a"
mineral = "cu"
capacity = 100.0
"#,
    )
    .unwrap();
    let o = run_in(
        dir.path(),
        &["run", "ample.toml", "--trials", "200", "--quiet"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for name in [
        "shortfall_probability.png",
        "supply_cu.png",
        "exceedance_cu.png",
        "concentration.png",
    ] {
        let (w, _, ink, _) = inspect_png(&dir.path().join("results/ample").join(name));
        assert_eq!(w, 1600);
        assert!(ink > 0.01, "{name}");
    }
}

#[test]
fn bad_chart_size_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let example = example_path();
    let o = run_in(
        dir.path(),
        &["run", example.to_str().unwrap(), "--chart-size", "big"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("WIDTHxHEIGHT"));
    assert!(!dir.path().join("results").exists());
}

#[test]
fn chart_data_carries_the_summary_series_labels_and_ranges() {
    use supplyrisk::plot;
    use supplyrisk::summary::exceedance_curves;
    let s = crate::util::scenario(crate::util::FULL);
    let agg = supplyrisk::engine::simulate(&s, 8, 2_000, None);
    let sum = supplyrisk::summary::Summary::new(&s, 8, &agg);
    let cu = sum.minerals.get("cu").unwrap();

    let fan = plot::fan::supply_fan(&sum.scenario, &[("full", &sum)], "cu");
    assert_eq!(fan.years, vec![2026, 2027, 2028, 2029]);
    assert_eq!(
        fan.fans[0].p50,
        cu.years.iter().map(|y| y.supply_p50).collect::<Vec<_>>()
    );
    assert_eq!(
        fan.fans[0].demand,
        cu.years.iter().map(|y| y.demand_mean).collect::<Vec<_>>()
    );
    assert!(
        fan.y_label.starts_with("cu, kt per year"),
        "{}",
        fan.y_label
    );
    crate::util::check_fan_axis(&fan);
    assert!(fan.y_range.0 > 0.0, "a narrow band is zoomed onto");
    // Demand's range drawn too: a narrow one keeps the zoom, one that
    // reaches far down takes the axis back to 0, and its label with it.
    let band = |lo: f64, hi: f64| -> Vec<(f64, f64)> {
        cu.years
            .iter()
            .map(|y| (lo * y.demand_mean, hi * y.demand_mean))
            .collect()
    };
    let narrow = fan.clone().with_demand_band(band(0.97, 1.03));
    crate::util::check_fan_axis(&narrow);
    assert!(narrow.y_range.0 > 0.0);
    let wide = fan.clone().with_demand_band(band(0.2, 1.8));
    crate::util::check_fan_axis(&wide);
    assert_eq!(wide.y_range.0, 0.0);

    let at = |t: f64| plot::MineralContext {
        shortfall_threshold: Some(t),
        ..Default::default()
    };
    // One threshold: said once, on the axis; two: in each label.
    let lines = plot::lines::shortfall_lines(&sum, &[at(0.05), at(0.05)]);
    assert_eq!(
        lines.y_label,
        "Probability of a shortfall year: over 5% of demand unserved"
    );
    let differ = plot::lines::shortfall_lines(&sum, &[at(0.05), at(0.1)]);
    assert_eq!(differ.series[1].label, "co (over 10% of demand unserved)");
    // A world-market mineral beside a physical one: each label says which.
    let market = plot::MineralContext {
        market: Some(plot::MarketContext {
            reference_price: 1.0,
            spike_threshold: 1.5,
            cost_curve: Vec::new(),
        }),
        ..at(0.05)
    };
    let mixed = plot::lines::shortfall_lines(&sum, &[market, at(0.05)]);
    assert!(mixed.series[0]
        .label
        .ends_with("(over 5% of demand priced out or rationed)"));
    assert!(mixed.series[1]
        .label
        .ends_with("(over 5% of demand unserved)"));
    assert_eq!(mixed.y_label, "Probability of a shortfall year");
    assert_eq!(differ.y_label, "Probability of a shortfall year");
    assert_eq!(lines.series.len(), 2);
    assert_eq!(lines.series[0].label, "cu");
    let err0 = lines.series[0].err.as_ref().unwrap()[0];
    assert!((err0 - plot::Z95 * cu.years[0].p_shortfall_se).abs() < 1e-15);
    assert!(lines.y_range.0 == 0.0 && lines.y_range.1 <= 1.0);
    assert!(lines.series.iter().all(|s| s
        .y
        .iter()
        .zip(s.err.as_ref().unwrap())
        .all(|(y, e)| y + e <= lines.y_range.1 + 1e-12)));

    let bars = plot::bars::concentration_bars(&sum);
    assert_eq!(bars.categories, vec!["cu", "co"]);
    assert_eq!(bars.groups[0].values[0], cu.hhi);
    assert_eq!(bars.groups[1].values[0], cu.hhi_with_projects);
    assert_eq!(
        bars.reference_lines.iter().map(|r| r.0).collect::<Vec<_>>(),
        vec![1500.0, 2500.0]
    );
    // Without the project, one bar a mineral, said to be unchanged.
    let text = crate::util::FULL.replace(
        "project = { online_year = 2027.5, delay_months = { dist = \"triangular\", min = 0, mode = 6, max = 18 }, ramp_years = 1.0, success_probability = 0.8 }\n",
        "",
    );
    assert_ne!(text, crate::util::FULL, "fixture");
    let plain = crate::util::scenario(&text);
    let bars = plot::bars::concentration_bars(&crate::util::summarise(&plain, 3, 200));
    assert_eq!(bars.groups.len(), 1);
    assert_eq!(
        bars.groups[0].label,
        "Existing sources (projects change none)"
    );

    let ex = plot::exceedance::exceedance_chart(
        "full",
        "cu",
        "kt",
        vec![(
            plot::exceedance::exceedance_curve("full", &exceedance_curves(&agg)[0], agg.trials),
            [cu.unserved_p90, cu.unserved_p95, cu.unserved_p99],
        )],
    );
    assert_eq!(
        ex.curves[0].markers.iter().map(|m| m.2).collect::<Vec<_>>(),
        vec![0.10, 0.05, 0.01]
    );
    // On the full (unthinned, uncut) curve, P(X > p95) is 5% to within
    // one trial.
    let full = agg.minerals[0].totals_dist.exceedance(usize::MAX);
    let at = |x: f64| full.iter().rev().find(|p| p.0 <= x).map_or(1.0, |p| p.1);
    let one = 1.0 / 2_000.0;
    for (x, p) in [
        (cu.unserved_p90, 0.10),
        (cu.unserved_p95, 0.05),
        (cu.unserved_p99, 0.01),
    ] {
        assert!(
            (at(x) - p).abs() <= one + 1e-12,
            "P(X > {x}) = {} vs {p}",
            at(x)
        );
    }
    assert!(ex
        .x_label
        .starts_with("Total unserved cu over the horizon, kt"));
}

#[test]
fn a_supply_fan_that_reaches_far_down_starts_at_0() {
    // One source, down most of the time and then completely.
    let s = crate::util::scenario(
        r#"
[scenario]
name = "deep"
start_year = 2026
years = 3
steps_per_year = 12

[[mineral]]
id = "ga"
demand = { base = 80.0 }

[[source]]
id = "only"
mineral = "ga"
capacity = 100.0
disruption = { rate = 2.0, severity = 1.0, duration_months = 9 }
"#,
    );
    let sum = crate::util::summarise(&s, 3, 4_000);
    let fan = supplyrisk::plot::fan::supply_fan("deep", &[("deep", &sum)], "ga");
    crate::util::check_fan_axis(&fan);
    assert_eq!(fan.y_range.0, 0.0);
    assert_eq!(fan.y_label, "ga, units per year");
}

/// Width and height from a PNG's header.
fn png_dims(png: &[u8]) -> (u32, u32) {
    let be = |i: usize| u32::from_be_bytes(png[i..i + 4].try_into().unwrap());
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    (be(16), be(20))
}

#[test]
fn a_page_shows_a_stacked_figure_as_its_panels_cut_where_they_meet() {
    use base64::Engine as _;
    let dir = tempfile::tempdir().unwrap();
    let ex = example_path();
    let alt = ex.with_file_name("example-diversified.toml");
    let o = run_in(
        dir.path(),
        &[
            "compare",
            ex.to_str().unwrap(),
            alt.to_str().unwrap(),
            "--trials",
            "2000",
            "--out",
            "c",
            "--quiet",
            "--chart-size",
            "800x500",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(dir.path().join("c/report.html")).unwrap();
    let whole = std::fs::read(dir.path().join("c/compare_copper.png")).unwrap();
    let (w, h) = png_dims(&whole);
    assert!(h >= 2 * 500, "a stacked figure: {w}x{h}");
    let figure = html
        .split("<figure id=\"compare_copper.png\" class=\"panels\">")
        .nth(1)
        .and_then(|f| f.split("</figure>").next())
        .expect("the figure, as panels");
    let parts: Vec<Vec<u8>> = figure
        .split("src=\"data:image/png;base64,")
        .skip(1)
        .map(|p| {
            let b64 = p.split('"').next().unwrap();
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap()
        })
        .collect();
    let dims: Vec<(u32, u32)> = parts.iter().map(|p| png_dims(p)).collect();
    assert_eq!(parts.len() as u32, h / 500, "one image a panel: {dims:?}");
    assert!(dims.iter().all(|&(pw, _)| pw == w), "{dims:?}");
    assert_eq!(dims.iter().map(|d| d.1).sum::<u32>(), h, "{dims:?}");
    // Only the first carries the description; the whole is not repeated.
    assert_eq!(figure.matches("alt=\"\"").count(), parts.len() - 1);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&whole);
    assert!(!html.contains(&b64));
    // A figure of one panel stays one image.
    assert!(html.contains("<figure id=\"change_copper.png\">\n<img"));
}

#[test]
fn two_runs_fans_do_not_blend_into_a_colour_the_legend_does_not_name() {
    // Two identical runs: their bands overlap everywhere. The band's
    // inside is the baseline's blue tint (blue above red); two filled
    // bands would blend into an olive (blue below red) named nowhere.
    let s = crate::util::scenario(crate::util::FULL);
    let sum = crate::util::summarise(&s, 1, 2_000);
    let id = &sum.minerals.0[0].0;
    let fan =
        supplyrisk::plot::fan::supply_fan("T", &[("baseline", &sum), ("alternative", &sum)], id);
    let size = supplyrisk::plot::ChartSize::parse("800x500").unwrap();
    let png = supplyrisk::plot::png(&[supplyrisk::plot::Chart::Fan(fan)], size, "").unwrap();
    let mut reader = png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let mut counts = std::collections::HashMap::new();
    for px in buf[..info.buffer_size()].chunks(channels) {
        if px[..3].iter().any(|&c| c < 250) {
            *counts.entry((px[0], px[1], px[2])).or_insert(0usize) += 1;
        }
    }
    let (&(r, g, b), _) = counts.iter().max_by_key(|(_, n)| **n).unwrap();
    assert!(
        b > r && g > r,
        "the band's commonest colour is ({r}, {g}, {b})"
    );
}
