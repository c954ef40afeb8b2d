//! server in CSP: an acceptor process that sends every connection it accepts down
//! a channel, and a process per connection, started by the run's own thread as
//! each one arrives.
//!
//! This is Go's server shape (`for { conn, _ := ln.Accept(); go handle(conn) }`,
//! the loop inside `net/http`'s `Server.Serve`), with the hand-over from the
//! accept to the `go` made a channel, as a CSP program draws it: the acceptor knows
//! only the listener and the channel, the supervisor (the run's thread) only the
//! channel and how to start a process, and a connection process only its stream.
//! The channel is crossbeam's `unbounded`, the equal-work rule: the acceptor never
//! waits for the supervisor to take a connection. Each connection reads top to
//! bottom like the `threads` baseline's: read until a request parses, wait the
//! page's delay, write, again while the client keeps the connection alive
//! (pipelined requests are parsed from what is already buffered before reading
//! again). The delay is `after(req.delay).recv()`, Go's `<-time.After(d)`: a
//! connection that had to watch for something else as well would put that channel
//! in a `select!` beside it. (Under the hood an `after` channel's blocking `recv`
//! is a `thread::sleep` to the deadline: the same kernel sleep the baseline takes.)
//!
//! The cost is the thread baseline's: a kernel thread and its stack per open
//! connection, for as long as it is open (the load generator holds `connections`
//! of them), plus one hand-over per accept. A thread the system refuses is counted
//! in the tally as a dropped connection, and its stream, owned by the closure the
//! refusal drops, is closed. A slow client blocks its own process and nobody else.
//!
//! Stop: no process can select on the listener, since a blocking `accept` is not a
//! channel; so the acceptor checks `spec.stop.is_stopped()` after every accept,
//! and [`Stop::stop`](harness::spec::Stop::stop) connects once to wake it. Then
//! the acceptor returns, which drops the listener and the channel's only sender:
//! the supervisor's loop ends when the channel closes, and the thread scope joins
//! every connection process, each of which ends at its next `read` now that its
//! client has gone (the harness stops the server only after they all have).

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::Scope;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, after, unbounded};
use harness::ModelError;
use harness::http::READ_BUF_BYTES;
use harness::respond::{self, Parsed};
use harness::spec::{ServerOutcome, ServerSpec};

use crate::process::{self, check_budget, go, spawn_failed};

/// How long the acceptor waits before trying again after `accept` itself failed
/// (out of descriptors, most often), instead of spinning on the error.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(10);

// ## connection

/// One connection process: read, parse, wait, answer, until the client closes or
/// a request says `Connection: close`.
fn connection(mut stream: TcpStream, spec: &ServerSpec) {
    let _open = spec.probe.enter();
    let mut buf = Vec::with_capacity(READ_BUF_BYTES);
    let mut chunk = [0u8; READ_BUF_BYTES];
    loop {
        match respond::parse(&buf) {
            Parsed::Request(req) => {
                buf.drain(..req.consumed);
                // The process's own wait, on a timer channel; an `after` channel
                // cannot close before it delivers.
                let _ = after(req.delay).recv();
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
                // The client hung up, or the connection broke: close quietly.
                Ok(0) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return,
            },
        }
    }
}

// ## accept

// CSP: the acceptor does not start anything; each connection is a message on
// `conns`, and "no more connections" is the acceptor returning, which closes it.
/// The acceptor process: accepts until the stop and sends each connection on.
/// Owns the listener, so returning closes it: later connects are refused.
fn acceptor(listener: TcpListener, spec: &ServerSpec, conns: &Sender<TcpStream>) {
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            // A broken listener errs on every call: the stop still ends the loop.
            Err(_) if spec.stop.is_stopped() => return,
            // The client gave up between its connect and our accept: nothing held.
            Err(e) if transient(&e) => continue,
            // Out of descriptors, most often: the connection waits in the backlog
            // meanwhile, and the run will not be ranked.
            Err(e) => {
                spec.tally.dropped(format!("accept failed: {e}"));
                let _ = after(ACCEPT_BACKOFF).recv();
                continue;
            }
        };
        spec.tally.accepted();
        // The harness's wake-up connection: dropped, and the acceptor returns.
        if spec.stop.is_stopped() {
            return;
        }
        // Fails only if the supervisor has gone, and then nobody would serve it.
        if conns.send(stream).is_err() {
            return;
        }
    }
}

// ## run

pub(crate) fn run(spec: &ServerSpec) -> Result<ServerOutcome, ModelError> {
    // Every connection the load holds is a process, an OS thread, beside the
    // acceptor: decline up front above the machine's limit, rather than drop most
    // of them.
    check_budget(spec.connections + 1)?;
    spec.reserve_sockets()?;
    let listener = spec.take_listener()?;
    // No runtime to start: the listener is ready, and a process is an OS thread.
    spec.probe.begin();
    // Unbounded, so the acceptor never waits on the supervisor.
    let (send_conn, conns) = unbounded();
    let served = process::scope(|s| {
        go(s, "acceptor", move || acceptor(listener, spec, &send_conn))
            .map_err(|e| spawn_failed(0, 1, &e))?;
        supervise(s, spec, &conns);
        Ok(())
    });
    // The scope has joined the acceptor and every connection process.
    spec.probe.end();
    served.map(|()| spec.tally.outcome())
}

// CSP: nothing is joined here; the connections arrive as messages, and the scope
// in `run` joins every process once `conns` has closed.
/// The supervisor, on the run's own thread: a process per connection received,
/// until the acceptor has returned and the channel is closed and empty.
fn supervise<'scope>(
    s: &'scope Scope<'scope, '_>,
    spec: &'scope ServerSpec,
    conns: &Receiver<TcpStream>,
) {
    for stream in conns {
        // A refused start drops the closure, and the stream it owned with it: the
        // connection is closed, not left hanging.
        if let Err(e) = go(s, "conn", move || connection(stream, spec)) {
            spec.tally.dropped(format!(
                "could not start a process (OS thread) for a connection: {e}"
            ));
        }
    }
}

// ## helpers

/// Accept errors that concern one connection that is gone, not the listener.
fn transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::Interrupted
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}
