//! cancel with callbacks: every request is crawl's chain of callbacks parked on
//! its own socket, all started at once; a timer at `spec.after` takes every chain
//! off the loop.
//!
//! What a callback loop does differently: a request here has no thread or task to
//! interrupt, and no stack to unwind. Between two events it is only a socket in
//! the poll set, the one callback parked on its token, and a slot of state. So
//! cancelling is taking those away: `forget` drops the parked callback (the step
//! that would have run next never will), `deregister` and dropping the socket close
//! it (libuv's `uv_close`, asyncio's `transport.abort()`), and the slot records
//! `Cancelled`. Nothing has to notice or co-operate, and no request can be caught
//! halfway through a step: the cancel is itself a callback on the same thread, so
//! while it runs no step of any request does. The server sees every connection's
//! FIN as the callback closes it, before the loop's next poll.
//!
//! The fetch is crawl's, step for step (`fetch -> on_connected -> on_writable ->
//! on_readable -> finish`), with two differences the workload asks for: every path
//! gets its own slot, `Token(i)`, so all `n` are in flight at once, and a request
//! has no timeout of its own: the cancel timer is the only deadline. A request that
//! ends before it (its page came, or it failed) records that, and the cancel finds
//! its slot empty.

use std::io::{self, Read, Write};

use harness::ModelError;
use harness::http::{FetchError, FetchResult, Progress, READ_BUF_BYTES, ResponseReader, request};
use harness::probe::Alive;
use harness::spec::{CancelOutcome, CancelSpec, RequestEnd, SPARE_FILES};
use mio::net::TcpStream;
use mio::{Interest, Token};

use crate::event_loop::EventLoop;

/// The cancel timer's key (it cancels every slot, so the key is never read).
const CANCEL: usize = usize::MAX;

// ## request

// A request is crawl's chain of callbacks; its state, `Req`, is what a
// straight-line fetch keeps in locals, plus the probe's guard it holds from its
// first step to its last. `finish` is the one exit, whether the page came, the
// request failed, or the cancel ended it.

/// The run's state, owned by the loop.
struct Cancel<'s> {
    spec: &'s CancelSpec,
    /// Request `i` in slot `i`, on `Token(i)`; `None` once it has ended.
    reqs: Vec<Option<Req>>,
    /// How each request ended, filled in by `finish`.
    ends: Vec<Option<RequestEnd>>,
    /// The one read buffer, shared by every request.
    buf: [u8; READ_BUF_BYTES],
}

type Loop<'s> = EventLoop<Cancel<'s>>;

/// One request in flight.
struct Req {
    stream: TcpStream,
    request: Vec<u8>,
    written: usize,
    reader: ResponseReader,
    /// Its place on the probe's gauge, from its first step to its last.
    _alive: Alive,
}

/// Starts request `i`: a non-blocking connect, registered for both directions,
/// and `on_connected` parked until the handshake ends.
fn fetch(lp: &mut Loop<'_>, i: usize) -> io::Result<()> {
    let spec = lp.state.spec;
    let alive = spec.probe.enter();
    let mut stream = TcpStream::connect(spec.addr)?;
    lp.registry().register(
        &mut stream,
        Token(i),
        Interest::READABLE | Interest::WRITABLE,
    )?;
    lp.state.reqs[i] = Some(Req {
        stream,
        request: request(spec.addr, &spec.paths[i]),
        written: 0,
        reader: ResponseReader::new(),
        _alive: alive,
    });
    lp.when_ready(Token(i), on_connected);
    Ok(())
}

/// The socket changed state while connecting: established, refused, or neither yet.
fn on_connected(lp: &mut Loop<'_>, i: usize) {
    let Some(req) = lp.state.reqs[i].as_mut() else {
        return;
    };
    let established = match req.stream.take_error() {
        Ok(Some(e)) | Err(e) => Err(e),
        Ok(None) => req.stream.peer_addr().map(|_| ()),
    };
    match established {
        Ok(()) => on_writable(lp, i),
        Err(e) if e.kind() == io::ErrorKind::NotConnected => {
            lp.when_ready(Token(i), on_connected);
        }
        Err(e) => finish(lp, i, RequestEnd::Failed(FetchError::connect(&e))),
    }
}

/// Writes the request until it is all out, then goes on to read the response.
fn on_writable(lp: &mut Loop<'_>, i: usize) {
    let Some(req) = lp.state.reqs[i].as_mut() else {
        return;
    };
    while req.written < req.request.len() {
        match req.stream.write(&req.request[req.written..]) {
            Ok(0) => {
                let e = io::Error::from(io::ErrorKind::WriteZero);
                return finish(lp, i, RequestEnd::Failed(FetchError::io(&e)));
            }
            Ok(n) => req.written += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                return lp.when_ready(Token(i), on_writable);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return finish(lp, i, RequestEnd::Failed(FetchError::io(&e))),
        }
    }
    on_readable(lp, i);
}

/// Reads until the socket is drained, until the response is complete, fails, or
/// the peer closes. Here the server holds every page far longer than the run, so
/// this parks itself until the cancel takes it away.
fn on_readable(lp: &mut Loop<'_>, i: usize) {
    let st = &mut lp.state;
    let Some(req) = st.reqs[i].as_mut() else {
        return;
    };
    let result: FetchResult = loop {
        match req.stream.read(&mut st.buf) {
            Ok(0) => break req.reader.eof(),
            Ok(n) => match req.reader.feed(&st.buf[..n]) {
                Ok(Progress::More) => {}
                Ok(Progress::Done(page)) => break Ok(page),
                Err(e) => break Err(e),
            },
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                return lp.when_ready(Token(i), on_readable);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break Err(FetchError::io(&e)),
        }
    };
    let end = match result {
        Ok(page) => RequestEnd::Page(page),
        Err(e) => RequestEnd::Failed(e),
    };
    finish(lp, i, end);
}

/// Ends request `i`: drop whatever step is parked, close the socket, give the
/// probe's place back, record how it ended.
fn finish(lp: &mut Loop<'_>, i: usize, end: RequestEnd) {
    let Some(mut req) = lp.state.reqs[i].take() else {
        return;
    };
    lp.forget(Token(i));
    let _ = lp.registry().deregister(&mut req.stream);
    // Closes the socket (and leaves the epoll set) and drops the probe's guard.
    drop(req);
    lp.state.ends[i] = Some(end);
}

// ## run

// Every request starts before the loop runs, so all are in flight together; the
// cancel is one more callback, on the timer heap. Running the loop until nothing
// is parked or timed is joining every request.

pub(crate) fn run(spec: &CancelSpec) -> Result<CancelOutcome, ModelError> {
    let n = spec.paths.len();
    harness::limits::ensure_nofile(n as u64 + SPARE_FILES, "cancel requests")
        .map_err(ModelError::unsupported)?;
    let mut lp = EventLoop::new(Cancel {
        spec,
        reqs: (0..n).map(|_| None).collect(),
        ends: vec![None; n],
        buf: [0; READ_BUF_BYTES],
    })
    .map_err(|e| ModelError::failed(format!("cannot create the event loop: {e}")))?;
    spec.probe.begin();
    for i in 0..n {
        if let Err(e) = fetch(&mut lp, i) {
            lp.state.ends[i] = Some(RequestEnd::Failed(FetchError::connect(&e)));
        }
    }
    lp.call_later(spec.after, CANCEL, cancel_all);
    lp.run()
        .map_err(|e| ModelError::failed(format!("the event loop failed: {e}")))?;
    spec.probe.end();
    let ends = lp
        .state
        .ends
        .into_iter()
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| ModelError::failed("a request ended without reporting"))?;
    Ok(CancelOutcome { ends })
}

// ## cancel

// Cancelling is a callback like any other: it runs between two steps of every
// request, so each one is parked (on its socket) or already over. Taking the
// parked step away and closing the socket is the whole of it.

/// The cancel timer fired: end every request still in flight as cancelled.
fn cancel_all(lp: &mut Loop<'_>, _: usize) {
    lp.state.spec.cancelling();
    for i in 0..lp.state.reqs.len() {
        if lp.state.reqs[i].is_some() {
            finish(lp, i, RequestEnd::Cancelled);
        }
    }
}
