//! The workloads at the edges of their protocols that the shared conformance suite
//! does not reach: a ring of one (the stop goes round to the holder itself), no
//! rounds at all, and more workers than jobs. In a binary of their own, because the
//! suite counts its process's threads.

use cm_minirt::MiniRt;
use harness::Model;
use harness::spec::{FanoutSpec, PingPongSpec, RingSpec};

#[test]
fn a_ring_of_one_passes_the_token_and_the_stop_to_itself() {
    let spec = RingSpec::new(1, 5);
    let outcome = MiniRt.ring(&spec).unwrap();
    spec.verify(&outcome).unwrap();
    assert!(
        spec.probe.phases().is_some(),
        "the measured phase was marked"
    );
}

#[test]
fn pingpong_of_no_rounds_still_stops_pong() {
    let spec = PingPongSpec::new(0);
    let outcome = MiniRt.pingpong(&spec).unwrap();
    spec.verify(&outcome).unwrap();
}

#[test]
fn fanout_with_more_workers_than_jobs_sends_one_result_each() {
    let mut spec = FanoutSpec::new(10, 5);
    spec.batch = 4; // three jobs for five workers: two get none and still report
    let outcome = MiniRt.fanout(&spec).unwrap();
    assert_eq!((outcome.job_messages, outcome.result_messages), (3, 5));
    spec.verify(&outcome).unwrap();
    assert!(
        MiniRt.fanout(&FanoutSpec::new(10, 0)).is_err(),
        "no workers"
    );
}
