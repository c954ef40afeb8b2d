//! pingpong with callbacks: two tasks, each a function and an inbox; a message is
//! a value written into the other's inbox and a `call_soon` of its function.
//!
//! `ping` keeps the count of rounds played and serves the counter; `pong` returns
//! it one higher. When ping has played every round it sends pong `Stop`, pong
//! schedules nothing more, and the loop, with nothing left to run, returns. Each
//! round trip is two queue pushes and two indirect calls on one thread: no lock, no
//! wake-up, no context switch. The ready queue is a `VecDeque`, so a send never
//! waits for room, and the protocol keeps at most one message in each inbox.

use harness::ModelError;
use harness::spec::{Counted, PingPongSpec};

use crate::event_loop::EventLoop;

const PING: usize = 0;
const PONG: usize = 1;

// ## message

// The two channels are the two inboxes in the loop's state: sending is writing the
// receiver's inbox and `call_soon` of its function.

/// What ping sends pong: the counter, or the end of the game.
#[derive(Debug, Clone, Copy)]
enum Ball {
    Count(u64),
    Stop,
}

/// Both players' state: each one's inbox, and ping's rounds to go.
struct Table {
    /// pong's inbox: what ping sent last.
    to_pong: Ball,
    /// ping's inbox: the counter pong sent back (0 before the first round).
    to_ping: u64,
    rounds: u64,
}

// ## pong

// A task is a callback, not a loop: the loop calls `pong` once per ball sent to it,
// and returning without scheduling anything is how pong ends.

/// pong: answer a `Count(c)` with `c + 1`; told to `Stop`, schedule nothing.
fn pong(lp: &mut EventLoop<Table>, _: usize) {
    let table = &mut lp.state;
    if let Ball::Count(counter) = table.to_pong {
        table.to_ping = counter + 1;
        lp.call_soon(PING, ping);
    }
}

// ## ping

// A callback cannot loop over the rounds or return the counter: each call of `ping`
// is one round (its start, or the counter back from pong), the rounds to go live in
// the table, and `run` reads the counter from ping's inbox once the loop is done.

/// ping: serve the counter again while rounds are left, then send pong `Stop`.
fn ping(lp: &mut EventLoop<Table>, _: usize) {
    let table = &mut lp.state;
    table.to_pong = if table.rounds == 0 {
        Ball::Stop
    } else {
        table.rounds -= 1;
        Ball::Count(table.to_ping)
    };
    lp.call_soon(PONG, pong);
}

// ## run

// The channels are made with the loop, and pong needs no start: it runs when it is
// sent something. Running ping is scheduling its first round, and joining pong is
// running the loop until nothing is scheduled (pong has taken `Stop`).

pub(crate) fn run(spec: &PingPongSpec) -> Result<Counted, ModelError> {
    let mut lp = EventLoop::new(Table {
        to_pong: Ball::Stop,
        to_ping: 0,
        rounds: spec.rounds,
    })
    .map_err(|e| ModelError::failed(format!("cannot create the event loop: {e}")))?;
    spec.probe.begin();
    lp.call_soon(PING, ping);
    lp.run()
        .map_err(|e| ModelError::failed(format!("the event loop failed: {e}")))?;
    spec.probe.end();
    let count = lp.state.to_ping;
    Ok(Counted { count })
}
