//! spawn with tokio: `n` tasks started with `JoinSet::spawn`, each awaiting
//! `tokio::time::sleep`, then joined; a task reports by finishing, and the measured
//! task counts the joins that come back `Ok`.
//!
//! All `n` are spawned before the first is awaited. Awaiting each handle right
//! after spawning it would run the sleeps one after another, `n` times the sleep.
//! A sleeping task costs what its state machine and task header take (a few hundred
//! bytes, no stack), and a timer entry in the runtime's timer wheel: the wheel
//! rounds deadlines up to whole milliseconds, so a 1 s sleep ends between 1 s and
//! 1 s + 1 ms after it started, and a 0 ms sleep still waits for the next tick.

use harness::ModelError;
use harness::spec::{Counted, SpawnSpec};
use tokio::task::JoinSet;

use crate::runtime::{self, Flavor};

pub(crate) fn run(spec: &SpawnSpec, flavor: Flavor) -> Result<Counted, ModelError> {
    let (n, sleep) = (spec.n, spec.sleep);
    runtime::run(flavor, async move {
        let mut tasks = JoinSet::new();
        for _ in 0..n {
            tasks.spawn(tokio::time::sleep(sleep));
        }
        let mut count = 0;
        while let Some(joined) = tasks.join_next().await {
            joined.map_err(runtime::joined)?;
            count += 1;
        }
        Ok(Counted { count })
    })
}
