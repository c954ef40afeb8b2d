//! The `fairness` workload in both baseline models, through the harness's cell
//! (which verifies sums, yields, ticks and overlap). No timing asserts.

use std::net::SocketAddr;

use harness::Model;
use harness::cell::{CellFigures, execute};
use harness::params::{Param, Params};
use harness::spec::{HOG_ITEMS_PER_MS, Workload};

fn params(hogs: u64, yield_every: u64) -> Params {
    let mut p = Params::new();
    for (param, v) in [
        (Param::Hogs, hogs),
        (Param::HogMs, 1),
        (Param::YieldEvery, yield_every),
    ] {
        p.set(param, v).unwrap();
    }
    p
}

fn run(model: &dyn Model, params: &Params) -> harness::cell::CellReport {
    let unused: SocketAddr = "127.0.0.1:1".parse().unwrap();
    execute(model, Workload::Fairness, params, unused)
}

#[test]
fn threads_hogs_with_and_without_yields_verify() {
    for yield_every in [0, 100] {
        let report = run(&cm_baseline::Threads, &params(2, yield_every));
        assert_eq!(
            report.error, None,
            "yield_every {yield_every}: {}",
            report.summary
        );
        let Some(CellFigures::Fairness(f)) = report.figures else {
            panic!("no fairness figures: {report:?}")
        };
        // One 1 ms hog is HOG_ITEMS_PER_MS items, a yield between two chunks.
        let want = if yield_every == 0 {
            0
        } else {
            HOG_ITEMS_PER_MS.div_ceil(yield_every) - 1
        };
        assert_eq!(f.yields_per_hog, want);
    }
}

#[test]
fn sequential_declines_hogs_and_ticks_alone() {
    let report = run(&cm_baseline::Sequential, &params(2, 0));
    let error = report.error.unwrap_or_default();
    assert!(error.starts_with("unsupported: "), "{error}");
    assert!(error.contains("cannot run while a hog runs"), "{error}");
    let report = run(&cm_baseline::Sequential, &params(0, 0));
    assert_eq!(report.error, None, "{}", report.summary);
}
