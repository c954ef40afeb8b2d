//! `may` against the shared conformance suite. One model per test binary: the
//! suite counts this process's threads, so nothing else may run beside it. may's
//! scheduler threads start in the first case and stay for the process; the suite
//! takes its thread baseline after that case.
//!
//! may's scheduler is configured once per process (its worker threads start with
//! the first run and can be neither stopped nor added to), so the model says
//! `threads_fixed_per_process`, and the suite leaves the `--threads` check to
//! `tests/threads.rs`, which starts a fresh process per count, as `compare` does.

use harness::Model;
use harness::spec::Workload;

#[test]
fn may_conforms() {
    harness::conformance::check(&cm_stackful::May);
}

#[test]
fn every_workload_names_its_primitive() {
    assert!(cm_stackful::May.threads_fixed_per_process());
    for w in Workload::ALL {
        assert!(!cm_stackful::May.primitive(w).trim().is_empty(), "{w}");
        assert!(
            cm_stackful::May.threads_in(w),
            "{w}: may's workers run every workload"
        );
    }
}
