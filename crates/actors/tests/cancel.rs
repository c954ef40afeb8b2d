//! The actix cancel against the in-process delay server: every request in flight,
//! then all stopped at once, each reporting `Cancelled`, and the server sees every
//! connection close.

use std::time::Duration;

use harness::Model;
use harness::server::{self, ServerConfig};
use harness::spec::{CancelSpec, RequestEnd};

#[test]
fn every_request_is_cancelled_and_closed() {
    let delay = server::spawn(ServerConfig::default()).expect("the delay server");
    for threads in [1, 3] {
        let mut spec = CancelSpec::new(delay.addr(), 6, 60_000, Duration::from_millis(100));
        spec.threads = threads;
        let outcome = cm_actors::Actix.cancel(&spec).expect("the cancel runs");
        spec.verify(&outcome)
            .expect("every request ended cancelled");
        assert!(outcome.ends.iter().all(|e| *e == RequestEnd::Cancelled));
        assert!(spec.cancelled_at().is_some());
        assert_eq!(spec.probe.alive_now(), 0, "no request outlived the run");
        assert!(spec.probe.phases().is_some(), "the run marked its phase");
    }
}

#[test]
fn a_request_that_fails_first_reports_its_failure() {
    // Nothing listens on port 1: each request fails before the cancel.
    let spec = CancelSpec::new(
        "127.0.0.1:1".parse().unwrap(),
        2,
        0,
        Duration::from_millis(20),
    );
    let outcome = cm_actors::Actix.cancel(&spec).expect("the cancel runs");
    assert!(
        outcome
            .ends
            .iter()
            .all(|e| matches!(e, RequestEnd::Failed(_))),
        "{:?}",
        outcome.ends
    );
    assert!(spec.verify(&outcome).is_err());
}
