//! AFL++ fuzz target `cli_args`: see `defines_fuzz::check_cli_args`. Run with
//! `cargo xtask fuzz`; outside afl-fuzz it runs once on standard input
//! (replay a crash: `fuzz/target/release/cli_args < CRASH_FILE`).

fn main() {
    afl::fuzz!(|data: &[u8]| defines_fuzz::check_cli_args(data));
}
