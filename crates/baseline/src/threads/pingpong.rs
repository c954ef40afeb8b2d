//! pingpong with threads: pong on a thread of its own, ping on the calling thread,
//! and two [`Slot`]s between them. Each round trip is two lock-fill-notify
//! hand-overs, and unless a thread is still spinning in the futex when its slot
//! fills, each is a sleep and a wake-up by the kernel.
//!
//! `put` never waits for room: the protocol leaves each slot empty before the next
//! value comes. After the last round ping puts `Stop` in pong's slot, and pong
//! returns when it takes it, so both threads end the way every model's tasks do.

use std::thread;

use harness::ModelError;
use harness::spec::{Counted, PingPongSpec};

use super::{Slot, builder, join, spawn_failed};

// ## message

/// What ping sends pong: the counter, or the end of the game.
enum Ball {
    Count(u64),
    Stop,
}

// ## pong

/// Answers every `Count(c)` with `c + 1` until `Stop`.
fn pong(inbox: &Slot<Ball>, to_ping: &Slot<u64>) {
    while let Ball::Count(c) = inbox.take() {
        to_ping.put(c + 1);
    }
}

// ## ping

/// `rounds` round trips, then `Stop`; returns the counter. Not an `Option`: a
/// [`Slot`] cannot close, so there is no lost partner to report.
fn ping(rounds: u64, to_pong: &Slot<Ball>, inbox: &Slot<u64>) -> u64 {
    let mut counter = 0;
    for _ in 0..rounds {
        to_pong.put(Ball::Count(counter));
        counter = inbox.take();
    }
    to_pong.put(Ball::Stop);
    counter
}

// ## run

pub(crate) fn run(spec: &PingPongSpec) -> Result<Counted, ModelError> {
    // No runtime to build: the work starts with pong's thread.
    spec.probe.begin();
    let (to_pong, to_ping) = (Slot::new(), Slot::new());
    let counter = thread::scope(|s| {
        let pong = builder("pong")
            .spawn_scoped(s, || pong(&to_pong, &to_ping))
            .map_err(|e| spawn_failed(0, 1, &e))?;
        let counter = ping(spec.rounds, &to_pong, &to_ping);
        join(pong)?;
        Ok(counter)
    })?;
    spec.probe.end();
    Ok(Counted { count: counter })
}
