//! spawn on may: `n` coroutines, each sleeping and then reporting through its
//! join handle.
//!
//! `coroutine::sleep` parks the coroutine on may's timer list instead of the
//! thread, so all `n` are alive at once and the worker threads stay free. What a
//! sleeping coroutine costs is what this workload measures: a stack (here 8 KiB,
//! of which it touches two pages) plus may's bookkeeping, against a kernel thread
//! in `threads` and a state machine of a few dozen bytes in the stackless models.
//!
//! A coroutine reports by returning: its join handle yields `Ok` only once it
//! has run to the end, and the caller counts those. Join handles rather than a
//! scope because a may scope adds a boxed closure and a reference-counted join
//! state per coroutine: about 160 bytes and 5% more wall time at n = 10,000,
//! measured against this version. Every stack is two kernel mappings, so
//! `vm.max_map_count` caps `n`; above it the run answers `unsupported`.

use std::time::Duration;

use harness::ModelError;
use harness::spec::{Counted, SpawnSpec};
use may::coroutine::{self, JoinHandle};

use crate::runtime;

/// Stack of each coroutine: 8 KiB. Parking on the timer is 1.4 KiB deep in a
/// release build and 3 KiB in a debug one (measured by painting the stack), and
/// two pages is the smallest stack that leaves a margin above both. It is also
/// may's default size here, so the first thousand come from may's stack pool.
const STACK_BYTES: usize = runtime::POOLED_STACK_BYTES;

pub(crate) fn run(spec: &SpawnSpec) -> Result<Counted, ModelError> {
    runtime::start(spec.threads);
    runtime::check_stacks(spec.n, "spawning this many sleeping coroutines")?;
    let sleep = spec.sleep;
    let mut handles = Vec::with_capacity(spec.n);
    // may panics if it cannot map a stack after all (the check above leaves a
    // margin, but memory can run out too): `contained` makes that an error.
    let spawned = runtime::contained(|| spawn_all(spec.n, sleep, &mut handles)).and_then(|r| r);
    // Join whatever started, after a failed spawn too: nothing outlives the run.
    let mut count = 0;
    for handle in handles {
        runtime::join(handle)?;
        count += 1;
    }
    spawned?;
    Ok(Counted { count })
}

/// Spawns `n` sleeping coroutines into `handles`.
fn spawn_all(
    n: usize,
    sleep: Duration,
    handles: &mut Vec<JoinHandle<()>>,
) -> Result<(), ModelError> {
    for _ in 0..n {
        // SAFETY: the closure holds nothing but a `Duration`; it parks on may's
        // timer, not the thread's, and touches no thread-local storage. Its
        // deepest call, parking on the timer, uses at most 3 KiB of its 8 KiB.
        let spawned = unsafe {
            runtime::builder(STACK_BYTES).spawn(move || {
                if sleep.is_zero() {
                    // may 0.3.51's `sleep` hands the coroutine to its timer
                    // thread before it has finished registering it; a zero
                    // timer fires at once and the two race (a use-after-free
                    // seen as a segfault in plain may code). Yielding is what
                    // sleeping for zero means anyway.
                    coroutine::yield_now();
                } else {
                    coroutine::sleep(sleep);
                }
            })
        };
        match spawned {
            Ok(handle) => handles.push(handle),
            Err(e) => {
                return Err(ModelError::failed(format!(
                    "could not spawn coroutine {} of {n}: {e}",
                    handles.len() + 1,
                )));
            }
        }
    }
    Ok(())
}
