//! One backend type for two backends: [`Either`] is the page's canvas or an
//! SVG string, so every chart function is compiled once for both. Drawn on
//! `Scaled<CanvasBackend>` and, for the SVG export, on `SVGBackend`, the
//! stacked bar chart and the plotters code under it were two copies in the
//! page's wasm (about 20 KiB raw); through `Either` they are one, and each
//! drawing call costs one `match`.

use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

/// The backend `A` or the backend `B`.
pub enum Either<A, B> {
    A(A),
    B(B),
}

/// Either backend's drawing error, as its text.
#[derive(Debug)]
pub struct EitherError(String);

impl core::fmt::Display for EitherError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EitherError {}

fn lift<E: std::error::Error + Send + Sync>(
    e: DrawingErrorKind<E>,
) -> DrawingErrorKind<EitherError> {
    match e {
        DrawingErrorKind::DrawingError(e) => {
            DrawingErrorKind::DrawingError(EitherError(e.to_string()))
        }
        DrawingErrorKind::FontError(f) => DrawingErrorKind::FontError(f),
    }
}

/// `$call` on whichever backend `$self` holds, its error lifted.
macro_rules! on_either {
    ($self:expr, $b:ident => $call:expr) => {
        match $self {
            Either::A($b) => $call.map_err(lift),
            Either::B($b) => $call.map_err(lift),
        }
    };
}

impl<A: DrawingBackend, B: DrawingBackend> DrawingBackend for Either<A, B> {
    type ErrorType = EitherError;

    fn get_size(&self) -> (u32, u32) {
        match self {
            Either::A(b) => b.get_size(),
            Either::B(b) => b.get_size(),
        }
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<EitherError>> {
        on_either!(self, b => b.ensure_prepared())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<EitherError>> {
        on_either!(self, b => b.present())
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<EitherError>> {
        on_either!(self, b => b.draw_pixel(point, color))
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<EitherError>> {
        on_either!(self, b => b.draw_line(from, to, style))
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<EitherError>> {
        on_either!(self, b => b.draw_rect(upper_left, bottom_right, style, fill))
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<EitherError>> {
        on_either!(self, b => b.draw_path(path, style))
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<EitherError>> {
        on_either!(self, b => b.draw_circle(center, radius, style, fill))
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<EitherError>> {
        on_either!(self, b => b.fill_polygon(vert, style))
    }

    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<EitherError>> {
        on_either!(self, b => b.draw_text(text, style, pos))
    }

    fn estimate_text_size<T: BackendTextStyle>(
        &self,
        text: &str,
        style: &T,
    ) -> Result<(u32, u32), DrawingErrorKind<EitherError>> {
        on_either!(self, b => b.estimate_text_size(text, style))
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<EitherError>> {
        on_either!(self, b => b.blit_bitmap(pos, size, src))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::{draw_stacked_bars, to_svg, Series, StackedBars};
    use plotters::prelude::*;

    /// A chart drawn through `Either` is the chart drawn on the backend
    /// itself, byte for byte, whichever side holds it.
    #[test]
    fn either_draws_what_its_backend_draws() {
        let chart = StackedBars {
            log_y: true,
            title: "energy".into(),
            x_title: "layer".into(),
            y_title: "pJ".into(),
            categories: vec!["L1".into(), "L2".into(), "L3".into()],
            series: vec![Series {
                name: "dram".into(),
                values: vec![1e3, 2e6, 3e9],
            }],
        };
        let direct = to_svg(640, 360, |a| draw_stacked_bars(a, &chart).unwrap());
        let through = |right: bool| {
            let mut svg = String::new();
            {
                let back = SVGBackend::with_string(&mut svg, (640, 360));
                let either: Either<SVGBackend, SVGBackend> = if right {
                    Either::B(back)
                } else {
                    Either::A(back)
                };
                draw_stacked_bars(&either.into_drawing_area(), &chart).unwrap();
            }
            svg
        };
        assert!(direct.contains("<rect"));
        assert_eq!(through(false), direct);
        assert_eq!(through(true), direct);
    }
}
