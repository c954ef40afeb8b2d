//! `minirt` against the shared conformance suite (fault matrix included). One model
//! per test binary: the suite counts this process's threads.

#[test]
fn minirt_conforms() {
    harness::conformance::check(&cm_minirt::MiniRt);
}
