//! spawn on minirt: `n` tasks, each `sleep`s then returns 1; the main task awaits
//! every join handle and adds up. A sleeping task is its boxed state machine (a
//! few dozen bytes), its waker, its join slot and one timer entry: no stack. All
//! `n` timers sit in one ordered map; the loop parks once until the first deadline.

use harness::ModelError;
use harness::spec::{Counted, SpawnSpec};

use crate::rt::{sleep, spawn};
use crate::{panicked, runtime};

pub(crate) fn run(spec: &SpawnSpec) -> Result<Counted, ModelError> {
    let (n, pause) = (spec.n, spec.sleep);
    runtime()?.block_on(async move {
        let handles: Vec<_> = (0..n)
            .map(|_| {
                spawn(async move {
                    sleep(pause).await;
                    1u64
                })
            })
            .collect();
        let mut count = 0;
        for handle in handles {
            count += handle.await.map_err(panicked)?;
        }
        Ok(Counted { count })
    })
}
