//! server with callbacks: the listener, every connection and the stop signal on
//! one `mio::Poll`, a callback per readiness event, and each page's delay a timer
//! on the loop's heap.
//!
//! What a callback loop does differently: there is no handler per connection that
//! reads, sleeps and writes from top to bottom. A connection is a slot in the
//! loop's slab (`Server::conns`, slot `k` is `Token(k + FIRST_CONN)`, reused once
//! closed, as crawl's slots are), holding what a handler would keep in locals: the
//! socket, the bytes read and not yet parsed, the request waiting out its delay,
//! the response being written, the delay's timer id and the probe's guard. Its
//! steps are plain functions: `on_readable` parses what is there and reads only if
//! that is not yet a whole request (so pipelined requests are answered from the
//! buffer, one at a time); `on_delay` is the timer's callback and builds the page;
//! `on_writable` writes until the page is out, then goes back to `on_readable`
//! (keep-alive) or closes. The delay is `call_later`, libuv's `uv_timer_start`:
//! ten thousand connections waiting out their delays are ten thousand heap
//! entries, and the loop serves every other connection meanwhile. A client that
//! sends a byte a second costs a wake-up a second and no thread.
//!
//! The harness's listener is made non-blocking and handed to mio
//! (`TcpListener::from_std`, whose docs leave the non-blocking mode to the
//! caller); on each readiness event `on_accept` accepts until `WouldBlock`, as
//! mio's `tcp_server` example does (epoll is edge-triggered here: a backlog not
//! drained would never signal again). Stopping comes from another
//! thread: the harness runs `spec.stop.on_stop`'s hook on its own thread, which
//! must not touch the loop's state, so the hook only rings a `mio::Waker` (an
//! eventfd write) and `on_stop`, on the loop, closes the listener. The loop then
//! returns by itself once nothing is left that could run, as `uv_run` does when
//! no handle is active: that is "let the connections end" and "join everything"
//! in one, since the loop started nothing else.
//!
//! The costs: the state machine is written by hand, and every path out of a step
//! (a read error, a refusal, a peer gone) must reach the one `close`. The loop is
//! one thread, so the server uses one core whatever `--threads` says, and any
//! callback that computed for long would stall every connection at once (none
//! here: parsing a head and building a page take microseconds).

use std::io::{self, Read, Write};

use harness::ModelError;
use harness::http::READ_BUF_BYTES;
use harness::probe::Alive;
use harness::respond::{self, Parsed, Request};
use harness::spec::{ServerOutcome, ServerSpec};
use mio::net::{TcpListener, TcpStream};
use mio::{Interest, Poll, Token, Waker};

use crate::event_loop::{EventLoop, TimerId};

/// The listener's token.
const LISTENER: Token = Token(0);
/// The token of the waker the stop hook rings.
const STOP: Token = Token(1);
/// Connection slot `k` waits on `Token(k + FIRST_CONN)`.
const FIRST_CONN: usize = 2;
/// How long to wait before accepting again after `accept` failed for want of a
/// descriptor: the connection waits in the backlog meanwhile.
const ACCEPT_RETRY: std::time::Duration = std::time::Duration::from_millis(10);

// ## connection

// A connection is not a task: it is a `Conn` in the slab and whichever step is
// parked on its token or timed on the heap. No step can wait, so each one does what
// it can, parks the next and returns; what a handler's loop would carry from one
// request to the next (pipelined bytes, the keep-alive flag) stays in the `Conn`.

/// The server's state, owned by the loop.
struct Server<'s> {
    spec: &'s ServerSpec,
    /// `None` once the stop has closed it.
    listener: Option<TcpListener>,
    /// The connections' slab; `None` marks a free slot, listed in `free`.
    conns: Vec<Option<Conn>>,
    free: Vec<usize>,
    /// The one read buffer, shared by every connection: one callback runs at a time.
    buf: [u8; READ_BUF_BYTES],
}

type Loop<'s> = EventLoop<Server<'s>>;

/// One open connection: what a connection handler keeps in its locals.
struct Conn {
    stream: TcpStream,
    /// Bytes read and not yet parsed: a partial head, or pipelined requests.
    input: Vec<u8>,
    /// The request waiting out its delay.
    request: Option<Request>,
    /// The response being written, and how much of it is out.
    output: Vec<u8>,
    written: usize,
    /// What to do once the output is out.
    then: Then,
    /// The delay's timer, while it runs.
    delay: Option<TimerId>,
    /// The connection's place on the probe's gauge, held while it is open.
    _alive: Alive,
}

/// What follows a response written whole.
#[derive(Debug, Clone, Copy)]
enum Then {
    /// A page, keep-alive: parse the next request.
    Next,
    /// A page, then close.
    Close,
    /// A refusal, then close.
    Refused,
}

fn token(slot: usize) -> Token {
    Token(slot + FIRST_CONN)
}

/// Parses the front of the input; reads more only while it is not yet a whole
/// request. A request arms its delay and returns: the timer calls `on_delay`.
fn on_readable(lp: &mut Loop<'_>, key: usize) {
    let slot = key - FIRST_CONN;
    let st = &mut lp.state;
    let Some(conn) = st.conns[slot].as_mut() else {
        return;
    };
    let delay = loop {
        match respond::parse(&conn.input) {
            Parsed::Request(req) => {
                conn.input.drain(..req.consumed);
                let delay = req.delay;
                conn.request = Some(req);
                break delay;
            }
            Parsed::Refuse(refusal) => {
                conn.output = refusal.response();
                conn.written = 0;
                conn.then = Then::Refused;
                return on_writable(lp, key);
            }
            Parsed::Partial => {}
        }
        match conn.stream.read(&mut st.buf) {
            // The client closed (or reset) the connection: close quietly.
            Ok(0) => return close(lp, slot),
            Ok(n) => conn.input.extend_from_slice(&st.buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                return lp.when_ready(token(slot), on_readable);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return close(lp, slot),
        }
    };
    // The wait: a timer on the loop's heap, not a sleeping thread. Bytes that
    // arrive meanwhile stay in the kernel until the response is out.
    let timer = lp.call_later(delay, key, on_delay);
    if let Some(conn) = lp.state.conns[slot].as_mut() {
        conn.delay = Some(timer);
    }
}

/// The delay is over: the page is built and written.
fn on_delay(lp: &mut Loop<'_>, key: usize) {
    let Some(conn) = lp.state.conns[key - FIRST_CONN].as_mut() else {
        return;
    };
    conn.delay = None;
    let Some(req) = conn.request.take() else {
        return;
    };
    conn.output = req.response();
    conn.written = 0;
    conn.then = if req.keep_alive {
        Then::Next
    } else {
        Then::Close
    };
    on_writable(lp, key);
}

/// Writes the response until it is all out, then counts it and goes on.
fn on_writable(lp: &mut Loop<'_>, key: usize) {
    let slot = key - FIRST_CONN;
    let Some(conn) = lp.state.conns[slot].as_mut() else {
        return;
    };
    while conn.written < conn.output.len() {
        match conn.stream.write(&conn.output[conn.written..]) {
            Ok(0) => return close(lp, slot),
            Ok(n) => conn.written += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                return lp.when_ready(token(slot), on_writable);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return close(lp, slot),
        }
    }
    // The page is the kernel's now; a kept-alive connection need not hold it.
    conn.output = Vec::new();
    let then = conn.then;
    let tally = &lp.state.spec.tally;
    match then {
        Then::Next => {
            tally.answered();
            // Pipelined requests may be in the buffer already: parse before reading.
            on_readable(lp, key);
        }
        Then::Close => {
            tally.answered();
            close(lp, slot);
        }
        Then::Refused => {
            tally.refused();
            close(lp, slot);
        }
    }
}

/// Ends a connection: cancel its delay, drop its parked step, close the socket
/// and give the slot (and the probe's place) back.
fn close(lp: &mut Loop<'_>, slot: usize) {
    let Some(mut conn) = lp.state.conns[slot].take() else {
        return;
    };
    if let Some(timer) = conn.delay {
        lp.cancel(timer);
    }
    lp.forget(token(slot));
    // Dropping the socket also takes it out of the epoll set.
    let _ = lp.registry().deregister(&mut conn.stream);
    lp.state.free.push(slot);
}

// ## accept

// Accepting is a callback parked on the listener's token: it takes every
// connection the backlog holds, gives each a slot, parks that slot's first step and
// parks itself again. A connection accepted after the stop is the harness's
// wake-up: it is counted, dropped, and the listener closed.

/// The listener is readable: accept until the backlog is empty.
fn on_accept(lp: &mut Loop<'_>, _: usize) {
    loop {
        let Some(listener) = lp.state.listener.as_ref() else {
            return;
        };
        match listener.accept() {
            Ok((stream, _)) => {
                lp.state.spec.tally.accepted();
                if lp.state.spec.stop.is_stopped() {
                    drop(stream);
                    return on_stop(lp, STOP.0);
                }
                admit(lp, stream);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                return lp.when_ready(LISTENER, on_accept);
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted
                ) => {}
            // Out of descriptors, most likely. The connection stays in the backlog
            // and the edge will not come again: try again shortly.
            Err(_) => {
                lp.call_later(ACCEPT_RETRY, LISTENER.0, on_accept);
                return;
            }
        }
    }
}

/// Gives an accepted connection a slot and parks its first step. One the loop
/// cannot register is closed at once and counted dropped.
fn admit(lp: &mut Loop<'_>, mut stream: TcpStream) {
    let st = &mut lp.state;
    let slot = st.free.pop().unwrap_or_else(|| {
        st.conns.push(None);
        st.conns.len() - 1
    });
    // Both directions on one token: one `epoll_ctl` per connection; an event for
    // the direction no step waits on calls the parked step, which finds nothing to
    // do and parks again.
    let interest = Interest::READABLE | Interest::WRITABLE;
    if let Err(e) = lp.registry().register(&mut stream, token(slot), interest) {
        lp.state.spec.tally.dropped(format!(
            "could not register a connection with the event loop: {e}"
        ));
        lp.state.free.push(slot);
        return;
    }
    let alive = lp.state.spec.probe.enter();
    lp.state.conns[slot] = Some(Conn {
        stream,
        input: Vec::new(),
        request: None,
        output: Vec::new(),
        written: 0,
        then: Then::Close,
        delay: None,
        _alive: alive,
    });
    // The registration reports the socket's state at once (writable, and readable
    // if the request is there), so the first step is called without a read first.
    lp.when_ready(token(slot), on_readable);
}

/// The stop came (the waker rang, or the wake-up connection arrived): close the
/// listener. The open connections go on until their clients close them.
fn on_stop(lp: &mut Loop<'_>, _: usize) {
    lp.forget(LISTENER);
    lp.forget(STOP);
    if let Some(mut listener) = lp.state.listener.take() {
        let _ = lp.registry().deregister(&mut listener);
    }
}

// ## run

// The loop is the server's runtime: the listener and the waker are registered on
// its poll before it exists, the stop hook is given the waker, and running the
// loop until it runs dry is serving, stopping and joining in one.

pub(crate) fn run(spec: &ServerSpec) -> Result<ServerOutcome, ModelError> {
    spec.reserve_sockets()?;
    let failed = |what: &str, e: io::Error| ModelError::failed(format!("{what}: {e}"));
    let listener = spec.take_listener()?;
    // mio expects a non-blocking socket and does not set it itself.
    listener
        .set_nonblocking(true)
        .map_err(|e| failed("cannot make the listener non-blocking", e))?;
    let mut listener = TcpListener::from_std(listener);
    let poll = Poll::new().map_err(|e| failed("cannot create the event loop", e))?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .map_err(|e| failed("cannot register the listener", e))?;
    let waker =
        Waker::new(poll.registry(), STOP).map_err(|e| failed("cannot create the waker", e))?;
    let mut lp = EventLoop::with_poll(
        poll,
        Server {
            spec,
            listener: Some(listener),
            conns: Vec::new(),
            free: Vec::new(),
            buf: [0; READ_BUF_BYTES],
        },
    );
    lp.when_ready(LISTENER, on_accept);
    lp.when_ready(STOP, on_stop);
    // Runs on the harness's thread: all it may do is ring the loop. A stop that
    // came already runs it at once, and the eventfd keeps the ring for the poll.
    spec.stop.on_stop(move || {
        // Fails only if the loop's poller is gone, and then there is no one to wake.
        let _ = waker.wake();
    });
    spec.probe.begin();
    lp.run().map_err(|e| failed("the event loop failed", e))?;
    spec.probe.end();
    Ok(spec.tally.outcome())
}
