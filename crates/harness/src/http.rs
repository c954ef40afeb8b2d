//! The HTTP/1.0 client pieces every model shares: the request bytes, an incremental
//! response reader, the typed errors, and a blocking fetch for the thread models.
//!
//! Like the seeds' crawler, a fetch is one request on one plain TCP connection:
//! connect, write `GET <path> HTTP/1.0`, read until the response is complete.
//! The bytes arrive in pieces in every model (a readiness callback, a `poll_read`,
//! a blocking `read` on a green thread), so [`ResponseReader`] takes whatever each
//! read returned and says when the response is done. It never holds the body: it
//! counts it and folds it into a [`Digest`], which is what verification checks.
//! Two ready-made fetches sit on top: [`fetch_blocking`] for the models built on OS
//! threads, and [`fetch_tokio`] for those that run on tokio.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::pages::Digest;

/// Largest response head we accept before calling the peer broken.
const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Headers httparse may fill in one response.
const MAX_HEADERS: usize = 32;
/// Size of a read buffer: the delay server's pages fit in one or two of these.
pub const READ_BUF_BYTES: usize = 4096;

/// The request for `path`: HTTP/1.0, so the server closes the connection after the
/// response, as in the seeds.
pub fn request(addr: SocketAddr, path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").into_bytes()
}

/// A successful fetch: status 200, the body's length and digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Page {
    pub status: u16,
    pub bytes: u64,
    pub digest: u64,
}

/// The kind of a failed fetch, without its detail: what verification compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum FetchErrorKind {
    Connect,
    Timeout,
    Reset,
    Protocol,
    Status(u16),
}

impl fmt::Display for FetchErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Connect => f.write_str("connect"),
            Self::Timeout => f.write_str("timeout"),
            Self::Reset => f.write_str("reset"),
            Self::Protocol => f.write_str("protocol"),
            Self::Status(code) => write!(f, "status {code}"),
        }
    }
}

/// Why one path of a crawl failed. The other paths are unaffected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// The connection could not be made (refused, unreachable).
    Connect(String),
    /// The request did not complete within the spec's timeout.
    Timeout,
    /// The peer reset the connection.
    Reset(String),
    /// The peer answered something that is not a complete HTTP response.
    Protocol(String),
    /// A complete HTTP response with a status other than 200.
    Status(u16),
}

impl FetchError {
    /// The kind, without detail.
    pub fn kind(&self) -> FetchErrorKind {
        match self {
            Self::Connect(_) => FetchErrorKind::Connect,
            Self::Timeout => FetchErrorKind::Timeout,
            Self::Reset(_) => FetchErrorKind::Reset,
            Self::Protocol(_) => FetchErrorKind::Protocol,
            Self::Status(code) => FetchErrorKind::Status(*code),
        }
    }

    /// Classifies an I/O error from connecting.
    pub fn connect(err: &io::Error) -> Self {
        match err.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Self::Timeout,
            _ => Self::Connect(err.to_string()),
        }
    }

    /// Classifies an I/O error from writing the request or reading the response.
    /// Socket timeouts surface as `WouldBlock` on Unix and `TimedOut` elsewhere.
    pub fn io(err: &io::Error) -> Self {
        match err.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Self::Timeout,
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe => Self::Reset(err.to_string()),
            _ => Self::Protocol(format!("I/O error: {err}")),
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Connect(e) => write!(f, "connect failed: {e}"),
            Self::Timeout => f.write_str("timed out"),
            Self::Reset(e) => write!(f, "connection reset: {e}"),
            Self::Protocol(e) => write!(f, "protocol error: {e}"),
            Self::Status(code) => write!(f, "HTTP status {code}"),
        }
    }
}

impl std::error::Error for FetchError {}

/// The result of one fetch.
pub type FetchResult = Result<Page, FetchError>;

/// What the reader needs next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Feed it more bytes (or tell it the peer closed).
    More,
    /// The response is complete; stop reading.
    Done(Page),
}

/// Reads one HTTP/1.x response from bytes that arrive in arbitrary pieces.
///
/// Feed it every non-empty read with [`feed`](Self::feed); when a read returns 0
/// (the peer closed), call [`eof`](Self::eof). Either may finish the response.
#[derive(Debug, Default)]
pub struct ResponseReader {
    /// The response head so far; emptied once the head is parsed.
    head: Vec<u8>,
    /// Set once the head has been parsed.
    body: Option<BodyState>,
}

#[derive(Debug)]
struct BodyState {
    /// Content-Length, if the server sent one; otherwise the body runs to EOF.
    expected: Option<u64>,
    received: u64,
    digest: Digest,
}

impl BodyState {
    fn page(&self) -> Page {
        Page {
            status: 200,
            bytes: self.received,
            digest: self.digest.value(),
        }
    }

    fn take(&mut self, data: &[u8]) -> Result<Progress, FetchError> {
        self.received += data.len() as u64;
        self.digest.update(data);
        match self.expected {
            Some(len) if self.received > len => Err(FetchError::Protocol(format!(
                "body longer than its Content-Length of {len}"
            ))),
            Some(len) if self.received == len => Ok(Progress::Done(self.page())),
            _ => Ok(Progress::More),
        }
    }
}

impl ResponseReader {
    /// A reader waiting for the first byte.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the bytes of one read. A non-200 status is reported as soon as the head
    /// is parsed: the caller need not read that body.
    pub fn feed(&mut self, data: &[u8]) -> Result<Progress, FetchError> {
        if let Some(body) = &mut self.body {
            return body.take(data);
        }
        self.head.extend_from_slice(data);
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut response = httparse::Response::new(&mut headers);
        let head_len = match response.parse(&self.head) {
            Ok(httparse::Status::Complete(len)) => len,
            Ok(httparse::Status::Partial) if self.head.len() > MAX_HEAD_BYTES => {
                return Err(FetchError::Protocol(format!(
                    "response head longer than {MAX_HEAD_BYTES} bytes"
                )));
            }
            Ok(httparse::Status::Partial) => return Ok(Progress::More),
            Err(e) => return Err(FetchError::Protocol(format!("not an HTTP response: {e}"))),
        };
        // `Complete` guarantees the status code was parsed.
        let status = response.code.unwrap_or_default();
        if status != 200 {
            return Err(FetchError::Status(status));
        }
        let mut expected = None;
        for h in response.headers.iter() {
            if h.name.eq_ignore_ascii_case("content-length") {
                let len = std::str::from_utf8(h.value)
                    .ok()
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .ok_or_else(|| FetchError::Protocol("bad Content-Length".into()))?;
                // Two lengths that disagree leave no way to know where the body
                // ends (RFC 9112, 6.3): trusting either one would be a guess.
                if expected.is_some_and(|first| first != len) {
                    return Err(FetchError::Protocol("conflicting Content-Lengths".into()));
                }
                expected = Some(len);
            }
        }
        let rest = self.head.split_off(head_len);
        self.head = Vec::new();
        let body = self.body.insert(BodyState {
            expected,
            received: 0,
            digest: Digest::new(),
        });
        if expected == Some(0) {
            return Ok(Progress::Done(body.page()));
        }
        body.take(&rest)
    }

    /// The peer closed the connection: the response is complete only if it had no
    /// Content-Length (the body runs to EOF) or all of it arrived.
    pub fn eof(&mut self) -> FetchResult {
        match &self.body {
            None if self.head.is_empty() => Err(FetchError::Protocol(
                "connection closed before any response byte".into(),
            )),
            None => Err(FetchError::Protocol(
                "connection closed inside the response head".into(),
            )),
            Some(body) => match body.expected {
                Some(len) if body.received < len => Err(FetchError::Protocol(format!(
                    "body ended after {} of {len} bytes",
                    body.received
                ))),
                _ => Ok(body.page()),
            },
        }
    }
}

/// The time left before `deadline`, or a timeout error once it has passed.
pub fn remaining(deadline: Instant) -> Result<Duration, FetchError> {
    deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
        .ok_or(FetchError::Timeout)
}

/// GET `path` from `addr` with blocking std sockets, within `timeout` in all.
///
/// This is how the thread-based models (sequential, threads, crossbeam) fetch: the
/// calling OS thread blocks in `connect`, `write` and `read`, with socket timeouts
/// set from one deadline so the whole request, not each call, is bounded.
pub fn fetch_blocking(addr: SocketAddr, path: &str, timeout: Duration) -> FetchResult {
    let deadline = Instant::now() + timeout;
    let mut stream =
        TcpStream::connect_timeout(&addr, timeout).map_err(|e| FetchError::connect(&e))?;
    stream
        .set_write_timeout(Some(remaining(deadline)?))
        .map_err(|e| FetchError::io(&e))?;
    stream
        .write_all(&request(addr, path))
        .map_err(|e| FetchError::io(&e))?;
    let mut reader = ResponseReader::new();
    let mut buf = [0u8; READ_BUF_BYTES];
    loop {
        stream
            .set_read_timeout(Some(remaining(deadline)?))
            .map_err(|e| FetchError::io(&e))?;
        match stream.read(&mut buf) {
            Ok(0) => return reader.eof(),
            Ok(n) => {
                if let Progress::Done(page) = reader.feed(&buf[..n])? {
                    return Ok(page);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(FetchError::io(&e)),
        }
    }
}

/// GET `path` from `addr` on tokio's sockets, within `timeout` in all.
///
/// This is how the models that run on tokio fetch (tokio, tokio-current, and actix,
/// whose actors run on it): the same steps as [`fetch_blocking`], each `.await` a
/// point where the task hands its thread back until the socket is ready. The read
/// buffer lives only between `readable().await` and `try_read`, never across an
/// await, so it sits on the polling thread's stack and not inside each of 10,000
/// request futures. `tokio::time::timeout` bounds the whole request and drops it,
/// closing the socket, when the deadline passes.
pub async fn fetch_tokio(addr: SocketAddr, path: &str, timeout: Duration) -> FetchResult {
    tokio::time::timeout(timeout, fetch_tokio_unbounded(addr, path))
        .await
        .unwrap_or(Err(FetchError::Timeout))
}

async fn fetch_tokio_unbounded(addr: SocketAddr, path: &str) -> FetchResult {
    use tokio::io::AsyncWriteExt;
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| FetchError::connect(&e))?;
    stream
        .write_all(&request(addr, path))
        .await
        .map_err(|e| FetchError::io(&e))?;
    let mut reader = ResponseReader::new();
    loop {
        stream.readable().await.map_err(|e| FetchError::io(&e))?;
        let mut buf = [0u8; READ_BUF_BYTES];
        match stream.try_read(&mut buf) {
            Ok(0) => return reader.eof(),
            Ok(n) => {
                if let Progress::Done(page) = reader.feed(&buf[..n])? {
                    return Ok(page);
                }
            }
            // Readiness was stale (a spurious wake-up): wait again.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(FetchError::io(&e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::body;

    fn response(body: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        r.extend_from_slice(body);
        r
    }

    #[test]
    fn reads_a_response_split_at_every_possible_point() {
        let b = body(11, 300);
        let bytes = response(&b);
        let want = Page {
            status: 200,
            bytes: 300,
            digest: Digest::of(&b),
        };
        for cut in 0..bytes.len() {
            let mut r = ResponseReader::new();
            let first = r.feed(&bytes[..cut]).unwrap();
            assert_ne!(first, Progress::Done(want), "done too early at {cut}");
            assert_eq!(r.feed(&bytes[cut..]).unwrap(), Progress::Done(want));
        }
        // One byte at a time, like the trickle fault.
        let mut r = ResponseReader::new();
        let mut last = Progress::More;
        for byte in &bytes {
            last = r.feed(std::slice::from_ref(byte)).unwrap();
        }
        assert_eq!(last, Progress::Done(want));
    }

    #[test]
    fn body_without_length_runs_to_eof() {
        let mut r = ResponseReader::new();
        assert_eq!(
            r.feed(b"HTTP/1.0 200 OK\r\n\r\nhello").unwrap(),
            Progress::More
        );
        let page = r.eof().unwrap();
        assert_eq!(page.bytes, 5);
        assert_eq!(page.digest, Digest::of(b"hello"));
    }

    #[test]
    fn failures_are_typed() {
        let kind = |bytes: &[u8]| {
            let mut r = ResponseReader::new();
            match r.feed(bytes) {
                Err(e) => e.kind(),
                Ok(_) => r.eof().unwrap_err().kind(),
            }
        };
        assert_eq!(kind(b""), FetchErrorKind::Protocol);
        assert_eq!(kind(b"\x00\xffnot http\r\n\r\n"), FetchErrorKind::Protocol);
        assert_eq!(
            kind(b"HTTP/1.0 200 OK\r\nContent-"),
            FetchErrorKind::Protocol
        );
        assert_eq!(
            kind(b"HTTP/1.0 503 Busy\r\nContent-Length: 3\r\n\r\nno!"),
            FetchErrorKind::Status(503)
        );
        assert_eq!(
            kind(b"HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nshort"),
            FetchErrorKind::Protocol
        );
        assert_eq!(
            kind(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\ntoo long"),
            FetchErrorKind::Protocol
        );
        assert_eq!(
            kind(b"HTTP/1.0 200 OK\r\nContent-Length: x\r\n\r\n"),
            FetchErrorKind::Protocol
        );
        assert_eq!(
            kind(b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\nContent-Length: 0\r\n\r\n"),
            FetchErrorKind::Protocol
        );
        let mut huge = b"HTTP/1.0 200 OK\r\n".to_vec();
        huge.extend(std::iter::repeat_n(b'x', MAX_HEAD_BYTES + 1));
        assert_eq!(kind(&huge), FetchErrorKind::Protocol);
    }

    #[test]
    fn io_errors_map_to_kinds() {
        use io::ErrorKind as K;
        let k = |kind| FetchError::io(&io::Error::from(kind)).kind();
        assert_eq!(k(K::WouldBlock), FetchErrorKind::Timeout);
        assert_eq!(k(K::TimedOut), FetchErrorKind::Timeout);
        assert_eq!(k(K::ConnectionReset), FetchErrorKind::Reset);
        assert_eq!(
            FetchError::connect(&io::Error::from(K::ConnectionRefused)).kind(),
            FetchErrorKind::Connect
        );
    }

    #[test]
    fn request_is_http_1_0() {
        let addr: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        assert_eq!(
            request(addr, "/page/1"),
            b"GET /page/1 HTTP/1.0\r\nHost: 127.0.0.1:8080\r\n\r\n"
        );
    }
}
