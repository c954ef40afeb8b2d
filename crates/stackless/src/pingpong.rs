//! pingpong with tokio: two tasks and two `tokio::sync::mpsc` unbounded channels.
//!
//! The measured task is ping: it sends the counter to pong and awaits the answer;
//! pong adds one and sends it back. The protocol never puts more than one message
//! in a channel, so the unbounded channel, whose `send` is a plain function that
//! never waits, is all a hand-over needs; each `recv` parks its task until the other
//! side's `send` wakes it.
//!
//! Where the two tasks run differs by runtime. On `tokio-current`, and on the
//! multi-thread runtime with `--threads 1`, both take turns on one thread. With two
//! or more workers they do *not* stay on one worker. A task woken from a worker goes
//! into that worker's LIFO slot and runs next, but tokio runs the LIFO slot at most
//! three times in a row (`MAX_LIFO_POLLS_PER_TICK`, there so that exactly this kind
//! of two-task exchange cannot starve the rest of the queue). Every fourth wake goes
//! to the back of the run queue instead, and that notifies an idle worker: it wakes
//! (a futex), looks for work, sometimes steals ping or pong, and parks again. So the
//! second worker costs CPU on every few round trips whether it steals or not.
//! `docs/models/stackless.md` has the figures: `--threads 2` spends about 3.7 times
//! the CPU per round trip of `--threads 1`, and takes 2.6 times as long.
//!
//! The run ends with a stop message: ping sends [`Ball::Stop`], pong returns, and
//! the measured task awaits pong's handle so no task outlives the run.

use harness::ModelError;
use harness::spec::{Counted, PingPongSpec};
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use crate::runtime::{self, Flavor};

// ## message
/// What ping sends pong: the counter, or the order to stop.
enum Ball {
    Count(u64),
    Stop,
}

// ## pong
/// Pong: answers every counter with the counter plus one, until told to stop.
async fn pong(mut inbox: UnboundedReceiver<Ball>, to_ping: UnboundedSender<u64>) {
    // `None` (ping gone without a stop) only happens if ping panicked; its handle
    // reports that, so pong just ends.
    while let Some(Ball::Count(c)) = inbox.recv().await {
        if to_ping.send(c + 1).is_err() {
            break; // ping is gone: nothing left to answer
        }
    }
}

// ## ping
/// Ping: `rounds` round trips, then the stop; the counter, or `None` if pong
/// stopped answering.
async fn ping(
    rounds: u64,
    to_pong: UnboundedSender<Ball>,
    mut inbox: UnboundedReceiver<u64>,
) -> Option<u64> {
    let mut counter = 0;
    for _ in 0..rounds {
        // Either fails only if pong has ended, i.e. panicked: its handle says how.
        to_pong.send(Ball::Count(counter)).ok()?;
        counter = inbox.recv().await?;
    }
    // Fails only if pong has already ended, which its join reports.
    let _ = to_pong.send(Ball::Stop);
    Some(counter)
}

// ## run
pub(crate) fn run(spec: &PingPongSpec, flavor: Flavor) -> Result<Counted, ModelError> {
    let rounds = spec.rounds;
    let rt = runtime::start(flavor)?;
    spec.probe.begin();
    let out = rt.run(async move {
        let (to_pong, pong_inbox) = mpsc::unbounded_channel();
        let (to_ping, ping_inbox) = mpsc::unbounded_channel();
        let pong = tokio::spawn(pong(pong_inbox, to_ping));
        let counter = ping(rounds, to_pong, ping_inbox).await;
        pong.await.map_err(runtime::joined)?;
        let count = counter.ok_or_else(|| ModelError::failed("pong stopped answering"))?;
        Ok(Counted { count })
    });
    spec.probe.end();
    out
}
