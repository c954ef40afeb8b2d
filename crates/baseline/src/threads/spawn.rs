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
use std::time::Duration;

use harness::spec::{Counted, SpawnSpec};
use harness::{ModelError, Probe};

use super::{builder, check_thread_budget, spawn_failed};

// ## task

/// One task's life, on its own thread: alive, then asleep in the kernel.
fn task(probe: &Probe, sleep: Duration) {
    let _alive = probe.enter();
    thread::sleep(sleep);
}

// ## run

pub(crate) fn run(spec: &SpawnSpec) -> Result<Counted, ModelError> {
    check_thread_budget(spec.n)?;
    // No runtime to build: the work starts with the first thread.
    spec.probe.begin();
    let reported = AtomicU64::new(0);
    thread::scope(|s| {
        for started in 0..spec.n {
            // On a refusal the scope joins the threads already started.
            builder("spawn")
                .spawn_scoped(s, || {
                    task(&spec.probe, spec.sleep);
                    // Relaxed: the scope's join orders this before collect's load.
                    reported.fetch_add(1, Ordering::Relaxed);
                })
                .map_err(|e| spawn_failed(started, spec.n, &e))?;
        }
        Ok(())
    })?;
    Ok(collect(spec, &reported))
}

// ## collect

// The scope in `run` is the join, and each finished task is one report on the
// shared counter. Not a `Vec` of 10,000 join handles joined in turn: each `join`
// waits for its thread's full exit, where the scope waits only for each closure to
// return, and in-process runs of 10,000 tasks sleeping 500 ms took 0.94-1.00 s
// that way against 0.82-0.97 s with the scope (2 shared cores).
fn collect(spec: &SpawnSpec, reported: &AtomicU64) -> Counted {
    spec.probe.end();
    Counted {
        count: reported.load(Ordering::Relaxed),
    }
}
