//! spawn in CSP: one process per task; each waits on a timer channel and reports on
//! a shared report channel; the run counts reports until the channel closes.
//!
//! Each process registers with the probe's gauge (`probe.enter()`) as its first
//! step and leaves it once its sleep is over, just before it reports, so the gauge
//! sees every process that is alive, the sleep included; `verify` requires all `n`
//! at once.
//!
//! The sleep is `after(sleep).recv()`: crossbeam's `after` is a channel that
//! delivers one message at the deadline, the same value Go's `time.After` gives, so
//! a process that also had to watch for cancellation would put it in a `select!`
//! beside another channel. Counting is receiving: the report channel closes when
//! the last process has dropped its sender, which is this model's `WaitGroup`.
//!
//! All `n` threads are alive at once, so this is where OS threads meet the
//! machine's limits: the run checks them first and answers `unsupported` above
//! them, and if the kernel still refuses a thread midway, the ones already started
//! finish their sleep and the answer says how many got going.

use std::time::Duration;

use crossbeam_channel::{Receiver, after, unbounded};
use harness::spec::{Counted, SpawnSpec};
use harness::{ModelError, Probe};

use crate::process::{self, check_budget, go, spawn_failed};

// ## task

/// One task's life: alive, asleep on a timer channel.
fn task(probe: &Probe, sleep: Duration) {
    let _alive = probe.enter();
    // An `after` channel cannot close before it delivers.
    let _ = after(sleep).recv();
}

// ## run

pub(crate) fn run(spec: &SpawnSpec) -> Result<Counted, ModelError> {
    check_budget(spec.n)?;
    // No runtime to start: a process is an OS thread.
    spec.probe.begin();
    // Unbounded, so no process waits on the counter to send.
    let (report, reports) = unbounded::<()>();
    process::scope(|s| {
        for started in 0..spec.n {
            let report = report.clone();
            go(s, "spawn", move || {
                task(&spec.probe, spec.sleep);
                // The counter lives until the scope ends.
                let _ = report.send(());
            })
            .map_err(|e| spawn_failed(started, spec.n, &e))?;
        }
        // Now only the processes hold senders: the channel closes after the last one.
        drop(report);
        collect(spec, &reports)
    })
}

// ## collect

// CSP: nothing is joined here; each process reports once its sleep is over, and
// the report channel closing says the last one has; the scope in `run` joins the
// threads after the answer is known.
fn collect(spec: &SpawnSpec, reports: &Receiver<()>) -> Result<Counted, ModelError> {
    let mut count = 0;
    for () in reports {
        count += 1;
    }
    // The answer is known; what is left is the threads' exit and join.
    spec.probe.end();
    Ok(Counted { count })
}
