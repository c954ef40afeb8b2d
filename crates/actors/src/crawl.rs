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
//! The request itself is `harness::http::fetch_tokio`, the same fetch the tokio
//! models use (every Arbiter runs a tokio runtime): a waiting request holds its
//! socket and its response reader, and no read buffer of its own.

use std::iter::Enumerate;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use actix::prelude::*;
use futures::FutureExt;
use harness::http::{FetchError, FetchResult, fetch_tokio};
use harness::spec::{CrawlOutcome, CrawlSpec};
use harness::{ModelError, panic_message};
use tokio::sync::oneshot;

use crate::system;

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

/// Restarted by its `Supervisor` after a crash: the Supervisor keeps this same
/// value and runs it on a fresh context with the same mailbox. A fetcher keeps
/// nothing between requests but its id and where to send, which stay valid, so
/// `restarting` has nothing to reset and is the default.
impl Supervised for Fetcher {}

impl Handler<Fetch> for Fetcher {
    type Result = ();

    fn handle(&mut self, Fetch { index, path }: Fetch, ctx: &mut Context<Self>) {
        let (addr, timeout) = (self.addr, self.timeout);
        let request = async move { fetch_tokio(addr, &path, timeout).await };
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
                index,
                result,
            });
        }));
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
            // restarts an actor nobody can reach (`restart` needs a connected mailbox).
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
    let fetchers = spec.reserve_sockets()?.min(n);
    let threads = system::arbiters_for(spec.threads, fetchers);
    let (addr, timeout, paths) = (spec.addr, spec.timeout, spec.paths.clone());
    let results = system::run(threads, &spec.probe, |arbiters| async move {
        let (answer, results) = oneshot::channel();
        Coordinator::create(move |ctx| {
            let me = ctx.address().recipient();
            let fetchers = (0..fetchers)
                .map(|id| {
                    let coordinator = me.clone();
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
