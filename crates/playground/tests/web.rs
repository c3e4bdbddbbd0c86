//! Browser tests (wasm-bindgen-test in headless Chromium), run by
//! `cargo xtask test`.
#![cfg(target_arch = "wasm32")]

use defines_playground::charts::{draw_stacked_bars, Series, StackedBars};
use defines_playground::defaults::{default_request_message, response_as_json};
use defines_playground::handler::{handle_message, Handler};
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The worker protocol round trip in the wasm build: the answer to the
/// default scenario's request, written as JSON (exact floats), equals byte
/// for byte the golden answer computed natively, so every number in the
/// report is bit-identical.
#[wasm_bindgen_test]
fn worker_answer_equals_native_golden() {
    let golden = include_str!("../../../tests/golden/default_evaluate_response.json");
    let answers = handle_message(&mut Handler::default(), &default_request_message());
    assert_eq!(answers.len(), 1);
    assert!(
        response_as_json(&answers[0]) == golden,
        "wasm and native answers differ"
    );
}

/// A stacked bar chart draws one bar per category on a real canvas.
#[wasm_bindgen_test]
fn chart_draws_eight_bars_on_canvas() {
    let doc = web_sys::window().unwrap().document().unwrap();
    let canvas: web_sys::HtmlCanvasElement = doc.create_element("canvas").unwrap().unchecked_into();
    canvas.set_width(800);
    canvas.set_height(400);
    doc.body().unwrap().append_child(&canvas).unwrap();
    let chart = StackedBars {
        log_y: false,
        title: "t".into(),
        x_title: "x".into(),
        y_title: "y".into(),
        categories: (1..=8).map(|i| format!("L{i}")).collect(),
        series: vec![Series {
            name: "s".into(),
            values: (1..=8).map(|i| i as f64 * 10.0).collect(),
        }],
    };
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).unwrap();
    draw_stacked_bars(&backend.into_drawing_area(), &chart).unwrap();

    let ctx: web_sys::CanvasRenderingContext2d =
        canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    let data = ctx.get_image_data(0.0, 0.0, 800.0, 400.0).unwrap().data();
    let mut runs = 0;
    let mut in_run = false;
    for x in 0..800usize {
        let hit = (0..400usize).any(|y| {
            let i = (y * 800 + x) * 4;
            data[i] == 0x2f && data[i + 1] == 0x6f && data[i + 2] == 0xb5
        });
        if hit && !in_run {
            runs += 1;
        }
        in_run = hit;
    }
    assert_eq!(runs, 8);
}
