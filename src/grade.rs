//! `grade MODEL|CRATE_DIR [--seed N] [--json]`: the conformance suite as a score.
//!
//! One line per case (PASS or FAIL, the case, what it requires, what happened),
//! then `score: 14/21`; exit 1 when any case fails. `--json` prints one object per
//! model instead, for a course's scripts. A crate folder grades every registered
//! model whose sources are in it.
//!
//! The suite counts the process's threads, so a process grades one model: for a
//! folder with several, this binary runs `grade <model>` once per model, as a
//! child, one report after another. A case that hangs fails at its deadline and
//! stops the suite; the hung thread cannot be joined, and ends with the process.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use concurrency_models::{MODELS, SOURCES};
use harness::Model;
use harness::conformance::{self, Finding, Options};
use serde::Serialize;

use crate::CliError;
use crate::args::GradeArgs;

pub fn grade(args: &GradeArgs) -> Result<ExitCode, CliError> {
    let models = resolve(&args.target).map_err(CliError::Usage)?;
    if let [model] = models[..] {
        return Ok(grade_here(model, args.seed, args.json));
    }
    // Several models: one child process each, so each counts only its own threads.
    let exe = std::env::current_exe()
        .map_err(|e| CliError::Failed(format!("cannot find this program to rerun it: {e}")))?;
    let mut worst = 0;
    for (k, model) in models.iter().enumerate() {
        if k > 0 && !args.json {
            println!();
        }
        // The child writes to the same stdout: ours must be out first.
        std::io::stdout().flush()?;
        let mut child = Command::new(&exe);
        child.args(["grade", model.name(), "--seed", &args.seed.to_string()]);
        if args.json {
            child.arg("--json");
        }
        let status = child.status().map_err(|e| {
            CliError::Failed(format!("could not start `grade {}`: {e}", model.name()))
        })?;
        // Killed by a signal counts as a failure.
        worst = worst.max(status.code().unwrap_or(1).clamp(0, 2));
    }
    Ok(ExitCode::from(worst as u8))
}

/// The models `target` names: a registered model, or every model whose source
/// folder is in (or holds) the folder `target`.
fn resolve(target: &str) -> Result<Vec<&'static dyn Model>, String> {
    if let Ok(model) = concurrency_models::find(target) {
        return Ok(vec![model]);
    }
    let dir = Path::new(target);
    if !dir.is_dir() {
        return Err(format!(
            "unknown model '{target}'; known models: {}; or give a model's crate folder, \
             such as crates/stackless",
            concurrency_models::names().join(", ")
        ));
    }
    let found = models_in(dir)?;
    if !found.is_empty() {
        return Ok(found);
    }
    if dir.join("Cargo.toml").is_file() {
        Err(format!(
            "{target} holds no registered model: register it in src/lib.rs (a MODELS \
             line and a SOURCES line; `new-model NAME --family F` writes both) and rebuild"
        ))
    } else {
        Err(format!(
            "{target} is neither a registered model nor a crate folder (no Cargo.toml)"
        ))
    }
}

/// The registered models whose source folder is `dir`, inside it or around it, in
/// registry order.
fn models_in(dir: &Path) -> Result<Vec<&'static dyn Model>, String> {
    let dir = dir
        .canonicalize()
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let Some(root) = workspace_root(&dir) else {
        return Err(format!(
            "{} is not inside a workspace (no Cargo.toml with [workspace] above it)",
            dir.display()
        ));
    };
    // Inside the root by construction, so the prefix is there to strip.
    let rel = dir.strip_prefix(&root).unwrap_or(&dir).to_owned();
    Ok(MODELS
        .iter()
        .copied()
        .filter(|m| {
            SOURCES.iter().any(|(name, src)| {
                let src = Path::new(src);
                *name == m.name() && (src.starts_with(&rel) || rel.starts_with(src))
            })
        })
        .collect())
}

/// The nearest folder at or above `dir` whose Cargo.toml declares a workspace.
fn workspace_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| {
            std::fs::read_to_string(d.join("Cargo.toml"))
                .is_ok_and(|t| t.lines().any(|l| l.trim() == "[workspace]"))
        })
        .map(Path::to_owned)
}

/// One case as `--json` prints it.
#[derive(Debug, Serialize)]
struct CaseJson<'a> {
    case: &'a str,
    expected: &'a str,
    passed: bool,
    detail: String,
}

/// One model's report as `--json` prints it.
#[derive(Debug, Serialize)]
struct ReportJson<'a> {
    model: &'a str,
    seed: u64,
    passed: usize,
    total: usize,
    cases: Vec<CaseJson<'a>>,
}

/// Grades `model` in this process, printing as the cases end.
fn grade_here(model: &'static dyn Model, seed: u64, json: bool) -> ExitCode {
    let options = Options::seed(seed);
    let total = conformance::plan(&options).len();
    if !json {
        println!(
            "grading {} ({}), seed {seed}: {total} cases",
            model.name(),
            model.family().name()
        );
    }
    let started = Instant::now();
    let findings = conformance::run_each(model, &options, |f| {
        if !json {
            println!("{}", line(f));
            // Each line as it comes: a slow case should not hide the ones before.
            let _ = std::io::stdout().flush();
        }
    });
    let passed = findings.iter().filter(|f| f.passed()).count();
    if json {
        let report = ReportJson {
            model: model.name(),
            seed,
            passed,
            total: findings.len(),
            cases: findings
                .iter()
                .map(|f| CaseJson {
                    case: &f.case,
                    expected: &f.expected,
                    passed: f.passed(),
                    detail: detail(f),
                })
                .collect(),
        };
        // A struct of strings and numbers always serialises.
        println!("{}", serde_json::to_string(&report).expect("plain data"));
    } else {
        println!(
            "score: {passed}/{} for {} (seed {seed}, {:.1} s)",
            findings.len(),
            model.name(),
            started.elapsed().as_secs_f64()
        );
    }
    if passed == findings.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `PASS  case | expected: ... | got: ...`, on one line whatever the model said.
fn line(f: &Finding) -> String {
    let mark = match (f.ran, f.passed()) {
        (_, true) => "PASS",
        (true, false) => "FAIL",
        (false, false) => "SKIP",
    };
    format!(
        "{mark}  {} | expected: {} | got: {}",
        f.case,
        f.expected,
        detail(f)
    )
}

/// What happened, on one line: a model's panic message may have several.
fn detail(f: &Finding) -> String {
    let text = match &f.result {
        Ok(()) => format!("as expected, in {:.2} s", f.elapsed.as_secs_f64()),
        Err(e) => e.clone(),
    };
    text.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crate_folder_names_its_models_in_registry_order() {
        let root = env!("CARGO_MANIFEST_DIR");
        let names = |dir: &str| -> Vec<&str> {
            models_in(&Path::new(root).join(dir))
                .expect("a folder of this workspace")
                .iter()
                .map(|m| m.name())
                .collect()
        };
        assert_eq!(names("crates/stackless"), ["tokio", "tokio-current"]);
        assert_eq!(names("crates/baseline"), ["sequential", "threads"]);
        assert_eq!(names("crates/baseline/src/threads"), ["threads"]);
        assert!(names("crates/harness").is_empty());
    }

    #[test]
    fn every_line_is_one_line() {
        let f = Finding {
            case: "ring, 2 tasks, 1 hops".into(),
            expected: "the token ends at task 2".into(),
            result: Err("panicked: two\nlines".into()),
            ran: true,
            elapsed: std::time::Duration::ZERO,
        };
        assert_eq!(
            line(&f),
            "FAIL  ring, 2 tasks, 1 hops | expected: the token ends at task 2 | got: \
             panicked: two / lines"
        );
    }
}
