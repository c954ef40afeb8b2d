//! `may` against the shared conformance suite. One model per test binary: the
//! suite counts this process's threads, so nothing else may run beside it. may's
//! scheduler threads start in the first case and stay for the process; the suite
//! takes its thread baseline after that case.

#[test]
fn may_conforms() {
    harness::conformance::check(&cm_stackful::May);
}
