//! crawl with callbacks: each request is a chain `start -> on_connected ->
//! on_writable -> on_readable -> finish`, every arrow a callback parked on the
//! connection's token until the socket is ready.
//!
//! This is the seeds' selector crawler, step for step. There are
//! `min(concurrency, paths)` connection slots; slot `k` is `Token(k)`, and its
//! state (socket, request bytes, how much is written, the response reader, the
//! timeout's id) lives in `Crawl::slots[k]`, not in the callbacks, which are plain
//! functions. When a request finishes, its slot takes the next path, so at most
//! `concurrency` requests are ever in flight and a slot's token is reused for the
//! whole crawl. One 4 KiB read buffer serves every connection, since only one
//! callback runs at a time.
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
use std::net::SocketAddr;

use harness::ModelError;
use harness::http::{FetchError, FetchResult, Progress, READ_BUF_BYTES, ResponseReader, request};
use harness::spec::{CrawlOutcome, CrawlSpec};
use mio::net::TcpStream;
use mio::{Interest, Token};

use crate::event_loop::{EventLoop, TimerId};

/// The crawl's state, owned by the loop.
struct Crawl<'s> {
    spec: &'s CrawlSpec,
    /// One entry per connection slot; `None` while the slot is idle.
    slots: Vec<Option<Conn>>,
    /// The next path to start.
    next: usize,
    /// One result per path, filled in as requests finish.
    results: Vec<Option<FetchResult>>,
    finished: usize,
    /// The one read buffer, shared by every connection.
    buf: [u8; READ_BUF_BYTES],
}

/// One request in flight.
struct Conn {
    path: usize,
    stream: TcpStream,
    request: Vec<u8>,
    written: usize,
    reader: ResponseReader,
    timeout: TimerId,
}

type Loop<'s> = EventLoop<Crawl<'s>>;

pub(crate) fn run(spec: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
    let slots = spec.reserve_sockets()?;
    let mut lp = EventLoop::new(Crawl {
        spec,
        slots: (0..slots).map(|_| None).collect(),
        next: 0,
        results: (0..spec.paths.len()).map(|_| None).collect(),
        finished: 0,
        buf: [0; READ_BUF_BYTES],
    })
    .map_err(|e| ModelError::failed(format!("cannot create the event loop: {e}")))?;
    spec.probe.begin();
    for slot in 0..slots {
        start(&mut lp, slot);
    }
    lp.run()
        .map_err(|e| ModelError::failed(format!("the event loop failed: {e}")))?;
    spec.probe.end();
    let results = lp
        .state
        .results
        .into_iter()
        .map(|r| r.ok_or_else(|| ModelError::failed("the loop ended with a path unfetched")))
        .collect::<Result<_, _>>()?;
    Ok(CrawlOutcome { results })
}

/// Starts the next path in the idle `slot`: connect and wait for the handshake.
/// A path that fails at once is recorded and the slot tries the next one.
fn start(lp: &mut Loop<'_>, slot: usize) {
    while lp.state.next < lp.state.spec.paths.len() {
        let path = lp.state.next;
        lp.state.next += 1;
        let addr = lp.state.spec.addr;
        match connect(lp, slot, addr) {
            Ok(stream) => {
                let timeout = lp.call_later(lp.state.spec.timeout, slot, on_timeout);
                lp.state.slots[slot] = Some(Conn {
                    path,
                    stream,
                    request: request(addr, &lp.state.spec.paths[path]),
                    written: 0,
                    reader: ResponseReader::new(),
                    timeout,
                });
                lp.when_ready(Token(slot), on_connected);
                return;
            }
            Err(e) => record(lp, path, Err(FetchError::connect(&e))),
        }
    }
}

/// A non-blocking connect, registered for both directions on the slot's token.
/// Registering once for both costs one `epoll_ctl` per connection; the price is
/// an occasional event nobody waits for, which the loop drops.
fn connect(lp: &Loop<'_>, slot: usize, addr: SocketAddr) -> io::Result<TcpStream> {
    let mut stream = TcpStream::connect(addr)?;
    lp.registry().register(
        &mut stream,
        Token(slot),
        Interest::READABLE | Interest::WRITABLE,
    )?;
    Ok(stream)
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
/// close the socket, record the result, and start the next path in the slot.
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
    record(lp, conn.path, result);
    start(lp, slot);
}

/// Stores one path's result; the last one stops the loop.
fn record(lp: &mut Loop<'_>, path: usize, result: FetchResult) {
    let st = &mut lp.state;
    st.results[path] = Some(result);
    st.finished += 1;
    if st.finished == st.results.len() {
        lp.stop();
    }
}
