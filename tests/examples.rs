//! Every example under `crates/*/examples` runs, and prints the line it promises.
//!
//! The examples are the steps of the tour (`docs/tour.md`). Each one ends by
//! printing a line that is the same on every run (timings go on the lines before
//! it), and [`EXPECTED`] holds that line for every example in the tree: a new
//! example without an entry fails [`every_example_has_an_expected_line`], an entry
//! whose example is gone fails it too.
//!
//! Cargo puts examples beside the tests: this binary is
//! `target/<profile>/deps/examples-<hash>`, the examples are
//! `target/<profile>/examples/<name>`. `cargo test` from the root builds them all
//! (the workspace's default members are every crate); `cargo test --test examples`
//! builds none, and an example edited since the last build would run stale. So the
//! test first runs `cargo build --workspace --examples` for its own profile, which
//! takes a moment when they are fresh, and then runs them all at once: they mostly
//! wait on timers and sockets, so together they take about as long as the slowest.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// `(crate folder, example, the last line it prints)`, in tour order.
const EXPECTED: &[(&str, &str, &str)] = &[
    (
        "minirt",
        "1_blocking_chain",
        "results [2, 2]: 600 ms of waits took at least 600 ms",
    ),
    (
        "minirt",
        "2_state_machine",
        "results [2, 2]: 600 ms of waits took under 600 ms, on one thread",
    ),
    (
        "minirt",
        "3_await_delegation",
        "result 2 (the Ready value, as StopIteration.value)",
    ),
    (
        "minirt",
        "4_waker_executor",
        "finished in the order [\"task-2\", \"task-1\"] after 4 polls: each task polled once \
         to start and once when its timer woke it",
    ),
    (
        "minirt",
        "5_send_slot",
        "sent 1 then 2 through the slot: Ready(3) after 4 polls and 2 wakes",
    ),
    (
        "minirt",
        "6_event_loop",
        "finished in the order [\"task-2\", \"task-3\", \"task-1\"], the thread's result \
         Some(42); 600 ms of waits took under 600 ms",
    ),
    (
        "minirt",
        "7_crawler",
        "10 of 10 pages 200 OK with the right body; their 1 s waits overlapped",
    ),
    (
        "minirt",
        "8_crawler_workers",
        "12 of 12 pages found from /page/0 fetched right by 3 workers, at most 3 requests \
         in flight",
    ),
    (
        "stackful",
        "9_green_fetch",
        "10 of 10 pages right from 10 coroutines; their 300 ms waits overlapped",
    ),
    (
        "csp",
        "10_select_timeout",
        "answers [\"fast\"] before the 200 ms deadline; gave up on the 400 ms server",
    ),
    (
        "actors",
        "11_supervisor",
        "restarts: 1; total 3 before the crash, 5 after it, through the same address",
    ),
];

/// Longer than any example takes by far (each is well under 2 s); past it the
/// example is killed and reported as hung.
const HANG: Duration = Duration::from_secs(60);

/// The workspace root: this package's manifest folder.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every example in the source tree as `(crate folder, example name)`: each
/// `crates/<crate>/examples/<name>.rs`, and each `examples/<name>/main.rs`.
fn examples_in_tree() -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    let crates = root().join("crates");
    for krate in std::fs::read_dir(&crates).expect("crates/ is readable") {
        let krate = krate.expect("crates/ lists");
        let examples = krate.path().join("examples");
        let Ok(entries) = std::fs::read_dir(&examples) else {
            continue;
        };
        let krate = krate.file_name().to_string_lossy().into_owned();
        for entry in entries {
            let path = entry.expect("examples/ lists").path();
            let name = if path.extension().is_some_and(|e| e == "rs") {
                path.file_stem()
            } else if path.join("main.rs").is_file() {
                path.file_name()
            } else {
                None
            };
            if let Some(name) = name {
                found.insert((krate.clone(), name.to_string_lossy().into_owned()));
            }
        }
    }
    found
}

fn expected() -> BTreeSet<(String, String)> {
    EXPECTED
        .iter()
        .map(|&(krate, name, _)| (krate.to_owned(), name.to_owned()))
        .collect()
}

#[test]
fn every_example_has_an_expected_line() {
    let tree = examples_in_tree();
    let listed = expected();
    let mut problems = Vec::new();
    for (krate, name) in tree.difference(&listed) {
        problems.push(format!(
            "crates/{krate}/examples/{name}.rs has no entry in EXPECTED in tests/examples.rs: \
             add (\"{krate}\", \"{name}\", <the last line it prints>), and make that line the \
             same on every run"
        ));
    }
    for (krate, name) in listed.difference(&tree) {
        problems.push(format!(
            "EXPECTED in tests/examples.rs lists {krate}/{name}, but there is no \
             crates/{krate}/examples/{name}.rs: remove or rename the entry"
        ));
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

/// `target/<profile>`, where this test binary and the examples are built.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its own path");
    // target/<profile>/deps/examples-<hash>
    exe.parent()
        .and_then(Path::parent)
        .expect("the test binary lives in target/<profile>/deps")
        .to_path_buf()
}

/// `cargo build --workspace --examples` for this binary's profile and target folder.
fn build_examples(profile_dir: &Path) {
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => "dev",
        Some(other) => other,
    };
    let target_dir = profile_dir.parent().expect("target/<profile> has a parent");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "--workspace", "--examples", "--quiet", "--profile"])
        .arg(profile)
        .arg("--manifest-path")
        .arg(root().join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir)
        .stdin(Stdio::null())
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo build --workspace --examples failed, so the examples cannot run:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What one example did.
struct Run {
    status: Result<std::process::ExitStatus, String>,
    stdout: String,
    stderr: String,
    took: Duration,
}

/// Runs `binary`, killing it after [`HANG`].
fn run(binary: &Path) -> Run {
    let start = Instant::now();
    let child = Command::new(binary)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            return Run {
                status: Err(format!("could not start: {e}")),
                stdout: String::new(),
                stderr: String::new(),
                took: start.elapsed(),
            };
        }
    };
    // Read on threads of their own, so a chatty example never fills a pipe and stalls.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_string(&mut text);
            }
            text
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if start.elapsed() > HANG => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!("still running after {HANG:?}: killed"));
            }
            Ok(None) => thread::sleep(Duration::from_millis(10)),
            Err(e) => break Err(format!("could not wait for it: {e}")),
        }
    };
    Run {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        took: start.elapsed(),
    }
}

/// What is wrong with one example's run, if anything.
fn check(binary: &Path, want: &str, run: &Run) -> Option<String> {
    let last = run.stdout.lines().rev().find(|l| !l.trim().is_empty());
    let problem = match (&run.status, last) {
        (Err(e), _) => e.clone(),
        (Ok(status), _) if !status.success() => format!("exited with {status}"),
        (Ok(_), Some(last)) if last.trim_end() == want => return None,
        (Ok(_), Some(last)) => format!("its last line was\n    {last}\n  expected\n    {want}"),
        (Ok(_), None) => format!("printed nothing; expected the last line\n    {want}"),
    };
    Some(format!(
        "{}: {problem}\n  --- stdout\n{}  --- stderr\n{}",
        binary.display(),
        run.stdout,
        run.stderr
    ))
}

#[test]
fn every_example_prints_its_last_line() {
    let profile_dir = profile_dir();
    build_examples(&profile_dir);
    let tree = examples_in_tree();
    let todo: Vec<_> = EXPECTED
        .iter()
        .filter(|&&(krate, name, _)| tree.contains(&(krate.to_owned(), name.to_owned())))
        .collect();
    let binaries: Vec<PathBuf> = todo
        .iter()
        .map(|&&(_, name, _)| {
            profile_dir
                .join("examples")
                .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
        })
        .collect();
    let missing: Vec<String> = binaries
        .iter()
        .filter(|b| !b.is_file())
        .map(|b| {
            format!(
                "{} is missing: build the examples with `cargo build --workspace --examples` \
                 (`cargo test` from the root builds them)",
                b.display()
            )
        })
        .collect();
    assert!(missing.is_empty(), "\n{}\n", missing.join("\n"));

    let runs: Vec<Run> = thread::scope(|s| {
        let handles: Vec<_> = binaries.iter().map(|b| s.spawn(|| run(b))).collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("running an example does not panic"))
            .collect()
    });
    let mut failures = Vec::new();
    for ((&&(krate, name, want), binary), run) in todo.iter().zip(&binaries).zip(&runs) {
        println!("{krate}/{name}: {:.2?}", run.took);
        failures.extend(check(binary, want, run));
    }
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n\n"));
}
