//! What the server tests share: a server with short limits, a raw exchange of
//! bytes, and the good request that must be answered after every hostile one.

#![allow(dead_code)] // Each test file uses its own part of this.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use harness::http::fetch_blocking;
use harness::pages::{Expected, expected, page_path};
use harness::server::{self, Limits, ServerConfig, ServerHandle};

/// Limits short enough to watch them act in a test, long enough for a slow machine
/// to send a request head in time.
pub fn quick_limits() -> Limits {
    Limits {
        head_timeout: Duration::from_millis(300),
        write_timeout: Duration::from_millis(300),
        max_connections: None,
    }
}

/// A server with [`quick_limits`], a 50 ms default delay and two worker threads.
pub fn quick_server() -> ServerHandle {
    server_with(quick_limits())
}

pub fn server_with(limits: Limits) -> ServerHandle {
    server::spawn(ServerConfig {
        delay: Duration::from_millis(50),
        threads: 2,
        limits,
        ..ServerConfig::default()
    })
    .expect("start the delay server")
}

/// Generous: a bound on a correct answer on a slow machine, not a speed test.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// A good page is answered, whole and correct.
pub fn assert_good(addr: SocketAddr, after: &str) {
    let path = page_path(7, 0, 1500);
    let Some(Expected::Page { bytes, digest }) = expected(&path) else {
        unreachable!("a page path expects a page")
    };
    match fetch_blocking(addr, &path, PATIENCE) {
        Ok(page) => assert_eq!(
            (page.status, page.bytes, page.digest),
            (200, bytes, digest),
            "after {after}: a good page came back wrong"
        ),
        Err(e) => panic!("after {after}: a good page failed: {e}"),
    }
}

/// What came back for a raw request.
#[derive(Debug)]
pub struct Answer {
    /// The status code, if a status line arrived.
    pub status: Option<u16>,
    /// The bytes after the head.
    pub body: Vec<u8>,
    /// Every byte received.
    pub raw: Vec<u8>,
}

impl Answer {
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `request` (the write may fail when the server refuses early), closes the
/// sending side if `close_after` is set, and reads until the server closes.
pub fn exchange(addr: SocketAddr, request: &[u8], close_after: bool) -> Answer {
    let mut stream = TcpStream::connect(addr).expect("connect to the delay server");
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let _ = stream.write_all(request);
    if close_after {
        let _ = stream.shutdown(Shutdown::Write);
    }
    read_to_close(&mut stream)
}

/// Reads until EOF or a reset; a read that times out means the server held a
/// connection it should have closed.
pub fn read_to_close(stream: &mut TcpStream) -> Answer {
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                panic!("the server held the connection past {PATIENCE:?}")
            }
            // A reset after (or instead of) the answer: what arrived is the answer.
            Err(_) => break,
        }
    }
    parse(raw)
}

fn parse(raw: Vec<u8>) -> Answer {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(&raw) {
        Ok(httparse::Status::Complete(len)) => Answer {
            status: response.code,
            body: raw[len..].to_vec(),
            raw,
        },
        _ => Answer {
            status: None,
            body: Vec::new(),
            raw,
        },
    }
}

/// Waits until `done` holds, or fails naming `what`.
pub fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        assert!(Instant::now() < deadline, "waited {PATIENCE:?} for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A GET of `target` as the seeds send it.
pub fn get(target: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.0\r\nHost: example.com\r\n\r\n").into_bytes()
}
