//! `sequential` against the shared conformance suite. One model per test binary:
//! the suite counts this process's threads, so nothing else may run beside it.
//!
//! One case is expected to be declined, not passed: spawn with more than one task.
//! The spawn rules need all `n` tasks alive at once, which a model that runs one
//! task at a time never has, so `sequential` answers `unsupported` for it (see
//! `src/sequential/spawn.rs`). Every other case must pass as it does for any model.

/// A spawn case of the suite with more than one task: "spawn, 200 tasks ...".
fn many_task_spawn(case: &str) -> bool {
    case.strip_prefix("spawn, ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse::<u64>().ok())
        .is_some_and(|n| n > 1)
}

#[test]
fn sequential_conforms() {
    let findings = harness::conformance::run(&cm_baseline::Sequential);
    let mut wrong = Vec::new();
    let mut declined = 0;
    for f in &findings {
        match (&f.result, many_task_spawn(&f.case)) {
            (Ok(()), false) => {}
            (Err(e), true) if e.starts_with("unsupported: ") && e.contains("alive at once") => {
                declined += 1;
            }
            (result, _) => wrong.push(format!("{}: {result:?}", f.case)),
        }
    }
    assert!(
        wrong.is_empty(),
        "unexpected conformance results:\n{}",
        wrong.join("\n")
    );
    assert!(
        declined >= 1,
        "the suite no longer has a many-task spawn case"
    );
}
