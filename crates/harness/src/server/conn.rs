//! One connection, from accept to close: read the first request head once, route
//! it, answer what cannot be parsed.
//!
//! The head is read with awaits on readiness and one deadline, never by peeking in
//! a sleep loop, so a zero-delay page is answered as soon as its bytes arrive. A
//! fault path goes to the raw socket ([`super::fault`]); everything else goes to
//! hyper together with the bytes read so far ([`super::io::ServerIo`]), so hyper
//! sees the request exactly as the client sent it, and serves the rest of a
//! kept-alive connection itself under the same limits.

use std::sync::Arc;
use std::time::Duration;

use bytes::BufMut as _;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use super::io::ServerIo;
use super::{ServerConfig, Stats, fault, page};
use crate::pages::{Route, Target};

/// Longest request head (request line and headers) the server reads.
pub(super) const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Most header lines in one request head.
pub(super) const MAX_HEADERS: usize = 64;
/// What hyper may buffer per connection, each way: a streamed body waits in the
/// socket, not in the server's memory.
const MAX_BUF_BYTES: usize = 64 * 1024;
/// After refusing a request, how much more of it the server reads and discards
/// before closing, so the close does not turn into a reset that destroys the
/// refusal before the client has read it.
const DRAIN_BYTES: usize = 256 * 1024;
/// And for how long at most.
const DRAIN_TIME: Duration = Duration::from_millis(500);

/// What every connection task shares.
pub(super) struct State {
    pub(super) config: ServerConfig,
    pub(super) stats: Arc<Stats>,
    http: http1::Builder,
}

impl State {
    pub(super) fn new(config: ServerConfig, stats: Arc<Stats>) -> Self {
        let mut http = http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(config.limits.head_timeout)
            .max_headers(MAX_HEADERS)
            .max_header_size(MAX_HEAD_BYTES)
            .max_buf_size(MAX_BUF_BYTES);
        Self {
            config,
            stats,
            http,
        }
    }
}

/// Accepts while a connection slot is free; past the cap, new connections wait in
/// the kernel's accept queue, and the requests in flight keep their descriptors.
pub(super) async fn accept_loop(listener: TcpListener, state: Arc<State>, slots: Arc<Semaphore>) {
    loop {
        // The semaphore is never closed, so this only waits.
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(connection(stream, Arc::clone(&state), slot));
            }
            // Out of descriptors (the cap sits under the limit, but an in-process
            // client shares it): back off instead of spinning; the clients wait
            // in the queue.
            Err(e) if is_out_of_resources(&e) => {
                if state.config.verbose {
                    eprintln!("accept: {e}");
                }
                drop(slot);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            // A connection that died in the queue (ECONNABORTED): the next one.
            Err(_) => {}
        }
    }
}

fn is_out_of_resources(e: &std::io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}

/// Why the first request head could not be read.
#[derive(Debug)]
enum HeadError {
    /// The client left (or never spoke): there is no one to answer.
    Gone,
    /// Too slow: the deadline passed with part of a head read.
    Timeout,
    /// Longer than [`MAX_HEAD_BYTES`], or more than [`MAX_HEADERS`] lines.
    TooLarge,
    /// Not an HTTP/1.x request head.
    Malformed(httparse::Error),
}

/// The first request head, as read from the socket.
struct Head {
    /// Every byte read so far: the head and whatever followed it in the same reads.
    bytes: Vec<u8>,
    /// The request target, when the method is GET (faults are asked with GET).
    get_target: Option<String>,
}

async fn connection(stream: TcpStream, state: Arc<State>, slot: OwnedSemaphorePermit) {
    // Both count the connection until this task ends, however it ends; the count
    // drops before the slot is freed (tuples drop in order), so the count never
    // shows more connections than slots.
    let _open = (state.stats.open(), slot);
    // Responses are small and latency is what a crawl measures: no Nagle delay.
    let _ = stream.set_nodelay(true);
    let deadline = Instant::now() + state.config.limits.head_timeout;
    let head = match read_head(&stream, deadline).await {
        Ok(head) => head,
        Err(HeadError::Gone) => return,
        Err(e) => {
            if state.config.verbose {
                eprintln!("refused a request head: {e:?}");
            }
            refuse(stream, &e, state.config.limits.write_timeout).await;
            return;
        }
    };
    if let Some(target) = &head.get_target {
        if let Some(query) = origin_form(target).strip_prefix(super::quiesce::PATH) {
            super::quiesce::answer(stream, query, &state.stats).await;
            return;
        }
        if let Target::Route(Route::Fault { fault, i }) = Target::parse(origin_form(target)) {
            if state.config.verbose {
                eprintln!("GET {target}");
            }
            fault::misbehave(stream, fault, i, &state.config.limits).await;
            return;
        }
    }
    let io = ServerIo::new(head.bytes, stream, state.config.limits.write_timeout);
    let service_state = Arc::clone(&state);
    let service = service_fn(move |req| page::respond(req, Arc::clone(&service_state)));
    // Errors here are clients that hung up early, sent a bad later request (hyper
    // answers those itself) or stopped reading: not the server's news.
    let _ = state.http.serve_connection(TokioIo::new(io), service).await;
}

/// Reads until the first request head is complete, too long, malformed or late.
/// The buffer is allocated only once the socket is readable, so an idle connection
/// costs its task and no more.
async fn read_head(stream: &TcpStream, deadline: Instant) -> Result<Head, HeadError> {
    let mut bytes: Vec<u8> = Vec::new();
    // The request usually arrives right behind the connection: try one read before
    // asking the reactor, whose readiness for a new socket starts empty and would
    // cost a trip through epoll for bytes that are already here.
    let mut first = true;
    loop {
        // Read at most one byte past the limit: enough to know the head is too long.
        let room = (MAX_HEAD_BYTES + 1 - bytes.len()).min(4096);
        let read = if std::mem::take(&mut first) {
            read_now(stream, &mut bytes, room)
        } else {
            match tokio::time::timeout_at(deadline, stream.readable()).await {
                Err(_) if bytes.is_empty() => return Err(HeadError::Gone),
                Err(_) => return Err(HeadError::Timeout),
                Ok(Err(_)) => return Err(HeadError::Gone),
                Ok(Ok(())) => {}
            }
            bytes.reserve_exact(room);
            stream.try_read_buf(&mut (&mut bytes).limit(room))
        };
        match read {
            Ok(0) => return Err(HeadError::Gone),
            Ok(_) => {}
            // Nothing yet (or stale readiness): wait for the reactor.
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(HeadError::Gone),
        }
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(&bytes) {
            Ok(httparse::Status::Complete(_)) => {
                let get_target = (request.method == Some("GET"))
                    .then(|| request.path.map(str::to_owned))
                    .flatten();
                return Ok(Head { bytes, get_target });
            }
            Ok(httparse::Status::Partial) if bytes.len() > MAX_HEAD_BYTES => {
                return Err(HeadError::TooLarge);
            }
            Ok(httparse::Status::Partial) => {}
            Err(httparse::Error::TooManyHeaders) => return Err(HeadError::TooLarge),
            Err(e) => return Err(HeadError::Malformed(e)),
        }
    }
}

/// One nonblocking read straight from the socket, past tokio's readiness cache.
/// (Tokio's sockets are nonblocking, so this never waits; a `WouldBlock` leaves
/// the caller to wait on the reactor as usual.) It reads into the stack, not into
/// `bytes`, so a connection with nothing to say yet holds no buffer.
fn read_now(stream: &TcpStream, bytes: &mut Vec<u8>, room: usize) -> std::io::Result<usize> {
    use std::io::Read as _;
    let mut buf = [0u8; 4096];
    let room = room.min(buf.len());
    let n = (&*socket2::SockRef::from(stream)).read(&mut buf[..room])?;
    bytes.extend_from_slice(&buf[..n]);
    Ok(n)
}

/// The path of a target in absolute form (`http://host/fault/close/1`, as a proxy
/// client sends it), or the target itself.
fn origin_form(target: &str) -> &str {
    let Some(rest) = target
        .strip_prefix("http://")
        .or_else(|| target.strip_prefix("https://"))
    else {
        return target;
    };
    rest.find('/').map_or("/", |at| &rest[at..])
}

/// Answers a head that could not be read with its status and one line, then
/// closes the connection gently.
async fn refuse(mut stream: TcpStream, why: &HeadError, write_timeout: Duration) {
    let (status, reason) = match why {
        HeadError::Timeout => (
            "408 Request Timeout",
            "the request head did not arrive in time".to_owned(),
        ),
        HeadError::TooLarge => (
            "431 Request Header Fields Too Large",
            format!(
                "the request head is over {MAX_HEAD_BYTES} bytes or {MAX_HEADERS} header lines"
            ),
        ),
        HeadError::Malformed(e) => ("400 Bad Request", format!("not an HTTP/1.x request: {e}")),
        HeadError::Gone => return,
    };
    let response = text_response(status, &reason);
    let written = tokio::time::timeout(write_timeout, async {
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await
    })
    .await;
    if matches!(written, Ok(Ok(()))) {
        drain(&mut stream).await;
    }
}

/// A complete HTTP/1.0 response with a one-line plain-text body.
pub(super) fn text_response(status: &str, line: &str) -> String {
    format!(
        "HTTP/1.0 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{line}\n",
        line.len() + 1
    )
}

/// Reads and discards what the client still sends, within a bound, so that
/// closing with unread bytes does not reset the connection under the response.
async fn drain(stream: &mut TcpStream) {
    let _ = tokio::time::timeout(DRAIN_TIME, async {
        let mut buf = [0u8; 4096];
        let mut left = DRAIN_BYTES;
        while left > 0 {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => left = left.saturating_sub(n),
            }
        }
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_targets_route_by_their_path() {
        assert_eq!(origin_form("http://h:5000/fault/close/1"), "/fault/close/1");
        assert_eq!(origin_form("https://h"), "/");
        assert_eq!(origin_form("/page/1"), "/page/1");
        assert_eq!(origin_form("*"), "*");
    }

    #[test]
    fn refusals_are_complete_responses() {
        let r = text_response("400 Bad Request", "why");
        assert!(r.starts_with("HTTP/1.0 400 Bad Request\r\n"));
        assert!(r.ends_with("Content-Length: 4\r\nConnection: close\r\n\r\nwhy\n"));
    }
}
