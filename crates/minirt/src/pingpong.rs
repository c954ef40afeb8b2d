//! pingpong on minirt: two tasks and two unbounded channels. Ping, the main task,
//! sends the counter and awaits the answer; pong adds one and sends it back. Each
//! hand-over is a push, a `wake()` that queues the other task, and a `Pending` that
//! returns to the loop, which polls the other task next: no lock, no system call.
//!
//! The channels are [`unbounded`]: the protocol never has more than one value in
//! either, so a send never waits, and a bound would only be a check that never
//! fails. The run ends with a stop message: ping sends [`Ball::Stop`], pong
//! returns, and the main task awaits pong's handle so no task outlives the run.

use harness::ModelError;
use harness::spec::{Counted, PingPongSpec};

use crate::rt::channel::{Receiver, Sender, unbounded};
use crate::rt::spawn;
use crate::{panicked, runtime};

// ## message
/// What ping sends pong: the counter, or the order to stop.
enum Ball {
    Count(u64),
    Stop,
}

// ## pong
/// Pong: answers every counter with the counter plus one, until told to stop.
async fn pong(mut inbox: Receiver<Ball>, mut to_ping: Sender<u64>) {
    // `None` (ping gone without a stop) only happens if ping panicked; its handle
    // reports that, so pong just ends.
    while let Some(Ball::Count(c)) = inbox.recv().await {
        if to_ping.send(c + 1).await.is_err() {
            break; // ping is gone: nothing left to answer
        }
    }
}

// ## ping
/// Ping: `rounds` round trips, then the stop; the counter, or `None` if pong
/// stopped answering.
async fn ping(rounds: u64, mut to_pong: Sender<Ball>, mut inbox: Receiver<u64>) -> Option<u64> {
    let mut counter = 0;
    for _ in 0..rounds {
        // Either fails only if pong has ended, i.e. panicked: its handle says how.
        to_pong.send(Ball::Count(counter)).await.ok()?;
        counter = inbox.recv().await?;
    }
    // Fails only if pong has already ended, which its join reports.
    let _ = to_pong.send(Ball::Stop).await;
    Some(counter)
}

// ## run
pub(crate) fn run(spec: &PingPongSpec) -> Result<Counted, ModelError> {
    let rounds = spec.rounds;
    let rt = runtime()?;
    spec.probe.begin();
    let out = rt.block_on(async move {
        let (to_pong, pong_inbox) = unbounded();
        let (to_ping, ping_inbox) = unbounded();
        let pong = spawn(pong(pong_inbox, to_ping));
        let counter = ping(rounds, to_pong, ping_inbox).await;
        pong.await.map_err(panicked)?;
        let count = counter.ok_or_else(|| ModelError::failed("pong stopped answering"))?;
        Ok(Counted { count })
    });
    spec.probe.end();
    out
}
