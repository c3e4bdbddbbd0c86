//! Stacked bars: the energy breakdown and the latency per layer.

use super::*;
use plotters::coord::ranged1d::SegmentedCoord;
use plotters::coord::types::{RangedCoordf64, RangedCoordusize};

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
    /// A log value axis (the paper's Figs. 13 and 14): bars rise from the
    /// decade below the smallest bar, ticks at whole decades.
    pub log_y: bool,
}

/// Where values go on the plotted (linear) value axis: themselves, or
/// their `log10`, with 0 at the axis' bottom `lo`.
#[derive(Clone, Copy)]
struct YMap {
    log: bool,
    lo: f64,
}

impl YMap {
    fn of(chart: &StackedBars, totals: &[f64]) -> YMap {
        let min = (totals.iter().copied())
            .filter(|t| *t > 0.0)
            .fold(f64::INFINITY, f64::min);
        let lo = if min.is_finite() {
            min.log10().ceil() - 1.0
        } else {
            0.0
        };
        YMap {
            log: chart.log_y,
            lo,
        }
    }

    fn y(self, v: f64) -> f64 {
        if !self.log {
            v
        } else if v > 0.0 {
            v.log10().max(self.lo)
        } else {
            self.lo
        }
    }

    /// The plotted range, with headroom for the totals' labels.
    fn range(self, max: f64) -> std::ops::Range<f64> {
        if !self.log {
            return 0.0..if max > 0.0 { max * 1.15 } else { 1.0 };
        }
        let top = self.y(max).max(self.lo + 1.0);
        self.lo..top + 0.15 * (top - self.lo)
    }
}

fn finite_or_zero(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 {
        v
    } else {
        0.0
    }
}

/// Where one bar segment was drawn: its category and series, and its
/// pixel rectangle (left, top, right, bottom) in the drawing area.
#[derive(Clone, Debug, PartialEq)]
pub struct BarHit {
    pub category: usize,
    pub series: usize,
    pub rect: (i32, i32, i32, i32),
}

/// The segment under a pixel, if any.
pub fn bar_at(hits: &[BarHit], (x, y): (i32, i32)) -> Option<&BarHit> {
    hits.iter()
        .find(|h| x >= h.rect.0 && x <= h.rect.2 && y >= h.rect.1 && y <= h.rect.3)
}

/// The plot area of stacked bars: a segmented category axis, values up.
type BarCoords = Cartesian2d<SegmentedCoord<RangedCoordusize>, RangedCoordf64>;

/// Draws stacked bars with a legend and the total above each bar.
pub fn draw_stacked_bars<DB: DrawingBackend>(
    whole: &DrawingArea<DB, Shift>,
    chart: &StackedBars,
) -> DrawResult<DB> {
    draw_stacked_bars_hits(whole, chart).map(|_| ())
}

/// [`draw_stacked_bars`], returning where each segment was drawn (for
/// clicks on the page).
pub fn draw_stacked_bars_hits<DB: DrawingBackend>(
    whole: &DrawingArea<DB, Shift>,
    chart: &StackedBars,
) -> Result<Vec<BarHit>, DrawingAreaErrorKind<DB::ErrorType>> {
    whole.fill(&WHITE)?;
    // The legend gets its own column on the right, so it never hides bars.
    let (w, _) = whole.dim_in_pixel();
    let names: Vec<&str> = chart.series.iter().map(|s| s.name.as_str()).collect();
    let legend_lines = legend_layout(whole, &names, w);
    let legend_width = legend_lines.as_ref().map_or(0, |(col, _)| *col);
    let (area, legend) = whole.split_horizontally(w.saturating_sub(legend_width));
    let n = chart.categories.len();
    let totals = bar_totals(chart);
    let max = totals.iter().copied().fold(0.0_f64, f64::max);
    let ym = YMap::of(chart, &totals);
    let (plot_w, _) = area.dim_in_pixel();
    let widest = chart
        .categories
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    // Rotate the category labels only when they cannot fit side by side
    // (about 6 px per character at 11 px).
    let rotate = n > 0 && widest * 6 + 4 > (plot_w as usize).saturating_sub(90) / n;
    let mut c = ChartBuilder::on(&area)
        .caption(&chart.title, (FONT, 18).into_font().color(&TEXT))
        .margin(12)
        .x_label_area_size(if rotate { 40 + 6 * widest as u32 } else { 44 })
        .y_label_area_size(70)
        // `0..n-1` as a segmented axis has exactly one segment per bar.
        .build_cartesian_2d((0..n.saturating_sub(1)).into_segmented(), ym.range(max))?;
    draw_bar_mesh(&mut c, chart, &area, rotate, ym)?;
    let hits = draw_bar_stacks(&mut c, chart, ym)?;
    // Totals above the bars, when there is room for them.
    if n > 0 && (plot_w as usize).saturating_sub(90) / n >= 44 {
        draw_bar_totals(&mut c, &totals, ym)?;
    }
    if let Some((_, lines)) = &legend_lines {
        draw_legend(&legend, lines, true, |x, y, color| {
            Rectangle::new([(x, y), (x + 12, y + 12)], color.filled()).into_dyn()
        })?;
    }
    whole.present()?;
    Ok(hits)
}

/// The height of each bar: the sum of its series' (finite, positive)
/// values.
fn bar_totals(chart: &StackedBars) -> Vec<f64> {
    (0..chart.categories.len())
        .map(|i| {
            chart
                .series
                .iter()
                .map(|s| finite_or_zero(s.values.get(i).copied().unwrap_or(0.0)))
                .sum()
        })
        .collect()
}

fn draw_bar_mesh<DB: DrawingBackend>(
    c: &mut ChartContext<'_, DB, BarCoords>,
    chart: &StackedBars,
    area: &DrawingArea<DB, Shift>,
    rotate: bool,
    ym: YMap,
) -> DrawResult<DB> {
    let labels = &chart.categories;
    let label_style = (FONT, 11).into_font().color(&TEXT).into_text_style(area);
    let (lo, hi) = (c.y_range().start, c.y_range().end);
    // At most one value label per 28 px of plot (they are 12 px tall), up
    // to plotters' 10: a short chart (an embed, a phone) gets fewer
    // instead of labels written over each other.
    let fit = (c.plotting_area().dim_in_pixel().1 as usize / 28).clamp(2, 10);
    let mut mesh = c.configure_mesh();
    if ym.log {
        // about one tick per decade: plotters then steps by whole decades
        mesh.y_labels(((hi - lo).floor() as usize + 1).clamp(2, fit.max(2)));
    } else {
        mesh.y_labels(fit);
    }
    let decade = |v: &f64| {
        if (v - v.round()).abs() < 1e-9 {
            si(10f64.powf(v.round()), "")
        } else {
            String::new()
        }
    };
    mesh.disable_x_mesh()
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .x_desc(&chart.x_title)
        .y_desc(&chart.y_title)
        .axis_desc_style((FONT, 14).into_font().color(&TEXT))
        .label_style((FONT, 12).into_font().color(&TEXT))
        .x_label_style(label_style)
        .x_labels(labels.len().max(1))
        .x_label_formatter(&|s| match s {
            // rotated labels are drawn below, hanging from the axis
            SegmentValue::CenterOf(i) if !rotate => labels.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .y_label_formatter(&|v| if ym.log { decade(v) } else { si(*v, "") })
        .draw()?;
    if rotate {
        draw_hanging_labels(c, labels, area, lo)?;
    }
    Ok(())
}

/// Category labels turned a quarter clockwise, each starting just below
/// the axis under its bar. (Plotters' mesh centres every bottom-axis label
/// on its tick whatever the style's anchor, so a turned label would reach
/// up into the bars.)
fn draw_hanging_labels<DB: DrawingBackend>(
    c: &ChartContext<'_, DB, BarCoords>,
    labels: &[String],
    area: &DrawingArea<DB, Shift>,
    bottom: f64,
) -> DrawResult<DB> {
    let style = (FONT, 11)
        .into_font()
        .color(&TEXT)
        .transform(FontTransform::Rotate90)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let (ax, ay) = area.get_base_pixel();
    for (i, label) in labels.iter().enumerate() {
        let (x, y) = c.backend_coord(&(SegmentValue::CenterOf(i), bottom));
        area.draw(&Text::new(
            label.as_str(),
            (x - ax, y - ay + 8),
            style.clone(),
        ))?;
    }
    Ok(())
}

/// Each series stacked on the ones before it.
fn draw_bar_stacks<DB: DrawingBackend>(
    c: &mut ChartContext<'_, DB, BarCoords>,
    chart: &StackedBars,
    ym: YMap,
) -> Result<Vec<BarHit>, DrawingAreaErrorKind<DB::ErrorType>> {
    let n = chart.categories.len();
    let mut base = vec![0.0; n];
    let mut hits = Vec::new();
    for (k, s) in chart.series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let rects: Vec<Rectangle<(SegmentValue<usize>, f64)>> = (0..n)
            .filter_map(|i| {
                let v = finite_or_zero(s.values.get(i).copied().unwrap_or(0.0));
                (v > 0.0).then(|| {
                    let (bottom, top) = (ym.y(base[i]), ym.y(base[i] + v));
                    let (x0, y1) = c.backend_coord(&(SegmentValue::Exact(i), bottom));
                    let (x1, y0) = c.backend_coord(&(SegmentValue::Exact(i + 1), top));
                    hits.push(BarHit {
                        category: i,
                        series: k,
                        rect: (x0.min(x1) + 5, y0.min(y1), x0.max(x1) - 5, y0.max(y1)),
                    });
                    let mut r = Rectangle::new(
                        [
                            (SegmentValue::Exact(i), bottom),
                            (SegmentValue::Exact(i + 1), top),
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
    Ok(hits)
}

fn draw_bar_totals<DB: DrawingBackend>(
    c: &mut ChartContext<'_, DB, BarCoords>,
    totals: &[f64],
    ym: YMap,
) -> DrawResult<DB> {
    let value_style = (FONT, 11)
        .into_font()
        .color(&TEXT)
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    c.draw_series(
        totals
            .iter()
            .enumerate()
            .filter(|(_, t)| **t > 0.0)
            .map(|(i, t)| {
                Text::new(
                    si(*t, ""),
                    (SegmentValue::CenterOf(i), ym.y(*t)),
                    value_style.clone(),
                )
            }),
    )?;
    Ok(())
}

/// The legend's text starts this far into its column (after the swatch).
const LEGEND_TEXT_X: u32 = 24;

/// The legend column of a chart `w` px wide with these series `names`
/// (none for a single series): its width and each name as lines. The
/// column is as wide as the widest name needs, at least 150 px (110 px
/// below 600 px) and at most two fifths of the chart; a name wider than
/// that is wrapped at spaces, so no name is cut off.
pub(super) fn legend_layout<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    names: &[&str],
    w: u32,
) -> Option<(u32, Vec<Vec<String>>)> {
    if names.len() < 2 {
        return None;
    }
    let style = (FONT, 12).into_font().color(&TEXT);
    let width = |t: &str| area.estimate_text_size(t, &style).map_or(0, |(tw, _)| tw);
    let widest = names.iter().map(|n| width(n)).max()?;
    let least = if w < 600 { 110 } else { 150 };
    let col = (widest + LEGEND_TEXT_X + 6).clamp(least, (w * 2 / 5).max(least));
    let room = col.saturating_sub(LEGEND_TEXT_X + 4);
    let lines = names.iter().map(|n| wrap_words(n, room, &width)).collect();
    Some((col, lines))
}

/// `text` in lines no wider than `room` (by `width`), broken at spaces; a
/// single word wider than `room` keeps a line of its own.
fn wrap_words(text: &str, room: u32, width: &dyn Fn(&str) -> u32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        match lines.last_mut() {
            Some(line) if width(&format!("{line} {word}")) <= room => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// A legend column (from [`legend_layout`]), one line per 15 px, each
/// entry's `swatch` (drawn at its top-left corner in the series' colour)
/// before its name; `last_on_top`: the last series first (the top of a
/// stack), else the first.
pub(super) fn draw_legend<DB: DrawingBackend>(
    legend: &DrawingArea<DB, Shift>,
    lines: &[Vec<String>],
    last_on_top: bool,
    swatch: impl Fn(i32, i32, RGBColor) -> DynElement<'static, DB, (i32, i32)>,
) -> DrawResult<DB> {
    let style = (FONT, 12).into_font().color(&TEXT);
    let mut y = 48;
    let order: Vec<usize> = if last_on_top {
        (0..lines.len()).rev().collect()
    } else {
        (0..lines.len()).collect()
    };
    for (k, entry) in order.into_iter().map(|k| (k, &lines[k])) {
        let color = PALETTE[k % PALETTE.len()];
        legend.draw(&swatch(6, y, color))?;
        for line in entry {
            legend.draw(&Text::new(
                line.clone(),
                (LEGEND_TEXT_X as i32, y),
                style.clone(),
            ))?;
            y += 15;
        }
        y += 5;
    }
    Ok(())
}

#[cfg(test)]
mod legend_tests {
    use super::*;

    #[test]
    fn words_wrap_at_spaces_within_the_room() {
        let width = |t: &str| 7 * t.chars().count() as u32;
        assert_eq!(
            wrap_words("mode 2: H-cached V-recompute", 100, &width),
            ["mode 2:", "H-cached", "V-recompute"]
        );
        assert_eq!(wrap_words("MAC", 100, &width), ["MAC"]);
        // a word wider than the room keeps a line of its own
        assert_eq!(
            wrap_words("a verylongword b", 35, &width),
            ["a", "verylongword", "b"]
        );
    }

    #[test]
    fn legend_names_are_never_cut_off() {
        // The Paper view's long mode names (they were cut at 150 px).
        let chart = StackedBars {
            title: "t".into(),
            x_title: "x".into(),
            y_title: "y".into(),
            categories: vec!["a".into()],
            series: [
                "mode 1: fully recompute",
                "mode 2: H-cached V-recompute",
                "mode 3: fully cached",
            ]
            .map(|n| Series {
                name: n.into(),
                values: vec![1.0],
            })
            .to_vec(),
            log_y: false,
        };
        let mut checked = 0;
        for w in [320u32, 640, 916] {
            let _ = to_svg(w, 300, |a| {
                let names: Vec<&str> = chart.series.iter().map(|s| s.name.as_str()).collect();
                let (col, lines) = legend_layout(a, &names, w).unwrap();
                assert!(col <= (w * 2 / 5).max(110), "{w}: column {col}");
                let style = (FONT, 12).into_font().color(&TEXT);
                for line in lines.iter().flatten() {
                    let (tw, _) = a.estimate_text_size(line, &style).unwrap();
                    assert!(
                        LEGEND_TEXT_X + tw <= col,
                        "{w}: {line:?} is {tw} px in a {col} px column"
                    );
                    checked += 1;
                }
                let words: Vec<String> = lines.iter().map(|l| l.join(" ")).collect();
                assert_eq!(
                    words,
                    chart
                        .series
                        .iter()
                        .map(|s| s.name.clone())
                        .collect::<Vec<_>>()
                );
            });
        }
        assert!(checked >= 9);
    }
}
