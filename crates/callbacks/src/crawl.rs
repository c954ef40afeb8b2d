//! crawl with callbacks: each request is a chain `fetch -> on_connected ->
//! on_writable -> on_readable -> finish`, every arrow a callback parked on the
//! connection's token until the socket is ready.
//!
//! This is the seeds' selector crawler, step for step. There are
//! `min(concurrency, paths)` connection slots; slot `k` is `Token(k)`, and its
//! state (socket, request bytes, how much is written, the response reader, the
//! timeout's id) lives in `Crawl::slots[k]`, not in the callbacks, which are plain
//! functions. A slot is this model's worker: when a request finishes, the slot
//! takes the next path from the shared cursor, so at most `concurrency` requests
//! are ever in flight and a slot's token is reused for the whole crawl. One 4 KiB
//! read buffer serves every connection, since only one callback runs at a time.
//!
//! mio is edge-triggered: an event says "something changed", once. So every step
//! writes or reads until the kernel says `WouldBlock`, and only then parks itself
//! again; a step that stopped early would never hear from that socket again. The
//! connect is non-blocking too: the socket turns writable when the handshake ends
//! either way, and `take_error` and `peer_addr` tell a refused connection from an
//! established one (mio's documented recipe).
//!
//! Each request gets a `call_later(timeout)` when it starts; `finish` cancels it, and
//! the timer callback finishes the request as timed out if it fires first. Every
//! fault ends in `finish` with a typed error, and `finish` frees the slot for the
//! next path, so one failure never holds up the others.

use std::io::{self, Read, Write};

use harness::ModelError;
use harness::http::{FetchError, FetchResult, Progress, READ_BUF_BYTES, ResponseReader, request};
use harness::spec::{CrawlOutcome, CrawlSpec};
use mio::net::TcpStream;
use mio::{Interest, Token};

use crate::event_loop::{EventLoop, TimerId};

// ## fetch

// The fetch is a chain of callbacks, not one function: `fetch` connects and parks
// `on_connected`; each step runs until the kernel says `WouldBlock`, parks the next
// step on the slot's token and returns; `finish` is the one exit, success or fault.
// No step can use `?` (there is no caller's stack to return to), so each routes
// its errors to `finish`; what a blocking fetch keeps in locals is the slot's `Conn`.

/// The crawl's state, owned by the loop.
struct Crawl<'s> {
    spec: &'s CrawlSpec,
    /// One entry per connection slot (a worker); `None` while the slot is idle.
    slots: Vec<Option<Conn>>,
    /// The shared cursor: the index of the next path to start.
    next: usize,
    /// One result per path, filled in as requests finish.
    results: Vec<Option<FetchResult>>,
    finished: usize,
    /// The one read buffer, shared by every connection.
    buf: [u8; READ_BUF_BYTES],
}

type Loop<'s> = EventLoop<Crawl<'s>>;

/// One request in flight: what a straight-line fetch keeps in its locals.
struct Conn {
    /// The path's index, in `spec.paths` and in `results`.
    i: usize,
    stream: TcpStream,
    request: Vec<u8>,
    written: usize,
    reader: ResponseReader,
    timeout: TimerId,
}

/// Starts the GET of path `i` in the idle `slot`: a non-blocking connect, the
/// request's one deadline, and `on_connected` parked until the handshake ends.
///
/// The socket is registered for both directions on the slot's token: one
/// `epoll_ctl` per connection, at the price of an occasional event nobody waits
/// for, which the loop drops.
fn fetch(lp: &mut Loop<'_>, slot: usize, i: usize, path: &str) -> io::Result<()> {
    let addr = lp.state.spec.addr;
    let mut stream = TcpStream::connect(addr)?;
    lp.registry().register(
        &mut stream,
        Token(slot),
        Interest::READABLE | Interest::WRITABLE,
    )?;
    let timeout = lp.call_later(lp.state.spec.timeout, slot, on_timeout);
    lp.state.slots[slot] = Some(Conn {
        i,
        stream,
        request: request(addr, path),
        written: 0,
        reader: ResponseReader::new(),
        timeout,
    });
    lp.when_ready(Token(slot), on_connected);
    Ok(())
}

/// The socket changed state while connecting: established, refused, or neither yet.
fn on_connected(lp: &mut Loop<'_>, slot: usize) {
    let Some(conn) = lp.state.slots[slot].as_mut() else {
        return;
    };
    let established = match conn.stream.take_error() {
        Ok(Some(e)) | Err(e) => Err(e),
        Ok(None) => conn.stream.peer_addr().map(|_| ()),
    };
    match established {
        Ok(()) => on_writable(lp, slot),
        // Woken before the handshake ended: keep waiting.
        Err(e) if e.kind() == io::ErrorKind::NotConnected => {
            lp.when_ready(Token(slot), on_connected);
        }
        Err(e) => finish(lp, slot, Err(FetchError::connect(&e))),
    }
}

/// Writes the request until it is all out, then goes on to read the response.
fn on_writable(lp: &mut Loop<'_>, slot: usize) {
    let Some(conn) = lp.state.slots[slot].as_mut() else {
        return;
    };
    while conn.written < conn.request.len() {
        match conn.stream.write(&conn.request[conn.written..]) {
            Ok(0) => {
                let e = io::Error::from(io::ErrorKind::WriteZero);
                return finish(lp, slot, Err(FetchError::io(&e)));
            }
            Ok(n) => conn.written += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                return lp.when_ready(Token(slot), on_writable);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return finish(lp, slot, Err(FetchError::io(&e))),
        }
    }
    // The response may already be waiting, and its edge may have passed: read now.
    on_readable(lp, slot);
}

/// Reads until the socket is drained, feeding the reader, until the response is
/// complete, fails, or the peer closes.
fn on_readable(lp: &mut Loop<'_>, slot: usize) {
    let st = &mut lp.state;
    let Some(conn) = st.slots[slot].as_mut() else {
        return;
    };
    let result = loop {
        match conn.stream.read(&mut st.buf) {
            Ok(0) => break conn.reader.eof(),
            Ok(n) => match conn.reader.feed(&st.buf[..n]) {
                Ok(Progress::More) => {}
                Ok(Progress::Done(page)) => break Ok(page),
                Err(e) => break Err(e),
            },
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                return lp.when_ready(Token(slot), on_readable);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break Err(FetchError::io(&e)),
        }
    };
    finish(lp, slot, result);
}

/// The request's timer fired before it finished.
fn on_timeout(lp: &mut Loop<'_>, slot: usize) {
    finish(lp, slot, Err(FetchError::Timeout));
}

/// Ends the request in `slot`: cancel its timeout, drop whatever step is parked,
/// close the socket, record the result, and let the slot's worker take the next
/// path.
fn finish(lp: &mut Loop<'_>, slot: usize, result: FetchResult) {
    let Some(mut conn) = lp.state.slots[slot].take() else {
        return;
    };
    lp.cancel(conn.timeout);
    lp.forget(Token(slot));
    // Closing the socket (dropping it, just below) also takes it out of the epoll
    // set, so a failed deregister leaves nothing behind.
    let _ = lp.registry().deregister(&mut conn.stream);
    drop(conn.stream);
    record(lp, conn.i, result);
    worker(lp, slot);
}

// ## worker

// A worker is a connection slot, not a task: `worker` runs when its slot is idle
// (at the start, and from `finish`), takes the next index from the shared cursor
// `next` and starts that fetch, then returns; the loop calls back into the chain.
// What the other models push onto `mine` goes straight to `record`.

/// Starts the next path in the idle `slot`. A path that fails at once (no socket,
/// no registration) is recorded and the slot takes the one after; with no path
/// left the slot stays idle.
fn worker(lp: &mut Loop<'_>, slot: usize) {
    let paths = &lp.state.spec.paths;
    loop {
        let i = lp.state.next;
        lp.state.next += 1;
        let Some(path) = paths.get(i) else { break };
        match fetch(lp, slot, i, path) {
            Ok(()) => return,
            Err(e) => record(lp, i, Err(FetchError::connect(&e))),
        }
    }
}

// ## run

pub(crate) fn run(spec: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
    let workers = spec.reserve_sockets()?;
    let mut lp = EventLoop::new(Crawl {
        spec,
        slots: (0..workers).map(|_| None).collect(),
        next: 0,
        results: vec![None; spec.paths.len()],
        finished: 0,
        buf: [0; READ_BUF_BYTES],
    })
    .map_err(|e| ModelError::failed(format!("cannot create the event loop: {e}")))?;
    spec.probe.begin();
    for slot in 0..workers {
        worker(&mut lp, slot);
    }
    collect(spec, lp)
}

// ## collect

// Joining the workers is running the loop until the last result stops it; each
// result was filed at its index by `record` as its request finished.

/// Stores one path's result; the last one stops the loop.
fn record(lp: &mut Loop<'_>, i: usize, result: FetchResult) {
    let st = &mut lp.state;
    st.results[i] = Some(result);
    st.finished += 1;
    if st.finished == st.results.len() {
        lp.stop();
    }
}

fn collect(spec: &CrawlSpec, mut lp: Loop<'_>) -> Result<CrawlOutcome, ModelError> {
    lp.run()
        .map_err(|e| ModelError::failed(format!("the event loop failed: {e}")))?;
    spec.probe.end();
    CrawlOutcome::from_slots(lp.state.results)
}
