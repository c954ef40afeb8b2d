//! spawn with actix: `n` actors, each of which sets one timer with `ctx.run_later`
//! when it starts, reports to a `Tally` when it fires, and stops.
//!
//! An actor that waits holds no thread: it is a tokio task on its Arbiter whose
//! context owns a timer, so all `n` are alive at once for the cost of their state,
//! their mailbox and the timer. Each sleeper enters the probe's gauge in `started`,
//! its first step, and the guard lives in the timer's closure, so it is dropped when
//! the sleeper has slept and reported, its last step.
//!
//! The sleepers are spread over the `--threads` Arbiters: the run sends each
//! Arbiter one closure that starts that Arbiter's share of them there (actors are
//! started on the Arbiter whose thread runs the code that starts them), so the
//! Arbiters build their shares in parallel and no sleeper costs a message of its
//! own to place. The tally lives on the System's Arbiter, counts the reports and
//! answers the run once all `n` are in; it stops itself then, and each sleeper has
//! stopped after reporting.

use std::time::Duration;

use actix::WeakAddr;
use actix::prelude::*;
use harness::ModelError;
use harness::spec::{Counted, Probe, SpawnSpec};
use tokio::sync::oneshot;

use crate::system;

// ## task
// actix: a task is an actor, `Sleeper`: it enters the gauge in `started`, its sleep
// is a timer in its context, and the guard lives in the timer's closure, which
// reports `Woke` to the tally and stops the sleeper.
/// "I woke up."
#[derive(Message)]
#[rtype(result = "()")]
struct Woke;

/// Sleeps once, reports, stops. It keeps a `WeakAddr` to the tally: eight bytes
/// and no allocation, where cloning an `Addr` allocates two small `Arc`s (the
/// sender's parking state) per sleeper; it is upgraded only for the one report.
struct Sleeper {
    probe: Probe,
    sleep: Duration,
    tally: WeakAddr<Tally>,
}

impl Actor for Sleeper {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        let alive = self.probe.enter();
        ctx.run_later(self.sleep, move |sleeper, ctx| {
            // The run holds the tally's `Addr` until it answers, so it is there.
            if let Some(tally) = sleeper.tally.upgrade() {
                tally.do_send(Woke);
            }
            drop(alive);
            ctx.stop();
        });
    }
}

// ## run
pub(crate) fn run(spec: &SpawnSpec) -> Result<Counted, ModelError> {
    let (n, sleep, probe) = (spec.n, spec.sleep, spec.probe.clone());
    let threads = system::arbiters_for(spec.threads, n);
    system::run(threads, &spec.probe, |arbiters| async move {
        let (answer, count) = oneshot::channel();
        let tally = Tally {
            expected: n as u64,
            reported: 0,
            answer: Some(answer),
        }
        .start();
        let shares = arbiters.len();
        for (k, arbiter) in arbiters.iter().enumerate() {
            // Arbiter k starts sleepers k, k + shares, k + 2 * shares, ...
            let share = n / shares + usize::from(k < n % shares);
            let (weak, probe) = (tally.downgrade(), probe.clone());
            let placed = arbiter.spawn_fn(move || {
                for _ in 0..share {
                    Sleeper {
                        probe: probe.clone(),
                        sleep,
                        tally: weak.clone(),
                    }
                    .start();
                }
            });
            if !placed {
                return Err(system::arbiter_gone());
            }
        }
        collect(tally, count).await
    })
}

// ## collect
// actix: actors are not joined; each sleeper reports to a `Tally`, which answers the
// run through a oneshot once all `n` are in, and `system::run` marks `probe.end()`
// when this returns.
/// Counts the reports; answers when `expected` are in.
struct Tally {
    expected: u64,
    reported: u64,
    answer: Option<oneshot::Sender<u64>>,
}

impl Tally {
    fn answer_if_done(&mut self, ctx: &mut Context<Self>) {
        if self.reported == self.expected {
            if let Some(answer) = self.answer.take() {
                // The receiver is gone only if the run already gave up.
                let _ = answer.send(self.reported);
            }
            ctx.stop();
        }
    }
}

impl Actor for Tally {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        // n = 0: nobody will report, and that is the answer.
        self.answer_if_done(ctx);
    }
}

impl Handler<Woke> for Tally {
    type Result = ();

    fn handle(&mut self, _: Woke, ctx: &mut Context<Self>) {
        self.reported += 1;
        self.answer_if_done(ctx);
    }
}

/// Waits for the tally's answer; `tally` is the run's address of it, held until
/// then so that every sleeper's `WeakAddr` can still be upgraded.
async fn collect(tally: Addr<Tally>, count: oneshot::Receiver<u64>) -> Result<Counted, ModelError> {
    let count = count
        .await
        .map_err(|e| system::lost("the tally stopped without an answer", e))?;
    drop(tally);
    Ok(Counted { count })
}
