//! `crossbeam`'s cancel against the in-process delay server. One test in this
//! binary: the cell counts this process's threads and sockets, so nothing else may
//! run beside it.

use std::time::Duration;

use harness::Model;
use harness::params::{Param, Params};
use harness::server::{self, ServerConfig};
use harness::spec::{CancelSpec, RequestEnd, Workload};

#[test]
fn every_request_ends_cancelled_and_nothing_is_left() {
    let server = server::spawn(ServerConfig::default()).expect("start the delay server");
    // The model alone: every end Cancelled, all in flight at once.
    let spec = CancelSpec::new(server.addr(), 6, 60_000, Duration::from_millis(100));
    let outcome = cm_csp::Crossbeam.cancel(&spec).expect("a run");
    assert_eq!(spec.verify(&outcome), Ok(()));
    assert!(outcome.ends.iter().all(|e| *e == RequestEnd::Cancelled));
    assert!(spec.probe.phases().is_some(), "both marks made");
    assert_eq!(spec.probe.alive_now(), 0);
    // The harness's cell: the server saw every connection close, and no thread or
    // socket of the run outlived it.
    let mut params = Params::new();
    params.set(Param::N, 4).unwrap();
    params.set(Param::AfterMs, 50).unwrap();
    let report =
        harness::cell::execute(&cm_csp::Crossbeam, Workload::Cancel, &params, server.addr());
    assert!(report.verified, "{:?}", report.error);
}
