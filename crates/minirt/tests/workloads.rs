//! The workloads at the edges of their protocols that the shared conformance suite
//! does not reach: a ring of one (the stop goes round to the holder itself), no
//! rounds at all, more workers than jobs; a server's tally over keep-alive,
//! pipelining and a refusal; a cancel whose requests failed before it. In a binary
//! of their own, because the suite counts its process's threads.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use cm_minirt::MiniRt;
use harness::Model;
use harness::http::{FetchError, fetch_blocking};
use harness::pages::page_path;
use harness::spec::{
    CancelSpec, FairnessSpec, FanoutSpec, PingPongSpec, RequestEnd, RingSpec, ServerSpec,
};

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

/// Writes `raw` on a fresh connection and reads until the server closes it.
fn exchange(addr: SocketAddr, raw: &str) -> String {
    let mut conn = TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    conn.write_all(raw.as_bytes()).unwrap();
    let mut answer = Vec::new();
    conn.read_to_end(&mut answer).unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn the_server_answers_keep_alive_pipelined_and_refused_requests_then_stops() {
    let spec = ServerSpec::bind(4).unwrap();
    let outcome = std::thread::scope(|s| {
        let server = s.spawn(|| MiniRt.server(&spec));
        assert!(
            spec.probe.wait_begun(Duration::from_secs(5)),
            "the server began"
        );
        let page = fetch_blocking(spec.addr, &page_path(1, 5, 100), Duration::from_secs(5));
        assert_eq!(page.map(|p| (p.status, p.bytes)), Ok((200, 100)));
        // Two requests in one write: the second is answered after the first, on the
        // same connection, which closes after it as asked.
        let one = format!("GET {} HTTP/1.1\r\nHost: x\r\n\r\n", page_path(2, 1, 10));
        let two = format!(
            "GET {} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            page_path(3, 1, 10)
        );
        let both = exchange(spec.addr, &format!("{one}{two}"));
        assert_eq!(both.matches("HTTP/1.1 200 OK").count(), 2, "{both}");
        let refused = exchange(spec.addr, "GET /nowhere HTTP/1.1\r\n\r\n");
        assert!(refused.starts_with("HTTP/1.1 404"), "{refused}");
        spec.stop.stop();
        server.join().unwrap()
    })
    .unwrap();
    assert_eq!(
        (outcome.answered, outcome.refused, outcome.dropped),
        (3, 1, 0)
    );
    assert!(outcome.accepted >= 3, "{outcome:?}");
    assert!(
        spec.probe.phases().is_some(),
        "the measured phase was marked"
    );
    assert_eq!(spec.probe.alive_now(), 0, "every connection closed");
}

#[test]
fn fairness_counts_a_yield_between_every_two_chunks() {
    for yield_every in [0, 100] {
        let spec = FairnessSpec {
            hog_items: 1_000,
            ..FairnessSpec::new(Duration::from_millis(1), 3, 1, yield_every)
        };
        let outcome = MiniRt.fairness(&spec).unwrap();
        spec.verify(&outcome).unwrap();
        assert!(
            outcome
                .hogs
                .iter()
                .all(|h| h.yields == spec.expected_yields())
        );
    }
}

#[test]
fn a_cancel_reports_requests_that_failed_before_it_as_failed() {
    // Nothing listens at `dead`: every request fails at connect, long before the
    // cancel, and keeps that end; `abort` on a finished task changes nothing.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap();
    let spec = CancelSpec::new(dead, 3, 60_000, Duration::from_millis(50));
    let outcome = MiniRt.cancel(&spec).unwrap();
    assert_eq!(outcome.ends.len(), 3);
    for end in &outcome.ends {
        assert!(
            matches!(end, RequestEnd::Failed(FetchError::Connect(_))),
            "{end:?}"
        );
    }
    assert!(spec.cancelled_at().is_some(), "the cancel was marked");
    assert_eq!(spec.probe.alive_now(), 0);
}
