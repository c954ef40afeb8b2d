//! The conformance suite for the `flume` model, alone in this test binary because
//! the suite counts the process's threads.

#[test]
fn conformance() {
    harness::conformance::check(&cm_flume::Flume);
}
