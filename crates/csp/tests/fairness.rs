//! `crossbeam`'s fairness run, small: verified with and without yields. Lateness
//! is timing, which tests do not judge.

use std::time::Duration;

use harness::Model;
use harness::spec::FairnessSpec;

#[test]
fn hogs_and_ticker_verify_with_and_without_yields() {
    for yield_every in [0, 300] {
        let spec = FairnessSpec::new(Duration::from_millis(1), 2, 2, yield_every);
        let outcome = cm_csp::Crossbeam.fairness(&spec).expect("a run");
        assert_eq!(spec.verify(&outcome), Ok(()), "yield_every {yield_every}");
        assert!(spec.probe.phases().is_some(), "both marks made");
        assert!(
            outcome
                .hogs
                .iter()
                .all(|h| h.yields == spec.expected_yields())
        );
    }
}

#[test]
fn no_hogs_is_just_the_ticker() {
    let spec = FairnessSpec::new(Duration::from_millis(1), 0, 2, 0);
    let outcome = cm_csp::Crossbeam.fairness(&spec).expect("a run");
    assert_eq!(spec.verify(&outcome), Ok(()));
    assert_eq!(outcome.lateness_ns.len() as u64, spec.ticks);
}
