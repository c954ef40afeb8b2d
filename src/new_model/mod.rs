//! `new-model NAME --family F [--root DIR]`: a starter crate that builds and grades
//! 0 of N at once.
//!
//! It writes `crates/NAME/` (a Cargo.toml, a `lib.rs` with the `Model` impl, and one
//! file per workload with its parts' markers, each `run` answering
//! `unsupported("not written yet")`) from the templates beside this file
//! ([`files`]), and registers the crate: two lines in the root Cargo.toml, a
//! [`MODELS`] and a [`SOURCES`](concurrency_models::SOURCES) line in `src/lib.rs`.
//! Everything is checked and computed first (the name, the family, the root, the
//! edits); then [`write`] puts it in place so that a failure leaves the workspace
//! as it was.

mod files;
mod write;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use concurrency_models::MODELS;
use harness::Family;

use crate::CliError;
use crate::args::NewModelArgs;

/// The names the starter's `lib.rs` imports: a model type may not take one.
const TAKEN_TYPES: &[&str] = &[
    "Self",
    "Model",
    "Family",
    "ModelError",
    "Workload",
    "CancelOutcome",
    "CancelSpec",
    "Counted",
    "CrawlOutcome",
    "FairnessOutcome",
    "FairnessSpec",
    "CrawlSpec",
    "FanoutOutcome",
    "FanoutSpec",
    "PingPongSpec",
    "RingOutcome",
    "RingSpec",
    "ServerOutcome",
    "ServerSpec",
    "SpawnSpec",
];

pub fn new_model(args: &NewModelArgs) -> Result<ExitCode, CliError> {
    let root = args.root.clone().unwrap_or_else(|| PathBuf::from("."));
    check_root(&root, args.root.is_some()).map_err(CliError::Usage)?;
    let known: Vec<&str> = MODELS.iter().map(|m| m.name()).collect();
    let type_name = validate_name(&args.name, &known).map_err(CliError::Usage)?;
    let family: Family = args.family.parse().map_err(CliError::Usage)?;
    let plan = plan(&root, &args.name, &type_name, family).map_err(CliError::Usage)?;
    write::apply(&root, &plan, None)
        .map_err(|e| CliError::Failed(format!("new-model failed: {e}")))?;
    let cases = harness::conformance::plan(&Default::default()).len();
    println!(
        "wrote {} ({} files) and registered {} in Cargo.toml and src/lib.rs",
        plan.crate_dir.display(),
        plan.files.len(),
        args.name
    );
    println!(
        "next: cargo run -- grade {} (0/{cases} until its workloads are written)",
        args.name
    );
    Ok(ExitCode::SUCCESS)
}

/// The workspace root has the root package's manifest and registry.
fn check_root(root: &Path, given: bool) -> Result<(), String> {
    let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap_or_default();
    let ok = manifest.lines().any(|l| l.trim() == "[workspace]")
        && manifest
            .lines()
            .any(|l| l.trim() == "name = \"concurrency-models\"")
        && root.join("src/lib.rs").is_file()
        && root.join("crates").is_dir();
    match (ok, given) {
        (true, _) => Ok(()),
        (false, false) => Err(
            "new-model must run from the workspace root (the folder with the top \
             Cargo.toml, src/ and crates/): cd there, or pass --root DIR"
                .into(),
        ),
        (false, true) => Err(format!(
            "--root {} is not the concurrency-models workspace root (the folder with \
             the top Cargo.toml, src/ and crates/)",
            root.display()
        )),
    }
}

/// Checks a model name and returns the name of its type (`my-model` -> `MyModel`).
fn validate_name(name: &str, known: &[&str]) -> Result<String, String> {
    let rule = "lowercase ascii letters, digits and '-', starting with a letter";
    if name.is_empty() {
        return Err(format!("a model needs a name: {rule}"));
    }
    if name.len() > 40 {
        return Err(format!("model name '{name}' is longer than 40 characters"));
    }
    let legal = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) || !name.chars().all(legal) {
        return Err(format!("model name '{name}' is not {rule}"));
    }
    if name.ends_with('-') || name.contains("--") {
        return Err(format!(
            "model name '{name}' has a '-' at its end or two in a row"
        ));
    }
    if known.contains(&name) {
        return Err(format!("there is already a model called '{name}'"));
    }
    let type_name: String = name
        .split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    if TAKEN_TYPES.contains(&type_name.as_str()) {
        return Err(format!(
            "model name '{name}' would call its type {type_name}, a name the starter \
             code already uses; pick another"
        ));
    }
    Ok(type_name)
}

/// Everything new-model will write, computed before anything is.
#[derive(Debug)]
struct Plan {
    /// The crate's folder, relative to the root: `crates/NAME`.
    crate_dir: PathBuf,
    /// The crate's files, relative to its folder.
    files: Vec<(PathBuf, String)>,
    /// Files that exist, relative to the root, with what they hold now and after.
    edits: Vec<Edit>,
}

#[derive(Debug)]
struct Edit {
    path: PathBuf,
    old: String,
    new: String,
}

fn plan(root: &Path, name: &str, type_name: &str, family: Family) -> Result<Plan, String> {
    let crate_dir = format!("crates/{name}");
    if root.join(&crate_dir).symlink_metadata().is_ok() {
        return Err(format!(
            "{crate_dir} already exists; pick another name, or remove the folder if it \
             is a leftover"
        ));
    }
    let package = format!("cm-{name}");
    let lib_name = package.replace('-', "_");
    let files = files::crate_files(name, type_name, family);

    let read = |rel: &str| {
        fs::read_to_string(root.join(rel)).map_err(|e| format!("cannot read {rel}: {e}"))
    };
    let manifest = read("Cargo.toml")?;
    if manifest.contains(&format!("\n{package} ")) || manifest.contains(&format!("\n{package}.")) {
        return Err(format!("Cargo.toml already has a dependency {package}"));
    }
    let manifest_new = insert_in_section(
        &manifest,
        "[workspace.dependencies]",
        &format!("{package} = {{ path = \"{crate_dir}\" }}"),
    )
    .and_then(|m| insert_in_section(&m, "[dependencies]", &format!("{package}.workspace = true")))
    .ok_or(
        "Cargo.toml has no [workspace.dependencies] and [dependencies] with cm- lines to add to",
    )?;
    let lib = read("src/lib.rs")?;
    let lib_new = insert_in_list(
        &lib,
        "pub static MODELS:",
        &format!("    &{lib_name}::{type_name},"),
    )
    .and_then(|l| {
        insert_in_list(
            &l,
            "pub static SOURCES:",
            &format!("    (\"{name}\", \"{crate_dir}/src\"),"),
        )
    })
    .ok_or("src/lib.rs has no `pub static MODELS` and `pub static SOURCES` lists to add to")?;
    Ok(Plan {
        crate_dir: crate_dir.into(),
        files,
        edits: vec![
            Edit {
                path: "Cargo.toml".into(),
                old: manifest,
                new: manifest_new,
            },
            Edit {
                path: "src/lib.rs".into(),
                old: lib,
                new: lib_new,
            },
        ],
    })
}

/// `text` with `line` added after the last `cm-` line of the section headed
/// `header` (or after its `harness` line, where it has no `cm-` line yet).
fn insert_in_section(text: &str, header: &str, line: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| l.trim() == header)? + 1;
    let end = lines[start..]
        .iter()
        .position(|l| l.starts_with('['))
        .map_or(lines.len(), |k| start + k);
    let section = &lines[start..end];
    let after = section
        .iter()
        .rposition(|l| l.starts_with("cm-"))
        .or_else(|| section.iter().position(|l| l.starts_with("harness")))?;
    Some(splice(&lines, start + after + 1, line))
}

/// `text` with `line` added as the last item of the list that opens on the line
/// starting with `opening` and closes on the next `];`.
fn insert_in_list(text: &str, opening: &str, line: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| l.starts_with(opening))?;
    let close = start + lines[start..].iter().position(|l| l.trim() == "];")?;
    Some(splice(&lines, close, line))
}

fn splice(lines: &[&str], at: usize, line: &str) -> String {
    let mut out: Vec<&str> = lines.to_vec();
    out.insert(at, line);
    out.join("\n") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_before_anything_is_written() {
        let known = ["tokio", "tokio-current"];
        assert_eq!(validate_name("mpsc", &known).as_deref(), Ok("Mpsc"));
        assert_eq!(
            validate_name("my-model2", &known).as_deref(),
            Ok("MyModel2")
        );
        let refused = [
            ("", "needs a name"),
            ("Mpsc", "is not lowercase ascii"),
            ("2fast", "starting with a letter"),
            ("my_model", "is not lowercase"),
            ("café", "is not lowercase"),
            ("mpsc-", "at its end"),
            ("a--b", "two in a row"),
            ("tokio-current", "already a model called 'tokio-current'"),
            ("model", "would call its type Model"),
            ("self", "would call its type Self"),
        ];
        for (name, why) in refused {
            let err = validate_name(name, &known).expect_err(name);
            assert!(err.contains(why), "{name:?}: {err}");
        }
        let long = "a".repeat(41);
        assert!(validate_name(&long, &known).is_err());
    }

    #[test]
    fn families_are_the_harness_families() {
        assert_eq!("csp".parse::<Family>(), Ok(Family::Csp));
        let err = "threads".parse::<Family>().unwrap_err();
        assert!(err.contains("baseline, callbacks, stackless, stackful, csp, actors"));
    }
}
