//! may's fairness run, small: verified with hogs that never yield and with hogs
//! that yield every few items; and the may behaviour `fairness.rs` rests on, that
//! a coroutine woken from `coroutine::sleep` runs on may's timer thread rather than
//! on the worker it slept on. No timing is asserted.

use std::thread::{self, ThreadId};
use std::time::Duration;

use harness::Model;
use harness::spec::FairnessSpec;
use may::coroutine;

/// Three hogs of 200 items (the job is slow unoptimised: this keeps a debug run
/// short), on two workers.
fn spec(yield_every: u64) -> FairnessSpec {
    FairnessSpec {
        hog_items: 200,
        threads: 2,
        ..FairnessSpec::new(Duration::from_millis(1), 3, 1, yield_every)
    }
}

#[test]
fn hogs_that_never_yield_and_hogs_that_do_both_verify() {
    for yield_every in [0, 50] {
        let spec = spec(yield_every);
        let outcome = cm_stackful::May.fairness(&spec).expect("the run");
        assert_eq!(spec.verify(&outcome), Ok(()), "--yield-every {yield_every}");
        let yields: Vec<u64> = outcome.hogs.iter().map(|h| h.yields).collect();
        assert_eq!(
            yields,
            vec![spec.expected_yields(); 3],
            "--yield-every {yield_every}"
        );
        assert!(spec.probe.phases().is_some(), "begin and end marked");
    }
}

#[test]
fn a_woken_sleeper_resumes_off_the_worker_it_slept_on() {
    // Started through the model, so may is configured as the runs configure it.
    cm_stackful::May.fairness(&spec(0)).expect("the run");
    let here = || thread::current().id();
    // SAFETY: the closure reads `thread::current()`, a thread-local, on purpose,
    // after each switch, to see which thread runs it; nothing read before a
    // switch is used after it. A sleep and a yield use at most 4 KiB of may's
    // default stack.
    let handle = unsafe {
        coroutine::spawn(move || {
            let before: ThreadId = here();
            coroutine::sleep(Duration::from_millis(2));
            let woken = here();
            coroutine::yield_now();
            let yielded = here();
            (before, woken, yielded)
        })
    };
    let (before, woken, yielded) = handle.join().expect("the coroutine");
    assert_ne!(before, woken, "a sleeper resumes on may's timer thread");
    assert_ne!(woken, yielded, "a yield queues it for a worker again");
}
