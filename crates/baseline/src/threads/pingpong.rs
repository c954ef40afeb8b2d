//! pingpong with threads: two threads, two [`Slot`]s. Each round trip is two
//! lock-fill-notify hand-overs, and unless a thread is still spinning in the futex
//! when its slot fills, each is a sleep and a wake-up by the kernel.

use std::thread;

use harness::ModelError;
use harness::spec::{Counted, PingPongSpec};

use super::{Slot, builder, join};

pub(crate) fn run(spec: &PingPongSpec) -> Result<Counted, ModelError> {
    let to_ping = Slot::new();
    let to_pong = Slot::new();
    thread::scope(|s| {
        let pong = builder("pong")
            .spawn_scoped(s, || {
                for _ in 0..spec.rounds {
                    let counter = to_pong.take();
                    to_ping.put(counter + 1);
                }
            })
            .map_err(|e| super::spawn_failed(0, 2, &e))?;
        let ping = builder("ping")
            .spawn_scoped(s, || {
                let mut counter = 0;
                for _ in 0..spec.rounds {
                    to_pong.put(counter);
                    counter = to_ping.take();
                }
                counter
            })
            .map_err(|e| super::spawn_failed(1, 2, &e))?;
        join(pong)?;
        Ok(Counted { count: join(ping)? })
    })
}
