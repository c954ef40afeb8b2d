//! spawn on may: `n` coroutines, each sleeping and then reporting through its
//! join handle.
//!
//! `coroutine::sleep` parks the coroutine on may's timer list instead of the
//! thread, so all `n` are alive at once and the worker threads stay free. What a
//! sleeping coroutine costs is what this workload measures: a stack (here 8 KiB,
//! of which it touches two pages) plus may's bookkeeping, against a kernel thread
//! in `threads` and a state machine of a few dozen bytes in the stackless models.
//!
//! Each coroutine registers with the probe's gauge (`spec.probe.enter()`) as its
//! first step and leaves it as it returns, so the gauge sees it alive through its
//! sleep; `verify` requires all `n` at once. A coroutine reports by returning: its
//! join handle yields `Ok` only once it has run to the end, and `collect` counts
//! those. Join handles rather than a scope because a may scope adds a boxed
//! closure and a reference-counted join state per coroutine: about 160 bytes and
//! 5% more wall time at n = 10,000, measured against this version. Every stack is
//! two kernel mappings, so `vm.max_map_count` caps `n`; above it the run answers
//! `unsupported`.
//!
//! The stacks are what each task costs, so none of them is mapped before the
//! measured phase: this workload asks `runtime::start` for no pooled stacks (may's
//! pool would otherwise map them while the runtime is built, and the memory per
//! task would leave out the stack). Every spawn maps its own stack inside the
//! phase, and every exit unmaps it.

use std::time::Duration;

use harness::spec::{Counted, SpawnSpec};
use harness::{ModelError, Probe};
use may::coroutine::{self, JoinHandle};

use crate::runtime;

/// Stack of each coroutine: 8 KiB. Parking on the timer is 1.4 KiB deep in a
/// release build and 3 KiB in a debug one (measured by painting the stack), and
/// two pages is the smallest stack that leaves a margin above both. It is may's
/// default size here, so in a process where an earlier run left stacks in may's
/// pool (a test binary, a bench) the first spawns reuse those.
const STACK_BYTES: usize = runtime::POOLED_STACK_BYTES;

/// Stacks this workload asks may's pool to hold ahead: none (see the module docs).
const POOLED: usize = 0;

// ## task
/// One task: alive from its first step to its last, asleep in between.
fn task(probe: &Probe, sleep: Duration) {
    let _alive = probe.enter();
    if sleep.is_zero() {
        // may 0.3.51's `sleep` hands the coroutine to its timer thread before it
        // has finished registering it; a zero timer fires at once and the two
        // race (a use-after-free seen as a segfault in plain may code). Yielding
        // is what sleeping for zero means anyway.
        coroutine::yield_now();
    } else {
        coroutine::sleep(sleep);
    }
}

// ## run
pub(crate) fn run(spec: &SpawnSpec) -> Result<Counted, ModelError> {
    runtime::check_stacks(spec.n, "spawning this many sleeping coroutines")?;
    runtime::start(spec.threads, POOLED);
    spec.probe.begin();
    let (n, sleep) = (spec.n, spec.sleep);
    let mut tasks = Vec::with_capacity(n);
    // may panics if it cannot map a stack after all (the check above leaves a
    // margin, but memory can run out too): `contained` makes that an error.
    let spawned = runtime::contained(|| {
        for started in 0..n {
            let probe = spec.probe.clone();
            // SAFETY: the closure holds a `Duration` and a probe (an `Arc` of
            // atomics); it parks on may's timer, not the thread's, and touches no
            // thread-local storage. Its deepest call, parking on the timer, uses
            // at most 3 KiB of its 8 KiB.
            let spawned =
                unsafe { runtime::builder(STACK_BYTES).spawn(move || task(&probe, sleep)) };
            match spawned {
                Ok(handle) => tasks.push(handle),
                Err(e) => {
                    return Err(ModelError::failed(format!(
                        "could not spawn coroutine {} of {n}: {e}",
                        started + 1,
                    )));
                }
            }
        }
        Ok(())
    });
    // Joined whatever started, after a failed spawn too: nothing outlives the run.
    collect(spec, tasks, spawned.and_then(|r| r).err())
}

// ## collect
/// Joins every task and counts those that ran to the end; the first failure, if
/// any, wins.
fn collect(
    spec: &SpawnSpec,
    tasks: Vec<JoinHandle<()>>,
    mut failed: Option<ModelError>,
) -> Result<Counted, ModelError> {
    let mut count = 0;
    for handle in tasks {
        match runtime::join(handle) {
            Ok(()) => count += 1,
            Err(e) => failed = failed.or(Some(e)),
        }
    }
    spec.probe.end();
    match failed {
        Some(e) => Err(e),
        None => Ok(Counted { count }),
    }
}
