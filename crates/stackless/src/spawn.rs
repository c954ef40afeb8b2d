//! spawn with tokio: `n` tasks started with `JoinSet::spawn`, each awaiting
//! `tokio::time::sleep`, then joined; a task reports by finishing, and the measured
//! task counts the joins that come back `Ok`.
//!
//! Each task holds the probe's `Alive` guard from its first poll to its end, the
//! sleep included, so the harness sees how many were alive at once. All `n` are
//! spawned before the first is awaited. Awaiting each handle right after spawning
//! it would run the sleeps one after another, `n` times the sleep.
//!
//! A sleeping task costs what its state machine and task header take (a few hundred
//! bytes, no stack: the guard is one `Arc` pointer), and a timer entry in the
//! runtime's timer wheel: the wheel rounds deadlines up to whole milliseconds, so a
//! 1 s sleep ends between 1 s and 1 s + 1 ms after it started, and a 0 ms sleep
//! still waits for the next tick.

use std::time::Duration;

use harness::spec::{Counted, SpawnSpec};
use harness::{ModelError, Probe};
use tokio::task::JoinSet;

use crate::runtime::{self, Flavor};

// ## task
/// One task: alive from its first step to its last, asleep in between.
#[expect(
    clippy::manual_async_fn,
    reason = "an `async fn` keeps its arguments twice in its state machine \
              (rust-lang/rust#62958): 160 bytes against this block's 152, in each task"
)]
fn task(probe: Probe, sleep: Duration) -> impl Future<Output = ()> {
    async move {
        let _alive = probe.enter();
        tokio::time::sleep(sleep).await;
    }
}

// ## run
pub(crate) fn run(spec: &SpawnSpec, flavor: Flavor) -> Result<Counted, ModelError> {
    let (n, sleep, probe) = (spec.n, spec.sleep, spec.probe.clone());
    let rt = runtime::start(flavor)?;
    spec.probe.begin();
    let out = rt.run(async move {
        let mut tasks = JoinSet::new();
        for _ in 0..n {
            tasks.spawn(task(probe.clone(), sleep));
        }
        collect(tasks).await
    });
    spec.probe.end();
    out
}

// ## collect
/// Joins every task and counts those that finished. This runs inside the measured
/// task, so `probe.end()` is `run`'s, once the runtime has handed the count back.
async fn collect(mut tasks: JoinSet<()>) -> Result<Counted, ModelError> {
    let mut count = 0;
    while let Some(joined) = tasks.join_next().await {
        joined.map_err(runtime::joined)?;
        count += 1;
    }
    Ok(Counted { count })
}
