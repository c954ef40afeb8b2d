//! crawl with actix: a `Coordinator` actor hands paths to supervised `Fetcher`
//! actors, one path per fetcher at a time, and collects the results in path order.
//!
//! There are `min(concurrency, paths)` fetchers, so "at most `concurrency` in
//! flight" is simply how many fetchers exist. They are dealt round-robin over the
//! `--threads` Arbiters (the System's own included), so their sockets are driven by
//! that many event loops, as an actix server spreads its connections over one
//! Arbiter per core; the coordinator lives on the System's Arbiter. The coordinator
//! gives each fetcher one path; a fetcher runs the request as an actor future under
//! `ctx.wait`, which holds back its mailbox until the request is done (the
//! semantics of `AtomicResponse`, without a reply), and reports `Fetched` to the
//! coordinator's `Recipient`; the coordinator stores the result and gives that
//! fetcher the next path. Both directions are `do_send`: the answer travels as its
//! own message. The coordinator does not `send` and await replies because actix
//! polls every future an actor has spawned each time that actor wakes: ten thousand
//! pending replies inside one coordinator would make each arrival cost ten thousand
//! polls.
//!
//! Every fault a peer can commit is a typed [`FetchError`] in the result, not a
//! failure of the fetcher: connect and I/O errors through `FetchError::connect`/
//! `io`, what the server answered through `ResponseReader`, and the whole request
//! under one `tokio::time::timeout`. A fetcher that fails itself (its request
//! panics) follows Erlang's "let it crash", the actix way: the panic is caught at
//! the fetcher's boundary and reported to the coordinator as that path's error, and
//! the fetcher stops. Its `Supervisor` then restarts it: not a new fetcher, but the
//! same `Fetcher` value on a fresh context (its spawned futures cancelled, its wait
//! queue cleared), calling `Supervised::restarting` and then `started` on it, with
//! the same mailbox, so the coordinator's address for it stays good and the crawl
//! goes on. Erlang's supervisor, by contrast, starts a new process from its child
//! spec; in actix whatever state must not survive a crash is reset in `restarting`.
//!
//! The request itself is this file's [`fetch`], tokio's code (every Arbiter runs a
//! tokio runtime): a waiting request holds its socket and its response reader, and
//! no read buffer of its own.

use std::io;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use actix::prelude::*;
use futures::FutureExt;
use harness::http::{self, FetchError, FetchResult, Progress, READ_BUF_BYTES, ResponseReader};
use harness::spec::{CrawlOutcome, CrawlSpec};
use harness::{ModelError, panic_message};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::oneshot;

use crate::system;

// ## fetch
// actix: an Arbiter is a tokio runtime and a fetcher's request runs on it, so this
// is tokio's fetch, the same code as the tokio model's.
/// GET `path` from `addr` on tokio's sockets, within `timeout` in all.
///
/// The same steps as a blocking fetch, each `.await` a point where the request
/// hands the Arbiter's thread back until the socket is ready. The read buffer lives
/// only between `readable().await` and `try_read`, never across an await, so it
/// sits on the polling thread's stack and not inside each of 10,000 request
/// futures. `tokio::time::timeout` bounds the whole request and drops it, closing
/// the socket, when the deadline passes.
async fn fetch(addr: SocketAddr, path: &str, timeout: Duration) -> FetchResult {
    tokio::time::timeout(timeout, get(addr, path))
        .await
        .unwrap_or(Err(FetchError::Timeout))
}

/// The request itself, with no deadline: `fetch` bounds it with a timeout, and the
/// cancel workload's requests end when their actor stops and drops it.
pub(crate) async fn get(addr: SocketAddr, path: &str) -> FetchResult {
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(|e| FetchError::connect(&e))?;
    stream
        .write_all(&http::request(addr, path))
        .await
        .map_err(|e| FetchError::io(&e))?;
    let mut reader = ResponseReader::new();
    loop {
        stream.readable().await.map_err(|e| FetchError::io(&e))?;
        let mut buf = [0u8; READ_BUF_BYTES];
        match stream.try_read(&mut buf) {
            Ok(0) => return reader.eof(),
            Ok(n) => {
                if let Progress::Done(page) = reader.feed(&buf[..n])? {
                    return Ok(page);
                }
            }
            // Readiness was stale (a spurious wake-up): wait again.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(FetchError::io(&e)),
        }
    }
}

// ## worker
// actix: the workers are supervised `Fetcher` actors and the shared cursor is the
// `Coordinator`, so a worker's loop is a round of messages: the coordinator sends a
// fetcher the `next` path, the fetcher fetches it and reports `Fetched`, and the
// coordinator stores the result (collect) and sends that fetcher the next path.
/// "Fetch this path": its index in the spec, and the path.
#[derive(Message)]
#[rtype(result = "()")]
struct Fetch {
    i: usize,
    path: String,
}

/// A fetcher's report: which fetcher, which path, and what came of it.
#[derive(Message)]
#[rtype(result = "()")]
struct Fetched {
    fetcher: usize,
    i: usize,
    result: FetchResult,
}

/// One worker: GETs one path at a time and reports each result to the coordinator.
struct Fetcher {
    id: usize,
    addr: SocketAddr,
    timeout: Duration,
    coordinator: Recipient<Fetched>,
}

impl Actor for Fetcher {
    type Context = Context<Self>;
}

/// Restarted by its `Supervisor` after a crash: the Supervisor keeps this same
/// value and runs it on a fresh context with the same mailbox. A fetcher keeps
/// nothing between requests but its id and where to send, which stay valid, so
/// `restarting` has nothing to reset and is the default.
impl Supervised for Fetcher {}

impl Handler<Fetch> for Fetcher {
    type Result = ();

    fn handle(&mut self, Fetch { i, path }: Fetch, ctx: &mut Context<Self>) {
        let (addr, timeout) = (self.addr, self.timeout);
        let request = async move { fetch(addr, &path, timeout).await };
        let guarded = AssertUnwindSafe(request).catch_unwind();
        ctx.wait(guarded.into_actor(self).map(move |outcome, fetcher, ctx| {
            let result = outcome.unwrap_or_else(|panic| {
                // Let it crash: this fetcher stops, and its supervisor restarts it.
                ctx.stop();
                Err(FetchError::Protocol(format!(
                    "fetcher {} crashed: {}",
                    fetcher.id,
                    panic_message(&*panic)
                )))
            });
            fetcher.coordinator.do_send(Fetched {
                fetcher: fetcher.id,
                i,
                result,
            });
        }));
    }
}

/// The crawl's shared cursor, and where its results are kept in path order.
struct Coordinator {
    paths: Vec<String>,
    next: usize,
    fetchers: Vec<Addr<Fetcher>>,
    results: Vec<Option<FetchResult>>,
    outstanding: usize,
    answer: Option<oneshot::Sender<Vec<Option<FetchResult>>>>,
}

impl Coordinator {
    /// Sends fetcher `id` the next path, if any is left.
    fn hand_out(&mut self, id: usize) {
        let i = self.next;
        let Some(path) = self.paths.get_mut(i) else {
            return;
        };
        self.next += 1;
        // Taken, not cloned: each path is sent once, and its slot is not read again.
        let path = std::mem::take(path);
        self.fetchers[id].do_send(Fetch { i, path });
    }
}

impl Actor for Coordinator {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        for id in 0..self.fetchers.len() {
            self.hand_out(id);
        }
        self.answer_if_done(ctx);
    }
}

// ## run
pub(crate) fn run(spec: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
    let workers = spec.reserve_sockets()?.min(spec.paths.len());
    let (addr, timeout) = (spec.addr, spec.timeout);
    let paths = spec.paths.clone();
    let n = paths.len();
    let threads = system::arbiters_for(spec.threads, workers);
    system::run(threads, &spec.probe, |arbiters| async move {
        let (answer, results) = oneshot::channel();
        Coordinator::create(move |ctx| {
            let coordinator = ctx.address().recipient();
            let fetchers = (0..workers)
                .map(|id| {
                    let coordinator = coordinator.clone();
                    let arbiter = system::placed(&arbiters, id);
                    Supervisor::start_in_arbiter(arbiter, move |_| Fetcher {
                        id,
                        addr,
                        timeout,
                        coordinator,
                    })
                })
                .collect();
            Coordinator {
                paths,
                next: 0,
                fetchers,
                results: vec![None; n],
                outstanding: n,
                answer: Some(answer),
            }
        });
        collect(results).await
    })
}

// ## collect
// actix: actors are not joined; the coordinator stores each `Fetched` in its slot as
// it comes, and answers the run through a oneshot when none is outstanding, which
// `system::run` follows with `probe.end()`.
impl Handler<Fetched> for Coordinator {
    type Result = ();

    fn handle(&mut self, Fetched { fetcher, i, result }: Fetched, ctx: &mut Context<Self>) {
        self.results[i] = Some(result);
        self.outstanding -= 1;
        self.hand_out(fetcher);
        self.answer_if_done(ctx);
    }
}

impl Coordinator {
    fn answer_if_done(&mut self, ctx: &mut Context<Self>) {
        if self.outstanding == 0 {
            if let Some(answer) = self.answer.take() {
                // The receiver is gone only if the run already gave up.
                let _ = answer.send(std::mem::take(&mut self.results));
            }
            // Stopping drops the fetchers' addresses: they stop, and no supervisor
            // restarts an actor nobody can reach (`restart` needs a connected mailbox).
            ctx.stop();
        }
    }
}

async fn collect(
    results: oneshot::Receiver<Vec<Option<FetchResult>>>,
) -> Result<CrawlOutcome, ModelError> {
    let results = results
        .await
        .map_err(|e| system::lost("the coordinator stopped without an answer", e))?;
    CrawlOutcome::from_slots(results)
}
