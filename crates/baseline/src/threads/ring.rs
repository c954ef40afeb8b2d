//! ring with threads: one thread and one [`Slot`] per task; task `i` takes from its
//! own slot and puts into slot `i + 1`. Only one thread is runnable at a time, so
//! every hop is a wake-up of another kernel thread: a context switch.
//!
//! Shutting down is part of the work: the holder sends `Stop` around the ring, each
//! thread forwards it and returns, and the holder returns when it comes back.

use std::thread::{self, ScopedJoinHandle};

use harness::ModelError;
use harness::spec::{RingOutcome, RingSpec};

use super::{Slot, builder, check_thread_budget, join, spawn_failed};

// ## message

/// What a task sends the next: the token with the hops left, or the end of the ring.
enum Msg {
    Token(u64),
    Stop,
}

// ## task

/// Task `id`'s life: pass the token on until it reaches 0, then lead `Stop` round.
fn task(id: usize, inbox: &Slot<Msg>, next: &Slot<Msg>) -> Option<usize> {
    loop {
        match inbox.take() {
            Msg::Token(0) => {
                next.put(Msg::Stop);
                // Wait for Stop to come back round: then all have left.
                let _stop = inbox.take();
                return Some(id);
            }
            Msg::Token(left) => next.put(Msg::Token(left - 1)),
            Msg::Stop => {
                next.put(Msg::Stop);
                return None;
            }
        }
    }
}

// ## run

// A `Slot` is both ends of a channel: the slots live in one `Vec` the scope
// borrows, and each task's `inbox` and `next` are references into it.
pub(crate) fn run(spec: &RingSpec) -> Result<RingOutcome, ModelError> {
    if spec.tasks == 0 {
        return Err(ModelError::failed("a ring needs at least one task"));
    }
    check_thread_budget(spec.tasks)?;
    // Building the ring (starting its threads) is part of the work.
    spec.probe.begin();
    let slots: Vec<Slot<Msg>> = (0..spec.tasks).map(|_| Slot::new()).collect();
    let mut nexts: Vec<&Slot<Msg>> = slots.iter().collect();
    let start = nexts[0];
    nexts.rotate_left(1);
    thread::scope(|s| {
        let mut tasks = Vec::with_capacity(spec.tasks);
        for (id, (inbox, next)) in (1..).zip(slots.iter().zip(nexts)) {
            match builder("ring").spawn_scoped(s, move || task(id, inbox, next)) {
                Ok(h) => tasks.push(h),
                Err(e) => {
                    // Unblock the threads already started: a Stop put in the first
                    // slot is forwarded down the chain, each thread leaving as it
                    // passes it.
                    if !tasks.is_empty() {
                        start.put(Msg::Stop);
                    }
                    let started = tasks.len();
                    for h in tasks {
                        join(h)?;
                    }
                    return Err(spawn_failed(started, spec.tasks, &e));
                }
            }
        }
        start.put(Msg::Token(spec.hops));
        collect(spec, tasks)
    })
}

// ## collect

fn collect(
    spec: &RingSpec,
    tasks: Vec<ScopedJoinHandle<'_, Option<usize>>>,
) -> Result<RingOutcome, ModelError> {
    let mut holder = None;
    for h in tasks {
        holder = holder.or(join(h)?);
    }
    spec.probe.end();
    holder
        .map(|holder| RingOutcome { holder })
        .ok_or_else(|| ModelError::failed("no task received the token at 0"))
}
