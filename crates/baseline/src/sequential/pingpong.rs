//! pingpong, sequentially: the two "tasks" are two functions and passing the
//! counter is calling the other one. What remains is the cost of the work itself:
//! the floor under every model's message passing.
//!
//! The other models end with a stop message so that every task they started
//! returns; here no task outlives the loop, so there is nothing to stop and the
//! loop's end is the end of the game.

use std::hint::black_box;

use harness::spec::{Counted, PingPongSpec};

// ## message

/// What ping hands pong: the counter. No `Stop`: pong is a function, not a task
/// waiting for its next message, so there is nobody to tell that the game is over.
enum Ball {
    Count(u64),
}

// ## pong

/// Answers `Count(c)` with `c + 1`, as its return value.
fn pong(ball: Ball) -> u64 {
    let Ball::Count(c) = ball;
    c + 1
}

// ## ping

/// `rounds` round trips, each a call to pong; returns the counter. Not an
/// `Option`: a call always comes back.
fn ping(rounds: u64) -> u64 {
    let mut counter = 0;
    for _ in 0..rounds {
        // black_box stands in for the hand-over: without it the compiler would
        // replace the loop with `counter = rounds`, and measure nothing.
        counter = black_box(pong(black_box(Ball::Count(counter))));
    }
    counter
}

// ## run

pub(crate) fn run(spec: &PingPongSpec) -> Counted {
    // No runtime to start and no one to start: the work is ping's loop.
    spec.probe.begin();
    let counter = ping(spec.rounds);
    spec.probe.end();
    Counted { count: counter }
}
