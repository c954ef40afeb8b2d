//! server on minirt: the crawl turned round. One task per connection, as an
//! asyncio server runs a coroutine per client (`asyncio.start_server`) and a tokio
//! one `spawn`s per `accept`. A connection task reads what has arrived, hands it to
//! the harness's parser, waits the page's delay with [`rt::sleep`], writes the
//! page, and goes round again while the client keeps the connection alive. A slow
//! client costs its own task a few `Pending`s and nobody else anything: every wait
//! hands the thread back to the loop.
//!
//! The accept loop is the main task. It waits for two things at once, the next
//! connection on the [`TcpListener`] and the harness's stop, and polls them in one
//! `poll_fn` (a `select!` by hand, as `rt::timeout` is). The stop comes from the
//! harness's thread: its hook sends on a [`thread_channel`], whose `wake()` pokes
//! the loop out of `epoll_wait` through the runtime's cross-thread path, as
//! fanout's results do. Then the listener is dropped (closed) and every connection
//! task is joined; the clients have all gone by then, so each ends at its next read.
//!
//! Every connection reads into one buffer, as the crawl's workers do: the bytes go
//! into the connection's own `pending` inside the read, before any other task can
//! run, so an idle connection holds no read buffer, only what it has not parsed.

use std::cell::RefCell;
use std::future::poll_fn;
use std::io::Read;
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use harness::http::READ_BUF_BYTES;
use harness::respond::{self, Parsed};
use harness::spec::{ServerOutcome, ServerSpec, ServerTally};
use harness::{ModelError, Probe};

use crate::crawl::Buf;
use crate::rt::{self, JoinHandle, TcpListener, TcpStream, spawn, thread_channel};
use crate::{panicked, runtime};

/// How long the accept loop backs off after an accept that failed (out of
/// descriptors, say), so it does not spin on a listener that stays readable.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(1);

// ## connection
/// One connection, open (for the probe) from its accept to its close: parse what
/// has arrived, answer it, read more only when no whole request is left (so
/// pipelined requests are answered in order, without a read in between).
async fn connection(mut stream: TcpStream, tally: Arc<ServerTally>, probe: Probe, buf: Rc<Buf>) {
    let _open = probe.enter();
    // What has arrived and is not answered yet: a head in progress, or pipelined
    // requests behind the one being answered.
    let mut pending = Vec::new();
    loop {
        match respond::parse(&pending) {
            Parsed::Request(req) => {
                pending.drain(..req.consumed);
                rt::sleep(req.delay).await;
                if stream.write_all(&req.response()).await.is_err() {
                    return; // the client is gone: close quietly
                }
                tally.answered();
                if !req.keep_alive {
                    return;
                }
            }
            Parsed::Refuse(refusal) => {
                // The connection closes either way, so a failed write changes nothing.
                let _ = stream.write_all(&refusal.response()).await;
                tally.refused();
                return;
            }
            Parsed::Partial => {
                let read = stream
                    .async_io(|io| {
                        let buf = &mut *buf.borrow_mut();
                        let n = io.read(buf)?;
                        pending.extend_from_slice(&buf[..n]);
                        Ok(n)
                    })
                    .await;
                if !matches!(read, Ok(n) if n > 0) {
                    return; // end of stream or an error: close quietly
                }
            }
        }
    }
}

// ## accept
/// Accepts until the stop, a task per connection; returns the tasks, for `run` to
/// join. Dropping the listener at the end closes it.
async fn accept(
    mut listener: TcpListener,
    mut stop: thread_channel::Receiver<()>,
    spec: &ServerSpec,
) -> Vec<JoinHandle<()>> {
    let buf = Rc::new(RefCell::new([0; READ_BUF_BYTES]));
    let mut conns: Vec<JoinHandle<()>> = Vec::new();
    loop {
        let mut stopped = pin!(stop.recv());
        let mut next = pin!(listener.accept());
        // The stop first: once it has come, what waits in the backlog is the
        // harness's wake-up connection, which nobody will talk to.
        let accepted = poll_fn(|cx| match stopped.as_mut().poll(cx) {
            Poll::Ready(_) => Poll::Ready(None),
            Poll::Pending => next.as_mut().poll(cx).map(Some),
        })
        .await;
        match accepted {
            None => break,
            Some(Ok((stream, _))) => {
                spec.tally.accepted();
                // The wake-up connection can win the race with the stop message.
                if spec.stop.is_stopped() {
                    break;
                }
                // Finished tasks are forgotten when the list is full, so a long run
                // of short connections does not keep a handle for each (tokio's
                // `JoinSet` reaps them as they end).
                if conns.len() == conns.capacity() {
                    conns.retain(|c| !c.is_finished());
                }
                let (tally, probe) = (Arc::clone(&spec.tally), spec.probe.clone());
                conns.push(spawn(connection(stream, tally, probe, Rc::clone(&buf))));
            }
            // A peer that reset before the accept: nothing was lost.
            Some(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionAborted => {}
            // Out of descriptors, or a socket epoll would not take: this connection
            // could not be held (a registered-but-failed one is already closed).
            Some(Err(e)) => {
                spec.tally
                    .dropped(format!("minirt could not accept a connection: {e}"));
                rt::sleep(ACCEPT_BACKOFF).await;
            }
        }
    }
    conns
}

// ## run
pub(crate) fn run(spec: &ServerSpec) -> Result<ServerOutcome, ModelError> {
    spec.reserve_sockets()?;
    let listener = spec.take_listener()?;
    let rt = runtime()?;
    // The hook runs on the harness's thread: a send there is a wake here.
    let (wake, stop) = thread_channel::channel();
    spec.stop.on_stop(move || {
        // Fails only if the server has already returned: nothing left to wake.
        let _ = wake.send(());
    });
    let out = rt.block_on(async {
        let listener = TcpListener::from_std(listener)
            .map_err(|e| ModelError::failed(format!("minirt cannot watch the listener: {e}")))?;
        spec.probe.begin();
        for conn in accept(listener, stop, spec).await {
            conn.await.map_err(panicked)?;
        }
        Ok(())
    });
    spec.probe.end();
    out.map(|()| spec.tally.outcome())
}
