//! server on may: an accept coroutine, and a coroutine per connection that reads,
//! sleeps and writes with code that reads exactly like a blocking server.
//!
//! This is may's own server shape (its `examples/echo.rs` and `examples/http.rs`):
//! `listener.accept()` in a loop, `go!` per connection (here a `Builder`, for the
//! stack size), and inside it `stream.read(..)` / `write_all(..)` on may's
//! `TcpStream`, which park the coroutine on may's epoll loop instead of blocking
//! the worker. A slow client holds one parked coroutine (a stack, a socket),
//! never a thread, so the others are served. The delay is `coroutine::sleep`,
//! may's timer.
//!
//! The listener is the harness's std listener handed to may: may has no
//! `from_std`, so its descriptor moves over with `into_raw_fd` / `from_raw_fd`,
//! which sets it nonblocking and registers it with may's selector.
//!
//! Stopping: may's `select!` could wait on the accept and a stop channel at once
//! (it runs each arm in a coroutine of its own and cancels the losers), but
//! nothing that heavy is needed: `Stop::stop` connects once, the accept returns,
//! and the loop checks `spec.stop.is_stopped()` after every accept. Then the
//! listener is dropped, and every connection coroutine, which ends when its
//! client hangs up (the harness stops only after all have), is joined through
//! the handle the loop kept for it; the loop joins the ended ones as it goes.
//!
//! What it costs, and one thing may does that the code does not say: a sleeping
//! coroutine is resumed by may's timer thread itself (`init_scheduler` in may's
//! `scheduler.rs` runs the woken coroutine right there, in the timer's handler,
//! rather than queueing it for a worker; `tests/fairness.rs` shows the switch).
//! So after the delay, the response is built and written on that one thread, for
//! every connection, whatever `--threads` says; the coroutine returns to a worker
//! only when a read or write has to wait on epoll. The stacks are mapped per
//! connection at accept (they are bigger than may's pooled size).

use std::io::{self, Read, Write};
use std::net::TcpListener as StdListener;
use std::os::fd::{FromRawFd, IntoRawFd};
use std::sync::Arc;
use std::time::Duration;

use harness::http::READ_BUF_BYTES;
use harness::respond::{self, Parsed};
use harness::spec::{ServerOutcome, ServerSpec, ServerTally, Stop};
use harness::{ModelError, Probe};
use may::coroutine::JoinHandle;
use may::net::{TcpListener, TcpStream};

use crate::runtime;

/// Stack of each connection: a 4 KiB read buffer, httparse's header array in
/// `respond::parse` and may's socket calls on top: 7.3 KiB deep in a release
/// build, 12.9 KiB in a debug one (measured by painting the stack under load).
/// The crawl's 32 KiB keeps more than twice the debug depth in reserve; the memory
/// cost is the pages a connection reaches, whatever the size.
const STACK_BYTES: usize = 32 * 1024;

/// Stack of the accept loop: an accept and a spawn, 2.3 KiB deep in a release
/// build and 6.6 KiB in a debug one (measured the same way).
const ACCEPT_STACK_BYTES: usize = 16 * 1024;

/// Stacks this workload asks may's pool to hold ahead: none, since the pool only
/// holds stacks of may's default size and a connection needs a bigger one.
const POOLED: usize = 0;

/// Handles kept before the first sweep for ended connections; after a sweep,
/// twice the connections still open: joining as it goes keeps the list at the
/// open connections, at a constant cost per accept (the `threads` model's rule).
const REAP_FIRST: usize = 64;

/// How long the accept loop backs off after a failed accept (most often the
/// process is out of descriptors) before it tries again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(1);

// ## connection
/// One connection, from accept to close: parse what has arrived, answer every
/// whole request in order (pipelined ones too, parsed before reading again),
/// and read only when the buffer holds no whole request.
fn connection(mut stream: TcpStream, probe: &Probe, tally: &ServerTally) {
    let _open = probe.enter();
    let mut buf = Vec::with_capacity(READ_BUF_BYTES);
    let mut chunk = [0u8; READ_BUF_BYTES];
    loop {
        match respond::parse(&buf) {
            Parsed::Partial => match stream.read(&mut chunk) {
                // The client hung up, or the connection broke: close quietly.
                Ok(0) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return,
            },
            Parsed::Request(req) => {
                buf.drain(..req.consumed);
                runtime::sleep(req.delay);
                if stream.write_all(&req.response()).is_err() {
                    return;
                }
                tally.answered();
                if !req.keep_alive {
                    return;
                }
            }
            Parsed::Refuse(refusal) => {
                let _ = stream.write_all(&refusal.response());
                tally.refused();
                return;
            }
        }
    }
}

// ## accept
/// The accept loop: a coroutine per connection, its handle kept (and joined as
/// it ends, so the list holds the open ones), until the harness's wake-up
/// connection arrives after the stop. Returns the handles still to join, and the
/// first panic of a connection joined on the way, if one did.
fn accept(
    listener: TcpListener,
    stop: &Stop,
    probe: &Probe,
    tally: &Arc<ServerTally>,
) -> (Vec<JoinHandle<()>>, Option<ModelError>) {
    let (mut open, mut failed, mut reap_at) = (Vec::new(), None, REAP_FIRST);
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            // A broken listener errs on every call: the stop still ends the loop.
            Err(_) if stop.is_stopped() => break,
            // The client gave up before it was accepted: not ours to count.
            Err(e) if transient(&e) => continue,
            // Out of descriptors or memory, most often: the connection waits in
            // the backlog meanwhile, and the run will not be ranked.
            Err(e) => {
                tally.dropped(format!("accept failed: {e}"));
                runtime::sleep(ACCEPT_BACKOFF);
                continue;
            }
        };
        tally.accepted();
        if stop.is_stopped() {
            // The harness's wake-up connection: drop it, and stop accepting.
            break;
        }
        let (their_probe, their_tally) = (probe.clone(), Arc::clone(tally));
        // may panics, rather than failing, when it cannot map a stack: either
        // way the closure, and with it the stream, is dropped, which closes it.
        // SAFETY: the closure owns its stream, a probe and the tally (atomics
        // behind `Arc`s); it touches no thread-local storage (may's sockets and
        // timer park the coroutine, not the thread), and a connection uses at
        // most 13 KiB of its 32 KiB stack.
        let spawned = runtime::contained(|| unsafe {
            runtime::builder(STACK_BYTES)
                .spawn(move || connection(stream, &their_probe, &their_tally))
        });
        match spawned {
            Ok(Ok(handle)) => open.push(handle),
            Ok(Err(e)) => tally.dropped(format!("could not start a coroutine: {e}")),
            Err(panicked) => tally.dropped(format!("could not start a coroutine: {panicked}")),
        }
        if open.len() >= reap_at {
            failed = failed.or(reap(&mut open));
            reap_at = (2 * open.len()).max(REAP_FIRST);
        }
    }
    // Dropped here, before any connection is joined: nothing more is accepted.
    drop(listener);
    (open, failed)
}

// ## run
/// The accept loop runs in a coroutine of its own, on may's workers like every
/// connection; this thread waits for it, then joins the connections it kept.
pub(crate) fn run(spec: &ServerSpec) -> Result<ServerOutcome, ModelError> {
    spec.reserve_sockets()?;
    // The connections, the harness's wake-up connection and the accept loop.
    runtime::check_stacks(
        spec.connections + 2,
        "a server holding this many connections",
    )?;
    runtime::start(spec.threads, POOLED);
    let listener = into_may(spec.take_listener()?)?;
    spec.probe.begin();
    let (stop, probe, tally) = (
        spec.stop.clone(),
        spec.probe.clone(),
        Arc::clone(&spec.tally),
    );
    // SAFETY: the closure owns the listener and clones of the stop, the probe and
    // the tally; no thread-local storage, and an accept and a spawn use at most
    // 7 KiB of its 16 KiB stack.
    let acceptor = unsafe {
        runtime::builder(ACCEPT_STACK_BYTES).spawn(move || accept(listener, &stop, &probe, &tally))
    }
    .map_err(|e| ModelError::failed(format!("could not start the accept loop: {e}")));
    let (open, mut failed) = match acceptor.and_then(runtime::join) {
        Ok(accepted) => accepted,
        Err(e) => (Vec::new(), Some(e)),
    };
    // Each ends when its client closes, and the harness stops the server only
    // after every client has: these joins wait for nothing else.
    for handle in open {
        if let Err(e) = runtime::join(handle) {
            failed = failed.or(Some(e));
        }
    }
    spec.probe.end();
    match failed {
        Some(e) => Err(e),
        None => Ok(spec.tally.outcome()),
    }
}

// ## helpers
/// The harness's std listener as may's: its descriptor handed over.
fn into_may(listener: StdListener) -> Result<TcpListener, ModelError> {
    let fd = listener.into_raw_fd();
    // may's `from_raw_fd` panics if it cannot register the socket with its
    // selector: `contained` makes that an error.
    // SAFETY: `into_raw_fd` gave up std's ownership of `fd`, an open, bound,
    // listening TCP socket; nothing else holds or closes it, so may's listener
    // becomes its one owner (and closes it on drop).
    runtime::contained(|| unsafe { TcpListener::from_raw_fd(fd) })
}

/// Joins the connections that have ended; returns the first one's panic.
fn reap(open: &mut Vec<JoinHandle<()>>) -> Option<ModelError> {
    let mut failed = None;
    let mut i = 0;
    while i < open.len() {
        if open[i].is_done() {
            failed = failed.or(runtime::join(open.swap_remove(i)).err());
        } else {
            i += 1;
        }
    }
    failed
}

/// Accept errors that concern one connection that is gone, not the listener.
fn transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::Interrupted
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::WouldBlock
    )
}
