//! The delay server as the seeds' programs, curl and tutorial clients meet it:
//! plain paths, HTTP/1.1 keep-alive, HEAD, other methods, and a restart on the
//! same port.

mod support;

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use harness::pages::{Digest, Expected, expected};
use harness::server::{self, ServerConfig};
use support::{PATIENCE, assert_good, exchange, get, quick_limits, quick_server, read_to_close};

/// What the seeds' crawlers ask a server on port 5000 for.
const SEED_PATHS: [&str; 10] = ["/", "/1", "/2", "/3", "/4", "/5", "/6", "/7", "/8", "/9"];

#[test]
fn the_seeds_paths_are_pages_after_the_default_delay() {
    let delay = Duration::from_millis(200);
    let server = server::spawn(ServerConfig {
        delay,
        limits: quick_limits(),
        ..ServerConfig::default()
    })
    .unwrap();
    let addr = server.addr();
    // All ten at once, as the seeds' event loop sends them, with their request
    // bytes (`Host:example.com`, no space, as one of them writes it).
    let fetches: Vec<_> = SEED_PATHS
        .iter()
        .map(|&path| {
            std::thread::spawn(move || {
                let request = format!("GET {path} HTTP/1.0\r\nHost:example.com\r\n\r\n");
                let started = Instant::now();
                let answer = exchange(addr, request.as_bytes(), false);
                (path, started.elapsed(), answer)
            })
        })
        .collect();
    let mut digests = Vec::new();
    for fetch in fetches {
        let (path, took, answer) = fetch.join().unwrap();
        assert_eq!(answer.status, Some(200), "{path}: {:?}", answer.raw);
        let Some(Expected::Page { bytes, digest }) = expected(path) else {
            panic!("{path} expects a page")
        };
        assert_eq!(answer.body.len() as u64, bytes, "{path}");
        assert_eq!(Digest::of(&answer.body), digest, "{path}");
        assert!(answer.body.iter().all(u8::is_ascii_lowercase), "{path}");
        // The server cannot answer before its delay has passed.
        assert!(took >= delay, "{path} answered after {took:?}");
        digests.push(digest);
    }
    digests.sort_unstable();
    digests.dedup();
    assert_eq!(
        digests.len(),
        SEED_PATHS.len(),
        "every path has its own body"
    );
    assert_eq!(server.stats().pages(), SEED_PATHS.len() as u64);
    // The same path twice is the same body; any other path is a page too.
    let again = exchange(addr, &get("/7"), false);
    let hello = exchange(addr, &get("/hello"), false);
    assert_eq!(again.body, exchange(addr, &get("/7?t=1"), false).body);
    assert_eq!(hello.status, Some(200));
    assert_ne!(hello.body, again.body);
}

#[test]
fn keep_alive_clients_get_every_answer_then_an_idle_close() {
    let server = quick_server();
    let addr = server.addr();
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    // Before the write: the server's idle deadline starts after it has answered.
    let started = Instant::now();
    // Two pipelined HTTP/1.1 requests, as aiohttp or curl reuse a connection; the
    // second asks for a fault, which needs a connection of its own.
    stream
        .write_all(
            b"GET /page/1?delay_ms=0&bytes=10 HTTP/1.1\r\nHost: x\r\n\r\n\
              GET /page/2?delay_ms=0&bytes=20 HTTP/1.1\r\nHost: x\r\n\r\n\
              GET /fault/close/3 HTTP/1.1\r\nHost: x\r\n\r\n",
        )
        .unwrap();
    // Nothing more is sent: after the third answer the connection idles, and the
    // head timeout closes it.
    let all = read_to_close(&mut stream).raw;
    assert!(started.elapsed() >= quick_limits().head_timeout);
    let text = String::from_utf8_lossy(&all);
    assert_eq!(text.matches("HTTP/1.1 200 OK").count(), 2, "{text}");
    assert!(text.contains("HTTP/1.1 400 Bad Request"), "{text}");
    assert!(
        text.contains("a fault path must be the first GET"),
        "{text}"
    );
    assert_good(addr, "a kept-alive connection");
}

#[test]
fn head_has_no_body_and_other_methods_get_405() {
    let server = quick_server();
    let addr = server.addr();
    let head = exchange(
        addr,
        b"HEAD /page/1?bytes=300&delay_ms=0 HTTP/1.0\r\n\r\n",
        false,
    );
    assert_eq!(head.status, Some(200));
    assert!(head.body.is_empty());
    assert!(
        String::from_utf8_lossy(&head.raw).contains("content-length: 300"),
        "{:?}",
        String::from_utf8_lossy(&head.raw)
    );
    for method in ["POST", "PUT", "DELETE", "BREW"] {
        let request = format!("{method} /page/1 HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc");
        let answer = exchange(addr, request.as_bytes(), false);
        assert_eq!(answer.status, Some(405), "{method}");
        assert!(answer.body_text().contains("GET or HEAD"), "{method}");
        assert_good(addr, method);
    }
}

#[test]
fn a_restart_on_the_same_port_binds_at_once() {
    let config = ServerConfig {
        delay: Duration::from_millis(0),
        limits: quick_limits(),
        ..ServerConfig::default()
    };
    let first = server::spawn(config.clone()).unwrap();
    let addr = first.addr();
    // HTTP/1.0 answers are closed by the server, which leaves its side of each
    // connection in TIME_WAIT: without SO_REUSEADDR the port stays taken a minute.
    for _ in 0..20 {
        assert_good(addr, "the first server's pages");
    }
    // And a client still connected, and one mid-delay, when it stops.
    let _idle = TcpStream::connect(addr).unwrap();
    let mut waiting = TcpStream::connect(addr).unwrap();
    waiting.write_all(&get("/page/1?delay_ms=10000")).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    drop(first);
    let second = server::spawn(ServerConfig { addr, ..config })
        .expect("a restarted server binds its port at once");
    assert_eq!(second.addr(), addr);
    assert_good(addr, "a restart");
    // The old server's client was let go, not left hanging.
    waiting.set_read_timeout(Some(PATIENCE)).unwrap();
    assert_eq!(read_to_close(&mut waiting).status, None);
}
