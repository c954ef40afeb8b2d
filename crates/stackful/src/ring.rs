//! ring on may: one coroutine per task, one `mpsc` channel per link.
//!
//! Task `i` owns the receiving end of its own channel and the sending end of task
//! `i + 1`'s. Each hop is a `send` that queues the next task on this worker and a
//! `recv` that finds nothing and switches to it: two user-space context switches,
//! no kernel involved. Task 1 starts out holding the token, so nobody outside the
//! ring needs a sender into it. The channels are may's `mpsc`, its standard
//! unbounded channel, as pingpong's are (see there for `spsc`).
//!
//! Shutting down is a message round the ring, as in every model: the holder sends
//! `Stop` on, each task forwards it and returns, and the holder returns when it
//! comes back. The Go-like alternative, returning and letting each dropped sender
//! close the next task's channel, hung about one run in seven with `--hops 1` on
//! may 0.3.51 (with its `spsc` channel, which this ring used then): when a sender
//! is dropped while its receiver is just entering its first `recv`, the wake-up
//! can be lost and that coroutine never runs again. A `Stop` is an ordinary send,
//! which may delivers reliably.
//!
//! The ring's coroutines all come from may's pool, which `runtime::start` sizes to
//! `tasks` in a fresh process: their stacks are mapped while the runtime is built,
//! and building the ring inside the measured phase is taking them from the pool,
//! making the channels and queueing the coroutines.

use harness::ModelError;
use harness::spec::{RingOutcome, RingSpec};
use may::sync::mpsc::{self, Receiver, Sender};

use crate::runtime;

/// Stack of each task. A task's deepest call is a channel send or receive:
/// 1.7 KiB in a release build, 4 KiB in a debug one (measured by painting the
/// stack). It gets may's pooled size (8 KiB), which still holds twice the debug
/// depth, so every task's stack comes from the pool.
const STACK_BYTES: usize = runtime::POOLED_STACK_BYTES;

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

pub(crate) fn run(spec: &RingSpec) -> Result<RingOutcome, ModelError> {
    runtime::check_stacks(spec.tasks, "a ring of this size")?;
    runtime::start(spec.threads, spec.tasks);
    spec.probe.begin();
    let (mut senders, receivers): (Vec<Sender<Msg>>, Vec<Receiver<Msg>>) =
        (0..spec.tasks).map(|_| mpsc::channel()).unzip();
    // Task i sends into channel i + 1; the last one into channel 0.
    senders.rotate_left(1);
    let mut handles = Vec::with_capacity(spec.tasks);
    let mut failed = None;
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
            Err(e) => {
                failed = Some(ModelError::failed(format!(
                    "could not spawn ring task {}: {e}",
                    i + 1
                )));
                break;
            }
        }
    }
    // After a failed spawn the ends not handed out are dropped here (leaving the
    // loop dropped them), so the tasks already started see a send or a receive
    // fail in turn and return; they are joined like the rest.
    let mut holder = None;
    for handle in handles {
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
