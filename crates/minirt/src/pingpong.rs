//! pingpong on minirt: two tasks and two channels of capacity one. Ping sends the
//! counter and awaits the answer; pong adds one and sends it back. Each hand-over
//! is a push, a `wake()` that queues the other task, and a `Pending` that returns
//! to the loop, which polls the other task next: no lock, no system call.
//!
//! Pong stops when ping drops its sender: a closed channel is the stop signal.

use harness::ModelError;
use harness::spec::{Counted, PingPongSpec};

use crate::rt::{channel::channel, spawn};
use crate::{panicked, runtime};

pub(crate) fn run(spec: &PingPongSpec) -> Result<Counted, ModelError> {
    let rounds = spec.rounds;
    runtime()?.block_on(async move {
        let (mut to_pong, mut pong_inbox) = channel::<u64>(1);
        let (mut to_ping, mut ping_inbox) = channel::<u64>(1);
        let pong = spawn(async move {
            while let Some(counter) = pong_inbox.recv().await {
                if to_ping.send(counter + 1).await.is_err() {
                    break;
                }
            }
        });
        let ping = spawn(async move {
            let mut counter = 0;
            for _ in 0..rounds {
                if to_pong.send(counter).await.is_err() {
                    break;
                }
                match ping_inbox.recv().await {
                    Some(next) => counter = next,
                    None => break,
                }
            }
            counter
        });
        let count = ping.await.map_err(panicked)?;
        pong.await.map_err(panicked)?;
        Ok(Counted { count })
    })
}
