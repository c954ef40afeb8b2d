//! Putting a [`Plan`] in place without ever leaving the workspace broken (a member
//! folder without its manifest breaks every cargo command): every file is first
//! written beside its destination (the crate in a staging folder outside
//! `crates/`, each edited file as `<file>.new-model.tmp`), then moved into place
//! with one rename each, and any failure on the way puts back what was there.
//! Nothing new-model did not write is ever written over or removed.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::Plan;

/// What [`apply`] has done so far, to undo it.
#[derive(Debug, Default)]
struct Journal {
    temps: Vec<PathBuf>,
    moved_crate: Option<PathBuf>,
    replaced: Vec<(PathBuf, String)>,
}

impl Journal {
    /// Puts back everything it records; returns what it could not.
    fn undo(self) -> Vec<String> {
        let mut left = Vec::new();
        for (path, old) in self.replaced.into_iter().rev() {
            if let Err(e) = fs::write(&path, old) {
                left.push(format!("{} (restore it: {e})", path.display()));
            }
        }
        if let Some(dir) = self.moved_crate {
            if let Err(e) = fs::remove_dir_all(&dir) {
                left.push(format!("{} (remove it: {e})", dir.display()));
            }
        }
        for temp in self.temps {
            let gone = if temp.is_dir() {
                fs::remove_dir_all(&temp)
            } else {
                fs::remove_file(&temp)
            };
            if let Err(e) = gone
                && e.kind() != io::ErrorKind::NotFound
            {
                left.push(format!("{} (remove it: {e})", temp.display()));
            }
        }
        left
    }
}

/// Writes `plan` under `root`: every file beside its destination first, then each
/// moved into place; on any failure, what was done is undone. `fail_at: Some(k)`
/// makes the `k`-th action fail instead of running, for the tests of the undo.
pub(super) fn apply(root: &Path, plan: &Plan, fail_at: Option<usize>) -> io::Result<()> {
    let mut journal = Journal::default();
    let mut actions = 0;
    let mut act = || {
        actions += 1;
        match fail_at {
            Some(k) if k + 1 == actions => {
                Err(io::Error::other(format!("action {k} failed (a test)")))
            }
            _ => Ok(()),
        }
    };
    match write_and_move(root, plan, &mut act, &mut journal) {
        Ok(()) => {
            // Only the emptied staging folder can be left; it is not in the way.
            for temp in &journal.temps {
                let _ = fs::remove_dir_all(temp);
            }
            Ok(())
        }
        Err(e) => {
            let left = journal.undo();
            if left.is_empty() {
                Err(io::Error::new(
                    e.kind(),
                    format!("{e}; nothing was changed"),
                ))
            } else {
                Err(io::Error::other(format!(
                    "{e}; and could not undo: {}",
                    left.join(", ")
                )))
            }
        }
    }
}

/// An error if something is at `path` already: new-model never writes over, or
/// cleans up, what is not its own.
fn in_the_way(path: &Path) -> io::Result<()> {
    match path.symlink_metadata() {
        Ok(_) => Err(io::Error::other(format!(
            "{} is in the way (left by an earlier new-model?): remove it",
            path.display()
        ))),
        Err(_) => Ok(()),
    }
}

fn write_and_move(
    root: &Path,
    plan: &Plan,
    act: &mut dyn FnMut() -> io::Result<()>,
    journal: &mut Journal,
) -> io::Result<()> {
    let dest = root.join(&plan.crate_dir);
    let name = plan
        .crate_dir
        .file_name()
        .unwrap_or_default()
        .to_string_lossy();
    // Outside crates/: a `crates/*` member without its manifest would break cargo.
    let staging = root.join(format!(".new-model-{name}.tmp"));
    let temps: Vec<(PathBuf, PathBuf, &String, &String)> = plan
        .edits
        .iter()
        .map(|edit| {
            let path = root.join(&edit.path);
            let mut temp = path.clone().into_os_string();
            temp.push(".new-model.tmp");
            (PathBuf::from(temp), path, &edit.old, &edit.new)
        })
        .collect();
    in_the_way(&dest)?;
    in_the_way(&staging)?;
    for (temp, ..) in &temps {
        in_the_way(temp)?;
    }

    // Write: nothing is in place yet, and nothing cargo reads has changed.
    act()?;
    fs::create_dir(&staging)?;
    journal.temps.push(staging.clone());
    for (rel, text) in &plan.files {
        act()?;
        let path = staging.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(path, text)?;
    }
    for (temp, _, _, new) in &temps {
        act()?;
        // Recorded before the write, so that a half-written one is removed too.
        journal.temps.push(temp.clone());
        fs::write(temp, new)?;
    }

    // Move into place: each a rename, which either happens or does not.
    act()?;
    in_the_way(&dest)?;
    fs::rename(&staging, &dest)?;
    journal.moved_crate = Some(dest);
    for (temp, path, old, _) in temps {
        act()?;
        fs::rename(&temp, &path)?;
        journal.replaced.push((path, old.clone()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::new_model::{check_root, plan as make_plan};
    use harness::Family;

    /// A workspace with the root manifest and registry the edits look for.
    fn fake_root(name: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("cm-new-model-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("src")).unwrap();
        fs::create_dir_all(root.join("crates/csp")).unwrap();
        fs::write(
            root.join("Cargo.toml"),
            "[workspace]\nmembers = [\".\", \"crates/*\"]\n\n[workspace.dependencies]\n\
             harness = { package = \"cm-harness\", path = \"crates/harness\" }\n\
             cm-csp = { path = \"crates/csp\" }\ntokio = \"1\"\n\n[package]\n\
             name = \"concurrency-models\"\n\n[dependencies]\nharness.workspace = true\n\
             cm-csp.workspace = true\nclap.workspace = true\n",
        )
        .unwrap();
        fs::write(
            root.join("src/lib.rs"),
            "pub static MODELS: &[&dyn Model] = &[\n    &cm_csp::Crossbeam,\n];\n\n\
             pub static SOURCES: &[(&str, &str)] = &[\n    (\"crossbeam\", \"crates/csp/src\"),\n];\n",
        )
        .unwrap();
        root
    }

    /// Every file under `dir`, with its contents, sorted by path.
    fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_owned()];
        while let Some(d) = stack.pop() {
            for entry in fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    out.push((path.clone(), Vec::new()));
                    stack.push(path);
                } else {
                    let bytes = fs::read(&path).unwrap();
                    out.push((path, bytes));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn a_plan_registers_the_model_in_both_files() {
        let root = fake_root("plan");
        check_root(&root, true).unwrap();
        let plan = make_plan(&root, "mpsc", "Mpsc", Family::Csp).unwrap();
        apply(&root, &plan, None).unwrap();
        let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap();
        assert!(manifest.contains(
            "cm-csp = { path = \"crates/csp\" }\ncm-mpsc = { path = \"crates/mpsc\" }\ntokio"
        ));
        assert!(manifest.contains("cm-csp.workspace = true\ncm-mpsc.workspace = true\nclap"));
        let lib = fs::read_to_string(root.join("src/lib.rs")).unwrap();
        assert!(lib.contains("    &cm_csp::Crossbeam,\n    &cm_mpsc::Mpsc,\n];"));
        assert!(lib.contains("    (\"mpsc\", \"crates/mpsc/src\"),\n];"));
        let crate_lib = fs::read_to_string(root.join("crates/mpsc/src/lib.rs")).unwrap();
        assert!(crate_lib.contains("pub struct Mpsc;") && crate_lib.contains("Family::Csp"));
        assert!(root.join("crates/mpsc/src/fanout.rs").is_file());
        // Nothing of the staging is left, and a second run is refused.
        let names: Vec<_> = fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(
            names.iter().all(|n| !n.to_string_lossy().contains("tmp")),
            "{names:?}"
        );
        let again = make_plan(&root, "mpsc", "Mpsc", Family::Csp).unwrap_err();
        assert!(again.contains("crates/mpsc already exists"), "{again}");
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_failure_at_any_step_leaves_the_workspace_as_it_was() {
        let root = fake_root("rollback");
        let before = snapshot(&root);
        let plan = make_plan(&root, "mpsc", "Mpsc", Family::Csp).unwrap();
        // The staging folder, 7 crate files, 2 temporary files, then 3 moves.
        let actions = 1 + plan.files.len() + 2 * plan.edits.len() + 1;
        for k in 0..actions {
            let err = apply(&root, &plan, Some(k)).unwrap_err();
            assert!(err.to_string().contains("a test"), "{err}");
            assert!(
                snapshot(&root) == before,
                "a failure at action {k} left a change"
            );
        }
        // With no failure, the same plan goes through.
        apply(&root, &plan, Some(actions)).unwrap();
        assert!(root.join("crates/mpsc/Cargo.toml").is_file());
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn what_is_in_the_way_is_left_alone() {
        let root = fake_root("in-the-way");
        let plan = make_plan(&root, "mpsc", "Mpsc", Family::Csp).unwrap();
        let blocker = root.join("src/lib.rs.new-model.tmp");
        fs::write(&blocker, "someone's file").unwrap();
        let before = snapshot(&root);
        let err = apply(&root, &plan, None).unwrap_err();
        assert!(err.to_string().contains("is in the way"), "{err}");
        assert!(snapshot(&root) == before, "the refusal changed something");
        fs::remove_dir_all(&root).unwrap();
    }
}
