//! cancel in CSP: a process per request, blocked in `read`; the run's thread
//! supervises them and cancels them all by closing a channel and shutting their
//! sockets down.
//!
//! The CSP way to cancel is a channel: Go closes a `done` channel (or a
//! `context`'s, which is one), and every goroutine that `select`s on it beside its
//! own work sees it close at once; a receive on a closed channel never blocks, so
//! closing is a broadcast to every holder. That works when the work is a channel
//! operation too. Here it is not: a request process is an OS thread blocked in the
//! kernel's `read` on a socket, and a socket is not a channel, so it cannot sit in
//! a `select!` beside the cancel channel. (Go gets away with it because its
//! sockets are parked on the runtime's poller, which a deadline or a close can
//! wake; std's blocking sockets have no such hook.) So the channel is kept as the
//! word that says *why* a request is ending, and the thing that makes it end is
//! the one honest mechanism for a blocked thread: the socket is shut down from
//! outside. Each request, once connected, sends a `try_clone` of its stream (a
//! second descriptor for the same socket) to the supervisor on `clones`; at the
//! cancel, the supervisor closes the cancel channel, then calls
//! `shutdown(Shutdown::Both)` on every clone. Shutdown acts on the socket, not on
//! the descriptor, so the blocked `read` returns at once and the delay server sees
//! the connection close; the process, woken, finds the cancel channel closed and
//! reports `Cancelled` on its result channel.
//!
//! Nothing is shared but channels: a request that connects after the cancel still
//! sends its clone, and the supervisor, which goes on receiving clones until the
//! channel closes (every request has sent one or ended), shuts that one down too,
//! so none is missed. The supervisor waits out `spec.after` in a `select!` over
//! the clones arriving and an `after` timer, Go's `time.After`. The cost: a thread
//! and two descriptors per request, and a cancel of one system call per request,
//! all made by the one supervisor.

use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TryRecvError, after, never, select, unbounded};
use harness::http::FetchError;
use harness::spec::{CancelOutcome, CancelSpec, RequestEnd, SPARE_FILES};
use harness::{ModelError, limits};

use crate::crawl::exchange;
use crate::process::{self, check_budget, go, spawn_failed};

/// How long a request may wait for its connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long past `after` a request waits before it gives up on its own: only a
/// cancel that never came reaches it, and then the request ends `Failed` with a
/// timeout instead of holding its thread forever.
const GIVE_UP: Duration = Duration::from_secs(30);

// ## request

/// One request process: connect, send the supervisor a clone to shut down, then
/// the crawl's blocking exchange until the page comes or the socket is shut.
fn request(
    spec: &CancelSpec,
    path: &str,
    deadline: Instant,
    cancel: &Receiver<()>,
    clones: Sender<TcpStream>,
) -> RequestEnd {
    let _alive = spec.probe.enter();
    let stream = match TcpStream::connect_timeout(&spec.addr, CONNECT_TIMEOUT) {
        Ok(stream) => stream,
        Err(e) => return RequestEnd::Failed(FetchError::connect(&e)),
    };
    match stream.try_clone() {
        // The supervisor receives clones until every request has let go of this
        // channel, so the send cannot fail, and the clone will be shut down.
        Ok(clone) => drop(clones.send(clone)),
        Err(e) => return RequestEnd::Failed(FetchError::io(&e)),
    }
    // Let go of it: the channel closes once every request has sent its clone.
    drop(clones);
    match exchange(&stream, spec.addr, path, deadline) {
        Ok(page) => RequestEnd::Page(page),
        // The shutdown ends the read with an EOF or an error: which one does not
        // matter, the cancel channel says why.
        Err(_) if cancelled(cancel) => RequestEnd::Cancelled,
        Err(e) => RequestEnd::Failed(e),
    }
    // The stream, this process's descriptor, is closed here.
}

// ## run

pub(crate) fn run(spec: &CancelSpec) -> Result<CancelOutcome, ModelError> {
    let n = spec.paths.len();
    check_budget(n)?;
    // Each request holds its stream, and the supervisor a clone of it.
    limits::ensure_nofile(2 * n as u64 + SPARE_FILES, "cancel requests")
        .map_err(ModelError::unsupported)?;
    // No runtime to start: a process is an OS thread.
    spec.probe.begin();
    let deadline = Instant::now() + spec.after + GIVE_UP;
    // Never sent on: closing it is the cancel.
    let (cancel, cancel_seen) = unbounded::<()>();
    // Unbounded, so no request waits on the supervisor.
    let (send_clone, clones) = unbounded::<TcpStream>();
    let (report, reports) = unbounded::<(usize, RequestEnd)>();
    process::scope(|s| {
        for (i, path) in spec.paths.iter().enumerate() {
            let (seen, clone_to, report_to) =
                (cancel_seen.clone(), send_clone.clone(), report.clone());
            let started = go(s, "cancel", move || {
                let end = request(spec, path, deadline, &seen, clone_to);
                // The collector lives until the scope ends.
                let _ = report_to.send((i, end));
            });
            if let Err(e) = started {
                // Not the workload's cancel: the run failed; end the requests
                // already started so the scope's join does not wait for them.
                drop(send_clone);
                cancel_all(cancel, &clones, Vec::new());
                return Err(spawn_failed(i, n, &e));
            }
        }
        // Now only the requests hold these: `clones` closes once each has sent
        // its clone (or ended), `reports` once each has reported.
        drop((cancel_seen, send_clone, report));
        let held = supervise(spec, &clones);
        spec.cancelling();
        cancel_all(cancel, &clones, held);
        collect(spec, &reports)
    })
}

/// The supervisor's wait, on the run's own thread: keep every clone that
/// arrives until `spec.after` has passed, then hand them to the cancel.
fn supervise(spec: &CancelSpec, clones: &Receiver<TcpStream>) -> Vec<TcpStream> {
    let timer = after(spec.after);
    let mut held = Vec::with_capacity(spec.paths.len());
    let mut clones = clones.clone();
    loop {
        select! {
            recv(clones) -> clone => match clone {
                Ok(clone) => held.push(clone),
                // Every request has sent its clone or ended: only the timer is
                // left (Go's nil channel, which drops out of a select).
                Err(_) => clones = never(),
            },
            recv(timer) -> _ => return held,
        }
    }
}

// CSP: nothing is joined here; each request's end is a message, and the report
// channel closing says the last one has; the scope in `run` joins the threads
// after the answer is known.
/// The collector: every request's end, put back in path order.
fn collect(
    spec: &CancelSpec,
    reports: &Receiver<(usize, RequestEnd)>,
) -> Result<CancelOutcome, ModelError> {
    let mut ends: Vec<Option<RequestEnd>> = vec![None; spec.paths.len()];
    for (i, end) in reports {
        ends[i] = Some(end);
    }
    // The answer is known; what is left is the threads' exit and join.
    spec.probe.end();
    ends.into_iter()
        .collect::<Option<Vec<_>>>()
        .map(|ends| CancelOutcome { ends })
        .ok_or_else(|| ModelError::failed("a request process ended without reporting"))
}

// ## cancel

/// The cancel: close the cancel channel first, so every request that wakes finds
/// it closed, then shut down the clones `held`, and every clone still to arrive
/// until the channel closes. Each clone is closed as it is dropped; each request
/// closes its own descriptor as it ends.
fn cancel_all(cancel: Sender<()>, clones: &Receiver<TcpStream>, held: Vec<TcpStream>) {
    // Closing, not sending: one message would wake one receiver, a close wakes all.
    drop(cancel);
    for clone in held.into_iter().chain(clones) {
        // An error means the socket is already down (the server closed it): its
        // read has returned already, and there is nothing left to end.
        let _ = clone.shutdown(Shutdown::Both);
    }
}

/// Whether the cancel has come: its channel is closed (it never carries a value).
fn cancelled(cancel: &Receiver<()>) -> bool {
    matches!(cancel.try_recv(), Err(TryRecvError::Disconnected))
}
