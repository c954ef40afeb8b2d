//! pingpong on may: two coroutines, two channels, one loop each.
//!
//! `ping` sends the counter and waits for it to come back; `pong` adds one and
//! sends it back. Each `recv` on an empty channel parks the coroutine (its
//! registers saved, its stack left where it is) and the worker thread switches to
//! whatever is runnable, usually the other side of the pingpong: a round trip is
//! two user-space switches and no system call while both stay busy.
//!
//! The channels are may's `spsc` (single producer, single consumer): each has
//! exactly one sender and one receiver here, and `spsc` skips the bookkeeping
//! `mpsc` needs for cloned senders. Ending is part of the protocol: when `ping`
//! returns it drops its sender, `pong`'s `for` loop sees the channel close and
//! returns too.

use harness::ModelError;
use harness::spec::{Counted, PingPongSpec};
use may::sync::spsc;

use crate::runtime;

/// Stack of each coroutine. The deepest call is a channel send that wakes the
/// peer: 1.5 KiB in a release build, 3.8 KiB in a debug one (measured by
/// painting the stack). It gets may's pooled size (8 KiB): may builds a pool of 1,000 coroutines of that size,
/// stacks and all, when its scheduler starts, and a spawn of the pooled size takes
/// one from there instead of mapping and guarding a fresh stack (two system calls
/// each, which made a 503-task ring spend more time being built than running).
/// 8 KiB still holds twice the debug depth.
const STACK_BYTES: usize = runtime::POOLED_STACK_BYTES;

pub(crate) fn run(spec: &PingPongSpec) -> Result<Counted, ModelError> {
    runtime::start(spec.threads);
    let rounds = spec.rounds;
    let (to_pong, pong_inbox) = spsc::channel::<u64>();
    let (to_ping, ping_inbox) = spsc::channel::<u64>();
    // SAFETY: the closure owns its two channel ends and touches no thread-local
    // storage (may's channels park the coroutine, not the thread, so nothing of
    // the worker thread is held across a switch). Its stack use is bounded by a
    // channel send or receive, under 4 KiB of the 8 KiB it gets.
    let pong = unsafe {
        runtime::builder(STACK_BYTES).spawn(move || {
            for counter in pong_inbox.iter() {
                if to_ping.send(counter + 1).is_err() {
                    break;
                }
            }
        })
    }
    .map_err(|e| ModelError::failed(format!("could not spawn pong: {e}")))?;
    // SAFETY: as for `pong`: owned channel ends and a counter, no thread-local
    // storage, under 4 KiB of stack used out of 8 KiB.
    let ping = unsafe {
        runtime::builder(STACK_BYTES).spawn(move || {
            let mut counter = 0;
            for _ in 0..rounds {
                if to_pong.send(counter).is_err() {
                    break;
                }
                match ping_inbox.recv() {
                    Ok(next) => counter = next,
                    Err(_) => break,
                }
            }
            counter
        })
    }
    .map_err(|e| ModelError::failed(format!("could not spawn ping: {e}")))?;
    let count = runtime::join(ping)?;
    runtime::join(pong)?;
    Ok(Counted { count })
}
