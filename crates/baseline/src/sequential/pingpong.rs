//! pingpong, sequentially: the two "tasks" are two functions and passing the
//! counter is calling the other one. What remains is the cost of the work itself:
//! the floor under every model's message passing.
//!
//! The other models end with a stop message so that every task they started
//! returns; here no task outlives the loop, so there is nothing to stop and the
//! loop's end is the end of the game.

use std::hint::black_box;

use harness::spec::{Counted, PingPongSpec};

/// Ping sends the counter as it is.
fn ping(counter: u64) -> u64 {
    counter
}

/// Pong sends it back one higher.
fn pong(counter: u64) -> u64 {
    counter + 1
}

pub(crate) fn run(spec: &PingPongSpec) -> Counted {
    spec.probe.measure(|| {
        let mut counter = 0;
        for _ in 0..spec.rounds {
            // black_box stands in for the hand-over: without it the compiler would
            // replace the loop with `counter = rounds`, and measure nothing.
            counter = black_box(pong(black_box(ping(counter))));
        }
        Counted { count: counter }
    })
}
