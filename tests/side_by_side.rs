//! Side by side: every model's workload file has its workload's parts, `show` lays
//! two of them out with the steps that match on one row, and the code quoted in
//! the workload pages is still the code in the files.

mod common;

use std::path::Path;

use common::{assert_usage_error, run, stdout};
use concurrency_models::source::{self, check_parts};
use harness::spec::Workload;

#[test]
fn every_model_file_has_its_workloads_parts_in_order() {
    let mut wrong = Vec::new();
    for model in concurrency_models::names() {
        for w in Workload::ALL {
            let (path, text) = source::workload_file(model, w).expect("embedded");
            if let Some(problem) = check_parts(w, text) {
                wrong.push(format!("{path}: {problem}"));
            }
        }
    }
    wrong.dedup(); // tokio and tokio-current share their files
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The rows of a `show` table that hold `needle` in the column at `col`.
fn rows_with<'a>(table: &'a str, col: usize, needle: &str) -> Vec<&'a str> {
    table
        .lines()
        .filter(|l| l.split(" │ ").nth(col).is_some_and(|c| c.contains(needle)))
        .collect()
}

#[test]
fn show_puts_tokios_awaited_read_and_mays_blocking_read_on_one_row() {
    let out = run(&["show", "crawl", "--models", "tokio,may", "--width", "200"]);
    assert!(out.status.success());
    let table = stdout(&out);
    let mut heads = table.lines().next().expect("a head row").split(" │ ");
    assert_eq!(heads.next().map(str::trim), Some("tokio"));
    assert_eq!(heads.next().map(str::trim), Some("may"));
    let reads = rows_with(&table, 1, "stream.read(&mut buf)");
    assert_eq!(reads.len(), 1, "may reads in one place:\n{table}");
    assert!(
        reads[0]
            .split(" │ ")
            .next()
            .is_some_and(|c| c.contains("try_read(&mut buf)")),
        "tokio's read is not beside may's: {}\n{table}",
        reads[0]
    );
    assert!(table.contains("── fetch ─"), "the fetch part is ruled off");
}

#[test]
fn show_fits_the_width_it_is_given() {
    for width in [80, 123, 200] {
        let models = "threads,tokio,may";
        let out = run(&[
            "show",
            "ring",
            "--models",
            models,
            "--width",
            &width.to_string(),
        ]);
        let table = stdout(&out);
        let widest = table.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(widest <= width, "{widest} columns at --width {width}");
        assert_eq!(
            table.lines().next().map(|l| l.matches(" │ ").count()),
            Some(2)
        );
    }
}

#[test]
fn show_refuses_what_it_cannot_show_with_one_line() {
    assert_usage_error(&["show", "crawwl"], "unknown workload 'crawwl'");
    assert_usage_error(
        &["show", "ring", "--models", "tokio,nosuch"],
        "unknown model 'nosuch'",
    );
}

// ## The workload pages' excerpts

/// An excerpt in a workload page: a ```rust block whose first line is
/// `// <path of a source file>`, quoting lines of that file in order. A line that
/// is only `// ...` stands for lines left out.
#[derive(Debug)]
struct Excerpt {
    page: String,
    path: String,
    lines: Vec<String>,
}

fn excerpts(page: &Path) -> Vec<Excerpt> {
    let text = std::fs::read_to_string(page).expect("read the page");
    let mut found = Vec::new();
    let mut block: Option<Vec<&str>> = None;
    for line in text.lines() {
        match (&mut block, line.trim()) {
            (None, "```rust") => block = Some(Vec::new()),
            (Some(lines), "```") => {
                if let Some(path) = lines.first().and_then(|l| l.strip_prefix("// ")) {
                    if path.starts_with("crates/") {
                        found.push(Excerpt {
                            page: page.display().to_string(),
                            path: path.trim().to_owned(),
                            lines: lines[1..].iter().map(|l| l.trim().to_owned()).collect(),
                        });
                    }
                }
                block = None;
            }
            (Some(lines), _) => lines.push(line),
            (None, _) => {}
        }
    }
    found
}

/// Where `excerpt` stops matching its file, if it does.
fn mismatch(excerpt: &Excerpt, file: &str) -> Option<String> {
    let mut file_lines = file.lines().map(str::trim);
    for quoted in &excerpt.lines {
        if quoted.is_empty() || quoted == "// ..." {
            continue;
        }
        if !file_lines.any(|l| l == quoted) {
            return Some(format!(
                "{}: `{quoted}` is not in {} (or not in this order)",
                excerpt.page, excerpt.path
            ));
        }
    }
    None
}

fn pages() -> Vec<(Workload, std::path::PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    Workload::ALL
        .into_iter()
        .map(|w| {
            (
                w,
                root.join("docs/workloads").join(format!("{}.md", w.name())),
            )
        })
        .collect()
}

/// The models the workload pages document: the project's own. A model a student
/// adds with `new-model` is registered too, and must not fail this test until it
/// has an excerpt.
const DOCUMENTED: [&str; 9] = [
    "sequential",
    "threads",
    "callbacks",
    "tokio",
    "tokio-current",
    "minirt",
    "may",
    "crossbeam",
    "actix",
];

#[test]
fn every_workload_page_quotes_every_models_file_as_it_is() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut wrong = Vec::new();
    for (w, page) in pages() {
        let found = excerpts(&page);
        for model in DOCUMENTED {
            let (path, _) = source::workload_file(model, w).expect("embedded");
            if !found.iter().any(|e| e.path == path) {
                wrong.push(format!(
                    "{}: no excerpt of {path} ({model})",
                    page.display()
                ));
            }
        }
        for excerpt in &found {
            match std::fs::read_to_string(root.join(&excerpt.path)) {
                Ok(file) => wrong.extend(mismatch(excerpt, &file)),
                Err(e) => wrong.push(format!("{}: {}: {e}", excerpt.page, excerpt.path)),
            }
            if excerpt.lines.iter().all(|l| l.is_empty() || l == "// ...") {
                wrong.push(format!(
                    "{}: an empty excerpt of {}",
                    excerpt.page, excerpt.path
                ));
            }
        }
    }
    wrong.dedup();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn an_excerpt_whose_line_was_changed_in_the_source_fails() {
    // Every excerpt checked against its file with one of its quoted lines changed,
    // as an edit of the source would: each must stop matching.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for (_, page) in pages() {
        for excerpt in excerpts(&page) {
            let file = std::fs::read_to_string(root.join(&excerpt.path)).expect("read");
            let Some(quoted) = excerpt.lines.iter().find(|l| l.len() > 8 && *l != "// ...") else {
                continue;
            };
            let edited = file
                .lines()
                .map(|l| {
                    if l.trim() == quoted {
                        format!("{l} // edited")
                    } else {
                        l.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            assert!(
                mismatch(&excerpt, &edited).is_some(),
                "{}: changing `{quoted}` in {} went unnoticed",
                excerpt.page,
                excerpt.path
            );
            checked += 1;
        }
    }
    assert!(
        checked >= Workload::ALL.len(),
        "only {checked} excerpts found"
    );
}
