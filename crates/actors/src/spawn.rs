//! spawn with actix: `n` actors, each of which sets one timer with `ctx.run_later`
//! when it starts, reports to a `Tally` when it fires, and stops.
//!
//! An actor that waits holds no thread: it is a tokio task on the System's Arbiter
//! whose context owns a timer, so all `n` are alive at once for the cost of their
//! state, their mailbox and the timer. The tally counts reports and answers the run
//! once all `n` are in; the sleepers have stopped by then (each calls `ctx.stop()`
//! after reporting), and the tally stops itself.

use std::time::Duration;

use actix::WeakAddr;
use actix::prelude::*;
use harness::ModelError;
use harness::spec::{Counted, SpawnSpec};
use tokio::sync::oneshot;

use crate::system;

/// "I woke up."
#[derive(Message)]
#[rtype(result = "()")]
struct Woke;

/// Sleeps once, reports, stops. It keeps a `WeakAddr` to the tally: eight bytes
/// and no allocation, where cloning an `Addr` allocates two small `Arc`s (the
/// sender's parking state) per sleeper; it is upgraded only for the one report.
struct Sleeper {
    sleep: Duration,
    tally: WeakAddr<Tally>,
}

impl Actor for Sleeper {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.run_later(self.sleep, |sleeper, ctx| {
            // The run holds the tally's `Addr` until it answers, so it is there.
            if let Some(tally) = sleeper.tally.upgrade() {
                tally.do_send(Woke);
            }
            ctx.stop();
        });
    }
}

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

pub(crate) fn run(spec: &SpawnSpec) -> Result<Counted, ModelError> {
    let (n, sleep) = (spec.n, spec.sleep);
    system::run(0, |_| async move {
        let (answer, count) = oneshot::channel();
        let tally = Tally {
            expected: n as u64,
            reported: 0,
            answer: Some(answer),
        }
        .start();
        for _ in 0..n {
            Sleeper {
                sleep,
                tally: tally.downgrade(),
            }
            .start();
        }
        let count = count
            .await
            .map_err(|e| system::lost("the tally stopped without an answer", e))?;
        drop(tally);
        Ok(Counted { count })
    })
}
