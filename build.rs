//! Records the compiler's version for the machine fingerprint in every report.

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
}
