//! The actix server against real clients: plain HTTP/1.0 fetches, a keep-alive
//! connection with two pipelined requests, a refused request, and a slow client
//! that must not hold up the others; then the stop, and the tally.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use harness::Model;
use harness::http::fetch_blocking;
use harness::pages::{self, Expected};
use harness::spec::{ServerOutcome, ServerSpec};

const TIMEOUT: Duration = Duration::from_secs(2);

/// Starts the server on a thread; the handle returns its outcome after the stop.
fn serve(threads: usize) -> (Arc<ServerSpec>, std::thread::JoinHandle<ServerOutcome>) {
    let mut spec = ServerSpec::bind(4).expect("a loopback listener");
    spec.threads = threads;
    let spec = Arc::new(spec);
    let server = Arc::clone(&spec);
    let handle =
        std::thread::spawn(move || cm_actors::Actix.server(&server).expect("the server runs"));
    assert!(spec.probe.wait_begun(TIMEOUT), "the server began");
    (spec, handle)
}

/// Whether `path`'s page came back whole.
fn fetched(spec: &ServerSpec, path: &str) -> bool {
    let page = fetch_blocking(spec.addr, path, TIMEOUT).expect("the page");
    let Some(Expected::Page { bytes, digest }) = pages::expected(path) else {
        unreachable!("a page path")
    };
    (page.status, page.bytes, page.digest) == (200, bytes, digest)
}

/// Reads one response off `stream`: its head, then `Content-Length` bytes.
fn response(stream: &mut TcpStream, pending: &mut Vec<u8>) -> (String, Vec<u8>) {
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&pending[..end]).into_owned();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .and_then(|v| v.trim().parse().ok())
                .expect("a Content-Length");
            if pending.len() >= end + 4 + len {
                let body = pending[end + 4..end + 4 + len].to_vec();
                pending.drain(..end + 4 + len);
                return (head, body);
            }
        }
        let n = stream.read(&mut chunk).expect("a read");
        assert!(n > 0, "the server closed mid-response");
        pending.extend_from_slice(&chunk[..n]);
    }
}

#[test]
fn serves_pages_keep_alive_pipelining_and_refusals_then_stops() {
    for threads in [1, 3] {
        let (spec, server) = serve(threads);
        assert!(fetched(&spec, &pages::page_path(1, 5, 100)));
        assert!(fetched(&spec, &pages::page_path(2, 0, 0)));

        // Two pipelined HTTP/1.1 requests on one connection, answered in order.
        let mut ka = TcpStream::connect(spec.addr).unwrap();
        ka.set_read_timeout(Some(TIMEOUT)).unwrap();
        let two = format!(
            "GET {} HTTP/1.1\r\n\r\nGET {} HTTP/1.1\r\nConnection: close\r\n\r\n",
            pages::page_path(3, 2, 10),
            pages::page_path(4, 0, 20)
        );
        ka.write_all(two.as_bytes()).unwrap();
        let mut pending = Vec::new();
        let (head, body) = response(&mut ka, &mut pending);
        assert!(head.contains("Connection: keep-alive"), "{head}");
        assert_eq!(body, pages::body(3, 10));
        let (head, body) = response(&mut ka, &mut pending);
        assert!(head.contains("Connection: close"), "{head}");
        assert_eq!(body, pages::body(4, 20));
        let mut rest = Vec::new();
        ka.read_to_end(&mut rest).unwrap();
        assert!(
            rest.is_empty(),
            "the connection closed after `Connection: close`"
        );

        // A request the protocol refuses: 404, then a close.
        let mut bad = TcpStream::connect(spec.addr).unwrap();
        bad.set_read_timeout(Some(TIMEOUT)).unwrap();
        bad.write_all(b"GET /nothing HTTP/1.1\r\n\r\n").unwrap();
        let mut text = String::new();
        bad.read_to_string(&mut text).unwrap();
        assert!(text.starts_with("HTTP/1.1 404"), "{text}");

        // A slow client holds half a request open; others are served meanwhile.
        let mut slow = TcpStream::connect(spec.addr).unwrap();
        slow.write_all(b"GET /pa").unwrap();
        assert!(fetched(&spec, &pages::page_path(5, 1, 30)));
        slow.write_all(b"ge/6?delay_ms=0&bytes=7 HTTP/1.0\r\n\r\n")
            .unwrap();
        let mut text = Vec::new();
        slow.set_read_timeout(Some(TIMEOUT)).unwrap();
        slow.read_to_end(&mut text).unwrap();
        assert!(text.ends_with(&pages::body(6, 7)));

        drop((ka, bad, slow));
        spec.stop.stop();
        let outcome = server.join().expect("the server thread");
        assert_eq!(outcome.answered, 6, "{outcome:?}");
        assert_eq!(outcome.refused, 1, "{outcome:?}");
        assert_eq!(outcome.dropped, 0, "{outcome:?}");
        // Six connections, and maybe the harness's wake-up one.
        assert!((6..=7).contains(&outcome.accepted), "{outcome:?}");
        assert_eq!(spec.probe.alive_now(), 0, "every connection ended");
        assert!(spec.probe.phases().is_some(), "the run marked its phase");
        // The listener was dropped: nothing accepts on the port any more.
        assert!(
            TcpStream::connect(spec.addr).is_err(),
            "the listener is closed"
        );
    }
}
