//! `sequential` against the shared conformance suite. One model per test binary:
//! the suite counts this process's threads, so nothing else may run beside it.
//!
//! `sequential` is the one model that says it is not concurrent
//! (`Model::concurrent` is false), and the suite's answer to that is exact:
//!
//! - the two concurrency cases fail, each saying what the model did not do and
//!   that it says it is not concurrent: the server saw one request in flight where
//!   the case needs `concurrency`, and the model declined to have `n` tasks alive at
//!   once;
//! - the many-task spawn case is declined, not passed: the spawn rules need all `n`
//!   tasks alive at once, which one task at a time never has, so `sequential`
//!   answers `unsupported` for it (see `src/sequential/spawn.rs`);
//! - every other case passes, as it does for any model.

/// A spawn case of the suite with more than one task: "spawn, 200 tasks ...".
fn many_task_spawn(case: &str) -> bool {
    case.strip_prefix("spawn, ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse::<u64>().ok())
        .is_some_and(|n| n > 1)
}

#[test]
fn sequential_fails_exactly_the_cases_that_need_concurrency() {
    let findings = harness::conformance::run(&cm_baseline::Sequential);
    let mut wrong = Vec::new();
    let (mut declined, mut not_concurrent) = (0, 0);
    for f in &findings {
        let case = f.case.as_str();
        match &f.result {
            Err(e) if case.starts_with("concurrency: crawl") => {
                let did_not = "the server saw at most 1 request in flight at once; a \
                               concurrent model must have 6";
                if e.contains(did_not) && e.contains("the model says it is not concurrent") {
                    not_concurrent += 1;
                } else {
                    wrong.push(format!("{case}: {e}"));
                }
            }
            Err(e) if case.starts_with("concurrency: spawn") => {
                if e.contains("did not run 100 tasks at once: unsupported: ")
                    && e.contains("the model says it is not concurrent")
                {
                    not_concurrent += 1;
                } else {
                    wrong.push(format!("{case}: {e}"));
                }
            }
            Err(e) if many_task_spawn(case) => {
                if e.starts_with("unsupported: ") && e.contains("alive at once") {
                    declined += 1;
                } else {
                    wrong.push(format!("{case}: {e}"));
                }
            }
            Ok(()) if !case.starts_with("concurrency: ") && !many_task_spawn(case) => {}
            result => wrong.push(format!("{case}: {result:?}")),
        }
    }
    assert!(
        wrong.is_empty(),
        "unexpected conformance results:\n{}",
        wrong.join("\n")
    );
    assert_eq!(not_concurrent, 2, "the suite has two concurrency cases");
    assert!(
        declined >= 1,
        "the suite no longer has a many-task spawn case"
    );
}
