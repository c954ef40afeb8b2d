//! server with actix: an `Acceptor` actor whose stream is the listener's
//! connections, and one `Connection` actor per connection, which owns its socket
//! and its buffer and serves the page protocol until its client closes.
//!
//! The acceptor lives on the System's Arbiter; the listener is tokio's (every
//! Arbiter runs a tokio runtime), turned into a stream of accepted sockets and
//! added to the acceptor's context with `ctx.add_stream`, so each connection is
//! one `StreamHandler::handle`. The connections are dealt round-robin over the
//! `--threads` Arbiters, the System's own included, as actix-server deals its
//! connections to one worker Arbiter per core: a socket bound for another Arbiter
//! leaves this one's reactor (`into_std`) and is registered on its new one there
//! (`from_std`, inside the closure the acceptor sends that Arbiter), which starts
//! the connection's actor. There is no work stealing: a connection stays where it
//! was placed.
//!
//! A connection's steps are futures in its own context, each `into_actor` and
//! mapped back to the actor when it resolves: wait until the socket is readable,
//! then read into the actor's buffer; parse; wait the page's delay with
//! `ctx.run_later` (a timer in the context, not a thread); write the response;
//! parse again, since a pipelining client's next request may already be buffered.
//! A connection that waits holds no thread, so a slow client (a byte a second)
//! costs its own actor's wake-ups and nothing else. The client closing ends the
//! actor (`ctx.stop()`), and its `stopped` tells the acceptor.
//!
//! The stop is a message: the harness's hook `do_send`s `StopAccepting` to the
//! acceptor's address. The acceptor cancels its listener stream (the listener is
//! dropped with it), waits for a `Closed` from every connection it handed out,
//! then answers the run and stops; `system::run` stops and joins the Arbiters.

use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;

use actix::prelude::*;
use actix::{ArbiterHandle, SpawnHandle};
use futures::Stream;
use harness::http::READ_BUF_BYTES;
use harness::probe::Alive;
use harness::respond::{self, Parsed};
use harness::spec::{ServerOutcome, ServerSpec, ServerTally, Stop};
use harness::{ModelError, Probe};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use crate::system;

// ## connection
// actix: a connection is an actor that owns its socket (an `Rc`, lent to the one
// step in flight) and its read buffer; each step is a future spawned in its
// context and mapped back onto the actor, and the delay is a `run_later` timer.
/// "A connection you handed out has ended."
#[derive(Message)]
#[rtype(result = "()")]
struct Closed;

/// What to count once a write is through.
#[derive(Clone, Copy)]
enum Written {
    Page { keep_alive: bool },
    Refusal,
}

/// One client connection and everything it owns.
struct Connection {
    stream: Rc<TcpStream>,
    buf: Vec<u8>,
    tally: Arc<ServerTally>,
    acceptor: Recipient<Closed>,
    open: Option<Alive>,
}

impl Connection {
    fn new(
        stream: TcpStream,
        probe: &Probe,
        tally: Arc<ServerTally>,
        acceptor: Recipient<Closed>,
    ) -> Self {
        Self {
            stream: Rc::new(stream),
            buf: Vec::new(),
            tally,
            acceptor,
            open: Some(probe.enter()),
        }
    }

    /// Answers what the buffer holds, or reads more.
    fn serve(&mut self, ctx: &mut Context<Self>) {
        match respond::parse(&self.buf) {
            Parsed::Partial => self.read(ctx),
            Parsed::Request(req) => {
                self.buf.drain(..req.consumed);
                // The page's delay: a timer in this actor's context.
                ctx.run_later(req.delay, move |conn, ctx| {
                    let then = Written::Page {
                        keep_alive: req.keep_alive,
                    };
                    conn.write(req.response(), then, ctx);
                });
            }
            Parsed::Refuse(refusal) => self.write(refusal.response(), Written::Refusal, ctx),
        }
    }

    /// Waits until the socket is readable, then reads what is there into the buffer.
    fn read(&mut self, ctx: &mut Context<Self>) {
        let stream = Rc::clone(&self.stream);
        let readable = async move { stream.readable().await };
        ctx.spawn(readable.into_actor(self).map(|ready, conn, ctx| {
            // The chunk lives only here, on the Arbiter's stack, never in a future.
            let mut chunk = [0u8; READ_BUF_BYTES];
            match ready.and_then(|()| conn.stream.try_read(&mut chunk)) {
                // The client closed: the connection's end.
                Ok(0) => ctx.stop(),
                Ok(n) => {
                    conn.buf.extend_from_slice(&chunk[..n]);
                    conn.serve(ctx);
                }
                // Readiness was stale (a spurious wake-up): wait again.
                Err(e) if is_retry(&e) => conn.read(ctx),
                Err(_) => ctx.stop(),
            }
        }));
    }

    /// Writes `bytes` whole, counts it, then serves the next request or closes.
    fn write(&mut self, bytes: Vec<u8>, then: Written, ctx: &mut Context<Self>) {
        let write = write_all(Rc::clone(&self.stream), bytes);
        ctx.spawn(write.into_actor(self).map(move |written, conn, ctx| {
            match (then, written) {
                (Written::Page { keep_alive }, Ok(())) => {
                    conn.tally.answered();
                    if keep_alive {
                        return conn.serve(ctx);
                    }
                }
                // A refusal counts whether or not the client read it.
                (Written::Refusal, _) => conn.tally.refused(),
                (Written::Page { .. }, Err(_)) => {}
            }
            ctx.stop();
        }));
    }
}

impl Actor for Connection {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        self.serve(ctx);
    }

    /// The last step: leave the gauge and tell the acceptor; the socket closes when
    /// the context drops this actor and its futures, right after.
    fn stopped(&mut self, _: &mut Context<Self>) {
        drop(self.open.take());
        self.acceptor.do_send(Closed);
    }
}

// ## accept
// actix: the acceptor is an actor whose stream is the listener; each accepted
// socket is handed to an Arbiter, which starts its `Connection` there. The stop is
// a message that cancels the stream; the acceptor answers once every connection it
// handed out has reported `Closed`.
/// The harness's stop, as a message.
#[derive(Message)]
#[rtype(result = "()")]
struct StopAccepting;

/// Accepts, deals connections to the Arbiters, and counts the ones still open.
struct Acceptor {
    listener: Option<TcpListener>,
    accepting: Option<SpawnHandle>,
    arbiters: Vec<ArbiterHandle>,
    dealt: usize,
    open: usize,
    stop: Stop,
    probe: Probe,
    tally: Arc<ServerTally>,
    answer: Option<oneshot::Sender<()>>,
}

/// The listener as a stream of accepted sockets (what `tokio-stream`'s
/// `TcpListenerStream` is, in one line).
fn incoming(listener: TcpListener) -> impl Stream<Item = io::Result<(TcpStream, SocketAddr)>> {
    futures::stream::poll_fn(move |cx| listener.poll_accept(cx).map(Some))
}

impl Acceptor {
    /// Starts the connection's actor on Arbiter `i % arbiters`: here at once, or
    /// on another Arbiter, whose reactor the socket must be registered with.
    fn deal(&mut self, stream: TcpStream, ctx: &mut Context<Self>) {
        let i = self.dealt;
        self.dealt += 1;
        let closed = ctx.address().recipient();
        let tally = Arc::clone(&self.tally);
        if i % self.arbiters.len() == 0 {
            Connection::new(stream, &self.probe, tally, closed).start();
            self.open += 1;
            return;
        }
        let stream = match stream.into_std() {
            Ok(stream) => stream,
            Err(e) => return self.tally.dropped(format!("cannot move a socket: {e}")),
        };
        let probe = self.probe.clone();
        let placed =
            system::placed(&self.arbiters, i).spawn_fn(move || match TcpStream::from_std(stream) {
                Ok(stream) => {
                    Connection::new(stream, &probe, tally, closed).start();
                }
                Err(e) => {
                    tally.dropped(format!("cannot register a socket on an Arbiter: {e}"));
                    closed.do_send(Closed);
                }
            });
        if placed {
            self.open += 1;
        } else {
            // The closure, and the socket in it, were dropped: the socket is closed.
            self.tally.dropped(system::arbiter_gone());
        }
    }

    fn answer_if_done(&mut self, ctx: &mut Context<Self>) {
        if self.accepting.is_none() && self.open == 0 {
            if let Some(answer) = self.answer.take() {
                // The receiver is gone only if the run already gave up.
                let _ = answer.send(());
            }
            ctx.stop();
        }
    }
}

impl Actor for Acceptor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        if let Some(listener) = self.listener.take() {
            self.accepting = Some(ctx.add_stream(incoming(listener)));
        }
    }
}

impl StreamHandler<io::Result<(TcpStream, SocketAddr)>> for Acceptor {
    fn handle(&mut self, accepted: io::Result<(TcpStream, SocketAddr)>, ctx: &mut Context<Self>) {
        match accepted {
            Ok((stream, _)) => {
                self.tally.accepted();
                // The harness's wake-up connection, or one that came with it: the
                // stop has been called, so it is closed unserved.
                if self.accepting.is_none() || self.stop.is_stopped() {
                    return;
                }
                self.deal(stream, ctx);
            }
            // A client that gave up before its accept: nothing to hold.
            Err(e) if is_retry(&e) || e.kind() == io::ErrorKind::ConnectionAborted => {}
            Err(e) => {
                // Out of descriptors or memory: the connection waits in the backlog;
                // pause, as actix-server does, rather than spin on the error.
                self.tally.dropped(format!("accept failed: {e}"));
                ctx.wait(tokio::time::sleep(ACCEPT_PAUSE).into_actor(self));
            }
        }
    }
}

impl Handler<StopAccepting> for Acceptor {
    type Result = ();

    fn handle(&mut self, _: StopAccepting, ctx: &mut Context<Self>) {
        // Cancelling the stream drops it, and the listener with it.
        if let Some(accepting) = self.accepting.take() {
            ctx.cancel_future(accepting);
        }
        self.answer_if_done(ctx);
    }
}

impl Handler<Closed> for Acceptor {
    type Result = ();

    fn handle(&mut self, _: Closed, ctx: &mut Context<Self>) {
        self.open -= 1;
        self.answer_if_done(ctx);
    }
}

/// How long the acceptor waits after an accept error that is not the client's.
const ACCEPT_PAUSE: std::time::Duration = std::time::Duration::from_millis(10);

// ## run
pub(crate) fn run(spec: &ServerSpec) -> Result<ServerOutcome, ModelError> {
    spec.reserve_sockets()?;
    let listener = spec.take_listener()?;
    // tokio's `from_std` expects a nonblocking socket.
    listener
        .set_nonblocking(true)
        .map_err(|e| ModelError::failed(format!("cannot make the listener nonblocking: {e}")))?;
    let threads = system::arbiters_for(spec.threads, spec.connections);
    let (stop, probe, tally) = (
        spec.stop.clone(),
        spec.probe.clone(),
        Arc::clone(&spec.tally),
    );
    system::run(threads, &spec.probe, |arbiters| async move {
        let listener = TcpListener::from_std(listener)
            .map_err(|e| ModelError::failed(format!("cannot register the listener: {e}")))?;
        let (answer, done) = oneshot::channel();
        let acceptor = Acceptor {
            listener: Some(listener),
            accepting: None,
            arbiters,
            dealt: 0,
            open: 0,
            stop: stop.clone(),
            probe,
            tally: Arc::clone(&tally),
            answer: Some(answer),
        }
        .start();
        // Runs on the harness's thread at the stop (or here, if it already came).
        let stopper = acceptor.clone();
        stop.on_stop(move || stopper.do_send(StopAccepting));
        system::hold(acceptor, done, "acceptor").await?;
        Ok(tally.outcome())
    })
}

// ## helpers
/// Writes `bytes` whole on a socket shared with its actor: wait until writable,
/// write what the kernel takes, again until all is written.
async fn write_all(stream: Rc<TcpStream>, bytes: Vec<u8>) -> io::Result<()> {
    let mut at = 0;
    while at < bytes.len() {
        stream.writable().await?;
        match stream.try_write(&bytes[at..]) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => at += n,
            Err(e) if is_retry(&e) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// An error that means "try again": stale readiness or a signal.
fn is_retry(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
    )
}
