//! pingpong on minirt: two tasks and two unbounded channels. Ping sends the
//! counter and awaits the answer; pong adds one and sends it back. Each hand-over
//! is a push, a `wake()` that queues the other task, and a `Pending` that returns
//! to the loop, which polls the other task next: no lock, no system call.
//!
//! The channels are [`unbounded`]: the protocol never has more than one value in
//! either, so a send never waits, and a bound would only be a check that never
//! fails. The run ends with a stop message: ping sends [`ToPong::Stop`], pong
//! returns, and the main task awaits both handles so no task outlives the run.

use harness::ModelError;
use harness::spec::{Counted, PingPongSpec};

use crate::rt::channel::{Receiver, Sender, unbounded};
use crate::rt::spawn;
use crate::{panicked, runtime};

/// What ping sends pong: the counter, or the order to stop.
enum ToPong {
    Count(u64),
    Stop,
}

/// Pong: answers every counter with the counter plus one, until told to stop.
async fn pong(mut inbox: Receiver<ToPong>, mut to_ping: Sender<u64>) {
    // `None` (ping gone without a stop) only happens if ping panicked; its handle
    // reports that, so pong just ends.
    while let Some(ToPong::Count(counter)) = inbox.recv().await {
        if to_ping.send(counter + 1).await.is_err() {
            break; // ping is gone: nothing left to answer
        }
    }
}

pub(crate) fn run(spec: &PingPongSpec) -> Result<Counted, ModelError> {
    let rounds = spec.rounds;
    let rt = runtime()?;
    spec.probe.measure(|| {
        rt.block_on(async move {
            let (mut to_pong, pong_inbox) = unbounded();
            let (to_ping, mut ping_inbox) = unbounded();
            let pong = spawn(pong(pong_inbox, to_ping));
            let ping = spawn(async move {
                let mut counter = 0;
                for _ in 0..rounds {
                    // Either fails only if pong has ended, i.e. panicked: its
                    // handle says how.
                    if to_pong.send(ToPong::Count(counter)).await.is_err() {
                        break;
                    }
                    let Some(back) = ping_inbox.recv().await else {
                        break;
                    };
                    counter = back;
                }
                // Fails only if pong has already ended, which its join reports.
                let _ = to_pong.send(ToPong::Stop).await;
                counter
            });
            let count = ping.await.map_err(panicked)?;
            pong.await.map_err(panicked)?;
            Ok(Counted { count })
        })
    })
}
