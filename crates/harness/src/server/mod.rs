//! The delay server: the remote end of every crawl.
//!
//! The seeds' crawler fetches pages from a server that takes a second to answer;
//! this is that server, real enough to hold 10,000 connections at once. It is
//! tokio + hyper, so what is measured is the client models, not a toy server.
//!
//! `GET /page/<i>?delay_ms=<d>&bytes=<b>` waits `d` ms (the server's default when
//! absent), then answers 200 with the deterministic body of page `i` (see
//! [`crate::pages`]) and a Content-Length. Any other path (`/`, `/7`: the seeds'
//! crawlers) is a plain page after the default delay. The `/fault/...` paths
//! misbehave at the byte level, which hyper rightly does not allow, so the server
//! reads each connection's first request head itself (`conn.rs`), routes faults to
//! the raw socket (`fault.rs`) and hands everything else, with the bytes already
//! read, to hyper (`page.rs`).
//!
//! No request stops it: every number in a path has a bound and a request beyond one
//! gets `400` with a reason; bodies are generated in pieces as the client reads
//! them; request heads are size-limited and must arrive within
//! [`Limits::head_timeout`]; a client that stops reading is dropped after
//! [`Limits::write_timeout`]; and past [`Limits::max_connections`] new connections
//! wait in the kernel's accept queue instead of taking descriptors from the
//! requests in flight.
//!
//! Run it with `concurrency-models serve`, or in-process with [`spawn`] (tests,
//! benches, `run` without `--server`).

mod config;
mod conn;
mod fault;
mod io;
mod page;
mod quiesce;

use std::io as stdio;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::thread::JoinHandle;

use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::{Semaphore, oneshot};

pub use config::{Limits, ServerConfig};

/// The listen backlog: 10,000 clients connecting at once must not see SYNs dropped.
/// (Linux caps it at `net.core.somaxconn`, 4096 on current kernels.)
const BACKLOG: u32 = 8192;
/// Open files the server keeps for itself (listener, runtime, stdio) when it sizes
/// [`Limits::max_connections`] from the open-file limit.
const RESERVED_FILES: u64 = 64;

/// Counters a test can read to check what clients did.
#[derive(Debug, Default)]
pub struct Stats {
    in_flight: AtomicUsize,
    peak_in_flight: AtomicUsize,
    pages: AtomicU64,
    connections: AtomicUsize,
    peak_connections: AtomicUsize,
    /// Page requests ever started (never reset): what `/_quiesce` counts from.
    started: AtomicU64,
    /// Woken whenever a connection opens or closes or a page request starts.
    changed: tokio::sync::Notify,
}

impl Stats {
    /// Page requests answered since the last [`reset`](Self::reset).
    pub fn pages(&self) -> u64 {
        self.pages.load(Ordering::Relaxed)
    }

    /// Page requests waiting on their delay now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Relaxed)
    }

    /// The most page requests that were waiting on their delay at one time.
    ///
    /// A request counts from the moment its head is parsed until its response is
    /// handed to hyper, before the client can see it, or until its client leaves;
    /// so a client that keeps at most `c` requests in flight can never push this
    /// above `c`.
    pub fn peak_in_flight(&self) -> usize {
        self.peak_in_flight.load(Ordering::Relaxed)
    }

    /// Connections the server holds open now, whatever they are doing.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }

    /// The most connections it held open at one time: never above
    /// [`Limits::max_connections`].
    pub fn peak_connections(&self) -> usize {
        self.peak_connections.load(Ordering::Relaxed)
    }

    /// Zeroes the counters between runs.
    pub fn reset(&self) {
        self.peak_in_flight.store(0, Ordering::Relaxed);
        self.pages.store(0, Ordering::Relaxed);
        self.peak_connections.store(0, Ordering::Relaxed);
    }

    /// Counts an accepted connection in until the guard drops.
    fn open(self: &Arc<Self>) -> Open {
        let now = self.connections.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak_connections.fetch_max(now, Ordering::Relaxed);
        self.changed.notify_waiters();
        Open(Arc::clone(self))
    }

    /// Counts a page request in; it counts out when the guard drops, answered or
    /// not, so a client that hangs up mid-delay does not stay "in flight".
    fn enter(self: &Arc<Self>) -> InFlight {
        let now = self.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak_in_flight.fetch_max(now, Ordering::Relaxed);
        self.started.fetch_add(1, Ordering::Relaxed);
        self.changed.notify_waiters();
        InFlight(Arc::clone(self))
    }
}

/// One page request in flight; see [`Stats::enter`].
struct InFlight(Arc<Stats>);

impl InFlight {
    /// The response is ready: count the page answered and the request out.
    fn answered(self) {
        self.0.pages.fetch_add(1, Ordering::Relaxed);
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One accepted connection; see [`Stats::open`].
struct Open(Arc<Stats>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::Relaxed);
        self.0.changed.notify_waiters();
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

/// Binds a listener with a deep backlog and `SO_REUSEADDR`, so a server restarted
/// on its port binds at once instead of waiting out the old connections'
/// `TIME_WAIT` (a minute on Linux). A port another listener holds is still
/// `AddrInUse`, here, at once.
fn bind(addr: SocketAddr) -> stdio::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

fn runtime(threads: usize) -> stdio::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .thread_name("delay-server")
        .enable_all()
        .build()
}

/// Raises the open-file limit and sizes the connection cap under it.
fn prepare(config: &ServerConfig) -> stdio::Result<Arc<Semaphore>> {
    config.check()?;
    // Not fatal if it fails: the server then holds what the default limit allows.
    let files = crate::limits::raise_nofile()
        .or_else(|_| crate::limits::nofile().map(|(soft, _)| soft))
        .unwrap_or(1024);
    let from_files = usize::try_from(files.saturating_sub(RESERVED_FILES)).unwrap_or(usize::MAX);
    let cap = config
        .limits
        .max_connections
        .unwrap_or(from_files)
        .clamp(1, Semaphore::MAX_PERMITS);
    Ok(Arc::new(Semaphore::new(cap)))
}

/// Starts the server on a background thread and returns once it is listening.
pub fn spawn(config: ServerConfig) -> stdio::Result<ServerHandle> {
    let slots = prepare(&config)?;
    let rt = runtime(config.threads)?;
    let listener = rt.block_on(async { bind(config.addr) })?;
    let addr = listener.local_addr()?;
    let stats = Arc::new(Stats::default());
    let (stop, stopped) = oneshot::channel();
    let state = Arc::new(conn::State::new(config, Arc::clone(&stats)));
    let thread = std::thread::Builder::new()
        .name("delay-server-main".into())
        .spawn(move || {
            rt.block_on(async {
                // On a worker, not on this thread: see `serve_forever`.
                let accepting = tokio::spawn(conn::accept_loop(listener, state, slots));
                tokio::select! {
                    _ = accepting => {}
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
pub fn serve_forever(config: ServerConfig) -> stdio::Result<()> {
    let slots = prepare(&config)?;
    let rt = runtime(config.threads)?;
    rt.block_on(async {
        let listener = bind(config.addr)?;
        let addr = listener.local_addr()?;
        {
            use std::io::Write;
            let mut out = stdio::stdout().lock();
            writeln!(out, "listening on {addr}")?;
            out.flush()?;
        }
        let state = Arc::new(conn::State::new(config, Arc::default()));
        // The accept loop runs as a task on a worker thread, not in `block_on`
        // on this one: a connection it spawns then starts on the same worker,
        // with no hand-over between threads before its first byte is read.
        let accepting = tokio::spawn(conn::accept_loop(listener, state, slots));
        // The loop never ends on its own; if it panicked, say so.
        accepting
            .await
            .map_err(|e| stdio::Error::other(format!("the accept loop stopped: {e}")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{FetchErrorKind, fetch_blocking};
    use crate::pages::{Expected, Fault, MAX_BODY_BYTES, MAX_DELAY_MS, expected, page_path};
    use std::time::Duration;

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
        assert_eq!(server.stats().in_flight(), 0);
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
        let err = fetch_blocking(addr, "/page/1?bytes=x", timeout).unwrap_err();
        assert_eq!(err.kind(), FetchErrorKind::Status(400));
    }

    #[test]
    fn port_in_use_is_an_error_not_a_panic() {
        let server = spawn(ServerConfig::default()).unwrap();
        let err = spawn(ServerConfig {
            addr: server.addr(),
            ..ServerConfig::default()
        })
        .unwrap_err();
        assert_eq!(err.kind(), stdio::ErrorKind::AddrInUse);
    }

    #[test]
    fn a_configuration_beyond_the_bounds_is_refused_in_one_line() {
        let refused = |config: ServerConfig| {
            let err = spawn(config).unwrap_err();
            assert_eq!(err.kind(), stdio::ErrorKind::InvalidInput);
            err.to_string()
        };
        let slow = refused(ServerConfig {
            delay: Duration::from_millis(MAX_DELAY_MS + 1),
            ..ServerConfig::default()
        });
        assert!(slow.contains("delay"), "{slow}");
        let big = refused(ServerConfig {
            body_bytes: MAX_BODY_BYTES + 1,
            ..ServerConfig::default()
        });
        assert!(big.contains("body"), "{big}");
        refused(ServerConfig {
            limits: Limits {
                max_connections: Some(0),
                ..Limits::default()
            },
            ..ServerConfig::default()
        });
    }
}
