//! server, sequentially: accept one connection, read a request, sleep its
//! delay, answer it, and close the connection unless the client has already sent
//! another; then accept the next. The Rust book's single-threaded web server
//! (ch. 21, "Simulating a Slow Request": a `thread::sleep` in `handle_connection`,
//! called in turn for each stream of `listener.incoming()`), and the seeds'
//! server that takes a second per page.
//!
//! One request at a time is the model, and its cost is the whole point: every
//! request waits for all the delays ahead of it, so throughput is one page per
//! delay whatever the load asks, and a slow client (one byte a second) holds up
//! every other. A connection is kept only while it has a request waiting (one
//! pipelined behind the one just answered): the first answer with nothing behind
//! it says `Connection: close`, whatever the client asked, and the connection is
//! closed. Keeping an idle connection open would leave every other connection's
//! requests unread behind a client that has nothing more to say; the load
//! generator reconnects for its next request.
//!
//! Stop: the stop's wake-up connection is accepted like any other and dropped once
//! the flag is seen; a read that waits on a client polls the flag every
//! [`POLL`], so a client that connects and never sends holds the server only
//! until the stop.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use harness::ModelError;
use harness::http::READ_BUF_BYTES;
use harness::respond::{self, Parsed};
use harness::spec::{ServerOutcome, ServerSpec};

// The close that lets the last response arrive (half-close, then discard what
// the client had sent), shared with `threads` (`../threads/server.rs`).

/// How often a read that waits for a client looks at the stop flag.
const POLL: Duration = Duration::from_millis(50);

/// How long the loop waits before trying again after `accept` itself failed.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(10);

// ## connection

/// One connection, on the calling thread: its requests answered in turn while
/// another is waiting behind each, then closed.
fn connection(mut stream: TcpStream, spec: &ServerSpec) {
    let _open = spec.probe.enter();
    // The only way this thread hears the stop while a client says nothing.
    if stream.set_read_timeout(Some(POLL)).is_err() {
        return;
    }
    let mut buf = Vec::with_capacity(READ_BUF_BYTES);
    let mut chunk = [0u8; READ_BUF_BYTES];
    loop {
        match respond::parse(&buf) {
            Parsed::Request(mut req) => {
                buf.drain(..req.consumed);
                // Everything else waits while this thread sleeps.
                thread::sleep(req.delay);
                // Nothing sent behind it: this answer is the connection's last,
                // whatever the client asked.
                if !more_waiting(&stream, &mut buf, &mut chunk) {
                    req.keep_alive = false;
                }
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
            Parsed::Partial => match stream.read(&mut chunk) {
                Ok(0) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // The poll: a socket timeout is `WouldBlock` on Unix, `TimedOut`
                // elsewhere.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    if spec.stop.is_stopped() {
                        return;
                    }
                }
                Err(_) => return,
            },
        }
    }
}

// ## accept

/// The accept loop, on the calling thread: each connection served to its end
/// before the next is accepted, until the stop.
fn accept(listener: &TcpListener, spec: &ServerSpec) {
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                spec.tally.accepted();
                // The harness's wake-up connection, or a client too late: dropped.
                if spec.stop.is_stopped() {
                    return;
                }
                connection(stream, spec);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            // The client gave up between its connect and our accept: nothing held.
            Err(e) if e.kind() == io::ErrorKind::ConnectionAborted => {}
            Err(e) => {
                spec.tally.dropped(format!("accept failed: {e}"));
                if spec.stop.is_stopped() {
                    return;
                }
                thread::sleep(ACCEPT_BACKOFF);
            }
        }
    }
}

// ## run

pub(crate) fn run(spec: &ServerSpec) -> Result<ServerOutcome, ModelError> {
    // One connection open at a time: the open-file limit is never the question.
    let listener = spec.take_listener()?;
    // No runtime to build: the listener is ready, and this thread accepts.
    spec.probe.begin();
    accept(&listener, spec);
    // Stop accepting: later connects are refused by the kernel. Nothing else to
    // join: nothing else was started.
    drop(listener);
    spec.probe.end();
    Ok(spec.tally.outcome())
}

// ## helpers

/// Whether the client has sent more than the request being answered: what is
/// already buffered, or what one read that does not wait finds (added to `buf`).
fn more_waiting(stream: &TcpStream, buf: &mut Vec<u8>, chunk: &mut [u8]) -> bool {
    if !buf.is_empty() {
        return true;
    }
    if stream.set_nonblocking(true).is_err() {
        return false;
    }
    // `WouldBlock` (nothing sent), the end of the stream or an error: nothing.
    let got = (&*stream).read(chunk).unwrap_or_default();
    buf.extend_from_slice(&chunk[..got]);
    stream.set_nonblocking(false).is_ok() && got > 0
}
