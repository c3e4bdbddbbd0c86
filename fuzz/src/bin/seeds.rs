//! `seeds DIR`: writes each fuzz target's seed corpus, from the model's
//! presets, to `DIR/<target>/` (replacing what was there), and its AFL++
//! dictionary to `DIR/<target>.dict`.

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
            let dict = defines_fuzz::dictionary(target);
            std::fs::write(
                dir.join(format!("{target}.dict")),
                defines_fuzz::dictionary_file(&dict),
            )?;
            std::io::Result::Ok((seeds.len(), dict.len()))
        })();
        match written {
            Ok((n, d)) => println!(
                "{target}: {n} seeds in {}, {d} dictionary words",
                out.display()
            ),
            Err(e) => {
                eprintln!("seeds: cannot write {}: {e}", out.display());
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
