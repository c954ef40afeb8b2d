//! server with threads: one OS thread per connection, blocking in `read`, asleep
//! in `std::thread::sleep` for each page's delay, while the calling thread blocks
//! in `accept`.
//!
//! The idiom is the Rust book's web server at the step before its thread pool
//! (ch. 21, "From a Single-Threaded to a Multithreaded Server": a `thread::spawn`
//! per stream from `listener.incoming()`), the classic thread-per-connection
//! server of C and Java. Each connection's code
//! reads top to bottom, like `sequential`'s: read until a request parses, sleep,
//! write, again while the client keeps the connection alive (pipelined requests
//! are parsed from what is already buffered before reading again). The kernel
//! does the rest: a slow client blocks its own thread and nobody else's.
//!
//! The cost is a kernel thread and its stack per open connection, for as long as
//! the connection is open, idle or not (the load generator holds `connections`
//! of them for the whole run); stacks are [`STACK_BYTES`](super::STACK_BYTES),
//! which the 4 KiB read buffer and the parser fit in. A thread the system refuses
//! is counted in the tally as a dropped connection, and that connection closed.
//!
//! Stop: [`Stop::stop`](harness::spec::Stop::stop) connects once, so the blocked
//! `accept` returns and sees the flag; the listener is dropped, and the
//! connection threads, whose clients have all closed by then, end at their next
//! `read` and are joined.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::{self, Scope, ScopedJoinHandle};
use std::time::Duration;

use harness::ModelError;
use harness::http::READ_BUF_BYTES;
use harness::respond::{self, Parsed};
use harness::spec::{ServerOutcome, ServerSpec};

use super::{builder, check_thread_budget};

/// Handles kept before the first sweep for finished connection threads; after a
/// sweep, twice the threads still open: joining as we go keeps the list at the
/// open connections, at a constant cost per accept.
const REAP_FIRST: usize = 64;

/// How long the accept loop waits before trying again after `accept` itself
/// failed (out of descriptors, say), instead of spinning on the error.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(10);

// ## connection

/// One connection's life, on its own thread: read, parse, sleep, answer, until
/// the client closes or a request says `Connection: close`.
fn connection(mut stream: TcpStream, spec: &ServerSpec) {
    let _open = spec.probe.enter();
    let mut buf = Vec::with_capacity(READ_BUF_BYTES);
    let mut chunk = [0u8; READ_BUF_BYTES];
    loop {
        match respond::parse(&buf) {
            Parsed::Request(req) => {
                buf.drain(..req.consumed);
                // The wait is this thread's own: it sleeps in the kernel, and the
                // other connections' threads run on.
                thread::sleep(req.delay);
                if stream.write_all(&req.response()).is_err() {
                    return;
                }
                spec.tally.answered();
                if !req.keep_alive {
                    return respond::close_gently(stream);
                }
            }
            Parsed::Refuse(refusal) => {
                let _ = stream.write_all(&refusal.response());
                spec.tally.refused();
                return respond::close_gently(stream);
            }
            // Only when nothing whole is buffered: pipelined requests are answered
            // from the buffer first.
            Parsed::Partial => match stream.read(&mut chunk) {
                Ok(0) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return,
            },
        }
    }
}

// ## accept

/// The accept loop, on the calling thread: a thread per connection, until the
/// stop. Returns the handles of the threads still to join, and how many of the
/// ones joined on the way had panicked.
fn accept<'scope>(
    s: &'scope Scope<'scope, '_>,
    listener: &TcpListener,
    spec: &'scope ServerSpec,
) -> (Vec<ScopedJoinHandle<'scope, ()>>, usize) {
    let (mut open, mut panicked, mut reap_at) = (Vec::new(), 0, REAP_FIRST);
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if matches!(e.kind(), io::ErrorKind::Interrupted) => continue,
            // The client gave up between its connect and our accept: nothing held.
            Err(e) if matches!(e.kind(), io::ErrorKind::ConnectionAborted) => continue,
            Err(e) => {
                spec.tally.dropped(format!("accept failed: {e}"));
                if spec.stop.is_stopped() {
                    break;
                }
                thread::sleep(ACCEPT_BACKOFF);
                continue;
            }
        };
        spec.tally.accepted();
        // The harness's wake-up connection, or a client too late: dropped.
        if spec.stop.is_stopped() {
            break;
        }
        let started = builder("server").spawn_scoped(s, move || connection(stream, spec));
        match started {
            Ok(h) => open.push(h),
            // The refused closure, and the stream it owned, are dropped with the
            // error: the connection is closed, not left hanging.
            Err(e) => spec
                .tally
                .dropped(format!("could not start a thread for a connection: {e}")),
        }
        if open.len() >= reap_at {
            panicked += reap(&mut open);
            reap_at = (2 * open.len()).max(REAP_FIRST);
        }
    }
    (open, panicked)
}

// ## run

pub(crate) fn run(spec: &ServerSpec) -> Result<ServerOutcome, ModelError> {
    // Every connection the load holds is a thread: decline up front above the
    // machine's limit, rather than drop most of them.
    check_thread_budget(spec.connections)?;
    spec.reserve_sockets()?;
    let listener = spec.take_listener()?;
    // No runtime to build: the listener is ready, and the calling thread accepts.
    spec.probe.begin();
    let panicked = thread::scope(|s| {
        let (open, mut panicked) = accept(s, &listener, spec);
        // Stop accepting: later connects are refused by the kernel.
        drop(listener);
        for h in open {
            panicked += usize::from(h.join().is_err());
        }
        panicked
    });
    spec.probe.end();
    if panicked > 0 {
        return Err(ModelError::failed(format!(
            "{panicked} connection threads panicked"
        )));
    }
    Ok(spec.tally.outcome())
}

// ## helpers

/// Joins the connection threads that have finished; returns how many panicked.
fn reap(open: &mut Vec<ScopedJoinHandle<'_, ()>>) -> usize {
    let mut panicked = 0;
    let mut i = 0;
    while i < open.len() {
        if open[i].is_finished() {
            panicked += usize::from(open.swap_remove(i).join().is_err());
        } else {
            i += 1;
        }
    }
    panicked
}
