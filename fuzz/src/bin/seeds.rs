//! `seeds DIR`: writes each fuzz target's seed corpus, from the model's
//! presets, to `DIR/<target>/` (replacing what was there).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: seeds DIR");
        return ExitCode::from(2);
    };
    for target in defines_fuzz::TARGETS {
        let out = dir.join(target);
        let written = (|| {
            if out.exists() {
                std::fs::remove_dir_all(&out)?;
            }
            std::fs::create_dir_all(&out)?;
            let seeds = defines_fuzz::seeds(target);
            for (name, data) in &seeds {
                std::fs::write(out.join(name), data)?;
            }
            std::io::Result::Ok(seeds.len())
        })();
        match written {
            Ok(n) => println!("{target}: {n} seeds in {}", out.display()),
            Err(e) => {
                eprintln!("seeds: cannot write {}: {e}", out.display());
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
