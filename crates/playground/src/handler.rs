//! What the worker computes for one request: pure, so it is tested natively
//! and, in the browser, through the real worker (bit-for-bit equal).

use crate::protocol::{decode, encode, Request, Response};
use defines_model::Workload;

/// Answers one request. Never panics: bad input becomes `Response::Invalid`.
pub fn handle(req: Request) -> Response {
    match req {
        Request::Macs {
            run_id,
            workload_json,
        } => match Workload::from_json(&workload_json) {
            Ok(w) => Response::Macs {
                run_id,
                total_macs: w.total_macs(),
                layers: w.macs_per_layer(),
            },
            Err(diagnostics) => Response::Invalid {
                run_id,
                diagnostics,
            },
        },
    }
}

/// The worker's whole message loop body: text in, text out.
pub fn handle_message(text: &str) -> String {
    let response = match decode::<Request>(text) {
        Ok(req) => handle(req),
        Err(message) => Response::ProtocolError { message },
    };
    encode(&response)
}

/// The request the page sends on start (FSRCNN, run 1), as protocol text:
/// shared by the native golden test and the browser test.
pub fn fsrcnn_request_text() -> String {
    encode(&Request::Macs {
        run_id: 1,
        workload_json: defines_model::presets::workload("fsrcnn")
            .unwrap_or_default()
            .into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use defines_model::presets;

    #[test]
    fn fsrcnn_macs() {
        let r = handle(Request::Macs {
            run_id: 3,
            workload_json: presets::workload("fsrcnn").unwrap().into(),
        });
        match r {
            Response::Macs {
                run_id,
                layers,
                total_macs,
            } => {
                assert_eq!(run_id, 3);
                assert_eq!(layers.len(), 8);
                assert_eq!(total_macs, 8_362_594_208);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn bad_workload_is_invalid_with_run_id() {
        let out = handle_message(&encode(&Request::Macs {
            run_id: 9,
            workload_json: "[1,2".into(),
        }));
        let r: Response = decode(&out).unwrap();
        assert_eq!(r.run_id(), Some(9));
        assert!(matches!(r, Response::Invalid { .. }));
    }

    /// The exact response text for the FSRCNN request; the browser test
    /// (`tests/web.rs`) checks the worker build produces the same bytes.
    /// Re-bless with `UPDATE_GOLDEN=1 cargo test -p defines-playground`.
    #[test]
    fn fsrcnn_response_matches_golden() {
        let out = handle_message(&crate::handler::fsrcnn_request_text());
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/golden/fsrcnn_macs_response.json"
        );
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(path, &out).unwrap();
        }
        assert_eq!(out, std::fs::read_to_string(path).unwrap());
        assert!(out.contains("\"total_macs\":8362594208"), "{out}");
    }

    #[test]
    fn non_protocol_text_is_a_protocol_error() {
        let r: Response = decode(&handle_message("hello")).unwrap();
        assert!(matches!(r, Response::ProtocolError { .. }));
    }
}
