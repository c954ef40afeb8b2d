//! pingpong on may: two coroutines, two channels, one loop each.
//!
//! `ping` sends the counter and waits for it to come back; `pong` adds one and
//! sends it back. Each `recv` on an empty channel parks the coroutine (its
//! registers saved, its stack left where it is) and the worker thread switches to
//! whatever is runnable, usually the other side of the pingpong: a round trip is
//! two user-space switches and no system call while both stay busy.
//!
//! The channels are may's `mpsc`, its standard channel (std's API, unbounded), the
//! equal-work rule for every model. may also has an `spsc` channel, which skips the
//! bookkeeping for cloned senders and did a round trip in about half the time
//! (`docs/models/stackful.md` has the figures); the rule keeps every model on its
//! library's general channel. Ending is a message, as in every model: after its
//! rounds `ping` sends `Stop` and returns, and `pong` returns when it reads it.
//! (Dropping the sender would also end pong's loop, but a dropped may sender is the
//! pattern in which the ring once lost a wake-up, see `ring.rs`.)

use harness::ModelError;
use harness::spec::{Counted, PingPongSpec};
use may::sync::mpsc::{self, Receiver, Sender};

use crate::runtime;

/// Stack of each coroutine. The deepest call is a channel send that wakes the
/// peer: 1.5 KiB in a release build, 3.8 KiB in a debug one (measured by
/// painting the stack). It gets may's pooled size (8 KiB), which still holds twice
/// the debug depth, so both come from the pool `runtime::start` builds.
const STACK_BYTES: usize = runtime::POOLED_STACK_BYTES;

/// The coroutines alive at once: ping and pong.
const COROUTINES: usize = 2;

// ## message
/// What travels from ping to pong.
enum Ball {
    /// The counter, for pong to add one to and send back.
    Count(u64),
    /// The rounds are done: return.
    Stop,
}

// ## pong
/// pong: add one to every counter and send it back, until `Stop`.
fn pong(inbox: &Receiver<Ball>, to_ping: &Sender<u64>) {
    for ball in inbox {
        match ball {
            Ball::Count(counter) => {
                if to_ping.send(counter + 1).is_err() {
                    return;
                }
            }
            Ball::Stop => return,
        }
    }
}

// ## ping
/// ping: serve `rounds` times, then stop pong; the counter, or `None` if pong left.
fn ping(rounds: u64, to_pong: &Sender<Ball>, inbox: &Receiver<u64>) -> Option<u64> {
    let mut counter = 0;
    for _ in 0..rounds {
        to_pong.send(Ball::Count(counter)).ok()?;
        counter = inbox.recv().ok()?;
    }
    to_pong.send(Ball::Stop).ok()?;
    Some(counter)
}

// ## run
/// Ping runs in a coroutine of its own, not on the calling thread: a may `recv`
/// on a plain thread parks the thread itself (a futex), and the round trips
/// measured here are the switches between two coroutines.
pub(crate) fn run(spec: &PingPongSpec) -> Result<Counted, ModelError> {
    runtime::start(spec.threads, COROUTINES);
    spec.probe.begin();
    let rounds = spec.rounds;
    let (to_pong, pong_inbox) = mpsc::channel::<Ball>();
    let (to_ping, ping_inbox) = mpsc::channel::<u64>();
    // SAFETY: the closure owns its two channel ends and touches no thread-local
    // storage (may's channels park the coroutine, not the thread, so nothing of
    // the worker thread is held across a switch). Its stack use is bounded by a
    // channel send or receive, under 4 KiB of the 8 KiB it gets.
    let pong = unsafe { runtime::builder(STACK_BYTES).spawn(move || pong(&pong_inbox, &to_ping)) }
        .map_err(|e| ModelError::failed(format!("could not spawn pong: {e}")))?;
    // SAFETY: as for `pong`: owned channel ends and a counter, no thread-local
    // storage, under 4 KiB of stack used out of 8 KiB.
    let ping =
        unsafe { runtime::builder(STACK_BYTES).spawn(move || ping(rounds, &to_pong, &ping_inbox)) };
    // Both joined whatever happened to the other: nothing outlives the run. A
    // failed spawn drops the closure, and `to_pong` in it, which closes pong's inbox.
    let ping = ping.map_err(|e| ModelError::failed(format!("could not spawn ping: {e}")));
    let counter = ping.and_then(runtime::join);
    let pong = runtime::join(pong);
    spec.probe.end();
    pong?;
    counter?
        .map(|count| Counted { count })
        .ok_or_else(|| ModelError::failed("pong ended before ping's rounds were done"))
}
