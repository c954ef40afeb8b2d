//! spawn on minirt: `n` tasks, each `sleep`s and ends; the main task awaits every
//! join handle and counts them. A sleeping task is its boxed state machine (a few
//! dozen bytes), its waker, its join slot and one timer entry: no stack. All `n`
//! timers sit in one ordered map; the loop parks once until the first deadline.
//!
//! Each task holds the probe's [`Alive`](harness::probe::Alive) from its first
//! poll to its end, sleep included, so the harness sees all `n` alive at once.

use std::time::Duration;

use harness::spec::{Counted, SpawnSpec};
use harness::{ModelError, Probe};

use crate::rt::{self, JoinHandle, spawn};
use crate::{panicked, runtime};

// ## task
/// One task: alive from its first step to its last, asleep in between.
async fn task(probe: Probe, sleep: Duration) {
    let _alive = probe.enter();
    rt::sleep(sleep).await;
}

// ## run
pub(crate) fn run(spec: &SpawnSpec) -> Result<Counted, ModelError> {
    let (n, sleep, probe) = (spec.n, spec.sleep, spec.probe.clone());
    let rt = runtime()?;
    spec.probe.begin();
    let out = rt.block_on(async move {
        // All `n` are spawned before the first is awaited, so all are alive at once.
        let tasks: Vec<_> = (0..n).map(|_| spawn(task(probe.clone(), sleep))).collect();
        collect(tasks).await
    });
    spec.probe.end();
    out
}

// ## collect
/// Joins every task and counts those that finished. This runs inside the main
/// task, so `probe.end()` is `run`'s, once `block_on` has handed the count back.
async fn collect(tasks: Vec<JoinHandle<()>>) -> Result<Counted, ModelError> {
    let mut count = 0;
    for task in tasks {
        task.await.map_err(panicked)?;
        count += 1;
    }
    Ok(Counted { count })
}
