//! AFL++ fuzz target `validate`: see `defines_fuzz::check_validate`. Run with
//! `cargo xtask fuzz`; outside afl-fuzz it runs once on standard input
//! (replay a crash: `fuzz/target/release/validate < CRASH_FILE`).

fn main() {
    defines_fuzz::init();
    afl::fuzz!(|data: &[u8]| defines_fuzz::check_validate(data));
}
