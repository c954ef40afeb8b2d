//! pingpong, sequentially: the two "tasks" are two functions and passing the
//! counter is calling the other one. What remains is the cost of the work itself:
//! the floor under every model's message passing.

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
    let mut counter = 0;
    for _ in 0..spec.rounds {
        // black_box stands in for the hand-over: without it the compiler would
        // replace the loop with `counter = rounds`, and measure nothing.
        counter = black_box(pong(black_box(ping(counter))));
    }
    Counted { count: counter }
}
