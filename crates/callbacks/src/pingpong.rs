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

/// What ping sends pong: the counter, or the end of the game.
#[derive(Debug, Clone, Copy)]
enum Msg {
    Ball(u64),
    Stop,
}

/// Both players' state: each one's inbox, and ping's rounds to go.
struct Table {
    to_ping: u64,
    to_pong: Msg,
    rounds_left: u64,
}

/// Ping holds the counter (at the start, or back from pong): serve it again or stop.
fn ping(lp: &mut EventLoop<Table>, _: usize) {
    let table = &mut lp.state;
    table.to_pong = if table.rounds_left == 0 {
        Msg::Stop
    } else {
        table.rounds_left -= 1;
        Msg::Ball(table.to_ping)
    };
    lp.call_soon(PONG, pong);
}

/// Pong returns the counter one higher, or, told to stop, schedules nothing.
fn pong(lp: &mut EventLoop<Table>, _: usize) {
    let table = &mut lp.state;
    if let Msg::Ball(counter) = table.to_pong {
        table.to_ping = counter + 1;
        lp.call_soon(PING, ping);
    }
}

pub(crate) fn run(spec: &PingPongSpec) -> Result<Counted, ModelError> {
    let mut lp = EventLoop::new(Table {
        to_ping: 0,
        to_pong: Msg::Stop,
        rounds_left: spec.rounds,
    })
    .map_err(|e| ModelError::failed(format!("cannot create the event loop: {e}")))?;
    spec.probe.begin();
    lp.call_soon(PING, ping);
    lp.run()
        .map_err(|e| ModelError::failed(format!("the event loop failed: {e}")))?;
    spec.probe.end();
    Ok(Counted {
        count: lp.state.to_ping,
    })
}
