//! server with tokio: an accept loop that `select!`s between the listener and the
//! stop, and a task per connection that reads, sleeps and writes with `.await`s.
//!
//! This is tokio's own server shape, as mini-redis (tokio-rs/mini-redis,
//! `server.rs` and `connection.rs`) writes it: `listener.accept().await` in a
//! loop, `tokio::spawn` per connection, and in the connection a buffer that
//! `read_buf` fills and a parser that takes one whole request off its front,
//! reading again only when the front holds none (so pipelined requests are
//! answered in order without a read between them). The delay is
//! `tokio::time::sleep`, one entry in the runtime's timer wheel. A slow client
//! holds one suspended task (its state machine, its 4 KiB buffer, a socket) and
//! no thread, so the others are served.
//!
//! Two things differ from mini-redis, both for the harness's rules. The
//! connections are spawned into a `JoinSet`, which the loop also reaps as they
//! end, so that at the stop every task started is joined rather than left to the
//! runtime's drop; and the stop is a `oneshot` that `Stop::on_stop` fires from
//! the harness's thread, where mini-redis selects on `ctrl_c()` and broadcasts
//! a shutdown to every handler: here the harness stops the server only after
//! every client has closed, so the handlers end on their own and nothing needs
//! telling. `Stop::stop` also connects once; if that connection is accepted
//! before the `oneshot` is seen, the loop checks the flag and drops it.
//!
//! The listener is the harness's std listener, set nonblocking and handed over
//! with `TcpListener::from_std`, which registers it with the runtime's epoll.
//!
//! What it costs: on the multi-thread runtime a connection's task runs on
//! whichever worker its socket's readiness or its timer woke it on, and may be
//! stolen by another, so `--threads` workers share every connection; on the
//! current-thread runtime every accept, parse, sleep and write takes turns on the
//! calling thread. mini-redis bounds its connections with a `Semaphore`; this
//! server holds every connection the load generator opens, as every model does.

use std::io;
use std::net::TcpListener as StdListener;
use std::sync::Arc;
use std::time::Duration;

use harness::http::READ_BUF_BYTES;
use harness::respond::{self, Parsed};
use harness::spec::{ServerOutcome, ServerSpec, ServerTally, Stop};
use harness::{ModelError, Probe};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinSet;

use crate::runtime::{self, Flavor};

/// How long the accept loop backs off after a failed accept (most often the
/// process is out of descriptors) before it tries again: mini-redis backs off
/// too, from a second up; a millisecond keeps a run's latencies readable.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(1);

// ## connection
/// One connection, from accept to close: parse what has arrived, answer every
/// whole request in order (pipelined ones too, parsed before reading again),
/// and read only when the buffer holds no whole request.
#[expect(
    clippy::manual_async_fn,
    reason = "an `async fn` keeps its arguments twice in its state machine \
              (rust-lang/rust#62958): 344 bytes against this block's 296, in each \
              connection's task"
)]
fn connection(
    mut stream: TcpStream,
    probe: Probe,
    tally: Arc<ServerTally>,
) -> impl Future<Output = ()> {
    async move {
        let _open = probe.enter();
        // On the heap, so not part of the task: `read_buf` fills its spare room.
        let mut buf = Vec::with_capacity(READ_BUF_BYTES);
        loop {
            match respond::parse(&buf) {
                Parsed::Partial => {
                    // Full: make room for a read's worth (`Vec`'s own `BufMut`
                    // would add 64 bytes at a time).
                    if buf.len() == buf.capacity() {
                        buf.reserve(READ_BUF_BYTES);
                    }
                    match stream.read_buf(&mut buf).await {
                        // The client hung up, or the connection broke: close quietly.
                        Ok(0) => return,
                        Ok(_) => {}
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(_) => return,
                    }
                }
                Parsed::Request(req) => {
                    buf.drain(..req.consumed);
                    tokio::time::sleep(req.delay).await;
                    if stream.write_all(&req.response()).await.is_err() {
                        return;
                    }
                    tally.answered();
                    if !req.keep_alive {
                        return;
                    }
                }
                Parsed::Refuse(refusal) => {
                    let _ = stream.write_all(&refusal.response()).await;
                    tally.refused();
                    return;
                }
            }
        }
        // `stream` drops here, which closes the socket.
    }
}

// ## accept
/// The accept loop: a task per connection, kept in a `JoinSet` that is reaped as
/// connections end, until the stop; then the listener is closed and every
/// connection still open is joined.
async fn accept(
    listener: TcpListener,
    mut stopped: oneshot::Receiver<()>,
    stop: Stop,
    probe: Probe,
    tally: Arc<ServerTally>,
) -> Result<(), ModelError> {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            // The stop first, then new connections, then the ended ones: a busy
            // listener must not keep the loop from seeing the stop.
            biased;
            // A dropped sender (the spec gone) stops the loop too.
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    // The client gave up before it was accepted: not ours to count.
                    Err(e) if transient(&e) => continue,
                    // Out of descriptors or memory, most often: the connection waits
                    // in the backlog meanwhile, and the run will not be ranked.
                    Err(e) => {
                        tally.dropped(format!("accept failed: {e}"));
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                        continue;
                    }
                };
                tally.accepted();
                if stop.is_stopped() {
                    // The harness's wake-up connection: drop it, and stop accepting.
                    break;
                }
                connections.spawn(connection(stream, probe.clone(), Arc::clone(&tally)));
            }
            // Ended connections, so the set holds the open ones only.
            Some(ended) = connections.join_next() => ended.map_err(runtime::joined)?,
        }
    }
    // Closed before any connection is joined: nothing more is accepted.
    drop(listener);
    // Each ends when its client closes, and the harness stops the server only
    // after every client has: these joins wait for nothing else.
    while let Some(ended) = connections.join_next().await {
        ended.map_err(runtime::joined)?;
    }
    Ok(())
}

// ## run
pub(crate) fn run(spec: &ServerSpec, flavor: Flavor) -> Result<ServerOutcome, ModelError> {
    spec.reserve_sockets()?;
    let listener = nonblocking(spec.take_listener()?)?;
    // The hook runs on the harness's thread: a `oneshot` send needs no runtime.
    let (to_stop, stopped) = oneshot::channel();
    spec.stop.on_stop(move || {
        let _ = to_stop.send(());
    });
    let (stop, probe, tally) = (
        spec.stop.clone(),
        spec.probe.clone(),
        Arc::clone(&spec.tally),
    );
    let rt = runtime::start(flavor)?;
    spec.probe.begin();
    let out = rt.run(async move {
        // Inside the runtime: `from_std` registers the listener with its driver.
        let listener = TcpListener::from_std(listener)
            .map_err(|e| ModelError::failed(format!("could not register the listener: {e}")))?;
        accept(listener, stopped, stop, probe, tally).await
    });
    spec.probe.end();
    out.map(|()| spec.tally.outcome())
}

// ## helpers
/// tokio's `from_std` takes a listener as it is, and a blocking one would block a
/// worker in `accept`: tokio's docs ask the caller to set it nonblocking first.
fn nonblocking(listener: StdListener) -> Result<StdListener, ModelError> {
    listener
        .set_nonblocking(true)
        .map_err(|e| ModelError::failed(format!("could not make the listener nonblocking: {e}")))?;
    Ok(listener)
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
