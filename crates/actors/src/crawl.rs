//! crawl with actix: a `Coordinator` actor hands paths to supervised `Fetcher`
//! actors, one path per fetcher at a time, and collects the results in path order.
//!
//! There are `min(concurrency, paths)` fetchers, so "at most `concurrency` in
//! flight" is simply how many fetchers exist. The coordinator gives each fetcher
//! one path; a fetcher runs the request as an actor future under `ctx.wait`, which
//! holds back its mailbox until the request is done (the semantics of
//! `AtomicResponse`, without a reply), and reports `Fetched` to the coordinator's
//! `Recipient`; the coordinator stores the result and gives that fetcher the next
//! path. Both directions are `do_send`: the answer travels as its own message.
//! The coordinator does not `send` and await replies because actix polls every
//! future an actor has spawned each time that actor wakes: ten thousand pending
//! replies inside one coordinator would make each arrival cost ten thousand polls.
//!
//! Every fault a peer can commit is a typed [`FetchError`] in the result, not a
//! failure of the fetcher: connect and I/O errors through `FetchError::connect`/
//! `io`, what the server answered through `ResponseReader`, and the whole request
//! under one `tokio::time::timeout`. A fetcher that fails itself (its request
//! panics) follows Erlang's "let it crash": the panic is caught at the fetcher's
//! boundary and reported to the coordinator as that path's error, the fetcher stops,
//! and its `Supervisor` restarts a fresh one on the same mailbox, so the
//! coordinator's address for it stays good and the crawl goes on.
//!
//! The socket is read with `readable().await` and `try_read` into one buffer per
//! Arbiter thread: a waiting request then holds no read buffer of its own, which
//! matters with ten thousand in flight.

use std::cell::RefCell;
use std::io;
use std::iter::Enumerate;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use actix::prelude::*;
use futures::FutureExt;
use harness::http::{FetchError, FetchResult, Progress, READ_BUF_BYTES, ResponseReader, request};
use harness::spec::{CrawlOutcome, CrawlSpec};
use harness::{ModelError, panic_message};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::oneshot;

use crate::system;

thread_local! {
    /// The read buffer every fetch on this thread reads into, between awaits only.
    static READ_BUF: RefCell<[u8; READ_BUF_BYTES]> = const { RefCell::new([0; READ_BUF_BYTES]) };
}

/// "Fetch this path": its index in the spec, and the path.
#[derive(Message)]
#[rtype(result = "()")]
struct Fetch {
    index: usize,
    path: String,
}

/// A fetcher's report: which fetcher, which path, and what came of it.
#[derive(Message)]
#[rtype(result = "()")]
struct Fetched {
    fetcher: usize,
    index: usize,
    result: FetchResult,
}

/// GETs one path at a time and reports each result to the coordinator.
struct Fetcher {
    id: usize,
    addr: SocketAddr,
    timeout: Duration,
    coordinator: Recipient<Fetched>,
}

impl Actor for Fetcher {
    type Context = Context<Self>;
}

/// Restarted by its `Supervisor` after a crash: a fetcher keeps nothing between
/// requests, so the fresh one is the same struct and the mailbox carries over.
impl Supervised for Fetcher {}

impl Handler<Fetch> for Fetcher {
    type Result = ();

    fn handle(&mut self, Fetch { index, path }: Fetch, ctx: &mut Context<Self>) {
        let request = fetch(self.addr, path, self.timeout);
        let guarded = AssertUnwindSafe(request).catch_unwind();
        ctx.wait(guarded.into_actor(self).map(move |outcome, fetcher, ctx| {
            let result = outcome.unwrap_or_else(|panic| {
                // Let it crash: this fetcher stops, its supervisor starts a new one.
                ctx.stop();
                Err(FetchError::Protocol(format!(
                    "fetcher {} crashed: {}",
                    fetcher.id,
                    panic_message(&*panic)
                )))
            });
            fetcher.coordinator.do_send(Fetched {
                fetcher: fetcher.id,
                index,
                result,
            });
        }));
    }
}

/// One GET within `timeout`, connect to last byte.
async fn fetch(addr: SocketAddr, path: String, timeout: Duration) -> FetchResult {
    tokio::time::timeout(timeout, get(addr, &path))
        .await
        .unwrap_or(Err(FetchError::Timeout))
}

async fn get(addr: SocketAddr, path: &str) -> FetchResult {
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(|e| FetchError::connect(&e))?;
    stream
        .write_all(&request(addr, path))
        .await
        .map_err(|e| FetchError::io(&e))?;
    let mut reader = ResponseReader::new();
    loop {
        stream.readable().await.map_err(|e| FetchError::io(&e))?;
        let step = READ_BUF.with_borrow_mut(|buf| match stream.try_read(buf) {
            Ok(0) => Some(reader.eof()),
            Ok(n) => match reader.feed(&buf[..n]) {
                Ok(Progress::Done(page)) => Some(Ok(page)),
                Ok(Progress::More) => None,
                Err(e) => Some(Err(e)),
            },
            // A spurious readiness: wait again.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                ) =>
            {
                None
            }
            Err(e) => Some(Err(FetchError::io(&e))),
        });
        if let Some(result) = step {
            return result;
        }
    }
}

/// Hands out the paths in order and keeps the results in path order.
struct Coordinator {
    queue: Enumerate<std::vec::IntoIter<String>>,
    fetchers: Vec<Addr<Fetcher>>,
    results: Vec<Option<FetchResult>>,
    outstanding: usize,
    answer: Option<oneshot::Sender<Vec<Option<FetchResult>>>>,
}

impl Coordinator {
    /// Gives `fetcher` the next path, if any is left.
    fn hand_out(&mut self, fetcher: usize) {
        if let Some((index, path)) = self.queue.next() {
            self.fetchers[fetcher].do_send(Fetch { index, path });
        }
    }

    fn answer_if_done(&mut self, ctx: &mut Context<Self>) {
        if self.outstanding == 0 {
            if let Some(answer) = self.answer.take() {
                // The receiver is gone only if the run already gave up.
                let _ = answer.send(std::mem::take(&mut self.results));
            }
            // Stopping drops the fetchers' addresses: they stop, and no supervisor
            // restarts an actor nobody can reach.
            ctx.stop();
        }
    }
}

impl Actor for Coordinator {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        for fetcher in 0..self.fetchers.len() {
            self.hand_out(fetcher);
        }
        self.answer_if_done(ctx);
    }
}

impl Handler<Fetched> for Coordinator {
    type Result = ();

    fn handle(&mut self, msg: Fetched, ctx: &mut Context<Self>) {
        self.results[msg.index] = Some(msg.result);
        self.outstanding -= 1;
        self.hand_out(msg.fetcher);
        self.answer_if_done(ctx);
    }
}

pub(crate) fn run(spec: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
    let n = spec.paths.len();
    let in_flight = spec.reserve_sockets()?;
    let (addr, timeout, paths) = (spec.addr, spec.timeout, spec.paths.clone());
    let results = system::run(0, |_| async move {
        let (answer, results) = oneshot::channel();
        Coordinator::create(move |ctx| {
            let me = ctx.address().recipient();
            let fetchers = (0..in_flight.min(n))
                .map(|id| {
                    let coordinator = me.clone();
                    Supervisor::start(move |_| Fetcher {
                        id,
                        addr,
                        timeout,
                        coordinator,
                    })
                })
                .collect();
            Coordinator {
                queue: paths.into_iter().enumerate(),
                fetchers,
                results: vec![None; n],
                outstanding: n,
                answer: Some(answer),
            }
        });
        results
            .await
            .map_err(|e| system::lost("the coordinator stopped without an answer", e))
    })?;
    CrawlOutcome::from_slots(results)
}
