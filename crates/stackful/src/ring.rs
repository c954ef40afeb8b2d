//! ring on may: one coroutine per task, one `mpsc` channel per link.
//!
//! Task `i` owns the receiving end of its own channel and the sending end of task
//! `i + 1`'s. Each hop is a `send` that queues the next task on this worker and a
//! `recv` that finds nothing and switches to it: two user-space context switches,
//! no kernel involved. The run sends the token into task 1's inbox once every task
//! is started, through a clone of that inbox's sender that it drops right after.
//! The channels are may's `mpsc`, its standard unbounded channel, as pingpong's
//! are (see there for `spsc`).
//!
//! Shutting down is a message round the ring, as in every model: the holder sends
//! `Stop` on, each task forwards it and returns, and the holder returns when it
//! comes back. The Go-like alternative, returning and letting each dropped sender
//! close the next task's channel, hung about one run in seven with `--hops 1` on
//! may 0.3.51 (with its `spsc` channel, which this ring used then): when a sender
//! is dropped while its receiver is just entering its first `recv`, the wake-up
//! can be lost and that coroutine never runs again. A `Stop` is an ordinary send,
//! which may delivers reliably; it is also how a half-built ring is taken down.
//!
//! The ring's coroutines all come from may's pool, which `runtime::start` sizes to
//! `tasks` in a fresh process: their stacks are mapped while the runtime is built,
//! and building the ring inside the measured phase is taking them from the pool,
//! making the channels and queueing the coroutines.

use harness::ModelError;
use harness::spec::{RingOutcome, RingSpec};
use may::coroutine::JoinHandle;
use may::sync::mpsc::{self, Receiver, Sender};

use crate::runtime;

/// Stack of each task. A task's deepest call is a channel send or receive:
/// 1.7 KiB in a release build, 4 KiB in a debug one (measured by painting the
/// stack). It gets may's pooled size (8 KiB), which still holds twice the debug
/// depth, so every task's stack comes from the pool.
const STACK_BYTES: usize = runtime::POOLED_STACK_BYTES;

// ## message
/// What travels round the ring.
enum Msg {
    /// The token, with the hops still to go.
    Token(u64),
    /// The run is over: forward this and return.
    Stop,
}

// ## task
/// One task of the ring: pass the token on, minus one, until it arrives at 0.
/// Returns `Some(id)` if this task is the holder, `None` once `Stop` has passed.
fn task(id: usize, inbox: &Receiver<Msg>, next: &Sender<Msg>) -> Option<usize> {
    // A failed receive (every sender gone) or send (the next task gone) only
    // happens on a ring that came apart; `None` then.
    loop {
        match inbox.recv().ok()? {
            Msg::Token(0) => {
                // Send Stop round and wait for it: then every other task has
                // returned, and the caller's joins find them finished.
                next.send(Msg::Stop).ok()?;
                let _stop = inbox.recv();
                return Some(id);
            }
            Msg::Token(left) => next.send(Msg::Token(left - 1)).ok()?,
            Msg::Stop => {
                // The holder is waiting for this, or the ring was never closed
                // (a failed spawn) and the send has no one to reach.
                let _ = next.send(Msg::Stop);
                return None;
            }
        }
    }
}

// ## run
pub(crate) fn run(spec: &RingSpec) -> Result<RingOutcome, ModelError> {
    if spec.tasks == 0 {
        return Err(ModelError::failed("a ring needs at least one task"));
    }
    runtime::check_stacks(spec.tasks, "a ring of this size")?;
    runtime::start(spec.threads, spec.tasks);
    spec.probe.begin();
    let (mut nexts, inboxes): (Vec<Sender<Msg>>, Vec<Receiver<Msg>>) =
        (0..spec.tasks).map(|_| mpsc::channel()).unzip();
    // The run's own way into the ring, dropped once the token is in.
    let start = nexts[0].clone();
    // Task i writes to inbox i + 1, and the last task to the first.
    nexts.rotate_left(1);
    let mut tasks = Vec::with_capacity(spec.tasks);
    let mut failed = None;
    for (id, (inbox, next)) in (1..).zip(inboxes.into_iter().zip(nexts)) {
        // SAFETY: the closure owns its two channel ends and touches no
        // thread-local storage (may's channels park the coroutine, not the
        // thread). Its stack use is bounded by one channel call, at most 4 KiB
        // of the 8 KiB it gets.
        let spawned =
            unsafe { runtime::builder(STACK_BYTES).spawn(move || task(id, &inbox, &next)) };
        match spawned {
            Ok(handle) => tasks.push(handle),
            Err(e) => {
                failed = Some(ModelError::failed(format!(
                    "could not spawn ring task {id}: {e}"
                )));
                break;
            }
        }
    }
    // After a failed spawn the tasks already started get `Stop` instead of the
    // token: each forwards it and returns, the last one's send finding no
    // receiver. The send fails only if task 1 itself never started.
    let first = if failed.is_none() {
        Msg::Token(spec.hops)
    } else {
        Msg::Stop
    };
    let _ = start.send(first);
    drop(start);
    collect(spec, tasks, failed)
}

// ## collect
/// Joins every task, keeping the holder's id; the first failure, if any, wins.
fn collect(
    spec: &RingSpec,
    tasks: Vec<JoinHandle<Option<usize>>>,
    mut failed: Option<ModelError>,
) -> Result<RingOutcome, ModelError> {
    let mut holder = None;
    for handle in tasks {
        match runtime::join(handle) {
            Ok(id) => holder = holder.or(id),
            Err(e) => failed = failed.or(Some(e)),
        }
    }
    spec.probe.end();
    if let Some(e) = failed {
        return Err(e);
    }
    holder
        .map(|holder| RingOutcome { holder })
        .ok_or_else(|| ModelError::failed("no task received the token at 0"))
}
