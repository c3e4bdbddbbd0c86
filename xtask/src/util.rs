//! Small process and file helpers.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A failed step: the message says what failed and what to do.
pub struct Failure(pub String);

/// The repository root (xtask lives one level below it).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Prints the name of a step as it starts.
pub fn step(name: &str) {
    println!("\n==> {name}");
}

pub trait Run {
    /// Runs with inherited output; a non-zero exit is a [`Failure`].
    fn run(&mut self) -> Result<(), Failure>;
    /// Runs and returns stdout (trimmed); `None` when it cannot start or fails.
    fn output_text(&mut self) -> Option<String>;
}

impl Run for Command {
    fn run(&mut self) -> Result<(), Failure> {
        let shown = format!("{:?}", self).replace('"', "");
        match self.status() {
            Ok(s) if s.success() => Ok(()),
            Ok(s) => Err(Failure(format!("`{shown}` failed ({s})"))),
            Err(e) => Err(Failure(format!("cannot run `{shown}`: {e}"))),
        }
    }
    fn output_text(&mut self) -> Option<String> {
        let out = self.output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }
}

/// `cargo` from the environment xtask runs in, with the setup PATH.
pub fn cargo(env: &crate::setup::Env) -> Command {
    let mut c = env.cmd(&std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(repo());
    c
}

/// Whether a file of `dist/` belongs to the import worker, which the page
/// loads on the first dropped file: not part of a first visit, not
/// precached (the service worker caches it on first use).
fn loaded_on_first_import(name: &str) -> bool {
    name.starts_with("importer")
}

/// Gzip size (best compression) of `raw`.
fn gzip_len(raw: &[u8]) -> Result<usize, Failure> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut gz, raw).map_err(|e| Failure(format!("gzip: {e}")))?;
    Ok(gz
        .finish()
        .map_err(|e| Failure(format!("gzip: {e}")))?
        .len())
}

/// Prints raw and gzip sizes of every `.wasm` in `dist`, and what a first
/// visit transfers from a gzip host: every file but the import worker's
/// (loaded on the first dropped file).
pub fn print_wasm_sizes(dist: &Path) -> Result<(), Failure> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dist)
        .map_err(|e| Failure(format!("cannot read {}: {e}", dist.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    println!("\nrelease wasm sizes:");
    let (mut first, mut later) = (0usize, 0usize);
    for f in files {
        let mut raw = Vec::new();
        std::fs::File::open(&f)
            .and_then(|mut h| h.read_to_end(&mut raw))
            .map_err(|e| Failure(format!("cannot read {}: {e}", f.display())))?;
        let gz = gzip_len(&raw)?;
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if loaded_on_first_import(&name) {
            later += gz;
        } else {
            first += gz;
        }
        if f.extension().is_some_and(|x| x == "wasm") {
            println!(
                "  {:<40} {:>8.1} KiB raw  {:>7.1} KiB gzip",
                name,
                raw.len() as f64 / 1024.0,
                gz as f64 / 1024.0
            );
        }
    }
    println!(
        "a first visit transfers {:.1} KiB gzip (every file but the import worker's, {:.1} KiB, loaded on the first dropped file)",
        first as f64 / 1024.0,
        later as f64 / 1024.0
    );
    Ok(())
}

/// The names of the files in `dist` (not its folders), sorted.
fn dist_file_names(dist: &Path) -> Result<Vec<String>, Failure> {
    let mut names: Vec<String> = std::fs::read_dir(dist)
        .map_err(|e| Failure(format!("cannot list dist/: {e}")))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    Ok(names)
}

/// Fills `dist/worker-loader.js` with the names of the page's script and
/// wasm (Trunk's `app-<hash>.js` and `app-<hash>_bg.wasm`): the model
/// workers load the page's own module.
pub fn write_worker_loader(repo: &std::path::Path) -> Result<(), Failure> {
    let dist = repo.join("dist");
    let names = dist_file_names(&dist)?;
    let loader = std::fs::read_to_string(repo.join("web/worker-loader.js"))
        .map_err(|e| Failure(format!("cannot read web/worker-loader.js: {e}")))?;
    let filled = fill_worker_loader(&loader, &names)?;
    std::fs::write(dist.join("worker-loader.js"), filled)
        .map_err(|e| Failure(format!("cannot write dist/worker-loader.js: {e}")))
}

/// `loader` with `__APP_JS__` and `__APP_WASM__` replaced by the one
/// `app-*.js` and `app-*_bg.wasm` among `names`.
fn fill_worker_loader(loader: &str, names: &[String]) -> Result<String, Failure> {
    let one = |what: &str, pick: &dyn Fn(&str) -> bool| -> Result<String, Failure> {
        let found: Vec<&String> = names.iter().filter(|n| pick(n)).collect();
        match found.as_slice() {
            [n] => Ok((*n).clone()),
            _ => Err(Failure(format!(
                "dist/ should hold exactly one {what}, found {found:?}: rebuild it (`cargo xtask build`)"
            ))),
        }
    };
    let js = one("app-<hash>.js", &|n| {
        n.starts_with("app-") && n.ends_with(".js")
    })?;
    let wasm = one("app-<hash>_bg.wasm", &|n| {
        n.starts_with("app-") && n.ends_with("_bg.wasm")
    })?;
    if !loader.contains("__APP_JS__") || !loader.contains("__APP_WASM__") {
        return Err(Failure(
            "web/worker-loader.js lacks __APP_JS__ or __APP_WASM__".into(),
        ));
    }
    Ok(loader
        .replace("__APP_JS__", &js)
        .replace("__APP_WASM__", &wasm))
}

/// Writes `dist/sw.js` from `web/sw.js`: the list of the build's files to
/// precache (as URLs relative to the page, the page itself as `./`), the
/// import worker's files (cached on first use), and a version that is a
/// hash of every file, so every deploy has its own cache.
pub fn write_service_worker(repo: &std::path::Path) -> Result<(), Failure> {
    let dist = repo.join("dist");
    let template = std::fs::read_to_string(repo.join("web/sw.js"))
        .map_err(|e| Failure(format!("cannot read web/sw.js: {e}")))?;
    let names: Vec<String> = dist_file_names(&dist)?
        .into_iter()
        .filter(|n| n != "sw.js")
        .collect();
    // FNV-1a over names and contents: a version, not a security measure.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for n in &names {
        let bytes = std::fs::read(dist.join(n))
            .map_err(|e| Failure(format!("cannot read dist/{n}: {e}")))?;
        for b in n.bytes().chain(bytes) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    // the page itself is cached once, as "./" (its navigations, whatever
    // their query, are answered with it); the import worker's files are
    // cached on first use, not precached
    let list = |files: Vec<String>| {
        let quoted: Vec<String> = files.iter().map(|f| format!("\"{f}\"")).collect();
        format!("[{}]", quoted.join(", "))
    };
    let files = std::iter::once("./".to_string())
        .chain(
            names
                .iter()
                .filter(|n| *n != "index.html" && !loaded_on_first_import(n))
                .map(|n| format!("./{n}")),
        )
        .collect();
    let later = names
        .iter()
        .filter(|n| loaded_on_first_import(n))
        .map(|n| format!("./{n}"))
        .collect();
    let sw = template
        .replace("__VERSION__", &format!("{h:016x}"))
        .replace("__FILES__", &list(files))
        .replace("__LAZY__", &list(later));
    std::fs::write(dist.join("sw.js"), sw)
        .map_err(|e| Failure(format!("cannot write dist/sw.js: {e}")))
}

/// The Content-Security-Policy of the page, with the hash of each inline
/// script of `html` (Trunk's loader), for `dist/index.html` and the dev
/// server. Scripts come only from the page's own origin, WebAssembly may be
/// compiled, workers come from the page's origin, no plugins, no `<base>`.
pub fn content_security_policy(html: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let mut hashes = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let tag = &after[..open_end];
        let body_start = open_end + 1;
        let Some(close) = after[body_start..].find("</script>") else {
            break;
        };
        if !tag.contains("src=") {
            let body = &after[body_start..body_start + close];
            let digest = sha2::Sha256::digest(body.as_bytes());
            let b64 = base64::engine::general_purpose::STANDARD.encode(digest);
            hashes.push_str(&format!(" 'sha256-{b64}'"));
        }
        rest = &after[body_start + close..];
    }
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; \
         worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"
    )
}

/// Adds the Content-Security-Policy `<meta>` to `dist/index.html`.
pub fn write_csp(repo: &std::path::Path) -> Result<(), Failure> {
    let file = repo.join("dist/index.html");
    let html = std::fs::read_to_string(&file)
        .map_err(|e| Failure(format!("cannot read dist/index.html: {e}")))?;
    if html.contains("Content-Security-Policy") {
        return Ok(());
    }
    let meta = format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\" />",
        content_security_policy(&html)
    );
    let marker = "<meta charset=\"utf-8\" />";
    let Some(at) = html.find(marker) else {
        return Err(Failure("dist/index.html has no <meta charset>".into()));
    };
    let out = format!(
        "{}{marker}\n    {meta}{}",
        &html[..at],
        &html[at + marker.len()..]
    );
    std::fs::write(&file, out).map_err(|e| Failure(format!("cannot write dist/index.html: {e}")))
}

#[cfg(test)]
mod loader_tests {
    use super::fill_worker_loader;

    #[test]
    fn the_loader_names_the_pages_script_and_wasm() {
        let names: Vec<String> = [
            "app-0123456789abcdef.js",
            "app-0123456789abcdef_bg.wasm",
            "importer.js",
            "importer_bg.wasm",
            "index.html",
        ]
        .map(String::from)
        .to_vec();
        let out = fill_worker_loader(
            "import init from \"./__APP_JS__\";\nawait init({ module_or_path: \"./__APP_WASM__\" });\n",
            &names,
        );
        match out {
            Ok(text) => assert_eq!(
                text,
                "import init from \"./app-0123456789abcdef.js\";\nawait init({ module_or_path: \"./app-0123456789abcdef_bg.wasm\" });\n"
            ),
            Err(e) => panic!("{}", e.0),
        }
        // two builds' files side by side: refused, never a guess
        let mut twice = names.clone();
        twice.push("app-fedcba9876543210.js".into());
        assert!(fill_worker_loader("__APP_JS__ __APP_WASM__", &twice).is_err());
        // a template without the placeholders: refused
        assert!(fill_worker_loader("importScripts()", &names).is_err());
    }
}

#[cfg(test)]
mod csp_tests {
    use super::content_security_policy;

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_not() {
        let html = "<script type=\"module\">alert(1)</script><script src=\"./a.js\"></script>";
        let p = content_security_policy(html);
        // sha256("alert(1)"), base64.
        assert!(
            p.contains("'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"),
            "{p}"
        );
        assert_eq!(p.matches("'sha256-").count(), 1);
        assert!(p.contains("object-src 'none'") && p.contains("base-uri 'none'"));
        assert!(p.contains("'wasm-unsafe-eval'") && p.contains("worker-src 'self'"));
    }
}

#[cfg(test)]
mod sw_tests {
    use super::write_service_worker;

    /// The precache list holds the page once (as "./") and not the import
    /// worker's files, which are cached on first use; the version follows
    /// every file, the page included.
    #[test]
    fn precache_and_lazy_lists_and_version() {
        let repo = std::env::temp_dir().join(format!("defines-sw-test-{}", std::process::id()));
        let dist = repo.join("dist");
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::create_dir_all(repo.join("web")).unwrap();
        std::fs::copy(super::repo().join("web/sw.js"), repo.join("web/sw.js")).unwrap();
        for f in [
            "index.html",
            "app-0123456789abcdef_bg.wasm",
            "worker.js",
            "importer.js",
            "importer_bg.wasm",
        ] {
            std::fs::write(dist.join(f), f).unwrap();
        }
        let sw = |repo: &std::path::Path| {
            if let Err(e) = write_service_worker(repo) {
                panic!("{}", e.0);
            }
            std::fs::read_to_string(repo.join("dist/sw.js")).unwrap()
        };
        let first = sw(&repo);
        assert!(
            first.contains(
                r#"const FILES = ["./", "./app-0123456789abcdef_bg.wasm", "./worker.js"];"#
            ),
            "{first}"
        );
        assert!(
            first.contains(r#"const LAZY = ["./importer.js", "./importer_bg.wasm"];"#),
            "{first}"
        );
        let version = |s: &str| {
            s.lines()
                .find(|l| l.starts_with("const VERSION"))
                .map(String::from)
        };
        std::fs::write(dist.join("index.html"), "changed").unwrap();
        let second = sw(&repo);
        assert_ne!(version(&first), version(&second));
        std::fs::remove_dir_all(&repo).unwrap();
    }
}
