//! A line chart of one quantity over the values of a varied hardware
//! parameter (evenly spaced, labelled with the values); a linear y axis
//! around the values (they often differ by a few per cent).

use super::*;

#[derive(Clone, Debug, PartialEq)]
pub struct LineChart {
    pub title: String,
    pub x_desc: String,
    pub y_desc: String,
    /// The label of each x position.
    pub x_labels: Vec<String>,
    /// One value per x position (`None`: not evaluated yet, or failed).
    pub values: Vec<Option<f64>>,
    /// A position to mark (the hardware in use).
    pub highlight: Option<usize>,
}

/// Draws the chart (the table beside it is the way to pick a point).
pub fn draw_line_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &LineChart,
) -> DrawResult<DB> {
    area.fill(&WHITE)?;
    let n = chart.x_labels.len().max(1);
    let ys: Vec<f64> = chart
        .values
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    let (lo, hi) = ys
        .iter()
        .fold((f64::INFINITY, 0.0_f64), |(l, h), v| (l.min(*v), h.max(*v)));
    let (lo, hi) = if !lo.is_finite() {
        (0.0, 1.0)
    } else if hi <= lo {
        (lo * 0.9, hi * 1.1)
    } else {
        let pad = (hi - lo) * 0.15;
        ((lo - pad).max(0.0), hi + pad)
    };
    let mut c = ChartBuilder::on(area)
        .caption(&chart.title, (FONT, 15).into_font().color(&TEXT))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), lo..hi)?;
    let labels = &chart.x_labels;
    c.configure_mesh()
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .x_desc(chart.x_desc.as_str())
        .y_desc(chart.y_desc.as_str())
        .axis_desc_style((FONT, 12).into_font().color(&TEXT))
        .label_style((FONT, 11).into_font().color(&TEXT))
        .x_labels(n + 1)
        .y_labels(5)
        .x_label_formatter(&|x| {
            let r = x.round();
            if (x - r).abs() < 1e-6 && r >= 0.0 {
                labels.get(r as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|v| si(*v, ""))
        .draw()?;
    let pts: Vec<(f64, f64)> = chart
        .values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.filter(|v| *v > 0.0).map(|v| (i as f64, v)))
        .collect();
    let color = PALETTE[0];
    c.draw_series(LineSeries::new(
        pts.iter().copied(),
        ShapeStyle::from(&color).stroke_width(2),
    ))?;
    c.draw_series(pts.iter().map(|p| Circle::new(*p, 4, color.filled())))?;
    if let Some(h) = chart.highlight {
        if let Some(Some(v)) = chart.values.get(h) {
            c.draw_series(std::iter::once(Circle::new(
                (h as f64, *v),
                8,
                ShapeStyle::from(&RED).stroke_width(2),
            )))?;
        }
    }
    area.present()
}
