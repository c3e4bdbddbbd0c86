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

mod bars;
mod either;
mod heat_map;
mod hidpi;
mod lines;
mod scatter;
#[cfg(test)]
mod tests;

pub use bars::{bar_at, draw_stacked_bars, draw_stacked_bars_hits, BarHit, Series, StackedBars};
pub use either::{Either, EitherError};
pub use heat_map::{draw_heat_map, log_position, scale_color, HeatMap};
pub use hidpi::{clamp_ratio, Scaled};
pub use lines::{draw_line_chart, LineChart};
pub use scatter::{draw_scatter, hit_test, Scatter, ScatterPoint};

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
