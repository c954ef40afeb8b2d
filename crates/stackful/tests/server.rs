//! may's server against plain std clients: a page per HTTP/1.0 connection,
//! pipelined keep-alive requests, a refusal, and a slow client that holds its
//! connection half-sent while another is served. No timing is asserted: a model
//! that let the slow client hold it up would never answer the second fetch.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use harness::Model;
use harness::http::{self, ResponseReader};
use harness::pages::{self, Expected};
use harness::spec::ServerSpec;

const TIMEOUT: Duration = Duration::from_secs(5);

/// Reads one response off `stream` with the shared reader, and checks its body.
fn page_ok(stream: &mut TcpStream, path: &str) -> bool {
    let mut reader = ResponseReader::new();
    let mut buf = [0u8; 512];
    let page = loop {
        let n = stream.read(&mut buf).expect("a response");
        if n == 0 {
            break reader.eof().expect("a whole response");
        }
        if let http::Progress::Done(page) = reader.feed(&buf[..n]).expect("a response") {
            break page;
        }
    };
    let Some(Expected::Page { bytes, digest }) = pages::expected(path) else {
        unreachable!("{path} is a page path")
    };
    (page.status, page.bytes, page.digest) == (200, bytes, digest)
}

#[test]
fn serves_pages_pipelines_refuses_and_is_not_held_up_by_a_slow_client() {
    let mut spec = ServerSpec::bind(4).expect("bind a listener");
    spec.threads = 2;
    std::thread::scope(|scope| {
        let served = scope.spawn(|| cm_stackful::May.server(&spec));
        assert!(
            spec.probe.wait_begun(Duration::from_secs(10)),
            "the server began"
        );
        let addr = spec.addr;

        // A slow client: half a request head, held open.
        let mut slow = TcpStream::connect(addr).unwrap();
        slow.write_all(b"GET /page/9?delay_ms=0&bytes=10 HTTP/1.1\r\nHo")
            .unwrap();

        // HTTP/1.0, one page, then the server closes.
        let path = pages::page_path(1, 5, 100);
        let page = http::fetch_blocking(addr, &path, TIMEOUT).expect("a page");
        assert_eq!((page.status, page.bytes), (200, 100));

        // Two requests in one write on a keep-alive connection: both answered, in
        // order; the second asks to close.
        let (one, two) = (pages::page_path(2, 1, 300), pages::page_path(3, 0, 7));
        let mut conn = TcpStream::connect(addr).unwrap();
        conn.set_read_timeout(Some(TIMEOUT)).unwrap();
        let pipelined =
            format!("GET {one} HTTP/1.1\r\n\r\nGET {two} HTTP/1.1\r\nConnection: close\r\n\r\n");
        conn.write_all(pipelined.as_bytes()).unwrap();
        assert!(page_ok(&mut conn, &one), "the first pipelined page");
        assert!(page_ok(&mut conn, &two), "the second pipelined page");
        let mut rest = Vec::new();
        conn.read_to_end(&mut rest).unwrap();
        assert!(rest.is_empty(), "closed after `Connection: close`");

        // Not a page: a 404 and a close.
        let mut bad = TcpStream::connect(addr).unwrap();
        bad.set_read_timeout(Some(TIMEOUT)).unwrap();
        bad.write_all(b"GET /nothing HTTP/1.1\r\n\r\n").unwrap();
        let mut text = String::new();
        bad.read_to_string(&mut text).unwrap();
        assert!(text.starts_with("HTTP/1.1 404"), "{text}");

        // The slow client finishes its head at last and gets its page.
        slow.set_read_timeout(Some(TIMEOUT)).unwrap();
        slow.write_all(b"st: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        assert!(
            page_ok(&mut slow, "/page/9?delay_ms=0&bytes=10"),
            "the slow page"
        );
        drop((slow, conn, bad));

        spec.stop.stop();
        let outcome = served.join().unwrap().expect("the server ran");
        // Four clients and the harness's wake-up connection.
        assert_eq!(outcome.accepted, 5, "{outcome:?}");
        assert_eq!((outcome.answered, outcome.refused), (4, 1), "{outcome:?}");
        assert_eq!(outcome.dropped, 0, "{outcome:?}");
        assert!(
            spec.probe.peak_alive() >= 2,
            "the slow client's connection overlapped"
        );
        assert_eq!(spec.probe.alive_now(), 0, "every connection was joined");
        assert!(spec.probe.phases().is_some(), "begin and end marked");
    });
}
