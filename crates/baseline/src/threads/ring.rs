//! ring with threads: one thread and one [`Slot`] per task; task `i` takes from its
//! own slot and puts into slot `i + 1`. Only one thread is runnable at a time, so
//! every hop is a wake-up of another kernel thread: a context switch.
//!
//! Shutting down is part of the work: the holder sends `Stop` around the ring, each
//! thread forwards it and returns, and the holder returns when it comes back.

use std::thread;

use harness::ModelError;
use harness::spec::{RingOutcome, RingSpec};

use super::{Slot, builder, check_thread_budget, join, spawn_failed};

enum Msg {
    Token(u64),
    Stop,
}

pub(crate) fn run(spec: &RingSpec) -> Result<RingOutcome, ModelError> {
    if spec.tasks == 0 {
        return Err(ModelError::failed("a ring needs at least one task"));
    }
    check_thread_budget(spec.tasks)?;
    // Building the ring (starting its threads) is part of the work.
    spec.probe.begin();
    let slots: Vec<Slot<Msg>> = (0..spec.tasks).map(|_| Slot::new()).collect();
    let slots = &slots;
    let holder = thread::scope(|s| {
        let mut handles = Vec::with_capacity(spec.tasks);
        for i in 0..spec.tasks {
            let next = &slots[(i + 1) % spec.tasks];
            let handle = builder("ring").spawn_scoped(s, move || {
                loop {
                    match slots[i].take() {
                        Msg::Token(0) => {
                            next.put(Msg::Stop);
                            // Wait for Stop to come back round: then all have left.
                            let _stop = slots[i].take();
                            return Some(i + 1);
                        }
                        Msg::Token(k) => next.put(Msg::Token(k - 1)),
                        Msg::Stop => {
                            next.put(Msg::Stop);
                            return None;
                        }
                    }
                }
            });
            match handle {
                Ok(h) => handles.push(h),
                Err(e) => {
                    // Unblock the threads already started: a Stop put in slot 0 is
                    // forwarded down the chain, each thread leaving as it passes it.
                    if !handles.is_empty() {
                        slots[0].put(Msg::Stop);
                    }
                    let started = handles.len();
                    for h in handles {
                        join(h)?;
                    }
                    return Err(spawn_failed(started, spec.tasks, &e));
                }
            }
        }
        slots[0].put(Msg::Token(spec.hops));
        let mut holder = None;
        for h in handles {
            holder = holder.or(join(h)?);
        }
        Ok(holder)
    })?;
    spec.probe.end();
    holder
        .map(|holder| RingOutcome { holder })
        .ok_or_else(|| ModelError::failed("no task received the token at 0"))
}
