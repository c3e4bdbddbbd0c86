//! AFL++ fuzz target `persist`: see `defines_fuzz::check_persist`. Run with
//! `cargo xtask fuzz`; outside afl-fuzz it runs once on standard input
//! (replay a crash: `fuzz/target/release/persist < CRASH_FILE`).

fn main() {
    afl::fuzz!(|data: &[u8]| defines_fuzz::check_persist(data));
}
