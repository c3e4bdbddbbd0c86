//! `defines`: glue only. Arguments are parsed by [`defines_cli::args`], the
//! work is done by [`defines_cli::commands`]; this file turns the outcome
//! into output and an exit code (see the crate docs).

use defines_cli::{args, commands};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let outcome = args::parse(&argv)
        .map_err(commands::Error::from)
        .and_then(commands::run);
    match outcome {
        Ok(out) => {
            if !out.stderr.is_empty() {
                let _ = std::io::stderr().write_all(out.stderr.as_bytes());
            }
            write_stdout(&out.stdout)
        }
        Err(commands::Error(msg)) => {
            // Nothing more to do if stderr itself is gone.
            let _ = writeln!(std::io::stderr(), "defines: {msg}");
            ExitCode::from(2)
        }
    }
}

/// Writes the output; a reader that stopped early (`defines presets | head
/// -c 10`) ends the run quietly, any other failure (a full disk) is said
/// on stderr with exit code 1.
fn write_stdout(out: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "defines: cannot write the output: {e}");
            ExitCode::from(1)
        }
    }
}
