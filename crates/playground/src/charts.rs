//! Charts as pure chart models drawn by functions generic over the plotters
//! `DrawingBackend`: a `<canvas>` in the browser, an SVG string in native
//! golden tests and SVG export (GUIDE rule 9). Every chart has a title and
//! axis titles with units.

use crate::format::si;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
const GRID: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
const FONT: &str = "sans-serif";

/// Colours of series, in order (colour-blind-safe Okabe–Ito palette).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0x2f, 0x6f, 0xb5),
    RGBColor(0xe6, 0x9f, 0x00),
    RGBColor(0x00, 0x9e, 0x73),
    RGBColor(0xcc, 0x79, 0xa7),
    RGBColor(0x56, 0xb4, 0xe9),
    RGBColor(0xd5, 0x5e, 0x00),
    RGBColor(0x7f, 0x7f, 0x7f),
    RGBColor(0xf0, 0xe4, 0x42),
];

/// One stacked series: a value per category.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

/// Bars per category, each stacked from its series (bottom = first).
#[derive(Clone, Debug, PartialEq)]
pub struct StackedBars {
    pub title: String,
    pub x_title: String,
    /// With its unit, e.g. `energy (pJ)`.
    pub y_title: String,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
}

fn finite_or_zero(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 {
        v
    } else {
        0.0
    }
}

/// Draws stacked bars with a legend and the total above each bar.
pub fn draw_stacked_bars<DB: DrawingBackend>(
    whole: &DrawingArea<DB, Shift>,
    chart: &StackedBars,
) -> DrawResult<DB> {
    whole.fill(&WHITE)?;
    // The legend gets its own column on the right, so it never hides bars.
    let (w, _) = whole.dim_in_pixel();
    let legend_width = if chart.series.len() > 1 { 150 } else { 0 };
    let (area, legend) = whole.split_horizontally(w.saturating_sub(legend_width));
    let area = &area;
    let n = chart.categories.len();
    let totals: Vec<f64> = (0..n)
        .map(|i| {
            chart
                .series
                .iter()
                .map(|s| finite_or_zero(s.values.get(i).copied().unwrap_or(0.0)))
                .sum()
        })
        .collect();
    let max = totals.iter().copied().fold(0.0_f64, f64::max);
    let y_max = if max > 0.0 { max * 1.15 } else { 1.0 };
    let labels = &chart.categories;
    let (plot_w, _) = area.dim_in_pixel();
    let widest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    // Rotate the category labels only when they cannot fit side by side
    // (about 6 px per character at 11 px).
    let rotate = n > 0 && widest * 6 + 4 > (plot_w as usize).saturating_sub(90) / n;

    let mut c = ChartBuilder::on(area)
        .caption(&chart.title, (FONT, 18).into_font().color(&TEXT))
        .margin(12)
        .x_label_area_size(if rotate { 40 + 6 * widest as u32 } else { 44 })
        .y_label_area_size(70)
        // `0..n-1` as a segmented axis has exactly one segment per bar.
        .build_cartesian_2d((0..n.saturating_sub(1)).into_segmented(), 0.0..y_max)?;
    let label_style = if rotate {
        (FONT, 11)
            .into_font()
            .color(&TEXT)
            .transform(FontTransform::Rotate90)
            .pos(Pos::new(HPos::Left, VPos::Center))
    } else {
        (FONT, 11).into_font().color(&TEXT).into_text_style(area)
    };
    c.configure_mesh()
        .disable_x_mesh()
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .x_desc(&chart.x_title)
        .y_desc(&chart.y_title)
        .axis_desc_style((FONT, 14).into_font().color(&TEXT))
        .label_style((FONT, 12).into_font().color(&TEXT))
        .x_label_style(label_style)
        .x_labels(n.max(1))
        .x_label_formatter(&|s| match s {
            SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .y_label_formatter(&|v| si(*v, ""))
        .draw()?;
    let mut base = vec![0.0; n];
    for (k, s) in chart.series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let rects: Vec<Rectangle<(SegmentValue<usize>, f64)>> = (0..n)
            .filter_map(|i| {
                let v = finite_or_zero(s.values.get(i).copied().unwrap_or(0.0));
                (v > 0.0).then(|| {
                    let mut r = Rectangle::new(
                        [
                            (SegmentValue::Exact(i), base[i]),
                            (SegmentValue::Exact(i + 1), base[i] + v),
                        ],
                        color.filled(),
                    );
                    r.set_margin(0, 0, 5, 5);
                    base[i] += v;
                    r
                })
            })
            .collect();
        c.draw_series(rects)?;
    }
    let value_style = (FONT, 11)
        .into_font()
        .color(&TEXT)
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    // Totals above the bars, when there is room for them.
    let room = n > 0 && (plot_w as usize).saturating_sub(90) / n >= 44;
    c.draw_series(
        totals
            .iter()
            .enumerate()
            .filter(|(_, t)| room && **t > 0.0)
            .map(|(i, t)| {
                Text::new(
                    si(*t, ""),
                    (SegmentValue::CenterOf(i), *t),
                    value_style.clone(),
                )
            }),
    )?;
    if legend_width > 0 {
        let style = (FONT, 12).into_font().color(&TEXT);
        // Top entry = top of the stack.
        for (k, s) in chart.series.iter().enumerate().rev() {
            let y = 48 + 20 * (chart.series.len() - 1 - k) as i32;
            let color = PALETTE[k % PALETTE.len()];
            legend.draw(&Rectangle::new([(6, y), (18, y + 12)], color.filled()))?;
            legend.draw(&Text::new(s.name.clone(), (24, y), style.clone()))?;
        }
    }
    whole.present()
}

/// A value per (x, y) cell of a tile grid, drawn with a log colour scale.
#[derive(Clone, Debug, PartialEq)]
pub struct HeatMap {
    pub title: String,
    pub xs: Vec<u64>,
    pub ys: Vec<u64>,
    /// Row-major: `values[iy * xs.len() + ix]`; `None` = not evaluated.
    pub values: Vec<Option<f64>>,
    /// Colour-scale range shared by the maps drawn side by side.
    pub range: (f64, f64),
    /// Unit of the values, e.g. `pJ`.
    pub unit: String,
    /// A cell to outline (the current schedule).
    pub highlight: Option<(usize, usize)>,
}

/// Viridis-like colour for `t` in 0..=1 (dark blue = low, yellow = high).
pub fn scale_color(t: f64) -> RGBColor {
    const STOPS: [(f64, (f64, f64, f64)); 5] = [
        (0.0, (68.0, 1.0, 84.0)),
        (0.25, (59.0, 82.0, 139.0)),
        (0.5, (33.0, 145.0, 140.0)),
        (0.75, (94.0, 201.0, 98.0)),
        (1.0, (253.0, 231.0, 37.0)),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let k = STOPS.iter().position(|(s, _)| *s >= t).unwrap_or(4).max(1);
    let (t0, a) = STOPS[k - 1];
    let (t1, b) = STOPS[k];
    let f = (t - t0) / (t1 - t0);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Position of `v` on the log scale of `range`, 0..=1.
pub fn log_position(v: f64, range: (f64, f64)) -> f64 {
    let (lo, hi) = (
        range.0.max(f64::MIN_POSITIVE),
        range.1.max(f64::MIN_POSITIVE),
    );
    if hi <= lo || v <= 0.0 {
        return 0.0;
    }
    ((v.ln() - lo.ln()) / (hi.ln() - lo.ln())).clamp(0.0, 1.0)
}

/// Draws one heat map: tile width across, tile height down, a colour legend
/// on the right.
pub fn draw_heat_map<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    map: &HeatMap,
) -> DrawResult<DB> {
    area.fill(&WHITE)?;
    let (w, _) = area.dim_in_pixel();
    let (main, legend) = area.split_horizontally(w.saturating_sub(70));
    let nx = map.xs.len();
    let ny = map.ys.len();
    let mut c = ChartBuilder::on(&main)
        .caption(&map.title, (FONT, 15).into_font().color(&TEXT))
        .margin(8)
        .x_label_area_size(38)
        .y_label_area_size(48)
        .build_cartesian_2d(
            (0..nx.saturating_sub(1)).into_segmented(),
            (0..ny.saturating_sub(1)).into_segmented(),
        )?;
    let (xs, ys) = (&map.xs, &map.ys);
    c.configure_mesh()
        .disable_mesh()
        .x_desc("tile width (pixels)")
        .y_desc("tile height (pixels)")
        .axis_desc_style((FONT, 12).into_font().color(&TEXT))
        .label_style((FONT, 11).into_font().color(&TEXT))
        .x_labels(nx.max(1))
        .y_labels(ny.max(1))
        .x_label_formatter(&|s| match s {
            SegmentValue::CenterOf(i) => xs.get(*i).map(|v| v.to_string()).unwrap_or_default(),
            _ => String::new(),
        })
        .y_label_formatter(&|s| match s {
            SegmentValue::CenterOf(i) => ys.get(*i).map(|v| v.to_string()).unwrap_or_default(),
            _ => String::new(),
        })
        .draw()?;
    let cell = |ix: usize, iy: usize| {
        [
            (SegmentValue::Exact(ix), SegmentValue::Exact(iy)),
            (SegmentValue::Exact(ix + 1), SegmentValue::Exact(iy + 1)),
        ]
    };
    c.draw_series(
        (0..ny)
            .flat_map(|iy| (0..nx).map(move |ix| (ix, iy)))
            .map(|(ix, iy)| {
                let style = match map.values.get(iy * nx + ix).copied().flatten() {
                    Some(v) => scale_color(log_position(v, map.range)).filled(),
                    None => RGBColor(0xee, 0xee, 0xee).filled(),
                };
                let mut r = Rectangle::new(cell(ix, iy), style);
                r.set_margin(1, 1, 1, 1);
                r
            }),
    )?;
    if let Some((ix, iy)) = map.highlight.filter(|(x, y)| *x < nx && *y < ny) {
        c.draw_series(std::iter::once(Rectangle::new(
            cell(ix, iy),
            ShapeStyle::from(&RED).stroke_width(3),
        )))?;
    }
    draw_color_legend(&legend, map.range, &map.unit)?;
    area.present()
}

/// A vertical log colour bar with min / mid / max labels.
fn draw_color_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    range: (f64, f64),
    unit: &str,
) -> DrawResult<DB> {
    let (_, h) = area.dim_in_pixel();
    let (top, bottom) = (34i32, h as i32 - 46);
    let steps = 48;
    for k in 0..steps {
        let t = k as f64 / (steps - 1) as f64;
        let y0 = bottom - ((bottom - top) as f64 * (k + 1) as f64 / steps as f64) as i32;
        let y1 = bottom - ((bottom - top) as f64 * k as f64 / steps as f64) as i32;
        area.draw(&Rectangle::new(
            [(4, y0), (18, y1)],
            scale_color(t).filled(),
        ))?;
    }
    let style = (FONT, 10).into_font().color(&TEXT);
    let geo_mid = (range.0.max(f64::MIN_POSITIVE) * range.1.max(f64::MIN_POSITIVE)).sqrt();
    for (v, y) in [
        (range.1, top),
        (geo_mid, (top + bottom) / 2),
        (range.0, bottom),
    ] {
        area.draw(&Text::new(si(v, ""), (21, y - 5), style.clone()))?;
    }
    area.draw(&Text::new(format!("{unit}, log"), (2, top - 18), style))?;
    Ok(())
}

/// One point of the Pareto scatter.
#[derive(Clone, Debug, PartialEq)]
pub struct ScatterPoint {
    pub energy_pj: f64,
    pub latency_cycles: f64,
    /// Series index (overlap mode - 1).
    pub group: usize,
    pub on_front: bool,
    pub current: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scatter {
    pub title: String,
    pub group_names: Vec<String>,
    pub points: Vec<ScatterPoint>,
}

fn log_range(values: impl Iterator<Item = f64>) -> std::ops::Range<f64> {
    let (lo, hi) = values
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((f64::INFINITY, 0.0_f64), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return 1.0..10.0;
    }
    let (lo, hi) = if hi <= lo {
        (lo / 2.0, hi * 2.0)
    } else {
        (lo, hi)
    };
    lo / 1.25..hi * 1.25
}

/// Draws the Pareto scatter (log-log); returns the pixel position of every
/// point (in `points` order) so that a click can be mapped to a point.
pub fn draw_scatter<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Scatter,
) -> Result<Vec<(i32, i32)>, DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&WHITE)?;
    let xr = log_range(chart.points.iter().map(|p| p.energy_pj));
    let yr = log_range(chart.points.iter().map(|p| p.latency_cycles));
    let mut c = ChartBuilder::on(area)
        .caption(&chart.title, (FONT, 18).into_font().color(&TEXT))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(70)
        .build_cartesian_2d(xr.log_scale(), yr.log_scale())?;
    c.configure_mesh()
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .x_desc("energy (pJ, log)")
        .y_desc("latency (cycles, log)")
        .x_labels(6)
        .y_labels(6)
        .axis_desc_style((FONT, 14).into_font().color(&TEXT))
        .label_style((FONT, 12).into_font().color(&TEXT))
        .x_label_formatter(&|v| si(*v, ""))
        .y_label_formatter(&|v| si(*v, ""))
        .draw()?;
    let mut front: Vec<&ScatterPoint> = chart.points.iter().filter(|p| p.on_front).collect();
    front.sort_by(|a, b| a.energy_pj.total_cmp(&b.energy_pj));
    c.draw_series(LineSeries::new(
        front.iter().map(|p| (p.energy_pj, p.latency_cycles)),
        ShapeStyle::from(&RGBColor(0x99, 0x99, 0x99)).stroke_width(1),
    ))?;
    for (g, name) in chart.group_names.iter().enumerate() {
        let color = PALETTE[g % PALETTE.len()];
        c.draw_series(
            chart
                .points
                .iter()
                .filter(|p| p.group == g)
                .map(|p| Circle::new((p.energy_pj, p.latency_cycles), 4, color.filled())),
        )?
        .label(name.clone())
        .legend(move |(x, y)| Circle::new((x + 5, y), 4, color.filled()));
    }
    c.draw_series(chart.points.iter().filter(|p| p.current).map(|p| {
        Circle::new(
            (p.energy_pj, p.latency_cycles),
            9,
            ShapeStyle::from(&RED).stroke_width(2),
        )
    }))?;
    c.configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(GRID)
        .label_font((FONT, 12).into_font().color(&TEXT))
        .draw()?;
    let pixels = chart
        .points
        .iter()
        .map(|p| c.backend_coord(&(p.energy_pj, p.latency_cycles)))
        .collect();
    area.present()?;
    Ok(pixels)
}

/// The index of the point nearest to a click, if within `radius` pixels.
pub fn hit_test(pixels: &[(i32, i32)], at: (i32, i32), radius: i32) -> Option<usize> {
    pixels
        .iter()
        .enumerate()
        .map(|(i, (x, y))| (i, (x - at.0).pow(2) + (y - at.1).pow(2)))
        .filter(|(_, d)| *d <= radius * radius)
        .min_by_key(|(i, d)| (*d, *i))
        .map(|(i, _)| i)
}

/// Renders any chart to an SVG string (golden tests, SVG export).
pub fn to_svg(
    width: u32,
    height: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>),
) -> String {
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        draw(&area);
    }
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn energy_chart() -> StackedBars {
        StackedBars {
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
        let golden =
            std::fs::read_to_string(&path).expect("golden file; bless with UPDATE_GOLDEN=1");
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
            xs: vec![1, 4, 16],
            ys: vec![1, 18],
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
            xs: vec![],
            ys: vec![],
            values: vec![],
            range: (0.0, 0.0),
            unit: "pJ".into(),
            highlight: None,
        };
        assert!(to_svg(300, 200, |a| draw_heat_map(a, &m).unwrap()).contains("<svg"));
    }
}
