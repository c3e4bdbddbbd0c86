//! AFL++ fuzz target `evaluate`: see `defines_fuzz::check_evaluate`. Run
//! with `cargo xtask fuzz`; outside afl-fuzz it runs once on standard input
//! (replay a crash: `fuzz/target/afl/release/evaluate < CRASH_FILE`).

fn main() {
    defines_fuzz::init();
    afl::fuzz!(|data: &[u8]| defines_fuzz::check_evaluate(data));
}
