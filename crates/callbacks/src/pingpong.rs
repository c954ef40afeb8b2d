//! pingpong with callbacks: two tasks, each a function and an inbox; a message is
//! a value written into the other's inbox and a `call_soon` of its function.
//!
//! `ping` keeps the count of rounds played and serves the counter; `pong` returns
//! it one higher. When ping has played every round it schedules nothing more, and
//! the loop, with nothing left to run, returns. Each round trip is two queue pushes
//! and two indirect calls on one thread: no lock, no wake-up, no context switch.

use harness::ModelError;
use harness::spec::{Counted, PingPongSpec};

use crate::event_loop::EventLoop;

const PING: usize = 0;
const PONG: usize = 1;

/// Both players' state: each one's inbox, and ping's rounds to go.
struct Table {
    inbox: [u64; 2],
    rounds_left: u64,
}

pub(crate) fn run(spec: &PingPongSpec) -> Result<Counted, ModelError> {
    let mut lp = EventLoop::new(Table {
        inbox: [0; 2],
        rounds_left: spec.rounds,
    })
    .map_err(|e| ModelError::failed(format!("cannot create the event loop: {e}")))?;
    lp.call_soon(PING, ping);
    lp.run()
        .map_err(|e| ModelError::failed(format!("the event loop failed: {e}")))?;
    Ok(Counted {
        count: lp.state.inbox[PING],
    })
}

/// Ping holds the counter (at the start, or back from pong): serve it again or stop.
fn ping(lp: &mut EventLoop<Table>, _: usize) {
    let table = &mut lp.state;
    if table.rounds_left == 0 {
        return;
    }
    table.rounds_left -= 1;
    table.inbox[PONG] = table.inbox[PING];
    lp.call_soon(PONG, pong);
}

/// Pong returns the counter one higher.
fn pong(lp: &mut EventLoop<Table>, _: usize) {
    let table = &mut lp.state;
    table.inbox[PING] = table.inbox[PONG] + 1;
    lp.call_soon(PING, ping);
}
