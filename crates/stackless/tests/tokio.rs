//! `tokio` against the shared conformance suite. One model per test binary: the
//! suite counts this process's threads, so nothing else may run beside it.

#[test]
fn tokio_conforms() {
    harness::conformance::check(&cm_stackless::Tokio);
}
