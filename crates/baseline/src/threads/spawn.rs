//! spawn with threads: one OS thread per task, each sleeping in the kernel, then
//! reporting by bumping a shared atomic counter; the scope joins them all.
//!
//! Each thread registers with the probe's gauge as its first step and leaves it as
//! its last, so the harness sees how many were alive at once. All `n` are alive at
//! once, so this is where OS threads hit the machine's limits (pids,
//! `threads-max`, mappings). The run checks them first and answers `unsupported`
//! above them; if the kernel still refuses a thread midway, the ones already
//! started are joined and the answer says how many got going.

use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

use harness::ModelError;
use harness::spec::{Counted, SpawnSpec};

use super::{builder, check_thread_budget, spawn_failed};

/// One task's life, on its own thread: alive, asleep, reported.
fn task(spec: &SpawnSpec, reported: &AtomicU64) {
    let _alive = spec.probe.enter();
    thread::sleep(spec.sleep);
    // Relaxed: the scope's join orders this before the final load.
    reported.fetch_add(1, Ordering::Relaxed);
}

pub(crate) fn run(spec: &SpawnSpec) -> Result<Counted, ModelError> {
    check_thread_budget(spec.n)?;
    spec.probe.begin();
    let reported = AtomicU64::new(0);
    thread::scope(|s| {
        for started in 0..spec.n {
            let reported = &reported;
            builder("spawn")
                .spawn_scoped(s, move || task(spec, reported))
                .map_err(|e| spawn_failed(started, spec.n, &e))?;
        }
        Ok(())
    })?;
    spec.probe.end();
    Ok(Counted {
        count: reported.load(Ordering::Relaxed),
    })
}
