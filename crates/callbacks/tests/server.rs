//! The `server` workload on the callbacks loop: it serves the page protocol on a
//! thread of the test while clients talk to it, then stops when told. Functional
//! checks only (what was answered, refused and counted), no timings.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::Duration;

use cm_callbacks::Callbacks;
use harness::Model;
use harness::http::fetch_blocking;
use harness::pages::page_path;
use harness::params::{Param, Params};
use harness::spec::{ServerOutcome, ServerSpec, Workload};

const TIMEOUT: Duration = Duration::from_secs(5);

/// Runs the loop as the server while `client` talks to it, then stops it; returns
/// the tally and the most connections held at once.
fn serve(client: impl FnOnce(SocketAddr) + Send) -> (ServerOutcome, u64) {
    let spec = ServerSpec::bind(4).expect("a loopback listener");
    thread::scope(|s| {
        let server = s.spawn(|| Callbacks.server(&spec));
        assert!(spec.probe.wait_begun(TIMEOUT), "the loop never began");
        client(spec.addr);
        spec.stop.stop();
        let outcome = server
            .join()
            .expect("the server thread")
            .expect("an outcome");
        assert!(spec.probe.phases().is_some(), "begin and end marked");
        assert_eq!(
            spec.probe.alive_now(),
            0,
            "every connection's guard dropped"
        );
        (outcome, spec.probe.peak_alive())
    })
}

/// Writes `raw` on a fresh connection and reads until the server closes it.
fn exchange(addr: SocketAddr, raw: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream.write_all(raw.as_bytes()).unwrap();
    let mut got = Vec::new();
    // A reset after the responses would still leave them in `got`.
    let _ = stream.read_to_end(&mut got);
    String::from_utf8_lossy(&got).into_owned()
}

fn get(path: &str, version: &str, connection: &str) -> String {
    format!("GET {path} HTTP/1.{version}\r\nHost: t\r\nConnection: {connection}\r\n\r\n")
}

#[test]
fn serves_keep_alive_pipelining_refusals_and_a_slow_client() {
    let (tally, peak) = serve(|addr| {
        // HTTP/1.0, the crawl's client: one page, then the server closes.
        let page = fetch_blocking(addr, &page_path(1, 5, 100), TIMEOUT).unwrap();
        assert_eq!((page.status, page.bytes), (200, 100));
        // Three pipelined in one write on one kept-alive connection, answered in
        // order from the buffer; the last one asks for the close.
        let three = get(&page_path(2, 1, 10), "1", "keep-alive")
            + &get(&page_path(3, 0, 10), "1", "keep-alive")
            + &get(&page_path(4, 1, 10), "1", "close");
        let text = exchange(addr, &three);
        assert_eq!(text.matches("HTTP/1.1 200 OK").count(), 3, "{text}");
        assert!(text.ends_with(&String::from_utf8_lossy(&harness::pages::body(4, 10))[..]));
        // Not GET: 405, then a close.
        let text = exchange(addr, "POST /page/1 HTTP/1.1\r\n\r\n");
        assert!(text.starts_with("HTTP/1.1 405 "), "{text}");
        // A client that stops halfway holds a slot, not the loop: another client
        // is served meanwhile, and the slow one is answered once it finishes.
        let mut slow = TcpStream::connect(addr).unwrap();
        slow.set_read_timeout(Some(TIMEOUT)).unwrap();
        slow.write_all(b"GET /page/5?delay_ms=0&bytes=10 HT")
            .unwrap();
        let page = fetch_blocking(addr, &page_path(6, 1, 10), TIMEOUT).unwrap();
        assert_eq!(page.status, 200);
        slow.write_all(b"TP/1.0\r\n\r\n").unwrap();
        let mut got = String::new();
        let _ = slow.read_to_string(&mut got);
        assert!(got.starts_with("HTTP/1.0 200 OK"), "{got}");
        // A client that leaves while its page waits out its delay: the loop's
        // write fails or goes nowhere, and the connection is closed quietly.
        let mut gone = TcpStream::connect(addr).unwrap();
        gone.write_all(get(&page_path(7, 20, 10), "1", "keep-alive").as_bytes())
            .unwrap();
        drop(gone);
        // And a last page, to see the loop still serving after it.
        let page = fetch_blocking(addr, &page_path(8, 25, 10), TIMEOUT).unwrap();
        assert_eq!(page.status, 200);
    });
    // Pages: 1, three pipelined, 6, the slow one's, 8; page 7 may or may not
    // have been written before the loop saw its client gone.
    assert!(
        matches!(tally.answered, 7 | 8) && (tally.refused, tally.dropped) == (1, 0),
        "{tally:?}"
    );
    // Seven clients, and the stop's wake-up connection if it reached the accept
    // before the waker closed the listener.
    assert!(matches!(tally.accepted, 7 | 8), "{tally:?}");
    assert!(peak >= 2, "the slow client and another were open together");
}

#[test]
fn stops_at_once_when_no_client_came() {
    let (tally, peak) = serve(|_| {});
    assert_eq!((tally.answered, tally.refused, tally.dropped), (0, 0, 0));
    assert!(tally.accepted <= 1, "{tally:?}");
    assert!(peak <= 1);
}

/// The whole cell, the harness's load generator as the client, at a small load.
#[test]
fn passes_the_server_cell_at_a_small_load() {
    let mut params = Params::new();
    for (p, v) in [
        (Param::Rate, 200),
        (Param::DurationMs, 200),
        (Param::Connections, 8),
        (Param::DelayMs, 2),
    ] {
        params.set(p, v).unwrap();
    }
    let unused: SocketAddr = "127.0.0.1:1".parse().unwrap();
    let report = harness::cell::execute(&Callbacks, Workload::Server, &params, unused);
    assert_eq!(report.error, None, "{}", report.summary);
    assert!(report.verified, "{}", report.summary);
}
