//! Records the compiler's version for the machine fingerprint in every report, and
//! embeds the models' source files, so that `show` prints the code the binary was
//! built from even when the binary runs far from its checkout.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map_or_else(|| "rustc (unknown version)".into(), |s| s.trim().to_owned());
    println!("cargo:rustc-env=CM_RUSTC_VERSION={version}");
    println!("cargo:rerun-if-changed=build.rs");
    embed_sources();
}

/// Writes `$OUT_DIR/sources.rs`: every `.rs` file under `crates/*/src` and every
/// crate's `Cargo.toml`, as `(path relative to the workspace, contents)` pairs,
/// sorted by path.
fn embed_sources() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    // A change anywhere under crates/ (a new file included) reruns this script.
    println!("cargo:rerun-if-changed=crates");
    let mut files = Vec::new();
    if let Ok(crates) = std::fs::read_dir(root.join("crates")) {
        for krate in crates.flatten() {
            let manifest = krate.path().join("Cargo.toml");
            if manifest.is_file() {
                files.push(manifest);
                collect_rs(&krate.path().join("src"), &mut files);
            }
        }
    }
    files.sort();
    let mut out = String::from("/// The embedded sources, sorted by path.\n");
    out.push_str("pub static FILES: &[(&str, &str)] = &[\n");
    for file in &files {
        let rel = file.strip_prefix(&root).expect("under the root");
        let rel = rel.to_string_lossy().replace('\\', "/");
        writeln!(out, "    ({rel:?}, include_str!({:?})),", file.display()).expect("a String");
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("sources.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}

fn collect_rs(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_rs(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}
