//! Charts as pure chart models drawn by functions generic over the plotters
//! `DrawingBackend`: a `<canvas>` in the browser, an SVG string in native
//! golden tests (GUIDE rule 9).

use crate::format::si;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One bar of a bar chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
}

/// A bar chart with axis titles (units included in the titles).
#[derive(Clone, Debug, PartialEq)]
pub struct BarChart {
    pub title: String,
    pub x_title: String,
    pub y_title: String,
    pub bars: Vec<Bar>,
}

const BAR_COLOR: RGBColor = RGBColor(0x2f, 0x6f, 0xb5);
const TEXT_COLOR: RGBColor = RGBColor(0x22, 0x22, 0x22);
const FONT: &str = "sans-serif";

/// Draws `chart` filling `area`.
pub fn draw_bar_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &BarChart,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&WHITE)?;
    // `0..n-1` as a segmented axis has exactly one segment per bar.
    let n = chart.bars.len();
    let max = chart
        .bars
        .iter()
        .map(|b| b.value)
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    let y_max = if max > 0.0 { max * 1.12 } else { 1.0 };
    let labels: Vec<&str> = chart.bars.iter().map(|b| b.label.as_str()).collect();

    let mut c = ChartBuilder::on(area)
        .caption(&chart.title, (FONT, 20).into_font().color(&TEXT_COLOR))
        .margin(14)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d((0..n.saturating_sub(1)).into_segmented(), 0.0..y_max)?;
    c.configure_mesh()
        .disable_x_mesh()
        .bold_line_style(RGBColor(0xdd, 0xdd, 0xdd))
        .light_line_style(TRANSPARENT)
        .x_desc(&chart.x_title)
        .y_desc(&chart.y_title)
        .axis_desc_style((FONT, 15).into_font().color(&TEXT_COLOR))
        .label_style((FONT, 13).into_font().color(&TEXT_COLOR))
        .x_labels(n.max(1))
        .x_label_formatter(&|s| match s {
            SegmentValue::CenterOf(i) => labels.get(*i).map(|l| l.to_string()).unwrap_or_default(),
            _ => String::new(),
        })
        .y_label_formatter(&|v| si(*v, ""))
        .draw()?;
    c.draw_series(chart.bars.iter().enumerate().map(|(i, b)| {
        let mut r = Rectangle::new(
            [
                (SegmentValue::Exact(i), 0.0),
                (SegmentValue::Exact(i + 1), b.value),
            ],
            BAR_COLOR.filled(),
        );
        r.set_margin(0, 0, 6, 6);
        r
    }))?;
    let value_style = (FONT, 12)
        .into_font()
        .color(&TEXT_COLOR)
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    c.draw_series(chart.bars.iter().enumerate().map(|(i, b)| {
        Text::new(
            si(b.value, ""),
            (SegmentValue::CenterOf(i), b.value),
            value_style.clone(),
        )
    }))?;
    area.present()
}

/// Renders a chart to an SVG string (native tests, SVG export).
pub fn bar_chart_svg(chart: &BarChart, width: u32, height: u32) -> String {
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        // Drawing into a String cannot fail; an error would leave a partial
        // SVG, which the golden test would catch.
        let _ = draw_bar_chart(&area, chart);
    }
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use defines_model::{presets, Workload};

    fn fsrcnn_chart() -> BarChart {
        let w = Workload::from_json(presets::workload("fsrcnn").unwrap()).unwrap();
        BarChart {
            title: "MACs per layer".into(),
            x_title: "layer".into(),
            y_title: "MACs".into(),
            bars: w
                .macs_per_layer()
                .into_iter()
                .map(|l| Bar {
                    label: l.name,
                    value: l.macs as f64,
                })
                .collect(),
        }
    }

    /// The chart is compared with a golden SVG; re-bless with
    /// `UPDATE_GOLDEN=1 cargo test -p defines-playground`.
    #[test]
    fn fsrcnn_macs_chart_matches_golden() {
        let svg = bar_chart_svg(&fsrcnn_chart(), 800, 400);
        // 8 bars (+ the white background rectangle).
        let bars = svg.matches("fill=\"#2F6FB5\"").count();
        assert_eq!(bars, 8, "{svg}");
        assert!(svg.contains("MACs per layer"));
        assert!(svg.contains("747 M"), "value label of L0");
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/golden/fsrcnn_macs_chart.svg"
        );
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(path, &svg).unwrap();
        }
        let golden =
            std::fs::read_to_string(path).expect("golden file; bless with UPDATE_GOLDEN=1");
        assert_eq!(
            svg, golden,
            "chart changed; re-bless with UPDATE_GOLDEN=1 if intended"
        );
    }

    #[test]
    fn empty_and_nan_charts_do_not_panic() {
        let mut c = fsrcnn_chart();
        c.bars.clear();
        assert!(bar_chart_svg(&c, 300, 200).contains("<svg"));
        c.bars.push(Bar {
            label: "x".into(),
            value: f64::NAN,
        });
        assert!(bar_chart_svg(&c, 300, 200).contains("<svg"));
    }
}
