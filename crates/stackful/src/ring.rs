//! ring on may: one coroutine per task, one `spsc` channel per link.
//!
//! Task `i` owns the receiving end of its own channel and the sending end of task
//! `i + 1`'s. Each hop is a `send` that queues the next task on this worker and a
//! `recv` that finds nothing and switches to it: two user-space context switches,
//! no kernel involved. Task 1 starts out holding the token, so nobody outside the
//! ring needs a sender into it.
//!
//! Shutting down is a message round the ring: the holder sends `Stop` on, each
//! task forwards it and returns, and the holder returns when it comes back. The
//! Go-like alternative, returning and letting each dropped sender close the next
//! task's channel, hung about one run in seven with `--hops 1` on may 0.3.51:
//! when a sender is dropped while its receiver is just entering its first `recv`,
//! the wake-up can be lost and that coroutine never runs again. A `Stop` is an
//! ordinary send, which may delivers reliably.

use harness::ModelError;
use harness::spec::{RingOutcome, RingSpec};
use may::sync::spsc::{self, Receiver, Sender};

use crate::runtime;

/// Stack of each task. A task's deepest call is a channel send or receive:
/// 1.7 KiB in a release build, 4 KiB in a debug one (measured by painting the
/// stack). It gets may's pooled size (8 KiB): may builds a pool of 1,000 coroutines of that size,
/// stacks and all, when its scheduler starts, and a spawn of the pooled size takes
/// one from there instead of mapping and guarding a fresh stack (two system calls
/// each, which made a 503-task ring spend more time being built than running).
/// 8 KiB still holds twice the debug depth.
const STACK_BYTES: usize = runtime::POOLED_STACK_BYTES;

pub(crate) fn run(spec: &RingSpec) -> Result<RingOutcome, ModelError> {
    runtime::start(spec.threads);
    runtime::check_stacks(spec.tasks, "a ring of this size")?;
    let (mut senders, receivers): (Vec<Sender<Msg>>, Vec<Receiver<Msg>>) =
        (0..spec.tasks).map(|_| spsc::channel()).unzip();
    // Task i sends into channel i + 1; the last one into channel 0.
    senders.rotate_left(1);
    let mut handles = Vec::with_capacity(spec.tasks);
    for (i, (inbox, next)) in receivers.into_iter().zip(senders).enumerate() {
        let first = (i == 0).then_some(spec.hops);
        // SAFETY: the closure owns its two channel ends and touches no
        // thread-local storage (may's channels park the coroutine, not the
        // thread). Its stack use is bounded by one channel call, at most 4 KiB
        // of the 8 KiB it gets.
        let spawned = unsafe {
            runtime::builder(STACK_BYTES).spawn(move || task(i + 1, first, &inbox, &next))
        };
        match spawned {
            Ok(handle) => handles.push(handle),
            // The closure (and its sender) is dropped: the tasks already started
            // see their channels close in turn and return.
            Err(e) => {
                return Err(ModelError::failed(format!(
                    "could not spawn ring task {}: {e}",
                    i + 1
                )));
            }
        }
    }
    let mut holder = None;
    for handle in handles {
        holder = holder.or(runtime::join(handle)?);
    }
    holder
        .map(|holder| RingOutcome { holder })
        .ok_or_else(|| ModelError::failed("no task received the token at 0"))
}

/// What travels round the ring.
enum Msg {
    /// The token, with the hops still to go.
    Token(u64),
    /// The run is over: forward this and return.
    Stop,
}

/// One task of the ring: pass the token on, minus one, until it arrives at 0.
/// Returns `Some(id)` if this task is the holder, `None` once `Stop` has passed.
fn task(id: usize, first: Option<u64>, inbox: &Receiver<Msg>, next: &Sender<Msg>) -> Option<usize> {
    let mut msg = match first {
        Some(token) => Msg::Token(token),
        None => inbox.recv().ok()?,
    };
    loop {
        match msg {
            Msg::Token(0) => {
                // Send Stop round and wait for it: then every other task has
                // returned, and the caller's joins find them finished.
                next.send(Msg::Stop).ok()?;
                let _stop = inbox.recv();
                return Some(id);
            }
            Msg::Token(left) => next.send(Msg::Token(left - 1)).ok()?,
            Msg::Stop => {
                // The holder is waiting for this, so the send cannot fail.
                let _ = next.send(Msg::Stop);
                return None;
            }
        }
        msg = inbox.recv().ok()?;
    }
}
