//! spawn on minirt: `n` tasks, each `sleep`s then returns 1; the main task awaits
//! every join handle and adds up. A sleeping task is its boxed state machine (a
//! few dozen bytes), its waker, its join slot and one timer entry: no stack. All
//! `n` timers sit in one ordered map; the loop parks once until the first deadline.
//!
//! Each task holds the probe's [`Alive`](harness::probe::Alive) from its first
//! poll to its end, sleep included, so the harness sees all `n` alive at once.

use std::time::Duration;

use harness::spec::{Counted, SpawnSpec};
use harness::{ModelError, Probe};

use crate::rt::{sleep, spawn};
use crate::{panicked, runtime};

/// One task: alive from its first step to its last, asleep in between.
async fn task(probe: Probe, pause: Duration) -> u64 {
    let _alive = probe.enter();
    sleep(pause).await;
    1
}

pub(crate) fn run(spec: &SpawnSpec) -> Result<Counted, ModelError> {
    let (n, pause) = (spec.n, spec.sleep);
    let rt = runtime()?;
    spec.probe.measure(|| {
        rt.block_on(async move {
            let handles: Vec<_> = (0..n)
                .map(|_| spawn(task(spec.probe.clone(), pause)))
                .collect();
            let mut count = 0;
            for handle in handles {
                count += handle.await.map_err(panicked)?;
            }
            Ok(Counted { count })
        })
    })
}
