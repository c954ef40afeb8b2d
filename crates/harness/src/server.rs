//! The delay server: the remote end of every crawl.
//!
//! The seeds' crawler fetches pages from a server that takes a second to answer;
//! this is that server, real enough to hold 10,000 connections at once. It is
//! tokio + hyper, so what is measured is the client models, not a toy server.
//!
//! `GET /page/<i>?delay_ms=<d>&bytes=<b>` waits `d` ms (the server's default when
//! absent), then answers 200 with the deterministic body of page `i` (see
//! [`crate::pages`]) and a Content-Length. The `/fault/...` paths misbehave at the
//! byte level, which hyper rightly does not allow, so those connections are handled
//! on the raw socket: the server peeks at the request line and routes before hyper
//! ever sees the connection.
//!
//! Run it with `concurrency-models serve`, or in-process with [`spawn`] (tests,
//! benches, `run` without `--server`).

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response, StatusCode, body::Incoming, service::service_fn};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::oneshot;

use crate::pages::{self, FAULT_BODY_BYTES, Fault, Route, TRICKLE_BODY_BYTES, TRICKLE_GAP};

/// The listen backlog: 10,000 clients connecting at once must not see SYNs dropped.
/// (Linux caps it at `net.core.somaxconn`, 4096 on current kernels.)
const BACKLOG: u32 = 8192;
/// Longest request head the server reads before giving up on a client.
const MAX_REQUEST_HEAD: usize = 8 * 1024;

/// How to run the server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Where to listen; port 0 picks a free one.
    pub addr: SocketAddr,
    /// Delay for pages whose path does not give `delay_ms`.
    pub delay: Duration,
    /// Body length for pages whose path does not give `bytes`.
    pub body_bytes: usize,
    /// Runtime worker threads.
    pub threads: usize,
    /// Log each request to stderr (off by default: 10,000 lines per crawl is noise
    /// and costs the CPU being measured).
    pub verbose: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            delay: Duration::from_millis(1000),
            body_bytes: pages::DEFAULT_BODY_BYTES,
            threads: 1,
            verbose: false,
        }
    }
}

/// Counters a test can read to check what clients did.
#[derive(Debug, Default)]
pub struct Stats {
    in_flight: AtomicUsize,
    peak_in_flight: AtomicUsize,
    pages: AtomicU64,
}

impl Stats {
    /// Page requests answered since the last [`reset`](Self::reset).
    pub fn pages(&self) -> u64 {
        self.pages.load(Ordering::Relaxed)
    }

    /// The most page requests that were waiting on their delay at one time.
    ///
    /// A request counts from the moment its head is parsed until its response is
    /// handed to hyper, before the client can see it; so a client that keeps at most
    /// `c` requests in flight can never push this above `c`.
    pub fn peak_in_flight(&self) -> usize {
        self.peak_in_flight.load(Ordering::Relaxed)
    }

    /// Zeroes the counters between runs.
    pub fn reset(&self) {
        self.peak_in_flight.store(0, Ordering::Relaxed);
        self.pages.store(0, Ordering::Relaxed);
    }

    fn enter(&self) {
        let now = self.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak_in_flight.fetch_max(now, Ordering::Relaxed);
    }

    fn leave(&self) {
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.pages.fetch_add(1, Ordering::Relaxed);
    }
}

/// A server running on a thread of its own; dropping the handle stops it and joins
/// the thread, closing every connection it still held.
#[derive(Debug)]
pub struct ServerHandle {
    addr: SocketAddr,
    stats: Arc<Stats>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ServerHandle {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            // The server may already be gone if its thread panicked; nothing to stop.
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panic in the server thread was already printed; do not panic in drop.
            let _ = thread.join();
        }
    }
}

/// Binds a listener with a deep backlog. Errors (port in use) surface here, at once.
fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

fn runtime(threads: usize) -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .thread_name("delay-server")
        .enable_all()
        .build()
}

/// Starts the server on a background thread and returns once it is listening.
pub fn spawn(config: ServerConfig) -> io::Result<ServerHandle> {
    // Not fatal if it fails: the server then holds what the default limit allows.
    let _ = crate::limits::raise_nofile();
    let rt = runtime(config.threads)?;
    let listener = rt.block_on(async { bind(config.addr) })?;
    let addr = listener.local_addr()?;
    let stats = Arc::new(Stats::default());
    let (stop, stopped) = oneshot::channel();
    let state = Arc::new(State {
        config,
        stats: Arc::clone(&stats),
    });
    let thread = std::thread::Builder::new()
        .name("delay-server-main".into())
        .spawn(move || {
            rt.block_on(async {
                tokio::select! {
                    () = accept_loop(listener, state) => {}
                    _ = stopped => {}
                }
            });
            // Dropping the runtime cancels every connection task (stalled ones too).
            drop(rt);
        })?;
    Ok(ServerHandle {
        addr,
        stats,
        stop: Some(stop),
        thread: Some(thread),
    })
}

/// Runs the server in this thread until the process is killed, printing
/// `listening on <addr>` as the first line on stdout once it accepts connections.
pub fn serve_forever(config: ServerConfig) -> io::Result<()> {
    let _ = crate::limits::raise_nofile();
    let rt = runtime(config.threads)?;
    rt.block_on(async {
        let listener = bind(config.addr)?;
        let addr = listener.local_addr()?;
        {
            use std::io::Write;
            let mut out = io::stdout().lock();
            writeln!(out, "listening on {addr}")?;
            out.flush()?;
        }
        let state = Arc::new(State {
            config,
            stats: Arc::default(),
        });
        accept_loop(listener, state).await;
        Ok(())
    })
}

struct State {
    config: ServerConfig,
    stats: Arc<Stats>,
}

async fn accept_loop(listener: TcpListener, state: Arc<State>) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(connection(stream, Arc::clone(&state)));
            }
            // EMFILE and friends: back off instead of spinning; clients time out.
            Err(e) => {
                if state.config.verbose {
                    eprintln!("accept: {e}");
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// Peeks at the request line to route the connection: faults on the raw socket,
/// everything else through hyper.
async fn connection(stream: TcpStream, state: Arc<State>) {
    let target = match peek_target(&stream).await {
        Ok(Some(target)) => target,
        // Not even a request line: hyper answers 400 for garbage in; for a client
        // that left, there is no one to answer.
        Ok(None) | Err(_) => String::new(),
    };
    if state.config.verbose {
        eprintln!("GET {target}");
    }
    if let Some(Route::Fault { fault, i }) = Route::parse(&target) {
        // The peer vanishing mid-fault is part of the game; nothing to report.
        let _ = misbehave(stream, fault, i).await;
        return;
    }
    let service = service_fn(move |req| page(req, Arc::clone(&state)));
    // Errors here are clients that hung up early (timeouts); not the server's news.
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// The request target from the first line, without consuming any bytes.
async fn peek_target(stream: &TcpStream) -> io::Result<Option<String>> {
    let mut buf = [0u8; 512];
    // A request line arrives in one segment in practice; a client that dribbles it
    // gets a few short naps rather than a busy loop of peeks.
    for _ in 0..50 {
        let n = stream.peek(&mut buf).await?;
        if n == 0 {
            return Ok(None);
        }
        if let Some(end) = buf[..n].windows(2).position(|w| w == b"\r\n") {
            let line = String::from_utf8_lossy(&buf[..end]);
            let mut parts = line.split(' ');
            return Ok(match (parts.next(), parts.next()) {
                (Some("GET"), Some(target)) => Some(target.to_owned()),
                _ => None,
            });
        }
        if n == buf.len() {
            return Ok(None);
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Ok(None)
}

async fn page(
    req: Request<Incoming>,
    state: Arc<State>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let target = req.uri().path_and_query().map_or("/", |p| p.as_str());
    let Some(Route::Page { i, delay_ms, bytes }) = Route::parse(target) else {
        let mut not_found = Response::new(Full::new(Bytes::from_static(b"not found\n")));
        *not_found.status_mut() = StatusCode::NOT_FOUND;
        return Ok(not_found);
    };
    let delay = delay_ms.map_or(state.config.delay, Duration::from_millis);
    let len = bytes.unwrap_or(state.config.body_bytes);
    state.stats.enter();
    tokio::time::sleep(delay).await;
    let body = Bytes::from(pages::body(i, len));
    state.stats.leave();
    let mut response = Response::new(Full::new(body));
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain"),
    );
    // hyper adds Content-Length for a Full body of known size.
    Ok(response)
}

/// Reads the whole request head, so no unread bytes turn our close into a reset.
async fn read_head(stream: &mut TcpStream) -> io::Result<()> {
    let mut head = Vec::with_capacity(256);
    let mut buf = [0u8; 512];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_REQUEST_HEAD {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    Ok(())
}

fn head(status: &str, content_length: usize) -> String {
    format!(
        "HTTP/1.0 {status}\r\nContent-Type: text/plain\r\nContent-Length: {content_length}\r\n\r\n"
    )
}

async fn misbehave(mut stream: TcpStream, fault: Fault, i: u64) -> io::Result<()> {
    read_head(&mut stream).await?;
    match fault {
        Fault::Reset => {
            let body = pages::body(i, FAULT_BODY_BYTES);
            stream
                .write_all(head("200 OK", body.len()).as_bytes())
                .await?;
            stream.write_all(&body[..body.len() / 2]).await?;
            stream.flush().await?;
            // Let the partial body reach the client before the RST overtakes it.
            tokio::time::sleep(Duration::from_millis(20)).await;
            // SO_LINGER with a zero timeout makes close() send RST instead of FIN.
            socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO))?;
            drop(stream);
        }
        Fault::Close => drop(stream),
        Fault::Garbage => {
            stream
                .write_all(b"\x00\x01\x02 this is not HTTP at all \xff\xfe\r\n\r\n")
                .await?;
            stream.shutdown().await?;
        }
        Fault::Status(code) => {
            let body = pages::body(i, FAULT_BODY_BYTES);
            stream
                .write_all(head(&format!("{code} Fault"), body.len()).as_bytes())
                .await?;
            stream.write_all(&body).await?;
            stream.shutdown().await?;
        }
        Fault::Stall => {
            // Never answer; wait for the client to give up and close.
            let mut buf = [0u8; 64];
            while stream.read(&mut buf).await? > 0 {}
        }
        Fault::Trickle => {
            let body = pages::body(i, TRICKLE_BODY_BYTES);
            stream
                .write_all(head("200 OK", body.len()).as_bytes())
                .await?;
            for byte in body {
                tokio::time::sleep(TRICKLE_GAP).await;
                stream.write_all(&[byte]).await?;
            }
            stream.shutdown().await?;
        }
        Fault::Short => {
            let body = pages::body(i, FAULT_BODY_BYTES);
            stream
                .write_all(head("200 OK", body.len()).as_bytes())
                .await?;
            stream.write_all(&body[..body.len() / 2]).await?;
            stream.shutdown().await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{FetchErrorKind, fetch_blocking};
    use crate::pages::{Expected, expected, page_path};

    #[test]
    fn serves_pages_and_every_fault_as_named() {
        let server = spawn(ServerConfig::default()).unwrap();
        let addr = server.addr();
        let timeout = Duration::from_millis(500);
        let path = page_path(3, 5, 2000);
        let Some(Expected::Page { bytes, digest }) = expected(&path) else {
            unreachable!()
        };
        let page = fetch_blocking(addr, &path, timeout).unwrap();
        assert_eq!((page.status, page.bytes, page.digest), (200, bytes, digest));
        assert_eq!(server.stats().pages(), 1);
        for fault in Fault::ALL {
            let path = fault.path(1);
            let got = fetch_blocking(addr, &path, timeout);
            let want = expected(&path).unwrap();
            match (want, got) {
                (Expected::Error(kind), Err(e)) => assert_eq!(e.kind(), kind, "{path}: {e}"),
                (Expected::Page { digest, .. }, Ok(p)) => assert_eq!(p.digest, digest),
                (want, got) => panic!("{path}: want {want:?}, got {got:?}"),
            }
        }
        let err = fetch_blocking(addr, "/nowhere", timeout).unwrap_err();
        assert_eq!(err.kind(), FetchErrorKind::Status(404));
    }

    #[test]
    fn port_in_use_is_an_error_not_a_panic() {
        let server = spawn(ServerConfig::default()).unwrap();
        let err = spawn(ServerConfig {
            addr: server.addr(),
            ..ServerConfig::default()
        })
        .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AddrInUse);
    }
}
