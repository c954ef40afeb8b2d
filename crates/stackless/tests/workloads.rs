//! The server, fairness and cancel workloads of `tokio` and `tokio-current`, at
//! small sizes: each outcome is checked by the spec's own `verify` or against what
//! a client or the delay server saw. Counts only, never timings.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use cm_stackless::{Tokio, TokioCurrent};
use harness::Model;
use harness::http::fetch_blocking;
use harness::pages;
use harness::respond::{self, Parsed};
use harness::server::{self, ServerConfig};
use harness::spec::{CancelSpec, FairnessSpec, ServerOutcome, ServerSpec};

const TIMEOUT: Duration = Duration::from_secs(5);

fn models() -> [&'static dyn Model; 2] {
    [&Tokio, &TokioCurrent]
}

/// Runs `model`'s server on a thread, hands its address to `clients` once it has
/// begun, then stops it (every client has closed by then) and returns its tally.
fn serve(model: &dyn Model, clients: impl FnOnce(SocketAddr)) -> (ServerSpec, ServerOutcome) {
    let name = model.name();
    let mut spec = ServerSpec::bind(4).expect("a loopback listener");
    spec.threads = 2;
    let outcome = std::thread::scope(|s| {
        let server = s.spawn(|| model.server(&spec));
        assert!(spec.probe.wait_begun(TIMEOUT), "{name}: never began");
        clients(spec.addr);
        spec.stop.stop();
        server.join().expect("the server thread")
    });
    let outcome = outcome.unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(spec.probe.phases().is_some(), "{name}: no measured phase");
    (spec, outcome)
}

/// The exact bytes the server must send for `raw`, one request.
fn expected_response(raw: &str) -> Vec<u8> {
    match respond::parse(raw.as_bytes()) {
        Parsed::Request(req) => req.response(),
        Parsed::Refuse(r) => r.response(),
        Parsed::Partial => panic!("not a whole request: {raw:?}"),
    }
}

fn read_to_end(mut stream: TcpStream) -> Vec<u8> {
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut got = Vec::new();
    stream.read_to_end(&mut got).expect("the server closes");
    got
}

#[test]
fn the_server_answers_pages_concurrently_and_refuses_the_rest() {
    for model in models() {
        let name = model.name();
        let (spec, tally) = serve(model, |addr| {
            // A slow client: half a request head, held open while others are served.
            let mut slow = TcpStream::connect(addr).unwrap();
            slow.write_all(b"GET /page/9?delay_ms=0").unwrap();
            std::thread::scope(|s| {
                let fetches: Vec<_> = (0..4)
                    .map(|i| {
                        s.spawn(move || {
                            fetch_blocking(addr, &pages::page_path(i, 20, 100), TIMEOUT)
                        })
                    })
                    .collect();
                for (i, f) in fetches.into_iter().enumerate() {
                    let page = f.join().unwrap().unwrap_or_else(|e| panic!("{name}: {e}"));
                    let Some(pages::Expected::Page { bytes, digest }) =
                        pages::expected(&pages::page_path(i as u64, 20, 100))
                    else {
                        unreachable!()
                    };
                    assert_eq!((page.status, page.bytes, page.digest), (200, bytes, digest));
                }
            });
            // The slow client finishes its request and gets its page.
            slow.write_all(b"&bytes=7 HTTP/1.0\r\n\r\n").unwrap();
            let want = expected_response("GET /page/9?delay_ms=0&bytes=7 HTTP/1.0\r\n\r\n");
            assert_eq!(read_to_end(slow), want, "{name}: the slow client's page");
            // A path the server does not serve: a 404 and a close.
            let mut bad = TcpStream::connect(addr).unwrap();
            let raw = "GET /elsewhere HTTP/1.1\r\n\r\n";
            bad.write_all(raw.as_bytes()).unwrap();
            assert_eq!(read_to_end(bad), expected_response(raw), "{name}: the 404");
        });
        assert_eq!(tally.answered, 5, "{name}: {tally:?}");
        assert_eq!(tally.refused, 1, "{name}: {tally:?}");
        assert_eq!(tally.dropped, 0, "{name}: {tally:?}");
        // Six clients, and perhaps the harness's wake-up connection.
        assert!((6..=7).contains(&tally.accepted), "{name}: {tally:?}");
        assert!(
            spec.probe.peak_alive() >= 2,
            "{name}: the slow client was held beside others"
        );
        assert_eq!(
            spec.probe.alive_now(),
            0,
            "{name}: a connection outlived the server"
        );
    }
}

#[test]
fn the_server_answers_pipelined_requests_in_order_on_one_connection() {
    for model in models() {
        let name = model.name();
        let (_, tally) = serve(model, |addr| {
            let one = "GET /page/1?delay_ms=5&bytes=30 HTTP/1.1\r\nHost: x\r\n\r\n";
            let two = "GET /page/2?delay_ms=0&bytes=40 HTTP/1.1\r\nHost: x\r\n\r\n";
            let three = "GET /page/3?delay_ms=0&bytes=50 HTTP/1.1\r\nConnection: close\r\n\r\n";
            let mut stream = TcpStream::connect(addr).unwrap();
            // Two in one write (pipelined), the third after a pause, in pieces.
            stream.write_all(format!("{one}{two}").as_bytes()).unwrap();
            std::thread::sleep(Duration::from_millis(20));
            let (head, tail) = three.split_at(10);
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(tail.as_bytes()).unwrap();
            let mut want = expected_response(one);
            want.extend(expected_response(two));
            want.extend(expected_response(three));
            assert_eq!(read_to_end(stream), want, "{name}: three pages in order");
        });
        assert_eq!((tally.answered, tally.refused), (3, 0), "{name}: {tally:?}");
    }
}

#[test]
fn the_server_closes_quietly_on_a_client_that_leaves() {
    for model in models() {
        let name = model.name();
        let (spec, tally) = serve(model, |addr| {
            // Hangs up mid-head, and another after its request but before its page.
            let mut early = TcpStream::connect(addr).unwrap();
            early.write_all(b"GET /pa").unwrap();
            drop(early);
            let mut gone = TcpStream::connect(addr).unwrap();
            gone.write_all(b"GET /page/1?delay_ms=30&bytes=10 HTTP/1.0\r\n\r\n")
                .unwrap();
            gone.shutdown(Shutdown::Both).unwrap();
            drop(gone);
            // Still serving.
            fetch_blocking(addr, &pages::page_path(2, 0, 10), TIMEOUT)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        });
        assert_eq!(tally.refused, 0, "{name}: {tally:?}");
        assert!(tally.answered >= 1, "{name}: {tally:?}");
        assert_eq!(spec.probe.alive_now(), 0, "{name}");
    }
}

#[test]
fn fairness_verifies_with_and_without_yields() {
    for model in models() {
        let name = model.name();
        for yield_every in [0, 100] {
            // Few items, so the hogs stay short in a debug build too.
            let spec = FairnessSpec {
                hog_items: 450,
                threads: 2,
                ..FairnessSpec::new(Duration::from_millis(1), 3, 1, yield_every)
            };
            let outcome = model
                .fairness(&spec)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            spec.verify(&outcome)
                .unwrap_or_else(|e| panic!("{name}, yield every {yield_every}: {e}"));
            assert!(spec.probe.phases().is_some(), "{name}: no measured phase");
        }
    }
}

#[test]
fn cancel_ends_every_request_cancelled_and_closes_every_socket() {
    let server = server::spawn(ServerConfig::default()).expect("the delay server");
    for model in models() {
        let name = model.name();
        let mut spec = CancelSpec::new(server.addr(), 16, 60_000, Duration::from_millis(150));
        spec.threads = 2;
        let outcome = model
            .cancel(&spec)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        spec.verify(&outcome)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(outcome.cancelled(), 16, "{name}");
        assert_eq!(
            spec.probe.alive_now(),
            0,
            "{name}: a request outlived the call"
        );
        // The model closed every socket before it returned; the server sees each
        // close a moment later.
        let deadline = Instant::now() + TIMEOUT;
        while server.stats().connections() > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(
            server.stats().connections(),
            0,
            "{name}: the server still holds some"
        );
    }
}
