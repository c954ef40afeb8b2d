//! The `fairness` workload on the callbacks loop. No timing asserts: the one
//! ordering it checks is one the loop guarantees, since it never interrupts a
//! callback.

use std::net::SocketAddr;
use std::time::Duration;

use cm_callbacks::Callbacks;
use harness::Model;
use harness::cell::{CellFigures, execute};
use harness::params::{Param, Params};
use harness::spec::{FairnessSpec, HOG_ITEMS_PER_MS, Workload};

#[test]
fn hogs_that_never_yield_hold_the_ticker_until_all_are_done() {
    let spec = FairnessSpec::new(Duration::from_millis(1), 2, 2, 0);
    let outcome = Callbacks.fairness(&spec).expect("an outcome");
    spec.verify(&outcome).expect("verified");
    assert!(spec.probe.phases().is_some(), "begin and end marked");
    // Both hogs were queued before the loop's first pass, behind the ticker's
    // first step: the timer of its first sleep can fire only once both have
    // returned, whatever the machine's speed.
    let first_tick =
        outcome.ticker_started + spec.tick + Duration::from_nanos(outcome.lateness_ns[0]);
    for hog in &outcome.hogs {
        assert!(
            hog.done <= first_tick,
            "hog {} finished after the first tick",
            hog.hog
        );
        assert_eq!(hog.yields, 0);
    }
}

#[test]
fn hogs_that_yield_verify_through_the_cell() {
    let mut params = Params::new();
    for (param, v) in [
        (Param::Hogs, 2),
        (Param::HogMs, 1),
        (Param::YieldEvery, 100),
    ] {
        params.set(param, v).unwrap();
    }
    let unused: SocketAddr = "127.0.0.1:1".parse().unwrap();
    let report = execute(&Callbacks, Workload::Fairness, &params, unused);
    assert_eq!(report.error, None, "{}", report.summary);
    let Some(CellFigures::Fairness(f)) = report.figures else {
        panic!("no fairness figures: {report:?}")
    };
    // One 1 ms hog is HOG_ITEMS_PER_MS items: a yield between two chunks of 100.
    assert_eq!(f.yields_per_hog, HOG_ITEMS_PER_MS.div_ceil(100) - 1);
}
