//! Heat maps of a sweep over the tile grid, with a log colour scale.

use super::*;

/// A value per (x, y) cell of a grid (tile sizes, or two hardware
/// parameters), drawn with a log colour scale.
#[derive(Clone, Debug, PartialEq)]
pub struct HeatMap {
    pub title: String,
    /// Axis titles, with units.
    pub x_desc: String,
    pub y_desc: String,
    /// The label of each column and row.
    pub xs: Vec<String>,
    pub ys: Vec<String>,
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
        .x_desc(map.x_desc.as_str())
        .y_desc(map.y_desc.as_str())
        .axis_desc_style((FONT, 12).into_font().color(&TEXT))
        .label_style((FONT, 11).into_font().color(&TEXT))
        .x_labels(nx.max(1))
        .y_labels(ny.max(1))
        .x_label_formatter(&|s| match s {
            SegmentValue::CenterOf(i) => xs.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .y_label_formatter(&|s| match s {
            SegmentValue::CenterOf(i) => ys.get(*i).cloned().unwrap_or_default(),
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
