//! cancel with threads: one OS thread per request, blocked in `read`; the calling
//! thread cancels them by shutting each socket down from outside.
//!
//! A thread cannot be cancelled in Rust: std has no `Thread::kill`, by design
//! (a thread stopped at an arbitrary point would leave locks held and invariants
//! broken), so stopping one takes its cooperation. A thread blocked in `read`
//! cooperates only when `read` returns, and what makes it return is the socket:
//! each request registers a `try_clone` of its stream (a second descriptor for
//! the same socket), and the cancel sets a shared flag, then calls
//! `shutdown(Shutdown::Both)` on every clone. Shutdown acts on the socket, not the
//! descriptor, so the blocked `read` returns at once (std's docs: "all pending
//! and future I/O on the specified portions to return immediately"), the thread
//! sees the flag and reports `Cancelled`, and the server sees a FIN. This is how
//! blocking servers in C and Java stop a reader (`shutdown(2)`, or
//! `Socket.close` from another thread), and what a timeout cannot replace: the
//! request would end when the clock says, not when the caller does.
//!
//! The flag and the clones sit behind one `Mutex`, so a request that connects
//! after the cancel sees the flag before it sends anything, and none is missed.
//! The cost: a thread and two descriptors per request, and a cancel that takes
//! one system call per request, all made by the one cancelling thread.

use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use harness::http::FetchError;
use harness::spec::{CancelOutcome, CancelSpec, RequestEnd, SPARE_FILES};
use harness::{ModelError, Probe, limits};

use super::crawl::exchange;
use super::{builder, check_thread_budget, join, spawn_failed};

/// How long a request may wait for its connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long past `after` a request waits before it gives up on its own: only a
/// cancel that never came reaches it, and then the request ends `Failed` with a
/// timeout instead of holding its thread forever.
const GIVE_UP: Duration = Duration::from_secs(30);

// ## request

/// One request, on its own thread: connect, register a clone for the cancel,
/// then the crawl's blocking exchange until the page comes or the socket is shut.
fn request(
    addr: SocketAddr,
    path: &str,
    deadline: Instant,
    cancel: &Cancel,
    probe: &Probe,
) -> RequestEnd {
    let _alive = probe.enter();
    let stream = match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
        Ok(stream) => stream,
        Err(e) => return RequestEnd::Failed(FetchError::connect(&e)),
    };
    match cancel.register(&stream) {
        Ok(true) => {}
        // Cancelled before it was sent: close it unsent.
        Ok(false) => return RequestEnd::Cancelled,
        Err(e) => return RequestEnd::Failed(FetchError::io(&e)),
    }
    match exchange(&stream, addr, path, deadline) {
        Ok(page) => RequestEnd::Page(page),
        // The shutdown ends the read with an EOF or an error: which one does not
        // matter, the flag says why.
        Err(_) if cancel.is_cancelled() => RequestEnd::Cancelled,
        Err(e) => RequestEnd::Failed(e),
    }
    // The stream, this thread's descriptor, is closed here.
}

// ## run

pub(crate) fn run(spec: &CancelSpec) -> Result<CancelOutcome, ModelError> {
    let n = spec.paths.len();
    check_thread_budget(n)?;
    // Each request holds its stream and the clone the cancel shuts down.
    limits::ensure_nofile(2 * n as u64 + SPARE_FILES, "cancel requests")
        .map_err(ModelError::unsupported)?;
    // No runtime to build: the work starts with the first thread.
    spec.probe.begin();
    let cancel = Cancel::default();
    let deadline = Instant::now() + spec.after + GIVE_UP;
    let outcome = thread::scope(|s| {
        let mut requests = Vec::with_capacity(n);
        for (i, path) in spec.paths.iter().enumerate() {
            let started = builder("cancel").spawn_scoped(s, || {
                request(spec.addr, path, deadline, &cancel, &spec.probe)
            });
            match started {
                Ok(h) => requests.push(h),
                Err(e) => {
                    // Not the workload's cancel: the run failed; end the requests
                    // already started so the scope's join does not wait for them.
                    cancel.all();
                    return Err(spawn_failed(i, n, &e));
                }
            }
        }
        // All n are in flight (or on their way); the caller's own sleep.
        thread::sleep(spec.after);
        spec.cancelling();
        cancel.all();
        let ends = requests.into_iter().map(join).collect::<Result<_, _>>()?;
        Ok(CancelOutcome { ends })
    });
    spec.probe.end();
    outcome
}

// ## cancel

/// What the requests and the cancelling thread share: the flag, and the clones
/// still to shut down.
#[derive(Debug, Default)]
struct Cancel(Mutex<Registry>);

#[derive(Debug, Default)]
struct Registry {
    cancelled: bool,
    clones: Vec<TcpStream>,
}

impl Cancel {
    /// Keeps a clone of `stream` for the cancel; `false` if the cancel came first.
    fn register(&self, stream: &TcpStream) -> std::io::Result<bool> {
        let mut r = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if r.cancelled {
            return Ok(false);
        }
        r.clones.push(stream.try_clone()?);
        Ok(true)
    }

    fn is_cancelled(&self) -> bool {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .cancelled
    }

    /// Sets the flag, then shuts every registered socket down: each blocked `read`
    /// returns, and the server sees the connection close. The clones are closed
    /// as they are dropped; each request closes its own descriptor as it ends.
    fn all(&self) {
        let clones = {
            let mut r = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            r.cancelled = true;
            std::mem::take(&mut r.clones)
        };
        for clone in clones {
            // An error means the socket is already down (the server closed it):
            // its read has returned already, and there is nothing left to end.
            let _ = clone.shutdown(Shutdown::Both);
        }
    }
}
