//! Golden and unit tests of the charts.

use super::*;

fn energy_chart() -> StackedBars {
    StackedBars {
        log_y: false,
        title: "Energy by memory".into(),
        x_title: "where".into(),
        y_title: "energy (pJ)".into(),
        categories: vec!["MAC".into(), "sram".into(), "dram".into()],
        series: vec![
            Series {
                name: "W".into(),
                values: vec![0.0, 2e6, 5e6],
            },
            Series {
                name: "I".into(),
                values: vec![1e6, 3e6, f64::NAN],
            },
        ],
    }
}

/// Two bars `a` and `b` of one series with these heights, on a log or a
/// linear value axis.
fn two_bars(log_y: bool, values: [f64; 2]) -> StackedBars {
    StackedBars {
        log_y,
        title: "t".into(),
        x_title: "x".into(),
        y_title: "y".into(),
        categories: vec!["a".into(), "b".into()],
        series: vec![Series {
            name: "s".into(),
            values: values.to_vec(),
        }],
    }
}

/// The text contents of an SVG's `<text>` elements.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            Some(
                t.split_once('>')?
                    .1
                    .split_once("</text>")?
                    .0
                    .trim()
                    .to_string(),
            )
        })
        .collect()
}

fn check_golden(name: &str, svg: &str) {
    let path = format!("{}/../../tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, svg).unwrap();
    }
    let golden = std::fs::read_to_string(&path).expect("golden file; bless with UPDATE_GOLDEN=1");
    assert_eq!(
        svg, golden,
        "{name} changed; re-bless with UPDATE_GOLDEN=1 if intended"
    );
}

/// Re-bless with `UPDATE_GOLDEN=1 cargo test -p defines-playground`.
#[test]
fn stacked_bars_match_golden() {
    let svg = to_svg(700, 360, |a| {
        draw_stacked_bars(a, &energy_chart()).unwrap();
    });
    // 4 non-zero finite segments in the two series' colours.
    assert_eq!(
        svg.matches("fill=\"#2F6FB5\"").count() - 1,
        2,
        "W segments (+ legend)"
    );
    assert_eq!(
        svg.matches("fill=\"#E69F00\"").count() - 1,
        2,
        "I segments (+ legend)"
    );
    let labels = texts(&svg);
    assert_eq!(
        labels.iter().filter(|t| *t == "5.00 M").count(),
        3,
        "axis + 2 totals: {labels:?}"
    );
    assert!(labels.iter().any(|t| t == "1.00 M"));
    check_golden("stacked_bars.svg", &svg);
}

#[test]
fn heat_map_matches_golden() {
    let map = HeatMap {
        title: "energy, fully cached".into(),
        x_desc: "tile width (pixels)".into(),
        y_desc: "tile height (pixels)".into(),
        xs: vec!["1".into(), "4".into(), "16".into()],
        ys: vec!["1".into(), "18".into()],
        values: vec![
            Some(1e9),
            Some(2e9),
            None,
            Some(4e9),
            Some(8e9),
            Some(1.6e10),
        ],
        range: (1e9, 1.6e10),
        unit: "pJ".into(),
        highlight: Some((1, 1)),
    };
    let svg = to_svg(420, 300, |a| {
        draw_heat_map(a, &map).unwrap();
    });
    assert!(
        svg.contains("#440154"),
        "lowest value in the darkest colour"
    );
    assert!(
        svg.contains("#FDE725"),
        "highest value in the brightest colour"
    );
    check_golden("heat_map.svg", &svg);
}

#[test]
fn scatter_returns_pixels_for_hit_testing() {
    let s = Scatter {
        title: "Pareto".into(),
        group_names: vec!["mode 1".into(), "mode 2".into()],
        points: vec![
            ScatterPoint {
                energy_pj: 1e9,
                latency_cycles: 2e7,
                group: 0,
                on_front: true,
                current: false,
            },
            ScatterPoint {
                energy_pj: 4e9,
                latency_cycles: 1e7,
                group: 1,
                on_front: true,
                current: true,
            },
        ],
    };
    let mut px = Vec::new();
    let svg = to_svg(600, 400, |a| px = draw_scatter(a, &s).unwrap());
    assert_eq!(px.len(), 2);
    assert!(px[0].0 < px[1].0, "more energy is further right");
    assert!(px[0].1 < px[1].1, "more latency is higher up");
    assert_eq!(hit_test(&px, (px[1].0 + 3, px[1].1 - 2), 8), Some(1));
    assert_eq!(hit_test(&px, (0, 0), 8), None);
    check_golden("scatter.svg", &svg);
}

#[test]
fn scale_is_monotone_and_log() {
    assert_eq!(log_position(10.0, (1.0, 100.0)), 0.5);
    assert_eq!(log_position(0.0, (1.0, 100.0)), 0.0);
    assert_eq!(scale_color(0.0), RGBColor(68, 1, 84));
    assert_eq!(scale_color(1.0), RGBColor(253, 231, 37));
}

#[test]
fn degenerate_charts_do_not_panic() {
    let empty = StackedBars {
        log_y: false,
        categories: vec![],
        series: vec![],
        ..energy_chart()
    };
    assert!(to_svg(300, 200, |a| draw_stacked_bars(a, &empty).unwrap()).contains("<svg"));
    let s = Scatter {
        title: "t".into(),
        group_names: vec![],
        points: vec![],
    };
    assert!(to_svg(300, 200, |a| {
        draw_scatter(a, &s).unwrap();
    })
    .contains("<svg"));
    let m = HeatMap {
        title: "t".into(),
        x_desc: String::new(),
        y_desc: String::new(),
        xs: vec![],
        ys: vec![],
        values: vec![],
        range: (0.0, 0.0),
        unit: "pJ".into(),
        highlight: None,
    };
    assert!(to_svg(300, 200, |a| draw_heat_map(a, &m).unwrap()).contains("<svg"));
}

/// On a log axis (Figs. 13 and 14) bar heights follow decades: with the
/// axis from the decade below the smallest bar (10^2), a bar of 10^6 is
/// four times as tall as one of 10^3; ticks are whole decades; the totals
/// show the values, not their logarithms.
#[test]
fn log_bars_rise_by_decades() {
    let chart = two_bars(true, [1e3, 1e6]);
    let mut hits = Vec::new();
    let svg = to_svg(700, 360, |a| {
        hits = draw_stacked_bars_hits(a, &chart).unwrap();
    });
    let h = |hits: &[BarHit], k: usize| f64::from(hits[k].rect.3 - hits[k].rect.1);
    assert_eq!(hits.len(), 2);
    let ratio = h(&hits, 1) / h(&hits, 0);
    assert!((ratio - 4.0).abs() < 0.1, "{ratio} (pixels rounded)");
    let labels = texts(&svg);
    for tick in ["100", "1.00 k", "10.0 k", "100 k", "1.00 M"] {
        assert!(labels.iter().any(|t| t == tick), "{tick}: {labels:?}");
    }
    assert!(!labels.iter().any(|t| t == "3" || t == "6"), "{labels:?}");
    let linear = StackedBars {
        log_y: false,
        ..chart
    };
    let svg = to_svg(700, 360, |a| {
        hits = draw_stacked_bars_hits(a, &linear).unwrap();
    });
    let ratio = h(&hits, 1) / h(&hits, 0).max(1.0);
    assert!(ratio > 100.0, "linear: {ratio}");
    assert!(texts(&svg).iter().any(|t| t == "1.00 M"));
}

/// The numeric value of attribute `name` in an SVG tag's text.
fn attr(tag: &str, name: &str) -> Option<f64> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    tag[at..].split('"').next()?.parse().ok()
}

#[test]
fn turned_category_labels_hang_below_the_axis() {
    // Narrow, with long names: the labels are turned a quarter.
    let mut chart = energy_chart();
    chart.categories = vec![
        "MAC".into(),
        "sram_32KB_local".into(),
        "dram_main_memory".into(),
    ];
    let svg = to_svg(240, 300, |a| {
        draw_stacked_bars(a, &chart).unwrap();
    });
    // the bars' bottom edge is the axis
    let axis = svg
        .split("<rect")
        .skip(1)
        .filter(|t| t.contains("fill=\"#2F6FB5\"") || t.contains("fill=\"#E69F00\""))
        .filter_map(|t| Some(attr(t, "y")? + attr(t, "height")?))
        .fold(0.0_f64, f64::max);
    let turned: Vec<&str> = svg
        .split("<text")
        .skip(1)
        .filter(|t| t.contains("rotate(90"))
        .filter(|t| {
            let text = t.split_once('>').and_then(|(_, r)| r.split_once("</text>"));
            text.is_some_and(|(body, _)| chart.categories.iter().any(|c| c == body.trim()))
        })
        .collect();
    assert_eq!(turned.len(), 3, "{svg}");
    for t in turned {
        // each starts (text-anchor start) below the axis and runs down
        assert!(t.contains("text-anchor=\"start\""), "{t}");
        let y = attr(t, "y").unwrap_or(0.0);
        assert!(
            y > axis,
            "label at y {y} reaches above the axis at {axis}: {t}"
        );
    }
}

/// A short chart (an embed's, a phone's) writes fewer value labels rather
/// than labels over each other: at 240 px tall, a 0–800 axis that plotters
/// would label every 100 keeps at least 20 px between its labels.
#[test]
fn short_charts_space_their_value_labels() {
    let chart = two_bars(false, [780.0, 100.0]);
    for (h, least) in [(240u32, 3usize), (600, 6)] {
        let svg = to_svg(640, h, |a| draw_stacked_bars(a, &chart).unwrap());
        // the value labels are the right-aligned texts left of the axis
        let mut ys: Vec<i64> = svg
            .split("<text")
            .skip(1)
            .filter(|t| t.contains("text-anchor=\"end\""))
            .filter_map(|t| t.split_once(" y=\"")?.1.split_once('"')?.0.parse().ok())
            .collect();
        ys.sort_unstable();
        assert!(ys.len() >= least, "{h} px: {ys:?}");
        assert!(
            ys.windows(2).all(|w| w[1] - w[0] >= 20),
            "{h} px: labels at {ys:?}"
        );
    }
}
