//! ring on may: one coroutine per task, one `spsc` channel per link.
//!
//! Task `i` owns the receiving end of its own channel and the sending end of task
//! `i + 1`'s. Each hop is a `send` that queues the next task on this worker and a
//! `recv` that finds nothing and switches to it: two user-space context switches,
//! no kernel involved. Task 1 starts out holding the token, so nobody outside the
//! ring needs a sender into it.
//!
//! Shutting down needs no message of its own: the task that gets the token at 0
//! returns, which drops its sender, so the next task's `recv` reports the channel
//! closed and it returns too, and so on round the ring, the way closing a Go
//! channel ends a `range` over it.

use harness::ModelError;
use harness::spec::{RingOutcome, RingSpec};
use may::sync::spsc::{self, Receiver, Sender};

use crate::runtime;

/// Stack of each task. A task's deepest call is a channel send or receive:
/// 1.7 KiB in a release build, 4 KiB in a debug one (measured by painting the
/// stack). 16 KiB keeps four times the debug depth in reserve at no cost in
/// memory: a task touches only its top page and the bottom one may paints.
const STACK_BYTES: usize = 16 * 1024;

pub(crate) fn run(spec: &RingSpec) -> Result<RingOutcome, ModelError> {
    runtime::start(spec.threads);
    runtime::check_stacks(spec.tasks, "a ring of this size")?;
    let (mut senders, receivers): (Vec<Sender<u64>>, Vec<Receiver<u64>>) =
        (0..spec.tasks).map(|_| spsc::channel()).unzip();
    // Task i sends into channel i + 1; the last one into channel 0.
    senders.rotate_left(1);
    let mut handles = Vec::with_capacity(spec.tasks);
    for (i, (inbox, next)) in receivers.into_iter().zip(senders).enumerate() {
        let first = (i == 0).then_some(spec.hops);
        // SAFETY: the closure owns its two channel ends and touches no
        // thread-local storage (may's channels park the coroutine, not the
        // thread). Its stack use is bounded by one channel call, at most 4 KiB
        // of the 16 KiB it gets.
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

/// One task of the ring: pass the token on, minus one, until it arrives at 0.
/// Returns `Some(id)` if this task is the holder, `None` once the ring closes.
fn task(id: usize, first: Option<u64>, inbox: &Receiver<u64>, next: &Sender<u64>) -> Option<usize> {
    let mut token = match first {
        Some(token) => token,
        None => inbox.recv().ok()?,
    };
    loop {
        if token == 0 {
            return Some(id);
        }
        next.send(token - 1).ok()?;
        token = inbox.recv().ok()?;
    }
}
