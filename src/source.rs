//! The models' source files, embedded when the binary is built, and the parts each
//! workload file is cut into.
//!
//! Every model's `<workload>.rs` has the same parts in the same order, each opened
//! by a line `// ## <name>` (see [`parts_of`]): `show` prints two models part by part,
//! and the tests check that every file has its workload's parts. Everything above
//! the first marker (the module docs, the `use` lines, constants) is the preamble;
//! a `#[cfg(test)]` module ends the file's shown code.

use harness::spec::Workload;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/sources.rs"));
}

/// The marker that opens a part: `// ## name` at the start of a line.
pub const MARKER: &str = "// ## ";

/// The preamble's name, for the lines above the first marker.
pub const PREAMBLE: &str = "preamble";

/// The optional last part, for a model's own helpers that are none of the roles.
pub const HELPERS: &str = "helpers";

/// The parts of each workload's file, in order.
pub fn parts_of(workload: Workload) -> &'static [&'static str] {
    match workload {
        Workload::Crawl => &["fetch", "worker", "run", "collect"],
        Workload::PingPong => &["message", "pong", "ping", "run"],
        Workload::Ring => &["message", "task", "run", "collect"],
        Workload::Spawn => &["task", "run", "collect"],
        Workload::Fanout => &["worker", "run", "produce", "collect"],
        Workload::Server => &["connection", "accept", "run"],
        Workload::Fairness => &["ticker", "hog", "run"],
        Workload::Cancel => &["request", "run", "cancel"],
    }
}

/// Where `model`'s workload files are, relative to the workspace, from
/// [`SOURCES`](crate::SOURCES).
pub fn source_dir(model: &str) -> Option<&'static str> {
    crate::SOURCES
        .iter()
        .find(|(name, _)| *name == model)
        .map(|(_, dir)| *dir)
}

/// Every embedded file, as `(path relative to the workspace, contents)`.
pub fn files() -> &'static [(&'static str, &'static str)] {
    embedded::FILES
}

/// The embedded file at `path` (relative to the workspace), if there is one.
pub fn file(path: &str) -> Option<&'static str> {
    let files = files();
    files
        .binary_search_by(|(p, _)| (*p).cmp(path))
        .ok()
        .map(|i| files[i].1)
}

/// The path and contents of `model`'s file for `workload`.
pub fn workload_file(model: &str, workload: Workload) -> Option<(String, &'static str)> {
    let path = format!("{}/{}.rs", source_dir(model)?, workload.name());
    let text = file(&path)?;
    Some((path, text))
}

/// One part of a file: its name and its lines, the marker left out and trailing
/// blank lines trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    pub name: &'a str,
    pub lines: Vec<&'a str>,
}

/// Cuts `text` into its parts, the preamble first (possibly empty); the code from
/// a top-level `#[cfg(test)]` on is left out.
pub fn parts(text: &str) -> Vec<Part<'_>> {
    let mut parts = vec![Part {
        name: PREAMBLE,
        lines: Vec::new(),
    }];
    for line in text.lines() {
        if line.starts_with("#[cfg(test)]") {
            break;
        }
        if let Some(name) = line.strip_prefix(MARKER) {
            parts.push(Part {
                name: name.trim(),
                lines: Vec::new(),
            });
        } else if let Some(part) = parts.last_mut() {
            part.lines.push(line);
        }
    }
    for part in &mut parts {
        while part.lines.last().is_some_and(|l| l.trim().is_empty()) {
            part.lines.pop();
        }
        while part.lines.first().is_some_and(|l| l.trim().is_empty()) {
            part.lines.remove(0);
        }
    }
    parts
}

/// What is wrong with the parts of a workload file: `None` when it has exactly
/// the workload's parts, in order, optionally followed by [`HELPERS`].
pub fn check_parts(workload: Workload, text: &str) -> Option<String> {
    let found: Vec<&str> = parts(text).iter().skip(1).map(|p| p.name).collect();
    let expected = parts_of(workload);
    let body = found.strip_suffix(&[HELPERS]).unwrap_or(&found);
    (body != expected).then(|| {
        format!(
            "parts {} where {} expects {} (each opened by a line `{MARKER}<name>`)",
            list(&found),
            workload.name(),
            list(expected),
        )
    })
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "//! docs\nuse x;\n\n// ## task\nfn task() {}\n\n// ## run\nfn run() {\n}\n\n#[cfg(test)]\nmod tests {}\n";

    #[test]
    fn a_file_is_cut_at_its_markers_and_its_tests_left_out() {
        let parts = parts(FILE);
        let names: Vec<_> = parts.iter().map(|p| p.name).collect();
        assert_eq!(names, ["preamble", "task", "run"]);
        assert_eq!(parts[0].lines, ["//! docs", "use x;"]);
        assert_eq!(parts[2].lines, ["fn run() {", "}"]);
    }

    #[test]
    fn parts_out_of_order_or_missing_are_named() {
        let err = check_parts(Workload::Spawn, FILE).expect("collect is missing");
        assert!(err.contains("parts task, run where spawn expects task, run, collect"));
        let good = "// ## task\n// ## run\n// ## collect\n// ## helpers\n";
        assert_eq!(check_parts(Workload::Spawn, good), None);
    }

    #[test]
    fn every_model_has_one_source_folder() {
        let mut listed: Vec<&str> = crate::SOURCES.iter().map(|(name, _)| *name).collect();
        listed.sort_unstable();
        let mut models = crate::names();
        models.sort_unstable();
        assert_eq!(listed, models, "SOURCES and MODELS name the same models");
    }

    #[test]
    fn the_build_embeds_every_model_file() {
        for model in crate::names() {
            for w in Workload::ALL {
                let (path, text) = workload_file(model, w)
                    .unwrap_or_else(|| panic!("{model} {} is not embedded", w.name()));
                let on_disk = std::fs::read_to_string(
                    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(&path),
                )
                .expect("the checkout has the file");
                assert_eq!(text, on_disk, "{path} embedded as built");
            }
        }
    }
}
