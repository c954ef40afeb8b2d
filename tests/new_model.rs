//! `new-model` end to end, in a copy of the workspace: the starter crate it writes
//! builds, passes fmt and clippy as written, grades 0 of every case, and `show`
//! prints its parts.
//!
//! Ignored by default: it builds the whole workspace afresh in its own target
//! folder (it cannot share this one, whose lock the outer cargo holds), which
//! takes minutes. CI runs it as a step of its own: `cargo test --test new_model --
//! --ignored`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{bin, stderr, stdout, temp_path};
use serde_json::Value;

/// The files of this checkout as git sees them (tracked, and new files not
/// ignored), or, without git, every file outside `target/` and `.git/`.
fn workspace_files(root: &Path) -> Vec<PathBuf> {
    let listed = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root)
        .output()
        .ok()
        .filter(|o| o.status.success());
    if let Some(out) = listed {
        return out
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| PathBuf::from(String::from_utf8_lossy(p).into_owned()))
            .collect();
    }
    let mut files = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for entry in std::fs::read_dir(root.join(&rel)).expect("read the checkout") {
            let entry = entry.expect("a readable entry");
            let name = entry.file_name();
            let path = rel.join(&name);
            if entry.path().is_dir() {
                if name != "target" && name != ".git" {
                    stack.push(path);
                }
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// Copies the checkout to `dest`; files git lists but the checkout has deleted
/// are skipped.
fn copy_workspace(root: &Path, dest: &Path) {
    for rel in workspace_files(root) {
        let from = root.join(&rel);
        if !from.is_file() {
            continue;
        }
        let to = dest.join(&rel);
        std::fs::create_dir_all(to.parent().expect("a file has a folder")).expect("mkdir");
        std::fs::copy(&from, &to).unwrap_or_else(|e| panic!("copy {}: {e}", rel.display()));
    }
}

/// Runs cargo in the copy with its own target folder; panics with its output if it
/// fails.
fn cargo(copy: &Path, target: &Path, args: &[&str]) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(args)
        .current_dir(copy)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("run cargo");
    assert!(
        out.status.success(),
        "cargo {args:?} failed in the copy:\n{}",
        stderr(&out)
    );
}

#[test]
#[ignore = "builds a copy of the workspace: minutes; CI runs it on its own"]
fn a_new_model_builds_and_grades_zero() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = temp_path("new-model");
    let copy = tmp.join("workspace");
    let target = tmp.join("target");
    copy_workspace(root, &copy);

    let made = bin()
        .args(["new-model", "mpsc", "--family", "csp"])
        .current_dir(&copy)
        .output()
        .expect("run new-model");
    assert!(made.status.success(), "{}", stderr(&made));
    assert!(stdout(&made).contains("grade mpsc"), "{}", stdout(&made));

    // As written: it builds, and passes fmt and clippy with warnings as errors.
    cargo(&copy, &target, &["build", "--offline"]);
    cargo(&copy, &target, &["fmt", "--check", "-p", "cm-mpsc"]);
    cargo(
        &copy,
        &target,
        &[
            "clippy",
            "--offline",
            "-p",
            "cm-mpsc",
            "--",
            "-D",
            "warnings",
        ],
    );

    let built = target.join("debug/concurrency-models");
    let cases = harness::conformance::plan(&Default::default()).len();
    for who in ["mpsc", "crates/mpsc"] {
        let graded = Command::new(&built)
            .args(["grade", who, "--json"])
            .current_dir(&copy)
            .output()
            .expect("run grade in the copy");
        assert_eq!(graded.status.code(), Some(1), "{}", stderr(&graded));
        let report: Value = serde_json::from_str(stdout(&graded).trim()).expect("one JSON object");
        assert_eq!(report["model"], "mpsc");
        assert_eq!(report["passed"], 0, "{report}");
        assert_eq!(report["total"], cases, "{report}");
        let details = report["cases"].as_array().expect("cases");
        assert!(
            details.iter().any(|c| c["detail"]
                .as_str()
                .unwrap_or("")
                .contains("not written yet")),
            "{report}"
        );
    }

    let shown = Command::new(&built)
        .args(["show", "ring", "--models", "mpsc", "--width", "120"])
        .current_dir(&copy)
        .output()
        .expect("run show in the copy");
    assert!(shown.status.success(), "{}", stderr(&shown));
    let table = stdout(&shown);
    for part in ["message", "task", "run", "collect"] {
        assert!(
            table.contains(&format!("── {part} ─")),
            "no part {part}:\n{table}"
        );
    }
    std::fs::remove_dir_all(&tmp).expect("remove the copy");
}
