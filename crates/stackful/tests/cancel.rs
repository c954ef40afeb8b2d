//! may's cancel against the delay server: every request is parked in a read when
//! `Coroutine::cancel` reaches it, ends `Cancelled`, and leaves nothing behind: no
//! probe guard held, no socket open in this process, no connection at the server.

use std::time::{Duration, Instant};

use harness::Model;
use harness::os;
use harness::server::{self, ServerConfig};
use harness::spec::{CancelSpec, RequestEnd};

/// Polls `done` for up to two seconds: a closed socket leaves the process at
/// once, but the delay server sees its end of it a moment later.
fn settles(mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    done()
}

#[test]
fn every_request_is_cancelled_and_its_socket_closed() {
    let server = server::spawn(ServerConfig::default()).expect("start the delay server");
    let mut spec = CancelSpec::new(server.addr(), 20, 60_000, Duration::from_millis(200));
    spec.threads = 2;
    let sockets_before = os::open_sockets();
    let outcome = cm_stackful::May.cancel(&spec).expect("the run");
    assert_eq!(spec.verify(&outcome), Ok(()));
    assert!(
        outcome.ends.iter().all(|e| *e == RequestEnd::Cancelled),
        "{outcome:?}"
    );
    assert_eq!(spec.probe.alive_now(), 0, "every request was joined");
    assert!(spec.probe.phases().is_some(), "begin and end marked");
    assert_eq!(
        server.stats().peak_in_flight(),
        20,
        "all in flight at the server at once"
    );
    if let Some(before) = sockets_before {
        // The delay server runs in this process: its ends close a moment later.
        assert!(
            settles(|| os::open_sockets().is_some_and(|now| now <= before)),
            "{:?} sockets open after the run, {before} before",
            os::open_sockets()
        );
    }
    assert!(
        settles(|| server.stats().connections() == 0),
        "the server still holds connections"
    );
}
