//! pingpong with threads: two threads, two [`Slot`]s. Each round trip is two
//! lock-fill-notify hand-overs, and unless a thread is still spinning in the futex
//! when its slot fills, each is a sleep and a wake-up by the kernel.
//!
//! `put` never waits for room: the protocol leaves each slot empty before the next
//! value comes. After the last round ping puts `Stop` in pong's slot, and pong
//! returns when it takes it, so both threads end the way every model's tasks do.

use std::thread;

use harness::ModelError;
use harness::spec::{Counted, PingPongSpec};

use super::{Slot, builder, join};

/// What ping sends pong: the counter, or the end of the game.
enum Msg {
    Ball(u64),
    Stop,
}

pub(crate) fn run(spec: &PingPongSpec) -> Result<Counted, ModelError> {
    spec.probe.begin();
    let to_ping = Slot::new();
    let to_pong = Slot::new();
    let count = thread::scope(|s| {
        let pong = builder("pong")
            .spawn_scoped(s, || {
                while let Msg::Ball(counter) = to_pong.take() {
                    to_ping.put(counter + 1);
                }
            })
            .map_err(|e| super::spawn_failed(0, 2, &e))?;
        let ping = builder("ping").spawn_scoped(s, || {
            let mut counter = 0;
            for _ in 0..spec.rounds {
                to_pong.put(Msg::Ball(counter));
                counter = to_ping.take();
            }
            to_pong.put(Msg::Stop);
            counter
        });
        let ping = match ping {
            Ok(ping) => ping,
            Err(e) => {
                // Pong is waiting for a ball that will never come: tell it to stop.
                to_pong.put(Msg::Stop);
                join(pong)?;
                return Err(super::spawn_failed(1, 2, &e));
            }
        };
        join(pong)?;
        join(ping)
    })?;
    spec.probe.end();
    Ok(Counted { count })
}
