//! pingpong with tokio: two tasks and two bounded `mpsc` channels of capacity 1.
//!
//! The measured task is ping: it sends the counter to pong and awaits the answer;
//! pong adds one and sends it back. Capacity 1 is all a hand-over needs (there is
//! never more than one message in a channel) and keeps the exchange strict: each
//! `send` completes into the empty slot at once, each `recv` parks its task until
//! the other side's `send` wakes it. On the multi-thread runtime the woken task goes
//! into the waker's own LIFO slot, so the two tasks take turns on one worker instead
//! of bouncing between threads; that is why ping is a spawned task (see
//! [`runtime`]) and not the `block_on` future.
//!
//! Shutting down is the channels' job: ping drops its sender, pong's `recv` returns
//! `None`, and pong ends; ping awaits pong's handle so no task outlives the run.

use harness::ModelError;
use harness::spec::{Counted, PingPongSpec};
use tokio::sync::mpsc;

use crate::runtime::{self, Flavor};

pub(crate) fn run(spec: &PingPongSpec, flavor: Flavor) -> Result<Counted, ModelError> {
    let rounds = spec.rounds;
    runtime::run(flavor, async move {
        let (to_pong, mut pong_inbox) = mpsc::channel::<u64>(1);
        let (to_ping, mut ping_inbox) = mpsc::channel::<u64>(1);
        let pong = tokio::spawn(async move {
            while let Some(counter) = pong_inbox.recv().await {
                if to_ping.send(counter + 1).await.is_err() {
                    break; // ping is gone: nothing left to answer
                }
            }
        });
        let mut counter = 0;
        let mut complete = true;
        for _ in 0..rounds {
            // Either fails only if pong has ended, i.e. panicked: its handle says how.
            if to_pong.send(counter).await.is_err() {
                complete = false;
                break;
            }
            let Some(back) = ping_inbox.recv().await else {
                complete = false;
                break;
            };
            counter = back;
        }
        drop(to_pong);
        pong.await.map_err(runtime::joined)?;
        if !complete {
            return Err(ModelError::failed("pong stopped answering"));
        }
        Ok(Counted { count: counter })
    })
}
