//! `report A B`: two results folders side by side, keyed by their fingerprints,
//! with each model's ratio between the runs, in the terminal and in a new
//! report.html. The second folder is made to look like another machine (its
//! fingerprint rewritten), as a laptop's and a server's results would differ.

mod common;

use std::path::{Path, PathBuf};

use common::{bin, results_folder, run, stderr, stdout, temp_path};
use serde_json::Value;

/// A tiny ring compare into its own folder.
fn tiny_run(name: &str) -> PathBuf {
    let out = temp_path(name);
    let o = run(&[
        "compare",
        "--workload",
        "ring",
        "--models",
        "threads,tokio",
        "--tasks",
        "3",
        "--hops",
        "10",
        "--runs",
        "3",
        "--min-runs",
        "1",
        "--warmup",
        "0",
        "--seed",
        "3",
        "--out",
        &out.display().to_string(),
    ]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    results_folder(&out)
}

/// Rewrites a results folder's fingerprint: another CPU, core count and commit.
fn pretend_other_machine(dir: &Path) {
    let file = dir.join("results.json");
    let mut rows: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    for row in rows.as_array_mut().unwrap() {
        let m = &mut row["machine"];
        m["cpu"] = "Big Server CPU".into();
        m["cores"] = 64.into();
        m["context"]["commit"] = "abcdef123456".into();
    }
    std::fs::write(&file, serde_json::to_string(&rows).unwrap()).unwrap();
}

#[test]
fn two_runs_side_by_side_with_ratios() {
    let a = tiny_run("multi-a");
    let b = tiny_run("multi-b");
    pretend_other_machine(&b);
    let out = temp_path("multi-out");
    let o = bin()
        .arg("report")
        .arg(&a)
        .arg(&b)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let text = stdout(&o);
    assert!(o.status.success(), "{text}{}", stderr(&o));
    // Both fingerprints, in order.
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("run 1: ") && first.contains(&a.display().to_string()),
        "{text}"
    );
    assert!(text.contains("run 2: Big Server CPU · 64 cores"), "{text}");
    assert!(text.contains("commit abcdef123456"), "{text}");
    // One table for the ring, a column per run, every model in it with a ratio.
    assert!(text.contains("ring (hops=10, tasks=3)"), "{text}");
    assert!(text.contains("run 1") && text.contains("run 2"), "{text}");
    for model in ["threads", "tokio"] {
        let line = text
            .lines()
            .find(|l| l.contains(&format!(" {model} ")))
            .unwrap_or_else(|| panic!("no {model} line: {text}"));
        assert!(line.contains("×"), "run 2 has no ratio to run 1: {line}");
    }
    assert!(text.contains("Kendall's tau"), "{text}");
    let page = out.join("report.html");
    assert_eq!(
        text.lines().last().unwrap_or_default(),
        format!("report: {}", page.display())
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("Big Server CPU · 64 cores") && html.contains("data-run=\"2\""));
    assert!(html.contains("data-workload=\"ring\"") && html.contains("id=\"legend\""));
    assert!(
        html.contains("<svg") && html.contains("tokio · run 2"),
        "the chart names each run"
    );
    // Without --out, the combined report goes beside the first folder.
    let o = bin().arg("report").arg(&a).arg(&b).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let last = stdout(&o).lines().last().unwrap_or_default().to_owned();
    let beside = a.parent().unwrap().join("multi-");
    assert!(
        last.starts_with(&format!("report: {}", beside.display())),
        "{last}"
    );
    for dir in [a.parent().unwrap(), b.parent().unwrap(), &out] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn a_folder_without_results_is_one_clear_line() {
    let empty = temp_path("multi-empty");
    std::fs::create_dir_all(&empty).unwrap();
    let o = bin()
        .arg("report")
        .arg(&empty)
        .arg(&empty)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("results.json"), "{err}");
    let _ = std::fs::remove_dir_all(&empty);
}
