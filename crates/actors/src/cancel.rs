//! cancel with actix: one `Request` actor per path, each running its GET as a
//! future in its own context; after `after`, a `Canceller` actor sends every
//! request `Cancel`, and a request cancels by stopping itself.
//!
//! In actix a future belongs to the actor whose context it was spawned in (`All
//! futures spawned into an actor's context are cancelled during the actor's
//! stopping stage`, says `AsyncContext::spawn`), so cancelling work is stopping
//! the actor that does it. A request's GET is crawl's request (`crawl::get`,
//! tokio's sockets, with no timeout of its own); its `Cancel` handler calls
//! `ctx.stop()`; the context calls `stopped`, which reports how the request ended
//! to the canceller, and then drops the actor and every future in its context:
//! the GET's future, and with it its socket, which closes. The requests are dealt
//! round-robin over the `--threads` Arbiters, and each stops on its own Arbiter.
//!
//! The canceller lives on the System's Arbiter. It starts every request, waits
//! `after` with `ctx.run_later` (a timer in its context), calls
//! `spec.cancelling()`, sends `Cancel` to each address and drops them, then
//! collects one `Ended` per request in path order; it answers the run once the
//! cancel has been sent and every request has reported, and `system::run` stops
//! and joins the Arbiters, which drops whatever was left on them: nothing, since
//! every request has stopped.

use std::net::SocketAddr;

use actix::prelude::*;
use harness::probe::Alive;
use harness::spec::{CancelOutcome, CancelSpec, RequestEnd, SPARE_FILES};
use harness::{ModelError, Probe, limits};
use tokio::sync::oneshot;

use crate::{crawl, system};

// ## request
// actix: a request is an actor; its GET is a future spawned in its context in
// `started`, a page or an error that comes first is kept and the actor stops, and
// `stopped` reports whatever ended it, `Cancelled` if nothing else did.
/// "Stop what you are doing."
#[derive(Message)]
#[rtype(result = "()")]
struct Cancel;

/// A request's report: which path, and how it ended.
#[derive(Message)]
#[rtype(result = "()")]
struct Ended {
    i: usize,
    end: RequestEnd,
}

/// One GET on its own connection, from `started` to `stopped`.
struct Request {
    i: usize,
    addr: SocketAddr,
    path: String,
    probe: Probe,
    alive: Option<Alive>,
    end: Option<RequestEnd>,
    canceller: Recipient<Ended>,
}

impl Actor for Request {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        self.alive = Some(self.probe.enter());
        let (addr, path) = (self.addr, std::mem::take(&mut self.path));
        let get = async move { crawl::get(addr, &path).await };
        ctx.spawn(get.into_actor(self).map(|result, request, ctx| {
            // It ended before the cancel: a page, or a failure of its own.
            request.end = Some(match result {
                Ok(page) => RequestEnd::Page(page),
                Err(e) => RequestEnd::Failed(e),
            });
            ctx.stop();
        }));
    }

    /// The request's last step; its context drops the GET's future (and closes
    /// its socket) right after.
    fn stopped(&mut self, _: &mut Context<Self>) {
        let end = self.end.take().unwrap_or(RequestEnd::Cancelled);
        drop(self.alive.take());
        self.canceller.do_send(Ended { i: self.i, end });
    }
}

impl Handler<Cancel> for Request {
    type Result = ();

    fn handle(&mut self, _: Cancel, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

// ## run
pub(crate) fn run(spec: &CancelSpec) -> Result<CancelOutcome, ModelError> {
    let n = spec.paths.len();
    limits::ensure_nofile(n as u64 + SPARE_FILES, "cancel requests")
        .map_err(ModelError::unsupported)?;
    let threads = system::arbiters_for(spec.threads, n);
    let spec = spec.clone();
    let probe = spec.probe.clone();
    system::run(threads, &probe, |arbiters| async move {
        let (answer, ends) = oneshot::channel();
        let canceller = Canceller::create(move |ctx| {
            let canceller = ctx.address().recipient();
            let requests = spec
                .paths
                .iter()
                .enumerate()
                .map(|(i, path)| {
                    let (path, probe) = (path.clone(), spec.probe.clone());
                    let canceller = canceller.clone();
                    let addr = spec.addr;
                    Request::start_in_arbiter(system::placed(&arbiters, i), move |_| Request {
                        i,
                        addr,
                        path,
                        probe,
                        alive: None,
                        end: None,
                        canceller,
                    })
                })
                .collect();
            Canceller {
                spec,
                requests,
                cancelled: false,
                ends: vec![None; n],
                outstanding: n,
                answer: Some(answer),
            }
        });
        let ends = system::hold(canceller, ends, "canceller").await?;
        Ok(CancelOutcome { ends })
    })
}

// ## cancel
// actix: cancelling is stopping: after `after`, the canceller sends every request
// `Cancel` (whose handler is `ctx.stop()`) and drops its addresses; each stopped
// request reports `Ended`, and the canceller answers when all have.
/// Starts the cancel at `after` and collects every request's end in path order.
struct Canceller {
    spec: CancelSpec,
    requests: Vec<Addr<Request>>,
    cancelled: bool,
    ends: Vec<Option<RequestEnd>>,
    outstanding: usize,
    answer: Option<oneshot::Sender<Vec<RequestEnd>>>,
}

impl Canceller {
    fn answer_if_done(&mut self, ctx: &mut Context<Self>) {
        if self.cancelled && self.outstanding == 0 {
            if let Some(answer) = self.answer.take() {
                // Every slot was filled: `outstanding` counts the empty ones.
                let ends = self.ends.iter_mut().filter_map(Option::take).collect();
                // The receiver is gone only if the run already gave up.
                let _ = answer.send(ends);
            }
            ctx.stop();
        }
    }
}

impl Actor for Canceller {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.run_later(self.spec.after, |canceller, ctx| {
            canceller.spec.cancelling();
            // A request that already stopped drops its `Cancel` unread.
            for request in canceller.requests.drain(..) {
                request.do_send(Cancel);
            }
            canceller.cancelled = true;
            canceller.answer_if_done(ctx);
        });
    }
}

impl Handler<Ended> for Canceller {
    type Result = ();

    fn handle(&mut self, Ended { i, end }: Ended, ctx: &mut Context<Self>) {
        if self.ends[i].replace(end).is_none() {
            self.outstanding -= 1;
        }
        self.answer_if_done(ctx);
    }
}
