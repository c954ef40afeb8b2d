//! What the end-to-end test files share: running the built binary, reading what it
//! printed and wrote, and the one-line-error contract for bad input.
//!
//! Each test file is its own binary and uses only some of these, hence the
//! `dead_code` allowance (the usual shape of a `tests/common` module).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The CLI as cargo built it for these tests.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_concurrency-models"))
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run the CLI")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Bad input: exit 2 and exactly one line on stderr, no panic, no backtrace.
pub fn assert_usage_error(args: &[&str], needle: &str) {
    let out = run(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(
        err.lines().count(),
        1,
        "{args:?} printed more than one line: {err}"
    );
    assert!(err.contains(needle), "{args:?}: {err:?} lacks {needle:?}");
    assert!(!err.contains("panicked"), "{err}");
}

/// A fresh path under the temp folder, unique to this test process, with nothing
/// left at it from an earlier run.
pub fn temp_path(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("cm-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&path);
    let _ = std::fs::remove_file(&path);
    path
}

/// The one `<stamp>/` folder a `compare --out dir` wrote.
pub fn results_folder(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir)
        .expect("compare wrote its --out folder")
        .next()
        .expect("a results folder")
        .expect("a readable entry")
        .path()
}

/// The rows of a `results.json`.
pub fn rows(results_json: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(results_json).expect("read results.json");
    let rows: Value = serde_json::from_str(&text).expect("results.json is JSON");
    rows.as_array()
        .expect("results.json is a list of rows")
        .clone()
}
