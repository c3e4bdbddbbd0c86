//! The Pareto scatter over (energy, latency), and hit testing for clicks.

use super::*;

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
    // The legend gets its own column on the right, so it never hides points.
    let (w, _) = area.dim_in_pixel();
    let names: Vec<&str> = chart.group_names.iter().map(String::as_str).collect();
    let legend_lines = bars::legend_layout(area, &names, w);
    let col = legend_lines.as_ref().map_or(0, |(col, _)| *col);
    let (plot, legend) = area.split_horizontally(w.saturating_sub(col));
    let xr = log_range(chart.points.iter().map(|p| p.energy_pj));
    let yr = log_range(chart.points.iter().map(|p| p.latency_cycles));
    let mut c = ChartBuilder::on(&plot)
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
    defines_model::small_sort::sort_by(&mut front, |a, b| a.energy_pj.total_cmp(&b.energy_pj));
    c.draw_series(LineSeries::new(
        front.iter().map(|p| (p.energy_pj, p.latency_cycles)),
        ShapeStyle::from(&RGBColor(0x99, 0x99, 0x99)).stroke_width(1),
    ))?;
    for g in 0..chart.group_names.len() {
        let color = PALETTE[g % PALETTE.len()];
        c.draw_series(
            chart
                .points
                .iter()
                .filter(|p| p.group == g)
                .map(|p| Circle::new((p.energy_pj, p.latency_cycles), 4, color.filled())),
        )?;
    }
    c.draw_series(chart.points.iter().filter(|p| p.current).map(|p| {
        Circle::new(
            (p.energy_pj, p.latency_cycles),
            9,
            ShapeStyle::from(&RED).stroke_width(2),
        )
    }))?;
    if let Some((_, lines)) = &legend_lines {
        bars::draw_legend(&legend, lines, false, |x, y, color| {
            Circle::new((x + 6, y + 6), 4, color.filled()).into_dyn()
        })?;
    }
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
