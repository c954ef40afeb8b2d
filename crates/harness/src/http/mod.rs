//! The HTTP/1.0 client pieces every model shares: the request bytes, an incremental
//! response reader and the typed errors; and the harness's own blocking client.
//!
//! Like the seeds' crawler, a fetch is one request on one plain TCP connection:
//! connect, write `GET <path> HTTP/1.0`, read until the response is complete.
//! The bytes arrive in pieces in every model (a readiness callback, a `poll_read`,
//! a blocking `read` on a green thread), so [`ResponseReader`] takes whatever each
//! read returned and says when the response is done. It never holds the body: it
//! counts it and folds it into a [`Digest`](crate::pages::Digest), which is what
//! verification checks. Each model writes its own fetch on these pieces, in its
//! `crawl.rs`, because how a fetch waits is the model; [`fetch_blocking`] is the
//! harness's client, for its tests.
//!
//! 1. this file: the request, [`Page`], [`FetchError`], [`fetch_blocking`].
//! 2. `reader.rs`: [`ResponseReader`], which frames a response by its
//!    `Content-Length`, by the close, or by the chunked coding.
//! 3. `chunked.rs`: the chunked transfer coding, decoded as it arrives: servers that
//!    are not ours (a crawl of `--urls`) sometimes send it even to HTTP/1.0.

mod chunked;
mod reader;

pub use reader::{Progress, ResponseReader};

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

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

/// The time left before `deadline`, or a timeout error once it has passed.
pub fn remaining(deadline: Instant) -> Result<Duration, FetchError> {
    deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
        .ok_or(FetchError::Timeout)
}

/// GET `path` from `addr` with blocking std sockets, within `timeout` in all.
///
/// The harness's own client, for its tests and the delay server's: the calling OS
/// thread blocks in `connect`, `write` and `read`, with socket timeouts set from
/// one deadline so the whole request, not each call, is bounded. The models do not
/// call it: each has its own fetch in its `crawl.rs` (the thread models' is this
/// code), so that the file shows how the model waits.
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

#[cfg(test)]
mod tests {
    use super::*;

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
