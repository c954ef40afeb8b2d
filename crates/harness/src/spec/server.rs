//! server: the model is the server, the harness's load generator the client.
//!
//! The rules, the same in every model:
//! - the model serves the page protocol ([`crate::respond`]) on the listener the
//!   harness bound ([`ServerSpec::take_listener`]), in its own style: a callback
//!   per readiness event, a task, coroutine, process, actor or thread per
//!   connection, or one request at a time;
//! - it waits each page's delay with its own sleep, and writes the response only
//!   then (the seeds' server that takes a second to answer);
//! - it calls `spec.probe.begin()` once it can accept (its runtime is up): the
//!   harness starts the load only then, so start-up is never a request's latency;
//! - every connection's handler holds `spec.probe.enter()` while the connection is
//!   open, so the probe's peak is the connections the model held at once;
//! - it counts what it did in the spec's [`ServerTally`] (accepted, answered,
//!   refused, and every connection it could not hold, with the reason);
//! - when [`Stop`] fires it stops accepting, closes the listener, lets its open
//!   connections end (the harness stops a server only after its clients have
//!   closed), joins everything it started, calls `spec.probe.end()` and returns.
//!
//! `verify` takes the load generator's [`LoadReport`] as well: a run that
//! dropped, failed or corrupted a single response is not ranked, and the model's
//! count of pages answered must be the count the client received.

use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::Duration;

use super::{Probe, VerifyError, check, default_threads};
use crate::load::LoadReport;
use crate::model::ModelError;

/// Serve the page protocol on the harness's listener until told to stop.
#[derive(Debug)]
pub struct ServerSpec {
    listener: Mutex<Option<TcpListener>>,
    /// Where the listener listens (loopback, a port the system chose).
    pub addr: SocketAddr,
    /// Fires once every client has gone: stop accepting and return.
    pub stop: Stop,
    /// Connections the load generator will open and hold: a model that must size
    /// something by it (a thread per connection, a descriptor limit) reads it.
    pub connections: usize,
    /// Worker threads, for the models that have them.
    pub threads: usize,
    /// What the model counts as it serves.
    pub tally: Arc<ServerTally>,
    /// Where the model marks its measured phase, and the gauge its connections hold.
    pub probe: Probe,
}

/// The listen backlog: every connection of a `--connections` sweep may arrive at
/// once, before the model's first accept. (Linux caps it at `net.core.somaxconn`.)
pub const BACKLOG: i32 = 8192;

impl ServerSpec {
    /// Binds a listener on a free loopback port, in blocking mode (models that poll
    /// set it nonblocking themselves), with a backlog deep enough for a sweep.
    pub fn bind(connections: usize) -> std::io::Result<Self> {
        use socket2::{Domain, Socket, Type};
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
        socket.set_reuse_address(true)?;
        socket.bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())?;
        socket.listen(BACKLOG)?;
        let listener: TcpListener = socket.into();
        let addr = listener.local_addr()?;
        Ok(Self {
            listener: Mutex::new(Some(listener)),
            addr,
            stop: Stop::new(addr),
            connections,
            threads: default_threads(),
            tally: Arc::default(),
            probe: Probe::default(),
        })
    }

    /// The listener, once; a second call is a model bug and says so.
    pub fn take_listener(&self) -> Result<TcpListener, ModelError> {
        self.listener
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
            .ok_or_else(|| ModelError::failed("the listener was already taken"))
    }

    /// Descriptors the model needs: one per connection plus spare ones. Raises the
    /// open-file limit, or answers `unsupported` naming the limit.
    pub fn reserve_sockets(&self) -> Result<(), ModelError> {
        let needed = self.connections as u64 + super::SPARE_FILES;
        crate::limits::ensure_nofile(needed, "server connections").map_err(ModelError::unsupported)
    }

    /// Checks the model's tally against what the client saw.
    pub fn verify(&self, outcome: &ServerOutcome, load: &LoadReport) -> Result<(), VerifyError> {
        check(outcome.dropped == 0, || {
            format!(
                "the server could not hold {} connections: {}",
                outcome.dropped,
                outcome
                    .dropped_reason
                    .as_deref()
                    .unwrap_or("no reason given")
            )
        })?;
        check(load.failed() == 0, || {
            format!(
                "{} of {} requests failed ({}); first: {}",
                load.failed(),
                load.scheduled,
                load.errors_in_words(),
                load.first_error.as_deref().unwrap_or("-")
            )
        })?;
        check(load.ok == load.scheduled, || {
            format!("{} of {} requests answered", load.ok, load.scheduled)
        })?;
        check(outcome.answered == load.ok, || {
            format!(
                "the server counted {} pages answered; the client received {}",
                outcome.answered, load.ok
            )
        })
    }
}

/// What a server did, as its [`ServerTally`] counted it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ServerOutcome {
    /// Connections accepted (the harness's one wake-up connection at stop included).
    pub accepted: u64,
    /// Pages answered 200.
    pub answered: u64,
    /// Requests refused with a 4xx and a close.
    pub refused: u64,
    /// Connections the model accepted but could not hold (a thread it could not
    /// start), closed at once.
    pub dropped: u64,
    /// Why the first of them was dropped.
    pub dropped_reason: Option<String>,
}

/// The counters a server keeps while it serves: instrumentation, like the probe,
/// so every model counts with the same atomics whatever its style.
#[derive(Debug, Default)]
pub struct ServerTally {
    accepted: AtomicU64,
    answered: AtomicU64,
    refused: AtomicU64,
    dropped: AtomicU64,
    dropped_reason: OnceLock<String>,
}

impl ServerTally {
    /// A connection was accepted.
    pub fn accepted(&self) {
        self.accepted.fetch_add(1, Ordering::Relaxed);
    }

    /// A page was written whole.
    pub fn answered(&self) {
        self.answered.fetch_add(1, Ordering::Relaxed);
    }

    /// A request was refused (its 4xx written, or the connection closed).
    pub fn refused(&self) {
        self.refused.fetch_add(1, Ordering::Relaxed);
    }

    /// A connection could not be held, for `reason` (the first reason is kept).
    pub fn dropped(&self, reason: impl std::fmt::Display) {
        self.dropped.fetch_add(1, Ordering::Relaxed);
        let _ = self.dropped_reason.set(reason.to_string());
    }

    /// What was counted.
    pub fn outcome(&self) -> ServerOutcome {
        ServerOutcome {
            accepted: self.accepted.load(Ordering::Relaxed),
            answered: self.answered.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
            dropped_reason: self.dropped_reason.get().cloned(),
        }
    }
}

/// The harness's word to a server that it is time to stop.
///
/// A model waits for it in its own way: [`Stop::wait`] on a thread, a hook from
/// [`Stop::on_stop`] that wakes its loop (a mio `Waker`, a tokio `oneshot`, an
/// actor message), or [`Stop::is_stopped`] checked after each accept, since
/// [`Stop::stop`] also makes one connection to the listener so that an accept
/// blocked in the kernel returns.
#[derive(Debug, Clone)]
pub struct Stop(Arc<StopInner>);

struct StopInner {
    addr: SocketAddr,
    stopped: Mutex<bool>,
    cv: Condvar,
    hooks: Mutex<Vec<Box<dyn FnOnce() + Send>>>,
}

impl std::fmt::Debug for StopInner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stop")
            .field("addr", &self.addr)
            .field("stopped", &self.stopped)
            .finish_non_exhaustive()
    }
}

impl Stop {
    /// A stop for the server listening on `addr`.
    pub fn new(addr: SocketAddr) -> Self {
        Self(Arc::new(StopInner {
            addr,
            stopped: Mutex::new(false),
            cv: Condvar::new(),
            hooks: Mutex::new(Vec::new()),
        }))
    }

    /// Whether [`stop`](Self::stop) was called.
    pub fn is_stopped(&self) -> bool {
        *lock(&self.0.stopped)
    }

    /// Blocks the calling thread until the stop.
    pub fn wait(&self) {
        let mut stopped = lock(&self.0.stopped);
        while !*stopped {
            stopped = self
                .0
                .cv
                .wait(stopped)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }

    /// Runs `hook` at the stop, on the harness's thread (at once if it already came).
    pub fn on_stop(&self, hook: impl FnOnce() + Send + 'static) {
        if self.is_stopped() {
            hook();
            return;
        }
        let mut hooks = lock(&self.0.hooks);
        // Checked again under the hooks' lock: `stop` takes the hooks after it sets
        // the flag, so a hook added now either runs there or runs here.
        if self.is_stopped() {
            drop(hooks);
            hook();
        } else {
            hooks.push(Box::new(hook));
        }
    }

    /// The harness's side: sets the flag, wakes [`wait`](Self::wait)ers, runs the
    /// hooks, then connects to the listener once and hangs up, so a blocking
    /// `accept` returns and sees the flag.
    pub fn stop(&self) {
        *lock(&self.0.stopped) = true;
        self.0.cv.notify_all();
        let hooks = std::mem::take(&mut *lock(&self.0.hooks));
        for hook in hooks {
            hook();
        }
        // Refused once the model has closed its listener: nothing to wake then.
        let _ = std::net::TcpStream::connect_timeout(&self.0.addr, Duration::from_secs(1));
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_wakes_waiters_hooks_and_a_blocked_accept() {
        let spec = ServerSpec::bind(1).unwrap();
        let listener = spec.take_listener().unwrap();
        assert!(spec.take_listener().is_err());
        let (tx, rx) = std::sync::mpsc::channel();
        let hooked = tx.clone();
        spec.stop.on_stop(move || hooked.send("hook").unwrap());
        let stop = spec.stop.clone();
        let waiter = std::thread::spawn(move || {
            stop.wait();
            tx.send("waiter").unwrap();
        });
        let acceptor = std::thread::spawn(move || listener.accept().map(|_| ()).is_ok());
        assert!(!spec.stop.is_stopped());
        spec.stop.stop();
        assert!(spec.stop.is_stopped());
        let mut got: Vec<_> = rx.iter().take(2).collect();
        got.sort_unstable();
        assert_eq!(got, ["hook", "waiter"]);
        waiter.join().unwrap();
        assert!(
            acceptor.join().unwrap(),
            "the wake-up connection reached accept"
        );
        // A hook added after the stop runs at once.
        let (tx, rx) = std::sync::mpsc::channel();
        spec.stop.on_stop(move || tx.send(()).unwrap());
        assert!(rx.try_recv().is_ok());
    }

    #[test]
    fn the_tally_keeps_the_first_reason() {
        let t = ServerTally::default();
        t.accepted();
        t.answered();
        t.dropped("thread limit");
        t.dropped("later");
        let o = t.outcome();
        assert_eq!((o.accepted, o.answered, o.dropped), (1, 1, 2));
        assert_eq!(o.dropped_reason.as_deref(), Some("thread limit"));
    }
}
