//! Drawing at the device pixel ratio: [`Scaled`] wraps a backend whose
//! bitmap is `ratio` times the chart's size (a canvas of `css width × dpr`
//! pixels) and presents the chart's own size to plotters. Every coordinate,
//! line width and font size is multiplied on the way through, so a chart
//! laid out for 640 CSS pixels is drawn with 1280 device pixels on a
//! retina screen: same layout, sharp lines and text. Hit rectangles and
//! points the chart functions return stay in chart (CSS) pixels.

use plotters_backend::text_anchor::Pos;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontFamily, FontStyle, FontTransform,
};

/// The ratios charts are drawn at: 1 to 4 (a zoomed-out page reports less
/// than 1, a phone up to about 3.5; more only costs memory).
pub fn clamp_ratio(dpr: f64) -> f64 {
    if dpr.is_finite() {
        dpr.clamp(1.0, 4.0)
    } else {
        1.0
    }
}

/// A backend `ratio` times larger than the chart drawn on it.
pub struct Scaled<B> {
    inner: B,
    k: f64,
}

impl<B: DrawingBackend> Scaled<B> {
    /// `ratio` is clamped by [`clamp_ratio`].
    pub fn new(inner: B, ratio: f64) -> Scaled<B> {
        Scaled {
            inner,
            k: clamp_ratio(ratio),
        }
    }

    fn p(&self, (x, y): BackendCoord) -> BackendCoord {
        (self.s(x), self.s(y))
    }

    fn s(&self, v: i32) -> i32 {
        let v = (f64::from(v) * self.k).round();
        v.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32
    }

    fn width(&self, w: u32) -> u32 {
        ((f64::from(w) * self.k).round() as u32).max(1)
    }

    /// `style` with its line width scaled.
    fn stroke<S: BackendStyle>(&self, style: &S) -> Stroke {
        Stroke {
            color: style.color(),
            width: self.width(style.stroke_width()),
        }
    }
}

/// A line or fill style with its width scaled.
struct Stroke {
    color: BackendColor,
    width: u32,
}

impl BackendStyle for Stroke {
    fn color(&self) -> BackendColor {
        self.color
    }
    fn stroke_width(&self) -> u32 {
        self.width
    }
}

/// A text style with its size scaled.
struct Text<'a, T> {
    inner: &'a T,
    k: f64,
}

impl<T: BackendTextStyle> BackendTextStyle for Text<'_, T> {
    type FontError = T::FontError;
    fn color(&self) -> BackendColor {
        self.inner.color()
    }
    fn size(&self) -> f64 {
        self.inner.size() * self.k
    }
    fn transform(&self) -> FontTransform {
        self.inner.transform()
    }
    fn style(&self) -> FontStyle {
        self.inner.style()
    }
    fn anchor(&self) -> Pos {
        self.inner.anchor()
    }
    fn family(&self) -> FontFamily<'_> {
        self.inner.family()
    }
    fn layout_box(&self, text: &str) -> Result<((i32, i32), (i32, i32)), Self::FontError> {
        let s = |v: i32| (f64::from(v) * self.k).round() as i32;
        self.inner
            .layout_box(text)
            .map(|((a, b), (c, d))| ((s(a), s(b)), (s(c), s(d))))
    }
    fn draw<E, F: FnMut(i32, i32, BackendColor) -> Result<(), E>>(
        &self,
        text: &str,
        pos: BackendCoord,
        draw: F,
    ) -> Result<Result<(), E>, Self::FontError> {
        self.inner.draw(text, pos, draw)
    }
}

impl<B: DrawingBackend> DrawingBackend for Scaled<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        let (w, h) = self.inner.get_size();
        let d = |v: u32| (f64::from(v) / self.k).floor() as u32;
        (d(w), d(h))
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        let (x, y) = self.p(point);
        let (x1, y1) = self.p((point.0 + 1, point.1 + 1));
        let fill = Stroke { color, width: 1 };
        self.inner.draw_rect((x, y), (x1 - 1, y1 - 1), &fill, true)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        let st = self.stroke(style);
        let (a, b) = (self.p(from), self.p(to));
        self.inner.draw_line(a, b, &st)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        let st = self.stroke(style);
        let (a, b) = (self.p(upper_left), self.p(bottom_right));
        self.inner.draw_rect(a, b, &st, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        let st = self.stroke(style);
        let pts: Vec<BackendCoord> = path.into_iter().map(|p| self.p(p)).collect();
        self.inner.draw_path(pts, &st)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        let st = self.stroke(style);
        let c = self.p(center);
        self.inner.draw_circle(c, self.width(radius), &st, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        let st = self.stroke(style);
        let pts: Vec<BackendCoord> = vert.into_iter().map(|p| self.p(p)).collect();
        self.inner.fill_polygon(pts, &st)
    }

    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        let st = Text {
            inner: style,
            k: self.k,
        };
        let p = self.p(pos);
        self.inner.draw_text(text, &st, p)
    }

    fn estimate_text_size<T: BackendTextStyle>(
        &self,
        text: &str,
        style: &T,
    ) -> Result<(u32, u32), DrawingErrorKind<B::ErrorType>> {
        let st = Text {
            inner: style,
            k: self.k,
        };
        let (w, h) = self.inner.estimate_text_size(text, &st)?;
        let d = |v: u32| (f64::from(v) / self.k).ceil() as u32;
        Ok((d(w), d(h)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::{draw_stacked_bars_hits, Series, StackedBars};
    use plotters::prelude::*;

    fn chart() -> StackedBars {
        StackedBars {
            log_y: false,
            title: "t".into(),
            x_title: "x".into(),
            y_title: "y (pJ)".into(),
            categories: vec!["a".into(), "b".into()],
            series: vec![
                Series {
                    name: "s1".into(),
                    values: vec![1.0, 2.0],
                },
                Series {
                    name: "s2".into(),
                    values: vec![3.0, 0.5],
                },
            ],
        }
    }

    /// (font sizes, rect x coordinates) of an SVG.
    fn shapes(svg: &str) -> (Vec<f64>, Vec<f64>) {
        let num = |s: &str, key: &str| -> Vec<f64> {
            s.split(key)
                .skip(1)
                .filter_map(|r| r.split('"').next()?.parse().ok())
                .collect()
        };
        (num(svg, "font-size=\""), num(svg, "<rect x=\""))
    }

    #[test]
    fn a_scaled_chart_is_the_same_chart_at_twice_the_pixels() {
        let mut one = String::new();
        let mut two = String::new();
        let hits1 = {
            let a = SVGBackend::with_string(&mut one, (640, 360)).into_drawing_area();
            draw_stacked_bars_hits(&a, &chart()).unwrap()
        };
        let hits2 = {
            let b = Scaled::new(SVGBackend::with_string(&mut two, (1280, 720)), 2.0);
            assert_eq!(b.get_size(), (640, 360));
            draw_stacked_bars_hits(&b.into_drawing_area(), &chart()).unwrap()
        };
        // the layout (and the hit rectangles, in chart pixels) is the same
        assert_eq!(hits1, hits2);
        let ((f1, x1), (f2, x2)) = (shapes(&one), shapes(&two));
        assert!(!f1.is_empty() && f1.len() == f2.len());
        for (a, b) in f1.iter().zip(&f2) {
            assert_eq!(a * 2.0, *b);
        }
        assert!(x1.len() > 4 && x1.len() == x2.len());
        for (a, b) in x1.iter().zip(&x2) {
            assert_eq!(a * 2.0, *b);
        }
    }

    #[test]
    fn ratios_are_clamped() {
        assert_eq!(clamp_ratio(0.5), 1.0);
        assert_eq!(clamp_ratio(2.625), 2.625);
        assert_eq!(clamp_ratio(9.0), 4.0);
        assert_eq!(clamp_ratio(f64::NAN), 1.0);
    }
}
