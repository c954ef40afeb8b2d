//! `crossbeam`'s server, driven by hand: a few pages over HTTP/1.0, pipelined
//! keep-alive pages, a refusal, then the stop; the tally must say what the client
//! saw. (The load generator's run is the `server` cell; this checks the protocol.)

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use harness::Model;
use harness::http::fetch_blocking;
use harness::pages::page_path;
use harness::spec::ServerSpec;

const TIMEOUT: Duration = Duration::from_secs(5);

/// Reads a connection to its close.
fn read_all(mut s: TcpStream) -> String {
    s.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut all = Vec::new();
    s.read_to_end(&mut all).unwrap();
    String::from_utf8_lossy(&all).into_owned()
}

#[test]
fn serves_pages_keep_alive_and_refusals_then_stops() {
    let spec = ServerSpec::bind(4).unwrap();
    let outcome = std::thread::scope(|s| {
        let serving = s.spawn(|| cm_csp::Crossbeam.server(&spec));
        assert!(spec.probe.wait_begun(TIMEOUT), "the server began");
        // HTTP/1.0, a connection each, two at once.
        let fetches: Vec<_> = (1..=2)
            .map(|i| {
                let addr = spec.addr;
                s.spawn(move || fetch_blocking(addr, &page_path(i, 20, 100), TIMEOUT))
            })
            .collect();
        for f in fetches {
            let page = f.join().unwrap().expect("a page");
            assert_eq!((page.status, page.bytes), (200, 100));
        }
        // Three on one connection, pipelined; the last asks for the close.
        let mut c = TcpStream::connect(spec.addr).unwrap();
        let (a, b, z) = (
            page_path(3, 5, 10),
            page_path(4, 0, 10),
            page_path(5, 0, 10),
        );
        let raw = format!(
            "GET {a} HTTP/1.1\r\n\r\nGET {b} HTTP/1.1\r\n\r\n\
             GET {z} HTTP/1.1\r\nConnection: close\r\n\r\n"
        );
        c.write_all(raw.as_bytes()).unwrap();
        let text = read_all(c);
        assert_eq!(text.matches("HTTP/1.1 200 OK").count(), 3, "{text}");
        // Not a page: refused with a 404 and a close.
        let mut c = TcpStream::connect(spec.addr).unwrap();
        c.write_all(b"GET /nothing HTTP/1.1\r\n\r\n").unwrap();
        assert!(read_all(c).starts_with("HTTP/1.1 404"));
        // Every client has closed: the harness's stop.
        spec.stop.stop();
        serving.join().unwrap()
    })
    .expect("the server ran");
    // Four connections and the stop's wake-up connection.
    assert_eq!(
        (
            outcome.accepted,
            outcome.answered,
            outcome.refused,
            outcome.dropped
        ),
        (5, 5, 1, 0),
        "{outcome:?}"
    );
    assert!(spec.probe.phases().is_some(), "both marks made");
    assert!(spec.probe.peak_alive() >= 1);
    assert!(
        TcpStream::connect_timeout(&spec.addr, Duration::from_millis(200)).is_err(),
        "the listener is closed after the stop"
    );
}
