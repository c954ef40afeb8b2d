//! `sequential` against the shared conformance suite. One model per test binary:
//! the suite counts this process's threads, so nothing else may run beside it.
//!
//! `sequential` is the one model that says it is not concurrent
//! (`Model::concurrent` is false), and the suite's answer to that is exact:
//!
//! - the concurrency cases fail, each saying what the model did not do and that
//!   it says it is not concurrent: the server saw one request in flight where the
//!   crawl case needs `concurrency`; the model declined to have `n` tasks alive at
//!   once (spawn), to run a ticker beside hogs (fairness) and to have `n` requests
//!   in flight to cancel (cancel); and, as the server, it serves a slow client's
//!   connection to its end before the next;
//! - the many-task spawn case is declined, not passed: the spawn rules need all `n`
//!   tasks alive at once, which one task at a time never has, so `sequential`
//!   answers `unsupported` for it (see `src/sequential/spawn.rs`);
//! - every other case passes, as it does for any model (the hostile server case
//!   included: pipelined requests already sent are answered before the close).

/// A spawn case of the suite with more than one task: "spawn, 200 tasks ...".
fn many_task_spawn(case: &str) -> bool {
    case.strip_prefix("spawn, ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse::<u64>().ok())
        .is_some_and(|n| n > 1)
}

/// What a concurrency case's failure must say besides "not concurrent", by the
/// start of the case's name.
const NOT_DONE: [(&str, &str); 5] = [
    (
        "concurrency: crawl",
        "the server saw at most 1 request in flight at once; a concurrent model must have 6",
    ),
    (
        "concurrency: spawn",
        "did not run 100 tasks at once: unsupported: ",
    ),
    (
        "concurrency: server",
        "the page on the second connection came only after",
    ),
    (
        "concurrency: fairness",
        "unsupported: one thread runs one thing at a time",
    ),
    (
        "concurrency: cancel",
        "unsupported: one thread runs one request at a time",
    ),
];

#[test]
fn sequential_fails_exactly_the_cases_that_need_concurrency() {
    let findings = harness::conformance::run(&cm_baseline::Sequential);
    let mut wrong = Vec::new();
    let (mut declined, mut not_concurrent) = (0, 0);
    for f in &findings {
        let case = f.case.as_str();
        let need = NOT_DONE.iter().find(|(prefix, _)| case.starts_with(prefix));
        match (&f.result, need) {
            (Err(e), Some((_, did_not))) => {
                if e.contains(did_not) && e.contains("the model says it is not concurrent") {
                    not_concurrent += 1;
                } else {
                    wrong.push(format!("{case}: {e}"));
                }
            }
            // The slow-client case judges by whether the trickling thread has
            // finished when the other page arrives, and that thread sleeps 20 ms
            // after its last byte: a one-at-a-time server that answers both within
            // those 20 ms passes it. A harness race (see the crate's report), not a
            // concurrent `sequential`; make this strict once the case is fixed.
            (Ok(()), Some(("concurrency: server", _))) => {}
            (Err(e), None) if many_task_spawn(case) => {
                if e.starts_with("unsupported: ") && e.contains("alive at once") {
                    declined += 1;
                } else {
                    wrong.push(format!("{case}: {e}"));
                }
            }
            (Ok(()), None) if !case.starts_with("concurrency: ") && !many_task_spawn(case) => {}
            (result, _) => wrong.push(format!("{case}: {result:?}")),
        }
    }
    assert!(
        wrong.is_empty(),
        "unexpected conformance results:\n{}",
        wrong.join("\n")
    );
    assert!(
        (5..=6).contains(&not_concurrent),
        "the suite has six concurrency cases, five of which sequential must fail \
         ({not_concurrent} did)"
    );
    assert!(
        declined >= 1,
        "the suite no longer has a many-task spawn case"
    );
}
