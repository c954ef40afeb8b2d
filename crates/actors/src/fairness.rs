//! fairness with actix: a `Ticker` actor that re-arms itself with `ctx.run_later`,
//! among `Hog` actors that each run their fanout job in answer to one `Work`
//! message.
//!
//! An Arbiter is one thread running one single-threaded tokio runtime, and actix
//! does not preempt: while a hog's handler runs, nothing else on its Arbiter runs,
//! the ticker's timer included. The ticker and the hogs are placed round-robin over
//! the `--threads` Arbiters like every other workload's actors, the ticker first,
//! on the System's Arbiter: with `--threads 1`, or as soon as there are at least
//! as many hogs as Arbiters, a hog shares the ticker's thread, and the ticker
//! wakes only when that hog lets go. actix's own answer to CPU work is the
//! `SyncArbiter`, a pool of OS threads whose actors may block; it is not used
//! here because the question is what a hog does to a waiter on its own event loop,
//! so the hog must be an ordinary actor.
//!
//! With `--yield-every` the hog runs one chunk per message and sends itself a
//! `Continue` for the next (`ctx.notify`). That message alone is not a yield: an
//! actix context handles the messages and notifications it receives while it is
//! being polled in the same poll (its mailbox and its item list are drained in a
//! loop, see actix/actix#360), so a hog that only notifies itself still holds the
//! thread until its last chunk. What hands the thread back is a future that is
//! pending once: the hog parks its context on `tokio::task::yield_now` with
//! `ctx.wait` (which also holds back the `Continue` until the runtime has run its
//! other tasks and timers), the idiom actix's issue tracker gives for it. Each
//! such pause-and-continue is one counted yield.

use std::iter::Peekable;
use std::ops::Range;
use std::time::{Duration, Instant};

use actix::prelude::*;
use harness::ModelError;
use harness::spec::{FairnessOutcome, FairnessSpec, HogResult, lateness_ns};
use tokio::sync::oneshot;

use crate::system;

// ## ticker
// actix: the ticker's sleep is a timer in its own context, `ctx.run_later`; each
// wake-up records its lateness and arms the next timer, so no timer is armed
// before the last wake-up is recorded.
/// The ticker's report: when its first sleep began, and each wake-up's lateness.
#[derive(Message)]
#[rtype(result = "()")]
struct Ticked {
    started: Instant,
    lateness_ns: Vec<u64>,
}

/// Sleeps `tick`, `ticks` times, timing each wake-up from just before its arm.
struct Ticker {
    tick: Duration,
    ticks: u64,
    started: Instant,
    asked: Instant,
    lateness_ns: Vec<u64>,
    results: Recipient<Ticked>,
}

impl Ticker {
    /// Arms the next sleep; with every tick done, reports and stops.
    fn arm(&mut self, ctx: &mut Context<Self>) {
        if self.lateness_ns.len() as u64 == self.ticks {
            self.results.do_send(Ticked {
                started: self.started,
                lateness_ns: std::mem::take(&mut self.lateness_ns),
            });
            ctx.stop();
            return;
        }
        self.asked = Instant::now();
        ctx.run_later(self.tick, |ticker, ctx| {
            ticker
                .lateness_ns
                .push(lateness_ns(ticker.asked, ticker.tick));
            ticker.arm(ctx);
        });
    }
}

impl Actor for Ticker {
    type Context = Context<Self>;
}

// ## hog
// actix: a hog is an actor; one `Work` message starts its job, and between two
// chunks it waits on one `yield_now` (the yield) and then handles the `Continue`
// it sent itself.
/// "Run your job."
#[derive(Message)]
#[rtype(result = "()")]
struct Work;

/// "Run your next chunk": a hog's message to itself after a yield.
#[derive(Message)]
#[rtype(result = "()")]
struct Continue;

/// A hog's report.
#[derive(Message)]
#[rtype(result = "()")]
struct HogDone(HogResult);

/// Runs hog `h`'s chunks, yielding between two, and reports once.
struct Hog {
    result: HogResult,
    chunks: Peekable<Box<dyn Iterator<Item = Range<u64>>>>,
    results: Recipient<HogDone>,
}

impl Hog {
    /// Runs one chunk; then yields and continues, or, with none left, reports.
    fn run_chunk(&mut self, ctx: &mut Context<Self>) {
        if let Some(chunk) = self.chunks.next() {
            self.result.run_chunk(chunk);
        }
        if self.chunks.peek().is_some() {
            // The yield: the context is pending on `yield_now` once, so the
            // Arbiter's runtime polls its timers and other tasks before it
            // resumes this hog; the `Continue` is held back until then.
            ctx.wait(tokio::task::yield_now().into_actor(self));
            ctx.notify(Continue);
        } else {
            self.results.do_send(HogDone(self.result));
            ctx.stop();
        }
    }
}

impl Actor for Hog {
    type Context = Context<Self>;
}

impl Handler<Work> for Hog {
    type Result = ();

    fn handle(&mut self, _: Work, ctx: &mut Context<Self>) {
        self.run_chunk(ctx);
    }
}

impl Handler<Continue> for Hog {
    type Result = ();

    fn handle(&mut self, _: Continue, ctx: &mut Context<Self>) {
        self.result.yields += 1;
        self.run_chunk(ctx);
    }
}

// ## run
pub(crate) fn run(spec: &FairnessSpec) -> Result<FairnessOutcome, ModelError> {
    // The ticker is one more actor to place, the first.
    let threads = system::arbiters_for(spec.threads, spec.hogs + 1);
    let spec = spec.clone();
    let probe = spec.probe.clone();
    system::run(threads, &probe, |arbiters| async move {
        let (answer, outcome) = oneshot::channel();
        let referee = Referee {
            hogs: spec.hogs,
            ticker: None,
            results: Vec::with_capacity(spec.hogs),
            answer: Some(answer),
        }
        .start();
        // The ticker first, on the System's Arbiter: its first sleep is armed
        // here, before any hog exists (`create` runs this on the actor's context
        // before the actor is first polled).
        let ticked = referee.clone().recipient();
        let ticker = Ticker::create(move |ctx| {
            let now = Instant::now();
            let mut ticker = Ticker {
                tick: spec.tick,
                ticks: spec.ticks,
                started: now,
                asked: now,
                lateness_ns: Vec::with_capacity(spec.ticks as usize),
                results: ticked,
            };
            ticker.arm(ctx);
            ticker
        });
        drop(ticker);
        let hogs: Vec<Addr<Hog>> = (0..spec.hogs)
            .map(|h| {
                let (results, spec) = (referee.clone().recipient(), spec.clone());
                let hog = Hog::start_in_arbiter(system::placed(&arbiters, h + 1), move |_| {
                    let chunks: Box<dyn Iterator<Item = Range<u64>>> = Box::new(spec.hog_chunks(h));
                    Hog {
                        result: HogResult::start(h),
                        chunks: chunks.peekable(),
                        results,
                    }
                });
                hog.do_send(Work);
                hog
            })
            .collect();
        let outcome = system::hold(referee, outcome, "referee").await;
        // Held until now for the same reason: a hog that has not yet read its
        // `Work` when its last address goes would stop without it.
        drop(hogs);
        outcome
    })
}

// ## helpers
/// Collects the ticker's report and one per hog; answers the run when all are in.
struct Referee {
    hogs: usize,
    ticker: Option<Ticked>,
    results: Vec<HogResult>,
    answer: Option<oneshot::Sender<FairnessOutcome>>,
}

impl Referee {
    fn answer_if_done(&mut self, ctx: &mut Context<Self>) {
        if self.results.len() < self.hogs {
            return;
        }
        let Some(ticked) = self.ticker.take() else {
            return;
        };
        if let Some(answer) = self.answer.take() {
            // The receiver is gone only if the run already gave up.
            let _ = answer.send(FairnessOutcome {
                ticker_started: ticked.started,
                lateness_ns: ticked.lateness_ns,
                hogs: std::mem::take(&mut self.results),
            });
        }
        ctx.stop();
    }
}

impl Actor for Referee {
    type Context = Context<Self>;
}

impl Handler<Ticked> for Referee {
    type Result = ();

    fn handle(&mut self, ticked: Ticked, ctx: &mut Context<Self>) {
        self.ticker = Some(ticked);
        self.answer_if_done(ctx);
    }
}

impl Handler<HogDone> for Referee {
    type Result = ();

    fn handle(&mut self, HogDone(result): HogDone, ctx: &mut Context<Self>) {
        self.results.push(result);
        self.answer_if_done(ctx);
    }
}
